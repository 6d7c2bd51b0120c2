"""python -m micrograd grade: small notebooks written here run in a fresh kernel; the printed table's rows are each
exercise's last check, made again here in this process; a cell that raises is listed and the run goes on; the exit
status is 1 only when the notebook cannot run to its end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from wrong_solutions_backprop import WRONG

from conftest import optional_import
from micrograd import exercises as ex
from micrograd.exercises import grading

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("exercise", "result", "first feedback line")


@pytest.fixture
def kernel():
    """Skip where notebooks cannot run (no nbclient, nbformat or ipykernel)."""
    for name in ("nbformat", "nbclient", "ipykernel"):
        optional_import(name)


def notebook(folder: Path, *cells: str) -> Path:
    """A notebook of the given cells (code, or markdown when it starts with '# '), written with nbformat."""
    nbformat = optional_import("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(c) if c.startswith("# ") else nbformat.v4.new_code_cell(c) for c in cells]
    path = folder / "learner.ipynb"
    nbformat.write(nb, path)
    return path


def grade(*args: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "micrograd", "grade", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        timeout=600,
    )


def rows(stdout: str) -> dict[str, tuple[str, str]]:
    """The table's rows, read at the columns its header line sets: exercise -> (result, first feedback line)."""
    lines = stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(HEADER[0]))
    result, first = (lines[at].index(h) for h in HEADER[1:])
    table = {}
    for line in lines[at + 1 :]:
        if line.split()[0] not in ex.EXERCISES:
            break
        table[line[:result].strip()] = (line[result:first].strip(), line[first:].strip())
    return table


def first_line(exercise: str, source: str) -> str:
    """The first feedback line of checking the function that source defines, here in this process."""
    namespace: dict[str, object] = {}
    exec(source, namespace)
    return ex.check(exercise, namespace[exercise]).feedback[0]


def check_cell(exercise: str, source: str) -> str:
    return f"exec({str(source)!r})\nex.check({exercise!r}, {exercise})"  # a Solution's repr is its code


def test_each_exercise_s_last_check_is_its_row_and_a_cell_that_raises_does_not_stop_the_run(kernel, tmp_path):
    starter = ex.EXERCISES["sgd_step"].starter
    (no_zero_grad,) = [w.source for w in WRONG if w.mistake == "no zero_grad"]
    path = notebook(
        tmp_path,
        "# Build it yourself",
        "from micrograd import exercises as ex",
        check_cell("backprop", ex.solution("backprop")),
        check_cell("sgd_step", starter),
        f"from micrograd.exercises import check\nexec({str(ex.solution('training_loop'))!r})\n"
        "check('training_loop', training_loop)",
        "raise ValueError('a mistake of the learner')",
        check_cell("training_loop", no_zero_grad),  # after the error, and the last check of training_loop
    )
    done = grade(str(path))
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    assert list(table) == list(ex.EXERCISES)  # every exercise, in the course's order
    assert table["backprop"] == ("passed", first_line("backprop", ex.solution("backprop")))
    assert table["sgd_step"] == ("not yet", first_line("sgd_step", starter))
    assert table["training_loop"] == ("not yet", first_line("training_loop", no_zero_grad))
    others = {name: row for name, row in table.items() if name not in ("backprop", "sgd_step", "training_loop")}
    assert all(row == ("not attempted", "") for row in others.values())
    assert f"1 of {len(ex.EXERCISES)} exercises passed" in done.stdout
    assert "cell 6: ValueError: a mistake of the learner" in done.stdout.splitlines()


def test_a_notebook_past_its_time_limit_is_graded_as_far_as_it_ran_and_exits_1(kernel, tmp_path):
    path = notebook(
        tmp_path,
        "from micrograd import exercises as ex",
        check_cell("sgd_step", ex.solution("sgd_step")),
        "while True:\n    pass",  # never ends, however fast the machine
        check_cell("backprop", ex.solution("backprop")),
    )
    done = grade(str(path), "--timeout", "20")
    assert done.returncode == 1
    assert "micrograd grade: the notebook did not finish within the time limit of 20 s (it was running cell 3)" in (
        done.stderr
    )
    table = rows(done.stdout)
    assert table["sgd_step"][0] == "passed" and table["backprop"] == ("not attempted", "")
    assert "cells that raised" not in done.stdout  # the interruption is the grader's, not the learner's error


def test_a_kernel_that_dies_ends_the_run_with_exit_status_1(kernel, tmp_path):
    path = notebook(
        tmp_path,
        "from micrograd import exercises as ex",
        check_cell("sgd_step", ex.solution("sgd_step")),
        "import os\nos._exit(1)",
    )
    done = grade(str(path))
    assert done.returncode == 1
    assert "micrograd grade: the kernel died while running cell 3" in done.stderr
    assert rows(done.stdout)["sgd_step"][0] == "passed"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no notebook at"),
        ("print('a script, not a notebook')\n", "is not a Jupyter notebook"),
        (json.dumps({"cells": "none"}), "is not a Jupyter notebook"),
    ],
)
def test_a_file_that_is_not_a_notebook_is_named_and_exits_1(kernel, tmp_path, content, says):
    path = tmp_path / "learner.ipynb"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    done = grade(str(path))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"micrograd grade: {says}") or says in done.stderr.splitlines()[0], done.stderr


def test_a_time_limit_that_is_not_a_positive_number_is_refused(tmp_path):
    done = grade(str(tmp_path / "learner.ipynb"), "--timeout", "0")
    assert done.returncode == 2 and "expected a number of seconds > 0, got '0'" in done.stderr


def test_without_nbclient_the_message_names_the_extra(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "nbclient", None)  # import nbclient raises ImportError
    assert grading.grade_command(str(tmp_path / "learner.ipynb"), 60.0) == 1
    assert 'pip install "micrograd-lab[grade]"' in capsys.readouterr().err


def test_the_table_aligns_its_columns_and_counts_what_passed():
    report = grading.Report(
        [("value", "passed", "every node's grad agrees"), ("mlp", "not attempted", "")],
        ["cell 4: NameError: name 'Value' is not defined"],
    )
    assert grading.table(report).splitlines() == [
        "exercise  result         first feedback line",
        "value     passed         every node's grad agrees",
        "mlp       not attempted",
        "1 of 2 exercises passed",
        "",
        "cells that raised (the run went on with the next cell):",
        "cell 4: NameError: name 'Value' is not defined",
    ]
