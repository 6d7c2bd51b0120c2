"""The graph's gradients against the four equations of backpropagation (BP1–BP4), in plain floats."""

from __future__ import annotations

import random

import pytest

from micrograd import MLP, Value
from micrograd.equations import backprop, backprop_batch, sigma, sigma_prime
from micrograd.ops import ACTIVATIONS

SHAPES = [(1, [1]), (2, [3, 1]), (3, [4, 4, 2]), (4, [16, 16, 3]), (2, [16, 1, 1])]
SEEDS = [0, 1, 2]


def quadratic_cost(out: Value | list[Value], y: list[float]) -> Value:
    """C = ½‖a^L − y‖², built from Values."""
    a = out if isinstance(out, list) else [out]
    return 0.5 * sum((a_j - y_j) ** 2 for a_j, y_j in zip(a, y))


def close(g: float, expected: float, scale: float = 0.0) -> bool:
    """Agreement to relative 1e-12 of the larger of |expected| and the scale of the terms summed to get it.

    A sum whose terms cancel is only known to about 1e-16 of its terms' size, whatever order adds them,
    so that is the scale relative errors are measured against.
    """
    return abs(g - expected) <= 1e-12 * max(abs(expected), scale)


def term_scales(mlp: MLP, x: list[float], y: list[float]) -> tuple[list[list[float]], list[list[list[float]]]]:
    """BP1–BP4 with every term replaced by its absolute value: the size of the sums behind δ and ∂C/∂w."""
    r = backprop(mlp, x, y)
    L = len(mlp.layers)
    act = [""] + [layer.activation for layer in mlp.layers]
    d = [[] for _ in range(L + 1)]
    d[L] = [abs(r.a[L][j] - y[j]) * abs(sigma_prime(r.z[L][j], act[L])) for j in range(len(y))]
    for l in range(L - 1, 0, -1):
        d[l] = [
            sum(abs(r.w[l + 1][j][k]) * d[l + 1][j] for j in range(len(d[l + 1]))) * abs(sigma_prime(r.z[l][k], act[l]))
            for k in range(len(r.z[l]))
        ]
    dw = [
        [[abs(r.a[l - 1][k]) * d[l][j] for k in range(len(r.a[l - 1]))] for j in range(len(d[l]))] if l else []
        for l in range(L + 1)
    ]
    return d, dw


def examples(nin: int, nout: int, m: int, seed: int) -> tuple[list[list[float]], list[list[float]]]:
    rng = random.Random(1000 + seed)
    xs = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(m)]
    ys = [[rng.uniform(-1, 1) for _ in range(nout)] for _ in range(m)]
    return xs, ys


def configurations():
    for nin, sizes in SHAPES:
        for activation in ACTIVATIONS:
            for output_activation in sorted({activation, "linear", "sigmoid"}):
                for seed in SEEDS:
                    yield pytest.param(
                        nin,
                        sizes,
                        activation,
                        output_activation,
                        seed,
                        id=f"{nin}-{'-'.join(map(str, sizes))}-{activation}-{output_activation}-s{seed}",
                    )


