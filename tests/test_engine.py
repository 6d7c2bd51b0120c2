"""The Value engine, proved against exact answers, central differences and PyTorch float64."""

from __future__ import annotations

import math
import pickle
import sys

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import edge_cases
import micrograd.ops
from helpers import assert_named_errors
from micrograd import MLP, Value, linear, no_grad, topological_order
from micrograd.runtime import c_pow


def central_difference(f, xs: list[float], i: int, h: float = 1e-6) -> float:
    """∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h, the oracle of PyTorch's gradcheck."""
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def gradcheck_close(g: float, g_hat: float) -> bool:
    """|g − ĝ| ≤ 1e-5 + 1e-3·|ĝ|: PyTorch gradcheck's default tolerances."""
    return abs(g - g_hat) <= 1e-5 + 1e-3 * abs(g_hat)


# -- exact cases ----------------------------------------------------------------------------


def test_a_plus_a_counts_both_edges():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert b._prev == (a, a)
    assert a.grad == 2.0


def test_a_times_a_is_two_a():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_doubling_twice_gives_four():
    a = Value(-2.0)
    b = a + a
    c = b + b
    c.backward()
    assert (c.data, a.grad, b.grad) == (-8.0, 4.0, 2.0)


def test_diamond():
    # d = (2a)(3a) = 6a², so dd/da = 12a
    a = Value(1.5)
    b = a * 2
    c = a * 3
    d = b * c
    d.backward()
    assert d.data == 13.5
    assert a.grad == 12 * 1.5
    assert (b.grad, c.grad) == (c.data, b.data)


def test_one_node_feeding_many_parents():
    a = Value(0.5)
    s = a * 1
    for k in range(2, 11):
        s = s + a * k
    s.backward()
    assert a.grad == 55.0  # 1 + 2 + ... + 10


@pytest.mark.parametrize("calls", [1, 2, 3, 4, 5])
def test_backward_twice_adds_leaves_and_recomputes_interior(calls):
    x, w = Value(2.0), Value(-3.0)
    h = (x * w).tanh()  # interior, used twice below
    out = h * h + h
    for _ in range(calls):
        out.backward()
    t = math.tanh(-6.0)
    dout_dh = 2 * t + 1
    assert h.grad == pytest.approx(dout_dh, rel=1e-15)  # recomputed, not accumulated
    assert out.grad == 1.0
    assert x.grad == pytest.approx(calls * dout_dh * (1 - t * t) * -3.0, rel=1e-14)
    assert w.grad == pytest.approx(calls * dout_dh * (1 - t * t) * 2.0, rel=1e-14)


def test_zero_grad_then_backward_gives_one_call():
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    x.grad = 0.0
    y.backward()
    assert x.grad == 4.0


def test_backward_with_a_seed():
    x = Value(3.0)
    (x * x).backward(0.5)
    assert x.grad == 3.0


def test_backward_of_a_leaf_accumulates():
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_million_node_chain_under_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x0 = Value(0.0)
    c = Value(1.0)
    x = x0
    for _ in range(1_000_000):
        x = x + c
    x.backward()
    assert x.data == 1_000_000.0
    assert x0.grad == 1.0
    assert c.grad == 1_000_000.0
    assert len(topological_order(x)) == 1_000_002


def test_topological_order_puts_children_first_in_operand_order():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order == [a, b, c, d]
    for i, node in enumerate(order):
        assert all(order.index(child) < i for child in node._prev)


