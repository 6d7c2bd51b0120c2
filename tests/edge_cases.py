"""The edge points of every op: the data of tests/test_edge_cases.py and of docs/edge-cases.md.

Each case is an op at a point where floating point gets interesting. micrograd either matches
PyTorch float64 in value and gradient (NaN-aware, sign of zero and infinity included), or raises
the exception that Python's float arithmetic raises there, named in the case.

    python docs/make_edge_table.py   # rewrites docs/edge-cases.md from this data
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from micrograd import Value, linear
from micrograd.training.losses import amax, logsumexp

inf, nan = math.inf, math.nan


@dataclass(frozen=True)
class Op:
    """The test data of one op of micrograd.ops: how micrograd and PyTorch write it, and where to sample it.

    ``domain`` gives, for each operand, the interval that random tests draw it from (where the op is
    defined and its value stays moderate); ``kinks`` are the points where its derivative jumps, which
    central differences must keep away from; ``sweep`` picks the points of the stability sweep where
    Python's float arithmetic does not raise (None: not swept).
    """

    name: str
    op: str  # the op of micrograd.ops it exercises: its name, or "**n" for the constant powers
    value: Callable  # micrograd: Values -> Value
    torch: Callable  # PyTorch: (torch module, tensors) -> tensor
    domain: tuple[tuple[float, float], ...] = ((-5.0, 5.0),)
    kinks: tuple[float, ...] = ()
    sweep: Callable[[float], bool] | None = None
    mp: Callable | None = None  # the same function in mpmath, the referee of rounding: (mpmath, mpfs) -> mpf


EXP_LIMIT = math.log(1.7976931348623157e308)  # exp overflows past ≈ 709.78
SAME = ((-5.0, 5.0), (-5.0, 5.0))

OPS = {
    op.name: op
    for op in [
        Op("x + y", "+", lambda x, y: x + y, lambda t, x, y: x + y, SAME, mp=lambda mp, x, y: x + y),
        Op("x - y", "-", lambda x, y: x - y, lambda t, x, y: x - y, SAME, mp=lambda mp, x, y: x - y),
        Op("x * y", "*", lambda x, y: x * y, lambda t, x, y: x * y, SAME, mp=lambda mp, x, y: x * y),
        Op(
            "x / y",
            "/",
            lambda x, y: x / y,
            lambda t, x, y: x / y,
            ((-5.0, 5.0), (0.2, 5.0)),
            mp=lambda mp, x, y: x / y,
        ),
        Op("-x", "neg", lambda x: -x, lambda t, x: -x, sweep=lambda x: True, mp=lambda mp, x: -x),
        Op("x ** 0", "**n", lambda x: x**0, lambda t, x: x**0, mp=lambda mp, x: mp.mpf(1)),
        Op(
            "x ** 0.5",
            "**n",
            lambda x: x**0.5,
            lambda t, x: x**0.5,
            ((0.01, 5.0),),
            sweep=lambda x: x >= 0,
            mp=lambda mp, x: mp.sqrt(x),
        ),
        Op("x ** -1", "**n", lambda x: x**-1, lambda t, x: x**-1, ((0.2, 5.0),), mp=lambda mp, x: 1 / x),
        Op("x ** 2", "**n", lambda x: x**2, lambda t, x: x**2, mp=lambda mp, x: x**2),
        Op("x ** 3", "**n", lambda x: x**3, lambda t, x: x**3, mp=lambda mp, x: x**3),
        Op(
            "x ** y",
            "**",
            lambda x, y: x**y,
            lambda t, x, y: x**y,
            ((0.1, 5.0), (-3.0, 3.0)),
            mp=lambda mp, x, y: mp.power(x, y),
        ),
        Op("2 ** x", "**", lambda x: 2**x, lambda t, x: 2**x, mp=lambda mp, x: mp.power(2, x)),
        Op(
            "exp(x)",
            "exp",
            lambda x: x.exp(),
            lambda t, x: t.exp(x),
            sweep=lambda x: x < EXP_LIMIT,
            mp=lambda mp, x: mp.exp(x),
        ),
        Op(
            "log(x)",
            "log",
            lambda x: x.log(),
            lambda t, x: t.log(x),
            ((0.01, 1000.0),),
            sweep=lambda x: x > 0,
            mp=lambda mp, x: mp.log(x),
        ),
        Op(
            "sqrt(x)",
            "sqrt",
            lambda x: x.sqrt(),
            lambda t, x: t.sqrt(x),
            ((0.01, 100.0),),
            sweep=lambda x: x >= 0,
            mp=lambda mp, x: mp.sqrt(x),
        ),
        Op(
            "sin(x)",
            "sin",
            lambda x: x.sin(),
            lambda t, x: t.sin(x),
            ((-10.0, 10.0),),
            sweep=lambda x: True,
            mp=lambda mp, x: mp.sin(x),
        ),
        Op(
            "cos(x)",
            "cos",
            lambda x: x.cos(),
            lambda t, x: t.cos(x),
            ((-10.0, 10.0),),
            sweep=lambda x: True,
            mp=lambda mp, x: mp.cos(x),
        ),
        Op(
            "abs(x)",
            "abs",
            lambda x: abs(x),
            lambda t, x: t.abs(x),
            kinks=(0.0,),
            sweep=lambda x: True,
            mp=lambda mp, x: abs(x),
        ),
        Op(
            "tanh(x)",
            "tanh",
            lambda x: x.tanh(),
            lambda t, x: t.tanh(x),
            sweep=lambda x: True,
            mp=lambda mp, x: mp.tanh(x),
        ),
        Op(
            "sigmoid(x)",
            "sigmoid",
            lambda x: x.sigmoid(),
            lambda t, x: t.sigmoid(x),
            sweep=lambda x: True,
            mp=lambda mp, x: 1 / (1 + mp.exp(-x)),
        ),
        Op(
            "relu(x)",
            "relu",
            lambda x: x.relu(),
            lambda t, x: t.relu(x),
            kinks=(0.0,),
            sweep=lambda x: True,
            mp=lambda mp, x: max(x, 0),
        ),
        Op(
            "leaky_relu(x)",
            "leaky_relu",
            lambda x: x.leaky_relu(),
            lambda t, x: t.nn.functional.leaky_relu(x),
            kinks=(0.0,),
            sweep=lambda x: True,
            mp=lambda mp, x: x if x > 0 else x * mp.mpf("0.01"),
        ),
        Op(
            "softplus(x)",
            "softplus",
            lambda x: x.softplus(),
            lambda t, x: t.nn.functional.softplus(x),
            ((-30.0, 30.0),),
            kinks=(20.0,),  # PyTorch's threshold: a jump of 2e-9 in the derivative
            sweep=lambda x: True,
            mp=lambda mp, x: x if x > 20 else mp.log(1 + mp.exp(x)),
        ),
        Op(
            "gelu(x)",
            "gelu",
            lambda x: x.gelu(),
            lambda t, x: t.nn.functional.gelu(x, approximate="tanh"),
            sweep=lambda x: True,
            mp=lambda mp, x: x / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3))),
        ),
        Op(
            "x·w + b",
            "w·a+b",
            lambda x, w, b: linear([w], [x], b),
            lambda t, x, w, b: w * x + b,
            SAME + SAME[:1],
            mp=lambda mp, x, w, b: w * x + b,
        ),
        Op(
            "max(x, y, z)",
            "max",
            lambda x, y, z: amax([x, y, z]),
            lambda t, x, y, z: t.amax(t.stack([x, y, z]), 0),
            ((-5.0, -2.0), (2.0, 5.0), (-1.0, 1.0)),  # apart, so that no two tie: max is not differentiable there
            mp=lambda mp, x, y, z: max(x, y, z),
        ),
        Op(
            "logsumexp(x, y, z)",
            "logsumexp",
            lambda x, y, z: logsumexp([x, y, z]),
            lambda t, x, y, z: t.logsumexp(t.stack([x, y, z]), 0),
            SAME + SAME[:1],
            mp=lambda mp, x, y, z: mp.log(mp.exp(x) + mp.exp(y) + mp.exp(z)),
        ),
    ]
}


@dataclass(frozen=True)
class Case:
    op: str
    at: tuple[float, ...]
    raises: type[Exception] | None = None  # None: matches PyTorch; else Python's float exception there
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.op} at {', '.join(map(fmt, self.at))}"


CASES = [
    Case("relu(x)", (0.0,), why="relu'(0) = 0"),
    Case("relu(x)", (-0.0,), why="the sign of zero is kept"),
    Case("relu(x)", (1e-300,)),
    Case("relu(x)", (-1e-300,)),
    Case("relu(x)", (nan,), why="NaN passes, derivative 1"),
    Case("relu(x)", (inf,)),
    Case("relu(x)", (-inf,)),
    Case("x ** 0", (0.0,), why="0⁰ = 1, derivative 0"),
    Case("x ** 0", (nan,)),
    Case("x ** 0", (inf,)),
    Case("x ** 0.5", (0.0,), why="√x at 0: derivative +inf"),
    Case("x ** 0.5", (-0.0,)),
    Case("x ** 0.5", (inf,)),
    Case("x ** 0.5", (-1.0,), ValueError, "a negative number to a fractional power is complex in Python; PyTorch: NaN"),
    Case("x ** -1", (0.0,), ZeroDivisionError, "0.0 ** -1 raises in Python; PyTorch: inf"),
    Case("x ** -1", (inf,)),
    Case("x ** -1", (-inf,)),
    Case("x ** 2", (nan,)),
    Case("x ** 2", (-inf,)),
    Case("x ** 2", (1e200,), OverflowError, "1e200 ** 2 raises in Python; PyTorch: inf"),
    Case("x ** 3", (-0.0,)),
    Case("x ** y", (0.0, 2.0), why="∂/∂y of 0^y is 0 for y ≥ 0"),
    Case("x ** y", (0.0, 0.0)),
    Case("x ** y", (0.0, -1.0), ZeroDivisionError, "0.0 ** -1 raises in Python; PyTorch: inf"),
    Case("x ** y", (-2.0, 3.0), why="a negative base: ∂/∂y = x^y·log(x) is NaN"),
    Case("x ** y", (-2.0, 0.5), ValueError, "complex in Python; PyTorch: NaN"),
    Case("x ** y", (2.0, inf)),
    Case("x ** y", (-0.0, 0.5), why="a Value exponent is pow, not √: +0.0 and +inf, as Python and PyTorch"),
    Case("2 ** x", (-inf,)),
    Case("2 ** x", (inf,)),
    Case("2 ** x", (1100.0,), OverflowError, "2 ** 1100 raises in Python; PyTorch: inf"),
    Case("log(x)", (0.0,), ValueError, "math.log(0) raises; PyTorch: -inf"),
    Case("log(x)", (-0.0,), ValueError, "math.log(-0.0) raises; PyTorch: -inf"),
    Case("log(x)", (-1.0,), ValueError, "math.log(-1) raises; PyTorch: NaN"),
    Case("log(x)", (inf,)),
    Case("log(x)", (nan,)),
    Case("log(x)", (5e-324,), why="the smallest subnormal: derivative overflows to inf"),
    Case("exp(x)", (709.0,)),
    Case("exp(x)", (710.0,), OverflowError, "math.exp(710) raises; PyTorch: inf"),
    Case("exp(x)", (-1000.0,)),
    Case("exp(x)", (-inf,)),
    Case("exp(x)", (inf,)),
    Case("exp(x)", (nan,)),
    Case("tanh(x)", (1000.0,)),
    Case("tanh(x)", (-1000.0,)),
    Case("tanh(x)", (inf,)),
    Case("tanh(x)", (-inf,)),
    Case("tanh(x)", (nan,)),
    Case("tanh(x)", (-0.0,)),
    Case("sigmoid(x)", (1000.0,)),
    Case("sigmoid(x)", (-1000.0,)),
    Case("sigmoid(x)", (inf,)),
    Case("sigmoid(x)", (-inf,)),
    Case("sigmoid(x)", (nan,)),
    Case("sigmoid(x)", (0.0,)),
    Case("x / y", (1.0, 0.0), ZeroDivisionError, "1.0 / 0.0 raises in Python; PyTorch: inf"),
    Case("x / y", (0.0, 0.0), ZeroDivisionError, "0.0 / 0.0 raises in Python; PyTorch: NaN"),
    Case("x / y", (1.0, -0.0), ZeroDivisionError, "1.0 / -0.0 raises in Python; PyTorch: -inf"),
    Case("x / y", (1.0, inf)),
    Case("x / y", (inf, inf)),
    Case("x / y", (-0.0, 5.0)),
    Case("x / y", (1.0, 1e-200), why="∂/∂y = −x/y² overflows to −inf"),
    Case("x * y", (0.0, inf)),
    Case("x * y", (-0.0, 1.0)),
    Case("x * y", (inf, -inf)),
    Case("x * y", (nan, 0.0)),
    Case("x + y", (inf, -inf)),
    Case("x + y", (-0.0, -0.0)),
    Case("x + y", (1e308, 1e308)),
    Case("x - y", (inf, inf)),
    Case("x - y", (0.0, 0.0)),
    Case("-x", (0.0,)),
    Case("-x", (nan,)),
    Case("-x", (-inf,)),
    Case("x·w + b", (0.0, inf, 1.0), why="0·inf = NaN"),
    Case("x·w + b", (1e308, 10.0, -inf)),
    Case("x·w + b", (nan, 0.0, 0.0)),
    Case("sqrt(x)", (0.0,), why="1/(2√x) at 0: +inf"),
    Case("sqrt(x)", (-0.0,), why="√-0 = -0, derivative -inf"),
    Case("sqrt(x)", (inf,)),
    Case("sqrt(x)", (nan,)),
    Case("sqrt(x)", (5e-324,)),
    Case("sqrt(x)", (-1.0,), ValueError, "math.sqrt(-1) raises; PyTorch: NaN"),
    Case("sin(x)", (0.0,)),
    Case("sin(x)", (-0.0,)),
    Case("sin(x)", (1e300,)),
    Case("sin(x)", (nan,)),
    Case("sin(x)", (inf,), ValueError, "math.sin(inf) raises; PyTorch: NaN"),
    Case("cos(x)", (0.0,), why="cos'(0) = -sin(0) = -0"),
    Case("cos(x)", (-0.0,)),
    Case("cos(x)", (nan,)),
    Case("cos(x)", (-inf,), ValueError, "math.cos(-inf) raises; PyTorch: NaN"),
    Case("abs(x)", (0.0,), why="sgn(0) = 0, as PyTorch"),
    Case("abs(x)", (-0.0,)),
    Case("abs(x)", (nan,), why="PyTorch's sgn(NaN) is 0"),
    Case("abs(x)", (-inf,)),
    Case("leaky_relu(x)", (0.0,), why="slope 0.01 at 0, as PyTorch"),
    Case("leaky_relu(x)", (-0.0,)),
    Case("leaky_relu(x)", (-inf,)),
    Case("leaky_relu(x)", (nan,)),
    Case("leaky_relu(x)", (-1e308,)),
    Case("softplus(x)", (20.0,), why="the last point below PyTorch's threshold"),
    Case("softplus(x)", (20.000000000000004,), why="past the threshold: x itself"),
    Case("softplus(x)", (-1000.0,)),
    Case("softplus(x)", (1000.0,)),
    Case("softplus(x)", (inf,)),
    Case("softplus(x)", (-inf,)),
    Case("softplus(x)", (nan,)),
    Case("gelu(x)", (0.0,)),
    Case("gelu(x)", (-0.0,)),
    Case("gelu(x)", (-30.0,)),
    Case("gelu(x)", (1e200,), why="x³ overflows: the value is x, the derivative inf·0 = NaN in both"),
    Case("gelu(x)", (-inf,), why="-inf·0 = NaN in both"),
    Case("gelu(x)", (nan,)),
    Case("max(x, y, z)", (1.0, 3.0, 3.0), why="a tie splits the gradient, as torch.amax"),
    Case("max(x, y, z)", (0.0, -0.0, -1.0), why="0.0 and -0.0 tie"),
    Case("max(x, y, z)", (1.0, nan, 2.0), why="NaN wins, its gradient NaN"),
    Case("max(x, y, z)", (-inf, -inf, -inf)),
    Case("max(x, y, z)", (inf, 1.0, -inf)),
    Case("logsumexp(x, y, z)", (1000.0, -1000.0, 999.0), why="shifted by the max: no exponent overflows"),
    Case("logsumexp(x, y, z)", (-1000.0, -1000.0, -1000.0), why="nor underflows to log 0"),
    Case("logsumexp(x, y, z)", (0.0, 0.0, 0.0)),
    Case("logsumexp(x, y, z)", (inf, 1.0, 2.0), why="∂/∂z_k = e^(z_k − out): e^(inf − inf) = NaN in both"),
    Case("logsumexp(x, y, z)", (-inf, -inf, -inf)),
    Case("logsumexp(x, y, z)", (-inf, 0.0, 1.0)),
    Case("logsumexp(x, y, z)", (1.0, nan, 2.0)),
]


def fmt(x: float) -> str:
    """A float as a reader writes it: nan, inf, -0.0, 1e+200."""
    if math.isnan(x):
        return "nan"
    return repr(x)


def same(a: float, b: float) -> bool:
    """Equal as IEEE values: NaN equals NaN, zeros must agree in sign, finite values to relative 1e-12.

    Below the smallest normal float (2.2e-308) float64 has fewer than 52 bits, so there two results
    count as the same when both are that small.
    """
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == 0.0 or b == 0.0 or math.isinf(a) or math.isinf(b):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if abs(a) < 2.2250738585072014e-308 and abs(b) < 2.2250738585072014e-308:
        return True
    return abs(a - b) <= 1e-12 * abs(b)


def run_micrograd(case: Case) -> tuple[float, list[float]] | Exception:
    """(value, gradient per input) from micrograd, or the exception it raised."""
    leaves = [Value(x) for x in case.at]
    try:
        out = OPS[case.op].value(*leaves)
    except Exception as e:  # the cases that raise are the point of the table
        return e
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def run_torch(torch, case: Case) -> tuple[float, list[float]]:
    """(value, gradient per input) from PyTorch float64."""
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in case.at]
    out = OPS[case.op].torch(torch, *leaves)
    out.backward()
    return out.item(), [leaf.grad.item() if leaf.grad is not None else 0.0 for leaf in leaves]


def markdown_table(torch) -> str:
    """docs/edge-cases.md: every case with micrograd's and PyTorch's results side by side."""
    lines = [
        "# Edge points",
        "",
        "Every op at the points where floating point gets interesting, as `tests/test_edge_cases.py` checks",
        "them. micrograd either gives PyTorch float64's value and gradients (NaN-aware, sign of zero and",
        "infinity included) or raises the exception Python's float arithmetic raises at that point.",
        "This page is generated from the test's data by `python docs/make_edge_table.py`; a test fails if",
        "it is out of date.",
        "",
        "| op | at | micrograd value | micrograd gradient | PyTorch value | PyTorch gradient | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        ours = run_micrograd(case)
        t_value, t_grads = run_torch(torch, case)
        at = ", ".join(fmt(x) for x in case.at)
        theirs = f"{fmt(t_value)} | {', '.join(fmt(g) for g in t_grads)}"
        if isinstance(ours, Exception):
            lines.append(f"| `{case.op}` | {at} | raises `{type(ours).__name__}` | | {theirs} | {case.why} |")
        else:
            value, grads = ours
            lines.append(
                f"| `{case.op}` | {at} | {fmt(value)} | {', '.join(fmt(g) for g in grads)} | {theirs} | {case.why} |"
            )
    return "\n".join(lines) + "\n"
