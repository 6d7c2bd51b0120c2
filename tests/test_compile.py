"""The compiled mode, held to the eager engine: the same output and gradients, bit for bit, at any values."""

from __future__ import annotations

import importlib.util
import math
import operator
import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import micrograd.compile.loops as loops_module
import micrograd.ops
from helpers import assert_named_errors
from micrograd import MLP, Value, linear, topological_order
from micrograd.compile import CompiledGraph, compile_function, compile_graph
from micrograd.lab.trace import trace_backward
from micrograd.ops import ACTIVATIONS
from micrograd.runtime import RUNTIME


def same(a: float, b: float) -> bool:
    """The same float, bit for bit (the sign of a zero included); any NaN equals any NaN."""
    return (math.isnan(a) and math.isnan(b)) or a.hex() == b.hex()


def eager(build, param_values, *input_values):
    """The oracle: build the graph with Values at these values, call backward(), read the output and the grads."""
    params = [Value(v) for v in param_values]
    out = build(params, *input_values)
    out.backward()
    return out.data, [p.grad for p in params]


def assert_same(result, expected):
    (out, grads), (expected_out, expected_grads) = result, expected
    assert same(out, expected_out), (out, expected_out)
    assert len(grads) == len(expected_grads)
    for i, (g, e) in enumerate(zip(grads, expected_grads)):
        assert same(g, e), f"parameter {i}: compiled {g!r}, backward() {e!r}"


# -- backprop as code: one neuron -------------------------------------------------------------


def neuron_graph(w1: Value, w2: Value, b: Value, x1: Value, x2: Value) -> Value:
    """o = tanh(x1·w1 + x2·w2 + b), the worked example, each node labelled."""
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def neuron(params, x1, x2):
    """The worked example with the inputs as new leaves, as eager() builds it."""
    return neuron_graph(*params, Value(x1, "x1"), Value(x2, "x2"))


