"""A gradient checker for learners: grad() against central differences, input by input, as a table.

    >>> gradcheck(lambda x: x[0] * x[1].tanh(), [0.5, -1.0])   # truthy when every derivative agrees

Central differences need nothing but f itself: (f(x + ε) − f(x − ε)) / 2ε differs from the
derivative by about ε²·f'''/6, so with ε = 1e-6 they agree with a correct derivative to about six
digits (less where f is steep or its value large: rtol and atol say how close is close enough).

Where central differences cannot be used (x ± ε rounds to x itself, f is not finite at x ± ε, or
rounding alone explains how far they are from grad()) they are no evidence either way: that
derivative is reported as unchecked, and says why, never as wrong; the result is then falsy, since
not every derivative could be checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from micrograd.autodiff.autograd import grad, hessian
from micrograd.checks import as_float, is_sequence, not_a_sequence, type_name
from micrograd.engine import Number, Value
from micrograd.tables import format_number, html_table, text_table

Function = Callable[[list[Value]], Value]


@dataclass(frozen=True)
class Check:
    """One derivative: what grad() gives, what central differences give, and whether they agree."""

    name: str  # ∂f/∂x[0], or ∂²f/∂x[0]∂x[1]
    analytic: float
    numeric: float
    tolerance: float  # atol + rtol·|numeric|
    unusable: str = ""  # why central differences cannot be used for it here, if they cannot: it is then unchecked

    @property
    def error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def relative(self) -> float:
        return self.error / abs(self.numeric) if self.numeric else math.inf if self.error else 0.0

    @property
    def checked(self) -> bool:
        return not self.unusable

    @property
    def ok(self) -> bool:
        return self.checked and self.error <= self.tolerance  # False for NaN

    @property
    def verdict(self) -> str:
        return "pass" if self.ok else "FAIL" if self.checked else "unchecked"


class GradcheckResult(Sequence[Check]):
    """Every derivative checked; truthy only when all were checked and agree. Prints as a table; the message names
    the first failure, or else the first derivative that central differences could not check, and why."""

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
        """One line for a learner: all agree, or which derivative is wrong and by how much, or which is unchecked."""
        failed = [c for c in self._checks if c.checked and not c.ok]
        unchecked = [c for c in self._checks if not c.checked]
        if not failed and not unchecked:
            return f"all {len(self)} derivatives agree with central differences"
        if not failed:
            c = unchecked[0]
            return f"{c.name} is unchecked: {c.unusable}" + _counts(
                (len(unchecked) - 1, "more unchecked"), (len(self) - len(unchecked), "agree")
            )
        c = failed[0]
        return (
            f"{c.name} is wrong: grad() gives {c.analytic!r} but central differences give {c.numeric!r} "
            f"(off by {c.error:.3g}, more than the {c.tolerance:.3g} allowed)"
            + _counts((len(failed) - 1, "more disagree"), (len(unchecked), "unchecked"))
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
                c.verdict,
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

    f takes a list of Values and returns one Value (it may call grad() itself, to check a derivative
    function); inputs are numbers (named x[0], x[1], ...), a 1-D numpy array, or leaf Values (named
    by their labels). A derivative passes when |analytic − numeric| ≤ atol + rtol·|numeric|.

    Where central differences cannot be used, because x ± ε rounds to x itself (ε below the spacing
    of floats at x), f is not finite at x ± ε, or they are farther from grad() than allowed by no
    more than rounding explains (f so large that a step of ε is lost in it), that derivative is
    unchecked: the table says so, the message says why, and the result is falsy (nothing vouches for
    that derivative), though grad() is not called wrong. A larger eps, or another point, can check it.
    """
    xs, names, eps, atol, rtol = _checked(f, inputs, eps, atol, rtol, "gradcheck()")
    leaves = [Value(x) for x in xs]
    y = _output(f, leaves, "gradcheck()")
    analytic = [g.data for g in grad(y, leaves)]
    checks = []
    for i, name in enumerate(names):
        up, down = _f(f, _moved(xs, i, eps)), _f(f, _moved(xs, i, -eps))
        checks.append(_compared(f"∂f/∂{name}", analytic[i], ("f", up, down), (name, xs[i], eps), atol, rtol))
    return GradcheckResult(f"gradcheck at {_point(names, xs)}, ε = {eps:g}", checks)


