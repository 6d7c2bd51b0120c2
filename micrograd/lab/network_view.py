"""The network seen as layers of neurons, the picture of the textbook equations, read from the real graph.

draw_network(model, x, y) runs the model on x and, given a target y, backward() of the cost of that one
example (the quadratic cost ½‖a − y‖² unless another loss is given). Each neuron is a circle with its b, z,
a and δ = ∂C/∂z (z.grad, as backward() leaves it); each weight is a line whose width and colour show w,
and with show_weight_grads its ∂C/∂w = a·δ (w.grad). These are the numbers of BP1–BP4 (micrograd.equations).

The other lens is the scalar graph: view.neuron(l, j) draws the part of it that is neuron j of layer l
(its w, b, z and a highlighted), so a learner can move between the two pictures of the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from micrograd.checks import is_int, type_name
from micrograd.engine import Number, Value
from micrograd.lab.display import picture_html
from micrograd.lab.placement import Labels, Point
from micrograd.lab.render import Drawing
from micrograd.lab.viz import check_digits, draw_dot
from micrograd.lab.viz_text import HIGHLIGHT, LEAF_COLOR
from micrograd.nn import MLP
from micrograd.tables import format_number
from micrograd.training.metrics import Loss, Target

__all__ = ["MAX_WEIGHT_LABELS", "NetworkView", "draw_network", "weight_name"]

# Sizes in points (the SVG's units, as Graphviz writes them).
RADIUS = 50.0
COLUMN = 210.0  # from one layer's centres to the next's
ROW = 118.0  # from one neuron's centre to the next's
MARGIN = 14.0
TOP = 46.0  # room for the layers' titles
FOOT = 40.0  # room for the key
FONT = 10.0
POSITIVE = "#1565c0"  # a weight w > 0 (blue, as TensorFlow Playground)
NEGATIVE = "#e65100"  # a weight w < 0 (orange)
KEY = "line width and colour: the weight w (blue w > 0, orange w < 0)"
# With show_weight_grads, the most weights between two layers (12 × 12). Their labels share the band between
# the layers, which the layout widens to at most WIDER[-1] × COLUMN = 693 pt (924 px): as wide as a notebook's
# output (FIT_WIDTH, 960 px), so that a band's labels read at full size without scrolling. More labels than
# this do not fit in it without covering each other (13-13-1's already do at 4 digits), and would be
# unreadable anyway; bench/bench_network_view.py measures the time up to this limit.
MAX_WEIGHT_LABELS = 144
KEY_GRADS = "δ = ∂C/∂z (BP1 in the last layer, BP2 before it);  ∂C/∂b = δ (BP3);  ∂C/∂w = a·δ (BP4)"


class NetworkView:
    """An MLP as layers of neurons, with the numbers of one forward (and backward) pass; shows in Jupyter.

    z[l][j], a[l][j] (a[0] is x), delta[l][j] = ∂C/∂z^l_j, dC_dw[l][j][k] and dC_db[l][j] are read from
    the graph of the pass (each list indexed by the layer l, index 0 empty but for a[0]); without y the
    gradients are None, without x the activations too.
    """

    def __init__(
        self,
        model: MLP,
        x: Sequence[Number] | None,
        y: Target | None,
        loss: Loss | None,
        *,
        show_weight_grads: bool,
        highlight: tuple[int, int] | None,
        digits: int,
    ) -> None:
        self.model, self.x, self.y = model, x, y
        self.show_weight_grads, self.highlight, self.digits = show_weight_grads, highlight, digits
        L = len(model.layers)
        self.z: list[list[float]] | None = None
        self.a: list[list[float]] | None = None
        self.delta: list[list[float]] | None = None
        self.dC_dw: list[list[list[float]]] | None = None
        self.dC_db: list[list[float]] | None = None
        self.cost: float | None = None
        self.output: Value | list[Value] | None = None
        self.root: Value | None = None  # what was differentiated: the cost, or the output when there is no y
        self._nodes: list[list[tuple[Value, Value]]] = []  # (z, a) of every neuron, kept alive with the graph
        if x is None:
            return
        out = model(x)
        self.output = out
        self._nodes = [[]] + [list(zip(layer.z, layer.a)) for layer in model.layers]
        self.z = [[]] + [[z.data for z, _ in self._nodes[l]] for l in range(1, L + 1)]
        self.a = [[float(v) for v in x]] + [[a.data for _, a in self._nodes[l]] for l in range(1, L + 1)]
        self.root = out if isinstance(out, Value) else None
        if y is None:
            return
        from micrograd.training.losses import quadratic_cost

        cost = (loss or quadratic_cost)([out], [y])
        if not isinstance(cost, Value):
            raise TypeError(f"draw_network: the loss must return a Value, got {type_name(cost)}")
        model.zero_grad()  # the parameters' grads are then this example's, as the scalar graph shows them too
        cost.backward()
        self.delta = [[]] + [[z.grad for z, _ in self._nodes[l]] for l in range(1, L + 1)]
        self.dC_dw = [[]] + [[[w.grad for w in n.w] for n in layer.neurons] for layer in model.layers]
        self.dC_db = [[]] + [[n.b.grad for n in layer.neurons] for layer in model.layers]
        self.cost = cost.data
        self.root = cost

    # -- the other lens: the scalar graph ----------------------------------------------------

    def neuron(self, l: int, j: int, *, whole: bool = False, rankdir: str = "LR") -> Drawing:
        """Neuron j of layer l in the scalar graph: its w, b, z and a highlighted.

        By default only the neuron's own part (from its inputs to a); whole=True draws the graph
        of everything computed (the cost, when there is a target) with the neuron highlighted in it.
        """
        l, j = _check_neuron(self.model, l, j)
        if not self._nodes:
            raise ValueError("view.neuron(): draw the network with an input x first: draw_network(model, x)")
        z, a = self._nodes[l][j]
        n = self.model.layers[l - 1].neurons[j]
        lit = [z, a, *n.w, n.b]
        if whole:  # the cost's graph, or the single output's; for several outputs and no cost, all below a
            root = self.root if self.root is not None else a
            return draw_dot(root, rankdir=rankdir, highlight=lit, digits=self.digits)
        depth = 1 if a is z else 2  # a = σ(z), z = linear(w, a^(l-1), b): the neuron and its inputs
        return draw_dot(a, rankdir=rankdir, highlight=lit, digits=self.digits, depth=depth)

    # -- the picture -------------------------------------------------------------------------

    @property
    def svg(self) -> str:
        """The picture as SVG text: the neurons as circles by layer, the weights as lines."""
        return _svg(self)

    def _repr_html_(self) -> str:
        sizes = "-".join(str(n) for n in self.model.sizes)
        return picture_html(self.svg, title=f"the {sizes} network, layer by layer")

    def __repr__(self) -> str:
        shown = "weights" if self.a is None else "one forward pass" if self.delta is None else "forward and backward"
        cost = "" if self.cost is None else f", C = {format_number(self.cost, self.digits)}"
        return f"NetworkView({'-'.join(str(n) for n in self.model.sizes)} network: {shown}{cost})"

    def __str__(self) -> str:
        """Every neuron, one line each, with the numbers the picture shows."""
        f = self._f
        lines = [repr(self)]
        if self.a is not None:
            lines.append("input: " + ", ".join(f"x[{k}] = {f(v)}" for k, v in enumerate(self.a[0])))
        for l, layer in enumerate(self.model.layers, start=1):
            for j, n in enumerate(layer.neurons):
                parts = [f"b = {f(n.b.data)}"]
                if self.z is not None and self.a is not None:
                    parts += [f"z = {f(self.z[l][j])}", f"a = {f(self.a[l][j])}"]
                if self.delta is not None:
                    parts.append(f"δ = {f(self.delta[l][j])}")
                lines.append(f"a[{l}][{j}] ({layer.activation}): " + ", ".join(parts))
        return "\n".join(lines)

    def _f(self, x: float) -> str:
        return format_number(x, self.digits)


def draw_network(
    model: MLP,
    x: Sequence[Number] | None = None,
    y: Target | None = None,
    *,
    loss: Loss | None = None,
    show_weight_grads: bool = False,
    highlight: tuple[int, int] | None = None,
    digits: int = 4,
) -> NetworkView:
    """The MLP as layers of neurons: with x, each neuron's z and a; with a target y too, δ = ∂C/∂z and ∂C/∂w.

    C is the cost of this one example: loss([model(x)], [y]), the quadratic cost ½‖a − y‖² by default;
    its backward() leaves this example's gradients in the parameters' .grad (zeroed first).
    show_weight_grads writes w (named w^l_jk: w¹₂₀) and ∂C/∂w on every weight's line; highlight=(l, j) colours
    neuron j of layer l (see view.neuron(l, j) for it in the scalar graph). With show_weight_grads, more than
    MAX_WEIGHT_LABELS (144) weights between two layers raise ValueError: their labels would not fit.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"draw_network() takes an MLP, got {type_name(model)}")
    if y is not None and x is None:
        raise ValueError("draw_network(): a target y needs its input x: draw_network(model, x, y)")
    if loss is not None and y is None:
        raise ValueError("draw_network(): a loss needs a target y to compare the output with")
    if loss is not None and not callable(loss):
        raise TypeError(f"draw_network(): loss must be a function (outputs, targets) -> Value, got {type_name(loss)}")
    if not isinstance(show_weight_grads, bool):
        raise TypeError(f"show_weight_grads must be True or False, got {type_name(show_weight_grads)}")
    if highlight is not None:
        if not (isinstance(highlight, tuple) and len(highlight) == 2):
            raise TypeError(f"highlight must be a pair (l, j): neuron j of layer l; got {highlight!r}")
        highlight = _check_neuron(model, *highlight)
    if show_weight_grads and y is None:
        raise ValueError("draw_network(): show_weight_grads needs x and a target y, to compute ∂C/∂w")
    if show_weight_grads:
        _check_labels_fit(model)
    return NetworkView(
        model, x, y, loss, show_weight_grads=show_weight_grads, highlight=highlight, digits=check_digits(digits)
    )


