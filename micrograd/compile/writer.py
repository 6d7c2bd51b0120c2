"""Writing the code of a compiled graph: the forward pass, one assignment per node, then the backward pass.

Each node's value and each edge's contribution to a gradient are written from the op's own
definition (micrograd.ops), evaluated on expressions instead of floats, so the code performs the
very float operations that the engine performs. Where the graph repeats a structure (loops.py),
the code computes it in a ``for`` loop over the repeats.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from micrograd import expr
from micrograd.compile.graph import Graph, check_op
from micrograd.compile.loops import Loop
from micrograd.compile.names import Names, common_label, common_prefix, float_source
from micrograd.engine import Value, node_names
from micrograd.ops import LINEAR
from micrograd.runtime import RUNTIME, SYMBOLS, ZERO, contribution


@dataclass
class Backward:
    """The chain rule through some nodes, as code: one line per edge, with what each line adds into and reads.

    ``zeros_only``: every local derivative is a value, a finite constant or a mask of one, so that zero
    grads from above make every contribution ±0 wherever those values are finite.
    """

    lines: list[str]
    read: set[str]  # the values the lines read
    targets: list[str]  # the grad each line adds into
    reads: list[frozenset[str]]  # the names each line reads
    zeros_only: bool


class Writer:
    """The source of ``forward_backward(params, inputs, grads)`` for a graph, with or without a loop."""

    def __init__(self, graph: Graph, loop: Loop | None) -> None:
        self.graph = graph
        self.loop = loop
        self.names = Names()
        self.unnamed = node_names(graph.order, labels=False)  # v1, v2, ... as traces and drawings name them
        self.value: dict[Value, str] = {}  # node -> its value in the function's scope: a name or a literal
        self.grad: dict[Value, str] = {}  # node -> the name of its grad
        self.header: list[str] = []  # module-level tables: the loop's per-copy constants and input indices
        self.ready: set[str] = set()  # grads that hold a value already: their next contribution is +=

    def source(self) -> str:
        g = self.graph
        params = list(g.param_index)
        for i, p in enumerate(params):
            self.value[p] = self.names.new(p.label, self.unnamed.get(p, f"p{i}"))
        for i, x in enumerate(g.input_index):
            self.value[x] = self.names.new(x.label, self.unnamed.get(x, f"x{i}"))
        for c in g.const:
            self.value[c] = float_source(c.data)
        in_copies: set[Value] = set()
        if self.loop is not None:
            self._name_loop()
            in_copies = set().union(*self.loop.members.values())
        for n in g.ops:
            if n not in self.value and n not in in_copies:
                self.value[n] = self.names.new(n.label, self.unnamed[n])

        # The backward pass is written first: writing it finds what the loop's backward reads, which the
        # loop's forward pass must then save.
        backward, saved = self._backward_section() if g.root in g.needs_grad else ([], [])
        lines = [
            "def forward_backward(params, inputs, grads):",
            '    """(output, [∂output/∂p added to its start in grads, for each parameter p]) at new values."""',
        ]
        if params:
            lines.append(f"    {_targets([self.value[p] for p in params])} = params")
        lines += self._unpack_inputs()
        lines.append("    # forward: one assignment per node, in topological order")
        if self.loop is None:
            lines += self._forward(g.ops, "    ")
        else:
            lines += self._forward(self.loop.below, "    ")
            lines += self._forward_loop(saved)
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
        uses = Counter(t for n in nodes if n._op is LINEAR for t in _linear_tuples(args_of[n]))
        lines = []
        for n in nodes:
            args = args_of[n]
            if n._op is LINEAR:
                parts = []
                for t in _linear_tuples(args):
                    if t not in named and uses[t] > 1:
                        named[t] = self.names.new(common_prefix(t), "t")
                        lines.append(f"{indent}{named[t]} = {_tuple(t)}")
                    parts.append(named.get(t) or _tuple(t))
                operands = [expr.Expr(parts[0]), expr.Expr(parts[1]), _arg(args[-1])]
            else:
                operands = list(check_op(n).args([_arg(a) for a in args]))  # logsumexp: one tuple
            value = check_op(n).value(SYMBOLS, *operands)
            lines.append(f"{indent}{out[n]} = {value}")
        return lines

    def _backward(
        self,
        nodes: Iterable[Value],
        indent: str,
        value: dict[Value, str],
        grad: dict[Value, str],
        arg: Callable[[Value, int], str] | None = None,
    ) -> Backward:
        """The chain rule through each node, in the order given."""
        needs_grad = self.graph.needs_grad
        arg = arg or (lambda n, s: value[n._prev[s]])
        out = Backward([], set(), [], [], True)
        for n in nodes:
            if n not in needs_grad:
                continue
            args = [arg(n, s) for s in range(len(n._prev))]
            local = _local(n, args, value[n])
            out.zeros_only = out.zeros_only and all(map(_value_or_constant, local))
            g = expr.name(grad[n])
            for s, c in enumerate(n._prev):
                if c in needs_grad:
                    contribution = edge_text(local[s], g)
                    out.read.update(contribution.names - {grad[n]})
                    target = grad[c]
                    out.lines.append(f"{indent}{target} {'+=' if target in self.ready else '='} {contribution.text}")
                    out.targets.append(target)
                    out.reads.append(contribution.names)
                    self.ready.add(target)
        return out

    def _backward_section(self) -> tuple[list[str], list[str]]:
        """The backward pass, and the loop's values that it reads (which the loop's forward must save)."""
        g, loop = self.graph, self.loop
        for n in g.order:
            if n in g.needs_grad and n in self.value and n not in self.grad:
                self.grad[n] = self.names.new("g_" + self.value[n], "g")
        lines = ["    # backward: the chain rule, child.grad += local * node.grad, in reverse topological order"]
        # The parameters' grads start where backward() starts them: -0.0, or what .grad held (grads).
        started = [self.grad[p] for p in g.param_index if p in g.needs_grad]
        if started:
            lines.append(f"    {_targets(started)} = grads")
            self.ready.update(started)
        lines.append(f"    {self.grad[g.root]} {'+=' if g.root in g.param_index else '='} 1.0")
        self.ready.add(self.grad[g.root])
        if loop is None:
            lines += self._backward(reversed(g.ops), "    ", self.value, self.grad).lines
            return lines, []
        # Grads summed over the copies start at -0.0, the additive identity, as in backward().
        read_by_loop = {c for t in loop.body for c in t._prev}
        summed = [self.grad[n] for n in loop.below if n in g.needs_grad and n in read_by_loop]
        for i in range(0, len(summed), 8):
            lines.append(f"    {' = '.join(summed[i : i + 8])} = -0.0")
        self.ready.update(summed)
        lines += self._backward(reversed(loop.above), "    ", self.value, self.grad).lines
        loop_lines, saved = self._backward_loop()
        lines += loop_lines
        lines += self._backward(reversed(loop.below), "    ", self.value, self.grad).lines
        return lines, saved

    # -- the loop over the copies

    def _name_loop(self) -> None:
        loop, g = self.loop, self.graph
        assert loop is not None  # the loop's methods run only when there is one
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
            if len({float_source(c.data) for c in loop.slots[j]}) == 1:
                self.slot_names[j] = float_source(loop.slots[j][0].data)
        constants = [j for j in constants if not self.slot_names[j]]
        for kind, slots in (("x", inputs), ("c", constants)):
            for n, j in enumerate(slots):
                label = common_label([leaf.label for leaf in loop.slots[j]])
                self.slot_names[j] = self.names.new(label, f"{kind}_i_{n}")
                self.slot_vars.append(self.slot_names[j])
        self.local: dict[Value, str] = {}  # template node -> its name inside the loop
        for t in loop.body:
            self.local[t] = self.names.new(t.label, self.unnamed[t])
        for t in loop.roots:  # every copy of a root, as the code after the loop sees it
            for i, m in enumerate(loop.members[t]):
                self.value[m] = self.names.new(f"{self.local[t]}_{i}", "r")

    def _loop_arg(self, t: Value, s: int) -> str:
        loop = self.loop
        assert loop is not None
        if (t, s) in loop.slot_of:
            return self.slot_names[loop.slot_of[(t, s)]]
        c = t._prev[s]
        return self.local[c] if c in self.local else self.value[c]

    def _slot_sources(self) -> list[tuple[str, str]]:
        """(loop variable, its values over the copies), for every slot that is a variable, in slot_vars' order."""
        sources = {}
        assert self.loop is not None
        for leaves, name in zip(self.loop.slots, self.slot_names):
            if name not in self.slot_vars:
                continue  # a literal
            if leaves[0] in self.graph.const:
                table = self.names.new(f"{name}_values", "c_values")
                self.header.append(f"{table} = {_tuple([float_source(c.data) for c in leaves])}")
                sources[name] = table
                continue
            index = [self.graph.input_index[x] for x in leaves]
            step = index[1] - index[0]
            if step > 0 and all(b - a == step for a, b in pairwise(index)):
                stride = f":{step}" if step > 1 else ""
                sources[name] = f"inputs[{index[0]}:{index[-1] + 1}{stride}]"
            else:
                table = self.names.new(f"{name}_index", "x_index")
                self.header.append(f"{table} = {_tuple([str(i) for i in index])}")
                sources[name] = f"map(inputs.__getitem__, {table})"
        return [(name, sources[name]) for name in self.slot_vars]

    def _forward_loop(self, saved: list[str]) -> list[str]:
        loop = self.loop
        assert loop is not None
        sources = self._slot_sources()
        variables = [name for name, _ in sources]
        in_loop = {*variables, *self.local.values()}
        lines, hoisted = [], {}
        for t in loop.body:  # tuples of values that do not change in the loop (a neuron's weights): built once
            if t._op == LINEAR:
                for tup in _linear_tuples([self._loop_arg(t, s) for s in range(len(t._prev))]):
                    if tup not in hoisted and not in_loop.intersection(tup):
                        hoisted[tup] = self.names.new(common_prefix(tup), "t")
                        lines.append(f"    {hoisted[tup]} = {_tuple(tup)}")
        lines.append(f"    # the same structure {loop.count} times over (the examples of a batch): a loop")
        lines.append("    roots = []")
        if saved:
            lines.append("    saved = []")
        if not variables:
            lines.append(f"    for _ in range({loop.count}):")
        elif len(variables) == 1:
            lines.append(f"    for {variables[0]} in {sources[0][1]}:")
        else:
            lines.append(f"    for {', '.join(variables)} in zip({', '.join(src for _, src in sources)}):")
        lines += self._forward(loop.body, "        ", self._loop_arg, self.local, hoisted)
        lines.append(f"        roots.append({_tuple([self.local[t] for t in loop.roots], bare=True)})")
        if saved:
            lines.append(f"        saved.append({_tuple(saved)})")
        copies = [[self.value[m] for m in loop.members[t]] for t in loop.roots]
        lines.append(f"    {_targets([_tuple([r[i] for r in copies], bare=True) for i in range(loop.count)])} = roots")
        return lines

    def _backward_loop(self) -> tuple[list[str], list[str]]:
        g, loop = self.graph, self.loop
        assert loop is not None
        local_grad = {t: self.names.new("g_" + self.local[t], "g") for t in loop.body if t in g.needs_grad}
        if not local_grad:
            return [], []
        roots = [t for t in loop.roots if t in g.needs_grad]
        outer = set(self.ready)
        self.ready |= {local_grad[t] for t in roots}
        value, grad = {**self.value, **self.local}, {**self.grad, **local_grad}
        chain = self._backward(reversed(loop.body), "        ", value, grad, self._loop_arg)
        body, read = chain.lines, chain.read
        self.ready = outer | (self.ready - set(local_grad.values()))
        # A root that nothing outside its copy used yet starts from -0.0, as in backward().
        copies = []
        for i in reversed(range(loop.count)):
            gs = [self.grad[loop.members[t][i]] for t in roots]
            copies.append(_tuple([name if name in outer else "-0.0" for name in gs], bare=True))
        target = _tuple([local_grad[t] for t in roots], bare=True)
        in_loop = [*self.slot_vars, *(self.local[t] for t in loop.body)]
        saved = [name for name in in_loop if name in read]
        lines = ["    # the loop backward, last copy first, as backward() goes"]
        if not saved:
            lines.append(f"    for {target} in {_tuple(copies)}:")
            return lines + body, saved
        if not chain.zeros_only:
            lines.append(f"    for {_tuple(saved)}, {target} in zip(reversed(saved), {_tuple(copies)}):")
            return lines + body, saved
        # The rest of a copy whose grads are all zero at some line (a hinge loss outside its margin, after
        # the relu) adds ±0 to every sum when all it multiplies by is finite; and x + ±0 is x unless x is
        # -0.0, which no sum of floats becomes once it is not. That rest is skipped: the same sums, faster.
        cut, live = _cut(chain, [local_grad[t] for t in roots], set(local_grad.values()))
        written = set(chain.targets[cut:]) & outer  # the sums the rest adds into
        outer_read = sorted(read - set(in_loop))
        finite = f"isfinite(sum({_tuple(outer_read)}))" if outer_read else "True"
        lines += [
            f"    skip = {finite} and not any(",
            f"        g == 0.0 and copysign(1.0, g) < 0.0 for g in {_tuple(sorted(written))}",
            "    )",
            f"    for copy, {target} in zip(reversed(saved), {_tuple(copies)}):",
            f"        {_targets(saved)} = copy",
            *body[:cut],
            f"        if skip and {' and '.join(f'{g} == 0.0' for g in live)} and isfinite(sum(copy)):",
            "            continue",
        ]
        return lines + body[cut:], saved


