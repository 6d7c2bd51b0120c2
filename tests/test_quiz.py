"""Predict, then check: the quiz's answers are the engine's (checked against the lecture's hand-worked steps), its
grading rule, and the saved page in headless Chromium driven with the keyboard only, in light and dark themes."""

from __future__ import annotations

import math
import pathlib

import pytest
from test_stepper_browser import STEPS

from colours import contrast_of
from helpers import lecture_example
from micrograd import Value
from micrograd.lab.forward_pass import trace_forward
from micrograd.lab.quiz import TOLERANCE, Quiz, accepted, grade
from micrograd.lab.trace import trace_backward

# The hand-worked steps of the lecture's expression (test_stepper_browser.STEPS): each step's child, and its grad.
WORKED = [(updated, float(equation.rsplit(" = ", 1)[1])) for equation, updated, _ in STEPS[1:]]


def test_the_backward_quiz_asks_each_step_and_its_answers_are_the_hand_worked_grads():
    quiz = Quiz(trace_backward(lecture_example()["L"]))
    assert [(q.prompt.split(" What is ")[1], q.answer) for q in quiz.asked] == [
        (f"{child}.grad now?", grad) for child, grad in WORKED
    ]
    assert quiz.asked[4].prompt == "backward through e = a * b. What is a.grad now?"
    assert quiz.asked[4].hint == "a.grad += (∂e/∂a = -3) × (e.grad = -2) → a.grad = 0 + 6 = ?"
    assert quiz.asked[4].equation == STEPS[5][0].removeprefix("step 5: ")


def test_the_forward_quiz_asks_the_computed_values_and_gives_the_leaves():
    quiz = Quiz(trace_forward(lecture_example()["L"]))
    asked = {q.prompt.split(" = ")[0]: q.answer for q in quiz.asked}
    assert asked == {"e": 2.0 * -3.0, "d": 2.0 * -3.0 + 10.0, "L": (2.0 * -3.0 + 10.0) * -2.0}
    given = [q.equation for q in quiz.questions if not q.asked]
    assert sorted(given) == ["a = 2", "b = -3", "c = 10", "f = -2"]
    assert next(q for q in quiz.asked if q.prompt.startswith("d")).hint == "d = e + c = (-6) + 10 = ?"


@pytest.mark.parametrize(
    ("typed", "truth", "right"),
    [
        ("6", 6.0, True),
        (" 6.004 ", 6.0, True),  # within 1e-3 relative
        ("6.007", 6.0, False),
        ("0.7071", math.sqrt(0.5), True),  # the digits shown
        ("0.70711", math.sqrt(0.5), True),
        ("0.7081", math.sqrt(0.5), False),
        ("1.2346e-07", 1.23456789e-7, True),  # rounds to the 4 digits shown, 1.235e-07 ... and within 1e-3
        ("1.2e-07", 1.23456789e-7, False),
        ("0", 0.0, True),
        ("-0", 0.0, True),
        ("1e-9", 0.0, False),  # zero is zero
        ("0x10", 16.0, False),  # only decimal numbers
        ("16/1", 16.0, False),
        ("", 0.0, False),
        ("nan", math.nan, True),
        ("inf", math.inf, True),
        ("-inf", math.inf, False),
    ],
)
def test_grading_takes_a_relative_tolerance_or_the_digits_shown(typed, truth, right):
    assert grade(typed, truth, 4) is right


def test_the_accepted_interval_holds_every_number_that_rounds_to_what_is_shown():
    for truth in (math.pi, -2.0 / 3.0, 123456.789, 1e-300, 6.0):
        lo, hi = accepted(truth, 4)
        shown = float(f"{truth:.4g}")
        for x in (lo, hi, truth, shown):
            assert f"{x:.4g}" == f"{truth:.4g}" or abs(x - truth) <= 1e-3 * abs(truth) * (1 + 1e-12)
        assert lo <= truth <= hi


def test_check_grades_in_python_and_keeps_the_score():
    quiz = Quiz(trace_backward(lecture_example()["L"]))
    assert quiz.check(1, "3") is False and quiz.check(1, "-2") is True  # step 1: d.grad = -2
    assert quiz.check(2, 4) is True
    assert quiz.score == (1, 2)  # one right at the first try, two answered
    with pytest.raises(ValueError, match="not step 7"):
        quiz.check(7, "1")


