"""grad(), to any order, hessian() and hvp(): against PyTorch float64 and the closed form.

Random graphs apply every op of the table of ops (tests/edge_cases.py) inside its domain and away
from its kinks, and their first, second and third derivatives are compared with
torch.autograd.grad(create_graph=True) on the same graph, to 1e-12 relative.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_graphs import build, points, recipes

from helpers import assert_named_errors
from micrograd import MLP, Value, linear, no_grad
from micrograd.autodiff.autograd import grad, hessian, hvp


def close(ours: float, theirs: float, scale: float) -> bool:
    """Equal to 1e-12 relative; where a derivative cancels to about zero, relative to the terms it sums."""
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12 * scale)


def derivatives(grad_fn, root, leaves, order: int, picks: list[int]) -> list[list[float]]:
    """Orders 1..order: ∂root/∂x for every leaf, then ∂/∂x of the picked derivative of the order below."""
    found, current = [], root
    for k in range(order):
        gs = grad_fn(current, leaves, create_graph=k < order - 1)
        found.append([float(g.detach()) if hasattr(g, "detach") else float(g) for g in gs])
        current = gs[picks[k] % len(gs)]
    return found


def torch_grad(torch):
    """torch.autograd.grad as grad() is called: a gradient that does not depend on the leaves is 0."""

    def grad_fn(output, leaves, create_graph):
        if not output.requires_grad:
            return [torch.tensor(0.0) for _ in leaves]
        found = torch.autograd.grad(output, leaves, create_graph=create_graph, allow_unused=True)
        return [torch.tensor(0.0) if g is None else g for g in found]

    return grad_fn


@settings(max_examples=300)
@given(points, recipes, st.integers(1, 3), st.lists(st.integers(0, 10), min_size=3, max_size=3))
def test_derivatives_to_order_3_of_random_graphs_of_every_op_match_pytorch(torch, data, recipe, order, picks):
    ours_nodes = build(data, recipe, Value, lambda op, xs: op.value(*xs))
    leaves = ours_nodes[: len(data)]
    theirs_leaves = [torch.tensor(x, requires_grad=True) for x in data]
    made = iter(theirs_leaves)
    theirs_nodes = build(data, recipe, lambda x: next(made), lambda op, xs: op.torch(torch, *xs))
    ours = derivatives(grad, ours_nodes[-1], leaves, order, picks)
    theirs = derivatives(torch_grad(torch), theirs_nodes[-1], theirs_leaves, order, picks)
    scale = 1.0 + max(abs(x) for row in theirs for x in row)
    for k, (row, expected) in enumerate(zip(ours, theirs), start=1):
        for i, (a, b) in enumerate(zip(row, expected)):
            assert close(a, b, scale), f"order {k}, leaf {i}: {a!r} against PyTorch's {b!r}"


# -- exact cases ---------------------------------------------------------------------------------------------


def test_the_third_derivative_of_x_to_the_4_at_2_is_48():
    x = Value(2.0)
    (d1,) = grad(x**4, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.data, d2.data, d3.data) == (32.0, 48.0, 48.0)  # 4x³, 12x², 24x


@pytest.mark.parametrize("x", [-2.0, -0.5, 0.5, 3.0])
def test_the_second_derivative_of_relu_is_0_wherever_it_is_defined(x):
    v = Value(x)
    (d1,) = grad(v.relu(), [v], create_graph=True)
    (d2,) = grad(d1, [v])
    assert d1.data == (1.0 if x > 0 else 0.0)
    assert d2.data == 0.0


def test_the_gradient_of_a_constant_is_0_and_of_an_unused_input_too():
    x, unused = Value(3.0), Value(5.0)
    constant = Value(7.0) * 2.0
    assert [g.data for g in grad(constant, [x])] == [0.0]
    for create_graph in (False, True):
        assert [g.data for g in grad(x * x, [x, unused], create_graph=create_graph)] == [6.0, 0.0]


def test_tanh_s_derivatives_are_the_closed_forms():
    x = Value(0.7)
    t = math.tanh(0.7)
    d, found = x.tanh(), []
    for _ in range(4):
        (d,) = grad(d, [x], create_graph=True)
        found.append(d.data)
    s = 1 - t * t  # tanh' = 1 - tanh²
    closed = [s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]
    for ours, exact in zip(found, closed):
        assert ours == pytest.approx(exact, rel=1e-13)


def test_without_create_graph_the_gradients_are_backward_s_numbers_as_leaves_and_no_grad_is_touched():
    model = MLP(3, [4, 1], seed=2)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    loss = (model(x) - 1.0) ** 2
    params = model.parameters()
    for p in params:
        p.grad = 0.25  # left over from an earlier step: grad() must neither read nor change it
    before = [n.grad for n in topological_order_of(loss)]
    found = grad(loss, params + x)
    assert [n.grad for n in topological_order_of(loss)] == before
    assert all(not g._prev for g in found)
    model.zero_grad()
    loss.backward()
    assert [g.data for g in found] == [p.grad for p in params + x]  # bit for bit


def test_with_create_graph_the_first_derivatives_are_backward_s_numbers_too():
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    x = [Value(0.3), Value(-0.8)]
    loss = (model(x) - 0.5) ** 2
    found = grad(loss, model.parameters(), create_graph=True)
    loss.backward()
    assert [g.data for g in found] == [p.grad for p in model.parameters()]
    assert any(g._prev for g in found)


def topological_order_of(root):
    from micrograd import topological_order

    return topological_order(root)


def test_second_derivatives_through_linear_and_a_network_match_pytorch(torch):
    ws, xs, b = [0.3, -1.2, 0.7], [1.5, 0.4, -0.9], 0.2
    w = [Value(v) for v in ws]
    a = [Value(v) for v in xs]
    z = linear(w, a, Value(b)).tanh() * linear(a, a)
    first = grad(z, w + a, create_graph=True)
    ours = [[g.data for g in grad(d, w + a)] for d in first]
    tw = torch.tensor(ws, requires_grad=True)
    ta = torch.tensor(xs, requires_grad=True)

    def f(flat):
        return torch.tanh(flat[:3] @ flat[3:] + b) * (flat[3:] @ flat[3:])

    theirs = torch.autograd.functional.hessian(f, torch.cat([tw, ta]).detach())
    for row, expected in zip(ours, theirs.tolist()):
        assert row == pytest.approx(expected, rel=1e-12, abs=1e-14)


def rosenbrock_like(v):
    return (1.0 - v[0]) ** 2 + 100.0 * (v[1] - v[0] ** 2) ** 2 + (v[2] * v[0]).sin() + v[1].exp() * v[2]


def test_hessian_and_hvp_match_pytorch_s(torch):
    xs, v = [0.4, -0.3, 1.1], [1.0, -2.0, 0.5]

    def f(t):
        return (1.0 - t[0]) ** 2 + 100.0 * (t[1] - t[0] ** 2) ** 2 + torch.sin(t[2] * t[0]) + torch.exp(t[1]) * t[2]

    expected = torch.autograd.functional.hessian(f, torch.tensor(xs)).tolist()
    _, expected_hvp = torch.autograd.functional.hvp(f, torch.tensor(xs), torch.tensor(v))
    ours = hessian(rosenbrock_like, xs)
    for row, exp_row in zip(ours, expected):
        assert row == pytest.approx(exp_row, rel=1e-12)
    assert hvp(rosenbrock_like, xs, v) == pytest.approx(expected_hvp.tolist(), rel=1e-12)
    # and the Hessian times v, from hessian(), is hvp's vector
    assert hvp(rosenbrock_like, xs, v) == pytest.approx([sum(h * vk for h, vk in zip(row, v)) for row in ours])


def test_inside_no_grad_the_gradients_are_leaves():
    x = Value(1.5)
    y = x.exp() * x
    with no_grad():
        (d,) = grad(y, [x], create_graph=True)
    assert not d._prev
    assert d.data == pytest.approx(math.exp(1.5) * 2.5, rel=1e-15)


def test_a_gradient_s_graph_is_a_graph_like_any_other(tmp_path):
    from micrograd.lab.trace import trace_backward
    from micrograd.lab.viz import draw_dot

    x = Value(3.0, label="x")
    (dy,) = grad(x**3, [x], create_graph=True)  # 3x²: built from x
    assert dy.data == 27.0
    svg = draw_dot(dy).pipe(format="svg").decode()
    assert ">x<" in svg and "27" in svg
    trace = trace_backward(dy)
    assert trace.grads[x] == 18.0  # d(3x²)/dx = 6x


# -- a gradient is a new Value -------------------------------------------------------------------------------

GRAPHS_WHOSE_GRADIENTS_ARE_THEIR_OWN_NODES = {  # name: (f on [x, w, c], the same on tensors)
    "x * w": (lambda v: v[0] * v[1], lambda t: t[0] * t[1]),
    "linear": (lambda v: linear([v[1], v[2]], [v[0], v[0]]), lambda t: t[1] * t[0] + t[2] * t[0]),
    "(x + w) * c": (lambda v: (v[0] + v[1]) * v[2], lambda t: (t[0] + t[1]) * t[2]),
    "x + w": (lambda v: v[0] + v[1], lambda t: t[0] + t[1]),
    "x": (lambda v: v[0], lambda t: t[0]),
    "x * w - c": (lambda v: v[0] * v[1] - v[2], lambda t: t[0] * t[1] - t[2]),
    "tanh(x) * w * c": (lambda v: v[0].tanh() * v[1] * v[2], lambda t: torch_tanh(t[0]) * t[1] * t[2]),
}
POINT_XWC = [0.7, -1.3, 2.1]


def torch_tanh(t):
    import torch

    return torch.tanh(t)


@pytest.mark.parametrize("name", GRAPHS_WHOSE_GRADIENTS_ARE_THEIR_OWN_NODES)
def test_a_gradient_is_a_new_value_so_labelling_or_moving_it_leaves_the_inputs_alone(torch, name):
    f, f_torch = GRAPHS_WHOSE_GRADIENTS_ARE_THEIR_OWN_NODES[name]
    leaves = [Value(v, label=n) for v, n in zip(POINT_XWC, "xwc")]
    y = f(leaves)
    nodes = set(topological_order_of(y)) | set(leaves)
    first = grad(y, leaves, create_graph=True)
    assert not any(g in nodes for g in first), "a gradient is one of the caller's nodes"
    assert len({id(g) for g in first}) == len(first), "two inputs share one gradient object"
    # the numbers: first and second derivatives against PyTorch float64
    t = torch.tensor(POINT_XWC, dtype=torch.float64, requires_grad=True)
    expected_first = torch.autograd.grad(f_torch(t), t, create_graph=True)[0]
    assert [g.data for g in first] == pytest.approx(expected_first.tolist(), rel=1e-15, abs=0.0)
    for i, g in enumerate(first):
        expected = [0.0, 0.0, 0.0]
        if expected_first[i].requires_grad:
            expected = torch.autograd.grad(expected_first[i], t, retain_graph=True)[0].tolist()
        assert [d.data for d in grad(g, leaves)] == pytest.approx(expected, rel=1e-15, abs=0.0)
    # and what a learner does to a gradient (label it, as the README does every node; move it) is its own
    before = [(n.data, n.label, n._prev) for n in nodes]
    for k, g in enumerate(first):
        g.label = f"dy/d{'xwc'[k]}"
        g.data = 100.0 + k
    assert [(n.data, n.label, n._prev) for n in nodes] == before
    assert y.data == f([Value(v) for v in POINT_XWC]).data


def test_the_new_node_of_a_gradient_keeps_its_number_bit_for_bit_and_reads_as_1_times_it():
    x = Value(2.0, label="x")
    for w_data in (-0.0, 0.0, math.inf, -math.inf, 5e-324, 3.0):
        w = Value(w_data, label="w")
        (dy_dx,) = grad(x * w, [x], create_graph=True)
        assert math.copysign(1.0, dy_dx.data) == math.copysign(1.0, w_data) and dy_dx.data == w_data
        assert dy_dx is not w and w in dy_dx._prev and dy_dx._op.name == "*"
    w = Value(math.nan)
    (dy_dx,) = grad(x * w, [x], create_graph=True)
    assert math.isnan(dy_dx.data) and dy_dx is not w


# -- bad input -----------------------------------------------------------------------------------------------


def test_bad_input_is_named():
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(TypeError, match="grad\\(\\) differentiates a Value, got float"):
        grad(2.0, [x])
    with pytest.raises(TypeError, match="inputs must be Values, got float at position 1"):
        grad(y, [x, 1.0])
    with pytest.raises(TypeError, match="got one Value: put it in a list"):
        grad(y, x)
    with pytest.raises(TypeError, match="grad_output"):
        grad(y, [x], grad_output="1")
    with pytest.raises(TypeError, match="create_graph"):
        grad(y, [x], create_graph=1)
    with no_grad():
        z = x * 3.0
    with pytest.raises(ValueError, match="inside no_grad"):
        grad(z, [x])
    with pytest.raises(ValueError, match=r"input 0 .* inside no_grad"):
        grad(y, [z])
    with pytest.raises(ValueError, match="as long as xs: xs has 2 numbers, v has 1"):
        hvp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="f must return one Value, got list"):
        hessian(lambda v: v, [1.0])
    with pytest.raises(TypeError, match="hessian\\(\\) xs"):
        hessian(lambda v: v[0], ["a"])


def test_every_function_an_op_s_local_derivative_calls_has_a_version_on_values():
    """Else grad(create_graph=True) through that op fails: add it to autograd.GRAPH_RUNTIME."""
    from micrograd.autodiff.autograd import GRAPH_RUNTIME
    from micrograd.ops import OPS, power

    def names(code) -> set[str]:  # the names a code object and the comprehensions inside it read
        inner = [names(c) for c in code.co_consts if hasattr(c, "co_names")]
        return set(code.co_names).union(*inner)

    for op in [*OPS.values(), power(2.0), power(0.5), power(0.0), power(-1.5)]:
        code = compile(op.local_text, op.name, "eval")
        called = names(code) - set(op.operands) - {"out", "sum", "map"}
        assert called <= set(GRAPH_RUNTIME), f"{op.name}: {sorted(called - set(GRAPH_RUNTIME))} have no Value version"


MALFORMED = {  # name: (code, the exception, words its message must contain)
    "grad of a float": ("grad(2.0, [Value(1.0)])", "TypeError", "differentiates a Value, got float"),
    "grad wrt a float": ("x = Value(1.0); grad(x * 2, [x, 3.0])", "TypeError", "got float at position 1"),
    "grad wrt a set": ("x = Value(1.0); grad(x * 2, {x})", "TypeError", "set has no order"),
    "grad_output a str": ("x = Value(1.0); grad(x * 2, [x], grad_output='1')", "TypeError", "grad_output"),
    "grad_output NaN is fine": ("x = Value(1.0); grad(x * 2, [x], grad_output=float('nan'))", "no error", ""),
    "create_graph None": ("x = Value(1.0); grad(x * 2, [x], create_graph=None)", "TypeError", "True or False"),
    "hessian of a dict": ("hessian(lambda v: v[0], {0: 1.0})", "TypeError", "keys would be read"),
    "hessian of nothing": ("hessian(lambda v: v[0], [])", "ValueError", "at least one number"),
    "hvp too short": ("hvp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0])", "ValueError", "as long as xs"),
    "jvp of a generator": ("jvp(lambda v: v[0], (x for x in [1.0]), [1.0])", "TypeError", "used up once read"),
    "jvp with Values": ("jvp(lambda v: v[0] * Value(2.0), [1.0], [1.0])", "TypeError", "mixed the Duals"),
    "Dual of None": ("Dual(None)", "TypeError", "Dual()"),
    "Dual 1/0": ("Dual(1.0) / 0", "ZeroDivisionError", "division by zero"),
    "gradcheck eps": ("gradcheck(lambda v: v[0], [1.0], eps=-1)", "ValueError", "eps must be a finite number > 0"),
    "trace wrt a float": ("x = Value(1.0); trace_forward_mode(x * 2, wrt=1.0)", "TypeError", "must be a Value"),
}


def test_malformed_input_raises_named_errors_also_under_python_O():
    assert_named_errors(
        MALFORMED,
        "from micrograd import Value, Dual, grad, hessian, hvp, jvp, gradcheck, trace_forward_mode",
    )


# -- second derivatives where the first derivative's text would cancel -------------------------------------


def _lse(values):
    from micrograd.training.losses import logsumexp

    return logsumexp(values)


# f, and f in mpmath: logsumexp with one operand that dominates the others somewhere on the points.
DOMINATED = {
    "logsumexp(exp(x²), x)": (lambda v: _lse([(v[0] * v[0]).exp(), v[0]]), lambda mp, x: [mp.exp(x * x), x]),
    "logsumexp(30x, x², -x)": (lambda v: _lse([30.0 * v[0], v[0] * v[0], -v[0]]), lambda mp, x: [30 * x, x * x, -x]),
    "logsumexp(x·y·8, sin(x), y)": (
        lambda v: _lse([v[0] * v[1] * 8.0, v[0].sin(), v[1]]),
        lambda mp, x, y: [x * y * 8, mp.sin(x), y],
    ),
    "logsumexp(x², y², x + y) · y": (
        lambda v: _lse([v[0] * v[0], v[1] * v[1], v[0] + v[1]]) * v[1],
        lambda mp, x, y: [x * x, y * y, x + y],
    ),
}
GRID = [-10.0 + 0.5 * i for i in range(41)]  # -10, -9.5, ..., 10: 6 and -8 among them


def _mp_hessian(mpmath, name: str, xs: list[float]) -> list[list[float]]:
    """The Hessian by mpmath's own differentiation of f at 200 digits: f's cancelling terms lose at most ~50 of them."""
    z = DOMINATED[name][1]

    def f(*t):
        y = mpmath.log(mpmath.fsum(mpmath.exp(z_k) for z_k in z(mpmath, *t)))
        return y * t[1] if name.endswith("· y") else y

    n = len(xs)
    with mpmath.workdps(200):
        at = [mpmath.mpf(x) for x in xs]
        orders = [[tuple(int(k == i) + int(k == j) for k in range(n)) for j in range(n)] for i in range(n)]
        return [[float(mpmath.diff(f, at, order)) for order in row] for row in orders]


@pytest.mark.parametrize("name", list(DOMINATED))
def test_second_derivatives_through_logsumexp_with_a_dominating_operand_match_mpmath(name):
    """f(x) = logsumexp([exp(x²), x]) gave f''(6) = 8.36e17 for 6.294e17, f''(-8) = 1.25e28 for 1.609e30."""
    import mpmath

    f = DOMINATED[name][0]
    two = name.count("y") > 0
    for xs in [[x, 0.37 * x - 1.5] if two else [x] for x in GRID]:
        ours, exact = hessian(f, xs), _mp_hessian(mpmath, name, xs)
        scale = max(abs(e) for row in exact for e in row)
        for i, (row, expected) in enumerate(zip(ours, exact)):
            for j, (a, b) in enumerate(zip(row, expected)):
                assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14 * scale), (name, xs, i, j, a, b)


def test_logsumexp_s_second_derivative_at_the_issue_s_points_is_pytorch_s(torch):
    def f(t):
        return torch.logsumexp(torch.stack([torch.exp(t * t), t]), 0)

    for x, about in ((6.0, 6.294e17), (-8.0, 1.609e30)):
        expected = torch.autograd.functional.hessian(f, torch.tensor(x, dtype=torch.float64)).item()
        ours = hessian(DOMINATED["logsumexp(exp(x²), x)"][0], [x])[0][0]
        assert math.isclose(ours, expected, rel_tol=1e-13) and math.isclose(ours, about, rel_tol=1e-3), (x, ours)


def _softplus_derivative_exact(mpmath, x: float, order: int) -> float:
    """softplus's derivative of order 2 or 3 (σ' or σ''), 0 past PyTorch's threshold 20, where softplus is x."""
    if x > 20.0:
        return 0.0
    e = mpmath.exp(mpmath.mpf(x))
    s = e / (1 + e)
    return float(s * (1 - s) if order == 2 else s * (1 - s) * (1 - 2 * s))