def _arg(text: str) -> expr.Expr:
    """A value in the generated code (a name, or a literal in parentheses) as an expression."""
    return expr.name(text) if text.isidentifier() else expr.Expr(text)


def _local(node: Value, args: list[str], out: str) -> tuple[object, ...]:
    """∂node/∂child for each child, as expressions over the names of the children and of node's value."""
    op = check_op(node)
    operands = op.args([_arg(a) for a in args])
    if op is LINEAR:  # linear's local derivatives name each weight and input: w and a as lists
        operands = (list(operands[0]), list(operands[1]), operands[2])
    return op.local(SYMBOLS, expr.name(out), *operands)


def _cut(chain: Backward, roots: list[str], local: set[str]) -> tuple[int, list[str]]:
    """Where a copy's backward may stop once its grads are zero, and those grads.

    The cut goes after the last line, before the first that adds into a sum over the copies, at which
    the fewest of the copy's grads carry everything that follows (after the relu of a hinge loss).
    """
    last_read = {name: i for i, names in enumerate(chain.reads) for name in names}
    cut, live, best = 0, list(roots), list(roots)
    for i, target in enumerate(chain.targets):
        if target not in local:  # a sum over the copies: a cut after it would not save it
            break
        live = [g for g in dict.fromkeys([*live, target]) if last_read.get(g, -1) > i]
        if not live or len(live) > len(best):  # nothing left to skip, or more grads to check
            break
        cut, best = i + 1, live
    return cut, best