def _check_labels_fit(model: MLP) -> None:
    """A ValueError naming the band and what to do instead, if a band of weights has more than MAX_WEIGHT_LABELS."""
    sizes = model.sizes
    for l in range(1, len(sizes)):
        if sizes[l - 1] * sizes[l] > MAX_WEIGHT_LABELS:
            raise ValueError(
                f"draw_network(show_weight_grads=True): the {'-'.join(map(str, sizes))} network has "
                f"{sizes[l - 1] * sizes[l]} weights between layers {l - 1} and {l}, and their labels do not fit "
                f"between two layers beyond {MAX_WEIGHT_LABELS} (12 × 12). Draw it with show_weight_grads=False "
                "(view.dC_dw[l][j][k] still holds every ∂C/∂w), "
                "look at one neuron's weights with view.neuron(l, j), or draw a smaller network"
            )


def _check_neuron(model: MLP, l: object, j: object) -> tuple[int, int]:
    """(l, j) checked: layer l from 1 to L, neuron j of it from 0."""
    if not is_int(l) or not is_int(j) or isinstance(l, bool) or isinstance(j, bool):
        raise TypeError(f"a neuron is (l, j): two ints, layer l from 1 and neuron j from 0; got ({l!r}, {j!r})")
    l, j = int(l), int(j)
    if not 1 <= l <= len(model.layers):
        raise ValueError(f"this network has layers 1 to {len(model.layers)} (layer 0 is the input x), so no layer {l}")
    size = len(model.layers[l - 1].neurons)
    if not 0 <= j < size:
        raise ValueError(f"layer {l} has neurons 0 to {size - 1}, so no neuron {j}")
    return l, j


