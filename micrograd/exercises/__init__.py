"""Build it yourself: exercises graded by the engine, from local derivatives to BP1–BP4 and the SGD step.

    from micrograd import exercises as ex
    ex.exercises()                       # the exercises in order: name, one line, what to write
    result = ex.check("value", Value)    # truthy only if it passes; shows a readable verdict
    ex.hint("value")                     # the next hint, one at a time
    ex.solution("value")                 # the reference solution, only when asked

The modules, one per part of the course:
- core: what an exercise is (statement, starter, checker, hints, solution) and the Result a checker gives;
- derivatives: local_derivatives, each op's ∂out/∂x as a float function;
- graph: value (the learner's own Value class) and topological_sort;
- network: mlp (Neuron, Layer, MLP forward);
- backprop: backprop (BP1–BP4 in plain floats, Nielsen's interface);
- sgd: sgd_step and training_loop.
"""

from __future__ import annotations

from html import escape

from micrograd.exercises import backprop, derivatives, graph, network, sgd
from micrograd.exercises.core import Exercise, Hint, Result, Solution

__all__ = ["EXERCISES", "Exercise", "Result", "check", "exercises", "hint", "solution"]

EXERCISES: dict[str, Exercise] = {
    e.name: e for module in (derivatives, graph, network, backprop, sgd) for e in module.EXERCISES
}
_hints_given: dict[str, int] = {}


class Listing(list[tuple[str, str, str]]):
    """The exercises in order, as (name, summary, what to write) rows; Jupyter shows them as a table."""

    def __str__(self) -> str:
        return "\n".join(f"{i}. {name}: {summary} (write {write})" for i, (name, summary, write) in enumerate(self, 1))

    def _repr_html_(self) -> str:
        left = ' style="text-align: left"'  # JupyterLab right-aligns table cells: these are words
        rows = "".join(
            f"<tr><td>{i}</td><td{left}><code>{escape(n)}</code></td><td{left}>{escape(s)}</td>"
            f"<td{left}><code>{escape(w)}</code></td></tr>"
            for i, (n, s, w) in enumerate(self, 1)
        )
        head = "".join(f"<th{left}>{h}</th>" for h in ("name", "what it is", "what to write"))
        return f"<table><tr><th></th>{head}</tr>{rows}</table>"


def exercises() -> Listing:
    """The exercises in the order to take them: name, one line, what to write."""
    return Listing((e.name, e.summary, e.write) for e in EXERCISES.values())


def _exercise(name: object) -> Exercise:
    if not isinstance(name, str):
        raise TypeError(f"an exercise is named by a str, got {type(name).__name__}")
    if name not in EXERCISES:
        raise ValueError(f"no exercise named {name!r}; the exercises are {', '.join(EXERCISES)}")
    return EXERCISES[name]


def check(name: str, obj: object) -> Result:
    """Grade the learner's obj for the exercise name: truthy only if every case passes."""
    return _exercise(name).checker(obj)


def hint(name: str) -> Hint:
    """The next hint for the exercise name, one at a time; the last one again once all are given."""
    hints = _exercise(name).hints
    k = _hints_given.get(name, 0)
    _hints_given[name] = k + 1
    if k < len(hints):
        return Hint(f"Hint {k + 1} of {len(hints)}: {hints[k]}")
    return Hint(f"Hint {len(hints)} of {len(hints)} (there are no more): {hints[-1]}")


def solution(name: str) -> Solution:
    """The reference solution's source for the exercise name: shown as code, and a str to exec() or print()."""
    return Solution(_exercise(name).solution)