# -- forward semantics: as Python floats --------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Value(1.0) + 2, 3.0),
        (lambda: 2 + Value(1.0), 3.0),
        (lambda: Value(1.0) - 2, -1.0),
        (lambda: 2 - Value(1.0), 1.0),
        (lambda: Value(3.0) * 2, 6.0),
        (lambda: 2 * Value(3.0), 6.0),
        (lambda: Value(7.0) / 3, 7.0 / 3),
        (lambda: 7 / Value(3.0), 7.0 / 3),
        (lambda: Value(0.1) / 3, 0.1 / 3),
        (lambda: Value(2.0) ** 10, 1024.0),
        (lambda: 2 ** Value(10.0), 1024.0),
        (lambda: Value(2.0) ** Value(0.5), 2.0**0.5),
        (lambda: -Value(2.0), -2.0),
        (lambda: Value(1.0).exp(), math.e),
        (lambda: Value(math.e).log(), 1.0),
        (lambda: Value(0.5).tanh(), math.tanh(0.5)),
        (lambda: Value(0.0).sigmoid(), 0.5),
        (lambda: Value(-2.0).relu(), 0.0),
        (lambda: Value(2.0).relu(), 2.0),
    ],
)
def test_results_equal_float_arithmetic(make, expected):
    assert make().data == expected


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["division by zero", "1.0"]),
        (lambda: 1 / Value(0.0), ZeroDivisionError, ["division by zero", "0.0"]),
        (lambda: Value(0.0).log(), ValueError, ["log(0.0)"]),
        (lambda: Value(-1.0).log(), ValueError, ["log(-1.0)"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp(1000.0)"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["0.0 ** -1.0"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["10.0 ** 400.0"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["-8.0 **", "non-integer"]),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, ["-8.0 ** 0.5"]),
    ],
)
def test_float_errors_name_the_op_and_operand(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_plain_floats_raise_the_same_exception_types():
    for float_op, value_op in [
        (lambda: 1.0 / 0.0, lambda: Value(1.0) / 0.0),
        (lambda: math.log(0.0), lambda: Value(0.0).log()),
        (lambda: math.exp(1000.0), lambda: Value(1000.0).exp()),
        (lambda: 0.0**-1, lambda: Value(0.0) ** -1),
    ]:
        with pytest.raises(Exception) as expected:
            float_op()
        with pytest.raises(type(expected.value)):
            value_op()


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308, 710.0, -745.0])
def test_tanh_and_sigmoid_never_overflow(x):
    t, s = Value(x).tanh(), Value(x).sigmoid()
    assert t.data == math.copysign(1.0, x)
    assert s.data == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-300))
    for node in (t, s):
        node.backward()
        assert math.isfinite(node._prev[0].grad)


def test_derivative_infinite_where_value_is_fine_follows_pytorch():
    x = Value(0.0)
    y = x**0.5
    assert y.data == 0.0
    y.backward()
    assert x.grad == math.inf  # d√x/dx at 0, as torch.sqrt

    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0  # d(x⁰)/dx = 0, PyTorch's convention at x = 0

    x = Value(0.0)
    (x.relu()).backward()
    assert x.grad == 0.0  # relu'(0) = 0

    x = Value(5e-324)  # x ** -0.5 is finite, its derivative -0.5 · x ** -1.5 is not
    y = x**-0.5
    assert y.data == 5e-324**-0.5
    y.backward()
    assert x.grad == -math.inf


def test_c_pow_gives_infinities_instead_of_errors():
    assert c_pow(0.0, -1.0) == math.inf
    assert c_pow(-0.0, -1.0) == -math.inf
    assert c_pow(-0.0, -2.0) == math.inf
    assert c_pow(1e200, 2.0) == math.inf
    assert c_pow(-1e200, 3.0) == -math.inf
    assert math.isnan(c_pow(-2.0, 0.5))


# -- malformed input ------------------------------------------------------------------------------

