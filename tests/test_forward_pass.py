"""The forward pass written out: every value in the order computed, held to arithmetic done by hand."""

from __future__ import annotations

from helpers import assert_named_errors, lecture_example
from micrograd import Value, linear
from micrograd.lab.forward_pass import trace_forward
from reading import TableReader

# -- the forward pass --------------------------------------------------------------------------------------


def test_the_forward_trace_lists_values_in_the_order_they_are_computed():
    v = lecture_example()
    forward = trace_forward(v["L"])
    assert forward.equations() == [
        "a = 2",
        "b = -3",
        "e = a * b = 2 * (-3) = -6",
        "c = 10",
        "d = e + c = (-6) + 10 = 4",
        "f = -2",
        "L = d * f = 4 * (-2) = -8",
    ]
    position = {step.node: step.number for step in forward}
    for step in forward:
        assert all(position[child] < step.number for child in step.node._prev)  # children come first


def test_the_forward_trace_writes_each_op_as_a_formula():
    x = Value(0.5, "x")
    w = [Value(2.0, "w0"), Value(-1.0, "w1")]
    z = linear(w, [x, x], Value(0.25, "b"))
    z.label = "z"
    formulas = {s.name: s.formula for s in trace_forward(((-z).exp() / x) ** 2 + x.relu().sigmoid())}
    assert formulas["z"] == "w0·x + w1·x + b"
    assert set(formulas.values()) >= {"-z", "exp(v6)", "v7 / x", "v8**2", "relu(x)", "sigmoid(v10)", "v9 + v11"}


def test_the_forward_table_has_one_row_per_value():
    forward = trace_forward(lecture_example()["L"])
    lines = str(forward).splitlines()
    assert lines[0] == "forward to L: 7 steps"
    assert lines[2].split() == ["step", "value", "op", "computed", "as", "data"]
    assert lines[5].split() == ["3", "e", "*", "a", "*", "b", "=", "2", "*", "(-3)", "-6"]
    reader = TableReader()
    reader.feed(forward._repr_html_())
    assert reader.rows[3] == ["3", "e", "*", "a * b = 2 * (-3)", "-6"]


def test_bad_arguments_raise_named_errors():
    assert_named_errors(
        {
            "root": ("trace_forward(3)", "TypeError", "trace_forward() needs a Value, got int"),
            "digits": ("trace_forward(Value(1), digits='4')", "TypeError", "digits must be an int"),
        },
        imports="from micrograd import Value\nfrom micrograd.lab.forward_pass import trace_forward",
    )
