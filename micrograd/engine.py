"""The Value node: a float that remembers how it was computed, and backward() to differentiate it.

Every operation computes its result and its local derivatives ∂out/∂child in the same step and
stores them on the node, so the chain rule in backward() is one line:
``child.grad += local * node.grad``.
"""

from __future__ import annotations

import linecache
import math
import numbers
import os
import sys
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from operator import mul

Number = int | float

# The recording state of the current thread (or asyncio task): (build the graph, detect anomalies).
_DEFAULT = (True, False)
_STATES = {s: s for s in [(True, False), (False, False), (True, True), (False, True)]}
_state: ContextVar[tuple[bool, bool]] = ContextVar("micrograd_state", default=_DEFAULT)

# Local derivatives that do not depend on the operands, shared by every node that uses them.
_ONE, _ZERO, _MINUS_ONE = (1.0,), (0.0,), (-1.0,)
_ONE_ONE, _ONE_MINUS_ONE = (1.0, 1.0), (1.0, -1.0)


class Value:
    """A scalar in a computation graph: its data, its gradient, and how it was computed."""

    __slots__ = ("data", "grad", "_prev", "_local", "_op", "label", "__weakref__")
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value()")
        self.grad = 0.0
        self._prev: tuple[Value, ...] = ()  # the children, in operand order
        self._local: tuple[float, ...] = ()  # ∂self/∂child, one per child
        self._op = ""
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {_type_name(label)}")
        self.label = label

    # -- operations: each computes the output and its local derivatives --------------------

    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data + other.data, (self, other), _ONE_ONE, "+")

    def __sub__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data - other.data, (self, other), _ONE_MINUS_ONE, "-")

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero in {a!r} / {b!r}")
        return _result(a / b, (self, other), (1.0 / b, -(a / b) / b), "/")

    def __pow__(self, other: Value | Number) -> Value:
        x = self.data
        if isinstance(other, Value):  # x ** y with both differentiable
            y = other.data
            out = _pow(x, y)
            dy = 0.0 if (x == 0.0 and y >= 0.0) else out * _log_or_nan(x)
            return _result(out, (self, other), (_pow_local(x, y), dy), "**")
        n = _as_float(other, "exponent")
        return _result(_pow(x, n), (self,), (_pow_local(x, n),), f"**{_short(n)}")

    def __neg__(self) -> Value:
        return _result(-self.data, (self,), _MINUS_ONE, "neg")

    def exp(self) -> Value:
        x = self.data
        try:
            e = math.exp(x)
        except OverflowError:
            raise OverflowError(f"exp({x!r}) overflows a float (exp is finite up to x ≈ 709.78)") from None
        return _result(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """Natural logarithm; defined for x > 0."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log({x!r}): log is only defined for positive numbers")
        return _result(math.log(x), (self,), (1.0 / x,), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return _result(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^-x), computed so that it never overflows; σ' = σ(1 − σ)."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _result(s, (self,), ((1.0 - s) * s,), "sigmoid")

    def relu(self) -> Value:
        """max(0, x) with relu'(0) = 0, as PyTorch (NaN passes through, with derivative 1)."""
        out = 0.0 if self.data < 0.0 else self.data
        return _result(out, (self,), _ZERO if out <= 0.0 else _ONE, "relu")

    # -- compositions: the reflected operators keep the operands in their written order ----

    def __radd__(self, other: Number) -> Value:  # other + self
        return Value(other) + self

    def __rsub__(self, other: Number) -> Value:  # other - self
        return Value(other) - self

    def __rmul__(self, other: Number) -> Value:  # other * self
        return Value(other) * self

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        return Value(other) / self

    def __rpow__(self, other: Number) -> Value:  # other ** self
        return Value(other) ** self

    # -- a Value compares and converts like its float --------------------------------------

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        return self.data != 0.0

    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _data(other)

    # == and hash stay those of object: a Value is a node, usable as a dict key or set member.

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __reduce__(self) -> tuple:
        if self._prev:
            raise TypeError(
                "cannot pickle or copy a Value that is the result of operations (its graph would "
                "come with it); pickle its .data, or the model, whose parameters are leaves"
            )
        return (_leaf, (self.data, self.grad, self.label))

    # -- backpropagation --------------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Fill in d(self)/d(node) as .grad of every node of the graph, by the chain rule.

        Interior nodes' grads are recomputed from zero on every call; leaves accumulate,
        as in PyTorch (clear them with zero_grad()).
        """
        if not isinstance(self, Value):
            raise TypeError(
                f"backward() needs a single Value as its root, got {_type_name(self)}; "
                "reduce the outputs to one scalar loss first (for example with sum())"
            )
        seed = _as_float(grad, "backward(grad=...)")
        order = topological_order(self)
        _start_backward(self, order, seed)
        if _state.get()[1]:
            _backward_checked(order)
            return
        for node in reversed(order):
            for child, local in zip(node._prev, node._local):
                child.grad += local * node.grad


def _start_backward(root: Value, order: list[Value], seed: float) -> None:
    """Reset the grads that backward() recomputes, and seed the root (shared with micrograd.trace)."""
    for node in order:  # -0.0 is the additive identity: the first contribution lands exactly, sign of zero too
        if node._prev or node.grad == 0.0:
            node.grad = -0.0
    if root._prev:
        root.grad = seed
    else:
        root.grad += seed


def topological_order(root: Value) -> list[Value]:
    """Every node of root's graph, each after all of its children (iterative depth-first search)."""
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value as the root of a graph, got {_type_name(root)}")
    order: list[Value] = []
    seen = {root}
    stack: list[tuple[Value, Iterator[Value]]] = [(root, iter(root._prev))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(child._prev)))
                break
        else:  # every child is done
            stack.pop()
            order.append(node)
    return order