def gradgradcheck(
    f: Function, inputs: Sequence[Number | Value], eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> GradcheckResult:
    """Compare f's second derivatives (hessian(), from grad(create_graph=True)) with central differences of grad().

    Inputs, tolerances and the derivatives central differences cannot check are as gradcheck()'s.
    """
    xs, names, eps, atol, rtol = _checked(f, inputs, eps, atol, rtol, "gradgradcheck()")
    analytic = hessian(f, xs)
    checks = []
    for j, name_j in enumerate(names):
        up, down = _gradient(f, _moved(xs, j, eps)), _gradient(f, _moved(xs, j, -eps))
        for i, name_i in enumerate(names):
            name = f"∂²f/∂{name_i}²" if i == j else f"∂²f/∂{name_i}∂{name_j}"
            differenced = (f"∂f/∂{name_i}", up[i], down[i])
            checks.append(_compared(name, analytic[i][j], differenced, (name_j, xs[j], eps), atol, rtol))
    return GradcheckResult(f"gradgradcheck at {_point(names, xs)}, ε = {eps:g}", checks)


def _counts(*counts: tuple[int, str]) -> str:
    """The counts that are not 0, in brackets, as " (2 more disagree, 1 unchecked)", or nothing."""
    said = [f"{n} {what}" for n, what in counts if n]
    return f" ({', '.join(said)})" if said else ""


def _moved(xs: list[float], i: int, step: float) -> list[float]:
    return [x + step if k == i else x for k, x in enumerate(xs)]


def _f(f: Function, xs: list[float]) -> float:
    """f at xs, recorded as any call of f is (not in no_grad()), so that an f that calls grad() works."""
    return _output(f, [Value(x) for x in xs], "gradcheck()").data


def _compared(
    name: str,
    analytic: float,
    differenced: tuple[str, float, float],
    step: tuple[str, float, float],
    atol: float,
    rtol: float,
) -> Check:
    """analytic against central differences of what, whose values at x + ε and x − ε are up and down.

    They cannot be used where x ± ε rounds to x itself or a value is not finite: the check is then
    unchecked, and says why. Nor where they disagree by no more than rounding explains (the step
    x ± ε as floats take it, and the spacing of floats at up and down, divided by 2ε): grad() is not
    blamed for what central differences cannot resolve.
    """
    what, up, down = differenced
    wrt, x, eps = step
    numeric = (up - down) / (2 * eps)
    tolerance = atol + rtol * abs(numeric)
    cannot = f"central differences cannot be used at {wrt} = {x!r}"
    why = ""
    if x + eps == x or x - eps == x:
        why = (
            f"{cannot}: {wrt} ± ε rounds to {wrt} itself "
            f"(ε = {eps:g} is below the spacing of floats there, {math.ulp(x):.3g}); try a larger eps"
        )
    elif not (math.isfinite(up) and math.isfinite(down)):
        why = f"{cannot}: {what} is {up!r} at {wrt} + ε and {down!r} at {wrt} − ε"
    elif not math.isfinite(numeric):
        why = f"{cannot}: their quotient overflows to {numeric!r}"
    elif abs(analytic - numeric) > tolerance:
        step_off = abs((x + eps) - (x - eps) - 2 * eps)  # the step as floats take it, against 2ε
        blur = (abs(numeric) * step_off + math.ulp(up) + math.ulp(down)) / (2 * eps)
        if abs(analytic - numeric) <= tolerance + blur:
            why = (
                f"central differences at {wrt} = {x!r} are only good to ±{blur:.3g} here (rounding of {wrt} ± ε "
                f"and of {what} = {up:.6g} to floats), which covers the {abs(analytic - numeric):.3g} by which grad() "
                f"differs from them, more than the {tolerance:.3g} allowed; try a larger eps"
            )
    return Check(name, analytic, numeric, tolerance, why)


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
    shape = getattr(inputs, "shape", None)  # a numpy array: one number per input, so one dimension
    if isinstance(shape, tuple) and len(shape) != 1:
        raise ValueError(f"{what} inputs must be a 1-D sequence of numbers, got a {type_name(inputs)} of shape {shape}")
    if len(inputs) == 0:
        raise ValueError(f"{what} needs at least one input")
    xs, names = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            if x._prev:
                raise ValueError(f"{what} inputs must be leaves (numbers or Values of no op), got {x!r} at {i}")
            xs.append(x.data)
            names.append(x.label or f"x[{i}]")
        else:
            xs.append(as_float(x, f"{what} input {i}"))
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
