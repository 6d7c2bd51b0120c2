"""Backprop as code: record a computation once, then run it as generated Python on plain floats.

``compile_graph(root, params, *inputs)`` reads the graph under ``root`` and writes one Python
function for it: the forward pass, one assignment per node, then the backward pass, the chain
rule ``child.grad += local * node.grad`` as one line per edge, in reverse topological order.
``.source`` shows that code. Calling the result with new values for the parameters and the inputs
returns the output and the gradient of every parameter, bitwise equal to what backward() computes
on a graph built from the same values. ``compile_function(f, params, *example_inputs)`` records
``f`` on example inputs first.

The leaves of the graph are of three kinds:

- parameters (``params``): a new value on every call, and their gradient is returned;
- inputs (``inputs``): a new value on every call, no gradient;
- constants: every other leaf (the 1 in ``1 + x``, a label the code turned into a Value): baked
  into the code with the value it had when the graph was recorded.

What recording freezes is the shape of the graph. Operations whose derivative depends on the
values (relu, powers, division, ...) are computed from the new values on every call, so their
branches follow the data. But Python control flow in the code that built the graph ran once, at
recording: an ``if`` on a Value, a loop whose length depends on the data, a number read from
``.data`` (such as the max that softmax subtracts) are replayed as they were then. A call with
inputs of another shape (another count) raises a ValueError: record again for that shape.

When the graph repeats one structure many times (a loss summed over the examples of a batch),
the code computes that structure in a ``for`` loop over the repeats instead of writing out
every copy; the gradients are still accumulated in exactly the order backward() uses.
"""

from __future__ import annotations

import inspect
import keyword
import math
import numbers
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from micrograd.engine import Number, Value, _log_or_nan, _pow, _pow_local, linear, no_grad, topological_order

__all__ = ["CompiledGraph", "compile_function", "compile_graph"]

Nested = Number | Sequence["Nested"]

LINEAR = "w·a+b"

# The forward pass of each op, on the names of its children {0}, {1}: the engine's formulas.
_FORWARD = {
    "+": "{0} + {1}",
    "-": "{0} - {1}",
    "*": "{0} * {1}",
    "/": "{0} / {1}",
    "**": "_pow({0}, {1})",
    "neg": "-{0}",
    "exp": "exp({0})",
    "log": "log({0})",
    "tanh": "tanh({0})",
    "sigmoid": "1.0 / (1.0 + exp(-{0})) if {0} >= 0.0 else exp({0}) / (1.0 + exp({0}))",
    "relu": "0.0 if {0} < 0.0 else {0}",
}

# local * g for each child of each op, where g is the node's grad and {out} its value: the same float
# operations as the engine's local derivatives (1.0 * g is g and -1.0 * g is -g, exactly).
_BACKWARD = {
    "+": ("{g}", "{g}"),
    "-": ("{g}", "-{g}"),
    "*": ("{1} * {g}", "{0} * {g}"),
    "/": ("(1.0 / {1}) * {g}", "(-{out} / {1}) * {g}"),
    "**": ("_pow_local({0}, {1}) * {g}", "(0.0 if {0} == 0.0 and {1} >= 0.0 else {out} * _log_or_nan({0})) * {g}"),
    "neg": ("-{g}",),
    "exp": ("{out} * {g}",),
    "log": ("(1.0 / {0}) * {g}",),
    "tanh": ("(1.0 - {out} * {out}) * {g}",),
    "sigmoid": ("((1.0 - {out}) * {out}) * {g}",),
    "relu": ("(0.0 * {g} if {out} <= 0.0 else {g})",),
}

# What the generated code may call, and so the names no label may take.
_HELPERS = {
    "mul": operator.mul,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "inf": math.inf,
    "nan": math.nan,
    "_pow": _pow,
    "_pow_local": _pow_local,
    "_log_or_nan": _log_or_nan,
}
_BUILTINS = {"sum", "map", "zip", "range", "reversed"}
_RESERVED = {*_HELPERS, *_BUILTINS, "forward_backward", "params", "inputs", "roots", "saved"}

# Below this many nodes in all the repeats together, the code is written out: short, and easier to read.
LOOP_MIN_NODES = 100


