"""The datasets: clean points on their curves, noise of the requested scale, balanced labels, same seed same points."""

from __future__ import annotations

import itertools
import json
import math
import os
import statistics
import subprocess
import sys
from collections import Counter

import pytest

from helpers import assert_named_errors
from micrograd.training.data import DATASETS, make_circles, make_moons, make_spiral, make_xor


def by_label(X, y):
    groups = {}
    for p, t in zip(X, y):
        groups.setdefault(t, []).append(p)
    return groups


def evenly_spaced(angles: list[float], step: float) -> bool:
    angles = sorted(angles)
    return all(abs((b - a) - step) < 1e-9 for a, b in itertools.pairwise(angles))


def test_clean_moons_lie_on_two_half_circles():
    X, y = make_moons(101, noise=0.0, seed=1)
    groups = by_label(X, y)
    # class 0: the upper half of the unit circle; class 1: the lower half of the circle of radius 1 around (1, ½)
    for x1, x2 in groups[0]:
        assert math.hypot(x1, x2) == pytest.approx(1.0, abs=1e-12) and x2 >= -1e-12
    for x1, x2 in groups[1]:
        assert math.hypot(x1 - 1, x2 - 0.5) == pytest.approx(1.0, abs=1e-12) and x2 <= 0.5 + 1e-12
    # the angles run evenly from 0 to π, both ends included
    assert evenly_spaced([math.atan2(x2, x1) for x1, x2 in groups[0]], math.pi / 49)
    assert evenly_spaced([math.atan2(0.5 - x2, 1 - x1) for x1, x2 in groups[1]], math.pi / 50)


def test_clean_circles_have_radius_1_and_factor():
    X, y = make_circles(80, noise=0.0, factor=0.3, seed=2)
    groups = by_label(X, y)
    assert all(math.hypot(*p) == pytest.approx(1.0, abs=1e-12) for p in groups[0])
    assert all(math.hypot(*p) == pytest.approx(0.3, abs=1e-12) for p in groups[1])
    assert evenly_spaced([math.atan2(p[1], p[0]) for p in groups[0]], 2 * math.pi / 40)


def test_clean_xor_points_are_labelled_by_their_quadrant():
    X, y = make_xor(400, noise=0.0, seed=3)
    for (x1, x2), label in zip(X, y):
        assert -1 <= x1 <= 1 and -1 <= x2 <= 1
        assert label == (0 if x1 * x2 > 0 else 1)
    quadrants = Counter((x1 > 0, x2 > 0) for x1, x2 in X)
    assert len(quadrants) == 4 and min(quadrants.values()) > 60  # all four quadrants are used


def test_clean_spiral_arms_turn_4_radians_per_unit_of_radius():
    X, y = make_spiral(90, n_classes=3, noise=0.0, seed=4)
    for (x1, x2), k in zip(X, y):
        r = math.hypot(x1, x2)
        assert 0 < r <= 1 + 1e-12
        expected = 2 * math.pi * k / 3 + 4 * r
        difference = (math.atan2(x2, x1) - expected) % (2 * math.pi)
        assert min(difference, 2 * math.pi - difference) < 1e-9
        assert round(r * 30, 9) == round(r * 30)  # radii (i + 1)/30 for the 30 points of an arm


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_noise_is_gaussian_with_the_requested_standard_deviation(name):
    make = DATASETS[name]
    clean, y_clean = make(4000, noise=0.0, seed=5)
    noisy, y_noisy = make(4000, noise=0.2, seed=5)
    assert y_clean == y_noisy  # the same seed gives the same points, only moved by the noise
    residuals = [n_k - c_k for n, c in zip(noisy, clean) for n_k, c_k in zip(n, c)]
    # 8000 draws: the sample mean is within 4 standard errors of 0, the sample deviation within 5% of 0.2
    assert abs(statistics.fmean(residuals)) < 4 * 0.2 / math.sqrt(8000)
    assert statistics.pstdev(residuals) == pytest.approx(0.2, rel=0.05)
    # Gaussian: about 68.3% of the draws within one standard deviation, 95.4% within two
    within = [sum(abs(r) < s * 0.2 for r in residuals) / len(residuals) for s in (1, 2)]
    assert within[0] == pytest.approx(0.683, abs=0.02) and within[1] == pytest.approx(0.954, abs=0.01)


def test_the_noise_is_the_same_draws_scaled():
    clean, _ = make_moons(50, noise=0.0, seed=6)
    a, _ = make_moons(50, noise=0.1, seed=6)
    b, _ = make_moons(50, noise=0.3, seed=6)
    for c, p, q in zip(clean, a, b):
        for c_k, p_k, q_k in zip(c, p, q):
            assert (q_k - c_k) == pytest.approx(3 * (p_k - c_k), rel=1e-9, abs=1e-15)


SIZES = [(name, n) for name in sorted(DATASETS) for n in (2, 3, 7, 100, 101) if n >= (3 if name == "spiral" else 2)]


@pytest.mark.parametrize(("name", "n"), SIZES)
def test_labels_are_balanced_and_points_shuffled(name, n):
    X, y = DATASETS[name](n, seed=7)
    counts = Counter(y)
    assert len(X) == len(y) == n
    assert sorted(counts) == list(range(len(counts))) and max(counts.values()) - min(counts.values()) <= 1
    if n >= 100:
        assert y != sorted(y)  # shuffled, not class after class
    assert all(isinstance(t, int) for t in y)
    assert all(len(p) == 2 and all(type(v) is float for v in p) for p in X)


def test_different_seeds_give_different_points():
    for make in DATASETS.values():
        assert make(20, seed=1)[0] != make(20, seed=2)[0]


FINGERPRINT = """
import json
from micrograd.training.data import DATASETS
print(json.dumps({name: make(60, seed=11) for name, make in sorted(DATASETS.items())}))
"""


def test_the_same_seed_gives_identical_points_in_fresh_processes_with_different_hash_seeds():
    outputs = []
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", FINGERPRINT], env=env, capture_output=True, text=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    # and the same as in this process, to the last bit (JSON keeps a float's repr)
    here = json.loads(json.dumps({name: make(60, seed=11) for name, make in sorted(DATASETS.items())}))
    assert json.loads(outputs[0]) == here


MALFORMED = {
    "one point": ("make_moons(1)", "ValueError", "at least 2"),
    "float n": ("make_moons(10.0)", "TypeError", "n_samples must be an int"),
    "negative noise": ("make_circles(10, noise=-0.1)", "ValueError", "≥ 0"),
    "nan noise": ("make_xor(10, noise=float('nan'))", "ValueError", "finite"),
    "str noise": ("make_moons(10, noise='0.1')", "TypeError", "noise must be a real number"),
    "seed str": ("make_moons(10, seed='0')", "TypeError", "seed must be an int"),
    "seed None": ("make_spiral(10, seed=None)", "TypeError", "seed must be an int"),
    "factor 1": ("make_circles(10, factor=1.0)", "ValueError", "between 0 and 1"),
    "one class": ("make_spiral(10, n_classes=1)", "ValueError", "n_classes must be between 2"),
    "more classes than points": ("make_spiral(3, n_classes=4)", "ValueError", "n_classes must be between 2"),
}


def test_malformed_arguments_raise_named_errors_also_under_python_O():
    assert_named_errors(
        MALFORMED, "from micrograd.training.data import make_moons, make_circles, make_xor, make_spiral"
    )


def test_numpy_integers_are_sample_counts_and_seeds(np):
    from micrograd.training.data import DATASETS

    for make in DATASETS.values():
        assert make(np.int64(10), seed=np.int32(4)) == make(10, seed=4)