def compiled_neuron() -> CompiledGraph:
    params = [Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")]
    inputs = [Value(2.0, "x1"), Value(0.0, "x2")]
    return compile_graph(neuron_graph(*params, *inputs), params, inputs)


def test_one_neuron_reads_as_the_chain_rule():
    source = compiled_neuron().source
    assert "w1, w2, b = params" in source
    assert "x1, x2 = inputs" in source
    assert "    x1_w1 = x1 * w1\n" in source  # forward: one assignment per node, named from its label
    assert "    o = tanh(n)\n" in source
    assert "    g_o = 1.0\n" in source  # backward: do/do = 1, then local * upstream, node by node
    assert "    g_n = (1.0 - o * o) * g_o\n" in source
    assert "    g_w1 += x1 * g_x1_w1\n" in source  # a parameter's grad accumulates from its start in grads
    assert source.index("o = tanh(n)") < source.index("g_o = 1.0") < source.index("g_n =") < source.index("g_w1 +=")


@pytest.mark.parametrize(
    "params, x",
    [
        ([-3.0, 1.0, 6.8813735870195432], [2.0, 0.0]),  # the values it was recorded with
        ([0.5, -2.0, 0.1], [1.5, -0.75]),  # new values
        ([1e3, 1.0, 0.0], [1.0, 1.0]),  # tanh saturated: 1 − o² is 0
    ],
)
def test_one_neuron_gives_backwards_numbers(params, x):
    assert_same(compiled_neuron()(params, x), eager(neuron, params, *x))


def test_a_fused_neuron_node_is_one_line_each_way():
    w, b, x = [Value(0.5, "w[0]"), Value(-1.5, "w[1]")], Value(0.25, "b"), [Value(2.0, "x[0]"), Value(3.0, "x[1]")]
    z = linear(w, x, b)
    z.label = "z"
    a = z.relu()
    a.label = "a"
    graph = compile_graph(a, [*w, b], x)
    assert "    z = sum(map(mul, (w_0, w_1), (x_0, x_1)), -0.0) + b\n" in graph.source
    assert "    g_w_0 += x_0 * g_z\n" in graph.source  # ∂z/∂w_k = x_k
    assert graph.repeats == 1

    def build(params, x0, x1):
        return linear(params[:2], [x0, x1], params[2]).relu()

    for params, xs in [([0.5, -1.5, 0.25], [2.0, 3.0]), ([0.5, 1.5, 0.25], [2.0, 3.0]), ([0.0, 0.0, 0.0], [1, 1])]:
        assert_same(graph(params, xs), eager(build, params, *xs))


# -- names --------------------------------------------------------------------------------------


def test_labels_become_valid_unique_names():
    x = Value(1.5, "x")
    nodes = [x * 2.0, x * 3.0, x * 4.0, x * 5.0, x * 6.0, x * 7.0, x * 8.0]
    for node, label in zip(nodes, ["z", "z", "a b", "for", "1st", "δ", "(*)"]):
        node.label = label
    out = sum(nodes)
    source = compile_graph(out, [x]).source
    for name in ["z", "z__2", "a_b", "for_", "v_1st", "δ"]:
        assert f"    {name} = " in source, name
    assert "(*)" not in source
    namespace: dict = {}
    exec(compile(source, "<test>", "exec"), {**RUNTIME, **namespace})  # valid Python


def test_a_label_never_reaches_the_code_as_code():
    x = Value(2.0, "x\nimport os")
    y = x * x
    y.label = "__import__('os').system('true')"
    graph = compile_graph(y, [x])
    assert "    import_os_system_true = x_import_os * x_import_os\n" in graph.source
    assert "'" not in graph.source
    assert_same(graph([3.0]), eager(lambda p: p[0] * p[0], [3.0]))


def test_labels_that_are_the_codes_own_names_do_not_clash_with_it():
    w = Value(0.5, "_pow")
    X = [[Value(0.1 * i, "mul"), Value(1.0, "roots")] for i in range(60)]
    labels = [Value(float(i % 3), "pow_values") for i in range(60)]
    for x in X:
        x[1].label = "inputs"

    def build(params, X):
        return sum((params[0] * x0 * x1 + c).relu() * Value(2.0, "sum") for (x0, x1), c in zip(X, labels))

    graph = compile_graph(build([w], X), [w], X)
    assert graph.repeats == 60
    new_X = [[-0.2 * i, 1.5] for i in range(60)]
    assert_same(graph([0.25], new_X), eager(lambda p, X: build(p, [[Value(a), Value(b)] for a, b in X]), [0.25], new_X))


def test_the_smallest_graphs():
    w, x, c = Value(2.0, "w"), Value(3.0, "x"), Value(4.0, "c")
    assert compile_graph(w, [w])([5.0]) == (5.0, [1.0])  # the output is the parameter: ∂w/∂w = 1
    assert compile_graph(x, [w], x)([5.0], 7.0) == (7.0, [0.0])  # w is not in the graph: its gradient is 0
    assert compile_graph(c * 2, [w])([5.0]) == (8.0, [0.0])  # constants only: folded
    assert compile_graph(x * c, [], x)([], 0.5) == (2.0, [])  # no parameters at all


# -- branches follow the new values; Python's branches are frozen ------------------------------


@pytest.mark.parametrize("x", [2.0, 0.0, -0.0, -2.0, math.inf, -math.inf, math.nan])
def test_relu_branch_follows_the_new_input(x):
    w, xv = Value(1.5, "w"), Value(1.0, "x")
    graph = compile_graph((w * xv).relu() * w, [w], xv)  # recorded at x = 1, where relu is active

    def build(params, x):
        return (params[0] * x).relu() * params[0]

    assert_same(graph([1.5], x), eager(build, [1.5], x))


@pytest.mark.parametrize("score", [3.0, 1.0, 0.5, -0.5, -3.0])
@pytest.mark.parametrize("y", [1.0, -1.0])
def test_the_max_margin_relu_follows_the_new_scores(score, y):
    w = Value(0.5, "w")
    s, t = Value(4.0, "s"), Value(1.0, "y")
    graph = compile_graph((1 + -t * (w * s)).relu(), [w], s, t)  # recorded with a margin met: relu inactive

    def build(params, s, t):
        return (1 + -Value(t) * (params[0] * s)).relu()

    assert_same(graph([0.5], score, y), eager(build, [0.5], score, y))


@pytest.mark.parametrize(
    "x, y", [(2.0, 3.0), (0.0, 2.0), (0.0, 0.0), (-2.0, 3.0), (-2.0, 0.5), (4.0, 0.5), (0.0, -1.0)]
)
def test_powers_follow_the_new_values(x, y):
    a, b = Value(1.5, "a"), Value(2.5, "b")
    graph = compile_graph(a**b + a**0.5 + a**2 + a**-1.0 if x != 0 else a**b + a**2, [a, b])

    def build(params):
        a, b = params
        return a**b + a**0.5 + a**2 + a**-1.0 if x != 0 else a**b + a**2

    try:
        expected = eager(build, [x, y])
    except (ArithmeticError, ValueError) as error:
        with pytest.raises(type(error)) as raised:
            graph([x, y])
        assert str(raised.value) == str(error)
        return
    assert_same(graph([x, y]), expected)


def test_constants_are_baked_in_with_their_recorded_value():
    c, x = Value(3.0, "c"), Value(2.0, "x")
    graph = compile_graph(c * x + 1, [x])
    c.data = 100.0  # too late: c is neither a parameter nor an input
    out, (dx,) = graph([5.0])
    assert (out, dx) == (3.0 * 5.0 + 1, 3.0)
    assert "3.0 * x" in graph.source


def test_python_control_flow_is_frozen_at_recording():
    def f(x, w):
        return x * w if x.data > 0 else -x * w  # an if on a value: runs once, when recording

    w = Value(1.0, "w")
    graph = compile_function(lambda x: f(x, w), [w], 2.0)
    out, (dw,) = graph([1.0], -3.0)
    assert (out, dw) == (-3.0, -3.0)  # the x > 0 branch, although x = -3 now; eager f would give 3.0
    assert f(Value(-3.0), Value(1.0)).data == 3.0


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, values, error",
    [
        (lambda p: p[0].log(), [-1.0], ValueError),
        (lambda p: p[0].log(), [0.0], ValueError),
        (lambda p: 1 / p[0], [0.0], ZeroDivisionError),
        (lambda p: p[0] / (p[0] - 1), [1.0], ZeroDivisionError),
        (lambda p: p[0].exp(), [1000.0], OverflowError),
        (lambda p: p[0] ** 0.5, [-4.0], ValueError),
        (lambda p: p[0] ** -1.0, [0.0], ZeroDivisionError),
        (lambda p: p[0] ** p[0], [-0.5], ValueError),
        (lambda p: p[0] ** 3.0, [1e200], OverflowError),
    ],
)
def test_an_op_that_fails_on_new_values_raises_the_engines_error(build, values, error):
    x = Value(2.0)
    graph = compile_graph(build([x]) * 2, [x])  # recorded where it is fine
    with pytest.raises(error) as expected:
        eager(lambda p: build(p) * 2, values)
    with pytest.raises(error) as raised:
        graph(values)
    assert str(raised.value) == str(expected.value)


