"""Laying out a drawing: the program that does it, run so that it never outlives the call.

Rendering uses the system's Graphviz ``dot`` when it is on PATH, and otherwise the ``graphviz-pure``
program (a self-contained ``dot`` installed with micrograd); the environment variable
MICROGRAD_RENDERER=system|pure forces one of them. In the browser (Pyodide), which runs no programs,
Graphviz compiled to WebAssembly lays out instead (micrograd.lab.browser). One place chooses: find_renderer.

A renderer still running after MICROGRAD_RENDER_TIMEOUT seconds (60 unless set) is stopped with a
RenderTimeout that says what to do; an interrupted one (KeyboardInterrupt) is stopped too, and on Linux
one whose Python process is killed dies with it. The renderer is started without preexec_fn (which Windows
refuses and which is unsafe in a process with threads, such as a Jupyter kernel): on Linux a small launcher
asks to die with its parent, then becomes the renderer; elsewhere the renderer is started as it is.

A Drawing is a graphviz.Digraph whose pipe(), render() and Jupyter display go through this renderer;
draw_dot (micrograd.lab.viz) returns one.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import graphviz
from graphviz.backend import dot_command, rendering

from micrograd.lab import browser
from micrograd.lab.display import picture_html

RENDERER_VARIABLE = "MICROGRAD_RENDERER"
RENDERERS = ("auto", "system", "pure")
TIMEOUT_VARIABLE = "MICROGRAD_RENDER_TIMEOUT"
RENDER_TIMEOUT = 60.0  # seconds a renderer may run before it is stopped
PROGRESS_AFTER = 2.0  # seconds: a layout still running then says so


class RendererNotFound(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz has no type hints
    """Neither the system's Graphviz ``dot`` nor ``graphviz-pure`` can be run."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


class RenderTimeout(TimeoutError):
    """The renderer ran past MICROGRAD_RENDER_TIMEOUT seconds and was stopped."""


_INSTALL_HINT = (
    "no program to lay out the drawing: micrograd needs either graphviz-pure (pip install graphviz-pure, "
    "a self-contained dot that micrograd normally installs) or Graphviz's dot on PATH "
    "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download)"
)


def find_renderer() -> tuple[str, str]:
    """("system", path of dot), ("pure", path of graphviz-pure) or, in the browser, ("browser", URL of
    Graphviz compiled to WebAssembly): what lays out drawings.

    MICROGRAD_RENDERER=system or =pure forces one; unset (or "auto"), the system's dot is preferred.
    """
    choice = os.environ.get(RENDERER_VARIABLE, "").strip().lower() or "auto"
    if choice not in RENDERERS:
        raise ValueError(
            f"{RENDERER_VARIABLE}={os.environ[RENDERER_VARIABLE]!r} is not a renderer; use one of "
            f"{', '.join(RENDERERS)} (auto, the default, prefers the system's Graphviz dot to graphviz-pure)"
        )
    if browser.in_browser():
        return "browser", _browser_renderer(choice)
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


def _browser_renderer(choice: str) -> str:
    """The URL of Graphviz for the browser, loading from then on; there, no program can be run."""
    if choice != "auto":
        raise RendererNotFound(
            f"{RENDERER_VARIABLE}={choice}, but in the browser no program can be run: unset {RENDERER_VARIABLE}, "
            "and micrograd lays out with Graphviz compiled to WebAssembly"
        )
    try:
        return browser.start_loading()
    except LookupError as e:
        raise RendererNotFound(str(e)) from None


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
    program: str,
    engine: str,
    format: str | None,
    renderer: str | None,
    formatter: str | None,
    neato_no_op: bool | int | None,
) -> list[str]:
    """graphviz's command line for dot, run by program."""
    cmd: list[str] = dot_command.command(
        engine, format, renderer=renderer, formatter=formatter, neato_no_op=neato_no_op
    )
    cmd[0] = program
    return cmd


def _layout(
    data: bytes,
    engine: str,
    format: str,
    renderer: str | None = None,
    formatter: str | None = None,
    neato_no_op: bool | int | None = None,
    quiet: bool = False,
    what: str = "this drawing",
) -> bytes:
    """The DOT source data laid out in format by what find_renderer() chose."""
    kind, where = find_renderer()
    if kind != "browser":
        return _run(_command(where, engine, format, renderer, formatter, neato_no_op), data, quiet, what)
    if renderer or formatter or neato_no_op:
        raise ValueError("in the browser, Graphviz lays out with its own renderer and formatter: name only the format")
    return browser.layout(data.decode("utf-8"), engine, format).encode("utf-8")