MALFORMED = {
    "str": ("Value('1.0')", "TypeError", "str"),
    "None": ("Value(None)", "TypeError", "NoneType"),
    "list": ("Value([1.0])", "TypeError", "list"),
    "complex": ("Value(1j)", "TypeError", "complex"),
    "bool": ("Value(True)", "TypeError", "bool"),
    "bytes": ("Value(b'1')", "TypeError", "bytes"),
    "dict": ("Value({})", "TypeError", "dict"),
    "numpy array": ("Value(numpy.array([1.0, 2.0]))", "TypeError", "ndarray"),
    "numpy bool": ("Value(numpy.bool_(True))", "TypeError", "bool"),
    "Value of a Value": ("Value(Value(1.0))", "TypeError", "got a Value"),
    "foreign Value": ("Value(type('Value', (), {'data': 1.0})())", "TypeError", "another class"),
    "str operand": ("Value(1.0) + 'a'", "TypeError", "str"),
    "None operand": ("None * Value(1.0)", "TypeError", "NoneType"),
    "list exponent": ("Value(2.0) ** [2]", "TypeError", "list"),
    "huge int": ("Value(10 ** 400)", "OverflowError", "too large"),
    "label": ("Value(1.0, label=3)", "TypeError", "label"),
    "backward seed": ("Value(1.0).backward('1')", "TypeError", "str"),
    "non-scalar root": ("Value.backward([Value(1.0), Value(2.0)])", "TypeError", "single Value"),
    "linear lengths": ("linear([1.0, 2.0], [1.0])", "ValueError", "2 weights and 1 inputs"),
    "linear not a sequence": ("linear(1.0, [1.0])", "TypeError", "float"),
}


def test_malformed_input_raises_named_errors_also_under_python_O():
    assert_named_errors(MALFORMED, "import numpy\nfrom micrograd import Value, linear")


# -- compatibility with micrograd 0.1.0 and numpy ----------------------------------------------------


def test_micrograd_readme_example_gives_its_published_numbers():
    # The example of micrograd's README, with the numbers it prints (checked there against PyTorch).
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_value_is_hashable_by_identity_and_exposes_the_graph():
    a, b = Value(1.0), Value(1.0)
    c = a * b
    assert len({a, b, c}) == 3
    assert {a: "a"}[a] == "a"
    assert list(c._prev) == [a, b]
    assert str(c._op) == "*"
    assert str((a + 1)._op) == "+"
    assert str(a.relu()._op) == "relu"
    c.label = "c"
    assert repr(c) == "Value(data=1.0, grad=0.0, label='c')"
    assert repr(a) == "Value(data=1.0, grad=0.0)"


def test_numpy_scalars_are_numbers(np):
    v = Value(np.float64(2.0))
    assert type(v.data) is float and v.data == 2.0
    assert Value(np.int64(3)).data == 3.0
    w = np.float64(2.0) * v
    assert isinstance(w, Value) and w.data == 4.0
    assert isinstance(np.int64(1) + v, Value)
    assert isinstance(v - np.float32(1.0), Value)
    w.backward()
    assert v.grad == 2.0


def test_comparisons_and_conversion_follow_the_data():
    a = Value(2.0)
    assert a > 1 and a >= 2 and a < 3 and a <= Value(2.0)
    assert float(a) == 2.0
    assert bool(Value(0.0)) is False and bool(a) is True
    assert a != Value(2.0)  # == is identity: Values are graph nodes


def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        y = (x * x).tanh() + 1
    assert y._prev == () and y._local == ()
    assert y.data == math.tanh(4.0) + 1
    with pytest.raises(ValueError, match=r"inside no_grad\(\)"):
        y.backward()  # nothing to go back through: an error, not a silent no-op
    assert x.grad == 0.0
    z = x * x  # recording is back on after the block
    assert z._prev == (x, x)


def test_no_grad_is_a_decorator_too():
    @no_grad()
    def predict(v):
        return v * 3

    assert predict(Value(1.0))._prev == ()


def test_pickle_and_copy_of_leaves_work_and_of_graphs_raise_clearly():
    import copy

    a = Value(1.5, "a")
    a.grad = 2.0
    for b in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a)):
        assert (b.data, b.grad, b.label) == (1.5, 2.0, "a")
    with pytest.raises(TypeError, match="cannot pickle or copy a Value that is the result of operations"):
        pickle.dumps(a * 2)


# -- every op vs central differences -----------------------------------------------------------------

finite = {"allow_nan": False, "allow_infinity": False}


def within(lo: float, hi: float):
    return st.floats(lo, hi, **finite)


def away_from_zero(lo: float, hi: float):
    return st.floats(lo, hi, **finite).filter(lambda v: abs(v) >= 1e-2)


def sampled(lo: float, hi: float, kinks: tuple[float, ...] = ()):
    return st.floats(lo, hi, **finite).filter(lambda v: all(abs(v - k) >= 1e-2 for k in kinks))


