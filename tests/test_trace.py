"""The backward trace and its stepper, held to hand-derived values and to backward() itself."""

from __future__ import annotations

import json
import math
import pathlib
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import assert_named_errors, lecture_example
from micrograd import MLP, Value, linear, topological_order
from micrograd.lab.render import render_svg
from micrograd.lab.stepper import Stepper
from micrograd.lab.trace import trace_backward
from reading import SVG, TableReader

# -- backward, step by step ------------------------------------------------------------------


def test_each_step_is_the_chain_rule_with_the_numbers_worked_out_by_hand():
    v = lecture_example()
    trace = trace_backward(v["L"])

    # backward visits L, f, d, c, e, b, a (reverse topological order); leaves have no children.
    # By hand: ∂L/∂d = f = −2, ∂L/∂f = d = 4, ∂d/∂e = ∂d/∂c = 1, ∂e/∂a = b = −3, ∂e/∂b = a = 2.
    #              node child  local upstream contribution before after
    assert [(s.node_name, s.child_name, s.local, s.upstream, s.contribution, s.before, s.after) for s in trace] == [
        ("L", "d", -2.0, 1.0, -2.0, 0.0, -2.0),
        ("L", "f", 4.0, 1.0, 4.0, 0.0, 4.0),
        ("d", "e", 1.0, -2.0, -2.0, 0.0, -2.0),
        ("d", "c", 1.0, -2.0, -2.0, 0.0, -2.0),
        ("e", "a", -3.0, -2.0, 6.0, 0.0, 6.0),
        ("e", "b", 2.0, -2.0, -4.0, 0.0, -4.0),
    ]
    assert trace.equations() == [
        "L.grad = 1   (the seed: ∂L/∂L = 1)",
        "d.grad += (∂L/∂d = -2) × (L.grad = 1) → d.grad = 0 + (-2) = -2",
        "f.grad += (∂L/∂f = 4) × (L.grad = 1) → f.grad = 0 + 4 = 4",
        "e.grad += (∂d/∂e = 1) × (d.grad = -2) → e.grad = 0 + (-2) = -2",
        "c.grad += (∂d/∂c = 1) × (d.grad = -2) → c.grad = 0 + (-2) = -2",
        "a.grad += (∂e/∂a = -3) × (e.grad = -2) → a.grad = 0 + 6 = 6",
        "b.grad += (∂e/∂b = 2) × (e.grad = -2) → b.grad = 0 + (-4) = -4",
    ]
    assert [s.number for s in trace] == [1, 2, 3, 4, 5, 6]


def test_the_trace_runs_backward_and_ends_with_its_grads():
    traced, plain = lecture_example(), lecture_example()  # the same graph, built twice
    trace = trace_backward(traced["L"])
    plain["L"].backward()
    for name in plain:
        assert traced[name].grad == plain[name].grad, name
        assert trace.grads[traced[name]] == plain[name].grad, name


def test_a_value_used_twice_gets_both_contributions():
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    trace = trace_backward(b)
    assert trace.equations()[1:] == [
        "a.grad += (∂b/∂a [operand 1] = 3) × (b.grad = 1) → a.grad = 0 + 3 = 3",
        "a.grad += (∂b/∂a [operand 2] = 3) × (b.grad = 1) → a.grad = 3 + 3 = 6",  # d(a²)/da = 2a = 6
    ]
    assert a.grad == 6.0


def test_leaves_accumulate_across_traces_as_across_backward_calls():
    traced, plain = lecture_example(), lecture_example()
    trace_backward(traced["L"])
    second = trace_backward(traced["L"])
    plain["L"].backward()
    plain["L"].backward()
    assert second[4].equation() == "a.grad += (∂e/∂a = -3) × (e.grad = -2) → a.grad = 6 + 6 = 12"
    for name in plain:
        assert traced[name].grad == plain[name].grad, name  # leaves doubled, interior nodes recomputed


def test_a_seed_other_than_one_scales_every_grad():
    traced, plain = lecture_example(), lecture_example()
    trace = trace_backward(traced["L"], 0.5)
    plain["L"].backward(0.5)
    assert trace.seed_equation() == "L.grad = 0.5   (the seed given to backward)"
    assert traced["a"].grad == plain["a"].grad == 3.0


def test_a_name_with_spaces_is_put_in_parentheses_in_equations():
    a = Value(0.5, "a")
    e = a - 1.0
    e.label = "a - y"
    C = e * e
    C.label = "C"
    assert trace_backward(C)[0].equation() == (
        "(a - y).grad += (∂C/∂(a - y) [operand 1] = -0.5) × (C.grad = 1) → (a - y).grad = 0 + (-0.5) = -0.5"
    )


def test_a_leaf_root_has_no_steps():
    x = Value(4.0, "x")
    trace = trace_backward(x)
    assert len(trace) == 0 and x.grad == 1.0
    assert trace.equations() == ["x.grad = 1   (the seed: ∂x/∂x = 1)"]