# -- SVG ---------------------------------------------------------------------------------------


def _svg(view: NetworkView) -> str:
    """The picture: the layers' titles, the weights' lines (and labels), the neurons, the target and cost, the key."""
    sizes = view.model.sizes
    row, column, spots = _layout(view)
    width = 2 * MARGIN + (len(sizes) - 1) * column + 2 * RADIUS + (150.0 if view.y is not None else 0.0)
    height = TOP + max(sizes) * row + FOOT

    def centre(l: int, j: int) -> Point:
        return _centre(sizes, row, column, l, j)

    lines, labels = _weights(view, centre, spots)
    return "\n".join(
        [
            f'<svg width="{width:.2f}pt" height="{height:.2f}pt" viewBox="0 0 {width:.2f} {height:.2f}" '
            'xmlns="http://www.w3.org/2000/svg" font-family="Helvetica,Arial,sans-serif">',
            f'<rect class="background" x="0" y="0" width="{width:.2f}" height="{height:.2f}" fill="white"/>',
            *_titles(view, centre),
            *lines,  # under the neurons, and under every label
            *labels,
            *_neurons(view, centre),
            *_cost(view, centre),
            *_key(view, height),
            "</svg>",
        ]
    )


def _titles(view: NetworkView, centre: Centre) -> list[str]:
    """Above each layer, what it is: the input, or the layer's number and activation."""
    titles = []
    for l in range(len(view.model.sizes)):
        cx, _ = centre(l, 0)
        title = "input x" if l == 0 else f"layer {l}: {view.model.layers[l - 1].activation}"
        titles.append(_text(cx, 24, title, size=FONT + 2, weight="bold"))
    return titles


