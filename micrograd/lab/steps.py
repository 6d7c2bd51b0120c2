"""What the traces share: their steps as a numbered sequence, and how a step's equation writes numbers and names.

A trace (trace_backward, trace_forward, trace_forward_mode) is a sequence of steps, numbered from 1 and
indexed from 0 as any sequence; each step writes itself as a line of arithmetic, with its numbers at the
trace's digits, a negative number in parentheses (0 + (-3)) and a name with spaces too ((a - y).grad).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, overload

from micrograd.lab.viz import check_digits
from micrograd.tables import format_number

Step = TypeVar("Step")


class Steps(Sequence[Step]):
    """A trace's steps in order: trace[0] is step 1, len(trace) the number of steps."""

    _steps: list[Step]

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> list[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | list[Step]:
        return self._steps[i]

    def __len__(self) -> int:
        return len(self._steps)


def formatter(digits: int) -> Callable[[float], str]:
    """A function that writes a number with this many significant digits, as every table and drawing does."""
    digits = check_digits(digits)
    return lambda x: format_number(x, digits)


def term(name: str) -> str:
    """A name as a term of an equation: in parentheses if it has spaces, so that (a - y).grad reads right."""
    return f"({name})" if any(c.isspace() for c in name) else name


def paren(number: str) -> str:
    """A negative number in parentheses, so that 0 + (-3) reads as arithmetic."""
    return f"({number})" if number.startswith("-") else number


def count_steps(n: int) -> str:
    """1 step, 2 steps."""
    return f"{n} step" if n == 1 else f"{n} steps"


__all__ = ["Steps", "count_steps", "formatter", "paren", "term"]
