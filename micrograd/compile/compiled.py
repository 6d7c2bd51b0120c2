"""CompiledGraph, compile_graph() and compile_function(): a recorded graph checked, written and run."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn, TypeGuard, cast

from micrograd.checks import is_number, is_sequence, leaves_by_place, not_a_sequence, not_recorded
from micrograd.compile.graph import Graph, check_op
from micrograd.compile.loops import find_loop
from micrograd.compile.writer import Writer
from micrograd.engine import Number, Value, apply_op, is_grad_enabled, no_grad, topological_order
from micrograd.runtime import RUNTIME

Nested = Number | Sequence["Nested"]
# The generated function: (params, inputs, the grads the parameters start from) -> (output, grads).
ForwardBackward = Callable[[list[float], list[float], list[float]], tuple[float, list[float]]]
Leaves = Value | Sequence["Leaves"]  # an input of compile_graph: a leaf, or a (nested) list of leaves
Shape = int | list["Shape"] | None  # an input's: None for a leaf, n for a list of n leaves, else a list of shapes


class CompiledGraph:
    """A recorded graph as generated Python: call it with new values, read ``.source``.

    ``graph(param_values, *inputs)`` returns ``(output, grads)``: the value of the root and
    ∂root/∂p for every parameter p, in the order of ``.params``. ``inputs`` take the same shape
    as the inputs given when compiling (a number, or a list of lists of numbers, ...).
    ``graph.run(*inputs)`` reads the parameters' ``.data`` instead and adds the gradients to their
    ``.grad`` as ``backward()`` does, bit for bit: each grad starts where backward() starts it (from
    -0.0, or from what it holds) and takes this call's contributions one by one, in backward()'s order.

    ``.params`` are the parameter leaves and ``.inputs`` the input leaves (flattened), in order;
    ``.source`` is the generated Python; ``.repeats`` is how many times its loop runs (1: no loop);
    ``.forward_backward`` is the function it defines, without the checks: (params, inputs, the grads
    the parameters start from) -> (output, grads).
    """

    def __init__(
        self,
        root: Value,
        params: tuple[Value, ...],
        inputs: tuple[Value, ...],
        shapes: list[Shape],
        names: list[str],
        unroll: bool,
    ) -> None:
        self.params = params
        self.inputs = inputs
        self._root = root  # kept to replay an error through the engine, for the engine's message
        self._shapes = shapes
        self._names = names
        graph = Graph(root, params, inputs)
        loop = None if unroll else find_loop(graph)
        self.repeats = loop.count if loop else 1
        self.source = Writer(graph, loop).source()
        namespace = {**RUNTIME, "isfinite": math.isfinite}
        exec(compile(self.source, "<micrograd compiled graph>", "exec"), namespace)
        self.forward_backward: ForwardBackward = namespace["forward_backward"]
        self._in_graph = [p in graph.needs_grad for p in params]

    def __call__(self, params: Sequence[Number], *inputs: Nested) -> tuple[float, list[float]]:
        """(output, [∂output/∂p for p in .params]) at these parameter values and inputs."""
        return self._call(params, inputs, [-0.0] * sum(self._in_graph))

    def _call(
        self, params: Sequence[Number], inputs: tuple[Nested, ...], starts: list[float]
    ) -> tuple[float, list[float]]:
        """The generated function, with the grads of the parameters in the graph starting at starts."""
        values = self._param_values(params)
        flat = self._flatten(inputs)
        try:
            return self.forward_backward(values, flat, starts)
        except (ArithmeticError, ValueError):
            error = self._engine_error(values, flat)
            if error is None:
                raise
            raise error from None

    def run(self, *inputs: Nested) -> float:
        """Forward and backward at the parameters' current .data: add each gradient to .grad, return the output."""
        in_graph = [p for p, used in zip(self.params, self._in_graph) if used]
        # Each grad starts where backward() starts it (-0.0 for a zero, else what it holds), and receives
        # this call's contributions one by one in backward()'s order: the same sums, bit for bit.
        starts = [-0.0 if p.grad == 0.0 else p.grad for p in in_graph]
        output, grads = self._call([p.data for p in self.params], inputs, starts)
        for p, g, used in zip(self.params, grads, self._in_graph):
            if used:
                p.grad = g
        return output

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        loop = f", a loop over {self.repeats} repeats" if self.repeats > 1 else ""
        return f"CompiledGraph({len(self.params)} params, {len(self.inputs)} inputs, {lines} lines{loop})"

    def _param_values(self, params: Sequence[Number]) -> list[float]:
        if not is_sequence(params):
            raise TypeError(
                f"the parameter values must be a list of {len(self.params)} numbers, got {not_a_sequence(params)}"
            )
        if len(params) != len(self.params):
            raise ValueError(
                f"expected {len(self.params)} parameter values (one per parameter, in the order given "
                f"when compiling), got {len(params)}"
            )
        if all(type(v) is float for v in params):
            return list(params)
        return [_number(v, f"parameter value {i}") for i, v in enumerate(params)]

    def _flatten(self, inputs: tuple[Nested, ...]) -> list[float]:
        if len(inputs) != len(self._shapes):
            names = ", ".join(self._names)
            raise TypeError(
                f"expected {len(self._shapes)} inputs ({names}) after the parameter values, got {len(inputs)}"
            )
        flat: list[float] = []
        for value, shape, name in zip(inputs, self._shapes, self._names):
            _flatten(value, shape, name, flat)
        return flat

    def _engine_error(self, params: list[float], inputs: list[float]) -> Exception | None:
        """The error the engine raises on these values: rebuild the graph with Values, as backward() would see it."""
        new = {**dict(zip(self.params, map(Value, params))), **dict(zip(self.inputs, map(Value, inputs)))}
        try:
            with no_grad():
                for node in topological_order(self._root):
                    if node not in new:
                        new[node] = apply_op(check_op(node), tuple(new[c] for c in node._prev)) if node._prev else node
        except (ArithmeticError, ValueError) as error:
            return error
        return None