class CompiledGraph:
    """A recorded graph as generated Python: call it with new values, read ``.source``.

    ``graph(param_values, *inputs)`` returns ``(output, grads)``: the value of the root and
    ∂root/∂p for every parameter p, in the order of ``.params``. ``inputs`` take the same shape
    as the inputs given when compiling (a number, or a list of lists of numbers, ...).
    ``graph.run(*inputs)`` reads the parameters' ``.data`` instead and adds the gradients to their
    ``.grad``, as ``backward()`` does: after ``zero_grad()`` the grads are bitwise backward()'s.

    ``.params`` are the parameter leaves and ``.inputs`` the input leaves (flattened), in order;
    ``.source`` is the generated Python; ``.repeats`` is how many times its loop runs (1: no loop).
    """

    def __init__(
        self,
        root: Value,
        params: tuple[Value, ...],
        inputs: tuple[Value, ...],
        shapes: list[object],
        names: list[str],
        unroll: bool,
    ) -> None:
        self.params = params
        self.inputs = inputs
        self._root = root  # kept to replay an error through the engine, for the engine's message
        self._shapes = shapes
        self._names = names
        graph = _Graph(root, params, inputs)
        loop = None if unroll else _find_loop(graph)
        self.repeats = loop.count if loop else 1
        self.source = _Writer(graph, loop).source()
        namespace = dict(_HELPERS)
        exec(compile(self.source, "<micrograd compiled graph>", "exec"), namespace)
        self._function = namespace["forward_backward"]
        self._in_graph = [p in graph.needs_grad for p in params]

    def __call__(self, params: Sequence[Number], *inputs: Nested) -> tuple[float, list[float]]:
        """(output, [∂output/∂p for p in .params]) at these parameter values and inputs."""
        values = self._param_values(params)
        flat = self._flatten(inputs)
        try:
            return self._function(values, flat)
        except (ArithmeticError, ValueError):
            error = self._engine_error(values, flat)
            if error is None:
                raise
            raise error from None

    def run(self, *inputs: Nested) -> float:
        """Forward and backward at the parameters' current .data: add each gradient to .grad, return the output."""
        output, grads = self([p.data for p in self.params], *inputs)
        for p, g, in_graph in zip(self.params, grads, self._in_graph):
            if in_graph:  # backward() starts a zero grad from -0.0, so the sum lands exactly, sign of zero too
                p.grad = g if p.grad == 0.0 else p.grad + g
        return output

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        loop = f", a loop over {self.repeats} repeats" if self.repeats > 1 else ""
        return f"CompiledGraph({len(self.params)} params, {len(self.inputs)} inputs, {lines} lines{loop})"

    def _param_values(self, params: Sequence[Number]) -> list[float]:
        if isinstance(params, (str, bytes, Value)) or not (hasattr(params, "__len__") and hasattr(params, "__iter__")):
            raise TypeError(f"the parameter values must be a list of {len(self.params)} numbers, got {_name(params)}")
        if len(params) != len(self.params):
            raise ValueError(
                f"expected {len(self.params)} parameter values (one per parameter, in the order given "
                f"when compiling), got {len(params)}"
            )
        if all(type(v) is float for v in params):
            return list(params)
        return [_number(v, f"parameter value {i}") for i, v in enumerate(params)]

    def _flatten(self, inputs: tuple) -> list[float]:
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
                        new[node] = _apply(node, [new[c] for c in node._prev]) if node._prev else node
        except (ArithmeticError, ValueError) as error:
            return error
        return None


