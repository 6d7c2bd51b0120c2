"""Forward mode: Dual numbers, jvp() and trace_forward_mode(), against PyTorch's torch.func.jvp and reverse mode."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_graphs import build, points, recipes

from edge_cases import OPS
from helpers import lecture_example
from micrograd import Value, topological_order
from micrograd.autodiff import forward_mode
from micrograd.autodiff.autograd import grad
from micrograd.autodiff.forward_mode import Dual, jvp
from micrograd.autodiff.forward_mode import linear as dual_linear
from micrograd.lab.trace import dotted, trace_forward_mode


def dual_apply(op, xs):
    """The op of the table on Duals: linear, amax and logsumexp of Values have their own versions for Duals."""
    if op.op == "w·a+b":
        x, w, b = xs
        return dual_linear([w], [x], b)
    if op.op in ("max", "logsumexp"):
        return {"max": forward_mode.amax, "logsumexp": forward_mode.logsumexp}[op.op](xs)
    return op.value(*xs)


def test_a_dual_number_carries_the_derivative():
    d = Dual(2.0, 1.0) ** 3
    assert (d.primal, d.tangent) == (8.0, 12.0)
    assert str(d) == "8.0 + 12.0ε"
    assert repr(d) == "Dual(8.0, 12.0)"
    assert str(3.0 - Dual(1.0, 1.0)) == "2.0 - 1.0ε"
    e = Dual(0.5, 1.0).exp()
    assert (e.primal, e.tangent) == (math.exp(0.5), math.exp(0.5))


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_on_duals_gives_a_value_s_numbers_and_errors(name):
    """At ordinary points and at edges where Python raises: the value and backward's derivative, or the same error."""
    op = OPS[name]
    for point in [0.7, -1.3, 0.0, 2.0, -0.0, math.inf, 1e308]:
        args = [point] * len(op.domain)
        for i in range(len(args)):
            values = [Value(x) for x in args]
            duals = [Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(args)]
            try:
                out = op.value(*values)
            except (ArithmeticError, ValueError) as error:
                with pytest.raises(type(error), match=re_escape(str(error))):
                    dual_apply(op, duals)
                continue
            d = dual_apply(op, duals)
            out.backward()
            assert same(d.primal, out.data)
            assert same(d.tangent, values[i].grad), (name, args, i)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


@settings(max_examples=300)
@given(points, recipes, st.data())
def test_jvp_of_random_graphs_of_every_op_matches_pytorch_and_reverse_mode(torch, data, recipe, draw):
    from torch.func import jvp as torch_jvp

    tangents = draw.draw(st.lists(st.floats(-2, 2), min_size=len(data), max_size=len(data)))
    value, tangent = jvp(lambda xs: build_from(xs, data, recipe, dual_apply), data, tangents)

    def f(*ts):
        made = iter(ts)
        return build(data, recipe, lambda x: next(made), lambda op, xs: op.torch(torch, *xs))[-1]

    t_value, t_tangent = torch_jvp(f, tuple(torch.tensor(x) for x in data), tuple(torch.tensor(t) for t in tangents))
    assert value == pytest.approx(t_value.item(), rel=1e-12, abs=1e-300)
    assert tangent == pytest.approx(t_tangent.item(), rel=1e-12, abs=1e-12)
    # reverse mode: the same derivative, as the gradient's dot product with the tangents
    leaves = [Value(x) for x in data]
    root = build_from(leaves, data, recipe, lambda op, xs: op.value(*xs))
    gradient = grad(root, leaves)
    reverse = math.fsum(g.data * t for g, t in zip(gradient, tangents))
    assert tangent == pytest.approx(reverse, rel=1e-12, abs=1e-12 * (1 + sum(abs(g.data) for g in gradient)))


def build_from(leaves, data, recipe, apply):
    made = iter(leaves)
    return build(data, recipe, lambda x: next(made), apply)[-1]


@settings(max_examples=200)
@given(points, recipes)
def test_trace_forward_mode_gives_every_input_s_derivative_as_reverse_mode_does(data, recipe):
    leaves = [Value(x) for x in data]
    root = build_from(leaves, data, recipe, lambda op, xs: op.value(*xs))
    reverse = grad(root, leaves)
    in_graph = set(topological_order(root))
    for leaf, g in zip(leaves, reverse):
        if leaf not in in_graph:  # trace_forward_mode refuses it; reverse mode gives it 0
            assert g.data == 0.0
            continue
        traced = trace_forward_mode(root, wrt=leaf).derivative
        assert traced == pytest.approx(g.data, rel=1e-12, abs=1e-12)


def lecture():
    v = lecture_example()
    return v["L"], v["a"], v["b"]


def test_the_lecture_s_expression_step_by_step():
    L, a, b = lecture()
    trace = trace_forward_mode(L, wrt=a)
    assert trace.equations() == [
        "ȧ = 1   (the seed: ∂a/∂a = 1; every other input's tangent is 0)",
        "ė = ∂e/∂a·ȧ + ∂e/∂b·ḃ = (-3)·1 + 2·0 = -3",
        "ḋ = ∂d/∂e·ė + ∂d/∂c·ċ = 1·(-3) + 1·0 = -3",
        "L̇ = ∂L/∂d·ḋ + ∂L/∂f·ḟ = (-2)·(-3) + 4·0 = 6",
    ]
    L.backward()
    assert trace.derivative == a.grad == 6.0  # (b·f) by hand: (-3)·(-2)
    assert trace_forward_mode(L, wrt=b).derivative == b.grad == -4.0  # a·f
    assert "∂e/∂a·ȧ + ∂e/∂b·ḃ = (-3)·1 + 2·0" in str(trace)
    assert "<table" in trace._repr_html_()


def test_the_forward_mode_stepper_fills_in_each_tangent(tmp_path):
    L, a, _ = lecture()
    stepper = trace_forward_mode(L, wrt=a).stepper()
    page = stepper.html()
    assert "tangent 6" in page and "tangent ?" in page and "forward mode" in page
    frames = stepper.frames
    assert [f["text"] for f in frames] == ["tangent 1", "tangent -3", "tangent -3", "tangent 6"]
    assert sorted(frames[0]["fill"].values()) == ["tangent 0"] * 3  # b, c and f
    assert len(frames[1]["edge"]) == 2  # e = a * b: both edges lit


def test_tangent_names():
    assert dotted("a") == "ȧ" and dotted("z[1][0]") == "ż[1][0]" and dotted("(a - y)") == "d((a - y))"


def test_bad_input_is_named():
    L, a, _ = lecture()
    with pytest.raises(ValueError, match="one tangent per primal, got 2 primals and 1 tangents"):
        jvp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="jvp\\(\\) tangents"):
        jvp(lambda v: v[0], [1.0], ["x"])
    with pytest.raises(TypeError, match="must return a Dual or a list of Duals, got float"):
        jvp(lambda v: 1.0, [1.0], [1.0])
    with pytest.raises(TypeError, match="Dual\\(\\)"):
        Dual("2")
    with pytest.raises(TypeError, match="mixed the Duals it was given with Values"):
        jvp(lambda v: v[0] * Value(2.0), [1.0], [1.0])
    with pytest.raises(ValueError, match="not a value of the root's graph"):
        trace_forward_mode(L, wrt=Value(1.0))
    with pytest.raises(ValueError, match="must be a leaf"):
        trace_forward_mode(L, wrt=L)
    with pytest.raises(TypeError, match="needs a Value as its root, got float"):
        trace_forward_mode(1.0, wrt=a)
    with pytest.raises(ValueError, match="as many weights as inputs"):
        dual_linear([Dual(1.0)], [])
