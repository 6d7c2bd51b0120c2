"""The exercise local_derivatives: each op's ∂out/∂x as a plain float function, graded by micrograd's own ops.

The expected numbers are never written here: the checker builds the op on micrograd Values and reads the
local derivative that the engine stored on the edge, the very number backward() multiplies by.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping

from micrograd.engine import Value
from micrograd.exercises.core import Exercise, Result, close, crashed
from micrograd.tables import format_number

__all__ = ["EDGE_POINTS", "EXERCISES", "OPS", "POWERS"]

# The ops a learner differentiates, each as micrograd computes it on Values: the learner's function takes the
# same operands as floats ("**n": the base x and the constant exponent n).
OPS: dict[str, Callable[..., Value]] = {
    "+": lambda x, y: x + y,
    "*": lambda x, y: x * y,
    "**n": lambda x, n: x**n,
    "exp": lambda x: x.exp(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
}
TWO_OPERANDS = ("+", "*")
POWERS = (2.0, 3.0, -1.0, 0.5)  # the constant exponents n of x ** n
# Where floating point or a convention matters (a subset of the ops' edge points in tests/edge_cases.py):
# relu'(0) = 0 as PyTorch, saturated tanh and sigmoid, a large and a tiny exp.
EDGE_POINTS: dict[str, tuple[tuple[float, ...], ...]] = {
    "+": ((0.0, 0.0),),
    "*": ((0.0, 0.0), (0.0, 5.0)),
    "**n": ((0.0, 2.0), (0.0, 3.0)),
    "exp": ((0.0,), (-1000.0,), (709.0,)),
    "tanh": ((0.0,), (1000.0,), (-1000.0,)),
    "sigmoid": ((0.0,), (30.0,), (-30.0,)),
    "relu": ((-1e-300,), (0.0,), (1e-300,)),
}
RANDOM_POINTS = 20  # per op, seeded
SEED = 11


def expected(op: str, point: tuple[float, ...]) -> tuple[float, ...]:
    """∂out/∂operand at point, as micrograd's engine stores it on the edges (the exponent n is no operand)."""
    out = OPS[op](Value(point[0]), point[1]) if op == "**n" else OPS[op](*map(Value, point))
    return tuple(float(d) for d in out._local)


def points(op: str, rng: random.Random) -> list[tuple[float, ...]]:
    """The edge points of op, then random ones (x ** n with n from POWERS, x > 0 for n = ½)."""
    chosen = list(EDGE_POINTS[op])
    for i in range(RANDOM_POINTS):
        if op == "**n":
            n = POWERS[i % len(POWERS)]
            chosen.append((round(rng.uniform(0.2 if n != 2.0 else -3.0, 3.0), 3), n))
        else:
            chosen.append(tuple(round(rng.uniform(-3.0, 3.0), 3) for _ in range(2 if op in TWO_OPERANDS else 1)))
    return chosen


def call(op: str, point: tuple[float, ...]) -> str:
    """How the learner's function is called at point, as text: local_derivatives["*"](2, 3)."""
    return f'local_derivatives["{op}"]({", ".join(map(repr, point))})'


def as_numbers(given: object, op: str) -> tuple[float, ...]:
    """The learner's answer as a tuple of floats: two for + and *, one otherwise."""
    want = 2 if op in TWO_OPERANDS else 1
    items = tuple(given) if isinstance(given, (tuple, list)) else (given,)
    if len(items) != want or not all(isinstance(d, (int, float)) and not isinstance(d, bool) for d in items):
        shape = "a pair of floats (∂out/∂x, ∂out/∂y)" if want == 2 else "one float, ∂out/∂x"
        raise TypeError(f"it should return {shape}, got {given!r}")
    return tuple(float(d) for d in items)


OVERFLOW = (
    "A float overflows past about 1.8e308: far out, write the derivative from the op's output, which stays "
    "small (tanh(1000) is 1.0, cosh(1000) overflows), or from exp of a negative number."
)
MISTAKES: dict[
    str, tuple[Callable[[float], float], str]
] = {  # op -> (what the wrong function computes, hint), tested in the order given
    "tanh": (lambda x: 1.0 - x * x, "tanh' is 1 − tanh(x)², written with the output t = tanh(x), not with x."),
    "relu": (lambda x: 1.0 if x >= 0 else 0.0, "relu'(x) is 1 for x > 0 and 0 for x ≤ 0 (0 at x = 0, as PyTorch)."),
    "sigmoid": (lambda x: 1.0 - 1.0 / (1.0 + math.exp(-x)), "σ'(x) = σ(x)·(1 − σ(x)): both factors."),
}