def test_every_step_shows_the_engines_own_numbers():
    model = MLP(2, [3, 1], activation="sigmoid", seed=1)
    loss = (model([0.3, -0.7]) - 1.0) ** 2
    trace = trace_backward(loss)
    for s in trace:
        assert s.local is s.node._local[s.operand]  # the very float stored on the edge
        assert s.child is s.node._prev[s.operand]
        assert s.upstream == trace.grads[s.node]  # complete when backward reaches the node
        assert s.contribution == s.local * s.upstream
        assert s.after == s.before + s.contribution
    # every edge of the graph is one step, once
    assert len(trace) == sum(len(n._prev) for n in topological_order(loss))


@st.composite
def expression_recipes(draw):
    """Leaves, then up to 30 ops each reading earlier nodes, so subexpressions are reused."""
    leaves = draw(st.lists(st.floats(-2, 2), min_size=1, max_size=4))
    ops = []
    for n in range(draw(st.integers(1, 30))):
        op = draw(st.sampled_from(["add", "mul", "sub", "tanh", "sigmoid", "square", "linear", "neg", "relu"]))
        i, j = draw(st.integers(0, len(leaves) + n - 1)), draw(st.integers(0, len(leaves) + n - 1))
        ops.append((op, i, j))
    return leaves, ops


def build(recipe):
    data, ops = recipe
    nodes = [Value(x, f"x{k}") for k, x in enumerate(data)]
    do = {
        "add": lambda x, y: x + y,
        "mul": lambda x, y: x * y,
        "sub": lambda x, y: x - y,
        "tanh": lambda x, y: x.tanh(),
        "sigmoid": lambda x, y: x.sigmoid(),
        "square": lambda x, y: x**2,
        "linear": lambda x, y: linear([x, y], [y, x], x),
        "neg": lambda x, y: -x,
        "relu": lambda x, y: x.relu(),
    }
    for op, i, j in ops:
        nodes.append(do[op](nodes[i], nodes[j]))
    return nodes[-1] + nodes[-2] if len(nodes) > 1 else nodes[-1], nodes


@given(expression_recipes())
def test_on_random_graphs_the_trace_ends_with_exactly_the_grads_of_backward(recipe):
    root, nodes = build(recipe)
    twin, twin_nodes = build(recipe)
    trace = trace_backward(root)
    twin.backward()
    for node, same in zip([root, *nodes], [twin, *twin_nodes]):
        assert node.grad == same.grad or (math.isnan(node.grad) and math.isnan(same.grad))
    for node, grad in trace.grads.items():
        assert grad == node.grad or (math.isnan(grad) and math.isnan(node.grad))


def test_the_text_table_lists_every_step_with_its_numbers():
    trace = trace_backward(lecture_example()["L"])
    lines = str(trace).splitlines()
    assert lines[0] == "backward from L: L.grad = 1   (the seed: ∂L/∂L = 1), then 6 steps"
    assert lines[2].split() == [
        "step",
        "node",
        "child",
        "∂node/∂child",
        "node.grad",
        "contribution",
        "child.grad",
        "before",
        "after",
    ]
    # The note says what is true of every expression, weights or not: L = (a·b + c)·f has none.
    assert lines[-1] == (
        "the leaves (a, b, c, f) are the values L is computed from: backward adds ∂L/∂(leaf) to the grad of each"
    )
    nodes = lecture_example()
    seeded = trace_backward(nodes["L"], grad=0.5)  # a seed other than 1 scales every grad
    assert str(seeded).splitlines()[-1].endswith("backward adds 0.5 × ∂L/∂(leaf) to the grad of each")
    assert nodes["a"].grad == 0.5 * nodes["f"].data * nodes["b"].data  # 0.5 × ∂L/∂a, by hand
    rows = [line.split() for line in lines[3:-2]]
    assert rows == [
        ["1", "L", "d", "-2", "1", "-2", "0", "-2"],
        ["2", "L", "f", "4", "1", "4", "0", "4"],
        ["3", "d", "e", "1", "-2", "-2", "0", "-2"],
        ["4", "d", "c", "1", "-2", "-2", "0", "-2"],
        ["5", "e", "a", "-3", "-2", "6", "0", "6"],
        ["6", "e", "b", "2", "-2", "-4", "0", "-4"],
    ]


def test_the_html_table_shows_the_same_steps_escaped():
    a = Value(0.5, "<a & b>")
    y = a.tanh()
    y.label = "y"
    reader = TableReader()
    reader.feed(trace_backward(y)._repr_html_())
    slope = f"{1 - math.tanh(0.5) ** 2:.4g}"  # tanh' = 1 − tanh²
    assert reader.caption == "backward from y: y.grad = 1   (the seed: ∂y/∂y = 1), then 1 step"
    assert reader.rows == [
        ["step", "node", "child", "∂node/∂child", "node.grad", "contribution", "child.grad before", "after"],
        ["1", "y", "<a & b>", slope, "1", slope, "0", slope],
    ]
    assert reader.rows[1][3] == "0.7864"


