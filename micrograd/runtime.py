"""The numbers the ops need beyond Python's float arithmetic, and the namespace their code runs in.

``RUNTIME`` is what an op's definition may call through ``m`` (micrograd.ops), and so what the
Value methods and the generated code of compiled graphs see; its keys are the names that code uses.
``ZERO`` is the structural zero: the local derivative of an edge that passes on +0.0 whatever comes
from above, as PyTorch's masks do (relu where inactive); ``contribution`` is that rule, in one place.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

from micrograd import expr


class StructuralZero(float):
    """The local derivative 0.0 that is zero by structure: backward() adds +0.0 through it, never 0 · inf."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ZERO"


ZERO = StructuralZero(0.0)


class Masked(tuple):  # type: ignore[type-arg]
    """A node's local derivatives, at least one of which is ZERO: backward() takes the masked path for it."""

    __slots__ = ()


def masked(local: tuple[float, ...]) -> tuple[float, ...]:
    """A node's local derivatives, marked Masked if a structural zero is among them."""
    return Masked(local) if any(d is ZERO for d in local) else local


ZERO_1 = Masked((ZERO,))  # the local derivatives of an op of one operand where it is a structural zero


def contribution(d: Any, g: Any) -> Any:
    """What one edge passes down by the chain rule: d · g, or +0.0 where d is a structural zero, whatever g is.

    backward(), higher-order gradients, forward mode and the compiled code's writer all take this
    rule from here, on floats, on Values and on expressions alike.
    """
    return 0.0 if d is ZERO else d * g


def float_pow(x: float, y: float) -> float:
    """x ** y as Python's float computes it, a complex result being a ValueError."""
    r: float = x**y  # or a complex number
    if type(r) is complex:
        raise ValueError("complex")
    return r


def c_pow(x: float, y: float) -> float:
    """x ** y as C's pow(): ±inf instead of an exception, NaN instead of a complex number."""
    try:
        r = x**y
    except (ZeroDivisionError, OverflowError):
        negative = math.copysign(1.0, x) < 0.0 and y.is_integer() and y % 2.0 == 1.0
        return -math.inf if negative else math.inf
    return math.nan if type(r) is complex else r


def logsumexp(z: Sequence[float]) -> float:
    """log Σ_k e^(z_k), as torch.logsumexp: shifted by the max M, so every exponent is ≤ 0 (M = 0 if infinite)."""
    M = max(z)
    if M == math.inf or M == -math.inf:  # all -inf: -inf; an inf: inf; any NaN: NaN
        return math.nan if any(zk != zk for zk in z) else M
    return math.log(sum([math.exp(zk - M) for zk in z])) + M


def softmax(z: Sequence[float], out: float) -> list[float]:
    """∂out/∂z_k of out = logsumexp(z), for each k: e^(z_k − out), softmax(z)_k, as torch.logsumexp's backward."""
    return [math.exp(zk - out) for zk in z]


def softmax_at(z: Sequence[float], k: int) -> float:
    """softmax(z)_k = e^(z_k − logsumexp(z)): the same float as softmax(z, logsumexp(z))[k]."""
    return math.exp(z[k] - logsumexp(z))


def softmax_row(z: Sequence[float], s_k: float, k: int) -> list[float]:
    """∂s_k/∂z_j for each j, where s_k = softmax(z)_k: softmax_jacobian_row of softmax(z)."""
    return softmax_jacobian_row(softmax(z, logsumexp(z)), s_k, k)


def softmax_jacobian_row(s: Sequence[Any], s_k: Any, k: int) -> list[Any]:
    """s_k(δ_kj − s_j) for each j, on floats or Values, written so that nothing cancels.

    Off the diagonal −s_k·s_j; on it s_k·Σ_{i≠k} s_i, not s_k − s_k·s_k, which loses every digit of
    a small 1 − s_k when s_k is near 1 (one z dominating).
    """
    others = [s_i for i, s_i in enumerate(s) if i != k]
    rest = sum(others[1:], others[0]) if others else 0.0
    return [s_k * rest if j == k else -(s_k * s_j) for j, s_j in enumerate(s)]


def logistic(x: float) -> float:
    """σ(x) = e^x / (e^x + 1), as PyTorch's softplus backward computes it: z / (z + 1), z = e^x."""
    z = math.exp(x)
    return z / (z + 1.0)


def amax(z: Sequence[float]) -> float:
    """The largest of z, as torch.amax: NaN if any is NaN."""
    for zk in z:
        if zk != zk:
            return zk
    return max(z)


def share(z: Sequence[float], x: float) -> float:
    """1/n for the n entries of z equal to x (torch.amax splits the gradient among ties); NaN for none."""
    n = z.count(x) if x == x else 0  # count() tests identity before ==, so a NaN would count itself
    return 1.0 / n if n else math.nan


def log_or_nan(x: float) -> float:
    """log(x) as C computes it: -inf at 0, NaN below."""
    if x > 0.0:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


# What op definitions may call through m, and so what generated code can see (and no label may be named).
RUNTIME: dict[str, Any] = {
    "exp": math.exp,
    "log": math.log,
    "log1p": math.log1p,
    "tanh": math.tanh,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "fabs": math.fabs,
    "copysign": math.copysign,
    "inf": math.inf,
    "nan": math.nan,
    "mul": operator.mul,
    "_pow": float_pow,
    "_c_pow": c_pow,
    "_log_or_nan": log_or_nan,
    "logsumexp": logsumexp,
    "_softmax": softmax,
    "_softmax_at": softmax_at,
    "_softmax_row": softmax_row,
    "_logistic": logistic,
    "_max": amax,
    "_share": share,
    "_masked": masked,
    "ZERO": ZERO,
    "ZERO_1": ZERO_1,
}
SYMBOLS = expr.Symbols(RUNTIME)
