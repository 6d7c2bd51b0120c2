"""python -m micrograd grade NOTEBOOK.ipynb: run a learner's notebook in a fresh kernel, list each exercise's result.

The notebook runs as it is, after one cell the grader puts first: ``record_checks(log)``, which makes
``micrograd.exercises.check`` write every result it returns to a log file (one JSON line each). Whatever
the learner's cells check (``ex.check("value", Value)``, or ``check`` imported from micrograd.exercises),
the grader reads back: the last result of each exercise counts, and an exercise never checked is
"not attempted". A cell that raises does not stop the run: every cell runs, as if the learner had run each
one in turn, so one broken exercise does not hide the others; the cells that raised are listed under the
table. The run stops only at the time limit (for the whole notebook) or if the kernel dies, and the table
then shows what was checked until then.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["GradeError", "Report", "grade", "grade_command", "record_checks", "table"]

EXTRA = 'grading runs notebooks with nbclient, nbformat and ipykernel: pip install "micrograd-lab[grade]"'
SETUP = "from micrograd.exercises.grading import record_checks\nrecord_checks({log!r})"


class GradeError(Exception):
    """The notebook cannot be run at all: no such file, not a notebook, no kernel."""


@dataclass
class Report:
    """The grades of one run: per exercise (name, verdict, first feedback line), the cells that raised, any stop."""

    rows: list[tuple[str, str, str]]
    cell_errors: list[str] = field(default_factory=list)  # "cell 4: NameError: name 'Value' is not defined"
    stopped: str | None = None  # why the run ended early (the time limit, the kernel died), or None


def record_checks(log: str) -> None:
    """Make micrograd.exercises.check append each result to the file ``log``: run in the learner's kernel."""
    from micrograd import exercises

    check = exercises.check

    def recorded_check(name: str, obj: object) -> exercises.Result:
        result = check(name, obj)
        first = result.feedback[0] if result.feedback else ""
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"exercise": name, "passed": bool(result), "first": first}) + "\n")
        return result

    recorded_check.__doc__ = check.__doc__
    exercises.check = recorded_check


def _notebook_modules() -> tuple[ModuleType, ModuleType]:
    try:
        import nbclient
        import nbformat
    except ImportError:
        raise GradeError(EXTRA) from None
    return nbclient, nbformat


def _read(path: Path, nbformat: ModuleType) -> Any:
    if not path.is_file():
        raise GradeError(f"no notebook at {str(path)!r}" if not path.exists() else f"{str(path)!r} is not a file")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several kinds (not JSON, not a notebook, an invalid one)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise GradeError(f"{str(path)!r} is not a Jupyter notebook: {reason[:200]}") from None


def grade(path: str | os.PathLike[str], timeout: float = 600.0) -> Report:
    """Run the notebook at ``path`` in a fresh kernel (at most ``timeout`` seconds in all) and grade its checks.

    Raises GradeError if it cannot run at all; a time limit or a dying kernel ends the run early, which the
    Report's ``stopped`` says.
    """
    nbclient, nbformat = _notebook_modules()
    path = Path(path)
    notebook = _read(path, nbformat)
    with tempfile.TemporaryDirectory(prefix="micrograd-grade-") as tmp:
        log = os.path.join(tmp, "checks.jsonl")
        notebook.cells.insert(0, nbformat.v4.new_code_cell(SETUP.format(log=log)))
        stopped = _run(nbclient, notebook, path, timeout)
        records = _records(log)
    setup = notebook.cells[0]
    if any(o.get("output_type") == "error" for o in setup.get("outputs", [])):
        raise GradeError(f"the kernel could not import micrograd: {_error_line(setup)}")
    return Report(_rows(records), _cell_errors(notebook.cells[1:]), stopped)


def _run(nbclient: ModuleType, notebook: Any, path: Path, timeout: float) -> str | None:
    """Execute every cell (errors in cells allowed); why the run stopped early, or None."""
    deadline: list[float] = []  # set when the first cell starts: the kernel's start does not count
    running = [0]  # the index of the cell that started last: the grader's own cell is 0, the learner's count from 1
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        allow_errors=True,
        timeout_func=lambda cell: _seconds_left(deadline, timeout),
        resources={"metadata": {"path": str(path.resolve().parent)}},
        on_cell_start=lambda cell, cell_index: running.__setitem__(0, cell_index),
    )
    # The kernel imports the micrograd this command runs, wherever the notebook is.
    here = str(Path(__file__).resolve().parent.parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    try:
        client.execute(env=env, stderr=subprocess.DEVNULL)  # the kernel's own warnings are not the learner's
    except nbclient.exceptions.CellTimeoutError:
        notebook.cells[running[0]].outputs = []  # the interruption is the grader's, not an error of the cell
        return f"the notebook did not finish within the time limit of {timeout:g} s (it was running cell {running[0]})"
    except nbclient.exceptions.DeadKernelError:
        return f"the kernel died while running cell {running[0]}"
    except Exception as error:  # the kernel did not start: no such kernel, a broken installation
        raise GradeError(f"could not run {str(path)!r}: {type(error).__name__}: {error}") from None
    return None


def _seconds_left(deadline: list[float], timeout: float) -> int:
    """The time the next cell may take (at least a second), the limit counted from the first cell's start."""
    if not deadline:
        deadline.append(time.monotonic() + timeout)
    return max(1, math.ceil(deadline[0] - time.monotonic()))


def _records(log: str) -> dict[str, tuple[bool, str]]:
    """The last result of each exercise checked, in the log's order."""
    last: dict[str, tuple[bool, str]] = {}
    if os.path.exists(log):
        with open(log, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                last[record["exercise"]] = (record["passed"], record["first"])
    return last


def _rows(records: dict[str, tuple[bool, str]]) -> list[tuple[str, str, str]]:
    from micrograd.exercises import EXERCISES

    rows = []
    for name in EXERCISES:
        if name in records:
            passed, first = records[name]
            rows.append((name, "passed" if passed else "not yet", first))
        else:
            rows.append((name, "not attempted", ""))
    return rows


def _error_line(cell: Any) -> str:
    error = next(o for o in cell.outputs if o.get("output_type") == "error")
    value = str(error.get("evalue", "")).splitlines()
    return f"{error.get('ename', 'Error')}: {value[0] if value else ''}".rstrip(": ")


def _cell_errors(cells: list[Any]) -> list[str]:
    return [
        f"cell {i}: {_error_line(cell)}"
        for i, cell in enumerate(cells, 1)
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    ]


def table(report: Report) -> str:
    """The report as text: one row per exercise (passed, not yet, not attempted), then the cells that raised."""
    header = ("exercise", "result", "first feedback line")
    widths = [max(len(row[i]) for row in [header, *report.rows]) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in [header, *report.rows]]
    passed = sum(verdict == "passed" for _, verdict, _ in report.rows)
    lines.append(f"{passed} of {len(report.rows)} exercises passed")
    if report.cell_errors:
        lines += ["", "cells that raised (the run went on with the next cell):", *report.cell_errors]
    return "\n".join(lines)


def grade_command(notebook: str, timeout: float) -> int:
    """python -m micrograd grade: print the table; exit status 1 only if the notebook could not run (to its end)."""
    try:
        report = grade(notebook, timeout)
    except GradeError as error:
        print(f"micrograd grade: {error}", file=sys.stderr)
        return 1
    print(f"{notebook}:")
    print(table(report))
    if report.stopped:
        print(f"micrograd grade: {report.stopped}", file=sys.stderr)
        return 1
    return 0
