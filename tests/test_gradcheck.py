"""gradcheck() and gradgradcheck(): they pass correct derivatives, and catch a wrong one, naming it."""

from __future__ import annotations

import math

import pytest

import micrograd.autodiff.autograd
from micrograd import Value, gradcheck, gradgradcheck
from micrograd.autodiff.autograd import grad
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


# -- a derivative function: f that calls grad() itself ------------------------------------------------------


def d_cube(x):
    """d/dx x³ = 3x², by grad(create_graph=True): a derivative function, checked like any f."""
    return grad(x[0] ** 3, [x[0]], create_graph=True)[0]


@pytest.mark.parametrize("x", [2.0, -1.5, 0.5, 7.0])
def test_a_derivative_function_that_calls_grad_is_checked_against_its_closed_form(x):
    result = gradcheck(d_cube, [x])
    assert result, result.message
    assert result[0].analytic == 6 * x  # d/dx 3x², exactly
    assert result[0].numeric == pytest.approx(6 * x, rel=1e-8)  # and central differences of 3x² agree
    second = gradgradcheck(d_cube, [x])
    assert second and second[0].analytic == 6.0


def test_a_wrong_derivative_function_is_reported_as_wrong(monkeypatch):
    # d/dx tanh by grad(create_graph=True), through a tanh that records 1 − tanh for its derivative:
    # the value of the derivative function is right (1 − tanh², from the op's definition), its own grad() is not
    monkeypatch.setattr(Value, "tanh", wrong_tanh)
    result = gradcheck(lambda x: grad(x[0].tanh(), [x[0]], create_graph=True)[0], [0.5])
    assert not result
    t = math.tanh(0.5)
    assert result[0].numeric == pytest.approx(-2 * t * (1 - t * t), rel=1e-8)  # (1 − tanh²)' = −2 tanh (1 − tanh²)
    assert result.message.startswith("∂f/∂x[0] is wrong: grad() gives ")


# -- numpy inputs ---------------------------------------------------------------------------------------------


def test_numpy_arrays_and_numpy_numbers_are_inputs_like_lists_of_floats():
    np = pytest.importorskip("numpy")
    for check in (gradcheck, gradgradcheck):
        expected = [(c.name, c.analytic, c.numeric) for c in check(f, POINT)]
        for inputs in (np.array(POINT), [np.float64(0.5), np.float32(-1.0), np.float64(0.3)]):
            result = check(f, inputs)
            assert result
            found = [(c.name, c.analytic, c.numeric) for c in result]
            if isinstance(inputs, list):  # float32(0.3) is not 0.3: only the point differs
                inputs = [float(x) for x in inputs]
                expected = [(c.name, c.analytic, c.numeric) for c in check(f, inputs)]
            assert found == expected
    one = gradcheck(lambda x: x[0] ** 3, np.array([0.0]))
    assert one and one[0].analytic == 0.0  # 3x² at 0
    two = gradcheck(lambda x: x[0] * x[1], np.array([2, 5]))  # integers too
    assert two and [c.analytic for c in two] == [5.0, 2.0]


def test_a_2d_or_empty_array_is_refused_by_name():
    np = pytest.importorskip("numpy")
    for check in (gradcheck, gradgradcheck):
        with pytest.raises(
            ValueError, match=r"inputs must be a 1-D sequence of numbers, got a numpy.ndarray of shape \(2, 2\)"
        ):
            check(f, np.ones((2, 2)))
        with pytest.raises(ValueError, match="needs at least one input"):
            check(f, np.array([]))
        with pytest.raises(TypeError, match="input 1 takes a real number"):
            check(f, [1.0, [2.0]])


# -- where central differences cannot be used --------------------------------------------------------------


def test_where_x_plus_eps_is_x_the_derivative_is_unchecked_not_wrong():
    square = lambda x: x[0] * x[0]  # noqa: E731
    result = gradcheck(square, [1e20])
    assert result[0].analytic == 2e20  # 2x: grad() is right
    assert not result  # and nothing vouches for it
    assert not result[0].checked and result[0].verdict == "unchecked"
    assert result.message.startswith("∂f/∂x[0] is unchecked: central differences cannot be used at x[0] = 1e+20")
    assert "x[0] ± ε rounds to x[0] itself" in result.message and "try a larger eps" in result.message
    assert "FAIL" not in str(result) and "wrong" not in str(result)
    assert gradcheck(square, [1e20], eps=1e12)  # as the message says: a step that survives checks it
    second = gradgradcheck(lambda x: x[0] * x[0] * x[0], [1e20])
    assert not second and second.message.startswith("∂²f/∂x[0]² is unchecked: central differences cannot be used")


def test_where_f_overflows_at_x_plus_or_minus_eps_the_derivative_is_unchecked():
    result = gradcheck(lambda x: x[0] * 1e308, [1.7976931348])  # f(x + ε) = inf, f(x − ε) finite
    assert result[0].analytic == 1e308 and not result and result[0].verdict == "unchecked"
    assert "cannot be used at x[0] = 1.7976931348: f is inf at x[0] + ε and " in result.message
    both = gradcheck(lambda x: (x[0] * 1e155) * (x[0] * 1e155), [1.3])  # inf − inf: a NaN quotient
    assert not both and "is wrong" not in both.message and "f is inf at x[0] + ε and inf at x[0] − ε" in both.message


def test_where_rounding_alone_explains_the_difference_grad_is_not_blamed():
    # f = 3x at 1e8: x ± ε as floats are 2.98e-6 apart, not 2e-6, so the quotient is 2.98 where f' = 3
    result = gradcheck(lambda x: x[0] * 3.0, [1e8])
    assert result[0].analytic == 3.0 and abs(result[0].numeric - 3.0) > result[0].tolerance
    assert not result and result.message.startswith("∂f/∂x[0] is unchecked: central differences at x[0] = 100000000.0")
    assert "only good to ±" in result.message
    # x[1]'s derivative, 1, is lost in f = x0² + x1 ≈ 1e40: unchecked too, not wrong
    mixed = gradcheck(lambda x: x[0] * x[0] + x[1], [1e20, 1.0])
    assert [c.verdict for c in mixed] == ["unchecked", "unchecked"] and "(1 more unchecked)" in mixed.message
    # while a usable point still fails a wrong derivative, and names what could not be checked
    wrong = gradcheck(lambda x: x[0] * x[0] * 1e-40 + _no_grad_of(x[1]), [1e20, 1.0])  # f = x0²·1e-40 + x1
    assert wrong.message.startswith("∂f/∂x[1] is wrong") and wrong.message.endswith("(1 unchecked)")


def _no_grad_of(x):
    """x as a node whose recorded derivative is 0 (a learner's slip): its value counts, its gradient does not."""
    return new_node(x.data, (x,), (0.0,), TANH)
