"""Random graphs of every op, at ordinary and edge values, against PyTorch float64 and through the compiled mode.

Each graph applies ops of the table of ops (tests/edge_cases.py) to leaves drawn from ordinary
numbers and the edges of floating point (0, -0.0, ±1, ±2, ±1e-8, 30, ±inf), and is differentiated
in several ways: from its last node or an interior one, with a seed other than 1, backward()
once or twice. Values and gradients must match PyTorch NaN-aware and sign-aware. Where both are
finite but differ beyond 1e-12, a 60-digit mpmath referee decides: micrograd passes when it is within
1e-12 of the true value, or about as close to it as PyTorch (see agrees()); a NaN, an infinity or a
sign of zero that differs from PyTorch's always fails.
An op that raises in micrograd (where Python's float arithmetic raises) is left out of the graph;
where Python's float gives another number than PyTorch ((-inf) ** 0.5 is inf, PyTorch's √ gives
NaN), micrograd gives Python's, as a Value behaves like its float, and the graph is compared no further.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge_cases import OPS, same
from micrograd import Value, topological_order
from micrograd.compile import compile_graph

EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 1e-8, -1e-8, 30.0, math.inf, -math.inf]
# Subnormal numbers are left to the edge points: there a local derivative such as 1/x overflows to
# inf, which micrograd stores on the edge and multiplies by the grad, where PyTorch computes grad / x.
leaf_values = st.one_of(st.sampled_from(EDGES), st.floats(-3, 3, allow_nan=False, allow_subnormal=False))
steps = st.lists(
    st.tuples(st.sampled_from(sorted(OPS)), st.lists(st.integers(0, 10**6), min_size=3, max_size=3)),
    min_size=1,
    max_size=10,
)


def pick(nodes: list, i: int):
    """Mostly one of the last three nodes, so that ops chain (relu, then √); else any earlier one."""
    return nodes[-1 - i % min(3, len(nodes))] if i % 4 else nodes[i // 4 % len(nodes)]


def build(leaves: list, recipe: list, apply) -> tuple[list, list]:
    """The nodes of recipe over leaves, and the steps kept: a step whose op raises is left out."""
    nodes, kept = list(leaves), []
    for name, picks in recipe:
        arity = len(OPS[name].domain)
        operands = [pick(nodes, i) for i in picks[:arity]]
        try:
            node = apply(OPS[name], operands)
        except (ArithmeticError, ValueError):
            continue
        nodes.append(node)
        kept.append((name, picks))
    return nodes, kept


def micrograd_apply(op, operands):
    return op.value(*operands)


def referee(recipe: list, data: list[float], root: int, leaf: int | None, scale: float):
    """The true value of the root (leaf None) or of ∂root/∂leaf, times scale, to 60 digits; None if undefined."""
    import mpmath

    with mpmath.workdps(60):

        def f(*xs):
            nodes, _ = build(list(xs), recipe, lambda op, operands: op.mp(mpmath, *operands))
            return nodes[root]

        try:
            args = [mpmath.mpf(x) for x in data]
            if leaf is None:
                return f(*args) * scale
            return mpmath.diff(lambda t: f(*args[:leaf], t, *args[leaf + 1 :]), args[leaf]) * scale
        except (ArithmeticError, ValueError, TypeError):
            return None


def follows_python(op, operands: list[float], value: float) -> bool:
    """Whether value is what Python's float arithmetic gives for op (an operator) on these operands."""
    try:
        python = op.value(*operands)
    except (AttributeError, ArithmeticError, ValueError):  # a method of Value, not of float
        return False
    return same(value, python)


def rounding_bound(root: Value, leaf: Value, seed: float) -> float:
    """How far float64 can honestly be from ∂root/∂leaf: a forward error analysis along every path.

    Each edge's local derivative is evaluated from rounded numbers: its error is taken as how much it
    moves when its node's value and operands move by 4 units of 2⁻⁵³ (1 − out² near out = 1 moves a
    lot), and each product and sum adds a few units of its size; errors flow down the paths as the
    gradient does. The oracle is still mpmath's true value: this only says how close is honest.
    """
    u = 2.0**-53
    order = topological_order(root)
    size = {node: 0.0 for node in order}  # Σ over paths of |seed · Π local|
    error = {node: 0.0 for node in order}
    size[root] = abs(seed)
    for node in reversed(order):
        if not node._prev:
            continue
        moved = _moved_locals(node, 4 * u)
        for k, (child, local) in enumerate(zip(node._prev, node._local)):
            size[child] += abs(local) * size[node]
            error[child] += abs(local) * error[node] + (moved[k] + 4 * u * abs(local)) * size[node]
    return error.get(leaf, 0.0) + 4 * len(order) * u * size.get(leaf, 0.0)


def _moved_locals(node: Value, eps: float) -> list[float]:
    """For each local derivative of node, the most it moves when its value and operands move by eps relatively."""
    op, xs, out = node._op, [c.data for c in node._prev], node.data
    moved = [0.0] * len(xs)
    for which in range(len(xs) + 1):
        for sign in (1.0, -1.0):
            ys = list(xs)
            o = out * (1 + sign * eps) if which == len(xs) else out
            if which < len(xs):
                ys[which] *= 1 + sign * eps
            try:
                shifted = op.derivatives(o, *op.args(ys))
            except (ArithmeticError, ValueError):
                continue
            moved = [max(m, abs(a - b)) for m, a, b in zip(moved, shifted, node._local)]
    return moved


def mpmath_finite(x) -> bool:
    import mpmath

    return bool(mpmath.isfinite(x)) and not isinstance(x, mpmath.mpc)


