"""The bridge to PyTorch: the same network in micrograd and in torch, the same weights, the same numbers."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd import MLP, Value
from micrograd.ops import ACTIVATIONS
from micrograd.torch_bridge import from_torch, to_torch

# The torch.nn module that computes each activation, written from PyTorch's documentation.
TORCH_MODULES = {
    "sigmoid": lambda t: t.nn.Sigmoid(),
    "tanh": lambda t: t.nn.Tanh(),
    "relu": lambda t: t.nn.ReLU(),
    "leaky_relu": lambda t: t.nn.LeakyReLU(),  # slope 0.01
    "softplus": lambda t: t.nn.Softplus(),  # beta 1, threshold 20
    "gelu": lambda t: t.nn.GELU(approximate="tanh"),
    "linear": lambda t: t.nn.Identity(),
}


def test_every_activation_has_its_torch_module():
    assert set(TORCH_MODULES) == set(ACTIVATIONS)


shapes = st.tuples(st.integers(1, 4), st.lists(st.integers(1, 5), min_size=1, max_size=3))
inputs = st.floats(-3, 3, allow_nan=False)


def weights(model: MLP) -> list[str]:
    return [p.data.hex() for p in model.parameters()]


def close(got: list[float], expected: list[float], rel: float = 1e-12) -> bool:
    """Every |got − expected| within rel of the largest |expected| (and of 1, for values below 1)."""
    scale = max([1.0, *map(abs, expected)])
    return len(got) == len(expected) and all(abs(g - e) <= rel * scale for g, e in zip(got, expected))


def quadratic_cost(model: MLP, x: list[float], y: list[float]) -> Value:
    """C = ½‖a − y‖², for micrograd."""
    out = model(x)
    a = out if isinstance(out, list) else [out]
    return 0.5 * sum((a_j - y_j) ** 2 for a_j, y_j in zip(a, y))


# -- the structure ---------------------------------------------------------------------------------


def test_to_torch_pairs_a_linear_with_the_activation_of_each_layer(torch):
    model = MLP(2, [3, 4, 1], activation="tanh", output_activation="sigmoid", seed=1)
    net = to_torch(model)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Sigmoid"]
    assert [(m.in_features, m.out_features) for m in net[::2]] == [(2, 3), (3, 4), (4, 1)]
    assert net[2].weight[3][1].item() == model.layers[1].neurons[3].w[1].data  # weight[j][k] = w[l][j][k]
    assert net[2].bias[3].item() == model.layers[1].neurons[3].b.data
    assert type(to_torch(MLP(2, [1], seed=0))[1]).__name__ == "Identity"  # a linear layer


def test_to_torch_is_float64_whatever_the_default_dtype(torch):
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        net = to_torch(MLP(2, [3, 1], seed=1))
    finally:
        torch.set_default_dtype(default)
    assert {p.dtype for p in net.parameters()} == {torch.float64}


def test_to_torch_leaves_torchs_random_numbers_alone(torch):
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    to_torch(MLP(2, [16, 16, 1], seed=1))
    assert torch.equal(torch.rand(3), expected)


# -- round trips: the same bits ---------------------------------------------------------------------


@given(shapes, st.sampled_from(ACTIVATIONS), st.sampled_from(ACTIVATIONS), st.integers(0, 2**32))
def test_micrograd_to_torch_and_back_is_exact(torch, shape, activation, output_activation, seed):
    nin, sizes = shape
    model = MLP(nin, sizes, activation=activation, output_activation=output_activation, seed=seed)
    back = from_torch(to_torch(model))
    assert back.sizes == model.sizes
    assert [layer.activation for layer in back.layers] == [layer.activation for layer in model.layers]
    assert weights(back) == weights(model)
    assert [p.label for p in back.parameters()] == [p.label for p in model.parameters()]


@given(shapes, st.lists(st.sampled_from([*ACTIVATIONS, None]), min_size=3, max_size=3), st.integers(0, 2**32))
def test_torch_to_micrograd_and_back_is_exact(torch, shape, activations, seed):
    nin, sizes = shape
    torch.manual_seed(seed)
    modules = []
    for n_in, n_out, activation in zip([nin, *sizes], sizes, activations):
        modules.append(torch.nn.Linear(n_in, n_out, dtype=torch.float64))
        if activation is not None:  # no activation module: a linear layer
            modules.append(TORCH_MODULES[activation](torch))
    net = torch.nn.Sequential(*modules)
    model = from_torch(net)
    assert [layer.activation for layer in model.layers] == [a or "linear" for a in activations[: len(sizes)]]
    back = to_torch(model)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert len(back) == 2 * len(linears)
    for mine, theirs in zip(back[::2], linears):
        assert torch.equal(mine.weight, theirs.weight) and torch.equal(mine.bias, theirs.bias)
    x = torch.linspace(-2, 2, nin, dtype=torch.float64)
    assert torch.equal(back(x), net(x))  # the same layers in the same order: the same float operations


def test_from_torch_opens_nested_sequentials_and_reads_a_bare_linear(torch):
    inner = torch.nn.Sequential(torch.nn.Linear(2, 3, dtype=torch.float64), torch.nn.ReLU())
    net = torch.nn.Sequential(inner, torch.nn.Linear(3, 1, dtype=torch.float64))
    model = from_torch(net)
    assert model.sizes == [2, 3, 1]
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]
    single = from_torch(torch.nn.Linear(4, 2, dtype=torch.float64))
    assert single.sizes == [4, 2] and single.layers[0].activation == "linear"


# -- the same numbers ----------------------------------------------------------------------------------


@given(
    shapes,
    st.sampled_from(ACTIVATIONS),
    st.sampled_from(ACTIVATIONS),
    st.integers(0, 2**32),
    st.lists(inputs, min_size=4, max_size=4),
    st.lists(inputs, min_size=5, max_size=5),
)
def test_outputs_and_gradients_of_the_quadratic_cost_agree(torch, shape, activation, output_activation, seed, x, y):
    nin, sizes = shape
    x, y = x[:nin], y[: sizes[-1]]
    model = MLP(nin, sizes, activation=activation, output_activation=output_activation, seed=seed)
    net = to_torch(model)

    cost = quadratic_cost(model, x, y)
    cost.backward()
    a = net(torch.tensor(x, dtype=torch.float64))
    torch_cost = 0.5 * ((a - torch.tensor(y, dtype=torch.float64)) ** 2).sum()
    torch_cost.backward()

    out = model(x)
    assert close([o.data for o in (out if isinstance(out, list) else [out])], a.tolist())
    assert close([cost.data], [torch_cost.item()])
    for layer, linear in zip(model.layers, net[::2]):
        assert close([w.grad for n in layer.neurons for w in n.w], linear.weight.grad.flatten().tolist())
        assert close([n.b.grad for n in layer.neurons], linear.bias.grad.tolist())


# -- what cannot be read ---------------------------------------------------------------------------------


def f64_linear(t, n_in: int, n_out: int, **options):
    return t.nn.Linear(n_in, n_out, dtype=t.float64, **options)


@pytest.mark.parametrize(
    "build, words",
    [
        (lambda t: t.nn.Sequential(t.nn.Conv1d(1, 1, 1, dtype=t.float64)), "module 0 is a Conv1d"),
        (lambda t: t.nn.Sequential(f64_linear(t, 2, 3), t.nn.Dropout()), "module 1 is a Dropout"),
        (
            lambda t: t.nn.Sequential(f64_linear(t, 2, 3), t.nn.LeakyReLU(0.2)),
            r"LeakyReLU with negative_slope=0.2, but micrograd's leaky_relu is LeakyReLU\(negative_slope=0.01\)",
        ),
        (lambda t: t.nn.Sequential(f64_linear(t, 2, 3), t.nn.Softplus(beta=2)), "module 1 is a Softplus with beta=2"),
        (lambda t: t.nn.Sequential(f64_linear(t, 2, 3), t.nn.GELU()), "module 1 is a GELU with approximate='none'"),
        (lambda t: t.nn.Sequential(f64_linear(t, 2, 3), t.nn.ELU()), "module 1 is a ELU"),
        (lambda t: t.nn.Linear(2, 3, dtype=t.float32), r"torch.float32 numbers.*module.double\(\)"),
        (lambda t: f64_linear(t, 2, 3, bias=False), "without a bias"),
        (lambda t: t.nn.Sequential(t.nn.ReLU(), f64_linear(t, 2, 3)), "before any Linear layer"),
        (lambda t: t.nn.Sequential(f64_linear(t, 2, 3), t.nn.ReLU(), t.nn.Tanh()), "after another activation"),
        (lambda t: t.nn.Sequential(f64_linear(t, 2, 3), f64_linear(t, 4, 1)), "takes 4 inputs but layer 0 gives 3"),
        (lambda t: t.nn.Sequential(), "has no Linear layer"),
        (lambda t: t.nn.LazyLinear(3, dtype=t.float64), "run it once"),
        (lambda t: f64_linear(t, 2, 3, device="meta"), "meta device"),
    ],
)
def test_from_torch_names_what_it_cannot_read(torch, build, words):
    with pytest.raises(ValueError, match=words):
        from_torch(build(torch))


def test_from_torch_refuses_weights_that_are_not_finite(torch):
    linear = torch.nn.Linear(2, 1, dtype=torch.float64)
    with torch.no_grad():
        linear.weight[0, 1] = float("inf")
    with pytest.raises(ValueError, match=r"weights\[0\]\[0\]\[1\] is inf"):
        from_torch(linear)


def test_wrong_types_are_type_errors(torch):
    with pytest.raises(TypeError, match=r"to_torch\(\) takes a micrograd MLP, got Sequential"):
        to_torch(torch.nn.Sequential())
    with pytest.raises(TypeError, match=r"from_torch\(\) takes a torch.nn.Sequential \(or Linear\), got MLP"):
        from_torch(MLP(2, [1], seed=0))


def test_micrograd_imports_without_torch():
    code = "import sys; sys.modules['torch'] = None; import micrograd, micrograd.torch_bridge, micrograd.compile"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as where it is not installed
    with pytest.raises(ImportError, match="pip install torch"):
        to_torch(MLP(2, [1], seed=0))
    with pytest.raises(ImportError, match="pip install torch"):
        from_torch(object())