SOFTPLUS_POINTS = [-30.0 + 0.75 * i for i in range(81)] + [10.0 + 0.5 * i for i in range(21)] + [19.9, 19.99, 20.0]


def test_softplus_second_derivative_is_accurate_to_1e_13_against_mpmath():
    """softplus'' lost digits in [10, 20]: 3.2e-8 relative at 19.9; PyTorch's own loses 3.4e-8 there."""
    import mpmath

    with mpmath.workdps(40):
        for x in SOFTPLUS_POINTS:
            ours = hessian(lambda v: v[0].softplus(), [x])[0][0]
            assert math.isclose(ours, _softplus_derivative_exact(mpmath, x, 2), rel_tol=1e-13), (x, ours)


def test_softplus_third_derivative_is_accurate_against_mpmath():
    import mpmath

    with mpmath.workdps(40):
        for x in SOFTPLUS_POINTS:
            if abs(x) < 0.5:  # σ''(0) = 0: near it the two terms of σ'' cancel, as any formula's do
                continue
            v = Value(x)
            (d1,) = grad(v.softplus(), [v], create_graph=True)
            (d2,) = grad(d1, [v], create_graph=True)
            (d3,) = grad(d2, [v])
            assert math.isclose(d3.data, _softplus_derivative_exact(mpmath, x, 3), rel_tol=1e-12), (x, d3.data)