def _weights(view: NetworkView, centre: Centre, spots: Spots) -> tuple[list[str], list[str]]:
    """Each weight's line, as wide as |w| is large and coloured by its sign, and the labels that spots places."""
    model, f = view.model, view._f
    largest = max((abs(w.data) for w in model.parameters() if math.isfinite(w.data)), default=0.0) or 1.0
    lines, labels = [], []
    for l, layer in enumerate(model.layers, start=1):
        for j, n in enumerate(layer.neurons):
            x1, y1 = centre(l, j)
            for k, w in enumerate(n.w):
                x0, y0 = centre(l - 1, k)
                value = w.data
                stroke = POSITIVE if value >= 0 else NEGATIVE
                thickness = 0.6 + 5.4 * min(1.0, abs(value) / largest) if math.isfinite(value) else 6.0
                tip = f"w[{l}][{j}][{k}] = {f(value)}"
                if view.dC_dw is not None:
                    tip += f", ∂C/∂w = {f(view.dC_dw[l][j][k])}"
                lines.append(
                    f'<g class="weight" id="w{l}_{j}_{k}"><title>{escape(tip)}</title>'
                    f'<line x1="{x0 + RADIUS:.2f}" y1="{y0:.2f}" x2="{x1 - RADIUS:.2f}" y2="{y1:.2f}" '
                    f'stroke="{stroke}" stroke-width="{thickness:.2f}" stroke-opacity="0.8"/></g>'
                )
                if (l, j, k) in spots:
                    (lx, ly), text = spots[l, j, k]
                    labels.append(
                        f'<g class="weight-label" id="lw{l}_{j}_{k}">'
                        + _text(lx, ly - 2, text[0], size=FONT - 1, halo=True)
                        + _text(lx, ly + 9, text[1], size=FONT - 1, halo=True)
                        + "</g>"
                    )
    return lines, labels


def _neurons(view: NetworkView, centre: Centre) -> list[str]:
    """Each neuron as a circle with its name above and its numbers inside."""
    out = []
    for l, size in enumerate(view.model.sizes):
        for j in range(size):
            cx, cy = centre(l, j)
            name, lines, fill = _neuron_text(view, l, j)
            out.append(f'<g class="neuron" id="{"x" if l == 0 else "n"}{l}_{j}"><title>{escape(name)}</title>')
            out.append(
                f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{RADIUS:.2f}" fill="{fill}" stroke="#37474f" '
                'stroke-width="1.2"/>'
            )
            out.append(_text(cx, cy - RADIUS - 4, name, size=FONT + 1, weight="bold", halo=True))
            first = cy - (len(lines) - 1) * 6.5 + 3.5
            for i, line in enumerate(lines):
                out.append(_text(cx, first + i * 13, line, size=FONT))
            out.append("</g>")
    return out


def _neuron_text(view: NetworkView, l: int, j: int) -> tuple[str, list[str], str]:
    """Neuron j of layer l: its name, the lines of numbers it shows (b, z, a, δ; an input's x), its fill colour."""
    f = view._f
    if l == 0:
        return f"x[{j}]", [] if view.a is None else [f(view.a[0][j])], LEAF_COLOR
    n = view.model.layers[l - 1].neurons[j]
    lines = [f"b = {f(n.b.data)}"]
    if view.z is not None and view.a is not None:
        lines += [f"z = {f(view.z[l][j])}", f"a = {f(view.a[l][j])}"]
    if view.delta is not None:
        lines.append(f"δ = {f(view.delta[l][j])}")
    return f"a[{l}][{j}]", lines, HIGHLIGHT if view.highlight == (l, j) else "#ffffff"


def _cost(view: NetworkView, centre: Centre) -> list[str]:
    """The target y and the cost C, to the right of the output layer (when there is a target)."""
    if view.y is None or view.cost is None:
        return []
    f = view._f
    cx, cy = centre(len(view.model.sizes) - 1, 0)
    targets = view.y if isinstance(view.y, Sequence) and not isinstance(view.y, str) else [view.y]
    shown = ", ".join(f(float(t)) for t in targets)
    x0 = cx + RADIUS + 14
    return [
        '<g class="cost">'
        + _text(x0, cy - 6, f"y = {shown}", size=FONT + 1, anchor="start")
        + _text(x0, cy + 10, f"C = {f(view.cost)}", size=FONT + 1, anchor="start", weight="bold")
        + "</g>"
    ]


