"""A gradient checker for learners: grad() against central differences, input by input, as a table.

    >>> gradcheck(lambda x: x[0] * x[1].tanh(), [0.5, -1.0])   # truthy when every derivative agrees

Central differences need nothing but f itself: (f(x + ε) − f(x − ε)) / 2ε differs from the
derivative by about ε²·f'''/6, so with ε = 1e-6 they agree with a correct derivative to about six
digits (less where f is steep or its value large: rtol and atol say how close is close enough).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from micrograd.autodiff.autograd import grad, hessian
from micrograd.checks import as_float, is_sequence, not_a_sequence, type_name
from micrograd.engine import Number, Value, no_grad
from micrograd.tables import format_number, html_table, text_table

Function = Callable[[list[Value]], Value]


@dataclass(frozen=True)
class Check:
    """One derivative: what grad() gives, what central differences give, and whether they agree."""

    name: str  # ∂f/∂x[0], or ∂²f/∂x[0]∂x[1]
    analytic: float
    numeric: float
    tolerance: float  # atol + rtol·|numeric|

    @property
    def error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def relative(self) -> float:
        return self.error / abs(self.numeric) if self.numeric else math.inf if self.error else 0.0

    @property
    def ok(self) -> bool:
        return self.error <= self.tolerance  # False for NaN


class GradcheckResult(Sequence[Check]):
    """Every derivative checked; truthy only when all agree. Prints as a table; the message names the first failure."""

    def __init__(self, title: str, checks: list[Check]) -> None:
        self.title, self._checks = title, checks

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        return self._checks[i]

    def __len__(self) -> int:
        return len(self._checks)

    def __bool__(self) -> bool:
        return all(c.ok for c in self._checks)

    @property
    def message(self) -> str:
        """One line for a learner: all agree, or which derivative does not, by how much."""
        failed = [c for c in self._checks if not c.ok]
        if not failed:
            return f"all {len(self)} derivatives agree with central differences"
        c = failed[0]
        more = f" ({len(failed) - 1} more disagree)" if len(failed) > 1 else ""
        return (
            f"{c.name} is wrong: grad() gives {c.analytic!r} but central differences give {c.numeric!r} "
            f"(off by {c.error:.3g}, more than the {c.tolerance:.3g} allowed){more}"
        )

    _HEADER = ("derivative", "analytic", "numeric", "abs error", "rel error", "")

    def _rows(self) -> list[list[str]]:
        return [
            [
                c.name,
                format_number(c.analytic, 8),
                format_number(c.numeric, 8),
                f"{c.error:.2e}",
                f"{c.relative:.2e}",
                "pass" if c.ok else "FAIL",
            ]
            for c in self._checks
        ]

    def __str__(self) -> str:
        return f"{self.title}\n\n{text_table(self._HEADER, self._rows())}\n\n{self.message}"

    def _repr_html_(self) -> str:
        return html_table(self.title, self._HEADER, self._rows()) + f"\n<p>{escape(self.message)}</p>"

    def __repr__(self) -> str:
        return f"GradcheckResult({'pass' if self else 'FAIL'}: {self.message})"


def gradcheck(
    f: Function, inputs: Sequence[Number | Value], eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> GradcheckResult:
    """Compare grad() of f at inputs with central differences, for every input.

    f takes a list of Values and returns one Value; inputs are numbers (named x[0], x[1], ...) or
    leaf Values (named by their labels). A derivative passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
    """
    xs, names, eps, atol, rtol = _checked(f, inputs, eps, atol, rtol, "gradcheck()")
    leaves = [Value(x) for x in xs]
    y = _output(f, leaves, "gradcheck()")
    analytic = [g.data for g in grad(y, leaves)]
    checks = []
    for i, name in enumerate(names):
        numeric = (_f(f, _moved(xs, i, eps)) - _f(f, _moved(xs, i, -eps))) / (2 * eps)
        checks.append(Check(f"∂f/∂{name}", analytic[i], numeric, atol + rtol * abs(numeric)))
    return GradcheckResult(f"gradcheck at {_point(names, xs)}, ε = {eps:g}", checks)


def gradgradcheck(
    f: Function, inputs: Sequence[Number | Value], eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> GradcheckResult:
    """Compare f's second derivatives (hessian(), from grad(create_graph=True)) with central differences of grad()."""
    xs, names, eps, atol, rtol = _checked(f, inputs, eps, atol, rtol, "gradgradcheck()")
    analytic = hessian(f, xs)
    checks = []
    for j, name_j in enumerate(names):
        up, down = _gradient(f, _moved(xs, j, eps)), _gradient(f, _moved(xs, j, -eps))
        for i, name_i in enumerate(names):
            numeric = (up[i] - down[i]) / (2 * eps)
            name = f"∂²f/∂{name_i}²" if i == j else f"∂²f/∂{name_i}∂{name_j}"
            checks.append(Check(name, analytic[i][j], numeric, atol + rtol * abs(numeric)))
    return GradcheckResult(f"gradgradcheck at {_point(names, xs)}, ε = {eps:g}", checks)


def _moved(xs: list[float], i: int, step: float) -> list[float]:
    return [x + step if k == i else x for k, x in enumerate(xs)]


def _f(f: Function, xs: list[float]) -> float:
    with no_grad():
        return _output(f, [Value(x) for x in xs], "gradcheck()").data


def _gradient(f: Function, xs: list[float]) -> list[float]:
    leaves = [Value(x) for x in xs]
    return [g.data for g in grad(_output(f, leaves, "gradgradcheck()"), leaves)]


def _output(f: Function, leaves: list[Value], what: str) -> Value:
    y = f(leaves)
    if not isinstance(y, Value):
        raise TypeError(f"{what}: f must return one Value, got {type_name(y)}")
    return y


def _point(names: list[str], xs: list[float]) -> str:
    return ", ".join(f"{n} = {format_number(x, 6)}" for n, x in zip(names, xs))


def _checked(
    f: object, inputs: object, eps: object, atol: object, rtol: object, what: str
) -> tuple[list[float], list[str], float, float, float]:
    if not callable(f):
        raise TypeError(f"{what} takes a function of a list of Values, got {type_name(f)}")
    if not is_sequence(inputs):
        raise TypeError(f"{what} inputs must be a sequence of numbers, got {not_a_sequence(inputs)}")
    if not inputs:
        raise ValueError(f"{what} needs at least one input")
    xs, names = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            if x._prev:
                raise ValueError(f"{what} inputs must be leaves (numbers or Values of no op), got {x!r} at {i}")
            xs.append(x.data)
            names.append(x.label or f"x[{i}]")
        else:
            xs.append(as_float(x, f"{what} inputs"))
            names.append(f"x[{i}]")
    numbers = []
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        number = as_float(value, f"{what} {name}")
        if not (number >= 0.0 and math.isfinite(number)) or (name == "eps" and number == 0.0):
            raise ValueError(
                f"{what} {name} must be a finite number {'> 0' if name == 'eps' else '≥ 0'}, got {value!r}"
            )
        numbers.append(number)
    return xs, names, numbers[0], numbers[1], numbers[2]


__all__ = ["Check", "GradcheckResult", "gradcheck", "gradgradcheck"]
