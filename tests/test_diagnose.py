"""diagnose() on networks broken on purpose: each pathology is reported, where it is, and nothing else."""

from __future__ import annotations

import math
import pathlib
import random

import pytest

from micrograd import MLP, Value
from micrograd.equations import backprop, sigma_prime
from micrograd.ops import ACTIVATIONS, OPS
from micrograd.training import diagnose as diagnose_module
from micrograd.training.data import make_moons
from micrograd.training.diagnose import diagnose


def data(m: int = 40, nin: int = 2, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(m)]
    return X, [1.0 if sum(x) > 0 else -1.0 for x in X]


def test_a_healthy_network_has_nothing_to_report():
    X, y = data()
    for activation in ACTIVATIONS:
        result = diagnose(MLP(2, [8, 8, 1], activation=activation, seed=2), X, y)
        assert list(result) == [], (activation, str(result))
        assert str(result).endswith("nothing found wrong")


def test_a_relu_born_dead_is_found():
    """Seed 1 draws a second layer with a neuron whose z is negative for every example: a real dead ReLU."""
    X, y = data()
    model = MLP(2, [8, 8, 1], seed=1)
    result = diagnose(model, X, y)
    assert result.kinds() == ["dead relu"] and result[0].where == ["a[2][1]"]
    z = [backprop(model, x, [t]).z[2][1] for x, t in zip(X, y)]  # the oracle's z, in plain floats
    assert max(z) <= 0.0 and result[0].numbers == {"max z of a[2][1]": max(z)}


def test_a_large_negative_bias_kills_a_relu_and_only_that_is_reported():
    X, y = data()
    model = MLP(2, [6, 1], seed=1)
    model.layers[0].neurons[4].b.data = -10.0  # z = w·x + b ≤ |w|·|x| − 10 < 0 for x in [-1, 1]²
    result = diagnose(model, X, y)
    assert result.kinds() == ["dead relu"]
    assert result[0].where == ["a[1][4]"]
    assert "z ≤ 0 on all 40 examples" in str(result[0]) and "Try:" in str(result[0])
    # the oracle: z of that neuron, in plain floats, is never positive; every other's is, somewhere
    for j, n in enumerate(model.layers[0].neurons):
        zs = [sum(w.data * xk for w, xk in zip(n.w, x)) + n.b.data for x in X]
        assert (max(zs) <= 0) == (j == 4)


def test_a_huge_weight_saturates_a_tanh_and_only_that_is_reported():
    X, y = data()
    model = MLP(2, [5, 1], activation="tanh", seed=2)
    model.layers[0].neurons[2].w[0].data = 200.0
    result = diagnose(model, X, y)
    assert result.kinds() == ["saturated"]
    assert result[0].where == ["a[1][2]"]
    # the oracle's σ': the share of examples where |σ'(z)| < 0.01, from the textbook derivative
    n = model.layers[0].neurons[2]
    share = sum(abs(sigma_prime(sum(w.data * xk for w, xk in zip(n.w, x)) + n.b.data, "tanh")) < 0.01 for x in X) / 40
    assert share > 0.5 and result[0].numbers == {"saturated share of a[1][2]": share}


def test_a_sigmoid_unit_saturates_too():
    X, y = data()
    model = MLP(2, [3, 1], activation="sigmoid", seed=3)
    model.layers[0].neurons[0].b.data = 30.0
    result = diagnose(model, X, y)
    assert result.kinds() == ["saturated"] and result[0].where == ["a[1][0]"]


def z_of(neuron, x: list[float]) -> float:
    """The neuron's z for input x, in plain floats."""
    return sum(w.data * xk for w, xk in zip(neuron.w, x)) + neuron.b.data


@pytest.mark.parametrize("activation", ["gelu", "softplus"])
def test_a_gelu_or_softplus_unit_far_below_zero_is_saturated_and_only_that_is_reported(activation):
    X, y = data()
    model = MLP(2, [3, 1], activation=activation, seed=3)
    model.layers[0].neurons[0].b.data = -30.0  # z ≈ −30 on every example: the flat left tail of σ
    result = diagnose(model, X, y)
    assert result.kinds() == ["saturated"] and result[0].where == ["a[1][0]"]
    assert f"these {activation} units sit on the flat part of σ" in str(result[0])
    # the oracle's σ', the textbook derivative: below 0.01 on every example
    n = model.layers[0].neurons[0]
    share = sum(abs(sigma_prime(z_of(n, x), activation)) < 0.01 for x in X) / len(X)
    assert share == 1.0 and result[0].numbers == {"saturated share of a[1][0]": 1.0}


