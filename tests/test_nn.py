"""Neuron, Layer and MLP: shapes, seeds, the recorded z and a, and micrograd 0.1.0's API."""

from __future__ import annotations

import math
import random

import pytest

from helpers import assert_named_errors
from micrograd import MLP, Layer, Neuron, Value, no_grad
from micrograd.ops import ACTIVATIONS


def test_neuron_computes_sigma_of_w_dot_x_plus_b():
    n = Neuron(3, activation="sigmoid", seed=0)
    x = [0.5, -1.0, 2.0]
    z = sum(w.data * xk for w, xk in zip(n.w, x)) + n.b.data
    assert n(x).data == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-15)
    assert len(n.parameters()) == 4


@pytest.mark.parametrize(
    ("activation", "sigma"),
    [
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("tanh", math.tanh),
        ("relu", lambda z: max(z, 0.0)),
        ("linear", lambda z: z),
    ],
)
def test_each_activation(activation, sigma):
    n = Neuron(2, activation=activation, seed=1)
    n.b.data = 0.3
    for x in ([1.0, 2.0], [-1.0, -3.0], [0.2, -0.1]):
        z = n.w[0].data * x[0] + n.w[1].data * x[1] + 0.3
        assert n(x).data == pytest.approx(sigma(z), rel=1e-14, abs=1e-300)


def test_same_seed_same_network_and_different_seeds_differ():
    a, b, c = MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=8)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]


def test_seed_gives_the_same_weights_as_pythons_random():
    # "the same seed gives the same network everywhere": Random(seed).uniform is specified by Python
    rng = random.Random(42)
    expected = [rng.uniform(-1, 1) for _ in range(2 * 3)]
    mlp = MLP(2, [3], seed=42)
    assert [w.data for n in mlp.layers[0].neurons for w in n.w] == expected
    assert all(n.b.data == 0.0 for n in mlp.layers[0].neurons)


def test_no_seed_uses_the_global_generator_as_micrograd_0_1_0():
    random.seed(1337)
    expected = [random.uniform(-1, 1) for _ in range(4)]
    random.seed(1337)
    n = Neuron(4)
    assert [w.data for w in n.w] == expected


def test_a_layer_returns_a_list_and_a_layer_of_one_neuron_its_value_as_micrograd_0_1_0():
    assert len(Layer(2, 3)([1.0, 2.0])) == 3
    out = Layer(3, 1, seed=0)([1.0, 2.0, 3.0])
    assert isinstance(out, Value)
    out.backward()  # the idiom of micrograd 0.1.0's README


def test_numpy_integers_are_sizes_and_seeds_as_in_micrograd_0_1_0(np):
    numpy = np
    model = MLP(numpy.int64(2), [numpy.int32(4), numpy.int64(1)], seed=numpy.int64(3))
    assert model.sizes == [2, 4, 1] and all(type(n) is int for n in model.sizes)
    assert [p.data for p in model.parameters()] == [p.data for p in MLP(2, [4, 1], seed=3).parameters()]
    assert len(Layer(numpy.int64(2), numpy.int64(3))([1.0, 2.0])) == 3


@pytest.mark.parametrize(
    "inputs", [{2.0, 1.0}, {1.0: 0, 2.0: 1}, (x for x in [1.0, 2.0])], ids=["set", "dict", "generator"]
)
def test_inputs_that_are_not_a_sequence_are_refused(inputs):
    with pytest.raises(TypeError, match=r"set has no order|keys would be read|used up once read"):
        MLP(2, [3, 1], seed=0)(inputs)


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


def test_hidden_layer_of_width_one():
    mlp = MLP(2, [16, 1, 1], seed=0)
    out = mlp([0.5, -0.5])
    out.backward()
    assert isinstance(out, Value)
    assert len(mlp.parameters()) == 16 * 3 + 1 * 17 + 1 * 2


def test_default_activations_are_relu_then_linear():
    mlp = MLP(2, [3, 3, 1])
    assert [layer.activation for layer in mlp.layers] == ["relu", "relu", "linear"]
    mlp = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid")
    assert [layer.activation for layer in mlp.layers] == ["tanh", "sigmoid"]


def test_z_and_a_of_the_last_forward_pass_are_reachable():
    mlp = MLP(2, [3, 2], activation="tanh", seed=3)
    out = mlp([0.5, -1.0])
    layer = mlp.layers[0]
    assert [a.data for a in layer.a] == [math.tanh(z.data) for z in layer.z]
    assert mlp.layers[1].a == out
    assert layer.z[0].label == "z[1][0]" and layer.a[2].label == "a[1][2]"
    assert mlp.layers[0].neurons[1].w[0].label == "w[1][1][0]"
    # z is a child of a: the graph, not a copy
    assert layer.a[0]._prev == (layer.z[0],)


def test_z_and_a_are_released_with_their_graph():
    mlp = MLP(2, [3, 1], seed=3)
    mlp([0.5, -1.0])  # the output is dropped at once, and its graph with it
    with pytest.raises(RuntimeError, match="keep a reference to its output"):
        _ = mlp.layers[0].z
    with pytest.raises(RuntimeError, match="no z to show"):
        _ = MLP(2, [1]).layers[0].z
    with no_grad():  # no graph: the identity's a is its z, but a relu's a records no child z
        out = mlp([0.5, -1.0])
        relu_out = MLP(2, [1], output_activation="relu", seed=3)
        a = relu_out([0.5, -1.0])
    assert mlp.layers[1].z == [out] and relu_out.layers[0].a == [a]
    with pytest.raises(RuntimeError, match="no z to show: z is kept only while the graph"):
        _ = relu_out.layers[0].z


