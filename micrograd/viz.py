"""Drawing a computation graph: draw_dot() returns a graphviz.Digraph that renders to SVG and shows in Jupyter.

Each value is a record (label | data | grad), each op an ellipse between a value and its children, and
the edges go from the children to the op in operand order. Rendering uses the system's Graphviz ``dot``
when it is on PATH, and otherwise the ``graphviz-pure`` program (a self-contained ``dot`` installed with
micrograd); the environment variable MICROGRAD_RENDERER=system|pure forces one of them.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys
import sysconfig
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from html import escape
from typing import TYPE_CHECKING

import graphviz
from graphviz.backend import dot_command, execute, rendering

from micrograd.engine import Value, node_names, topological_order

if TYPE_CHECKING:
    import subprocess

RENDERER_VARIABLE = "MICROGRAD_RENDERER"
RENDERERS = ("auto", "system", "pure")
RANKDIRS = ("LR", "RL", "TB", "BT")
HIGHLIGHT = "#ffd54f"  # the background of a highlighted value
EDGE_HIGHLIGHT = "#d84315"  # a highlighted edge
LOCAL_COLOR = "#1565c0"  # the local derivative written on an edge
UNNAMED_COLOR = "#9e9e9e"  # the name micrograd gives a value that has no label
WRAP = 80  # characters per line of a label; longer lines wrap


class RendererNotFound(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz has no type hints
    """Neither the system's Graphviz ``dot`` nor ``graphviz-pure`` can be run."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


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


def _run(cmd: list[str], data: bytes | None, quiet: bool) -> bytes:
    try:
        proc: subprocess.CompletedProcess[bytes] = execute.run_check(cmd, input=data, capture_output=True, quiet=True)
    except (graphviz.ExecutableNotFound, OSError) as e:
        raise RendererNotFound(f"{cmd[0]} could not be run ({e}); {_INSTALL_HINT}") from e
    warnings = [line for line in proc.stderr.decode(errors="replace").splitlines() if not _is_width_warning(line)]
    if warnings and not quiet:
        print("\n".join(warnings), file=sys.stderr)
    return proc.stdout


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
    return _run(cmd, source.encode("utf-8"), quiet=False).decode("utf-8")


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type hints
    """A graphviz.Digraph whose pipe(), render() and Jupyter display use the renderer find_renderer() chooses."""

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
        out = _run(cmd, self.source.encode(self.encoding), quiet)
        return out if encoding is None else out.decode(encoding)

    @property
    def _render(self) -> Callable[..., str]:
        # graphviz's render() and view() lay out the saved DOT file through this hook
        return _render_file

    def __repr__(self) -> str:
        values, ops = getattr(self, "counts", ("?", "?"))
        return f"<Drawing of {values} values and {ops} ops: shown inline in Jupyter; render_svg() gives the SVG>"


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


def format_number(x: float, digits: int = 4) -> str:
    """x to `digits` significant digits, as shown in drawings and traces: 0.8814, -3, 1e+308, nan, inf, -0."""
    return f"{x:.{digits}g}"


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


def _cell(text: str, content: str | None = None) -> str:
    """A table cell showing text, wide enough for it in any common sans-serif font.

    Graphviz sizes a cell with the metrics of its own Helvetica; a browser without Helvetica or Arial
    draws it in a wider font (DejaVu Sans), which would overflow the cell without this minimum width.
    """
    widest = max(sum(14 if unicodedata.east_asian_width(c) in "WF" else 9 for c in line) for line in _lines(text))
    return f'<TD WIDTH="{min(widest + 10, 65535)}">{html_text(text) if content is None else content}</TD>'


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
    max_nodes: int = 2000,
) -> Drawing:
    """The graph of root: a record (label | data | grad) per value, an ellipse per op, edges in operand order.

    show_local writes ∂node/∂child on each edge from a child to its op, as backward() uses it;
    highlight colours the given values, highlight_edges the edges (node, i) from node's i-th child.
    Numbers are the engine's own, to `digits` significant digits. A graph of more than max_nodes
    values raises ValueError: draw a smaller part of it, or raise the limit.
    """
    order = graph_nodes(root, max_nodes)
    return _draw(
        order,
        rankdir=rankdir,
        show_grad=_check_bool(show_grad, "show_grad"),
        show_local=_check_bool(show_local, "show_local"),
        highlight=highlight,
        highlight_edges=highlight_edges,
        digits=check_digits(digits),
    )


def graph_nodes(root: Value, max_nodes: int = 2000) -> list[Value]:
    """topological_order(root), or a ValueError if the graph has more than max_nodes values."""
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value as the root of the graph to draw, got {type(root).__name__}")
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool):
        raise TypeError(f"max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    seen, stack = {root}, [root]
    while stack:  # count before sorting, stopping as soon as the graph is too large
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
        if len(seen) > max_nodes:
            raise ValueError(
                f"this graph has more than max_nodes={max_nodes} values, too many to draw readably: draw a "
                "smaller part of it (a node nearer the inputs, such as one neuron's output, or the loss of a "
                "smaller model), or pass a larger max_nodes"
            )
    return topological_order(root)


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
) -> Drawing:
    """The drawing of the values in order; grad_text, if given, is the text shown as each value's grad."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    index = {node: i for i, node in enumerate(order)}
    lit = _nodes_in(highlight, index, "highlight")
    lit_edges = _edges_in(highlight_edges, index)
    names = node_names(order)

    g = Drawing(
        format="svg",
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica"},
        edge_attr={"fontname": "Helvetica", "fontsize": "11"},
    )
    g.counts = (len(order), sum(1 for node in order if node._prev))
    if grad_text is None and show_grad:
        grad_text = {node: format_number(node.grad, digits) for node in order}
    for i, node in enumerate(order):
        grad = grad_text[node] if grad_text is not None else None
        label = _value_label(names[node], not node.label, format_number(node.data, digits), grad, node in lit)
        g.node(f"n{i}", label, id=f"n{i}", shape="plain")
        if not node._prev:
            continue
        g.node(f"n{i}op", f"<{html_text(str(node._op))}>", id=f"n{i}op", shape="ellipse")
        g.edge(f"n{i}op", f"n{i}", id=f"e{i}")
        for k, (child, local) in enumerate(zip(node._prev, node._local)):
            attrs = {"id": f"e{i}_{k}"}
            if show_local:
                attrs["label"] = f'<<FONT COLOR="{LOCAL_COLOR}">{html_text(format_number(local, digits))}</FONT>>'
            if (i, k) in lit_edges:
                attrs.update(color=EDGE_HIGHLIGHT, penwidth="3")
            g.edge(f"n{index[child]}", f"n{i}op", **attrs)
    return g


def _value_label(name: str, unnamed: bool, data: str, grad: str | None, lit: bool) -> str:
    name_cell = _cell(name, f'<FONT COLOR="{UNNAMED_COLOR}"><I>{html_text(name)}</I></FONT>' if unnamed else None)
    cells = [name_cell, _cell(f"data {data}")]
    if grad is not None:
        cells.append(_cell(f"grad {grad}"))
    background = f' BGCOLOR="{HIGHLIGHT}"' if lit else ""
    row = "".join(f"{cell}\n" for cell in cells)
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"{background}>\n<TR>{row}</TR>\n</TABLE>>'


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
    "Drawing",
    "RendererNotFound",
    "display_text",
    "draw_dot",
    "find_renderer",
    "format_number",
    "html_text",
    "node_names",
    "render_svg",
]