def test_a_leaky_relu_far_below_zero_neither_dies_nor_saturates_where_a_relu_dies():
    X, y = data()
    leaky, relu = MLP(2, [3, 1], activation="leaky_relu", seed=3), MLP(2, [3, 1], activation="relu", seed=3)
    for model in (leaky, relu):
        model.layers[0].neurons[0].b.data = -30.0
    assert list(diagnose(leaky, X, y)) == []  # its slope there is 0.01: small, but it still learns
    n = leaky.layers[0].neurons[0]
    assert all(z_of(n, x) < 0 and sigma_prime(z_of(n, x), "leaky_relu") == 0.01 for x in X)
    result = diagnose(relu, X, y)
    assert result.kinds() == ["dead relu"] and result[0].where == ["a[1][0]"]
    assert str(result[0]).startswith("dead relu: a[1][0]. these relu units have z ≤ 0 on all 40 examples: their ")
    assert "output is always 0 and relu'(z) = 0" in str(result[0])


def slope(activation: str, z: float) -> float:
    """σ'(z) as the engine computes it: the grad that backward() leaves on z."""
    x = Value(z)
    getattr(x, OPS[activation].methods[0])().backward()
    return x.grad


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "linear"])  # linear: no op, σ' = 1
def test_each_activation_s_traits_agree_with_its_derivative_as_the_engine_computes_it(activation):
    """A new activation whose saturates or dead_below is wrong fails here, and diagnose() would misjudge it."""
    op = OPS[activation]
    edge = op.dead_below
    if edge is not None:  # σ' is exactly 0 at the edge and everywhere below it, and not just above it
        assert all(slope(activation, edge - d) == 0.0 for d in (0.0, 1e-9, 0.5, 1.0, 5.0, 30.0, 1e6))
        assert slope(activation, edge + 1e-6) != 0.0 and slope(activation, edge + 1.0) != 0.0
    else:  # no range where σ' is 0: it is not, anywhere on a grid over [−5, 5]
        assert all(slope(activation, k / 4) != 0.0 for k in range(-20, 21))
    # saturates: |σ'(z)| < 0.01 far out on a side where the unit is alive (below the edge it is dead instead)
    alive = [z for z in (-30.0, 30.0) if edge is None or z > edge]
    assert op.saturates == any(abs(slope(activation, z)) < diagnose_module.SATURATED for z in alive)


def test_all_equal_weights_are_a_symmetric_start_and_only_that_is_reported():
    X, y = data()
    model = MLP(2, [4, 1], activation="tanh", seed=4)
    for w in model.parameters():
        w.data = 0.5
    result = diagnose(model, X, y)
    assert result.kinds() == ["symmetric"]
    assert result[0].where == ["a[1][0]", "a[1][1]", "a[1][2]", "a[1][3]"]
    # and it is true: with the weights out of them equal too, their gradients are identical: they stay identical
    from micrograd.training.losses import quadratic_cost

    quadratic_cost([model(x) for x in X], y).backward()
    grads = {tuple(p.grad for p in n.parameters()) for n in model.layers[0].neurons}
    assert len(grads) == 1


def test_nan_and_infinite_parameters_are_named_and_only_that_is_reported():
    X, y = data()
    model = MLP(2, [3, 1], seed=5)
    model.layers[1].neurons[0].w[2].data = math.nan
    model.layers[0].neurons[1].b.data = math.inf
    result = diagnose(model, X, y)
    assert result.kinds() == ["not finite"]
    assert result[0].where == ["b[1][1] = inf", "w[2][0][2] = nan"]