def compile_graph(
    root: Value, params: Iterable[Value], *inputs: Value | Sequence, unroll: bool = False
) -> CompiledGraph:
    """Generate plain-float Python for the forward and backward passes of the graph under root.

    ``params`` are the leaves whose gradients are returned, in that order; each of ``inputs`` is a
    leaf or a (nested) list of leaves that take new values on every call, in the same shape; every
    other leaf is a constant.
    ``unroll=True`` writes every node out even where the graph repeats a structure.
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile_graph() takes the Value to differentiate as its root, got {_name(root)}")
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
    root: Value, params: tuple[Value, ...], leaves: list[Value], shapes: list[object], names: list[str], unroll: object
) -> CompiledGraph:
    if not isinstance(unroll, bool):
        raise TypeError(f"unroll must be True or False, got {_name(unroll)}")
    seen: dict[Value, str] = {}
    for what, leaf in [*((f"params[{i}]", p) for i, p in enumerate(params)), *(("an input", x) for x in leaves)]:
        if leaf in seen:
            raise ValueError(f"{what} {leaf!r} is also {seen[leaf]}: give each leaf once, as a parameter or an input")
        seen[leaf] = what
    return CompiledGraph(root, params, tuple(leaves), shapes, names, unroll)


# -- the graph: its nodes in order, the kind of every leaf ------------------------------------


class _Graph:
    """The recorded graph in topological order: the kind of every leaf, and the nodes that need a grad."""

    def __init__(self, root: Value, params: tuple[Value, ...], inputs: tuple[Value, ...]) -> None:
        self.root = root
        self.order = topological_order(root)
        self.param_index = {p: i for i, p in enumerate(params)}
        self.input_index = {x: i for i, x in enumerate(inputs)}
        self.const: set[Value] = set()  # constant leaves, and nodes computed from constants only (folded)
        self.needs_grad: set[Value] = set()  # parameters and the nodes on a path to one
        for node in self.order:
            if not node._prev:
                if node in self.param_index:
                    self.needs_grad.add(node)
                elif node not in self.input_index:
                    self.const.add(node)
            elif all(c in self.const for c in node._prev):
                self.const.add(node)
            else:
                _check_op(node)
                if any(c in self.needs_grad for c in node._prev):
                    self.needs_grad.add(node)
        self.ops = [n for n in self.order if n._prev and n not in self.const]  # the nodes that become code


def _check_op(node: Value) -> None:
    op = node._op
    if op in _FORWARD or op == LINEAR or (op.startswith("**") and _exponent(op) is not None):
        return
    raise ValueError(f"cannot compile the op {op!r} (node {node!r}): compile.py knows {', '.join(_FORWARD)}, {LINEAR}")


def _exponent(op: str) -> float | None:
    """n of a constant power "**n" (the engine writes n exactly: an int, or repr of the float)."""
    try:
        return float(op[2:])
    except ValueError:
        return None


# -- finding the repeated structure -------------------------------------------------------------


@dataclass
class _Loop:
    """A structure repeated ``count`` times: the code for its first copy, run in a loop over all of them.

    members[t] lists, for a node t of the first copy (the template), the same node in every copy.
    A child that differs between copies is a leaf (an input or a constant): a "slot" of the loop,
    slots[j] its leaf in every copy, slot_of[(t, s)] the slot of child s of t. Nodes outside the
    copies are computed before the loop when a copy needs them ("below"), after it otherwise ("above").
    """

    count: int
    members: dict[Value, tuple[Value, ...]]
    roots: list[Value]  # the template nodes used outside their copy
    body: list[Value]  # the template, in topological order
    slots: list[tuple[Value, ...]]
    slot_of: dict[tuple[Value, int], int]
    below: list[Value]
    above: list[Value]


def _find_loop(graph: _Graph) -> _Loop | None:
    """The largest structure that the graph repeats, if it can run as a loop with backward()'s exact sums."""
    sig: dict[Value, int] = {}  # equal signatures: the same ops on the same parameters, in the same shape
    keys: dict[tuple, int] = {}
    count: Counter[int] = Counter()
    for node in graph.order:
        if node in graph.const:
            key: tuple = ("constant",)
        elif not node._prev:
            key = ("param", graph.param_index[node]) if node in graph.param_index else ("input",)
        else:
            key = (node._op, *map(sig.__getitem__, node._prev))
        sig[node] = s = keys.setdefault(key, len(keys))
        if node._prev and node not in graph.const:
            count[s] += 1
    # Try the repeat counts k that could cover the most nodes (a node repeated 2k times may sit twice in
    # every copy), and keep the loop that covers the most.
    reach: Counter[int] = Counter()
    for k in set(count.values()) - {1}:
        reach[k] = sum(c for c in count.values() if c % k == 0)
    best, covered = None, LOOP_MIN_NODES - 1
    for k, most in sorted(reach.items(), key=lambda item: (-item[1], -item[0]))[:4]:
        if most <= covered:
            break
        loop = _try_loop(graph, sig, count, k)
        if loop is not None and k * len(loop.body) > covered:
            best, covered = loop, k * len(loop.body)
    return best


