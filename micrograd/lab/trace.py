"""The chain rule written out step by step, backward and in forward mode, with a stepper that shows each step.

trace_backward(root) runs backward() and records each application of the chain rule in the order
backward() applies it,

    b.grad += (∂e/∂b = 3) × (e.grad = 1) → b.grad = 0 + 3 = 3

with the engine's own numbers: the local derivative stored on the edge, the node's grad, their
product, and the child's grad before and after. trace_forward_mode(root, wrt=x) lists the tangent of
each value along one input, as forward mode computes it, from the same local derivatives. Each prints as
a table and shows as an HTML table in Jupyter, and has a stepper() that steps through it in a browser.
The forward pass of the values themselves is micrograd.lab.forward_pass.trace_forward; a trace becomes
a quiz with micrograd.lab.quiz.Quiz(trace).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape
from typing import Any

from micrograd.autodiff.forward_mode import tangent
from micrograd.checks import as_float, type_name
from micrograd.engine import Number, Value, chain_rule, node_names, start_backward, topological_order
from micrograd.lab import viz
from micrograd.lab.render import Drawing
from micrograd.lab.stepper import Stepper
from micrograd.lab.steps import Steps, count_steps, formatter, paren, term
from micrograd.tables import format_number, html_table, text_table

UNKNOWN = "?"  # the grad (or tangent) of a value that the trace has not reached yet


# -- backward ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One application of the chain rule: child.grad += local × node.grad."""

    number: int  # 1 for the first step backward takes
    node: Value
    child: Value
    operand: int  # the child's position among node's children (a child used twice has two steps)
    local: float  # ∂node/∂child, as stored on the edge
    upstream: float  # node.grad, complete by the time backward reaches node
    contribution: float  # local × upstream
    before: float  # child.grad before this step (backward starts from -0.0, shown as 0)
    after: float  # child.grad after: before + contribution
    node_name: str
    child_name: str
    repeated: bool  # the child is more than one of node's operands (a * a)

    def equation(self, digits: int = 4) -> str:
        """The step as a line of arithmetic: b.grad += (∂e/∂b = 3) × (e.grad = 1) → b.grad = 0 + 3 = 3."""
        f = formatter(digits)
        n, c = term(self.node_name), term(self.child_name)
        operand = f" [operand {self.operand + 1}]" if self.repeated else ""
        return (
            f"{c}.grad += (∂{n}/∂{c}{operand} = {f(self.local)}) × ({n}.grad = {f(self.upstream)}) "
            f"→ {c}.grad = {f(self.before + 0.0)} + {paren(f(self.contribution))} = {f(self.after)}"
        )