def test_digits_changes_how_many_digits_the_trace_shows():
    x = Value(1.0, "x")
    y = x.exp()
    y.label = "y"
    trace = trace_backward(y, digits=8)
    assert trace[0].equation(8) == "x.grad += (∂y/∂x = 2.7182818) × (y.grad = 1) → x.grad = 0 + 2.7182818 = 2.7182818"
    assert "2.7182818" in str(trace)


# -- drawing one step ---------------------------------------------------------------------------


def grads_and_fill(svg: str) -> tuple[dict[str, str], set[str]]:
    """Each value's grad line by its label, and the labels of the values drawn highlighted."""
    root = ET.fromstring(svg)
    grads, lit = {}, set()
    for g in root.iter(f"{SVG}g"):
        lines = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node" and len(lines) == 3:
            grads[lines[0]] = lines[2]
            if any(p.get("fill") == "#ffd54f" for p in g.iter(f"{SVG}polygon")):
                lit.add(lines[0])
    return grads, lit


def test_drawing_a_step_shows_only_the_grads_known_so_far():
    trace = trace_backward(lecture_example()["L"])
    grads, lit = grads_and_fill(render_svg(trace.draw(3)))  # after step 3: e.grad += ∂d/∂e × d.grad
    assert grads == {
        "L": "grad 1",
        "d": "grad -2",
        "f": "grad 4",
        "e": "grad -2",
        "c": "grad ?",
        "a": "grad ?",
        "b": "grad ?",
    }
    assert lit == {"e"}
    assert grads_and_fill(render_svg(trace.draw(0))) == (
        {"L": "grad 1", **{name: "grad ?" for name in "abcdef"}},
        {"L"},
    )


def test_a_step_number_out_of_range_is_a_value_error():
    trace = trace_backward(lecture_example()["L"])
    with pytest.raises(ValueError, match=r"steps 1 to 6 \(0 is the seed\), so no step 7"):
        trace.draw(7)
    with pytest.raises(TypeError, match="a step number must be an int"):
        trace.draw(1.0)


# -- the stepper, as a file ------------------------------------------------------------------------


def test_the_saved_stepper_is_one_self_contained_page(tmp_path):
    v = lecture_example()
    path = trace_backward(v["L"]).stepper().save(tmp_path / "stepper.html")
    page = pathlib.Path(path).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1 and page.count("<script>") == 1
    # nothing is fetched: no src, href, @import or url(...), and http only in the SVG's namespace names
    assert not re.search(r"\b(src|href)\s*=|@import|url\(", page)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    frames = json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))["frames"]
    assert [f["eq"] for f in frames][1] == "step 1: d.grad += (∂L/∂d = -2) × (L.grad = 1) → d.grad = 0 + (-2) = -2"


def test_the_stepper_page_is_built_from_its_package_data_files(tmp_path):
    static = pathlib.Path(__file__).resolve().parents[1] / "micrograd" / "lab" / "static"
    stepper = trace_backward(lecture_example()["L"]).stepper()
    assert isinstance(stepper, Stepper)
    page = stepper.html()
    for name in ("stepper.css", "stepper.js"):
        assert (static / name).read_text(encoding="utf-8") in page


def test_a_label_cannot_break_out_of_the_stepper_script():
    a = Value(1.0, "</script><script>alert(1)</script>")
    b = a * 2.0
    b.label = "b"
    fragment = trace_backward(b).stepper()._repr_html_()
    script = fragment[fragment.index("<script>") :]
    assert script.count("</script>") == 1  # the label's "</script>" is spelled \u003c/script> inside the JSON


def test_the_stepper_refuses_a_graph_too_large_to_draw():
    x = Value(0.0)
    for _ in range(30):
        x = x * 1.0
    trace = trace_backward(x)
    with pytest.raises(ValueError, match="more than max_nodes=50 values"):
        trace.stepper(max_nodes=50)
    assert trace.stepper(max_nodes=61)


# -- bad arguments ----------------------------------------------------------------------------------


def test_bad_arguments_raise_named_errors():
    assert_named_errors(
        {
            "root": ("trace_backward([Value(1)])", "TypeError", "needs a single Value as its root, got list"),
            "seed": ("trace_backward(Value(1), '1')", "TypeError", "trace_backward(grad=...) takes a real number"),
            "digits": ("trace_backward(Value(1), digits=0)", "ValueError", "digits must be between 1 and 17"),
        },
        imports="from micrograd import Value\nfrom micrograd.lab.trace import trace_backward",
    )


def test_the_stepper_legend_says_what_a_leaf_is_for_any_expression():
    trace = trace_backward(lecture_example()["L"])
    legend = trace.legend
    assert legend in trace.stepper()._repr_html_()  # the legend the stepper shows
    # L = (a·b + c)·f has no weights: the legend must not speak of any
    assert "a leaf: a value computed from no other (backward gives every leaf a grad)" in legend
    assert "weight" not in legend
