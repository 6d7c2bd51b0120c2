"""Drawing a computation graph: draw_dot() returns a graphviz.Digraph that renders to SVG and shows in Jupyter.

Each value is a box of three lines (its label, data and grad), each op an ellipse between a value and its
children, and the edges go from the children to the op in operand order. Rendering uses the system's
Graphviz ``dot`` when it is on PATH, and otherwise the ``graphviz-pure`` program (a self-contained ``dot``
installed with micrograd); the environment variable MICROGRAD_RENDERER=system|pure forces one of them.

Layout takes a bounded time. dot's search for a good placement is capped by its own attributes (nslimit,
mclimit), and a value that feeds ops far apart (the shared weight of a recurrence, the x of x·x·…·x) is
drawn again next to each group of its uses, as a dashed copy, instead of with edges across the whole
drawing. A renderer still running after MICROGRAD_RENDER_TIMEOUT seconds (60 unless set) is stopped with
a RenderTimeout that says what to do; an interrupted one (KeyboardInterrupt) is stopped too.

In Jupyter a drawing shows as HTML (picture_html): its SVG as a picture that shrinks to the width of the
output down to the size where its text is 9 px high, and past that scrolls sideways, opening on the root.
"""

from __future__ import annotations

import base64
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from html import escape

import graphviz
from graphviz.backend import dot_command, rendering

from micrograd.engine import Value, node_names, topological_order
from micrograd.ops import LINEAR
from micrograd.tables import format_number

RENDERER_VARIABLE = "MICROGRAD_RENDERER"
RENDERERS = ("auto", "system", "pure")
TIMEOUT_VARIABLE = "MICROGRAD_RENDER_TIMEOUT"
RENDER_TIMEOUT = 60.0  # seconds a renderer may run before it is stopped
PROGRESS_AFTER = 2.0  # seconds: a layout still running then says so
RANKDIRS = ("LR", "RL", "TB", "BT")
MAX_NODES = 300  # values: more than a drawing can show readably
HIGHLIGHT = "#ffd54f"  # the background of a highlighted value
EDGE_HIGHLIGHT = "#d84315"  # a highlighted edge
LOCAL_COLOR = "#1565c0"  # the local derivative written on an edge
UNNAMED_COLOR = "#5a5a5a"  # the name micrograd gives a value that has no label (4.5:1 or more on any box)
LEAF_COLOR = "#eceff1"  # the background of a leaf's name: an input, a weight or a constant
WRAP = 80  # characters per line of a label; longer lines wrap
FONT_SIZE = 12  # points, for every text of a drawing (16 px at full size)
MIN_TEXT_PX = 9  # a drawing shrinks to fit no further than this height of its smallest text
FIT_WIDTH = 960  # px: about the width of a notebook's output, where a wider drawing is scaled down
# Bounds on dot's search for a placement (its own attributes): nslimit caps the network-simplex passes that
# place the nodes across ranks, mclimit the passes that reduce crossings. Unbounded, a graph with edges
# across many ranks (a weight shared by every step of a recurrence) takes minutes instead of a second.
LAYOUT = {"nslimit": "2", "mclimit": "0.5", "ranksep": "0.3", "nodesep": "0.15"}
# A value used by SHARED_USES ops or more, whose uses lie more than SHARED_SPAN ranks apart (an op is two
# ranks: the op, then its value), is drawn once per group of nearby uses.
SHARED_USES = 4
SHARED_SPAN = 4