class BackwardTrace(Steps[BackwardStep]):
    """The steps of one backward pass through root's graph, in the order backward() takes them."""

    grad_word = "grad"
    stepped = "backward"
    legend = (
        '<span class="mg-key mg-key-current"></span> the value whose grad the step\nadds to &#160; '
        '<span class="mg-key mg-key-upstream"></span> the node the gradient flows back from &#160;\n'
        '<span class="mg-key mg-key-edge"></span> their edge, labelled ∂node/∂child &#160; '
        '<span class="mg-key mg-key-leaf"></span>\na leaf: a value computed from no other (backward gives '
        "every leaf a grad)"
    )

    def __init__(
        self, root: Value, order: list[Value], seed: float, start: float, steps: list[BackwardStep], digits: int
    ) -> None:
        self.root = root
        self.order = order  # every value of the graph, children first
        self.seed = seed  # the grad backward() was given for the root (1.0: ∂root/∂root)
        self.start = start  # root.grad once seeded: the seed, plus what a leaf root had already
        self.names = node_names(self.order)
        self.digits = digits
        self._steps = steps

    @property
    def grads(self) -> dict[Value, float]:
        """Every value's grad once the trace is done: what backward() leaves in .grad."""
        return self.grads_at(len(self))

    def grads_at(self, k: int) -> dict[Value, float]:
        """The grads known after the first k steps: the root's and those of the children reached so far."""
        known = {self.root: self.start}
        for step in self._steps[: self._check_step(k)]:
            known[step.child] = step.after
        return known

    def equations(self) -> list[str]:
        """The seed, then one line of arithmetic per step."""
        return [self.seed_equation(), *(step.equation(self.digits) for step in self._steps)]

    def seed_equation(self) -> str:
        """Where backward starts: the root's grad, 1 unless another seed was given."""
        name = term(self.names[self.root])
        why = f"the seed: ∂{name}/∂{name} = 1" if self.seed == 1.0 else "the seed given to backward"
        return f"{name}.grad = {format_number(self.start, self.digits)}   ({why})"

    def draw(self, k: int, *, rankdir: str = "LR", max_nodes: int = viz.MAX_NODES) -> Drawing:
        """The graph after k steps: step k's edge and child highlighted, only the grads known so far filled in."""
        k = self._check_step(k)
        viz.graph_nodes(self.root, max_nodes)
        known = self.grads_at(k)
        grad_text = {node: self.grad_text(known.get(node)) for node in self.order}
        if k == 0:
            lit, lit_edges = [self.root], []
        else:
            step = self[k - 1]
            lit, lit_edges = [step.child], [(step.node, step.operand)]
        return viz.draw_values(
            self.order,
            rankdir=rankdir,
            show_local=True,
            highlight=lit,
            highlight_edges=lit_edges,
            digits=self.digits,
            grad_text=grad_text,
        )

    def stepper(self, *, rankdir: str = "LR", max_nodes: int = viz.MAX_NODES) -> Stepper:
        """Every step in one drawing, with previous/next buttons and a slider; shows in Jupyter, saves as HTML."""
        viz.graph_nodes(self.root, max_nodes)
        return Stepper(self, rankdir)

    def frames(self, ids: dict[Value, str]) -> list[dict[str, Any]]:
        """The stepper's frames: the seed, then each step's equation, the grad it fills in and where it comes from."""
        frames: list[dict[str, Any]] = [
            {"eq": self.seed_equation(), "node": ids[self.root], "text": self.grad_text(self.start)}
        ]
        for step in self:
            frames.append(
                {
                    "eq": f"step {step.number}: {step.equation(self.digits)}",
                    "node": ids[step.child],
                    "text": self.grad_text(step.after),
                    "up": [ids[step.node]],
                    "edge": [f"e{ids[step.node][1:]}_{step.operand}"],  # the edge child -> op, as draw_values names it
                }
            )
        return frames

    def grad_text(self, grad: float | None) -> str:
        """A grad as the drawing shows it: the number, or ? where backward has not reached the value yet."""
        return UNKNOWN if grad is None else format_number(grad, self.digits)

    def _check_step(self, k: object) -> int:
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"a step number must be an int, got {type(k).__name__}")
        if not 0 <= k <= len(self):
            raise ValueError(f"this trace has steps 1 to {len(self)} (0 is the seed), so no step {k}")
        return k

    def _rows(self) -> list[list[str]]:
        f = formatter(self.digits)
        return [
            [
                str(s.number),
                s.node_name,
                s.child_name,
                f(s.local),
                f(s.upstream),
                f(s.contribution),
                f(s.before + 0.0),  # + 0.0 shows backward's starting -0.0 as 0
                f(s.after),
            ]
            for s in self._steps
        ]

    _HEADER = ("step", "node", "child", "∂node/∂child", "node.grad", "contribution", "child.grad before", "after")

    def _title(self) -> str:
        return f"backward from {self.names[self.root]}: {self.seed_equation()}, then {count_steps(len(self))}"

    def leaf_note(self) -> str:
        """What the leaves are: the values the root is computed from, each given its grad by backward."""
        leaves = [self.names[node] for node in self.order if not node._prev]
        root = self.names[self.root]
        seed = "" if self.seed == 1.0 else f"{format_number(self.seed, self.digits)} × "  # backward(grad=...)
        return (
            f"the leaves ({', '.join(leaves)}) are the values {root} is computed from: "
            f"backward adds {seed}∂{root}/∂(leaf) to the grad of each"
        )

    def __str__(self) -> str:
        return self._title() + "\n\n" + text_table(self._HEADER, self._rows()) + "\n\n" + self.leaf_note()

    def _repr_html_(self) -> str:
        note = f'<p style="margin-top: 0.3em">{escape(self.leaf_note())}</p>'
        return html_table(self._title(), self._HEADER, self._rows()) + "\n" + note

    def __repr__(self) -> str:
        return f"BackwardTrace(root={self.names[self.root]!r}, steps={len(self)})"