def _try_loop(graph: _Graph, sig: dict[Value, int], count: Counter[int], k: int) -> _Loop | None:
    """The loop over the k copies whose nodes have signatures repeated k times, or None where that is not exact."""
    indegree: Counter[Value] = Counter()
    used_outside: set[Value] = set()  # used by a node repeated fewer times: outside the copies
    for node in graph.ops:
        fewer = count[sig[node]] < k
        for c in node._prev:
            indegree[c] += 1
            if fewer:
                used_outside.add(c)
    groups: dict[int, list[Value]] = {}
    root_sigs = {sig[n] for n in graph.ops if count[sig[n]] == k and n in used_outside}
    for node in graph.ops:
        if sig[node] in root_sigs:
            groups.setdefault(sig[node], []).append(node)

    members: dict[Value, tuple[Value, ...]] = {}
    owner: dict[Value, tuple[Value, int]] = {}  # node of a copy -> (its template node, the copy)
    for group in groups.values():
        members[group[0]] = tuple(group)
        for i, node in enumerate(group):
            owner[node] = (group[0], i)
    roots = list(members)
    slots: list[tuple[Value, ...]] = []
    slot_ids: dict[tuple[Value, ...], int] = {}
    slot_of: dict[tuple[Value, int], int] = {}
    inner_indegree: Counter[Value] = Counter()
    stack = list(roots)
    while stack:  # walk all copies in step, child by child, from the roots
        t = stack.pop()
        copies = members[t]
        for s, c in enumerate(t._prev):
            cs = tuple(m._prev[s] for m in copies)
            if all(x is c for x in cs):
                continue  # shared by every copy: a parameter, or a node outside the loop
            if not c._prev or c in graph.const:
                slot_of[(t, s)] = slot_ids.setdefault(cs, len(slot_ids))
                if len(slot_ids) > len(slots):
                    slots.append(cs)
                continue
            inner_indegree[c] += 1
            if c in owner:
                if owner[c] != (c, 0) or members[c] != cs:
                    return None  # the copies do not line up
            elif any(x in owner for x in cs) or len(set(cs)) != k:
                return None
            else:
                members[c] = cs
                for i, x in enumerate(cs):
                    owner[x] = (c, i)
                stack.append(c)
    root_set = set(roots)
    for t, copies in members.items():  # a node of a copy, other than a root, is used only inside its copy
        if t not in root_set and any(indegree[m] != inner_indegree[t] for m in copies):
            return None

    below: set[Value] = set()  # outside nodes that the copies use, and what they use
    stack = [c for t in members for c in t._prev if c._prev and c not in graph.const and c not in owner]
    while stack:
        node = stack.pop()
        if node not in below:
            below.add(node)
            stack.extend(c for c in node._prev if c._prev and c not in graph.const)
    outside = [n for n in graph.ops if n not in owner]
    loop = _Loop(
        count=k,
        members=members,
        roots=roots,
        body=[n for n in graph.ops if n in members],
        slots=slots,
        slot_of=slot_of,
        below=[n for n in outside if n in below],
        above=[n for n in outside if n not in below],
    )
    return loop if _same_as_backward(graph, loop, owner) else None


def _same_as_backward(graph: _Graph, loop: _Loop, owner: dict[Value, tuple[Value, int]]) -> bool:
    """Does the loop compute every node after its children, and add every gradient in backward()'s order?

    The forward pass runs: the nodes below the loop, the loop (copy 0 first), the nodes above it.
    The backward pass runs: the nodes above, the loop (last copy first), the nodes below. Each node's
    grad must then receive its contributions in the order of reversed(topological_order(root)).
    """
    forward = {n: i for i, n in enumerate(loop.below)}
    for n in owner:
        forward[n] = len(loop.below)
    forward.update((n, len(loop.below) + 1 + i) for i, n in enumerate(loop.above))
    for n in (*loop.below, *loop.above):
        if any(forward.get(c, -1) >= forward[n] for c in n._prev):
            return False

    backward = {n: i for i, n in enumerate(reversed(loop.above))}
    template = {t: i for i, t in enumerate(reversed(loop.body))}
    start, size = len(loop.above), len(loop.body)
    for n, (t, i) in owner.items():
        backward[n] = start + (loop.count - 1 - i) * size + template[t]
    start += loop.count * size
    backward.update((n, start + i) for i, n in enumerate(reversed(loop.below)))
    last: dict[Value, int] = {}
    needs_grad = graph.needs_grad
    for node in reversed(graph.order):
        if node not in needs_grad or node not in backward:
            continue
        at = backward[node]
        for c in node._prev:
            if c in needs_grad:
                if backward.get(c, math.inf) <= at or last.get(c, -1) > at:
                    return False
                last[c] = at
    return True


# -- writing the code ----------------------------------------------------------------------------


