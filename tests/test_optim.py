"""SGD and Adam against their update rules written out by hand, and against torch.optim in float64."""

from __future__ import annotations

import math
import random

import pytest

from helpers import assert_named_errors
from micrograd import MLP, Value
from micrograd.equations import backprop
from micrograd.training.losses import quadratic_cost
from micrograd.training.optim import SGD, Adam


def test_sgd_moves_each_parameter_against_its_gradient():
    w, b = Value(2.0), Value(-1.0)
    w.grad, b.grad = 0.5, -3.0
    SGD([w, b], lr=0.1).step()
    # w → w − η·∂C/∂w
    assert w.data == 2.0 - 0.1 * 0.5
    assert b.data == -1.0 - 0.1 * -3.0


def test_sgd_on_a_mini_batch_is_w_minus_eta_over_m_times_the_sum_of_the_examples_gradients():
    rng = random.Random(0)
    model = MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(5)]
    ys = [[rng.choice((0.0, 1.0)), rng.choice((0.0, 1.0))] for _ in range(5)]
    m, eta = len(xs), 0.5

    # the closed form: w − (η/m) Σ_x ∂C_x/∂w, each ∂C_x/∂w from BP1–BP4 for one example
    per_example = [backprop(model, x, y) for x, y in zip(xs, ys)]
    expected_w = [
        [
            [n.w[k].data - eta / m * sum(r.dC_dw[l][j][k] for r in per_example) for k in range(len(n.w))]
            for j, n in enumerate(layer.neurons)
        ]
        for l, layer in enumerate(model.layers, start=1)
    ]
    expected_b = [
        [n.b.data - eta / m * sum(r.dC_db[l][j] for r in per_example) for j, n in enumerate(layer.neurons)]
        for l, layer in enumerate(model.layers, start=1)
    ]

    # the engine: the batch-mean loss, backward, one step
    optimizer = SGD(model, lr=eta)
    optimizer.zero_grad()
    quadratic_cost([model(x) for x in xs], ys).backward()
    optimizer.step()

    for layer, w_l, b_l in zip(model.layers, expected_w, expected_b):
        for n, w_j, b_j in zip(layer.neurons, w_l, b_l):
            assert [w.data for w in n.w] == pytest.approx(w_j, rel=1e-14, abs=1e-15)
            assert n.b.data == pytest.approx(b_j, rel=1e-14, abs=1e-15)


def test_sgd_momentum_by_hand():
    # v₁ = g₁, w₁ = w₀ − η·v₁; v₂ = μ·v₁ + g₂, w₂ = w₁ − η·v₂
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    w.grad = 2.0
    opt.step()
    assert w.data == 1.0 - 0.1 * 2.0
    w.grad = -1.0
    opt.step()
    assert w.data == pytest.approx(0.8 - 0.1 * (0.9 * 2.0 - 1.0), rel=1e-15)


def test_adam_first_step_moves_each_parameter_by_about_lr():
    # after one step m̂ = g and v̂ = g², so w → w − η·g/(|g| + ε)
    w = [Value(1.0), Value(-2.0), Value(0.5)]
    for w_k, g in zip(w, [3.0, -1e-3, 0.0]):
        w_k.grad = g
    Adam(w, lr=0.01).step()
    assert w[0].data == pytest.approx(1.0 - 0.01 * 3.0 / (3.0 + 1e-8), rel=1e-15)
    assert w[1].data == pytest.approx(-2.0 + 0.01 * 1e-3 / (1e-3 + 1e-8), rel=1e-15)
    assert w[2].data == 0.5  # no gradient, no step


def test_zero_grad_and_a_changed_learning_rate():
    w = Value(1.0)
    opt = SGD([w], lr=0.1)
    w.grad = 5.0
    opt.zero_grad()
    assert w.grad == 0.0
    opt.lr = 0.5
    w.grad = 1.0
    opt.step()
    assert w.data == 0.5
    with pytest.raises(ValueError, match="lr must be > 0"):
        opt.lr = 0.0


# -- against torch.optim, on the same function and the same starting point -------------------

START = [0.7, -1.3, 2.1, 0.05]
C = [1.5, -0.5, 0.25, 2.0]
T = [0.3, 0.8, -1.0, 0.1]