class RendererNotFound(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz has no type hints
    """Neither the system's Graphviz ``dot`` nor ``graphviz-pure`` can be run."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


class RenderTimeout(TimeoutError):
    """The renderer ran past MICROGRAD_RENDER_TIMEOUT seconds and was stopped."""


# -- the renderer ---------------------------------------------------------------------------

_INSTALL_HINT = (
    "no program to lay out the drawing: micrograd needs either graphviz-pure (pip install graphviz-pure, "
    "a self-contained dot that micrograd normally installs) or Graphviz's dot on PATH "
    "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download)"
)


def find_renderer() -> tuple[str, str]:
    """("system", path of dot) or ("pure", path of graphviz-pure): the program that lays out drawings.

    MICROGRAD_RENDERER=system or =pure forces one; unset (or "auto"), the system's dot is preferred.
    """
    choice = os.environ.get(RENDERER_VARIABLE, "").strip().lower() or "auto"
    if choice not in RENDERERS:
        raise ValueError(
            f"{RENDERER_VARIABLE}={os.environ[RENDERER_VARIABLE]!r} is not a renderer; use one of "
            f"{', '.join(RENDERERS)} (auto, the default, prefers the system's Graphviz dot to graphviz-pure)"
        )
    system = shutil.which("dot") if choice in ("auto", "system") else None
    if system:
        return "system", system
    pure = _find_graphviz_pure() if choice in ("auto", "pure") else None
    if pure:
        return "pure", pure
    if choice == "system":
        raise RendererNotFound(
            f"{RENDERER_VARIABLE}=system, but Graphviz's dot is not on PATH: install Graphviz "
            "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download), "
            f"or unset {RENDERER_VARIABLE} to use graphviz-pure"
        )
    if choice == "pure":
        raise RendererNotFound(
            f"{RENDERER_VARIABLE}=pure, but the graphviz-pure program is not installed: "
            f"pip install graphviz-pure, or unset {RENDERER_VARIABLE} to use the system's Graphviz dot"
        )
    raise RendererNotFound(_INSTALL_HINT)


def _find_graphviz_pure() -> str | None:
    """graphviz-pure on PATH, or in this Python's scripts folder (a kernel started without activating its venv)."""
    folders = [
        None,
        sysconfig.get_path("scripts"),
        sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user")),
    ]
    for folder in folders:
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    return None


def _command(
    engine: str, format: str | None, renderer: str | None, formatter: str | None, neato_no_op: bool | int | None
) -> list[str]:
    """graphviz's command line for dot, run by the program find_renderer() chose."""
    cmd: list[str] = dot_command.command(
        engine, format, renderer=renderer, formatter=formatter, neato_no_op=neato_no_op
    )
    cmd[0] = find_renderer()[1]
    return cmd


def _run(cmd: list[str], data: bytes | None, quiet: bool, what: str = "this drawing") -> bytes:
    """Run the renderer; stop it on a timeout or an interrupt, so that it never outlives the call."""
    timeout = render_timeout()
    program = "graphviz-pure" if "graphviz-pure" in os.path.basename(str(cmd[0])) else "Graphviz dot"
    held: list[int] = []
    try:
        with _interrupts_held(held):  # Popen returns the process only once it runs: no interrupt may come between
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                preexec_fn=_die_with_parent,  # set before exec: the renderer dies with this process
            )
    except OSError as e:
        raise RendererNotFound(f"{cmd[0]} could not be run ({e}); {_INSTALL_HINT}") from e
    try:
        if held:  # an interrupt came while the renderer started: deliver it now, and it stops the renderer
            signal.raise_signal(signal.SIGINT)
        patience = min(PROGRESS_AFTER, timeout / 2)
        try:
            out, err = proc.communicate(data, timeout=patience)
        except subprocess.TimeoutExpired:  # still laying out: say so, then wait for the rest of the time
            print(
                f"micrograd: {program} is still laying out {what}; it is stopped after {timeout:g} s "
                "(interrupt to stop it now)",
                file=sys.stderr,
                flush=True,
            )
            out, err = proc.communicate(timeout=timeout - patience)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise RenderTimeout(
            f"{program} did not finish laying out {what} within {timeout:g} s and was stopped. Draw less of the "
            "graph (draw_dot(root, depth=3) draws the 3 ops nearest the root; the output of one neuron is a "
            f"smaller graph), or allow more time: set {TIMEOUT_VARIABLE} to a number of seconds"
        ) from None
    except BaseException:  # KeyboardInterrupt (an interrupted kernel) included: the renderer goes with the call
        _stop(proc)
        raise
    if proc.returncode:
        raise graphviz.CalledProcessError(proc.returncode, cmd, output=out, stderr=err)
    warnings = [line for line in err.decode(errors="replace").splitlines() if not _is_width_warning(line)]
    if warnings and not quiet:
        print("\n".join(warnings), file=sys.stderr)
    return out


@contextmanager
def _interrupts_held(held: list[int]) -> Iterator[None]:
    """Inside the block an interrupt (SIGINT) is not raised but noted in held; the handler is then as it was.

    Python runs signal handlers in the main thread only, and only those it installed can be put back.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _die_with_parent() -> None:
    """In the renderer, before it starts: on Linux, be killed when the Python process that started it dies.

    A kernel that is killed (not interrupted) runs no cleanup, and would leave the renderer laying out.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: SIGKILL when the parent dies


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.communicate()  # reap it, and close its pipes


def render_timeout() -> float:
    """Seconds a renderer may take: MICROGRAD_RENDER_TIMEOUT if set, else RENDER_TIMEOUT."""
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return RENDER_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds greater than 0")
    return seconds