def agrees(ours: float, theirs: float, truth, bound: float = 0.0) -> bool:
    """Equal as IEEE values; or, both finite, ours as close to the truth as float64 rounding lets PyTorch get.

    Close means within 1e-12 of the truth, within 4 times PyTorch's own distance from it, or within
    ``bound``, the error float64 can honestly make (rounding_bound): in an ill-conditioned graph
    (tanh'(8) = 1 − tanh² of a number within 2e-7 of 1, or 4.5e15 − 4.5e15 + 0.69) both lose digits
    to rounding, and they round differently where their formulas or their orders of summation differ
    (PyTorch's log backward is g / x, micrograd's (1 / x) · g; PyTorch may fuse a multiply and an add).
    """
    if same(ours, theirs):
        return True
    if truth is not None and not math.isfinite(theirs) and mpmath_finite(truth):
        # PyTorch overflowed where the true value is finite (1/x² of x = 1e-210): both engines are past
        # float64 here and overflow in their own order; micrograd must overflow too, or be right.
        return not math.isfinite(ours) or abs(ours - float(truth)) <= max(1e-12 * abs(float(truth)), bound)
    if not (math.isfinite(ours) and math.isfinite(theirs)) or ours == theirs or truth is None:
        return False  # a NaN, an infinity, or a zero of the other sign: PyTorch's exactly, or wrong
    true = float(truth)
    return abs(ours - true) <= max(1e-12 * abs(true), 4 * abs(theirs - true), bound)


@settings(max_examples=1500)
@given(
    st.lists(leaf_values, min_size=1, max_size=4),
    steps,
    st.integers(0, 10**6),
    st.sampled_from([1.0, -1.5, 0.25]),
    st.booleans(),
)
def test_random_graphs_of_every_op_against_pytorch(torch, data, recipe, root_pick, seed, twice):
    leaves = [Value(x) for x in data]
    nodes, kept = build(leaves, recipe, micrograd_apply)
    if len(nodes) == len(leaves):
        return  # every op raised: nothing to differentiate
    root = len(leaves) + root_pick % (len(nodes) - len(leaves))  # the last node or an interior one
    for _ in range(1 + twice):
        nodes[root].backward(seed)

    t_leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in data]
    t_nodes, t_kept = build(t_leaves, kept, lambda op, operands: op.torch(torch, *operands))
    assert t_kept == kept, "PyTorch computes every op that micrograd computes"
    for _ in range(1 + twice):
        t_nodes[root].backward(torch.tensor(seed, dtype=torch.float64), retain_graph=True)

    for k, (name, picks) in enumerate(kept):  # every value, in the order computed
        at = len(leaves) + k
        value, t_value = nodes[at].data, t_nodes[at].item()
        if agrees(value, t_value, None):
            continue
        if follows_python(OPS[name], [pick(nodes[:at], i).data for i in picks[: len(OPS[name].domain)]], value):
            return  # Python's float arithmetic and PyTorch part ways here (-inf ** 0.5): micrograd is Python's
        truth = referee(kept, data, at, None, 1.0)
        assert agrees(value, t_value, truth), f"node {at}: micrograd {value!r}, PyTorch {t_value!r}; {kept} at {data}"
    for i, (leaf, t_leaf) in enumerate(zip(leaves, t_leaves)):
        g, t_g = leaf.grad, (t_leaf.grad.item() if t_leaf.grad is not None else 0.0)
        if agrees(g, t_g, None):
            continue
        truth = referee(kept, data, root, i, seed * (1 + twice))
        bound = rounding_bound(nodes[root], leaf, seed) * (1 + twice)
        assert agrees(g, t_g, truth, bound), (
            f"∂node{root}/∂leaf{i}: micrograd {g!r}, PyTorch {t_g!r}, mpmath {truth}; seed {seed}, "
            f"backward {'twice' if twice else 'once'}; {kept} at {data}"
        )


def total(nodes: list[Value]) -> Value:
    """The sum of the nodes no other node uses: every op of the graph reaches the root."""
    unused = [n for n in nodes if not any(n in m._prev for m in nodes)]
    return sum(unused[1:], unused[0])


def hexes(xs: list[float]) -> list[str]:
    return ["nan" if math.isnan(x) else x.hex() for x in xs]


@settings(max_examples=500)
@given(st.lists(leaf_values, min_size=1, max_size=4), steps, st.data())
def test_random_graphs_of_every_op_compile_to_backward_s_numbers_at_new_values(data, recipe, draw):
    leaves = [Value(x) for x in data]
    nodes, kept = build(leaves, recipe, micrograd_apply)
    if len(nodes) == len(leaves):
        return
    graph = compile_graph(total(nodes[len(leaves) :]), leaves)
    new = draw.draw(st.lists(leaf_values, min_size=len(data), max_size=len(data)))
    eager_leaves = [Value(x) for x in new]
    eager_nodes, errors = list(eager_leaves), []
    for name, picks in kept:  # the recorded structure exactly; an op that raises leaves a stand-in
        arity = len(OPS[name].domain)
        try:
            eager_nodes.append(OPS[name].value(*[pick(eager_nodes, i) for i in picks[:arity]]))
        except (ArithmeticError, ValueError) as error:
            errors.append((type(error), str(error)))
            eager_nodes.append(Value(1.0))
    if errors:  # the compiled code raises the engine's error of one of the ops that fail (its order may differ)
        with pytest.raises((ArithmeticError, ValueError)) as raised:
            graph(new)
        assert (type(raised.value), str(raised.value)) in errors
        return
    eager_root = total(eager_nodes[len(eager_leaves) :])
    eager_root.backward()
    output, grads = graph(new)
    assert hexes([output, *grads]) == hexes([eager_root.data, *(leaf.grad for leaf in eager_leaves)])