def test_a_deep_sigmoid_network_has_a_vanishing_gradient_in_its_first_layers():
    X, y = data()
    model = MLP(2, [4] * 10 + [1], activation="sigmoid", seed=6)
    result = diagnose(model, X, y)
    assert result.kinds() == ["vanishing gradient"]
    assert result[0].where[0] == "layer 1"
    # the advice names the hidden layers' activation, which saturates (its trait), not a fixed list
    assert result[0].advice == "fewer layers, or relu (σ' = 1 where active) instead of sigmoid in the hidden layers"
    # the oracle: the norm of each layer's gradient from BP1–BP4, averaged over the batch
    from micrograd.equations import backprop_batch

    g = backprop_batch(model, X, y)
    norms = [
        math.sqrt(sum(v * v for row in g.dC_dw[l] for v in row) + sum(v * v for v in g.dC_db[l])) for l in range(1, 12)
    ]
    small = [f"layer {l + 1}" for l, n in enumerate(norms) if n < 1e-4 * max(norms)]
    assert result[0].where == small


def test_huge_weights_in_a_linear_network_make_an_exploding_gradient():
    X, y = data()
    model = MLP(2, [4, 4, 4, 1], activation="linear", seed=7)
    for p in model.parameters():
        p.data *= 30.0
    result = diagnose(model, X, y)
    assert result.kinds() == ["exploding gradient"]


def test_without_targets_the_gradient_checks_are_skipped_and_grads_are_left_alone():
    X, _ = data()
    model = MLP(2, [4] * 10 + [1], activation="sigmoid", seed=6)
    for p in model.parameters():
        p.grad = 3.0
    assert list(diagnose(model, X)) == []
    diagnose(model, X, [1.0] * len(X))
    assert all(p.grad == 3.0 for p in model.parameters())


def test_a_relu_network_trained_too_hard_reports_its_dead_units():
    X, y = make_moons(60, seed=1)
    model = MLP(2, [8, 1], seed=3)
    for n in model.layers[0].neurons[:3]:
        n.b.data = -5.0
    result = diagnose(model, X, y)
    assert result.kinds() == ["dead relu"] and result[0].where == ["a[1][0]", "a[1][1]", "a[1][2]"]
    assert (
        repr(result) == "Diagnosis(dead relu)"
        and repr(result[0]) == "Finding('dead relu', where=['a[1][0]', 'a[1][1]', 'a[1][2]'])"
    )
    assert "<b>dead relu</b>" in result._repr_html_()


def test_bad_arguments_say_what_is_wrong():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match="takes an MLP"):
        diagnose(lambda x: x, [[1, 2]])
    with pytest.raises(ValueError, match="X is empty"):
        diagnose(model, [])
    with pytest.raises(ValueError, match="2 inputs but 1 targets"):
        diagnose(model, [[1, 2], [3, 4]], [1])
    with pytest.raises(ValueError, match="a loss needs the targets"):
        diagnose(model, [[1, 2]], loss=lambda o, t: o[0])


def test_the_tour_states_the_thresholds_as_defined():
    tour = " ".join(
        (pathlib.Path(__file__).resolve().parents[1] / "docs" / "tour.md").read_text(encoding="utf-8").split()
    )
    m = diagnose_module
    assert m.MOST == 0.5 and f"saturated on most examples (|σ'(z)| < {m.SATURATED:g})" in tour
    assert m.VANISHING == 1e-4 and "(below 1e-4 of the largest layer's)" in tour
    assert f"explodes (above {m.EXPLODING:.0f} times their weights)" in tour


def test_a_saturated_sigmoid_output_is_advised_the_cross_entropy_cost_and_a_hidden_one_is_not():
    X, y = data()
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=3)
    model.layers[1].neurons[0].b.data = 30.0  # the output sits on σ's flat right tail on every example
    model.layers[0].neurons[0].b.data = 30.0  # and so does one hidden unit
    result = diagnose(model, X, y)
    advice = {w: f.advice for f in result if f.kind == "saturated" for w in f.where}
    assert set(advice) == {"a[1][0]", "a[2][0]"}
    # BP1: with C = -[y log a + (1-y) log(1-a)] and a = σ(z), δ = a − y: σ'(z) cancels; the quadratic cost keeps it
    assert "binary_cross_entropy" in advice["a[2][0]"] and "binary_cross_entropy" not in advice["a[1][0]"]