def compile_graph(root: Value, params: Iterable[Value], *inputs: Leaves, unroll: bool = False) -> CompiledGraph:
    """Generate plain-float Python for the forward and backward passes of the graph under root.

    ``params`` are the leaves whose gradients are returned, in that order; each of ``inputs`` is a
    leaf or a (nested) list of leaves that take new values on every call, in the same shape; every
    other leaf is a constant.
    ``unroll=True`` writes every node out even where the graph repeats a structure.
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile_graph() takes the Value to differentiate as its root, got {_name(root)}")
    if root._op and not root._prev:
        raise not_recorded("compile_graph()")
    params = _params(params)
    leaves: list[Value] = []
    shapes = [_shape(x, f"inputs[{i}]", leaves) for i, x in enumerate(inputs)]
    return _compile(root, params, leaves, shapes, [f"inputs[{i}]" for i in range(len(inputs))], unroll)


def compile_function(
    f: Callable[..., Value], params: Iterable[Value], *example_inputs: Nested, unroll: bool = False
) -> CompiledGraph:
    """Record f on example inputs, then compile the graph of the Value it returns.

    Each example input is a number or a (nested) list of numbers: f receives it with every number
    turned into a Value leaf, an input of the compiled graph, labelled by its argument's name and
    index (``X[3][1]``). Whatever f reads from elsewhere (a label in a closure) is a constant.
    """
    if not callable(f):
        raise TypeError(f"compile_function() takes a function returning a Value, got {_name(f)}")
    if not is_grad_enabled():
        raise not_recorded("compile_function()", "it was called")
    params = _params(params)
    names = _argument_names(f, len(example_inputs))
    args = [_leaves(x, name) for x, name in zip(example_inputs, names)]
    out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(f"compile_function(): f must return one Value (the output to differentiate), got {_name(out)}")
    leaves: list[Value] = []
    shapes = [_shape(x, name, leaves) for x, name in zip(args, names)]
    return _compile(out, params, leaves, shapes, names, unroll)


def _params(params: object) -> tuple[Value, ...]:
    if isinstance(params, (str, bytes, Value)) or not isinstance(params, Iterable):
        raise TypeError(f"params must be a list of Values (for example model.parameters()), got {_name(params)}")
    params = tuple(params)
    for i, p in enumerate(params):
        _check_leaf(p, f"params[{i}]")
    return params


def _compile(
    root: Value, params: tuple[Value, ...], leaves: list[Value], shapes: list[Shape], names: list[str], unroll: object
) -> CompiledGraph:
    if not isinstance(unroll, bool):
        raise TypeError(f"unroll must be True or False, got {_name(unroll)}")
    seen: dict[Value, str] = {}
    for what, leaf in [*((f"params[{i}]", p) for i, p in enumerate(params)), *(("an input", x) for x in leaves)]:
        if leaf in seen:
            raise ValueError(f"{what} {leaf!r} is also {seen[leaf]}: give each leaf once, as a parameter or an input")
        seen[leaf] = what
    return CompiledGraph(root, params, tuple(leaves), shapes, names, unroll)


# -- inputs: their shapes, and the values of a call ------------------------------------------------


def _check_leaf(x: object, what: str) -> None:
    if not isinstance(x, Value):
        raise TypeError(f"{what} must be a Value, got {_name(x)}")
    if x._prev:
        raise ValueError(
            f"{what} is the result of an operation ({x._op!r}), not a leaf: only leaves can be parameters or inputs"
        )


def _shape(x: object, where: str, leaves: list[Value]) -> Shape:
    """The shape of an input (None for a leaf, n for a list of n leaves, else a list of shapes); collects its leaves."""
    if isinstance(x, Value):
        _check_leaf(x, where)
        leaves.append(x)
        return None
    if isinstance(x, (list, tuple)):
        shapes = [_shape(v, f"{where}[{i}]", leaves) for i, v in enumerate(x)]
        return len(shapes) if all(s is None for s in shapes) else shapes
    raise TypeError(f"{where} must be a Value leaf or a list of them, got {_name(x)}")


def _flatten(x: object, shape: Shape, where: str, out: list[float]) -> None:
    if shape is None:
        out.append(_number(x, where))
        return
    n = shape if isinstance(shape, int) else len(shape)
    if not is_sequence(x):
        raise TypeError(
            f"{where} must be a list of {n} entries, as when the graph was recorded, got {not_a_sequence(x)}"
        )
    if len(x) != n:
        raise ValueError(
            f"{where} has {len(x)} entries, but the graph was recorded with {n}: "
            "a compiled graph has a fixed shape; compile again for this one"
        )
    if isinstance(shape, int):
        if _floats_only(x):
            out.extend(x)
        else:
            out.extend(_number(v, f"{where}[{i}]") for i, v in enumerate(x))
    else:
        for i, (v, s) in enumerate(zip(x, shape)):
            _flatten(v, s, f"{where}[{i}]", out)


def _leaves(x: object, label: str) -> Leaves:
    """A number as a Value leaf labelled label, a (nested) list as the same list of leaves."""
    return cast(Leaves, leaves_by_place(x, label, Value, _not_a_number))


def _not_a_number(x: object, label: str) -> NoReturn:
    if isinstance(x, Value):
        raise TypeError(f"{label}: compile_function() takes numbers and makes the input Values itself, got a Value")
    raise TypeError(f"{label} must be a number or a list of numbers, got {_name(x)}")


def _argument_names(f: Callable[..., object], n: int) -> list[str]:
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [positional[i] if i < len(positional) else f"arg{i}" for i in range(n)]


def _floats_only(xs: Sequence[object]) -> TypeGuard[Sequence[float]]:
    return all(type(v) is float for v in xs)


def _number(x: object, what: str) -> float:
    if isinstance(x, Value):
        raise TypeError(f"{what} must be a number, got a Value; pass its .data")
    if not is_number(x):
        raise TypeError(f"{what} must be a real number, got {_name(x)}")
    return float(x)


def _name(x: object) -> str:
    return type(x).__name__