def test_calls_with_another_shape_raise_named_errors():
    w = Value(1.0, "w")
    graph = compile_function(lambda X, y: sum(w * x[0] * x[1] - t for x, t in zip(X, y)), [w], [[1, 2], [3, 4]], [5, 6])
    assert graph([2.0], [[1, 2], [3, 4]], [5, 6])[0] == 2.0 * 1 * 2 - 5 + 2.0 * 3 * 4 - 6
    with pytest.raises(ValueError, match=r"X has 3 entries, but the graph was recorded with 2"):
        graph([2.0], [[1, 2], [3, 4], [5, 6]], [5, 6])
    with pytest.raises(ValueError, match=r"X\[1\] has 3 entries, but the graph was recorded with 2"):
        graph([2.0], [[1, 2], [3, 4, 5]], [5, 6])
    with pytest.raises(TypeError, match=r"expected 2 inputs \(X, y\)"):
        graph([2.0], [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match=r"expected 1 parameter values"):
        graph([2.0, 3.0], [[1, 2], [3, 4]], [5, 6])
    with pytest.raises(TypeError, match=r"y\[1\] must be a real number, got str"):
        graph([2.0], [[1, 2], [3, 4]], [5, "6"])
    with pytest.raises(TypeError, match=r"parameter value 0 must be a number, got a Value"):
        graph([Value(2.0)], [[1, 2], [3, 4]], [5, 6])
    with pytest.raises(TypeError, match=r"X\[0\] must be a list of 2 entries"):
        graph([2.0], [7, [3, 4]], [5, 6])
    with pytest.raises(TypeError, match=r"parameter values must be a list of 1 numbers, got float"):
        graph(2.0, [[1, 2], [3, 4]], [5, 6])


def test_bad_arguments_raise_named_errors_also_under_python_O():
    imports = "from micrograd import Value\nfrom micrograd.compile import compile_graph, compile_function"
    x = "x = Value(1.0, 'x'); y = x * 2"
    assert_named_errors(
        {
            "root not a Value": ("compile_graph(2.0, [])", "TypeError", "root"),
            "params not a list": (f"{x}; compile_graph(y, x)", "TypeError", "params must be a list of Values"),
            "param not a leaf": (f"{x}; compile_graph(y * 3, [y])", "ValueError", "not a leaf"),
            "param not a Value": (f"{x}; compile_graph(y, [1.0])", "TypeError", "params[0] must be a Value"),
            "leaf given twice": (f"{x}; compile_graph(y, [x, x])", "ValueError", "give each leaf once"),
            "param and input": (f"{x}; compile_graph(y, [x], [x])", "ValueError", "give each leaf once"),
            "input not a leaf": (f"{x}; compile_graph(y * 3, [], [y])", "ValueError", "not a leaf"),
            "input a string": (f"{x}; compile_graph(y, [], 'x')", "TypeError", "inputs[0] must be a Value leaf"),
            "f not callable": ("compile_function(3, [])", "TypeError", "takes a function"),
            "f returns a float": ("compile_function(lambda x: x.data, [], 1.0)", "TypeError", "must return one Value"),
            "example is a Value": ("compile_function(lambda x: x, [], Value(1.0))", "TypeError", "takes numbers"),
            "example is a bool": ("compile_function(lambda x: x, [], True)", "TypeError", "must be a number"),
            "unroll not a bool": (f"{x}; compile_graph(y, [x], unroll=1)", "TypeError", "unroll must be True or False"),
            "unknown op": (f"{x}; y._op = 'max'; compile_graph(y, [x])", "ValueError", "cannot compile the op 'max'"),
        },
        imports,
    )


# -- random graphs: compiled == backward(), bit for bit ------------------------------------------

UNARY = [op.methods[0] for op in micrograd.ops.OPS.values() if op.arity == 1]  # every op of one operand
BINARY = [name for name, op in micrograd.ops.OPS.items() if op.arity == 2]
EXPONENTS = [0.0, 0.5, 1.0, 2.0, 3.0, -1.0, -2.0, 1.5]
values = st.one_of(st.floats(-3, 3, allow_nan=False), st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5]))
index = st.integers(0, 10**6)
steps = st.one_of(
    st.tuples(st.just("unary"), st.sampled_from(UNARY), index),
    st.tuples(st.just("binary"), st.sampled_from(BINARY), index, index),
    st.tuples(st.just("pow"), index, st.sampled_from(EXPONENTS)),
    st.tuples(st.just("number"), st.sampled_from(BINARY[:4]), index, values, st.booleans()),
    st.tuples(st.just("linear"), st.lists(st.tuples(index, index), min_size=0, max_size=4), index),
)
programs = st.lists(steps, min_size=1, max_size=12)