def _key(view: NetworkView, height: float) -> list[str]:
    """What the lines mean, and with gradients which equation gives each."""
    key = [_text(MARGIN, height - 24, KEY, size=FONT - 1, anchor="start")]
    if view.delta is not None:
        key.append(_text(MARGIN, height - 10, KEY_GRADS, size=FONT - 1, anchor="start"))
    return key


Centre = Callable[[int, int], Point]  # where neuron j of layer l is drawn


# (l, j, k): where the label of w[l][j][k] goes, and its two lines of text
Spots = dict[tuple[int, int, int], tuple[Point, tuple[str, str]]]
WIDER = (1.2, 1.5, 1.8, 2.2, 2.7, 3.3)  # how far apart the layers may be drawn (× COLUMN) when labels need room


def _centre(sizes: list[int], row: float, column: float, l: int, j: int) -> Point:
    """The centre of neuron j of layer l (layer 0: the inputs), the layers centred on the tallest."""
    top = TOP + (max(sizes) - sizes[l]) * row / 2
    return MARGIN + RADIUS + l * column, top + row / 2 + j * row


def _layout(view: NetworkView) -> tuple[float, float, Spots]:
    """The distance between rows and between layers, and where each weight's label goes (if they are shown).

    With labels, the layers move apart until no label covers another or a neuron (or as far as WIDER goes).
    """
    dC_dw = view.dC_dw
    if not view.show_weight_grads or dC_dw is None:
        return ROW, COLUMN, {}
    row = ROW * 1.3
    for wider in WIDER:  # short of the widest, a spacing is given up at the first label that covers something
        spots, covered = _label_spots(view, dC_dw, row, COLUMN * wider, give_up=wider != WIDER[-1])
        if covered == 0.0:
            break
    return row, COLUMN * wider, spots


def _label_spots(
    view: NetworkView, dC_dw: list[list[list[float]]], row: float, column: float, *, give_up: bool
) -> tuple[Spots, float]:
    """Where each weight's label goes with this spacing, and the area of labels and neurons they cover.

    give_up stops at the first label that covers something (the area is then more than 0, and some spots missing).
    """
    sizes, f = view.model.sizes, view._f
    centres = {(l, j): _centre(sizes, row, column, l, j) for l in range(len(sizes)) for j in range(sizes[l])}
    taken = [(cx - RADIUS, cy - RADIUS - 16, cx + RADIUS, cy + RADIUS) for cx, cy in centres.values()]  # with names
    segments = {  # every weight's line, from the edge of one circle to the edge of the next
        (l, j, k): ((x0 + RADIUS, y0), (x1 - RADIUS, y1))
        for l in range(1, len(sizes))
        for j in range(sizes[l])
        for k in range(sizes[l - 1])
        for (x0, y0), (x1, y1) in [(centres[l - 1, k], centres[l, j])]
    }
    labels = Labels(list(segments.values()), taken)
    spots: Spots = {}
    covered = 0.0
    for (l, j, k), segment in segments.items():
        w = view.model.layers[l - 1].neurons[j].w[k].data
        text = (f"{weight_name(l, j, k)} = {f(w)}", f"∂C/∂w = {f(dC_dw[l][j][k])}")
        point, overlap = labels.place(segment, text, size=FONT - 1)
        spots[l, j, k] = point, text
        covered += overlap
        if give_up and covered > 0.0:
            break
    return spots, covered


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def weight_name(l: int, j: int, k: int) -> str:
    """w^l_jk as the textbook writes it, w¹₂₀: into neuron j of layer l from k; w¹₁₁,₀ where j or k is past 9."""
    sub = f"{j},{k}" if j > 9 or k > 9 else f"{j}{k}"
    return "w" + str(l).translate(SUPERSCRIPT) + sub.translate(SUBSCRIPT)


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = FONT,
    anchor: str = "middle",
    weight: str = "normal",
    halo: bool = False,
) -> str:
    """A line of text, escaped; with a halo, a white outline keeps it readable over lines."""
    style = ' stroke="white" stroke-width="3" paint-order="stroke"' if halo else ""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="{size:.2f}" fill="#1f1f1f"{bold}{style}>'
        f"{escape(text)}</text>"
    )