def mistake(op: str, point: tuple[float, ...], given: tuple[float, ...]) -> str | None:
    """The hint for a classic slip that the given value shows, if it shows one."""
    if op == "relu" and point[0] < 0 and given[0] != 0.0:
        return "relu is flat for x < 0: its derivative there is 0, not 1."
    if op == "**n" and close(given[0], point[0] ** (point[1] - 1)) and point[1] != 1.0:
        return "The power rule: d(xⁿ)/dx = n·xⁿ⁻¹; the factor n is missing."
    if op == "*" and close(given[0], point[0]) and not close(point[0], point[1]):
        return "For x * y, ∂out/∂x is y (the other operand), and ∂out/∂y is x."
    slip = MISTAKES.get(op)
    if slip is not None and close(given[0], slip[0](point[0])):
        return slip[1]
    return None


def check(derivatives: object) -> Result:
    """Grade a mapping op name -> float function of the operands, giving ∂out/∂operand."""
    name = "local_derivatives"
    if not isinstance(derivatives, Mapping):
        return Result(name, False, [f"expected a dict from op name to function, got {type(derivatives).__name__}"])
    missing = [op for op in OPS if not callable(derivatives.get(op))]
    if missing:
        return Result(
            name, False, [f"no function for {', '.join(missing)}: the dict needs one for each of {', '.join(OPS)}"]
        )
    rng = random.Random(SEED)
    count = 0
    for op in OPS:
        for point in points(op, rng):
            try:
                given = as_numbers(derivatives[op](*point), op)
            except Exception as error:
                result = crashed(name, call(op, point), error)
                if isinstance(error, OverflowError):
                    result.mistake = OVERFLOW
                return result
            want = expected(op, point)
            if not all(close(g, w) for g, w in zip(given, want)):
                shown = ", ".join(format_number(d, 6) for d in given)
                right = ", ".join(format_number(d, 6) for d in want)
                feedback = [
                    f"{op} at {point_text(op, point)}: expected {right}, got {shown}",
                    f"called {call(op, point)}",
                ]
                return Result(name, False, feedback, mistake=mistake(op, point, given))
            count += 1
    return Result(name, True, [f"all {len(OPS)} ops agree with micrograd at {count} points, edge points included"])


def point_text(op: str, point: tuple[float, ...]) -> str:
    names = ("x", "n") if op == "**n" else ("x", "y")
    return ", ".join(f"{n} = {format_number(p, 6)}" for n, p in zip(names, point))


STARTER = """import math

local_derivatives = {
    "+": lambda x, y: (0.0, 0.0),  # (∂out/∂x, ∂out/∂y) for out = x + y
    "*": lambda x, y: (0.0, 0.0),  # (∂out/∂x, ∂out/∂y) for out = x * y
    "**n": lambda x, n: 0.0,  # ∂out/∂x for out = x ** n, n a constant
    "exp": lambda x: 0.0,
    "tanh": lambda x: 0.0,
    "sigmoid": lambda x: 0.0,  # sigmoid(x) = 1 / (1 + exp(-x))
    "relu": lambda x: 0.0,  # relu(x) = max(0, x)
}
"""

SOLUTION = """import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


local_derivatives = {
    "+": lambda x, y: (1.0, 1.0),
    "*": lambda x, y: (y, x),
    "**n": lambda x, n: n * x ** (n - 1),
    "exp": lambda x: math.exp(x),
    "tanh": lambda x: 1 - math.tanh(x) ** 2,
    "sigmoid": lambda x: sigmoid(x) * (1 - sigmoid(x)),
    "relu": lambda x: 1.0 if x > 0 else 0.0,
}
"""

EXERCISES = (
    Exercise(
        name="local_derivatives",
        summary="the local derivative ∂out/∂x of each op, as a plain float function",
        write="local_derivatives = {op: function}",
        statement=(
            "Write a dict local_derivatives from op name to a function of floats giving the op's local "
            "derivatives. For + and * the function takes (x, y) and returns the pair (∂out/∂x, ∂out/∂y); for "
            '"**n" it takes (x, n) and returns ∂out/∂x of x ** n, n a constant; for exp, tanh, sigmoid and relu '
            "it takes x and returns ∂out/∂x. The checker compares with micrograd's ops at random points and at "
            "the edge points: relu at 0 (where micrograd, like PyTorch, takes 0), tanh and sigmoid far out, "
            "exp at -1000 and 709."
        ),
        starter=STARTER,
        solution=SOLUTION,
        hints=(
            "Each function answers one question: if x moves by a tiny h, by how much times h does out move?",
            "For x * y, moving x by h moves out by y·h: ∂out/∂x = y. The power rule gives n·xⁿ⁻¹.",
            "tanh' = 1 − tanh(x)² and σ' = σ(x)·(1 − σ(x)); relu' is 1 for x > 0 and 0 otherwise.",
            "Far out, write tanh' from tanh(x) itself: cosh(1000) overflows a float, tanh(1000) is just 1.0.",
        ),
        checker=check,
    ),
)
