"""A sweep of log-spaced points out to ±1e308: no unexpected exception, values and grads as PyTorch float64."""

from __future__ import annotations

import math

import pytest

from edge_cases import same
from micrograd import Value

# 201 exponents from -308 to 308, so points from 1e-308 to 1e308, and their negatives
MAGNITUDES = [10.0 ** (-308 + 616 * i / 200) for i in range(201)]
POINTS = sorted([*MAGNITUDES, *(-m for m in MAGNITUDES), 0.0])
EXP_LIMIT = math.log(1.7976931348623157e308)  # exp overflows past ≈ 709.78

SWEEPS = {
    "tanh": (lambda v: v.tanh(), lambda t, x: t.tanh(x), POINTS),
    "sigmoid": (lambda v: v.sigmoid(), lambda t, x: t.sigmoid(x), POINTS),
    "exp": (lambda v: v.exp(), lambda t, x: t.exp(x), [x for x in POINTS if x < EXP_LIMIT]),
    "log": (lambda v: v.log(), lambda t, x: t.log(x), [x for x in POINTS if x > 0]),
}


def test_the_sweep_has_at_least_200_points_per_op():
    assert all(len(points) >= 200 for _, _, points in SWEEPS.values())
    assert min(POINTS) == -1e308 and max(POINTS) == pytest.approx(1e308, rel=1e-12)


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_sweep_against_pytorch(torch, name):
    ours, theirs, points = SWEEPS[name]
    for x in points:
        v = Value(x)
        out = ours(v)  # no exception anywhere in the sweep
        out.backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        t_out = theirs(torch, t)
        t_out.backward()
        assert same(out.data, t_out.item()), f"{name}({x!r}) = {out.data!r}, PyTorch {t_out.item()!r}"
        assert same(v.grad, t.grad.item()), f"{name}'({x!r}) = {v.grad!r}, PyTorch {t.grad.item()!r}"