def run_program(program, leaves: list[Value], errors: list | None = None, results: list | None = None) -> Value:
    """Apply each step to earlier nodes (picked by index modulo their count); the sum of the unused ones is the result.

    With a list for errors, a step that raises is replaced by a stand-in and the program goes on: errors
    collects what each failing op raised, from operands that did not come from an earlier failure.
    With a list for results, the unused nodes go there, and their sum is not made.
    """
    nodes, stand_ins = list(leaves), set()
    for step in program:
        operands: list[Value] = []
        try:
            nodes.append(apply_step(step, picker(nodes, operands)))
        except (ArithmeticError, ValueError) as error:
            if errors is None:
                raise
            if not stand_ins.intersection(operands):
                errors.append((type(error), str(error)))
            nodes.append(Value(1.0))
            stand_ins.add(nodes[-1])
    unused = [n for n in nodes[len(leaves) :] if not any(n in m._prev for m in nodes)] or [nodes[-1]]
    if results is not None:
        results += unused
        return unused[-1]
    return sum(unused[1:], unused[0])  # every node it made counts, so that none is left out of the graph


def picker(nodes: list[Value], operands: list[Value]):
    """pick(i): node number i modulo their count, noted among the step's operands."""

    def pick(i: int) -> Value:
        operands.append(nodes[i % len(nodes)])
        return operands[-1]

    return pick