class _Writer:
    """The source of ``forward_backward(params, inputs)`` for a graph, with or without a loop."""

    def __init__(self, graph: _Graph, loop: _Loop | None) -> None:
        self.graph = graph
        self.loop = loop
        self.names = _Names()
        self.value: dict[Value, str] = {}  # node -> its value in the function's scope: a name or a literal
        self.grad: dict[Value, str] = {}  # node -> the name of its grad
        self.header: list[str] = []  # module-level tables: the loop's per-copy constants and input indices
        self.ready: set[str] = set()  # grads that hold a value already: their next contribution is +=
        self.saved: list[str] = []  # what the loop's forward pass keeps for its backward pass

    def source(self) -> str:
        g = self.graph
        params = list(g.param_index)
        for i, p in enumerate(params):
            self.value[p] = self.names.new(p.label, f"p{i}")
        for i, x in enumerate(g.input_index):
            self.value[x] = self.names.new(x.label, f"x{i}")
        for c in g.const:
            self.value[c] = _literal(c.data)
        in_copies: set[Value] = set()
        if self.loop is not None:
            self._name_loop()
            in_copies = set().union(*self.loop.members.values())
        for n in g.ops:
            if n not in self.value and n not in in_copies:
                self.value[n] = self.names.new(n.label)

        backward = self._backward_section() if g.root in g.needs_grad else []
        lines = [
            "def forward_backward(params, inputs):",
            '    """(output, [∂output/∂p for each parameter p]) at new values of the parameters and inputs."""',
        ]
        if params:
            lines.append(f"    {_targets([self.value[p] for p in params])} = params")
        lines += self._unpack_inputs()
        lines.append("    # forward: one assignment per node, in topological order")
        if self.loop is None:
            lines += self._forward(g.ops, "    ")
        else:
            lines += self._forward(self.loop.below, "    ")
            lines += self._forward_loop()
            lines += self._forward(self.loop.above, "    ")
        lines += backward
        returned = ", ".join(self.grad[p] if p in g.needs_grad else "0.0" for p in params)
        lines.append(f"    return {self.value[g.root]}, [{returned}]")
        return "\n".join([*self.header, *([""] if self.header else []), *lines]) + "\n"

    def _unpack_inputs(self) -> list[str]:
        g, loop = self.graph, self.loop
        if loop is None:
            used = {c for n in g.ops for c in n._prev}
        else:  # the leaves of the copies come in through the loop's slots
            used = {c for n in (*loop.below, *loop.above) for c in n._prev}
            used |= {c for t in loop.body for s, c in enumerate(t._prev) if (t, s) not in loop.slot_of}
        used.add(g.root)
        inputs = list(g.input_index)
        if inputs and all(x in used for x in inputs):
            return [f"    {_targets([self.value[x] for x in inputs])} = inputs"]
        return [f"    {self.value[x]} = inputs[{i}]" for i, x in enumerate(inputs) if x in used]

    # -- straight-line code

    def _forward(
        self,
        nodes: Iterable[Value],
        indent: str,
        arg: Callable[[Value, int], str] | None = None,
        out: dict[Value, str] | None = None,
        named: dict[tuple[str, ...], str] | None = None,
    ) -> list[str]:
        """One assignment per node; a tuple that linear nodes use more than once gets a name."""
        nodes = list(nodes)
        arg = arg or (lambda n, s: self.value[n._prev[s]])
        out = self.value if out is None else out
        named = {} if named is None else dict(named)
        args_of = {n: [arg(n, s) for s in range(len(n._prev))] for n in nodes}
        uses = Counter(t for n in nodes if n._op == LINEAR for t in _linear_tuples(args_of[n]))
        lines = []
        for n in nodes:
            args = args_of[n]
            if n._op == LINEAR:
                parts = []
                for t in _linear_tuples(args):
                    if t not in named and uses[t] > 1:
                        named[t] = self.names.new(_common_prefix(t), "t")
                        lines.append(f"{indent}{named[t]} = {_tuple(t)}")
                    parts.append(named.get(t) or _tuple(t))
                expr = f"sum(map(mul, {parts[0]}, {parts[1]})) + {args[-1]}"
            elif n._op.startswith("**") and n._op != "**":
                expr = f"_pow({args[0]}, {_literal(_exponent(n._op))})"
            else:
                expr = _FORWARD[n._op].format(*args)
            lines.append(f"{indent}{out[n]} = {expr}")
        return lines

    def _backward(
        self,
        nodes: Iterable[Value],
        indent: str,
        value: dict[Value, str],
        grad: dict[Value, str],
        arg: Callable[[Value, int], str] | None = None,
    ) -> tuple[list[str], set[str]]:
        """The chain rule through each node, in the order given; also returns the values it reads."""
        needs_grad = self.graph.needs_grad
        arg = arg or (lambda n, s: value[n._prev[s]])
        lines, read = [], set()
        for n in nodes:
            if n not in needs_grad:
                continue
            args = [arg(n, s) for s in range(len(n._prev))]
            for s, c in enumerate(n._prev):
                if c in needs_grad:
                    expr, used = _contribution(n, s, args, value[n], grad[n])
                    read.update(used)
                    target = grad[c]
                    lines.append(f"{indent}{target} {'+=' if target in self.ready else '='} {expr}")
                    self.ready.add(target)
        return lines, read

    def _backward_section(self) -> list[str]:
        g, loop = self.graph, self.loop
        for n in g.order:
            if n in g.needs_grad and n in self.value and n not in self.grad:
                self.grad[n] = self.names.new("g_" + self.value[n], "g")
        lines = ["    # backward: the chain rule, child.grad += local * node.grad, in reverse topological order"]
        lines.append(f"    {self.grad[g.root]} = 1.0")
        self.ready.add(self.grad[g.root])
        if loop is None:
            lines += self._backward(reversed(g.ops), "    ", self.value, self.grad)[0]
            return lines
        # Grads summed over the copies start at -0.0, the additive identity, as in backward().
        read_by_loop = {c for t in loop.body for c in t._prev}
        summed = [p for p in g.param_index if p in g.needs_grad] + [n for n in loop.below if n in g.needs_grad]
        summed = [self.grad[n] for n in summed if n in read_by_loop]
        for i in range(0, len(summed), 8):
            lines.append(f"    {' = '.join(summed[i : i + 8])} = -0.0")
        self.ready.update(summed)
        lines += self._backward(reversed(loop.above), "    ", self.value, self.grad)[0]
        lines += self._backward_loop()
        lines += self._backward(reversed(loop.below), "    ", self.value, self.grad)[0]
        return lines

    # -- the loop over the copies

    def _name_loop(self) -> None:
        loop, g = self.loop, self.graph
        # A slot is a loop variable, or a literal where it holds the same constant in every copy. The
        # variables follow the inputs' order (x_i_0 before x_i_1), then the constants.
        self.slot_names: list[str] = [""] * len(loop.slots)
        self.slot_vars: list[str] = []
        inputs = sorted(
            (j for j, leaves in enumerate(loop.slots) if leaves[0] not in g.const),
            key=lambda j: g.input_index[loop.slots[j][0]],
        )
        constants = [j for j, leaves in enumerate(loop.slots) if leaves[0] in g.const]
        for j in constants:
            if len({_literal(c.data) for c in loop.slots[j]}) == 1:
                self.slot_names[j] = _literal(loop.slots[j][0].data)
        constants = [j for j in constants if not self.slot_names[j]]
        for kind, slots in (("x", inputs), ("c", constants)):
            for n, j in enumerate(slots):
                label = _common_label([leaf.label for leaf in loop.slots[j]])
                self.slot_names[j] = self.names.new(label, f"{kind}_i_{n}")
                self.slot_vars.append(self.slot_names[j])
        self.local: dict[Value, str] = {}  # template node -> its name inside the loop
        for t in loop.body:
            self.local[t] = self.names.new(t.label)
        for t in loop.roots:  # every copy of a root, as the code after the loop sees it
            for i, m in enumerate(loop.members[t]):
                self.value[m] = self.names.new(f"{self.local[t]}_{i}", "r")

    def _loop_arg(self, t: Value, s: int) -> str:
        if (t, s) in self.loop.slot_of:
            return self.slot_names[self.loop.slot_of[(t, s)]]
        c = t._prev[s]
        return self.local[c] if c in self.local else self.value[c]

    def _slot_sources(self) -> list[tuple[str, str]]:
        """(loop variable, its values over the copies), for every slot that is a variable, in slot_vars' order."""
        sources = {}
        for leaves, name in zip(self.loop.slots, self.slot_names):
            if name not in self.slot_vars:
                continue  # a literal
            if leaves[0] in self.graph.const:
                table = self.names.new(f"{name}_values")
                self.header.append(f"{table} = {_tuple([_literal(c.data) for c in leaves])}")
                sources[name] = table
                continue
            index = [self.graph.input_index[x] for x in leaves]
            step = index[1] - index[0]
            if step > 0 and all(b - a == step for a, b in pairwise(index)):
                stride = f":{step}" if step > 1 else ""
                sources[name] = f"inputs[{index[0]}:{index[-1] + 1}{stride}]"
            else:
                table = self.names.new(f"{name}_index")
                self.header.append(f"{table} = {_tuple([str(i) for i in index])}")
                sources[name] = f"map(inputs.__getitem__, {table})"
        return [(name, sources[name]) for name in self.slot_vars]

    def _forward_loop(self) -> list[str]:
        loop = self.loop
        sources = self._slot_sources()
        variables = [name for name, _ in sources]
        in_loop = {*variables, *self.local.values()}
        lines, hoisted = [], {}
        for t in loop.body:  # tuples of values that do not change in the loop (a neuron's weights): built once
            if t._op == LINEAR:
                for tup in _linear_tuples([self._loop_arg(t, s) for s in range(len(t._prev))]):
                    if tup not in hoisted and not in_loop.intersection(tup):
                        hoisted[tup] = self.names.new(_common_prefix(tup), "t")
                        lines.append(f"    {hoisted[tup]} = {_tuple(tup)}")
        lines.append(f"    # the same structure {loop.count} times over (the examples of a batch): a loop")
        lines.append("    roots = []")
        if self.saved:
            lines.append("    saved = []")
        if not variables:
            lines.append(f"    for _ in range({loop.count}):")
        elif len(variables) == 1:
            lines.append(f"    for {variables[0]} in {sources[0][1]}:")
        else:
            lines.append(f"    for {', '.join(variables)} in zip({', '.join(src for _, src in sources)}):")
        lines += self._forward(loop.body, "        ", self._loop_arg, self.local, hoisted)
        lines.append(f"        roots.append({_tuple([self.local[t] for t in loop.roots], bare=True)})")
        if self.saved:
            lines.append(f"        saved.append({_tuple(self.saved)})")
        copies = [[self.value[m] for m in loop.members[t]] for t in loop.roots]
        lines.append(f"    {_targets([_tuple([r[i] for r in copies], bare=True) for i in range(loop.count)])} = roots")
        return lines

    def _backward_loop(self) -> list[str]:
        g, loop = self.graph, self.loop
        local_grad = {t: self.names.new("g_" + self.local[t], "g") for t in loop.body if t in g.needs_grad}
        if not local_grad:
            return []
        roots = [t for t in loop.roots if t in g.needs_grad]
        outer = set(self.ready)
        self.ready |= {local_grad[t] for t in roots}
        value, grad = {**self.value, **self.local}, {**self.grad, **local_grad}
        body, read = self._backward(reversed(loop.body), "        ", value, grad, self._loop_arg)
        self.ready = outer | (self.ready - set(local_grad.values()))
        # A root that nothing outside its copy used yet starts from -0.0, as in backward().
        copies = []
        for i in reversed(range(loop.count)):
            gs = [self.grad[loop.members[t][i]] for t in roots]
            copies.append(_tuple([name if name in outer else "-0.0" for name in gs], bare=True))
        target = _tuple([local_grad[t] for t in roots], bare=True)
        in_loop = [*self.slot_vars, *(self.local[t] for t in loop.body)]
        self.saved = [name for name in in_loop if name in read]
        lines = ["    # the loop backward, last copy first, as backward() goes"]
        if self.saved:
            lines.append(f"    for {_tuple(self.saved)}, {target} in zip(reversed(saved), {_tuple(copies)}):")
        else:
            lines.append(f"    for {target} in {_tuple(copies)}:")
        return lines + body


