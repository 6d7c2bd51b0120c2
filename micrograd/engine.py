"""The Value node: a float that remembers how it was computed, and backward() to differentiate it.

Every operation computes its result and its local derivatives ∂out/∂child in the same step and
stores them on the node, so the chain rule in backward() is one line:
``child.grad += local * node.grad``. The operations themselves, their values and their
derivatives, are defined once in micrograd.ops; this file turns each into Value methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar, overload

from micrograd import methods, ops
from micrograd.checks import ComparesAsFloat, as_float, is_sequence, not_a_sequence, not_recorded, type_name
from micrograd.ops import Op
from micrograd.runtime import ZERO_1, contribution

Number = int | float
T = TypeVar("T")


class Watcher(Protocol):
    """What watches the engine at work (anomaly mode): each node as it is made, each step of backward()."""

    def created(self, node: Value, children: tuple[Value, ...]) -> None: ...
    def step(self, node: Value, k: int, child: Value, local: float, before: float, contribution: float) -> None: ...


# The recording state of the current thread (or asyncio task): (build the graph, who watches, if anyone).
_DEFAULT: tuple[bool, Watcher | None] = (True, None)
_state: ContextVar[tuple[bool, Watcher | None]] = ContextVar("micrograd_state", default=_DEFAULT)


class Value(ComparesAsFloat):
    """A scalar in a computation graph: its data, its gradient, and how it was computed."""

    __slots__ = ("__weakref__", "_data", "_label", "_local", "_op", "_prev", "grad")
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        self._data = data if type(data) is float else as_float(data, "Value()")
        self.grad = 0.0
        self._prev: tuple[Value, ...] = ()  # the children, in operand order
        self._local: tuple[float, ...] = ()  # ∂self/∂child, one per child
        self._op: str = ""  # the op that computed it (an ops.Op, which is its name too); "" for a leaf
        self._label = label if type(label) is str else _not_a_label(label)  # the setter's check, without its call

    @property
    def data(self) -> float:
        """The number this value holds: always a Python float (a number assigned to it is converted)."""
        return self._data

    @data.setter
    def data(self, data: Number) -> None:
        self._data = as_float(data, "Value.data")

    @property
    def label(self) -> str:
        """The name drawings, traces and generated code show for this value ("" for none)."""
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        self._label = label if type(label) is str else _not_a_label(label)

    # The ops (micrograd.ops) are attached below the class: a + b, a * b, x ** 2, x.tanh(), abs(x), ...
    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Callable[..., Value]: ...
        def __add__(self, other: Value | Number) -> Value: ...
        def __radd__(self, other: Value | Number) -> Value: ...
        def __sub__(self, other: Value | Number) -> Value: ...
        def __rsub__(self, other: Value | Number) -> Value: ...
        def __mul__(self, other: Value | Number) -> Value: ...
        def __rmul__(self, other: Value | Number) -> Value: ...
        def __truediv__(self, other: Value | Number) -> Value: ...
        def __rtruediv__(self, other: Value | Number) -> Value: ...
        def __rpow__(self, other: Value | Number) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):  # x ** y with both differentiable
            return apply_op(ops.POW, (self, other))
        return apply_op(ops.power(as_float(other, "exponent")), (self,))  # the constant n is part of the op

    # -- a Value compares and converts like its float --------------------------------------

    def __float__(self) -> float:
        return self._data

    # <, <=, >, >= and bool() compare the float (ComparesAsFloat); == and hash stay those of a node.

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self._prev:
            raise TypeError(
                "cannot pickle or copy a Value that is the result of operations (its graph would "
                "come with it); pickle its .data, or the model, whose parameters are leaves"
            )
        return (_leaf, (self._data, self.grad, self.label))

    # -- backpropagation --------------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Fill in d(self)/d(node) as .grad of every node of the graph, by the chain rule.

        Interior nodes' grads are recomputed from zero on every call; leaves accumulate,
        as in PyTorch (clear them with zero_grad()).
        """
        if not isinstance(self, Value):
            raise TypeError(
                f"backward() needs a single Value as its root, got {type_name(self)}; "
                "reduce the outputs to one scalar loss first (for example with sum())"
            )
        seed = as_float(grad, "backward(grad=...)")
        if self._op and not self._prev:
            raise not_recorded("backward()")
        order = topological_order(self)
        start_backward(self, order, seed)
        watcher = _state.get()[1]
        chain_rule(order, watcher.step if watcher else None)


def start_backward(root: Value, order: list[Value], seed: float) -> None:
    """Reset the grads that backward() recomputes, and seed the root."""
    for node in order:  # -0.0 is the additive identity: the first contribution lands exactly, sign of zero too
        if node._prev or node.grad == 0.0:
            node.grad = -0.0
    if root._prev:
        root.grad = seed
    else:
        root.grad += seed


Observer = Callable[[Value, int, Value, float, float, float], None]