def _value_or_constant(d: object) -> bool:
    """Whether a local derivative is a named value, a finite constant, or a mask of one of those."""
    if isinstance(d, expr.Mask):
        return d.value is None or _value_or_constant(d.value)
    text = expr.literal(d).text
    if text.isidentifier():
        return text not in RUNTIME  # a name of the code's values, not inf or nan
    try:
        return math.isfinite(float(text.strip("()")))
    except ValueError:  # an expression
        return False


def _linear_tuples(args: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    n = (len(args) - 1) // 2
    return tuple(args[:n]), tuple(args[n : 2 * n])


def _tuple(items: Sequence[str], bare: bool = False) -> str:
    if len(items) == 1:
        return items[0] if bare else f"({items[0]},)"
    return f"({', '.join(items)})"


def _targets(names: list[str]) -> str:
    return names[0] + "," if len(names) == 1 else ", ".join(names)


def edge_text(d: expr.Expr | expr.Mask | object, g: expr.Expr) -> expr.Expr:
    """runtime.contribution written as source: local * g, and +0.0 where the local derivative is a structural zero.

    1.0 * g is g and -1.0 * g is -g exactly, so those are written short.
    """
    if isinstance(d, expr.Mask):
        zero = expr.literal(contribution(ZERO, g))
        return zero if d.condition is None else expr.where(d.condition, zero, edge_text(d.value, g))
    e = expr.literal(d)
    if e.text == "1.0":
        return g
    if e.text == "-1.0":
        return -g
    product: expr.Expr = contribution(e, g)
    return product