def test_inputs_are_wrapped_once_and_shared_by_the_neurons():
    layer = Layer(2, 3, seed=0)
    out = layer([1.0, 2.0])
    x0 = {z._prev[2] for z in layer.z}  # children of z: w_1, w_2, a_1, a_2, b
    assert layer.a == out
    assert len(x0) == 1


def test_repr_reads_like_the_architecture():
    mlp = MLP(2, [2, 1], activation="tanh", seed=0)
    assert repr(mlp) == "MLP(2, [2, 1], activation='tanh', output_activation='linear'): 9 parameters"


def test_micrograd_0_1_0_code_runs_unchanged():
    # micrograd 0.1.0's API: Neuron(nin, nonlin), Layer(nin, nout), MLP(nin, nouts), parameters(),
    # zero_grad(), .w and .b, and the update p.data -= lr * p.grad
    random.seed(1337)
    n = Neuron(2, nonlin=False)
    assert n.nonlin is False and n.activation == "linear"
    layer = Layer(2, 3, nonlin=True)
    assert all(neuron.activation == "relu" for neuron in layer.neurons)

    model = MLP(2, [16, 16, 1])
    xs = [[2.0, 3.0], [-1.0, -2.0], [3.0, -1.0], [-2.0, 1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(30):
        scores = [model(list(map(Value, x))) for x in xs]
        loss = sum((1 + -y * s).relu() for y, s in zip(ys, scores)) * (1.0 / len(xs))
        loss = loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.5 * losses[0]
    w = model.layers[0].neurons[0].w[0]
    assert isinstance(w, Value) and isinstance(model.layers[0].neurons[0].b, Value)


def test_numpy_rows_are_inputs(np):
    mlp = MLP(2, [3, 1], seed=0)
    x = np.array([0.5, -1.0])
    assert mlp(x).data == mlp([0.5, -1.0]).data


def test_no_grad_inference():
    mlp = MLP(2, [3, 1], seed=0)
    with no_grad():
        out = mlp([1.0, 2.0])
    assert out._prev == ()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_float_function_gives_the_model_s_outputs_bit_for_bit(activation):
    model = MLP(2, [5, 4, 3], activation=activation, output_activation="sigmoid", seed=9)
    forward = model.float_function()
    for x in ([0.3, -1.2], [2.0, 0.5], [-0.7, 0.0], (1.5, 3)):
        assert forward(x) == [a.data for a in model(x)]
    single = MLP(2, [3, 1], activation=activation, seed=1)
    assert single.float_function()([0.1, 0.2]) == [single([0.1, 0.2]).data]


def test_the_float_function_reads_each_neuron_s_weights_and_activation_when_it_is_made():
    model = MLP(2, [3, 2], activation="relu", seed=4)
    model.layers[0].neurons[1] = Neuron(2, activation="gelu", seed=5)  # one neuron swapped by hand
    x = [0.8, -0.4]
    forward = model.float_function()
    assert forward(x) == [a.data for a in model(x)]
    before = forward(x)
    model.layers[1].neurons[0].b.data += 1.0
    assert forward(x) == before  # the weights as they were when it was made
    assert model.float_function()(x) == [a.data for a in model(x)] != before  # made again: as they are now


MALFORMED = {
    "zero inputs": ("Neuron(0)", "ValueError", "at least 1"),
    "negative inputs": ("Neuron(-2)", "ValueError", "at least 1"),
    "float size": ("Neuron(2.0)", "TypeError", "int"),
    "bool size": ("Neuron(True)", "TypeError", "int"),
    "empty layer": ("Layer(2, 0)", "ValueError", "nout"),
    "no layers": ("MLP(2, [])", "ValueError", "at least one layer"),
    "negative layer": ("MLP(2, [3, -1])", "ValueError", "at least 1"),
    "sizes not a list": ("MLP(2, 3)", "TypeError", "list of layer sizes"),
    "unknown activation": ("MLP(2, [3], activation='softmax')", "ValueError", "unknown activation 'softmax'"),
    "activation case": ("Neuron(2, activation='ReLU')", "ValueError", f"choose one of {', '.join(ACTIVATIONS)}"),
    "activation type": ("Neuron(2, activation=3)", "TypeError", "activation must be a str"),
    "seed type": ("MLP(2, [3], seed='0')", "TypeError", "seed"),
    "too few inputs": ("MLP(2, [3], seed=0)([1.0])", "ValueError", "expects 2 inputs, got 1"),
    "scalar input": ("MLP(2, [3], seed=0)(1.0)", "TypeError", "sequence of 2 inputs"),
    "str input": ("MLP(2, [3], seed=0)('ab')", "TypeError", "str"),
    "too many inputs": ("Layer(2, 3, seed=0)([1.0, 2.0, 3.0])", "ValueError", "expects 2 inputs, got 3"),
    "str in inputs": ("Neuron(2, seed=0)([1.0, 'x'])", "TypeError", "str"),
    "None in inputs": ("Neuron(2, seed=0)([1.0, None])", "TypeError", "NoneType"),
    "float function, too few inputs": ("MLP(2, [3], seed=0).float_function()([1.0])", "ValueError", "2 inputs, got 1"),
    "float function, str input": ("MLP(2, [3], seed=0).float_function()('ab')", "TypeError", "of numbers, got str"),
    "float function, None": ("MLP(2, [3], seed=0).float_function()([1.0, None])", "TypeError", "got NoneType"),
    "float function, Value": ("MLP(2, [3], seed=0).float_function()([1.0, Value(2.0)])", "TypeError", "got a Value"),
}


def test_malformed_networks_and_inputs_raise_named_errors_also_under_python_O():
    assert_named_errors(MALFORMED, "from micrograd import MLP, Layer, Neuron, Value")
