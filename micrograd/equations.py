"""The four equations of backpropagation for an MLP, in plain floats: an oracle independent of Value.grad.

For the quadratic cost C = ½‖a^L − y‖² and layers numbered l = 1..L (layer 0 is the input x):

    z^l = w^l a^(l−1) + b^l,    a^l = σ(z^l)
    BP1  δ^L = ∇_a C ⊙ σ'(z^L) = (a^L − y) ⊙ σ'(z^L)
    BP2  δ^l = ((w^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^l)
    BP3  ∂C/∂b^l_j = δ^l_j
    BP4  ∂C/∂w^l_jk = a^(l−1)_k δ^l_j

Every list is indexed by the layer l, so ``w[l][j][k]`` is w^l_jk; index 0 (the input layer)
holds x in ``a`` and is empty in the others. The weights are read from the MLP's ``.data``;
nothing here reads or writes a ``.grad``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from micrograd.checks import is_number
from micrograd.engine import Number
from micrograd.nn import MLP


def sigma(z: float, activation: str) -> float:
    """σ(z) for the named activation, from its textbook formula."""
    if activation == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    if activation == "tanh":
        return math.tanh(z)
    if activation == "relu":
        return z if z > 0 else 0.0
    if activation == "leaky_relu":
        return z if z > 0 else 0.01 * z
    if activation == "softplus":  # log(1 + e^z), and z itself where e^z dwarfs 1 (PyTorch's threshold of 20)
        return z if z > 20 else math.log(1.0 + math.exp(z))
    if activation == "gelu":  # the tanh approximation: ½z(1 + tanh(√(2/π)(z + 0.044715 z³)))
        return 0.5 * z * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z**3)))
    if activation == "linear":
        return z
    raise ValueError(f"unknown activation {activation!r}")


def sigma_prime(z: float, activation: str) -> float:
    """σ'(z) for the named activation (relu'(0) = 0), differentiated by hand."""
    if activation == "sigmoid":
        s = sigma(z, "sigmoid")
        return s * (1.0 - s)
    if activation == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if activation == "relu":
        return 1.0 if z > 0 else 0.0
    if activation == "leaky_relu":
        return 1.0 if z > 0 else 0.01
    if activation == "softplus":  # the logistic function
        return 1.0 if z > 20 else 1.0 / (1.0 + math.exp(-z))
    if activation == "gelu":
        c = math.sqrt(2.0 / math.pi)
        t = math.tanh(c * (z + 0.044715 * z**3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * c * (1.0 + 3 * 0.044715 * z**2)
    if activation == "linear":
        return 1.0
    raise ValueError(f"unknown activation {activation!r}")


@dataclass(frozen=True)
class Backprop:
    """Everything the four equations give for one example (x, y)."""

    w: list[list[list[float]]]  # w[l][j][k] = w^l_jk
    b: list[list[float]]  # b[l][j] = b^l_j
    z: list[list[float]]  # z[l][j] = z^l_j
    a: list[list[float]]  # a[l][j] = a^l_j, with a[0] = x
    delta: list[list[float]]  # delta[l][j] = δ^l_j = ∂C/∂z^l_j
    dC_dw: list[list[list[float]]]  # dC_dw[l][j][k] = ∂C/∂w^l_jk = a^(l−1)_k δ^l_j
    dC_db: list[list[float]]  # dC_db[l][j] = ∂C/∂b^l_j = δ^l_j
    C: float  # ½‖a^L − y‖²


@dataclass(frozen=True)
class BatchGradient:
    """The gradient of the mini-batch cost (1/m) Σ_x C_x, as used by w → w − (η/m) Σ_x ∂C_x/∂w."""

    dC_dw: list[list[list[float]]]
    dC_db: list[list[float]]
    C: float


def backprop(mlp: MLP, x: Sequence[Number], y: Number | Sequence[Number]) -> Backprop:
    """Forward pass and BP1–BP4 for one input x and target y."""
    w, b, activations = _read_weights(mlp)
    L = len(mlp.layers)
    x = _floats(x, mlp.nin, "x")
    y = _floats([y] if isinstance(y, numbers.Real) else y, len(b[L]), "y")

    z: list[list[float]] = [[]]
    a: list[list[float]] = [x]
    for l in range(1, L + 1):
        z.append([sum(w_jk * a_k for w_jk, a_k in zip(w[l][j], a[l - 1])) + b[l][j] for j in range(len(b[l]))])
        a.append([sigma(z_j, activations[l]) for z_j in z[l]])

    delta: list[list[float]] = [[] for _ in range(L + 1)]
    delta[L] = [(a[L][j] - y[j]) * sigma_prime(z[L][j], activations[L]) for j in range(len(y))]  # BP1
    for l in range(L - 1, 0, -1):  # BP2
        delta[l] = [
            sum(w[l + 1][j][k] * delta[l + 1][j] for j in range(len(delta[l + 1])))
            * sigma_prime(z[l][k], activations[l])
            for k in range(len(z[l]))
        ]
    dC_db = [list(d) for d in delta]  # BP3
    dC_dw = [
        [[a[l - 1][k] * delta[l][j] for k in range(len(a[l - 1]))] for j in range(len(delta[l]))] if l else []
        for l in range(L + 1)
    ]  # BP4
    C = 0.5 * sum((a_j - y_j) ** 2 for a_j, y_j in zip(a[L], y))
    return Backprop(w, b, z, a, delta, dC_dw, dC_db, C)


def backprop_batch(mlp: MLP, xs: Sequence[Sequence[Number]], ys: Sequence[Number | Sequence[Number]]) -> BatchGradient:
    """The averaged gradient (1/m) Σ_x ∂C_x/∂w and ∂C_x/∂b over a mini-batch of m examples."""
    if len(xs) != len(ys):
        raise ValueError(f"backprop_batch() needs one target per input, got {len(xs)} inputs and {len(ys)} targets")
    if not xs:
        raise ValueError("backprop_batch() needs at least one example")
    results = [backprop(mlp, x, y) for x, y in zip(xs, ys)]
    m = len(results)
    first = results[0]
    dC_dw = [
        [[sum(r.dC_dw[l][j][k] for r in results) / m for k in range(len(row))] for j, row in enumerate(layer)]
        for l, layer in enumerate(first.dC_dw)
    ]
    dC_db = [
        [sum(r.dC_db[l][j] for r in results) / m for j in range(len(layer))] for l, layer in enumerate(first.dC_db)
    ]
    return BatchGradient(dC_dw, dC_db, sum(r.C for r in results) / m)


def _read_weights(mlp: MLP) -> tuple[list[list[list[float]]], list[list[float]], list[str]]:
    if not isinstance(mlp, MLP):
        raise TypeError(f"backprop() takes an MLP, got {type(mlp).__name__}")
    w: list[list[list[float]]] = [[]]
    b: list[list[float]] = [[]]
    activations = [""]
    for layer in mlp.layers:
        w.append([[w_k.data for w_k in n.w] for n in layer.neurons])
        b.append([n.b.data for n in layer.neurons])
        activations.append(layer.activation)
    return w, b, activations


def _floats(xs: object, n: int, what: str) -> list[float]:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__len__"):
        raise TypeError(f"{what} must be a sequence of {n} numbers, got {type(xs).__name__}")
    if len(xs) != n:
        raise ValueError(f"{what} must have {n} entries, got {len(xs)}")
    reals: list[numbers.Real] = []
    for v in cast(Iterable[object], xs):  # sized (checked above), so a sequence
        if not is_number(v):
            raise TypeError(f"{what} must hold real numbers, got {type(v).__name__}")
        reals.append(v)
    return [float(v) for v in reals]
