"""The W3 workload: one training step of MLP(2, [16, 16, 1]) on 100 two-moons points.

Max-margin loss + 1e-4·L2, zero grads, backward, SGD: the workload of micrograd's demo notebook.
This module imports no micrograd, so the same code runs against any engine with micrograd's API
(this package, an earlier revision of it, or micrograd 0.1.0 from PyPI) in a process of its own.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

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
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return total.data

    return step


def plain_float_step(X: list[list[float]], y: list[int], seed: int = 1337) -> Callable[[], float]:
    """The same step written by hand with floats: forward, the max-margin loss, backprop, SGD."""
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
