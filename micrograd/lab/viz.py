"""Drawing a computation graph: draw_dot() returns a graphviz.Digraph that renders to SVG and shows in Jupyter.

Each value is a box of three lines (its label, data and grad), each op an ellipse between a value and its
children, and the edges go from the children to the op in operand order. The drawing is a Drawing
(micrograd.lab.render), laid out by the system's Graphviz ``dot`` or by ``graphviz-pure``.

Layout takes a bounded time. dot's search for a good placement is capped by its own attributes (nslimit,
mclimit), and a value that feeds ops far apart (the shared weight of a recurrence, the x of x·x·…·x) is
drawn again next to each group of its uses, as a dashed copy, instead of with edges across the whole
drawing; the renderer itself is stopped after a time limit (see micrograd.lab.render).

In Jupyter a drawing shows as HTML (micrograd.lab.display.picture_html): its SVG as a picture that shrinks
to the width of the output down to the size where its text is 9 px high, and past that scrolls sideways,
opening on the root.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from micrograd.engine import Value, node_names, topological_order
from micrograd.lab.display import FONT_SIZE
from micrograd.lab.render import Drawing
from micrograd.lab.viz_text import html_text, value_label
from micrograd.ops import LINEAR
from micrograd.tables import format_number

RANKDIRS = ("LR", "RL", "TB", "BT")
MAX_NODES = 300  # values: more than a drawing can show readably
EDGE_HIGHLIGHT = "#d84315"  # a highlighted edge
LOCAL_COLOR = "#1565c0"  # the local derivative written on an edge
# Bounds on dot's search for a placement (its own attributes): nslimit caps the network-simplex passes that
# place the nodes across ranks, mclimit the passes that reduce crossings. Unbounded, a graph with edges
# across many ranks (a weight shared by every step of a recurrence) takes minutes instead of a second.
LAYOUT = {"nslimit": "2", "mclimit": "0.5", "ranksep": "0.3", "nodesep": "0.15"}
# A value used by SHARED_USES ops or more, whose uses lie more than SHARED_SPAN ranks apart (an op is two
# ranks: the op, then its value), is drawn once per group of nearby uses.
SHARED_USES = 4
SHARED_SPAN = 4


def check_digits(digits: object) -> int:
    """digits, checked: the significant digits a number is shown with, 1 to 17."""
    if not isinstance(digits, int) or isinstance(digits, bool):
        raise TypeError(f"digits must be an int (significant digits, 1 to 17), got {type(digits).__name__}")
    if not 1 <= digits <= 17:
        raise ValueError(f"digits must be between 1 and 17 (17 shows every float exactly), got {digits}")
    return digits


# -- the drawing ----------------------------------------------------------------------------


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local: bool = False,
    highlight: Iterable[Value] = (),
    highlight_edges: Iterable[tuple[Value, int]] = (),
    digits: int = 4,
    max_nodes: int = MAX_NODES,
    depth: int | None = None,
) -> Drawing:
    """The graph of root: a box (label, data, grad) per value, an ellipse per op, edges in operand order.

    show_local writes ∂node/∂child on each edge from a child to its op, as backward() uses it;
    highlight colours the given values, highlight_edges the edges (node, i) from node's i-th child.
    Numbers are the engine's own, to `digits` significant digits. depth=k draws only the values at most
    k ops below the root; a value whose inputs are cut off shows its op dotted, with nothing going in.
    A drawing of more than max_nodes values raises ValueError: draw less of it (depth=, or one
    neuron's output), or raise the limit.
    """
    if depth is None:
        order, cut, names = graph_nodes(root, max_nodes), frozenset[Value](), None
    else:
        order, cut, names = _near_root(root, depth, max_nodes)
    return draw_values(
        order,
        rankdir=rankdir,
        show_grad=_check_bool(show_grad, "show_grad"),
        show_local=_check_bool(show_local, "show_local"),
        highlight=highlight,
        highlight_edges=highlight_edges,
        digits=check_digits(digits),
        cut=cut,
        names=names,
    )


def graph_nodes(root: Value, max_nodes: int = MAX_NODES) -> list[Value]:
    """topological_order(root), or a ValueError if the graph has more than max_nodes values."""
    _check_root(root, max_nodes)
    seen, stack = {root}, [root]
    while stack:  # count before sorting, stopping as soon as the graph is too large
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
        if len(seen) > max_nodes:
            raise _too_many(max_nodes)
    return topological_order(root)


def _check_root(root: object, max_nodes: object) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value as the root of the graph to draw, got {type(root).__name__}")
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool):
        raise TypeError(f"max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")


def _too_many(max_nodes: int) -> ValueError:
    return ValueError(
        f"this graph has more than max_nodes={max_nodes} values, too many to read in one drawing: draw the part "
        "nearest the root (draw_dot(root, depth=3) draws the values at most 3 ops below it), or a smaller part of "
        "the graph (one neuron's output, such as model.layers[0].a[0]), or pass a larger max_nodes"
    )


def _near_root(root: Value, depth: object, max_nodes: int) -> tuple[list[Value], frozenset[Value], dict[Value, str]]:
    """The values at most depth ops below root (children first), those whose inputs are cut off, and all names."""
    _check_root(root, max_nodes)
    if not isinstance(depth, int) or isinstance(depth, bool):
        raise TypeError(f"depth must be an int (ops below the root) or None (all of them), got {type(depth).__name__}")
    if depth < 0:
        raise ValueError(f"depth must be at least 0 (0 draws the root alone), got {depth}")
    distance = {root: 0}
    frontier = [root]
    while frontier:  # breadth first: each value at its shortest distance from the root
        below = []
        for node in frontier:
            if distance[node] == depth:
                continue
            for child in node._prev:
                if child not in distance:
                    distance[child] = distance[node] + 1
                    below.append(child)
        if len(distance) > max_nodes:
            raise _too_many(max_nodes)
        frontier = below
    everything = topological_order(root)  # the names of unlabelled values are their place in the whole graph
    names = node_names(everything)
    order = [node for node in everything if node in distance]
    cut = frozenset(node for node in order if node._prev and distance[node] == depth)
    return order, cut, names


def draw_values(
    order: list[Value],
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local: bool = False,
    highlight: Iterable[Value] = (),
    highlight_edges: Iterable[tuple[Value, int]] = (),
    digits: int = 4,
    grad_text: Mapping[Value, str] | None = None,
    grad_width: Mapping[Value, str] | None = None,
    cut: frozenset[Value] = frozenset(),
    names: Mapping[Value, str] | None = None,
    grad_word: str = "grad",
) -> Drawing:
    """The drawing of the values in order (children first, the root last): draw_dot's, and the traces'.

    grad_text, if given, is the text shown as each value's grad, grad_width the text each grad cell is
    as wide as, grad_word the cell's name ("tangent" in forward mode); cut are values drawn without their
    inputs (their op dotted); names overrides node_names.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    index = {node: i for i, node in enumerate(order)}
    if grad_text is None and show_grad:
        grad_text = {node: format_number(node.grad, digits) for node in order}
    painter = _Painter(
        index=index,
        lit=_nodes_in(highlight, index, "highlight"),
        lit_edges=_edges_in(highlight_edges, index),
        names=node_names(order) if names is None else names,
        copies=_copies(order, cut),
        cut=cut,
        g=_blank(rankdir, order),
        show_local=show_local,
        digits=digits,
        grad_text=grad_text,
        grad_width=grad_width,
        grad_word=grad_word,
    )
    for i, node in enumerate(order):
        painter.value(i, node)
    painter.notes()
    return painter.g


def _blank(rankdir: str, order: list[Value]) -> Drawing:
    """An empty drawing with micrograd's fonts and bounds on layout, counting the values and ops it will hold."""
    g = Drawing(
        format="svg",
        graph_attr={"rankdir": rankdir, **LAYOUT},
        node_attr={"fontname": "Helvetica", "fontsize": str(FONT_SIZE)},
        edge_attr={"fontname": "Helvetica", "fontsize": str(FONT_SIZE)},
    )
    g.counts = (len(order), sum(1 for node in order if node._prev))
    return g


def op_text(node: Value) -> str:
    """The op as a drawing names it; a neuron's w·a+b reads w·x+b where its inputs are leaves, as a first layer's x."""
    if node._op is LINEAR and all(not a._prev for a in LINEAR.args(node._prev)[1]):
        return "w·x+b"
    return str(node._op)


@dataclass
class _Painter:
    """A drawing being made: writes each value's box, its op, and the edges from its children to the op."""

    index: dict[Value, int]  # a value's place in the order: its box is n{i}, its op n{i}op
    lit: set[Value]
    lit_edges: set[tuple[int, int]]  # (i, k): the edge from value i's k-th child
    names: Mapping[Value, str]
    copies: dict[Value, dict[int, int]]  # see _copies
    cut: frozenset[Value]
    g: Drawing
    show_local: bool
    digits: int
    grad_text: Mapping[Value, str] | None
    grad_width: Mapping[Value, str] | None
    grad_word: str
    declared: set[str] = field(default_factory=set)  # the copies drawn so far

    def label(self, node: Value, copy: bool) -> str:
        """The box of a value (dashed if it is a copy drawn next to a later use), as a Graphviz HTML-like label."""
        grad = self.grad_text[node] if self.grad_text is not None else None
        width = self.grad_width[node] if self.grad_width is not None else None
        name, leaf = self.names[node], not node._prev or node in self.cut
        data = format_number(node.data, self.digits)
        return value_label(name, not node.label, leaf, data, grad, node in self.lit, copy, width, self.grad_word)

    def value(self, i: int, node: Value) -> None:
        """The box of value i, then (if an op computed it) the op and the edges into it."""
        g = self.g
        g.node(f"n{i}", self.label(node, False), id=f"n{i}", shape="plain")
        if not node._prev:
            return
        op = f"<{html_text(op_text(node))}>"
        if node in self.cut:  # computed from values not drawn
            g.node(f"n{i}op", op, id=f"n{i}op", shape="ellipse", style="dotted", **_OP_SIZE)
            g.edge(f"n{i}op", f"n{i}", id=f"e{i}")
            return
        # A neuron's operands in the formula's order, w_1..w_n, a_1..a_n, b (dot may rotate them otherwise).
        ordering = {"ordering": "in"} if node._op is LINEAR else {}
        g.node(f"n{i}op", op, id=f"n{i}op", shape="ellipse", **_OP_SIZE, **ordering)
        g.edge(f"n{i}op", f"n{i}", id=f"e{i}", weight=_STRAIGHT)
        for k, (child, local) in enumerate(zip(node._prev, node._local)):
            self.edge_in(i, k, child, local)

    def edge_in(self, i: int, k: int, child: Value, local: float) -> None:
        """The edge from value i's k-th child to its op: from the child, or from its copy drawn near this use."""
        j = self.index[child]
        copy = self.copies.get(child, {}).get(i, 0)
        tail = f"n{j}c{copy}" if copy else f"n{j}"
        if copy and tail not in self.declared:  # a copy is declared where it is first used, to lie there
            self.declared.add(tail)
            self.g.node(tail, self.label(child, True), id=tail, shape="plain")
        attrs = {"id": f"e{i}_{k}"}
        if child._prev and child not in self.cut:  # the path from the inputs to the root: kept straight
            attrs["weight"] = _STRAIGHT
        if self.show_local:
            attrs["label"] = f'<<FONT COLOR="{LOCAL_COLOR}">{html_text(format_number(local, self.digits))}</FONT>>'
        if (i, k) in self.lit_edges:
            attrs.update(color=EDGE_HIGHLIGHT, penwidth="3")
        self.g.edge(tail, f"n{i}op", **attrs)

    def notes(self) -> None:
        """The key under the drawing, for what it draws dashed or dotted."""
        notes = []
        if self.declared:
            notes.append("dashed: a value drawn again next to its later uses")
        if self.cut:
            notes.append("dotted: an op whose inputs are not drawn")
        if notes:
            self.g.attr(
                label=html_text("; ".join(notes)),
                labelloc="b",
                labeljust="r",
                fontname="Helvetica",
                fontsize=str(FONT_SIZE),
            )


_OP_SIZE = {"width": "0.3", "height": "0.3", "margin": "0.06,0.03"}  # as small as its text allows
_STRAIGHT = "4"  # the weight of an edge between computed values: dot keeps heavier edges short and straight


def _copies(order: list[Value], cut: frozenset[Value]) -> dict[Value, dict[int, int]]:
    """The values drawn more than once: for each, the copy (0 is the value itself) that feeds each op using it.

    Ranks are estimated as dot places them, each node as late as its uses allow (the root last, a value two
    ranks before the earliest op using it); a value's uses go to the same copy while they lie within
    SHARED_SPAN ranks of the first use of that copy.
    """
    uses: dict[Value, list[int]] = {}
    for i, node in enumerate(order):
        if node._prev and node not in cut:
            for child in dict.fromkeys(node._prev):
                uses.setdefault(child, []).append(i)
    if not any(len(u) >= SHARED_USES for u in uses.values()):
        return {}
    rank: dict[Value, int] = {}
    for node in order:  # longest path from the leaves: the root's rank
        rank[node] = max((rank[c] for c in node._prev), default=-2) + 2 if node not in cut else 0
    last = rank[order[-1]]
    for node in reversed(order):  # as late as possible
        rank[node] = min((rank[order[i]] - 2 for i in uses.get(node, ())), default=last)
    copies = {}
    for value, used_by in uses.items():
        if len(used_by) < SHARED_USES:
            continue
        op_rank = {i: rank[order[i]] - 1 for i in used_by}
        copy, start, assigned = 0, None, {}
        for i in sorted(used_by, key=op_rank.__getitem__):
            if start is None:
                start = op_rank[i]
            elif op_rank[i] - start > SHARED_SPAN:
                copy, start = copy + 1, op_rank[i]
            assigned[i] = copy
        if copy:
            copies[value] = assigned
    return copies


def _nodes_in(nodes: Iterable[Value], index: Mapping[Value, int], what: str) -> set[Value]:
    if isinstance(nodes, Value):
        nodes = (nodes,)
    if not isinstance(nodes, Iterable):
        raise TypeError(f"{what} takes Values of the graph, got {type(nodes).__name__}")
    found = set()
    for node in nodes:
        if not isinstance(node, Value):
            raise TypeError(f"{what} takes Values of the graph, got a {type(node).__name__}")
        if node not in index:
            raise ValueError(f"{what}: {node!r} is not in the graph of this root")
        found.add(node)
    return found


def _edges_in(edges: Iterable[tuple[Value, int]], index: Mapping[Value, int]) -> set[tuple[int, int]]:
    if not isinstance(edges, Iterable):
        raise TypeError(f"highlight_edges takes (node, i) pairs, got {type(edges).__name__}")
    found = set()
    for edge in edges:
        if not (isinstance(edge, Collection) and len(edge) == 2):
            raise TypeError(f"highlight_edges takes (node, i) pairs for the edge from node's i-th child, got {edge!r}")
        node, k = edge
        (node,) = _nodes_in((node,), index, "highlight_edges")
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(node._prev):
            raise ValueError(f"highlight_edges: {node!r} has {len(node._prev)} children, so no child number {k!r}")
        found.add((index[node], k))
    return found


def _check_bool(x: object, what: str) -> bool:
    if not isinstance(x, bool):
        raise TypeError(f"{what} must be True or False, got {type(x).__name__}")
    return x


__all__ = [
    "MAX_NODES",
    "check_digits",
    "draw_dot",
    "draw_values",
    "graph_nodes",
]
