"""gradcheck() and gradgradcheck(): they pass correct derivatives, and catch a wrong one, naming it."""

from __future__ import annotations

import math

import pytest

import micrograd.autodiff.autograd
from micrograd import Value, gradcheck, gradgradcheck
from micrograd.engine import new_node
from micrograd.ops import TANH


def f(x):
    return x[0] * x[1].tanh() + x[0] ** 3 + (x[1] * x[2]).sigmoid()


POINT = [0.5, -1.0, 0.3]


def test_correct_derivatives_pass_with_a_table_that_shows_the_engine_s_numbers():
    result = gradcheck(f, POINT)
    assert result
    assert len(result) == 3
    t = math.tanh(-1.0)
    # the closed form of ∂f/∂x[0] = tanh(x1) + 3x0², independently of the engine
    assert result[0].analytic == pytest.approx(t + 3 * 0.25, rel=1e-15)
    assert result[0].numeric == pytest.approx(t + 3 * 0.25, rel=1e-8)
    text = str(result)
    assert "∂f/∂x[0]" in text and "pass" in text and "FAIL" not in text
    assert f"{result[0].analytic:.8f}".rstrip("0")[:8] in text
    assert result.message == "all 3 derivatives agree with central differences"


def test_second_derivatives_pass():
    result = gradgradcheck(f, POINT)
    assert result and len(result) == 9
    assert result[0].analytic == pytest.approx(6 * 0.5, rel=1e-15)  # ∂²f/∂x[0]² = 6 x0


def wrong_tanh(self):
    """tanh with the derivative 1 − tanh (a learner's slip for 1 − tanh²)."""
    out = math.tanh(self.data)
    return new_node(out, (self,), (1.0 - out,), TANH)


def test_a_wrong_derivative_is_caught_and_the_input_named(monkeypatch):
    monkeypatch.setattr(Value, "tanh", wrong_tanh)
    result = gradcheck(f, POINT)
    assert not result
    assert [c.ok for c in result] == [True, False, True]  # only x[1] goes through tanh's derivative
    assert result.message.startswith("∂f/∂x[1] is wrong: grad() gives ")
    assert "FAIL" in str(result)


def test_a_wrong_second_derivative_is_caught_where_the_first_is_right(monkeypatch):
    # tanh's local derivative as Values, 1 − tanh instead of 1 − tanh²: backward() keeps the right floats
    wrong = {TANH: lambda out, x: (1.0 - out,)}
    monkeypatch.setattr(micrograd.autodiff.autograd, "_graph_locals", wrong)
    assert gradcheck(f, POINT)
    result = gradgradcheck(f, POINT)
    assert not result
    assert "x[1]" in result.message


def test_labelled_inputs_name_their_rows():
    a, b = Value(1.5, label="a"), Value(2.0, label="b")
    result = gradcheck(lambda x: x[0] * x[1], [a, b])
    assert [c.name for c in result] == ["∂f/∂a", "∂f/∂b"]


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="function of a list of Values, got int"):
        gradcheck(3, [1.0])
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(f, [])
    with pytest.raises(ValueError, match="eps must be a finite number > 0, got 0"):
        gradcheck(f, POINT, eps=0)
    with pytest.raises(ValueError, match="rtol must be a finite number ≥ 0"):
        gradcheck(f, POINT, rtol=-1.0)
    with pytest.raises(TypeError, match="f must return one Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])
    with pytest.raises(ValueError, match="must be leaves"):
        gradcheck(f, [Value(1.0) * 2.0])