def trace_backward(root: Value, grad: Number = 1.0, *, digits: int = 4) -> BackwardTrace:
    """Run backward() from root, recording every step: its grads are those backward() gives, exactly.

    Like backward(), interior grads are recomputed from zero and leaves accumulate.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace_backward() needs a single Value as its root, got {type(root).__name__}")
    seed = as_float(grad, "trace_backward(grad=...)")
    digits = viz.check_digits(digits)
    order = topological_order(root)
    names = node_names(order)
    # backward() itself, with every step recorded as it is taken.
    start_backward(root, order, seed)
    start = root.grad
    steps: list[BackwardStep] = []

    def record(node: Value, k: int, child: Value, local: float, before: float, contribution: float) -> None:
        steps.append(
            BackwardStep(
                number=len(steps) + 1,
                node=node,
                child=child,
                operand=k,
                local=local,
                upstream=node.grad,
                contribution=contribution,
                before=before,
                after=child.grad,
                node_name=names[node],
                child_name=names[child],
                repeated=node._prev.count(child) > 1,
            )
        )

    chain_rule(order, record)
    return BackwardTrace(root, order, seed, start, steps, digits)


# -- forward mode, on the same graph -----------------------------------------------------------


def dotted(name: str) -> str:
    """The tangent of a value written with a dot over its name's first letter: ȧ, ż[1][0]; d(name) otherwise."""
    if name[:1].isalpha():
        return unicodedata.normalize("NFC", name[0] + "\u0307") + name[1:]  # ȧ as one character where there is one
    return f"d({name})"


@dataclass(frozen=True, eq=False)
class ForwardModeStep:
    """The tangent of one value: ṅ = Σ_k ∂n/∂c_k · ċ_k, from its children's tangents and its edges' derivatives."""

    number: int
    node: Value
    name: str
    children: tuple[str, ...]  # the children's names, in operand order
    local: tuple[float, ...]  # ∂node/∂child, as stored on the edges
    child_tangents: tuple[float, ...]
    tangent: float

    def equation(self, digits: int = 4) -> str:
        """ṅ = ∂n/∂a·ȧ + ∂n/∂b·ḃ = 3·1 + 2·0 = 3."""
        return f"{dotted(self.name)} = {self.computed_as(digits)} = {formatter(digits)(self.tangent)}"

    def computed_as(self, digits: int = 4) -> str:
        """∂n/∂a·ȧ + ∂n/∂b·ḃ = 3·1 + 2·0: the chain rule forward, in symbols and in numbers."""
        f = formatter(digits)
        symbols = " + ".join(f"∂{self.name}/∂{c}·{dotted(c)}" for c in self.children)
        numbers = " + ".join(f"{paren(f(d))}·{paren(f(t))}" for d, t in zip(self.local, self.child_tangents))
        return f"{symbols} = {numbers}"