def apply_step(step, pick) -> Value:
    kind = step[0]
    if kind == "unary":
        return -pick(step[2]) if step[1] == "neg" else getattr(pick(step[2]), step[1])()
    if kind == "binary":
        return BINARY_OPS[step[1]](pick(step[2]), pick(step[3]))
    if kind == "pow":
        return pick(step[1]) ** step[2]
    if kind == "number":  # a number on one side: a constant leaf
        _, op, i, c, left = step
        return BINARY_OPS[op](c, pick(i)) if left else BINARY_OPS[op](pick(i), c)
    pairs, b = step[1], step[2]
    return linear([pick(i) for i, _ in pairs], [pick(j) for _, j in pairs], pick(b))


BINARY_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def assert_same_as_backward(graph: CompiledGraph, build, param_values, *inputs) -> None:
    """Same output and grads as backward(); where the engine raises, the compiled graph raises an error it raises.

    When several ops fail, which one fails first depends on the order they run in: any of the
    engine's errors for an op whose operands were computed is right.
    """
    try:
        expected = eager(build, param_values, *inputs)
    except (ArithmeticError, ValueError):
        errors: list = []
        build([Value(v) for v in param_values], *inputs, errors=errors)
        with pytest.raises((ArithmeticError, ValueError)) as raised:
            graph(param_values, *inputs)
        assert (type(raised.value), str(raised.value)) in errors
        return
    assert_same(graph(param_values, *inputs), expected)


@given(programs, st.integers(1, 3), st.integers(0, 3), st.data())
def test_random_graphs_compile_to_backwards_numbers(program, n_params, n_inputs, data):
    draw_values = st.lists(values, min_size=n_params + n_inputs, max_size=n_params + n_inputs)
    recorded, new = data.draw(draw_values), data.draw(draw_values)

    def build(params, xs, errors=None):
        return run_program(program, [*params, *(Value(x) for x in xs)], errors)

    params = [Value(v) for v in recorded[:n_params]]
    xs = [Value(v) for v in recorded[n_params:]]
    try:
        root = run_program(program, [*params, *xs])
    except (ArithmeticError, ValueError):
        assume(False)
    assume(root._prev)  # the root is a node, not one of the leaves
    graph = compile_graph(root, params, xs)
    assert_same_as_backward(graph, build, recorded[:n_params], recorded[n_params:])
    assert_same_as_backward(graph, build, new[:n_params], new[n_params:])


@st.composite
def batches(draw):
    """A per-example program run on each example of a batch, the results combined, maybe with a penalty."""
    return {
        "program": draw(programs),
        "n_params": draw(st.integers(1, 3)),
        "n_inputs": draw(st.integers(1, 3)),
        "m": draw(st.integers(2, 8)),
        "combine": draw(st.sampled_from(["sum", "mean", "product", "difference"])),
        "penalty": draw(st.booleans()),
        "chained": draw(st.booleans()),  # each example also reads the previous one's result
        "flat": draw(st.booleans()),  # combine every unused node of every example, not one sum per example
    }


