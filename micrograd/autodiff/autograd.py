"""Gradients as values: grad() as torch.autograd.grad, to any order, and the Hessian from it.

backward() puts floats in .grad. grad(y, xs) returns ∂y/∂x for each x instead and leaves .grad alone;
with create_graph=True each gradient is a Value with a graph of its own, so it can be differentiated
again. That graph is the chain rule written in Values: along each edge, ∂node/∂child · node's
gradient, where ∂node/∂child is the op's local derivative (micrograd.ops) evaluated on the node's
Values instead of its floats. It is the same definition backward() uses, computed on Values, so its
numbers are backward()'s, and its own derivatives come from the definitions of the ops it is made of.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, cast

from micrograd import expr, ops
from micrograd.checks import (
    ComparesAsFloat,
    as_float,
    as_floats,
    is_sequence,
    leaves_by_place,
    not_a_sequence,
    not_recorded,
    type_name,
)
from micrograd.engine import (
    Number,
    Value,
    chain_rule,
    new_node,
    start_backward,
    topological_order,
)
from micrograd.ops import Op
from micrograd.runtime import RUNTIME, ZERO, c_pow, contribution, log_or_nan, share, softmax_jacobian_row

Grad = Value | float  # a gradient while grad() builds it: a Value, or a constant


def grad(output: Value, inputs: Sequence[Value], grad_output: Number = 1.0, create_graph: bool = False) -> list[Value]:
    """∂output/∂x for each x of inputs, in order, as torch.autograd.grad; every .grad is left as it was.

    ``grad_output`` is the seed (∂output/∂output). An input that output does not depend on gets 0.0
    (PyTorch's ``allow_unused=True`` gives None there). Without ``create_graph`` the gradients are
    leaves, computed as backward() computes them; with it each is a Value whose graph computes it
    from the inputs, to differentiate again (inside no_grad() no graph is built: the gradients are leaves).
    """
    seed = _check(output, inputs, grad_output, create_graph)
    order = topological_order(output)
    if not create_graph:
        return [Value(g) for g in _float_grads(output, order, seed, inputs)]
    grads: dict[Value, Grad] = {output: seed}
    for node in reversed(order):
        g = grads.get(node)
        if g is None or not node._prev:
            continue
        for child, d in zip(node._prev, local_values(node)):
            grads[child] = _accumulate(grads.get(child), d, g)
    return _new_values([grads.get(x, 0.0) for x in inputs], set(order))


def hessian(f: Callable[[list[Value]], Value], xs: Sequence[Number]) -> list[list[float]]:
    """The matrix of second derivatives ∂²f/∂x_i∂x_j at xs, row by row: grad() of each entry of grad()."""
    leaves = _leaves(xs, "hessian()")
    y = _call(f, leaves, "hessian()")
    return [[g.data for g in grad(d, leaves)] for d in grad(y, leaves, create_graph=True)]


def hvp(f: Callable[[list[Value]], Value], xs: Sequence[Number], v: Sequence[Number]) -> list[float]:
    """The Hessian of f at xs times the vector v, by differentiating ∇f · v: two passes, no Hessian built."""
    leaves = _leaves(xs, "hvp()")
    vs = as_floats(v, "hvp() vector")
    if len(vs) != len(leaves):
        raise ValueError(f"hvp() needs a vector as long as xs: xs has {len(leaves)} numbers, v has {len(vs)}")
    y = _call(f, leaves, "hvp()")
    gradient = grad(y, leaves, create_graph=True)
    directional = sum((g * vk for g, vk in zip(gradient, vs)), Value(0.0))
    return [g.data for g in grad(directional, leaves)]


# -- the chain rule in floats, and in Values ------------------------------------------------------------


def _float_grads(output: Value, order: list[Value], seed: float, inputs: Sequence[Value]) -> list[float]:
    """backward()'s very pass, its grads read for inputs and every .grad it used put back as it was."""
    saved = [node.grad for node in order]
    try:
        for node in order:
            node.grad = 0.0  # start_backward makes it -0.0: a fresh graph, leaves accumulating nothing
        start_backward(output, order, seed)
        chain_rule(order)
        found = {node: node.grad for node in order}
    finally:
        for node, g in zip(order, saved):
            node.grad = g
    return [found.get(x, 0.0) for x in inputs]


def _accumulate(total: Grad | None, d: object, g: Grad) -> Grad:
    """total + d · g along one edge (runtime.contribution), written short where that gives the same number."""
    if d is ZERO:  # +0.0 whatever g is: on a Value total, added only where it changes the number (-0.0)
        zero: float = contribution(d, g)
        if total is None:
            return zero
        return total + zero if math.copysign(1.0, float(total)) < 0.0 else total
    if isinstance(d, float) and not isinstance(g, float) and d in (1.0, -1.0):
        passed: Grad = g if d == 1.0 else -g  # 1.0 · g is g exactly, and -1.0 · g is -g: no node for them
    elif isinstance(g, float) and g == 1.0 and not isinstance(d, float):
        passed = d  # type: ignore[assignment]  # d · 1.0 is d exactly
    else:
        passed = contribution(d, g)
    return passed if total is None else total + passed


def _new_values(found: list[Grad], callers_nodes: set[Value]) -> list[Value]:
    """Each gradient as a Value of its own, never one of the caller's nodes nor another input's gradient.

    Where the chain rule's product is exact (∂(x·w)/∂x is w · 1.0), the gradient found is a node that
    already exists; it is given as the node 1.0 * node, as PyTorch returns a new tensor: the same number
    bit for bit, with a graph that leads back to the inputs (∂(1.0 · w)/∂w = 1.0), and labelling it or
    setting its .data leaves the caller's graph alone.
    """
    values: list[Value] = []
    for g in found:
        if not isinstance(g, Value):
            g = Value(g)
        elif g in callers_nodes or g in values:  # a Value is a dict key by identity: `in` finds that very node
            g = 1.0 * g
        values.append(g)
    return values


# -- local derivatives as Values ---------------------------------------------------------------------------


class _Traced(ComparesAsFloat):
    """A Value while an op's local derivative is evaluated on it: arithmetic records, comparisons read the data.

    A Value compares with ==, like any node, by identity; the ops' definitions compare numbers.
    """

    __slots__ = ("v",)

    def __init__(self, v: Value) -> None:
        self.v = v

    def __float__(self) -> float:
        return self.v._data

    def __add__(self, o: object) -> _Traced:
        return _Traced(self.v + _v(o))

    def __radd__(self, o: object) -> _Traced:
        return _Traced(_v(o) + self.v)

    def __sub__(self, o: object) -> _Traced:
        return _Traced(self.v - _v(o))

    def __rsub__(self, o: object) -> _Traced:
        return _Traced(_v(o) - self.v)

    def __mul__(self, o: object) -> _Traced:
        return _Traced(self.v * _v(o))

    def __rmul__(self, o: object) -> _Traced:
        return _Traced(_v(o) * self.v)

    def __truediv__(self, o: object) -> _Traced:
        return _Traced(self.v / _v(o))

    def __rtruediv__(self, o: object) -> _Traced:
        return _Traced(_v(o) / self.v)

    def __neg__(self) -> _Traced:
        return _Traced(-self.v)

    def __eq__(self, o: object) -> bool:
        return self.v._data == self._other(o)

    __hash__ = None  # type: ignore[assignment]


def _v(x: object) -> Any:
    return x.v if isinstance(x, _Traced) else x


def _unary(method: str) -> Callable[[_Traced], _Traced]:
    return lambda x: _Traced(getattr(x.v, method)())


def _c_node(op: Op, compute: Callable[..., float], operands: Sequence[_Traced | float]) -> _Traced:
    """A node of op whose value is C's (±inf, NaN where Python raises), as the ops' derivatives compute it."""
    children = tuple(x.v if isinstance(x, _Traced) else Value(x) for x in operands)
    if op is ops.POW and not isinstance(operands[1], _Traced):  # a constant exponent is part of the op
        op, children = ops.power(float(operands[1])), children[:1]
    xs = [float(x) for x in operands]
    out = compute(*xs)
    return _Traced(new_node(out, children, op.derivatives(out, *xs[: len(children)]), op))


def _graph_runtime() -> dict[str, Any]:
    """runtime.RUNTIME on Values, for the ops' local derivatives: each function records its node.

    A function that is the value of an op of one operand (exp is EXP's, fabs is ABS's) becomes that
    op's Value method; constants (inf, nan, ZERO, ZERO_1) stay as they are. The few others say here
    what they are on Values; a test fails for a function an op's derivative calls that has none.
    """

    def softmax(z: Sequence[_Traced]) -> list[_Traced]:  # logsumexp's local derivatives as nodes of z, not of out
        children = tuple(zk.v for zk in z)
        xs = (tuple(c._data for c in children),)
        nodes = []
        for k in range(len(z)):
            op = ops.softmax(k)
            s_k = op.compute(*xs)
            nodes.append(_Traced(new_node(s_k, children, op.derivatives(s_k, *xs), op)))
        return nodes

    graph: dict[str, Any] = {name: value for name, value in RUNTIME.items() if not callable(value)}
    for op in ops.OPS.values():
        for name in RUNTIME:
            if op.arity == 1 and op.methods and op.value_text == f"{name}(x0)":
                graph[name] = _unary(op.methods[0])
    graph.update(
        {
            "mul": operator.mul,  # on _Traced, it records a * node
            "copysign": lambda x, y: math.copysign(float(x), float(y)),  # ±inf or ±1: a constant where defined
            "_c_pow": lambda x, y: _c_node(ops.POW, c_pow, (x, y)),
            "_log_or_nan": lambda x: _c_node(ops.LOG, log_or_nan, (x,)),
            "_share": lambda z, x: share([float(zk) for zk in z], float(x)),  # max's 1/ties: a constant
            "_masked": lambda local: local,
            "_logistic": lambda x: _c_node(ops.LOGISTIC, ops.LOGISTIC.compute, (x,)),  # softplus' as a node
            "_softmax": lambda z, out: softmax(z),  # the same floats as e^(z_k − out)
            "_softmax_row": lambda z, s_k, k: softmax_jacobian_row(softmax(z), s_k, k),
        }
    )
    return graph


GRAPH_RUNTIME = _graph_runtime()
_graph_locals: dict[Op, Callable[..., tuple[Any, ...]]] = {}


def local_values(node: Value) -> list[Value | float | object]:
    """∂node/∂child for each child, as Values computed from node and its children (floats where constant)."""
    op = node._op
    if not isinstance(op, Op):
        raise TypeError(f"{node!r} was not computed by an op of micrograd")
    function = _graph_locals.get(op)
    if function is None:
        function = expr.compile_function(["out", *op.operands], op.local_text, GRAPH_RUNTIME)
        _graph_locals[op] = function
    local = function(_Traced(node), *op.args([_Traced(c) for c in node._prev]))
    return [_v(d) for d in local]


# -- checks --------------------------------------------------------------------------------------------------


def _check(output: object, inputs: object, grad_output: object, create_graph: object) -> float:
    if not isinstance(output, Value):
        raise TypeError(f"grad() differentiates a Value, got {type_name(output)} as output")
    if isinstance(inputs, Value):
        raise TypeError("grad() takes a sequence of Values as inputs, got one Value: put it in a list, [x]")
    if not is_sequence(inputs):
        raise TypeError(f"grad() takes a sequence of Values as inputs, got {not_a_sequence(inputs)}")
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values, got {type_name(x)} at position {i}")
        if x._op and not x._prev:
            raise not_recorded("grad()", f"input {i} ({x!r}) was computed")
    if output._op and not output._prev:
        raise not_recorded("grad()", "the output was computed")
    if type(create_graph) is not bool:
        raise TypeError(f"grad(create_graph=...) must be True or False, got {type_name(create_graph)}")
    return as_float(grad_output, "grad(grad_output=...)")


def _leaves(xs: object, what: str) -> list[Value]:
    numbers = as_floats(xs, f"{what} xs")
    if not numbers:
        raise ValueError(f"{what} needs at least one number in xs")
    return cast(list[Value], leaves_by_place(numbers, "x", Value, lambda x, _: x))  # as_floats checked them


def _call(f: object, leaves: list[Value], what: str) -> Value:
    if not callable(f):
        raise TypeError(f"{what} takes a function of a list of Values, got {type_name(f)}")
    y = f(leaves)
    if not isinstance(y, Value):
        raise TypeError(f"{what}: f must return one Value, got {type_name(y)}")
    return y


__all__ = ["grad", "hessian", "hvp", "local_values"]
