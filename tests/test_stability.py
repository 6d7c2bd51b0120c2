"""A sweep of log-spaced points out to ±1e308: no unexpected exception, values and grads as PyTorch float64."""

from __future__ import annotations

import math

import pytest

from edge_cases import same
from micrograd import Value
from micrograd.losses import softmax_cross_entropy

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


def test_softmax_cross_entropy_sweep_against_pytorch(torch):
    import torch.nn.functional as F

    for x in POINTS:
        logits = [Value(x), Value(0.5 * x), Value(-x)]
        loss = softmax_cross_entropy([logits], [1])
        loss.backward()
        t = torch.tensor([[x, 0.5 * x, -x]], dtype=torch.float64, requires_grad=True)
        t_loss = F.cross_entropy(t, torch.tensor([1]))
        t_loss.backward()
        assert same(loss.data, t_loss.item()), f"CE at {x!r}: {loss.data!r}, PyTorch {t_loss.item()!r}"
        for z, g in zip(logits, t.grad[0].tolist()):
            assert same(z.grad, g), f"CE at {x!r}: grad {z.grad!r}, PyTorch {g!r}"


@pytest.mark.parametrize("label", [0, 1, 2])
def test_softmax_cross_entropy_at_logits_of_a_thousand(label):
    logits = [Value(1000.0), Value(-1000.0), Value(999.0)]
    loss = softmax_cross_entropy([logits], [label])
    loss.backward()
    assert math.isfinite(loss.data)
    # by hand: log(e^0 + e^-2000 + e^-1) - (z_label - 1000)
    expected = math.log(1 + math.exp(-2000) + math.exp(-1)) - (logits[label].data - 1000.0)
    assert loss.data == pytest.approx(expected, rel=1e-15)
    assert all(math.isfinite(z.grad) for z in logits)
    assert abs(sum(z.grad for z in logits)) <= 1e-12