class ForwardModeTrace(Steps[ForwardModeStep]):
    """Forward mode through root's graph: the tangent of every value along one input, children first."""

    grad_word = "tangent"
    stepped = "forward mode"
    legend = (
        '<span class="mg-key mg-key-current"></span> the value whose tangent the step computes &#160; '
        '<span class="mg-key mg-key-upstream"></span> the values it is computed from &#160;\n'
        '<span class="mg-key mg-key-edge"></span> their edges, labelled ∂node/∂child &#160; '
        '<span class="mg-key mg-key-leaf"></span>\na leaf: its tangent is 1 for the input we differentiate '
        "by, 0 for every other"
    )

    def __init__(self, root: Value, wrt: Value, order: list[Value], tangents: dict[Value, float], digits: int) -> None:
        self.root, self.wrt, self.order, self.digits = root, wrt, order, digits
        self.tangents = tangents  # every value's tangent: d(value)/d(wrt)
        self.names = node_names(order)
        self._steps = [
            ForwardModeStep(
                number=k,
                node=node,
                name=self.names[node],
                children=tuple(self.names[c] for c in node._prev),
                local=tuple(node._local),
                child_tangents=tuple(tangents[c] for c in node._prev),
                tangent=tangents[node],
            )
            for k, node in enumerate((n for n in order if n._prev), start=1)
        ]

    @property
    def derivative(self) -> float:
        """d(root)/d(wrt): the root's tangent, what reverse mode gives as wrt.grad."""
        return self.tangents[self.root]

    def seed_equation(self) -> str:
        x = self.names[self.wrt]
        return f"{dotted(x)} = 1   (the seed: ∂{x}/∂{x} = 1; every other input's tangent is 0)"

    def equations(self) -> list[str]:
        """The seed, then one line per value computed."""
        return [self.seed_equation(), *(step.equation(self.digits) for step in self._steps)]

    def stepper(self, *, rankdir: str = "LR", max_nodes: int = viz.MAX_NODES) -> Stepper:
        """Every step in one drawing, with previous/next buttons and a slider; shows in Jupyter, saves as HTML."""
        viz.graph_nodes(self.root, max_nodes)
        return Stepper(self, rankdir)

    def grad_text(self, x: float | None) -> str:
        """A tangent as the drawing shows it: the number, or ? where forward mode has not reached the value yet."""
        return UNKNOWN if x is None else format_number(x, self.digits)

    def frames(self, ids: dict[Value, str]) -> list[dict[str, Any]]:
        """The stepper's frames: the seed (every leaf's tangent), then each value's tangent and what it comes from."""
        leaves = [node for node in self.order if not node._prev]
        frames: list[dict[str, Any]] = [
            {
                "eq": self.seed_equation(),
                "node": ids[self.wrt],
                "text": self.grad_text(1.0),
                "fill": {ids[leaf]: self.grad_text(self.tangents[leaf]) for leaf in leaves if leaf is not self.wrt},
            }
        ]
        for step in self._steps:
            i = ids[step.node]
            frames.append(
                {
                    "eq": f"step {step.number}: {step.equation(self.digits)}",
                    "node": i,
                    "text": self.grad_text(step.tangent),
                    "up": [ids[c] for c in step.node._prev],
                    "edge": [f"e{i[1:]}_{k}" for k in range(len(step.node._prev))],
                }
            )
        return frames

    _HEADER = ("step", "tangent", "computed as", "=")

    def _rows(self) -> list[list[str]]:
        f = formatter(self.digits)
        return [[str(s.number), dotted(s.name), s.computed_as(self.digits), f(s.tangent)] for s in self._steps]

    def _title(self) -> str:
        return f"forward mode along {self.names[self.wrt]}: {self.seed_equation()}, then {count_steps(len(self))}"

    def __str__(self) -> str:
        return self._title() + "\n\n" + text_table(self._HEADER, self._rows())

    def _repr_html_(self) -> str:
        return html_table(self._title(), self._HEADER, self._rows())

    def __repr__(self) -> str:
        return f"ForwardModeTrace(root={self.names[self.root]!r}, wrt={self.names[self.wrt]!r}, steps={len(self)})"


def trace_forward_mode(root: Value, wrt: Value, *, digits: int = 4) -> ForwardModeTrace:
    """The tangent d(node)/d(wrt) of every value of root's graph, in the order forward mode computes them.

    Each tangent is Σ ∂node/∂child · child's tangent, with the local derivatives stored on the edges
    (the numbers backward() uses); the leaves' tangents are 1 for wrt and 0 for the others.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace_forward_mode() needs a Value as its root, got {type_name(root)}")
    if not isinstance(wrt, Value):
        raise TypeError(f"trace_forward_mode(wrt=...) must be a Value of the graph, got {type_name(wrt)}")
    digits = viz.check_digits(digits)
    order = topological_order(root)
    if wrt not in set(order):
        raise ValueError(f"trace_forward_mode(): wrt={wrt!r} is not a value of the root's graph")
    if wrt._prev:
        raise ValueError(f"trace_forward_mode(): wrt must be a leaf (an input) of the graph, got {wrt!r}")
    tangents: dict[Value, float] = {}
    for node in order:
        if not node._prev:
            tangents[node] = 1.0 if node is wrt else 0.0
            continue
        tangents[node] = tangent(node._local, [tangents[c] for c in node._prev])
    return ForwardModeTrace(root, wrt, order, tangents, digits)


__all__ = [
    "BackwardStep",
    "BackwardTrace",
    "ForwardModeStep",
    "ForwardModeTrace",
    "dotted",
    "trace_backward",
    "trace_forward_mode",
]