def linear(w: Sequence[Value | Number], a: Sequence[Value | Number], b: Value | Number = 0.0) -> Value:
    """z = Σ_k w_k·a_k + b as one node: ∂z/∂w_k = a_k, ∂z/∂a_k = w_k, ∂z/∂b = 1.

    Its children are the operands in the order the formula names them: w_1..w_n, a_1..a_n, b.
    """
    w = _values(w, "weights")
    a = _values(a, "inputs")
    if len(w) != len(a):
        raise ValueError(f"linear() needs as many weights as inputs, got {len(w)} weights and {len(a)} inputs")
    return _linear(w, a, b if isinstance(b, Value) else Value(b), [ak.data for ak in a])


def _linear(w: list[Value], a: list[Value], b: Value, ad: list[float]) -> Value:
    """linear() for operands that are already Values, with ad = [a_k.data]: the hot path of a layer."""
    wd = [wk.data for wk in w]
    return _result(sum(map(mul, wd, ad)) + b.data, (*w, *a, b), (*ad, *wd, 1.0), "w·a+b")


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations build no graph: for inference and plotting."""
    token = _state.set(_STATES[(False, _state.get()[1])])
    try:
        yield
    finally:
        _state.reset(token)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block, raise FloatingPointError at the first op whose value or gradient is NaN or ±inf.

    The error names the op, the node's label and the line of code that created the node.
    Outside the block nothing is checked and nothing is recorded.
    """
    token = _state.set(_STATES[(_state.get()[0], True)])
    try:
        yield
    finally:
        _state.reset(token)


# -- building nodes ------------------------------------------------------------------------

_new = object.__new__