def f(w: list) -> Value:
    """Σ_i (c_i·w_i − t_i)² + tanh(w_0·w_1): written once, evaluated by micrograd and by PyTorch."""
    return sum((c * w_i - t) ** 2 for c, w_i, t in zip(C, w, T)) + (w[0] * w[1]).tanh()


def run_micrograd(make, steps: int) -> list[list[float]]:
    w = [Value(x) for x in START]
    opt = make(w)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        f(w).backward()
        opt.step()
        path.append([w_i.data for w_i in w])
    return path


def run_torch(torch, make, steps: int) -> list[list[float]]:
    w = [torch.tensor(x, requires_grad=True) for x in START]
    opt = make(w)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        f(w).backward()
        opt.step()
        path.append([w_i.item() for w_i in w])
    return path


def assert_same_path(ours: list[list[float]], theirs: list[list[float]]) -> None:
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for a_i, b_i in zip(a, b):
            assert abs(a_i - b_i) <= 1e-12 * max(abs(b_i), 1.0), f"step {step}: {a} vs PyTorch {b}"


@pytest.mark.parametrize(("lr", "momentum"), [(0.05, 0.0), (0.02, 0.9), (0.1, 0.5)])
def test_sgd_follows_torch_optim_sgd(torch, lr, momentum):
    ours = run_micrograd(lambda w: SGD(w, lr=lr, momentum=momentum), 30)
    theirs = run_torch(torch, lambda w: torch.optim.SGD(w, lr=lr, momentum=momentum), 30)
    assert_same_path(ours, theirs)
    assert ours[-1] != START


@pytest.mark.parametrize(("lr", "betas", "eps"), [(0.01, (0.9, 0.999), 1e-8), (0.1, (0.8, 0.99), 1e-6)])
def test_adam_follows_torch_optim_adam(torch, lr, betas, eps):
    ours = run_micrograd(lambda w: Adam(w, lr=lr, betas=betas, eps=eps), 30)
    theirs = run_torch(torch, lambda w: torch.optim.Adam(w, lr=lr, betas=betas, eps=eps), 30)
    assert_same_path(ours, theirs)


def test_both_optimizers_minimise_the_function():
    start = f([Value(x) for x in START]).data
    for make in (lambda w: SGD(w, lr=0.02, momentum=0.9), lambda w: Adam(w, lr=0.05)):
        end = f([Value(x) for x in run_micrograd(make, 200)[-1]]).data
        assert end < 0.1 * start and math.isfinite(end)


# -- bad input ---------------------------------------------------------------------------------

MALFORMED = {
    "zero lr": ("SGD([Value(1)], lr=0)", "ValueError", "lr must be > 0"),
    "negative lr": ("SGD([Value(1)], lr=-0.1)", "ValueError", "lr must be > 0"),
    "nan lr": ("SGD([Value(1)], lr=float('nan'))", "ValueError", "finite"),
    "str lr": ("SGD([Value(1)], lr='0.1')", "TypeError", "lr must be a real number"),
    "momentum 1": ("SGD([Value(1)], lr=0.1, momentum=1.0)", "ValueError", "momentum must be in [0, 1)"),
    "no parameters": ("SGD([], lr=0.1)", "ValueError", "no parameters"),
    "one Value": ("SGD(Value(1), lr=0.1)", "TypeError", "model.parameters()"),
    "floats": ("SGD([1.0, 2.0], lr=0.1)", "TypeError", "parameters must be Values, got float"),
    "twice": ("v = Value(1); SGD([v, v], lr=0.1)", "ValueError", "listed twice"),
    "beta 1": ("Adam([Value(1)], betas=(1.0, 0.9))", "ValueError", "betas[0] must be in [0, 1)"),
    "betas shape": ("Adam([Value(1)], betas=0.9)", "TypeError", "pair"),
    "eps 0": ("Adam([Value(1)], eps=0)", "ValueError", "eps must be > 0"),
}


def test_malformed_optimizers_raise_named_errors_also_under_python_O():
    assert_named_errors(MALFORMED, "from micrograd import Value\nfrom micrograd.training.optim import SGD, Adam")