def _is_width_warning(line: str) -> bool:
    # graphviz-pure estimates the width of characters its font tables lack, and says so for each one.
    return "no value for width of non-ASCII character" in line


def render_svg(graph: graphviz.Source | graphviz.Graph | graphviz.Digraph) -> str:
    """The SVG text of a drawing, laid out by the renderer find_renderer() chooses."""
    source = getattr(graph, "source", None)
    if not isinstance(source, str):
        raise TypeError(
            f"render_svg() takes a drawing (a graphviz.Digraph such as draw_dot's), got {type(graph).__name__}"
        )
    cmd = _command(getattr(graph, "engine", "dot"), "svg", None, None, None)
    return _run(cmd, source.encode("utf-8"), quiet=False, what=_what(graph)).decode("utf-8")


def _what(graph: object) -> str:
    counts = getattr(graph, "counts", None)
    return f"a drawing of {_count(counts[0], 'value')}" if counts else "this drawing"


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type hints
    """A graphviz.Digraph whose pipe(), render() and Jupyter display use the renderer find_renderer() chooses.

    In Jupyter it shows as HTML: the SVG as a picture that fits the width of the output (see picture_html).
    """

    counts: tuple[int, int] = (0, 0)  # (values, ops) drawn

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        cmd = _command(
            engine or self.engine,
            format or self.format,
            renderer or self.renderer,
            formatter or self.formatter,
            neato_no_op,
        )
        out = _run(cmd, self.source.encode(self.encoding), quiet, what=_what(self))
        return out if encoding is None else out.decode(encoding)

    @property
    def _render(self) -> Callable[..., str]:
        # graphviz's render() and view() lay out the saved DOT file through this hook
        return _render_file

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}

    def _repr_html_(self) -> str:
        svg = render_svg(self)
        values, ops = self.counts
        return picture_html(
            svg,
            title=f"the graph: {_count(values, 'value')} and {_count(ops, 'op')}",
            open_at_end=self.graph_attr.get("rankdir", "TB") == "LR",
        )

    def __repr__(self) -> str:
        values, ops = self.counts
        return (
            f"<Drawing of {_count(values, 'value')} and {_count(ops, 'op')}: render_svg(drawing) gives its SVG, "
            "drawing.render('graph', format='svg') saves it>"
        )


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" if n == 1 else f"{n:,} {what}s"


def _render_file(
    engine: str,
    format: str | None = None,
    filepath: os.PathLike[str] | str | None = None,
    renderer: str | None = None,
    formatter: str | None = None,
    neato_no_op: bool | int | None = None,
    quiet: bool = False,
    *,
    outfile: os.PathLike[str] | str | None = None,
    raise_if_result_exists: bool = False,
    overwrite_filepath: bool = False,
) -> str:
    """graphviz.render() with micrograd's renderer: lay out the DOT file at filepath into outfile."""
    if outfile is not None:
        out_path = pathlib.Path(outfile)
        format = rendering.get_format(out_path, format=format)
        dot_path = pathlib.Path(filepath) if filepath is not None else rendering.get_filepath(out_path)
    else:
        assert filepath is not None  # graphviz passes the DOT file it saved
        dot_path = pathlib.Path(filepath)
        out_path = rendering.get_outfile(dot_path, format=format, renderer=renderer, formatter=formatter)
    if raise_if_result_exists and out_path.exists():
        raise graphviz.FileExistsError(f"output file exists: {os.fspath(out_path)!r}")
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    _run([*cmd, "-o", os.fspath(out_path), os.fspath(dot_path)], None, quiet)
    return os.fspath(out_path)


# -- text and numbers -----------------------------------------------------------------------


def check_digits(digits: object) -> int:
    if not isinstance(digits, int) or isinstance(digits, bool):
        raise TypeError(f"digits must be an int (significant digits, 1 to 17), got {type(digits).__name__}")
    if not 1 <= digits <= 17:
        raise ValueError(f"digits must be between 1 and 17 (17 shows every float exactly), got {digits}")
    return digits


def display_text(text: str) -> str:
    """text as it is drawn: characters that cannot be shown (controls, surrogates) as Python escapes."""
    return "".join(c if _showable(c) else repr(c)[1:-1] for c in text.replace("\r\n", "\n"))


def _showable(c: str) -> bool:
    if c == "\n":
        return True
    return unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff"


