"""Every op is defined once (micrograd.ops), and every consumer of the definitions knows every op.

Adding an op is its definition plus its entry in the table of ops (tests/edge_cases.py); these tests
fail when either is missing, and when any consumer (the Value methods, backward(), the compiled
code, traces, drawings, the names generated code reserves, networks, saving, PyTorch, the oracle)
does not cover it.
"""

from __future__ import annotations

import ast
import math
import xml.etree.ElementTree as ET

import pytest

import edge_cases
import micrograd.ops as ops
from micrograd import MLP, Neuron, Value
from micrograd.compile import compile_graph
from micrograd.compile.names import RESERVED
from micrograd.equations import sigma, sigma_prime
from micrograd.expr import Expr, Group, literal, where
from micrograd.lab.forward_pass import trace_forward
from micrograd.lab.render import render_svg
from micrograd.lab.trace import trace_backward
from micrograd.lab.viz import draw_dot
from micrograd.runtime import RUNTIME

ENTRIES = list(edge_cases.OPS.values())


def test_the_table_of_ops_covers_the_registry_and_nothing_else():
    assert {entry.op for entry in ENTRIES} == {*ops.OPS, "**n"}


def test_activations_are_the_registry_s_activation_ops_and_linear():
    assert set(ops.ACTIVATIONS) == {"linear", *(name for name, op in ops.OPS.items() if op.activation)}
    assert {"relu", "tanh", "sigmoid", "leaky_relu", "softplus", "gelu"} <= set(ops.ACTIVATIONS)