def test_a_teacher_picks_the_steps_asked():
    quiz = Quiz(trace_backward(lecture_example()["L"]), ask=[3, 5])
    assert [q.step for q in quiz.asked] == [3, 5] and repr(quiz) == "Quiz(backward, 2 of 6 steps asked)"
    lines = str(quiz).splitlines()
    assert lines[0] == "backward quiz: 2 of 6 steps asked" and lines[1] == "1. " + STEPS[1][0].removeprefix("step 1: ")
    assert lines[3] == "3. backward through d = e + c. What is e.grad now?   ?"
    html = quiz._repr_html_()
    assert html.count("<input") == 2 and html.count('class="mg-given"') == 4
    with pytest.raises(ValueError, match="step 9 cannot be asked"):
        Quiz(trace_backward(lecture_example()["L"]), ask=[9])
    with pytest.raises(ValueError, match="cannot be asked: the steps that can are 3, 5, 7"):
        Quiz(trace_forward(lecture_example()["L"]), ask=[1])  # a leaf is given, not asked
    with pytest.raises(TypeError, match="takes a trace"):
        Quiz(lecture_example()["L"])


def test_labels_are_text_in_the_page():
    x = Value(2.0, "</script><b>x</b>")
    y = x * x
    page = y.backward() or Quiz(trace_backward(y)).html()
    assert "</script><b>" not in page and "&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in page


# -- in a browser ------------------------------------------------------------------------------------


def type_answer(page, text: str) -> None:
    page.keyboard.type(text)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_saved_page_is_answered_with_the_keyboard_alone(open_page, tmp_path, scheme):
    quiz = Quiz(trace_backward(lecture_example()["L"]))
    page = open_page(pathlib.Path(quiz.save(tmp_path / "quiz.html")), scheme)
    steps = page.locator(".mg-step")
    assert page.locator(".mg-step:visible").count() == 1  # only the first question
    page.keyboard.press("Tab")  # the first thing on the page to take the focus: the answer box
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "answer to step 1"
    type_answer(page, "3")  # wrong: d.grad is -2
    first = steps.nth(0)
    assert first.locator(".mg-verdict").inner_text() == "not quite: 3 (try 2)"
    assert first.locator(".mg-hint").inner_text() == "hint: " + quiz.asked[0].hint
    assert page.locator(".mg-score").inner_text() == "score: 0 right at the first try, 0 of 6 answered"
    page.keyboard.press("Backspace")
    type_answer(page, "-2")  # right
    assert first.locator(".mg-verdict").inner_text() == "right: -2"
    assert first.locator(".mg-hint").inner_text() == quiz.asked[0].equation
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "answer to step 2"
    type_answer(page, "4.0001")  # right at the first try, within the tolerance
    assert page.locator(".mg-score").inner_text() == "score: 1 right at the first try, 2 of 6 answered"
    for part in (".mg-prompt", ".mg-hint", ".mg-score", ".mg-eq"):
        ratio = contrast_of(page.locator(part).first)
        assert ratio >= 4.5, (scheme, part, ratio)
    page.locator(".mg-quiz").screenshot(path=str(tmp_path / f"quiz-{scheme}.png"))
    for _, grad in WORKED[2:]:
        type_answer(page, f"{grad:g}")
    assert page.locator(".mg-score").inner_text() == "score: 5 right at the first try, 6 of 6 answered"
    assert page.locator("input:enabled").count() == 0 and page.errors == [] and page.requests[1:] == []


def test_the_page_grades_as_python_does(open_page, tmp_path):
    a = Value(0.5, "a")
    out = a.tanh() * 3
    page = open_page(pathlib.Path(Quiz(trace_forward(out)).save(tmp_path / "forward.html")))
    page.keyboard.press("Tab")
    truth = math.tanh(0.5)  # asked first: the tanh
    for typed in ["0.46", "0.4621/1", "0.4621", "0.462", "0.4625", "0.4616", "4.621e-1", "0x1", "0.46212"]:
        page.keyboard.press("Control+a")
        type_answer(page, typed)
        verdict = page.locator(".mg-step:visible .mg-verdict").first.inner_text()
        assert verdict.startswith("right") is grade(typed, truth), typed
        if verdict.startswith("right"):
            break
    assert verdict.startswith("right")


def test_without_javascript_the_questions_show_and_say_what_checking_needs(browser, tmp_path):
    path = Quiz(trace_backward(lecture_example()["L"])).save(tmp_path / "quiz.html")
    context = browser.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(pathlib.Path(path).as_uri())
    assert page.locator(".mg-step").count() == 6 and page.locator("input:visible").count() == 0
    assert "needs JavaScript" in page.locator(".mg-still").inner_text()
    assert not page.locator(".mg-score").is_visible()
    context.close()


def test_the_tour_states_the_tolerance_as_defined():
    tour = " ".join(
        (pathlib.Path(__file__).resolve().parents[1] / "docs" / "tour.md").read_text(encoding="utf-8").split()
    )
    assert f"An answer is right within {TOLERANCE:.1%} of the engine's number" in tour