def run_batch(spec, params: list[Value], X, labels, errors: list | None = None) -> Value:
    results, previous = [], Value(0.5)
    for x, label in zip(X, labels):
        leaves = [*params, *(xk if isinstance(xk, Value) else Value(xk) for xk in x), Value(label)]
        if spec["flat"]:
            previous = run_program(spec["program"], [*leaves, previous] if spec["chained"] else leaves, errors, results)
        else:
            previous = run_program(spec["program"], [*leaves, previous] if spec["chained"] else leaves, errors)
            results.append(previous)
    if spec["combine"] == "sum":
        total = sum(results)
    elif spec["combine"] == "mean":
        total = sum(results) * (1.0 / len(results))
    elif spec["combine"] == "product":
        total = results[0]
        for r in results[1:]:
            total = total * r
    else:
        total = results[0]
        for r in results[1:]:
            total = r - total
    return total + 1e-4 * sum(p * p for p in params) if spec["penalty"] else total


def example_results(spec, params, X, labels) -> list[Value]:
    return [run_program(spec["program"], [*params, *map(Value, x), Value(label)]) for x, label in zip(X, labels)]


def depends_on(root: Value, leaves: list[Value]) -> bool:
    return any(node in leaves for node in topological_order(root))


@settings(max_examples=100)
@given(batches(), st.data())
def test_a_batch_compiles_to_a_loop_with_backwards_numbers(spec, data):
    n_params, n_inputs, m = spec["n_params"], spec["n_inputs"], spec["m"]
    draw_params = st.lists(values, min_size=n_params, max_size=n_params)
    draw_X = st.lists(st.lists(values, min_size=n_inputs, max_size=n_inputs), min_size=m, max_size=m)
    labels = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=m, max_size=m))
    recorded, X = data.draw(draw_params), data.draw(draw_X)
    new, new_X = data.draw(draw_params), data.draw(draw_X)

    def f(X):
        return run_batch(spec, params, X, labels)

    params = [Value(v) for v in recorded]
    try:
        with mock.patch.object(loops_module, "LOOP_MIN_NODES", 2):  # loop over even the smallest batches
            graph = compile_function(f, params, X)
            unrolled = compile_function(f, params, X, unroll=True)
    except (ArithmeticError, ValueError):
        assume(False)

    def build(ps, X, errors=None):
        return run_batch(spec, ps, X, labels, errors)

    separate = not spec["chained"] and not spec["flat"]  # each example makes one result, from its own values
    if separate and any(depends_on(result, params) for result in example_results(spec, params, X, labels)):
        assert graph.repeats == m  # one loop over the examples
    for g in (graph, unrolled):
        assert_same_as_backward(g, build, recorded, X)
        assert_same_as_backward(g, build, new, new_X)
    assert unrolled.repeats == 1


# -- a copy outside the margin: its zeros skipped only where adding them changes nothing ----------

extremes = st.sampled_from([0.0, -0.0, 0.5, -0.5, 2.0, -2.0, 1e200, -1e200, math.inf, -math.inf, math.nan])
starts = st.sampled_from([0.0, -0.0, 0.25, -3.0, math.inf, math.nan])