def _result(data: float, children: tuple[Value, ...], local: tuple[float, ...], op: str) -> Value:
    """The output node of an op, recording its children and local derivatives unless in no_grad()."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    state = _state.get()
    if state is _DEFAULT:
        out._prev = children
        out._local = local
        return out
    record, anomaly = state
    out._prev, out._local = (children, local) if record else ((), ())
    if anomaly:
        _origins[out] = _user_frame()
        if not math.isfinite(data):
            raise FloatingPointError(f"{_describe(out)}, computed {data!r} from {_operands(children)}")
    return out


def _leaf(data: float, grad: float, label: str) -> Value:
    v = Value(data, label)
    v.grad = grad
    return v


def _as_float(x: object, what: str) -> float:
    """x as a float if it is a real number (not a bool); otherwise a TypeError naming its type."""
    t = type(x)
    if t is float:
        return x
    if t is int or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{what}: the integer {x} is too large for a float") from None
    if isinstance(x, Value):
        raise TypeError(f"{what} takes a number, got a Value; use the Value itself, or its .data")
    if t.__name__ == "Value":
        raise TypeError(
            f"{what} takes a number or a micrograd.engine.Value, got a Value of another class "
            f"({_type_name(x)}); values from two different engines cannot be mixed in one graph"
        )
    raise TypeError(f"{what} takes a real number (int or float), got {_type_name(x)}")


def _data(x: Value | Number) -> float:
    return x.data if isinstance(x, Value) else _as_float(x, "comparison")


def _values(xs: object, what: str) -> list[Value]:
    """xs as a list of Values, numbers wrapped as leaves."""
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"linear() takes a sequence of {what}, got {_type_name(xs)}")
    return [x if isinstance(x, Value) else Value(x) for x in xs]


def _type_name(x: object) -> str:
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


# -- the arithmetic of powers, with float semantics forward and PyTorch's for derivatives --------


def _pow(x: float, y: float) -> float:
    if y == 0.5 and x >= 0.0:  # x ** 0.5 is the square root, exactly rounded (and √-0.0 = -0.0) as in PyTorch
        return math.sqrt(x)
    try:
        r = x**y
    except ZeroDivisionError:
        raise ZeroDivisionError(f"{x!r} ** {y!r}: zero cannot be raised to a negative power") from None
    except OverflowError:
        raise OverflowError(f"{x!r} ** {y!r} overflows a float") from None
    if type(r) is complex:
        raise ValueError(f"{x!r} ** {y!r}: a negative number to a non-integer power is not a real number")
    return r


def _c_pow(x: float, y: float) -> float:
    """x ** y as C's pow(): ±inf instead of an exception, NaN instead of a complex number."""
    try:
        r = x**y
    except (ZeroDivisionError, OverflowError):
        negative = math.copysign(1.0, x) < 0.0 and y.is_integer() and y % 2.0 == 1.0
        return -math.inf if negative else math.inf
    return math.nan if type(r) is complex else r


def _pow_local(x: float, n: float) -> float:
    """∂(x ** n)/∂x = n · x^(n−1), and 0 where n = 0 (as PyTorch)."""
    if n == 0.0:
        return 0.0
    if n == 0.5 and x >= 0.0:  # 1 / (2√x): ±inf at ±0, as PyTorch's derivative of sqrt
        r = math.sqrt(x)
        return 0.5 / r if r else math.copysign(math.inf, r)
    return n * _c_pow(x, n - 1.0)


def _log_or_nan(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


def _short(n: float) -> str:
    return str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n)


# -- anomaly detection ----------------------------------------------------------------------

_origins: weakref.WeakKeyDictionary[Value, tuple[str, int]] = weakref.WeakKeyDictionary()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_frame() -> tuple[str, int]:
    """(file, line) of the innermost caller outside this package and contextlib."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (os.path.dirname(os.path.abspath(filename)) == _PACKAGE_DIR or filename.endswith("contextlib.py")):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


def _describe(node: Value) -> str:
    label = f" {node.label!r}" if node.label else " (unlabelled)"
    where = _origins.get(node)
    if where is None:
        return f"op {node._op!r}, node{label}, created outside detect_anomaly()"
    code = linecache.getline(where[0], where[1]).strip()
    return f"op {node._op!r}, node{label}, created at {where[0]}:{where[1]}" + (f": {code}" if code else "")


def _operands(children: tuple[Value, ...]) -> str:
    return ", ".join(f"{c.label}={c.data!r}" if c.label else repr(c.data) for c in children) or "no operands"


def _backward_checked(order: list[Value]) -> None:
    """The reverse pass of backward(), raising at the first gradient that is NaN or ±inf."""
    for node in reversed(order):
        for child, local in zip(node._prev, node._local):
            child.grad += local * node.grad
            if not math.isfinite(child.grad):
                child_label = f" {child.label!r}" if child.label else ""
                raise FloatingPointError(
                    f"backward through {_describe(node)}, made the gradient of its child{child_label} "
                    f"{child.grad!r} (local derivative {local!r}, upstream grad {node.grad!r})"
                )