def _contribution(node: Value, slot: int, args: list[str], out: str, g: str) -> tuple[str, list[str]]:
    """local * g, the contribution of node to the grad of its child number slot, and the values it reads."""
    op = node._op
    if op == LINEAR:
        n = (len(args) - 1) // 2
        if slot < n:  # ∂z/∂w_k = a_k
            return f"{args[n + slot]} * {g}", [args[n + slot]]
        if slot < 2 * n:  # ∂z/∂a_k = w_k
            return f"{args[slot - n]} * {g}", [args[slot - n]]
        return g, []  # ∂z/∂b = 1
    if op.startswith("**") and op != "**":
        return f"_pow_local({args[0]}, {_literal(_exponent(op))}) * {g}", [args[0]]
    template = _BACKWARD[op][slot]
    used = [a for i, a in enumerate(args) if f"{{{i}}}" in template] + ([out] if "{out}" in template else [])
    return template.format(*args, out=out, g=g), used


def _linear_tuples(args: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    n = (len(args) - 1) // 2
    return tuple(args[:n]), tuple(args[n : 2 * n])


def _tuple(items: Sequence[str], bare: bool = False) -> str:
    if len(items) == 1:
        return items[0] if bare else f"({items[0]},)"
    return f"({', '.join(items)})"


def _targets(names: list[str]) -> str:
    return names[0] + "," if len(names) == 1 else ", ".join(names)


def _literal(x: float) -> str:
    """x as Python source that evaluates to the same float, negative numbers in parentheses."""
    if math.isnan(x):
        return "nan"
    text = "inf" if x == math.inf else "(-inf)" if x == -math.inf else repr(x)
    return f"({text})" if text.startswith("-") else text


def _common_prefix(names: Sequence[str]) -> str:
    """The name a tuple of names shares: (a_1_0, a_1_1, ...) -> a_1."""
    first, last = min(names, default=""), max(names, default="")
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    return first[:i].rsplit("_", 1)[0] if "_" in first[:i] else ""


def _common_label(labels: list[str]) -> str:
    """The label of a loop variable: the leaves' label if they share it, X[i][0] for X[0][0], X[1][0], ..."""
    if all(label == labels[0] for label in labels):
        return labels[0]
    parts = [re.split(r"(\d+)", label) for label in labels]
    if any(len(p) != len(parts[0]) for p in parts):
        return ""
    varying = {i for p in parts for i, (a, b) in enumerate(zip(p, parts[0])) if a != b}
    if len(varying) != 1 or min(varying) % 2 == 0:  # re.split puts the numbers at the odd places
        return ""
    i = varying.pop()
    return "".join([*parts[0][:i], "i", *parts[0][i + 1 :]])


class _Names:
    """Unique Python identifiers made from labels: w[1][0][2] -> w_1_0_2, a second "z" -> z__2."""

    def __init__(self) -> None:
        self.taken: set[str] = set(_RESERVED)
        self.suffix: Counter[str] = Counter()
        self.unnamed = 0

    def new(self, label: str, fallback: str | None = None) -> str:
        """A fresh name for label; for no usable label, fallback, or v1, v2, ... when there is none."""
        base = _identifier(label) or fallback
        if not base:
            self.unnamed += 1
            base = f"v{self.unnamed}"
        if keyword.iskeyword(base):
            base += "_"
        name = base
        while name in self.taken:
            self.suffix[base] += 1
            name = f"{base}__{self.suffix[base] + 1}"
        self.taken.add(name)
        return name


def _identifier(label: str) -> str:
    """label as a Python identifier: letters, digits and single underscores; "" when nothing is left."""
    text = unicodedata.normalize("NFKC", label)
    text = "".join(ch if (ch.isalnum() or ch == "_") and ("_" + ch).isidentifier() else "_" for ch in text)
    text = re.sub(r"_+", "_", text).strip("_")
    if text and not text.isidentifier():
        text = "v_" + text  # it starts with a digit
    return text if text.isidentifier() and unicodedata.normalize("NFKC", text) == text else ""


# -- inputs: their shapes, and the values of a call ------------------------------------------------


def _check_leaf(x: object, what: str) -> None:
    if not isinstance(x, Value):
        raise TypeError(f"{what} must be a Value, got {_name(x)}")
    if x._prev:
        raise ValueError(
            f"{what} is the result of an operation ({x._op!r}), not a leaf: only leaves can be parameters or inputs"
        )


def _shape(x: object, where: str, leaves: list[Value]) -> object:
    """The shape of an input (None for a leaf, n for a list of n leaves, else a list of shapes); collects its leaves."""
    if isinstance(x, Value):
        _check_leaf(x, where)
        leaves.append(x)
        return None
    if isinstance(x, (list, tuple)):
        shapes = [_shape(v, f"{where}[{i}]", leaves) for i, v in enumerate(x)]
        return len(shapes) if all(s is None for s in shapes) else shapes
    raise TypeError(f"{where} must be a Value leaf or a list of them, got {_name(x)}")


def _flatten(x: object, shape: object, where: str, out: list[float]) -> None:
    if shape is None:
        out.append(_number(x, where))
        return
    n = shape if isinstance(shape, int) else len(shape)
    if isinstance(x, (str, bytes, Value)) or not (hasattr(x, "__len__") and hasattr(x, "__iter__")):
        raise TypeError(f"{where} must be a list of {n} entries, as when the graph was recorded, got {_name(x)}")
    if len(x) != n:
        raise ValueError(
            f"{where} has {len(x)} entries, but the graph was recorded with {n}: "
            "a compiled graph has a fixed shape; compile again for this one"
        )
    if isinstance(shape, int):
        if all(type(v) is float for v in x):
            out.extend(x)
        else:
            out.extend(_number(v, f"{where}[{i}]") for i, v in enumerate(x))
    else:
        for i, (v, s) in enumerate(zip(x, shape)):
            _flatten(v, s, f"{where}[{i}]", out)


def _leaves(x: object, label: str) -> object:
    """A number as a Value leaf labelled label, a (nested) list as the same list of leaves."""
    if isinstance(x, Value):
        raise TypeError(f"{label}: compile_function() takes numbers and makes the input Values itself, got a Value")
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x), label)
    if isinstance(x, (str, bytes)) or not (hasattr(x, "__len__") and hasattr(x, "__iter__")):
        raise TypeError(f"{label} must be a number or a list of numbers, got {_name(x)}")
    return [_leaves(v, f"{label}[{i}]") for i, v in enumerate(x)]


def _argument_names(f: Callable, n: int) -> list[str]:
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [positional[i] if i < len(positional) else f"arg{i}" for i in range(n)]


def _number(x: object, what: str) -> float:
    if isinstance(x, Value):
        raise TypeError(f"{what} must be a number, got a Value; pass its .data")
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {_name(x)}")
    return float(x)


def _name(x: object) -> str:
    return type(x).__name__


def _apply(node: Value, children: list[Value]) -> Value:
    """node's op applied to other children, through the engine."""
    op = node._op
    if op == LINEAR:
        n = (len(children) - 1) // 2
        return linear(children[:n], children[n : 2 * n], children[-1])
    if op.startswith("**") and op != "**":
        return children[0] ** _exponent(op)
    binary = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
    if op in binary:
        return binary[op](*children)
    if op == "neg":
        return -children[0]
    return getattr(children[0], op)()
