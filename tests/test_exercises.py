"""The exercises' interface (exercises, check, hint, solution, Result), and local_derivatives, value,
topological_sort and mlp against their reference solutions, their starters and a catalogue of classic mistakes."""

from __future__ import annotations

import html
import re

import pytest
from wrong_solutions import WRONG, Wrong, load

from micrograd import exercises as ex
from micrograd.exercises import derivatives, graph, network
from micrograd.exercises.core import Result

MINE = [e.name for module in (derivatives, graph, network) for e in module.EXERCISES]


def test_the_exercises_come_in_order_as_rows_of_name_summary_and_what_to_write():
    rows = ex.exercises()
    names = [name for name, _, _ in rows]
    assert names[:4] == ["local_derivatives", "value", "topological_sort", "mlp"]
    assert names[4:] == ["backprop", "sgd_step", "training_loop"]
    assert rows[1] == ("value", ex.EXERCISES["value"].summary, "class Value(data, _children=(), _op='')")
    assert str(rows).splitlines()[0].startswith("1. local_derivatives: ")
    cells = re.findall(r"<tr><td>(\d+)</td><td[^>]*><code>([^<]+)</code>", rows._repr_html_())
    assert cells == [(str(i), name) for i, name in enumerate(names, 1)]


def test_hints_come_one_at_a_time_the_last_one_again_at_the_end():
    hints = ex.EXERCISES["topological_sort"].hints
    given = [ex.hint("topological_sort") for _ in range(len(hints) + 1)]
    assert given[0] == f"Hint 1 of {len(hints)}: {hints[0]}"
    assert given[-2].endswith(hints[-1]) and given[-1].endswith(hints[-1]) and "no more" in given[-1]
    assert repr(given[0]) == str(given[0])  # Jupyter shows the text, not a quoted str


def test_the_solution_is_code_to_exec_and_shows_as_python():
    solution = ex.solution("value")
    assert solution == ex.EXERCISES["value"].solution
    assert solution._repr_markdown_().startswith("```python\n")
    namespace: dict[str, object] = {}
    exec(solution, namespace)
    assert ex.check("value", namespace["Value"])


@pytest.mark.parametrize(
    ("name", "error"), [("values", ValueError), ("", ValueError), (3, TypeError), (None, TypeError)]
)
def test_a_bad_name_is_a_clear_error(name, error):
    for call in (lambda: ex.check(name, None), lambda: ex.hint(name), lambda: ex.solution(name)):
        with pytest.raises(error, match="exercise"):
            call()


@pytest.mark.parametrize("name", MINE)
def test_the_reference_solution_passes_with_no_skip(name):
    result = ex.check(name, load(name, ex.solution(name)))
    assert result and result.passed and bool(result) is True
    assert result.skipped == [] and result.svg is None
    assert str(result).startswith(f"{name}: passed: ")


@pytest.mark.parametrize("name", MINE)
def test_the_starter_runs_and_fails_with_feedback_not_an_exception(name):
    result = ex.check(name, load(name, ex.EXERCISES[name].starter))
    assert not result and str(result).startswith(f"{name}: not yet: ")
    assert "raised" not in result.feedback[0]  # it fails the check, it does not crash


@pytest.mark.parametrize("name", MINE)
def test_what_is_not_the_object_asked_for_is_feedback(name):
    result = ex.check(name, 42)
    assert not result and "int" in result.feedback[0]


def test_the_catalogue_holds_the_classic_mistakes_of_each_exercise():
    failing = [w for w in WRONG if not w.passes]
    assert len(failing) >= 15
    assert {w.exercise for w in failing} == set(MINE)
    assert len({w.mistake for w in WRONG}) == len(WRONG)


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: f"{w.exercise}: {w.mistake}")
def test_each_classic_mistake_gets_the_feedback_that_names_it(wrong: Wrong):
    result = ex.check(wrong.exercise, load(wrong.exercise, wrong.source))
    text = str(result)
    assert bool(result) is wrong.passes, text
    for words in wrong.says:
        assert words in text, f"{words!r} not in:\n{text}"


def test_the_text_and_the_html_say_the_same():
    result = Result(
        "value",
        False,
        ["node d = a * b: grad 0, expected 1", "in one *: d = a * b"],
        mistake="Use += <not => & more",
        skipped=["the ops exp"],
        remarks=["a remark"],
    )
    shown = html.unescape(re.sub(r"<[^>]+>", "\n", result._repr_html_()))
    words = [line.strip() for line in shown.splitlines() if line.strip()]
    text = [line.strip() for line in str(result).splitlines()]
    assert " ".join(words) == " ".join(text)
    assert "<not =>" not in result._repr_html_()  # escaped


def test_learner_code_that_raises_is_feedback_with_the_call_and_the_error():
    source = ex.solution("local_derivatives").replace('"exp": lambda x: math.exp(x),', '"exp": lambda x: 1 / 0,')
    result = ex.check("local_derivatives", load("local_derivatives", source))
    assert not result
    assert result.feedback == ['local_derivatives["exp"](0.0) raised ZeroDivisionError: division by zero']