@pytest.mark.parametrize(
    "x", [-30.0, -5.0, -0.3, 0.0, 0.7, 10.0, 15.5, 19.9, 20.0, 20.5, math.inf, -math.inf, math.nan]
)
def test_first_derivatives_of_softplus_and_logsumexp_are_backward_s_bit_for_bit_with_create_graph(x):
    for f in (lambda v: v.softplus(), lambda v: _lse([v, 2.0 * v, Value(1.5)]), lambda v: _lse([v])):
        v = Value(x)
        y = f(v)
        y.backward()
        (g,) = grad(y, [v], create_graph=True)
        assert g.data.hex() == v.grad.hex(), (x, g.data, v.grad)


def test_the_nodes_of_a_gradient_through_logsumexp_and_softplus_compile_bitwise_and_name_their_ops():
    from micrograd.compile import compile_graph

    x, y = Value(1.25, "x"), Value(-0.5, "y")
    (gx, gy) = grad(_lse([x * y, x.softplus(), y * y]), [x, y], create_graph=True)
    shown = {str(node._op) for node in _nodes(gx + gy)}
    assert {"softmax[0]", "softmax[1]", "softmax[2]", "logistic"} <= shown
    compiled = compile_graph(gx + gy, [x, y])
    value, grads = compiled([1.25, -0.5])
    ours = grad(gx + gy, [x, y])
    assert value.hex() == (gx + gy).data.hex()
    assert [g.hex() for g in grads] == [g.data.hex() for g in ours], compiled.source


def _nodes(root):
    seen, stack = [], [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.append(node)
            stack.extend(node._prev)
    return seen


def test_the_ops_only_gradients_make_have_versions_on_values_of_what_their_derivatives_call():
    from micrograd.autodiff.autograd import GRAPH_RUNTIME
    from micrograd.ops import LOGISTIC, softmax

    for op in (LOGISTIC, softmax(0), softmax(3)):
        code = compile(op.local_text, op.name, "eval")
        assert set(code.co_names) - {"out", *op.operands} <= set(GRAPH_RUNTIME), op.name
