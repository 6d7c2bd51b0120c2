"""What every exercise is made of: a statement, starter code, a checker, hints and a reference solution.

A checker takes what the learner wrote (a function, a class) and returns a Result: truthy only when every
case passed, with feedback lines that name the first thing that differs (the node, the equation, the
point), and the hint for a classic mistake when the checker recognises one. A checker never raises
because the learner's code did: an exception inside it is feedback too.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from micrograd.lab.display import picture_html

__all__ = ["Exercise", "Hint", "Result", "Solution", "crashed"]

PACKAGE = Path(__file__).resolve().parent.parent  # frames in here are the checker's, not the learner's

AGREE = 1e-9  # relative: a learner's number agrees with the engine's when only float rounding tells them apart


def close(given: float, want: float) -> bool:
    """Whether the learner's number is the engine's, up to float rounding (and near 0, up to AGREE·1e-3)."""
    return math.isclose(given, want, rel_tol=AGREE, abs_tol=AGREE * 1e-3)


def all_close(given: Sequence[float], want: Sequence[float]) -> bool:
    """Whether two lists of numbers have the same length and agree number by number."""
    return len(given) == len(want) and all(close(g, w) for g, w in zip(given, want))


@dataclass
class Result:
    """The verdict on one exercise: truthy only if it passed; str() and Jupyter show the same feedback."""

    exercise: str
    passed: bool
    feedback: list[str] = field(default_factory=list)  # the first line says what differs, or what passed
    mistake: str | None = None  # the hint for a classic mistake the checker recognised
    skipped: list[str] = field(default_factory=list)  # what was not checked, and why (say, ops the class lacks)
    remarks: list[str] = field(default_factory=list)  # passing, but worth knowing (say, recursion depth)
    svg: str | None = None  # the SVG of a drawing that points at what differs (the node highlighted)

    def __bool__(self) -> bool:
        return self.passed

    def headline(self) -> str:
        """One line: the exercise, passed or not, and the first feedback line."""
        verdict = "passed" if self.passed else "not yet"
        first = self.feedback[0] if self.feedback else ""
        return f"{self.exercise}: {verdict}" + (f": {first}" if first else "")

    def __str__(self) -> str:
        lines = [self.headline(), *(f"  {line}" for line in self.feedback[1:])]
        if self.mistake:
            lines.append(f"  Hint: {self.mistake}")
        lines += [f"  Not checked: {s}" for s in self.skipped]
        lines += [f"  Note: {r}" for r in self.remarks]
        if self.svg:
            lines.append("  (In Jupyter a drawing shows the graph; result.svg holds it as SVG.)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Result({self.exercise!r}, passed={self.passed})"

    def _repr_html_(self) -> str:
        colour = "var(--jp-success-color1, #1a7f37)" if self.passed else "var(--jp-error-color1, #cf222e)"
        parts = [f'<p style="color:{colour};font-weight:bold">{escape(self.headline())}</p>']
        if len(self.feedback) > 1:
            parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in self.feedback[1:]) + "</ul>")
        if self.mistake:
            parts.append(f"<p><b>Hint:</b> {escape(self.mistake)}</p>")
        parts += [f"<p><i>Not checked:</i> {escape(s)}</p>" for s in self.skipped]
        parts += [f"<p><i>Note:</i> {escape(r)}</p>" for r in self.remarks]
        if self.svg:
            parts.append(picture_html(self.svg, title=f"{self.exercise}: the graph, the node that differs highlighted"))
        return f'<div class="mg-exercise">{"".join(parts)}</div>'


def crashed(exercise: str, what: str, error: BaseException) -> Result:
    """The Result for learner code that raised: which call, the exception, and the line of the learner's code."""
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f for f in reversed(frames) if not Path(f.filename).resolve().is_relative_to(PACKAGE)), None)
    at = f" (line {where.lineno}: {where.line})" if where and where.line else ""
    return Result(exercise, False, [f"{what} raised {type(error).__name__}: {error}{at}"])


class Hint(str):
    """A hint: a str that Jupyter shows as its text, without quotes."""

    def __repr__(self) -> str:
        return str(self)


class Solution(str):
    """A reference solution's source: a str (exec() it, print() it) that Jupyter shows as code."""

    def _repr_markdown_(self) -> str:
        return f"```python\n{self}\n```"

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its name, a line saying what it is, what the learner writes, and how it is graded."""

    name: str
    summary: str  # one line: what the exercise teaches
    write: str  # what the learner writes, as it is called: "class Value(data, _children=(), _op='')"
    statement: str  # the task in a few sentences, as a learner reads it
    starter: str  # starter code: runs, and fails the check with feedback
    solution: str  # the reference solution's source, which passes the check
    hints: tuple[str, ...]  # given one at a time, the gentlest first
    checker: Callable[[object], Result]  # grades the learner's object