def chain_rule(order: list[Value], observe: Observer | None = None) -> None:
    """The reverse pass: for every node, last computed first, child.grad += ∂node/∂child · node.grad.

    A structural zero (runtime.ZERO) adds +0.0 whatever node.grad is (runtime.contribution).
    observe(node, k, child, local, before, contribution), when given, sees each step once it is
    taken (traces, anomaly mode).
    """
    for node in reversed(order):
        local = node._local
        if not local:  # a leaf: nothing to pass on
            continue
        g = node.grad
        if observe is None:
            if type(local) is tuple:  # no structural zero: the common case, at full speed
                for child, d in zip(node._prev, local):
                    child.grad += d * g
                continue
            if local is ZERO_1:  # one operand, its derivative a structural zero (an inactive relu)
                node._prev[0].grad += 0.0
                continue
        for k, (child, d) in enumerate(zip(node._prev, local)):
            before = child.grad
            passed = contribution(d, g)
            child.grad = before + passed
            if observe is not None:
                observe(node, k, child, d, before, passed)


def topological_order(root: Value) -> list[Value]:
    """Every node of root's graph, each after all of its children (iterative depth-first search)."""
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value as the root of a graph, got {type_name(root)}")
    order: list[Value] = []
    seen = {root}
    placed = seen.issuperset  # seen: the nodes placed, and the stack's, none of which is a child of a new node
    stack: list[tuple[Value, Iterator[Value]]] = [(root, iter(root._prev))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                if placed(child._prev):  # all its children are placed (a leaf has none): it goes next, checked in C
                    order.append(child)
                    continue
                stack.append((child, iter(child._prev)))
                break
        else:  # every child is done
            stack.pop()
            order.append(node)
    return order


def node_names(order: Sequence[Value], labels: bool = True) -> dict[Value, str]:
    """What each value is called in drawings, traces and generated code: its label, or v1, v2, ... by its place."""
    return {node: (labels and node.label) or f"v{i}" for i, node in enumerate(order, start=1)}


def linear(w: Sequence[Value | Number], a: Sequence[Value | Number], b: Value | Number = 0.0) -> Value:
    """z = Σ_k w_k·a_k + b as one node: ∂z/∂w_k = a_k, ∂z/∂a_k = w_k, ∂z/∂b = 1.

    Its children are the operands in the order the formula names them: w_1..w_n, a_1..a_n, b.
    """
    wv = _values(w, "weights")
    av = _values(a, "inputs")
    if len(wv) != len(av):
        raise ValueError(f"linear() needs as many weights as inputs, got {len(wv)} weights and {len(av)} inputs")
    return linear_values(wv, av, b if isinstance(b, Value) else Value(b), [ak._data for ak in av])


def is_grad_enabled() -> bool:
    """Whether operations record the graph here: False inside no_grad()."""
    return _state.get()[0]


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations build no graph: for inference and plotting."""
    token = _state.set((False, _state.get()[1]))
    try:
        yield
    finally:
        _state.reset(token)


@contextmanager
def watched_by(watcher: Watcher) -> Iterator[None]:
    """Inside this block watcher sees every node made and every step of backward()."""
    token = _state.set((_state.get()[0], watcher))
    try:
        yield
    finally:
        _state.reset(token)


# -- building nodes ------------------------------------------------------------------------

_new = object.__new__


def new_node(data: float, children: tuple[Value, ...], local: tuple[float, ...], op: Op) -> Value:
    """The output node of an op, recording its children and local derivatives unless in no_grad()."""
    out = _new(Value)
    out._data = data
    out.grad = 0.0
    out._label = ""
    out._op = op
    state = _state.get()
    if state is _DEFAULT:
        out._prev = children
        out._local = local
        return out
    record, watcher = state
    out._prev, out._local = (children, local) if record else ((), ())
    if watcher is not None:
        watcher.created(out, children)
    return out


@overload
def apply_op(op: Op, children: tuple[Value, ...]) -> Value: ...
@overload
def apply_op(op: Op, children: tuple[Any, ...], result: Callable[..., T]) -> T: ...
def apply_op(op: Op, children: tuple[Any, ...], result: Callable[..., Any] = new_node) -> Any:
    """op applied to Values, whatever its operands (compile replays a graph through this); Duals give their result."""
    xs = [c._data for c in children]
    try:
        out = op.compute(*op.args(xs))
    except (ArithmeticError, ValueError) as error:
        raise op.error(error, xs) from None
    return result(out, children, op.derivatives(out, *op.args(xs)), op)


# Every op becomes Value methods (a + b, b + a, x.tanh(), abs(x)), written from its definition.
linear_values: Callable[[list[Value], list[Value], Value, list[float]], Value] = methods.attach(Value, new_node)


def _leaf(data: float, grad: float, label: str) -> Value:
    v = Value(data, label)
    v.grad = grad
    return v


def _not_a_label(label: object) -> NoReturn:
    raise TypeError(f"Value label must be a str, got {type_name(label)}")


def _values(xs: Sequence[Value | Number], what: str) -> list[Value]:
    """xs as a list of Values, numbers wrapped as leaves."""
    if not is_sequence(xs):
        raise TypeError(f"linear() takes a sequence of {what}, got {not_a_sequence(xs)}")
    return [x if isinstance(x, Value) else Value(x) for x in xs]
