"""Small 2-D classification datasets (two moons, two circles, xor and spirals, in pure Python), and real digits.

Each function returns ``(X, y)``: X a list of points [x1, x2], y a list of int class labels
(0 and 1, or 0..K−1 for the spirals), with the classes as balanced as the number of points allows
and the points shuffled. Everything random comes from ``random.Random(seed)``, whose generator
Python specifies, so a seed gives the same points on every machine and in every process.

The noise is Gaussian, with standard deviation ``noise``, added to each coordinate of a clean
point on the dataset's curves. The same seed draws the same clean points, the same noise (only
scaled) and the same shuffle whatever the noise, so ``noise=0`` shows the curves the points lie on.

``load_digits`` reads the 1,797 handwritten digits of 8×8 pixels shipped with micrograd (datasets/digits.csv.gz,
the test set of UCI's "Optical Recognition of Handwritten Digits" by E. Alpaydin and C. Kaynak, CC BY 4.0, the
copy scikit-learn ships: see datasets/DIGITS-NOTICE.md), with the standard library only, and splits them into a
training and a test set, stratified and seeded.
"""

from __future__ import annotations

import csv
import gzip
import math
import random
from collections.abc import Callable
from importlib import resources

from micrograd.checks import is_int, is_number

__all__ = ["DATASETS", "Dataset", "Digits", "load_digits", "make_circles", "make_moons", "make_spiral", "make_xor"]

Dataset = tuple[list[list[float]], list[int]]
Digits = tuple[list[list[float]], list[int], list[list[float]], list[int]]  # X_train, y_train, X_test, y_test
DIGIT_SIDE = 8  # each image is 8×8 pixels, read row by row into 64 inputs


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


def load_digits(test_fraction: float = 0.2, *, seed: int = 0) -> Digits:
    """The 1,797 handwritten digits: (X_train, y_train, X_test, y_test), pixels in [0, 1], labels 0–9.

    Each image is 8×8 pixels read row by row into a list of 64 floats (the data's 0..16 divided
    by 16). The split is stratified: ``test_fraction`` of each digit's images, rounded, go to the test
    set, chosen with ``random.Random(seed)``; both sets come shuffled. The data ships with micrograd:
    nothing is downloaded and nothing else is needed (the browser lab included).
    """
    if not is_number(test_fraction):
        raise TypeError(f"load_digits: test_fraction must be a number, got {type(test_fraction).__name__}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"load_digits: test_fraction must be between 0 and 1 (both excluded), got {test_fraction!r}")
    if not is_int(seed):
        raise TypeError(f"load_digits: seed must be an int, got {type(seed).__name__}")
    images, labels = _digits()
    rng = random.Random(int(seed))
    train: list[int] = []
    test: list[int] = []
    for digit in sorted(set(labels)):
        indices = [i for i, t in enumerate(labels) if t == digit]
        rng.shuffle(indices)
        n_test = round(len(indices) * test_fraction)
        if not 0 < n_test < len(indices):
            raise ValueError(
                f"load_digits: test_fraction {test_fraction!r} leaves no image of the digit {digit} in one of the sets"
            )
        test += indices[:n_test]
        train += indices[n_test:]
    rng.shuffle(train)
    rng.shuffle(test)
    return [images[i] for i in train], [labels[i] for i in train], [images[i] for i in test], [labels[i] for i in test]


def _digits() -> tuple[list[list[float]], list[int]]:
    """The images (64 floats in [0, 1] each) and labels of the digits, in the order of the data file.

    Each line of the file is one image: its 64 pixels (0..16) row by row, then its label.
    """
    packed = (resources.files("micrograd.training") / "datasets" / "digits.csv.gz").read_bytes()
    rows = [[int(v) for v in row] for row in csv.reader(gzip.decompress(packed).decode("ascii").splitlines())]
    return [[v / 16.0 for v in row[:-1]] for row in rows], [row[-1] for row in rows]


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
