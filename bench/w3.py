"""The W3 workload: one training step of MLP(2, [16, 16, 1]) on 100 two-moons points.

Max-margin loss + 1e-4·L2, zero grads, backward, SGD: the workload of micrograd's demo notebook.
This module imports no micrograd, so the same code runs against any engine with micrograd's API
(this package, an earlier revision of it, or micrograd 0.1.0 from PyPI) in a process of its own.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from operator import mul

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4
LEARNING_RATE = 0.05


def moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles with Gaussian noise; labels −1 and +1."""
    rng = random.Random(seed)
    half = n // 2
    points, labels = [], []
    for i in range(n):
        if i < half:
            t = math.pi * i / max(half - 1, 1)
            x, y, label = math.cos(t), math.sin(t), -1
        else:
            t = math.pi * (i - half) / max(n - half - 1, 1)
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append(label)
    return points, labels


def engine_step(Value, model, X: list[list[float]], y: list[int]) -> Callable[[], float]:
    """The step as micrograd's demo writes it, for any engine with micrograd 0.1.0's API."""

    def step() -> float:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        total = loss(model, scores, y)
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return total.data

    return step


def loss(model, scores, y: list[int]):
    """The max-margin loss of the scores + 1e-4·L2 of the weights, as micrograd's demo writes it."""
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def fit_step(train_step, SGD, model, X: list[list[float]], y: list[int]) -> Callable[[], float]:
    """The same step as fit() takes it: micrograd.training.train.train_step with SGD (engines that have them)."""
    optimizer = SGD(model, lr=LEARNING_RATE)
    return lambda: train_step(model, lambda scores, targets: loss(model, scores, targets), optimizer, X, y)


def plain_float_step(X: list[list[float]], y: list[int], seed: int = 1337) -> Callable[[], float]:
    """The same step as tuned plain Python: locals, sum(map(mul, ...)), no generator in an inner loop.

    The reference every engine is measured against: forward, the max-margin loss, backprop (a
    layer at a time over the examples inside the margin), SGD. naive_float_step is the same math
    written plainly, example by example; both give the same losses to rounding.
    """
    rng = random.Random(seed)
    L = len(SIZES) - 1
    W = [[[rng.uniform(-1, 1) for _ in range(SIZES[l])] for _ in range(SIZES[l + 1])] for l in range(L)]
    B = [[0.0] * SIZES[l + 1] for l in range(L)]
    m = len(X)
    layers = range(L)
    two_alpha, lr = 2 * ALPHA, LEARNING_RATE

    def step() -> float:
        # forward, example by example; the examples inside the margin are the ones that backprop
        acts: list[list[list[float]]] = [[] for _ in range(L + 1)]  # acts[l][x]: layer l's activations on x
        deltas: list[list[float]] = []  # the output layer's δ of each such example
        data_loss = 0.0
        for xrow, yi in zip(X, y):
            a, seen = xrow, [xrow]
            for l in layers:
                z = [sum(map(mul, w, a)) + b for w, b in zip(W[l], B[l])]
                a = [v if v > 0.0 else 0.0 for v in z] if l < L - 1 else z
                seen.append(a)
            margin = 1.0 - yi * a[0]
            if margin > 0.0:
                data_loss += margin / m
                deltas.append([-yi / m])
                for l in range(L):
                    acts[l].append(seen[l])
        # backward, a layer at a time over those examples: ∂C/∂W[l] = Σ_x δ_x a_xᵀ as dot products over x
        gW: list[list[list[float]]] = [[] for _ in layers]
        gB: list[list[float]] = [[] for _ in layers]
        for l in range(L - 1, -1, -1):
            if not deltas:
                gW[l] = [[0.0] * len(w) for w in W[l]]
                gB[l] = [0.0] * len(B[l])
                continue
            by_neuron, by_input = list(zip(*deltas)), list(zip(*acts[l]))
            gW[l] = [[sum(map(mul, d, a)) for a in by_input] for d in by_neuron]
            gB[l] = [sum(d) for d in by_neuron]
            if l:
                columns = list(zip(*W[l]))  # W[l]ᵀ: δ of layer l − 1 is (W[l]ᵀ δ) masked where relu was inactive
                deltas = [
                    [sum(map(mul, c, d)) if a_k > 0.0 else 0.0 for c, a_k in zip(columns, a)]
                    for d, a in zip(deltas, acts[l])
                ]
        reg = 0.0
        for l in layers:
            Wl, Bl, gWl, gBl = W[l], B[l], gW[l], gB[l]
            for j, w in enumerate(Wl):
                reg += sum(map(mul, w, w)) + Bl[j] * Bl[j]
                Wl[j] = [v - lr * (g + two_alpha * v) for v, g in zip(w, gWl[j])]
            B[l] = [v - lr * (g + two_alpha * v) for v, g in zip(Bl, gBl)]
        return data_loss + ALPHA * reg

    return step


def naive_float_step(X: list[list[float]], y: list[int], seed: int = 1337) -> Callable[[], float]:
    """The same step written by hand with floats, plainly: forward, the max-margin loss, backprop, SGD."""
    rng = random.Random(seed)
    L = len(SIZES) - 1
    W = [[[rng.uniform(-1, 1) for _ in range(SIZES[l])] for _ in range(SIZES[l + 1])] for l in range(L)]
    B = [[0.0] * SIZES[l + 1] for l in range(L)]
    m = len(X)

    def step() -> float:
        gW = [[[0.0] * len(row) for row in Wl] for Wl in W]
        gB = [[0.0] * len(bl) for bl in B]
        data_loss = 0.0
        for xrow, yi in zip(X, y):
            acts, zs = [xrow], []
            for l in range(L):
                z = [sum(w * a for w, a in zip(W[l][j], acts[-1])) + B[l][j] for j in range(len(B[l]))]
                zs.append(z)
                acts.append([v if v > 0 else 0.0 for v in z] if l < L - 1 else z)
            margin = 1 - yi * acts[-1][0]
            if margin <= 0:
                continue
            data_loss += margin / m
            delta = [-yi / m]
            for l in range(L - 1, -1, -1):
                if l < L - 1:
                    delta = [d if zs[l][j] > 0 else 0.0 for j, d in enumerate(delta)]
                for j, d in enumerate(delta):
                    gB[l][j] += d
                    for k, a in enumerate(acts[l]):
                        gW[l][j][k] += d * a
                if l > 0:
                    delta = [sum(W[l][j][k] * d for j, d in enumerate(delta)) for k in range(len(acts[l]))]
        reg = 0.0
        for l in range(L):
            for j in range(len(W[l])):
                for k in range(len(W[l][j])):
                    reg += W[l][j][k] ** 2
                    gW[l][j][k] += 2 * ALPHA * W[l][j][k]
                reg += B[l][j] ** 2
                gB[l][j] += 2 * ALPHA * B[l][j]
        for l in range(L):
            for j in range(len(W[l])):
                for k in range(len(W[l][j])):
                    W[l][j][k] -= LEARNING_RATE * gW[l][j][k]
                B[l][j] -= LEARNING_RATE * gB[l][j]
        return data_loss + ALPHA * reg

    return step