@pytest.mark.parametrize("op", list(ops.OPS.values()), ids=list(ops.OPS))
def test_every_name_generated_code_uses_is_provided_and_reserved(op):
    for text in (op.value_text, op.local_text):
        tree = ast.parse(text, mode="eval")
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        bound = {n.target.id for n in ast.walk(tree) if isinstance(n, ast.comprehension)}  # logsumexp's zd_k
        free = loaded - {*op.operands, "out"} - bound
        assert free <= {*RUNTIME, *Value.__dict__, "sum", "map"}, (op.name, free)
        assert free <= RESERVED, f"generated code for {op.name} calls {free - RESERVED}, which a label could shadow"


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_every_op_compiles_to_code_bitwise_equal_to_backward(entry):
    xs = [0.5 * (lo + hi) + 0.1 * (hi - lo) for lo, hi in entry.domain]
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = entry.value(*leaves) * 1.5  # a node above it, so its grad is not the seed
    graph = compile_graph(out, leaves)
    value, grads = graph(xs)
    out.backward()
    assert value.hex() == out.data.hex()
    assert [g.hex() for g in grads] == [leaf.grad.hex() for leaf in leaves], graph.source


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_every_op_is_traced_and_drawn_in_its_own_notation(entry):
    xs = [0.5 * (lo + hi) + 0.1 * (hi - lo) for lo, hi in entry.domain]
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = entry.value(*leaves)
    out.label = "out"
    op = out._op
    step = trace_forward(out)[-1]
    assert step.formula == op.write([trace_backward(out).names[c] for c in out._prev])
    assert f"out = {step.formula} = " in step.equation()
    trace = trace_backward(out)
    assert len(trace) == len(out._prev)
    assert [s.local for s in trace] == list(out._local)
    svg = ET.fromstring(render_svg(draw_dot(out)).encode("utf-8"))
    shown = {"".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    # a neuron whose inputs are all leaves is a first layer's: the textbook writes its z as w·x+b
    assert ("w·x+b" if op.name == "w·a+b" else op.name) in shown


@pytest.mark.parametrize("activation", ops.ACTIVATIONS)
def test_every_activation_works_in_a_network_and_agrees_with_the_oracle(activation, tmp_path):
    model = MLP(2, [3, 1], activation=activation, output_activation=activation, seed=1)
    out = model([0.3, -0.7])
    z = model.layers[-1].z[0]
    assert out.data == pytest.approx(sigma(z.data, activation), rel=1e-12, abs=1e-300)
    out.backward()
    assert z.grad == pytest.approx(sigma_prime(z.data, activation), rel=1e-12, abs=1e-300)
    model.save(tmp_path / "m.json")
    loaded = MLP.load(tmp_path / "m.json")
    assert [layer.activation for layer in loaded.layers] == [activation, activation]
    assert loaded([0.3, -0.7]).data == out.data
    assert Neuron(2, activation=activation, seed=0).activation == activation


def test_the_oracle_knows_every_activation():
    for activation in ops.ACTIVATIONS:
        assert math.isfinite(sigma(0.3, activation)) and math.isfinite(sigma_prime(0.3, activation))


def test_the_torch_bridge_maps_every_activation():
    from micrograd.torch_bridge import MODULES

    assert set(MODULES) == set(ops.ACTIVATIONS)


# -- the expressions an op's definition prints itself as -----------------------------------------------


def test_expressions_print_the_parentheses_python_needs_and_no_more():
    x, y, z = Expr("x", names=frozenset("x")), Expr("y"), Expr("z")
    assert str(1.0 - x * x) == "1.0 - x * x"
    assert str((1.0 - x) * x) == "(1.0 - x) * x"
    assert str(x - (y - z)) == "x - (y - z)"  # float arithmetic is not associative: keep the grouping
    assert str(x - y - z) == "x - y - z"
    assert str(-x / y) == "-x / y"
    assert str(-(x + y)) == "-(x + y)"
    assert str(x * -1.5) == "x * -1.5"
    assert str(where(x >= 0.0, 1.0, where(x < 0.0, -1.0, 0.0))) == "1.0 if x >= 0.0 else -1.0 if x < 0.0 else 0.0"
    assert str(where(x > 0.0, x, y) + 1.0) == "(x if x > 0.0 else y) + 1.0"
    assert str(literal(math.inf)) == "inf" and str(literal(-math.inf)) == "-inf" and str(literal(math.nan)) == "nan"
    assert (x * y).names == {"x"}
    assert [str(e) for e in Group("w")] == ["*w"]


@pytest.mark.parametrize(
    "text", ["a - (b - c)", "a * (b * c)", "a / (b / c)", "-(a - b) * c", "a - b * c + a / (b - c)"]
)
def test_printed_expressions_compute_what_python_computes(text):
    floats = {"a": 0.1, "b": 0.7, "c": 3.0}
    printed = str(eval(text, {}, {k: Expr(k) for k in floats}))
    assert eval(printed, {}, floats).hex() == eval(text, {}, floats).hex()


def test_an_expression_refuses_a_python_if():
    with pytest.raises(TypeError, match=r"use m\.where"):
        bool(Expr("x") > 0.0)


STRUCTURAL_ZEROS = {
    "an inactive relu under an infinite derivative": (lambda x: x.relu() ** 0.5, lambda t, x: t.relu(x) ** 0.5, -1.0),
    "relu as an exponent": (
        lambda z: Value(-1.0) ** z.relu(),
        lambda t, z: t.tensor(-1.0, dtype=t.float64) ** t.relu(z),
        -2.0,
    ),
    "x ** 0 under an infinite upstream": (lambda x: (x**0) * math.inf, lambda t, x: (x**0) * math.inf, 3.0),
    "x ** 0 under a NaN upstream": (lambda x: (x**0) * math.nan, lambda t, x: (x**0) * math.nan, 3.0),
    "x ** 0 under a negative upstream": (lambda x: (x**0) * -2.0, lambda t, x: (x**0) * -2.0, 0.0),
    "an inactive relu under a negative upstream": (lambda x: x.relu() * -2.0, lambda t, x: t.relu(x) * -2.0, -1.0),
}


@pytest.mark.parametrize("case", STRUCTURAL_ZEROS)
def test_a_structural_zero_passes_plus_zero_whatever_comes_from_above_as_pytorch(torch, case):
    ours, theirs, at = STRUCTURAL_ZEROS[case]
    x = Value(at)
    ours(x).backward()
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    theirs(torch, t).backward()
    assert edge_cases.same(x.grad, t.grad.item()), (x.grad, t.grad.item())
    assert x.grad == 0.0 and math.copysign(1.0, x.grad) == 1.0