# name -> (function of Values, strategies of its inputs): every entry of the table of ops, and the
# reflected operators, whose constant comes first.
OPS = {
    **{
        name: (op.value, [sampled(lo, hi, op.kinks) for lo, hi in op.domain])
        for name, op in edge_cases.OPS.items()
        if op.op != "**n" or name != "x ** 0"  # x ** 0 is constant: nothing to difference
    },
    "2.5 + x": (lambda x: 2.5 + x, [within(-10, 10)]),
    "2.5 - x": (lambda x: 2.5 - x, [within(-10, 10)]),
    "2.5 * x": (lambda x: 2.5 * x, [within(-10, 10)]),
    "2.5 / x": (lambda x: 2.5 / x, [away_from_zero(-10, 10).filter(lambda v: abs(v) > 0.1)]),
    "x ** 2.5": (lambda x: x**2.5, [within(0.1, 5)]),
    "x ** -1.5": (lambda x: x**-1.5, [within(0.2, 5)]),
    "linear of two": (lambda w1, w2, a1, a2, b: linear([w1, w2], [a1, a2], b), [within(-5, 5)] * 5),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_against_central_differences(name):
    fn, strategies = OPS[name]

    @given(st.tuples(*strategies))
    def check(xs):
        def f(values):
            return fn(*[Value(v) for v in values]).data

        leaves = [Value(v) for v in xs]
        out = fn(*leaves)
        out.backward()
        assert out.data == f(list(xs))
        for i, leaf in enumerate(leaves):
            g_hat = central_difference(f, list(xs), i)
            assert gradcheck_close(leaf.grad, g_hat), f"{name} at {xs}: grad {leaf.grad}, central difference {g_hat}"

    check()


# -- random expression graphs that reuse subexpressions -------------------------------------------

# Every op of one operand of micrograd.ops, applied to lo + (hi - lo)·σ(x): always inside its domain.
ONE_OPERAND = {
    entry.op: entry for entry in edge_cases.OPS.values() if entry.op in micrograd.ops.OPS and len(entry.domain) == 1
}
UNARY = [*sorted(ONE_OPERAND), "pow_sq"]
BINARY = ["add", "sub", "mul", "div_sq", "pow", "linear"]


@st.composite
def expression_graphs(draw):
    """A recipe: leaves, then up to 50 op nodes, each reading any earlier node (so nodes get reused)."""
    leaves = draw(st.lists(within(-2, 2), min_size=1, max_size=5))
    steps = []
    for n in range(draw(st.integers(1, 50))):
        available = len(leaves) + n
        op = draw(st.sampled_from(UNARY + BINARY))
        i = draw(st.integers(0, available - 1))
        j = draw(st.integers(0, available - 1))
        steps.append((op, i, j))
    return leaves, steps


def run_recipe(recipe, leaves, ops):
    """Build the graph of recipe over the given leaf objects with the given op implementations."""
    _, steps = recipe
    nodes = list(leaves)
    for op, i, j in steps:
        x, y = nodes[i], nodes[j]
        nodes.append(ops[op](x, y))
    # the root reads the last three nodes, so earlier ones stay reachable through several paths
    root = nodes[-1]
    for node in nodes[-3:-1]:
        root = root + node
    return root, nodes


def into_domain(entry, apply, sigmoid):
    lo, hi = entry.domain[0]
    return lambda x, y: apply(lo + (hi - lo) * sigmoid(x))


VALUE_OPS = {
    **{name: into_domain(entry, entry.value, lambda x: x.sigmoid()) for name, entry in ONE_OPERAND.items()},
    "pow_sq": lambda x, y: (x * x + 0.5) ** -0.75,
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div_sq": lambda x, y: x / (y * y + 0.5),
    "pow": lambda x, y: (x * x + 0.5) ** y.tanh(),
    "linear": lambda x, y: linear([x, y], [y, 0.5], x),
}


def torch_ops(torch):
    return {
        **{
            name: into_domain(entry, lambda x, entry=entry: entry.torch(torch, x), torch.sigmoid)
            for name, entry in ONE_OPERAND.items()
        },
        "pow_sq": lambda x, y: (x * x + 0.5) ** -0.75,
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "div_sq": lambda x, y: x / (y * y + 0.5),
        "pow": lambda x, y: (x * x + 0.5) ** torch.tanh(y),
        "linear": lambda x, y: x * y + y * 0.5 + x,
    }


def value_graph(recipe, data):
    leaves = [Value(v) for v in data]
    root, nodes = run_recipe(recipe, leaves, VALUE_OPS)
    return leaves, root, nodes


def depth_first_order(root):
    """micrograd 0.1.0's build_topo: children first, in operand order, each node once (recursive)."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(root)
    return order


@given(expression_graphs(), st.integers(0, 3))
def test_topological_order_is_the_depth_first_order_of_micrograd_0_1_0(recipe, start):
    _, root, nodes = value_graph(recipe, recipe[0])
    for r in (root, nodes[min(start, len(nodes) - 1)]):  # the root, and a leaf or an early node
        assert topological_order(r) == depth_first_order(r)
    model = MLP(3, [4, 4, 2], seed=start)  # shared weights and inputs: most children are placed before their parents
    X = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [0.1, 0.1, 0.1]]
    loss = sum((o - 1.0) ** 2 for x in X for o in model(x))
    assert topological_order(loss) == depth_first_order(loss)


@given(expression_graphs())
def test_random_graphs_against_central_differences(recipe):
    data = recipe[0]
    leaves, root, nodes = value_graph(recipe, data)
    assume(all(abs(n.data) < 1e4 for n in nodes))
    kinked = [
        (n._prev[0].data, ONE_OPERAND[str(n._op)].kinks) for n in topological_order(root) if str(n._op) in ONE_OPERAND
    ]
    assume(all(abs(v - k) > 1e-3 for v, kinks in kinked for k in kinks))  # finite differences fail across a kink
    root.backward()

    def f(values):
        return value_graph(recipe, values)[1].data

    for i, leaf in enumerate(leaves):
        g_hat = central_difference(f, list(data), i)
        scale = max(1.0, max(abs(n.data) for n in nodes))
        assert abs(leaf.grad - g_hat) <= (1e-5 + 1e-3 * abs(g_hat)) * scale, (recipe, i, leaf.grad, g_hat)


@given(expression_graphs())
def test_random_graphs_against_pytorch(torch, recipe):
    data = recipe[0]
    leaves, root, nodes = value_graph(recipe, data)
    assume(all(math.isfinite(n.data) for n in nodes))
    root.backward()

    t_leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in data]
    t_root, _ = run_recipe(recipe, t_leaves, torch_ops(torch))
    t_root.backward()

    assert root.data == pytest.approx(t_root.item(), rel=1e-12, abs=1e-300)
    for leaf, t_leaf in zip(leaves, t_leaves):
        expected = t_leaf.grad.item() if t_leaf.grad is not None else 0.0
        assert leaf.grad == pytest.approx(expected, rel=1e-12, abs=1e-12 * max(1.0, abs(root.data))), recipe


def test_a_node_s_op_is_its_name_as_in_micrograd_0_1_0():
    a = Value(1.0)
    b = (a * 2.0).tanh()
    assert a._op == "" and b._op == "tanh" and (a * a)._op == "*" and (a**2)._op == "**2"
    assert "n1" + b._op == "n1tanh" and f"{b._op}" == "tanh"  # the lecture's draw_dot builds names this way
    assert isinstance(b._op, str)


@pytest.mark.parametrize("label", [3, None, b"x", ["x"]], ids=["int", "None", "bytes", "list"])
def test_a_label_assigned_later_is_checked_as_the_constructor_checks_it(label):
    y = Value(1.0) * 2.0
    with pytest.raises(TypeError, match="Value label must be a str"):
        y.label = label
    with pytest.raises(TypeError, match="Value label must be a str"):
        Value(1.0, label)
    assert y.label == ""  # unchanged: drawings, traces and compiled code never see a non-str label
