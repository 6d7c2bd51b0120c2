"""A sweep of log-spaced points out to ±1e308: no unexpected exception, values and grads as PyTorch float64."""

from __future__ import annotations

import math

import pytest

import micrograd.ops
from edge_cases import OPS, same
from micrograd import Value
from micrograd.training.losses import softmax_cross_entropy

# 201 exponents from -308 to 308, so points from 1e-308 to 1e308, and their negatives
MAGNITUDES = [10.0 ** (-308 + 616 * i / 200) for i in range(201)]
POINTS = sorted([*MAGNITUDES, *(-m for m in MAGNITUDES), 0.0])

# Every op of one operand in the table of ops, at the points where Python's float arithmetic does not raise.
SWEEPS = {name: [x for x in POINTS if op.sweep(x)] for name, op in OPS.items() if op.sweep is not None}


def test_every_op_of_one_operand_is_swept():
    one_operand = {name for name, op in micrograd.ops.OPS.items() if op.arity == 1}
    assert one_operand <= {OPS[name].op for name in SWEEPS}
    assert all(len(points) >= 200 for points in SWEEPS.values())
    assert min(POINTS) == -1e308 and max(POINTS) == pytest.approx(1e308, rel=1e-12)


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_sweep_against_pytorch(torch, name):
    op = OPS[name]
    for x in SWEEPS[name]:
        v = Value(x)
        out = op.value(v)  # no exception anywhere in the sweep
        out.backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        t_out = op.torch(torch, t)
        t_out.backward()
        assert same(out.data, t_out.item()), f"{name} at {x!r} = {out.data!r}, PyTorch {t_out.item()!r}"
        assert same(v.grad, t.grad.item()), f"{name}' at {x!r} = {v.grad!r}, PyTorch {t.grad.item()!r}"


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