@pytest.mark.parametrize(("nin", "sizes", "activation", "output_activation", "seed"), list(configurations()))
@pytest.mark.parametrize("m", [1, 8])
def test_backward_agrees_with_bp1_to_bp4(nin, sizes, activation, output_activation, seed, m):
    mlp = MLP(nin, sizes, activation=activation, output_activation=output_activation, seed=seed)
    rng = random.Random(seed)
    for n in (n for layer in mlp.layers for n in layer.neurons):  # non-zero biases, so BP3 is exercised
        n.b.data = rng.uniform(-0.5, 0.5)
    xs, ys = examples(nin, sizes[-1], m, seed)

    # the graph: the mean cost over the mini-batch, one backward()
    costs = [quadratic_cost(mlp(x), y) for x, y in zip(xs, ys)]
    C = sum(costs) * (1.0 / m)
    mlp.zero_grad()
    C.backward()

    # the closed form
    expected = backprop_batch(mlp, xs, ys)
    scales = [term_scales(mlp, x, y) for x, y in zip(xs, ys)]
    assert close(C.data, expected.C)
    for l, layer in enumerate(mlp.layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            b_scale = sum(d[l][j] for d, _ in scales) / m
            assert close(neuron.b.grad, expected.dC_db[l][j], b_scale), f"∂C/∂b[{l}][{j}]"
            for k, w in enumerate(neuron.w):
                w_scale = sum(dw[l][j][k] for _, dw in scales) / m
                assert close(w.grad, expected.dC_dw[l][j][k], w_scale), f"∂C/∂w[{l}][{j}][{k}]"

    # each z node of the last example holds δ of that example, scaled by 1/m through the mean
    last = backprop(mlp, xs[-1], ys[-1])
    last_scale, _ = scales[-1]
    for l, layer in enumerate(mlp.layers, start=1):
        for j, z in enumerate(layer.z):
            assert close(z.data, last.z[l][j])
            assert close(z.grad * m, last.delta[l][j], last_scale[l][j]), f"z[{l}][{j}].grad vs δ[{l}][{j}]"


def test_bp_equations_by_hand_for_one_sigmoid_neuron():
    # One neuron, C = ½(σ(wx + b) − y)²: δ = (a − y)σ'(z), ∂C/∂b = δ, ∂C/∂w = xδ, worked with numbers.
    mlp = MLP(1, [1], output_activation="sigmoid", seed=0)
    mlp.layers[0].neurons[0].w[0].data = 0.6
    mlp.layers[0].neurons[0].b.data = 0.9
    r = backprop(mlp, [1.0], [0.0])
    z = 0.6 * 1.0 + 0.9
    a = 1 / (1 + 2.718281828459045**-z)
    delta = (a - 0.0) * a * (1 - a)
    assert r.z[1][0] == pytest.approx(z, rel=1e-15)
    assert r.a[1][0] == pytest.approx(a, rel=1e-15)
    assert r.delta[1][0] == pytest.approx(delta, rel=1e-14)
    assert r.dC_db[1][0] == r.delta[1][0]
    assert r.dC_dw[1][0][0] == pytest.approx(1.0 * delta, rel=1e-14)
    assert r.C == pytest.approx(0.5 * a * a, rel=1e-15)


def test_layer_zero_is_the_input():
    mlp = MLP(2, [3, 1], seed=0)
    r = backprop(mlp, [0.5, -0.5], 1.0)
    assert r.a[0] == [0.5, -0.5]
    assert r.z[0] == [] and r.delta[0] == [] and r.w[0] == []
    assert len(r.w[1]) == 3 and len(r.w[1][0]) == 2 and len(r.w[2][0]) == 3


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_sigma_prime_is_the_derivative_of_sigma(activation):
    for z in (-3.0, -0.7, 0.4, 2.5):
        h = 1e-6
        numeric = (sigma(z + h, activation) - sigma(z - h, activation)) / (2 * h)
        assert sigma_prime(z, activation) == pytest.approx(numeric, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda mlp: backprop(mlp, [1.0], [1.0]), ValueError, "x must have 2 entries"),
        (lambda mlp: backprop(mlp, [1.0, 2.0], [1.0, 2.0]), ValueError, "y must have 1 entries"),
        (lambda mlp: backprop(mlp, ["a", 2.0], [1.0]), TypeError, "real numbers"),
        (lambda mlp: backprop("mlp", [1.0, 2.0], [1.0]), TypeError, "takes an MLP"),
        (lambda mlp: backprop_batch(mlp, [[1.0, 2.0]], []), ValueError, "one target per input"),
        (lambda mlp: backprop_batch(mlp, [], []), ValueError, "at least one example"),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call(MLP(2, [3, 1], seed=0))