def html_text(text: str, wrap: int = WRAP) -> str:
    """text as the content of a Graphviz HTML-like label: shown as itself, never read as DOT or HTML.

    Lines break at newlines and every `wrap` characters; each break also ends the line of DOT source,
    since older dot versions reject a single line longer than 16384 characters.
    """
    # Graphviz reads \N, \G, \E ... in labels as the name of the node or graph, and \\ as one backslash.
    # Graphviz 2.43 (Debian 12's) drops a cell's text made only of "]" into the next cell: spell it &#93;.
    return "<BR/>\n".join(
        escape(line, quote=True).replace("\\", "\\\\").replace("]", "&#93;") for line in _lines(text, wrap)
    )


def _lines(text: str, wrap: int = WRAP) -> list[str]:
    lines = []
    for line in display_text(text).split("\n"):
        lines.extend([line[i : i + wrap] for i in range(0, len(line), wrap)] or [""])
    return lines


def _cell(text: str, content: str | None = None, attrs: str = "", width_of: str | None = None) -> str:
    """A table cell showing text, wide enough for it (or for width_of) in any common sans-serif font.

    Graphviz sizes a cell with the metrics of its own Helvetica; a browser without Helvetica or Arial
    draws it in a wider font (DejaVu Sans), which would overflow the cell without this minimum width.
    """
    widest = max(
        sum(12 if unicodedata.east_asian_width(c) in "WF" else 8 for c in line)
        for line in _lines(text if width_of is None else width_of)
    )
    content = html_text(text) if content is None else content
    return f'<TD WIDTH="{min(widest + 8, 65535)}"{attrs}>{content}</TD>'


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
    return _draw(
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


def _draw(
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
    """The drawing of the values in order (children first, the root last).

    grad_text, if given, is the text shown as each value's grad, grad_width the text each grad cell is
    as wide as, grad_word the cell's name ("tangent" in forward mode); cut are values drawn without their
    inputs (their op dotted); names overrides node_names.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    index = {node: i for i, node in enumerate(order)}
    lit = _nodes_in(highlight, index, "highlight")
    lit_edges = _edges_in(highlight_edges, index)
    names = node_names(order) if names is None else names
    copies = _copies(order, cut)

    g = Drawing(
        format="svg",
        graph_attr={"rankdir": rankdir, **LAYOUT},
        node_attr={"fontname": "Helvetica", "fontsize": str(FONT_SIZE)},
        edge_attr={"fontname": "Helvetica", "fontsize": str(FONT_SIZE)},
    )
    g.counts = (len(order), sum(1 for node in order if node._prev))
    if grad_text is None and show_grad:
        grad_text = {node: format_number(node.grad, digits) for node in order}

    def label(node: Value, copy: bool) -> str:
        grad = grad_text[node] if grad_text is not None else None
        width = grad_width[node] if grad_width is not None else None
        name, leaf = names[node], not node._prev or node in cut
        data = format_number(node.data, digits)
        return _value_label(name, not node.label, leaf, data, grad, node in lit, copy, width, grad_word)

    declared = set()
    for i, node in enumerate(order):
        g.node(f"n{i}", label(node, False), id=f"n{i}", shape="plain")
        if not node._prev:
            continue
        op = f"<{html_text(str(node._op))}>"
        if node in cut:  # computed from values not drawn
            g.node(f"n{i}op", op, id=f"n{i}op", shape="ellipse", style="dotted", **_OP_SIZE)
            g.edge(f"n{i}op", f"n{i}", id=f"e{i}")
            continue
        # A neuron's operands in the formula's order, w_1..w_n, a_1..a_n, b (dot may rotate them otherwise).
        ordering = {"ordering": "in"} if node._op is LINEAR else {}
        g.node(f"n{i}op", op, id=f"n{i}op", shape="ellipse", **_OP_SIZE, **ordering)
        g.edge(f"n{i}op", f"n{i}", id=f"e{i}", weight=_STRAIGHT)
        for k, (child, local) in enumerate(zip(node._prev, node._local)):
            j = index[child]
            copy = copies.get(child, {}).get(i, 0)
            tail = f"n{j}c{copy}" if copy else f"n{j}"
            if copy and tail not in declared:  # a copy is declared where it is first used, to lie there
                declared.add(tail)
                g.node(tail, label(child, True), id=tail, shape="plain")
            attrs = {"id": f"e{i}_{k}"}
            if child._prev and child not in cut:  # the path from the inputs to the root: kept straight
                attrs["weight"] = _STRAIGHT
            if show_local:
                attrs["label"] = f'<<FONT COLOR="{LOCAL_COLOR}">{html_text(format_number(local, digits))}</FONT>>'
            if (i, k) in lit_edges:
                attrs.update(color=EDGE_HIGHLIGHT, penwidth="3")
            g.edge(tail, f"n{i}op", **attrs)
    notes = []
    if declared:
        notes.append("dashed: a value drawn again next to its later uses")
    if cut:
        notes.append("dotted: an op whose inputs are not drawn")
    if notes:
        g.attr(
            label=html_text("; ".join(notes)),
            labelloc="b",
            labeljust="r",
            fontname="Helvetica",
            fontsize=str(FONT_SIZE),
        )
    return g


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


def _value_label(
    name: str,
    unnamed: bool,
    leaf: bool,
    data: str,
    grad: str | None,
    lit: bool,
    copy: bool = False,
    grad_width: str | None = None,
    grad_word: str = "grad",
) -> str:
    """A value's box: its name (bold; grey italic for a name micrograd made up), then data, then grad."""
    dashed = ' STYLE="dashed"' if copy else ""
    shown = html_text(name)
    content = f'<FONT COLOR="{UNNAMED_COLOR}"><I>{shown}</I></FONT>' if unnamed else f"<B>{shown}</B>"
    background = f' BGCOLOR="{LEAF_COLOR}"' if leaf and not lit else ""
    cells = [_cell(name, content, dashed + background), _cell(f"data {data}", attrs=dashed)]
    if grad is not None:
        width_of = None if grad_width is None else f"{grad_word} {grad_width}"
        cells.append(_cell(f"{grad_word} {grad}", attrs=dashed, width_of=width_of))
    table_background = f' BGCOLOR="{HIGHLIGHT}"' if lit else ""
    rows = "".join(f"<TR>{cell}</TR>\n" for cell in cells)
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{table_background}>\n{rows}</TABLE>>'


# -- showing a drawing in a notebook -----------------------------------------------------------


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) of an SVG from Graphviz in CSS pixels, at full size (Graphviz writes points)."""
    match = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    if match is None:
        raise ValueError("not an SVG from Graphviz: its <svg> element has no width and height in points")
    return float(match.group(1)) * 4 / 3, float(match.group(2)) * 4 / 3


def smallest_scale(svg: str) -> float:
    """How far the drawing may shrink: until its smallest text is MIN_TEXT_PX high (at most 1: never larger)."""
    sizes = [float(size) for size in re.findall(r'font-size="([0-9.]+)"', svg)]
    smallest_px = min(sizes, default=FONT_SIZE) * 4 / 3
    return min(1.0, MIN_TEXT_PX / smallest_px)


def svg_data_uri(svg: str) -> str:
    """The SVG as a data: URI, base64 (which has no character that ends a CSS url())."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def picture_html(svg: str, *, title: str, open_at_end: bool = False) -> str:
    """The SVG as HTML that fits the width of a notebook's output, for a drawing shown in Jupyter.

    The picture shrinks with the output down to smallest_scale(), then scrolls sideways; open_at_end
    opens the scrolling frame at its right end (where the root of a left-to-right drawing is). The SVG
    is a CSS background image, which JupyterLab keeps in an untrusted notebook, where it removes inline
    SVG and images with a data: URI; only inline styles are used, for the same reason.
    """
    width, height = svg_size(svg)
    scale = smallest_scale(svg)
    frame = "max-width: 100%; overflow-x: auto; overflow-y: hidden"
    if open_at_end:  # right to left: the frame opens scrolled to its right end, and the picture keeps to the left
        frame += "; direction: rtl"
    sizer = (
        f"direction: ltr; width: {width:.0f}px; max-width: 100%; min-width: {width * scale:.0f}px; margin-right: auto"
    )
    picture = (
        f"height: 0; padding-top: {100 * height / width:.4f}%; background-image: url({svg_data_uri(svg)}); "
        "background-size: 100% 100%; background-repeat: no-repeat"
    )
    caption = ""
    if width * scale > FIT_WIDTH:
        caption = (
            f'<div class="mg-caption" style="font-size: 0.85em; margin-top: 0.3em">{width:,.0f} × {height:,.0f} px '
            f"at full size: it shrinks to {scale:.0%} at most, then scrolls sideways. For all of it at full size, "
            "save it: drawing.render('graph', format='svg') writes graph.svg.</div>"
        )
    return (
        f'<div class="mg-figure"><div class="mg-frame" style="{frame}"><div class="mg-sizer" style="{sizer}">'
        f'<div class="mg-picture" title="{escape(title)}" style="{picture}"></div></div></div>{caption}</div>'
    )


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
    "Drawing",
    "RenderTimeout",
    "RendererNotFound",
    "display_text",
    "draw_dot",
    "find_renderer",
    "format_number",
    "html_text",
    "node_names",
    "picture_html",
    "render_svg",
    "render_timeout",
]