@settings(max_examples=400)
@given(st.data(), st.booleans(), st.integers(1, 4))
def test_a_hinge_loss_over_a_batch_at_any_values_gives_backwards_grads(data, penalty, m):
    """The copies of a batch whose hinge is inactive are skipped when their zeros change no sum: never otherwise.

    Infinite or NaN weights and activations (0 · inf is NaN in backward()), -0.0 in a sum (-0.0 + 0.0 is
    +0.0), grads already held: each a case where skipping would change a bit, drawn on purpose.
    """
    number = st.one_of(extremes, st.floats(-3, 3))
    X = data.draw(st.lists(st.lists(number, min_size=2, max_size=2), min_size=m, max_size=m))
    labels = [float(v) for v in data.draw(st.lists(st.sampled_from([-1, 1]), min_size=m, max_size=m))]
    model = MLP(2, [3, 1], seed=0)
    params = model.parameters()
    weights = data.draw(st.lists(number, min_size=len(params), max_size=len(params)))
    held = data.draw(st.lists(starts, min_size=len(params), max_size=len(params)))

    def loss(X, y):
        margins = [(1.0 + -yi * model(x)).relu() for x, yi in zip(X, y)]
        total = sum(margins) * (1.0 / len(margins))
        return total + 1e-4 * sum(p * p for p in params) if penalty else total

    for p in params:
        p.data = 0.5
    with mock.patch.object(loops_module, "LOOP_MIN_NODES", 2):  # loop over even the smallest batches
        step = compile_function(loss, params, X, labels)
    assert step.repeats == m or m == 1
    for p, w, g in zip(params, weights, held):
        p.data, p.grad = w, g
    try:
        out = loss([list(map(Value, x)) for x in X], [Value(v) for v in labels])
        out.backward()
    except (ArithmeticError, ValueError):
        assume(False)
    expected = out.data, [p.grad for p in params]
    for p, g in zip(params, held):
        p.grad = g
    assert_same((step.run(X, labels), [p.grad for p in params]), expected)


def w3_loss_of(model: MLP, y: list[int]):
    """bench/w3.py's loss (engine_step's) as a function of the inputs X."""
    w3 = load_w3()
    return lambda X: w3.loss(model, list(map(model, X)), y)


def test_copies_outside_the_margin_are_skipped_in_the_code_as_written():
    """The W3 step's code stops a copy once its hinge grad is zero: the check the test above holds to backward()."""
    X, y = load_w3().moons(20)
    model = MLP(2, [16, 16, 1], seed=1337)
    source = compile_function(w3_loss_of(model, y), model.parameters(), X).source
    check = next(line.strip() for line in source.splitlines() if line.strip().startswith("if skip"))
    assert check == "if skip and g_z_3_0 == 0.0 and isfinite(sum(copy)):"


def test_the_tour_s_line_counts_of_the_w3_step_are_the_code_s():
    text = " ".join((Path(__file__).resolve().parent.parent / "docs" / "tour.md").read_text(encoding="utf-8").split())
    found = re.search(r"The compiled step is ([\d,]+) lines of Python; .* \(`unroll=True`\) it is ([\d,]+)\.", text)
    assert found
    X, y = load_w3().moons()
    model = MLP(2, [16, 16, 1], seed=1337)
    counts = [
        len(compile_function(w3_loss_of(model, y), model.parameters(), X, unroll=unroll).source.splitlines())
        for unroll in (False, True)
    ]
    assert [int(n.replace(",", "")) for n in found.groups()] == counts


# -- training: the W3 step, compiled, takes backward()'s steps exactly --------------------------


