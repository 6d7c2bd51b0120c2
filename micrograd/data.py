"""Small 2-D classification datasets: two moons, two circles, xor and spirals, in pure Python.

Each function returns ``(X, y)``: X a list of points [x1, x2], y a list of int class labels
(0 and 1, or 0..K−1 for the spirals), with the classes as balanced as the number of points allows
and the points shuffled. Everything random comes from ``random.Random(seed)``, whose generator
Python specifies, so a seed gives the same points on every machine and in every process.

The noise is Gaussian, with standard deviation ``noise``, added to each coordinate of a clean
point on the dataset's curves. The same seed draws the same clean points, the same noise (only
scaled) and the same shuffle whatever the noise, so ``noise=0`` shows the curves the points lie on.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from micrograd.checks import is_int, is_number

__all__ = ["DATASETS", "Dataset", "make_circles", "make_moons", "make_spiral", "make_xor"]

Dataset = tuple[list[list[float]], list[int]]


def make_moons(n_samples: int = 100, *, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles: (cos t, sin t) for class 0, (1 − cos t, ½ − sin t) for class 1, t in [0, π]."""
    n_samples, seed = _check(n_samples, noise, seed, "make_moons")
    n_out = n_samples // 2
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    inner = [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_samples - n_out)]
    return _finish(outer + inner, [0] * n_out + [1] * (n_samples - n_out), noise, random.Random(seed))


def make_circles(n_samples: int = 100, *, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """Two concentric circles: radius 1 for class 0, radius ``factor`` (between 0 and 1) for class 1."""
    n_samples, seed = _check(n_samples, noise, seed, "make_circles")
    if not is_number(factor) or not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor (the inner radius) must be between 0 and 1, got {factor!r}")
    n_out = n_samples // 2
    step_out, step_in = 2 * math.pi / n_out, 2 * math.pi / (n_samples - n_out)
    outer = [[math.cos(i * step_out), math.sin(i * step_out)] for i in range(n_out)]
    inner = [[factor * math.cos(i * step_in), factor * math.sin(i * step_in)] for i in range(n_samples - n_out)]
    return _finish(outer + inner, [0] * n_out + [1] * (n_samples - n_out), noise, random.Random(seed))


def make_xor(n_samples: int = 100, *, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Points spread uniformly over the square [−1, 1]²: class 0 where x1 and x2 have the same sign, 1 elsewhere."""
    n_samples, seed = _check(n_samples, noise, seed, "make_xor")
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n_samples):
        label = i % 2
        sign = rng.choice((-1.0, 1.0))
        x1, x2 = sign * rng.random(), sign * rng.random()  # the same sign: quadrant I or III
        points.append([x1, -x2 if label else x2])
        labels.append(label)
    return _finish(points, labels, noise, rng)


def make_spiral(n_samples: int = 150, *, n_classes: int = 3, noise: float = 0.05, seed: int = 0) -> Dataset:
    """``n_classes`` spiral arms: arm k holds the points at radius r in (0, 1] and angle 2πk/K + 4r (radians)."""
    n_samples, seed = _check(n_samples, noise, seed, "make_spiral")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int):
        raise TypeError(f"make_spiral: n_classes must be an int, got {type(n_classes).__name__}")
    if not 2 <= n_classes <= n_samples:
        raise ValueError(f"make_spiral: n_classes must be between 2 and n_samples ({n_samples}), got {n_classes}")
    points, labels = [], []
    for k in range(n_classes):
        n_k = n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        for i in range(n_k):
            r = (i + 1) / n_k
            angle = 2 * math.pi * k / n_classes + 4.0 * r
            points.append([r * math.cos(angle), r * math.sin(angle)])
            labels.append(k)
    return _finish(points, labels, noise, random.Random(seed))


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
}


def _linspace(start: float, stop: float, n: int) -> list[float]:
    """n evenly spaced numbers from start to stop, both included (just start when n = 1)."""
    if n == 1:
        return [start]
    return [start + (stop - start) * i / (n - 1) for i in range(n)]


def _finish(points: list[list[float]], labels: list[int], noise: float, rng: random.Random) -> Dataset:
    """Add noise·N(0, 1) to every coordinate, then shuffle points and labels together."""
    noisy = [[x1 + noise * rng.gauss(0.0, 1.0), x2 + noise * rng.gauss(0.0, 1.0)] for x1, x2 in points]
    order = list(range(len(points)))
    rng.shuffle(order)
    return [noisy[i] for i in order], [labels[i] for i in order]


def _check(n_samples: object, noise: object, seed: object, who: str) -> tuple[int, int]:
    """(n_samples, seed) as ints, numpy integers included; a TypeError or ValueError for anything else."""
    if not is_int(n_samples):
        raise TypeError(f"{who}: n_samples must be an int, got {type(n_samples).__name__}")
    if n_samples < 2:
        raise ValueError(f"{who}: n_samples must be at least 2 (one point per class), got {n_samples}")
    if not is_number(noise):
        raise TypeError(f"{who}: noise must be a real number, got {type(noise).__name__}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"{who}: noise (a standard deviation) must be finite and ≥ 0, got {noise!r}")
    if not is_int(seed):
        raise TypeError(f"{who}: seed must be an int, got {type(seed).__name__}")
    return int(n_samples), int(seed)
