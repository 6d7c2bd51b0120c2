"""The mini-batch ledger against one real SGD step (bit for bit) and against BP1–BP4 for each example."""

from __future__ import annotations

import random

import pytest

from micrograd import MLP
from micrograd.equations import backprop
from micrograd.lab.ledger import explain_update
from micrograd.training.losses import hinge_loss, quadratic_cost
from micrograd.training.optim import SGD


def batch(m: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(m)], [rng.choice([-1.0, 1.0]) for _ in range(m)]


def copy(model: MLP) -> MLP:
    return MLP.from_state_dict(model.state_dict())


@pytest.mark.parametrize("m", [1, 3, 4, 7])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_the_new_weights_are_one_sgd_step_on_the_mean_loss_bit_for_bit(m, activation):
    model = MLP(2, [4, 1], activation=activation, seed=m)
    X, y = batch(m, seed=m)
    twin = copy(model)
    ledger = explain_update(model, X, y, 0.1)
    cost = quadratic_cost([twin(x) for x in X], y)  # what one training step does, independently
    twin.zero_grad()
    cost.backward()
    SGD(twin, lr=0.1).step()
    assert [row.new for row in ledger.rows] == [p.data for p in twin.parameters()]
    assert [row.w for row in ledger.rows] == [p.data for p in model.parameters()]  # the model is not changed
    assert ledger.cost == cost.data and ledger.factor == 0.1 / m


@pytest.mark.parametrize("m", [2, 5])
def test_each_example_s_gradient_is_BP4_and_the_step_is_eta_over_m_times_their_sum(m):
    model = MLP(2, [3, 1], activation="tanh", seed=7)
    X, y = batch(m, seed=11)
    ledger = explain_update(model, X, y, 0.5)
    oracles = [backprop(model, x, [t]) for x, t in zip(X, y)]
    flat = [
        [g for l in range(1, 3) for j in range(len(r.dC_db[l])) for g in [*r.dC_dw[l][j], r.dC_db[l][j]]]
        for r in oracles
    ]  # in the order of model.parameters(): each neuron's w, then its b
    for i, row in enumerate(ledger.rows):
        for x_index, g in enumerate(row.per_example):
            assert abs(g - flat[x_index][i]) <= 1e-12 * max(1.0, abs(g))
        assert row.total == sum(row.per_example)
        # the engine's step, η·w.grad, is (η/m)·Σ_x ∂C_x/∂w up to the rounding of a few operations
        assert abs(row.step - 0.5 / m * row.total) <= 1e-14 * max(abs(row.step), 1e-300) + 1e-300
        assert row.new == row.w - row.step


def test_a_summed_loss_steps_with_eta_m_times_further():
    model = MLP(2, [3, 1], activation="tanh", seed=5)
    X, y = batch(4, seed=2)
    twin = copy(model)
    summed = explain_update(model, X, y, 0.1, reduction="sum")
    mean = explain_update(model, X, y, 0.1)
    cost = sum(quadratic_cost([twin(x)], [t]) for x, t in zip(X, y))
    twin.zero_grad()
    cost.backward()
    SGD(twin, lr=0.1).step()
    assert [row.new for row in summed.rows] == [p.data for p in twin.parameters()]
    assert summed.factor == 0.1 and mean.factor == 0.1 / 4
    for s, mu in zip(summed.rows, mean.rows):
        assert s.per_example == mu.per_example and s.total == mu.total
        assert abs(s.step - 4 * mu.step) <= 1e-14 * abs(s.step) + 1e-300
    assert "η Σ_x ∂C_x/∂w" in str(summed) and "effective learning rate of 0.4" in str(summed)
    assert "η/m = 0.025" in str(mean)


def test_chosen_parameters_by_label_or_value_and_the_table_shows_the_engine_s_numbers():
    model = MLP(2, [2, 1], activation="tanh", seed=3)
    X, y = batch(3)
    w = model.layers[1].neurons[0].w[1]
    ledger = explain_update(model, X, y, 0.2, params=["w[1][0][1]", w], digits=6)
    assert [row.name for row in ledger.rows] == ["w[1][0][1]", "w[2][0][1]"]
    lines = str(ledger).splitlines()
    assert lines[2].split() == ["parameter", "w", "∂C_1/∂w", "∂C_2/∂w", "∂C_3/∂w", "Σ_x", "η/m", "η/m·Σ_x", "new", "w"]
    row = ledger.rows[1]
    shown = lines[4].split()
    assert shown[0] == "w[2][0][1]" and float(shown[1]) == float(f"{w.data:.6g}")
    assert [float(s) for s in shown[2:5]] == [float(f"{g:.6g}") for g in row.per_example]
    assert float(shown[-1]) == float(f"{row.new:.6g}")
    html = ledger._repr_html_()
    assert html.count("<tr>") == 1 + 2 and "w[2][0][1]" in html


def test_a_batch_larger_than_the_table_shows_its_first_examples_then_an_ellipsis():
    model = MLP(2, [2, 1], seed=3)
    X, y = batch(9)
    ledger = explain_update(model, X, y, 0.1, loss=hinge_loss)
    assert len(ledger.rows[0].per_example) == 9
    header = str(ledger).splitlines()[2]
    assert "∂C_6/∂w" in header and "∂C_7/∂w" not in header and "…" in header


def test_bad_arguments_say_what_is_wrong():
    model = MLP(2, [2, 1], seed=3)
    X, y = batch(3)
    with pytest.raises(ValueError, match="3 inputs but 2 targets"):
        explain_update(model, X, y[:2], 0.1)
    with pytest.raises(ValueError, match="lr must be a number > 0"):
        explain_update(model, X, y, 0)
    with pytest.raises(ValueError, match="reduction must be one of mean, sum"):
        explain_update(model, X, y, 0.1, reduction="max")
    with pytest.raises(ValueError, match="no parameter labelled 'w\\[9\\]'"):
        explain_update(model, X, y, 0.1, params=["w[9]"])
    with pytest.raises(ValueError, match="batch is empty"):
        explain_update(model, [], [], 0.1)
    with pytest.raises(TypeError, match="parameters\\(\\)"):
        explain_update(lambda x: x, X, y, 0.1)