def _run(cmd: list[str], data: bytes | None, quiet: bool, what: str = "this drawing") -> bytes:
    """Run the renderer; stop it on a timeout or an interrupt, so that it never outlives the call."""
    timeout = render_timeout()
    program = "graphviz-pure" if "graphviz-pure" in os.path.basename(str(cmd[0])) else "Graphviz dot"
    held: list[int] = []
    try:
        with _interrupts_held(held):  # Popen returns the process only once it runs: no interrupt may come between
            proc = subprocess.Popen(
                renderer_argv(cmd, sys.platform),
                stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
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
    if proc.returncode == _LAUNCH_FAILED and err.startswith(_LAUNCH_MARK):  # the launcher could not exec it
        reason = err[len(_LAUNCH_MARK) :].decode(errors="replace").strip()
        raise RendererNotFound(f"{cmd[0]} could not be run ({reason}); {_INSTALL_HINT}")
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


# On Linux the renderer is started by this launcher, a Python of its own: it asks the kernel to kill it when
# the process that started it dies (prctl PR_SET_PDEATHSIG, kept across exec), gives up if that process is
# already gone, then becomes the renderer (exec: the same process id, the same pipes). A kernel that is killed
# (not interrupted) runs no cleanup, and would otherwise leave the renderer laying out.
_LAUNCH_FAILED = 127  # the launcher's exit status when the renderer could not be run; stderr then starts with
_LAUNCH_MARK = b"micrograd-launcher: "  # this, then the reason
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None).prctl(1, signal.SIGKILL)\n"  # PR_SET_PDEATHSIG: SIGKILL when the parent dies
    "if os.getppid() != int(sys.argv[1]):\n"  # the parent died before prctl: nobody waits for the drawing
    "    os._exit(1)\n"
    "try:\n"
    "    os.execv(sys.argv[2], sys.argv[2:])\n"
    "except OSError as e:\n"
    f"    os.write(2, {_LAUNCH_MARK!r} + str(e).encode(errors='replace'))\n"
    f"    os._exit({_LAUNCH_FAILED})\n"
)


def renderer_argv(cmd: list[str], platform: str) -> list[str]:
    """The command that starts the renderer cmd on platform (a sys.platform): no preexec_fn is ever needed.

    On Linux it is cmd run by a launcher that makes the renderer die with this Python process; elsewhere
    (Windows, macOS), and where this Python cannot be run again (sys.executable is empty), it is cmd itself.
    """
    if platform.startswith("linux") and sys.executable:
        return [sys.executable, "-I", "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *cmd]
    return list(cmd)


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
    return _layout(source.encode("utf-8"), getattr(graph, "engine", "dot"), "svg", what=_what(graph)).decode("utf-8")


def _what(graph: object) -> str:
    counts = getattr(graph, "counts", None)
    return f"a drawing of {_count(counts[0], 'value')}" if counts else "this drawing"


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type hints
    """A graphviz.Digraph whose pipe(), render() and Jupyter display use the renderer find_renderer() chooses.

    draw_dot returns one, knowing how many values and ops it draws. In Jupyter it shows as HTML: the SVG as
    a picture that fits the width of the output (micrograd.lab.display.picture_html).
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
        out = _layout(
            self.source.encode(self.encoding),
            engine or self.engine,
            format or self.format,
            renderer or self.renderer,
            formatter or self.formatter,
            neato_no_op,
            quiet,
            _what(self),
        )
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
    kind, where = find_renderer()
    if kind == "browser":  # no program to read and write the files: the layout in memory, then saved
        out_path.write_bytes(_layout(dot_path.read_bytes(), engine, format or "svg", renderer, formatter, neato_no_op))
    else:
        cmd = _command(where, engine, format, renderer, formatter, neato_no_op)
        _run([*cmd, "-o", os.fspath(out_path), os.fspath(dot_path)], None, quiet)
    return os.fspath(out_path)


__all__ = [
    "RENDERERS",
    "RENDERER_VARIABLE",
    "RENDER_TIMEOUT",
    "TIMEOUT_VARIABLE",
    "Drawing",
    "RenderTimeout",
    "RendererNotFound",
    "find_renderer",
    "render_svg",
    "render_timeout",
    "renderer_argv",
]