def load_w3():
    path = Path(__file__).resolve().parent.parent / "bench" / "w3.py"
    spec = importlib.util.spec_from_file_location("w3", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_w3_training_step_compiled_takes_the_same_steps_as_the_engine():
    w3 = load_w3()
    X, y = w3.moons()
    eager_model, model = MLP(2, [16, 16, 1], seed=1337), MLP(2, [16, 16, 1], seed=1337)
    eager_step = w3.engine_step(Value, eager_model, X, y)
    step = compile_function(w3_loss_of(model, y), model.parameters(), X)
    assert step.repeats == len(X)  # one loop over the 100 examples
    for _ in range(3):
        expected = eager_step()
        model.zero_grad()
        loss = step.run(X)
        for p in model.parameters():
            p.data -= w3.LEARNING_RATE * p.grad
        assert loss == expected
        assert [p.data.hex() for p in model.parameters()] == [p.data.hex() for p in eager_model.parameters()]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_quadratic_cost_over_a_batch_of_any_mlp(activation):
    def network():
        return MLP(3, [4, 2], activation=activation, output_activation="sigmoid", seed=7)

    def cost(model, X, Y):
        return sum(0.5 * sum((a - t) ** 2 for a, t in zip(model(x), y)) for x, y in zip(X, Y)) / len(X)

    model = network()
    X = [[0.1 * i, -0.2 * i, 0.3] for i in range(8)]
    Y = [[1.0, 0.0] if i % 2 else [0.0, 1.0] for i in range(8)]
    graph = compile_function(lambda X, Y: cost(model, X, Y), model.parameters(), X, Y)
    assert graph.repeats == 8
    assert "    for X_i_0, X_i_1, X_i_2, Y_i_0, Y_i_1 in zip(" in graph.source  # one example per turn

    new_params = [0.1 * ((7 * i) % 13 - 6) for i in range(len(model.parameters()))]
    new_X, new_Y = [[-0.4 * i, 0.25 * i, -1.0] for i in range(8)], [[0.5, 0.5]] * 8
    oracle = network()
    for p, v in zip(oracle.parameters(), new_params):
        p.data = v
    out = cost(oracle, new_X, new_Y)
    out.backward()
    assert_same(graph(new_params, new_X, new_Y), (out.data, [p.grad for p in oracle.parameters()]))


def test_numpy_arrays_are_values_like_lists(np):
    w = Value(0.5, "w")
    graph = compile_function(lambda X: sum(w * x[0] * x[1] for x in X), [w], np.ones((3, 2)))
    X = np.arange(6.0).reshape(3, 2)
    assert graph(np.array([2.0]), X) == graph([2.0], X.tolist()) == (2.0 * (0 * 1 + 2 * 3 + 4 * 5), [26.0])


def test_run_adds_the_gradients_to_grad_as_backward_does():
    w, b = Value(0.5, "w"), Value(-1.0, "b")
    graph = compile_function(lambda x: (w * x + b).tanh(), [w, b], 2.0)
    out = (w * Value(3.0) + b).tanh()
    out.backward()  # the grads start at 0: backward()'s grads, bit for bit
    expected = [w.grad, b.grad]
    w.grad = b.grad = 0.0
    assert graph.run(3.0) == out.data
    assert [w.grad.hex(), b.grad.hex()] == [g.hex() for g in expected]
    graph.run(3.0)  # and a second call adds to them
    assert [w.grad, b.grad] == [2 * g for g in expected]


def test_repr_says_what_was_compiled():
    x = Value(1.0, "x")
    graph = compile_graph(x * x, [x])
    assert repr(graph) == f"CompiledGraph(1 params, 0 inputs, {len(graph.source.splitlines())} lines)"
    assert graph.source.splitlines()[-1] == "    return v2, [g_x]"  # as the trace names it: x is v1


def test_unlabelled_nodes_have_the_names_the_trace_gives_them():
    a, b = Value(2.0, "a"), Value(-3.0)
    out = ((a * b).tanh() + a) * b
    names = trace_backward(out).names
    source = compile_graph(out, [a, b]).source
    assigned = {
        name.strip(" ,") for line in source.splitlines() if " = " in line for name in line.split(" = ")[0].split(",")
    }
    for node in topological_order(out):
        if not node.label:
            assert names[node] in assigned, (names[node], source)
    assert [names[n] for n in topological_order(out)] == ["a", "v2", "v3", "v4", "v5", "v6"]


@settings(max_examples=200)
@given(st.lists(st.floats(-3, 3, allow_nan=False), min_size=3, max_size=3), st.integers(1, 4))
def test_run_accumulates_into_grads_as_backward_does_bit_for_bit(start, calls):
    """Without zero_grad() between calls, run() adds to .grad in backward()'s order: ((g0 + c1) + c2) + ..."""
    w, b = Value(0.7, "w"), Value(-0.2, "b")
    x = Value(0.0, "x")
    graph = compile_graph((w * x + b).tanh() * w + b * b, [w, b], x)
    eager_w, eager_b = Value(0.7, "w"), Value(-0.2, "b")
    w.grad, b.grad = eager_w.grad, eager_b.grad = start[0], start[1]
    for i in range(calls):
        xi = start[2] + i
        graph.run(xi)
        ex = Value(xi, "x")
        ((eager_w * ex + eager_b).tanh() * eager_w + eager_b * eager_b).backward()
        assert (w.grad.hex(), b.grad.hex()) == (eager_w.grad.hex(), eager_b.grad.hex())
