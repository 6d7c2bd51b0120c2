"""Notebook 11, Build micrograd yourself: the learner's copy and the same notebook solved.

As stored, every starter cell runs and every check below it says "not yet" with feedback; with each starter
cell replaced by its exercise's reference solution, every check passes. `python -m micrograd grade` gives
the same two tables. Each starter cell (tagged ``exercise:<name>``) is its exercise's starter code, so the
notebook and micrograd.exercises cannot drift apart. The verdicts are read back from the notebook's
outputs, as JupyterLab shows them (the HTML, through a real parser), and from the command's printed table.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import optional_import
from micrograd import exercises as ex

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "11_build_it_yourself.ipynb"
TAG = "exercise:"
CHECK = re.compile(r'ex\.check\("(\w+)", (\w+)\)')  # a check cell: the whole cell is one call
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def read():
    return optional_import("nbformat").read(NOTEBOOK, as_version=4)


def starter_cells(notebook) -> dict[str, object]:
    """The cells tagged exercise:<name>, by name, in the notebook's order."""
    cells: dict[str, object] = {}
    for cell in notebook.cells:
        for tag in cell.metadata.get("tags", []):
            if tag.startswith(TAG):
                name = tag.removeprefix(TAG)
                assert name not in cells, f"two cells are tagged {tag}"
                cells[name] = cell
    return cells


def solved(notebook):
    """A copy with every starter cell replaced by its exercise's reference solution."""
    notebook = copy.deepcopy(notebook)
    for name, cell in starter_cells(notebook).items():
        cell.source = str(ex.solution(name))
    return notebook


def run(notebook):
    optional_import("ipykernel")
    client = optional_import("nbclient").NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute(env=ENV)  # raises CellExecutionError, naming the cell, if any cell raises
    return notebook


class Paragraphs(HTMLParser):
    """The text of each <p> of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.depth += 1
            self.paragraphs.append("")

    def handle_endtag(self, tag):
        if tag == "p":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.paragraphs[-1] += data


def verdict_shown(cell) -> str:
    """The headline a check cell shows in Jupyter: 'name: passed: ...' or 'name: not yet: ...'."""
    (html,) = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    parser = Paragraphs()
    parser.feed(html)
    return parser.paragraphs[0]


def learner_checks(notebook) -> dict[str, str]:
    """For each exercise, the headline of the check cell right after its starter cell."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = {}
    for name, cell in starter_cells(notebook).items():
        after = code[code.index(cell) + 1]
        assert CHECK.fullmatch(after.source.strip()), f"the cell after {name}'s starter is not a check: {after.source}"
        assert CHECK.fullmatch(after.source.strip()).group(1) == name
        shown[name] = verdict_shown(after)
    return shown


def printed(notebook) -> str:
    return "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)


@pytest.fixture(scope="module")
def stored_run():
    return run(read())


@pytest.fixture(scope="module")
def solved_run():
    return run(solved(read()))


def test_each_exercise_has_one_starter_cell_and_it_is_the_exercise_s_starter():
    cells = starter_cells(read())
    assert list(cells) == list(ex.EXERCISES), "one starter cell per exercise, in the order of ex.exercises()"
    for name, cell in cells.items():
        assert cell.source == ex.EXERCISES[name].starter.rstrip("\n"), f"the starter cell of {name} is not its starter"


def test_as_stored_every_check_says_not_yet_with_feedback(stored_run):
    shown = learner_checks(stored_run)
    for name, headline in shown.items():
        verdict, _, feedback = headline.removeprefix(f"{name}: ").partition(": ")
        assert verdict == "not yet", headline
        assert len(feedback) > 10, f"{name}: no feedback in {headline!r}"
    # The cell that trains the learner's neuron says what to finish instead of training on starter code.
    assert "Finish the exercises value and mlp above first" in printed(stored_run)


def test_the_first_value_s_a_plus_a_bug_is_named_by_the_check(stored_run):
    """The demonstration before the exercise: a grad assigned with = loses one use of a in a + a."""
    (cell,) = [c for c in stored_run.cells if c.cell_type == "code" and c.source == 'ex.check("value", FirstValue)']
    headline = verdict_shown(cell)
    assert headline.startswith("value: not yet: leaf a: grad 1, expected 2"), headline
    (html,) = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    parser = Paragraphs()
    parser.feed(html)
    assert any("add to the grads with +=, never assign with =" in p for p in parser.paragraphs), parser.paragraphs
    assert 'class="mg-picture"' in html  # the drawing of the expression, the node that differs highlighted


def test_solved_every_check_passes_and_the_neuron_trains_on_the_learner_s_engine(solved_run):
    shown = learner_checks(solved_run)
    assert all(headline.startswith(f"{name}: passed: ") for name, headline in shown.items()), shown
    text = printed(solved_run)
    steps = [float(loss) for loss in re.findall(r"^step +\d+: loss (\d+\.\d+)", text, re.M)]
    assert len(steps) == 4 and steps[-1] < steps[0] / 10, text  # the cell's own asserts compare with micrograd


def grade(path: Path) -> dict[str, tuple[str, str]]:
    """python -m micrograd grade path: each exercise's row (verdict, first feedback line); exit status 0."""
    done = subprocess.run(
        [sys.executable, "-m", "micrograd", "grade", str(path)], capture_output=True, text=True, env=ENV, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "cells that raised" not in done.stdout, done.stdout
    rows = re.findall(r"^(\w+) +(passed|not yet|not attempted)(?: +(.*))?$", done.stdout, re.M)
    assert [name for name, _, _ in rows] == list(ex.EXERCISES), done.stdout
    passed = sum(verdict == "passed" for _, verdict, _ in rows)
    assert f"{passed} of {len(rows)} exercises passed" in done.stdout
    return {name: (verdict, first) for name, verdict, first in rows}


def test_grade_gives_every_exercise_not_yet_on_the_stored_notebook(stored_run):
    rows = grade(NOTEBOOK)
    assert {verdict for verdict, _ in rows.values()} == {"not yet"}, rows
    # The first feedback line is the one the notebook shows under its check.
    shown = learner_checks(stored_run)
    assert {name: first for name, (_, first) in rows.items()} == {
        name: headline.removeprefix(f"{name}: not yet: ") for name, headline in shown.items()
    }


def test_grade_gives_every_exercise_passed_on_the_solved_notebook(tmp_path):
    path = tmp_path / "11_solved.ipynb"
    optional_import("nbformat").write(solved(read()), path)
    rows = grade(path)
    assert {verdict for verdict, _ in rows.values()} == {"passed"}, rows
