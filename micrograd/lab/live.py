"""Watching training: fit(..., live=True) shows the loss, the accuracy and the decision boundary as they change.

In Jupyter one picture is updated in place after an epoch: an SVG drawn here, shown as viz.picture_html
shows drawings (so that an untrusted notebook keeps it). It is redrawn only as the budget allows: a redraw
waits until training has run for (1 − BUDGET)/BUDGET times as long as the last redraw took, so the live
view costs at most about BUDGET of the training time, whatever the machine, plus the first and the final
picture. The boundary is computed in plain floats from the ops' own definitions (no graph) on a coarse
grid. Outside Jupyter live=True keeps fit's tqdm bar.

With live=True, stopping the cell (KeyboardInterrupt) ends training once the step it is in is taken:
the model is the one after that step, and fit returns its History up to there (every step's batch loss,
the loss and accuracy of each epoch finished). A second interrupt stops at once.

Whatever live is, fit runs diagnose() (micrograd.training.diagnose) when the loss stops improving for PATIENCE
epochs while still above STUCK of where it started (a TrainingWarning with what it finds, if anything),
and when the loss becomes NaN or infinite (its findings join the error).
"""

from __future__ import annotations

import math
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html import escape
from types import FrameType
from typing import TYPE_CHECKING, Any

from micrograd.engine import Number, Value
from micrograd.lab import viz
from micrograd.training.metrics import Loss, Model, Target, decision_rule

if TYPE_CHECKING:
    from micrograd.training.train import History

__all__ = ["LiveView", "TrainingWarning", "watching"]

BUDGET = 0.1  # the share of the training time the redraws may take
MIN_INTERVAL = 0.2  # seconds between two redraws, at least: a few a second at most
RESOLUTION = 40  # the boundary's grid: RESOLUTION × RESOLUTION points
PATIENCE = 20  # epochs without the loss improving before fit runs diagnose()
IMPROVEMENT = 1e-4  # relative: a smaller decrease is no improvement
STUCK = 0.5  # a stall is trouble while the best loss is above this share of the first epoch's (not a converged fit)


class TrainingWarning(UserWarning):
    """Training is not going well (the loss stopped improving), with what diagnose() found."""


class LiveView:
    """The loss, the accuracy and (for 2-D inputs and class labels) the decision boundary, redrawn in place.

    show(bundle) puts the picture on the screen (in Jupyter, an update of one display); clock measures
    training and drawing time. Both are parameters so that the view can be driven without Jupyter.
    """

    def __init__(
        self,
        model: Model,
        X: Sequence[Sequence[Number]],
        y: Sequence[Target],
        epochs: int,
        show: Callable[[dict[str, Any]], None],
        *,
        clock: Callable[[], float] = time.perf_counter,
        budget: float = BUDGET,
    ) -> None:
        self.model, self.X, self.y, self.epochs = model, X, y, epochs
        self.show, self.clock, self.budget = show, clock, budget
        rule = decision_rule(y)
        self.boundary = rule is not None and all(len(x) == 2 for x in X)
        self.draws = 0  # pictures drawn
        self.drawing_time = 0.0  # seconds spent drawing them
        self.stopped = 0  # the steps taken when the user interrupted (0: not interrupted)
        self.shown: tuple[list[float], list[float | None]] = ([], [])  # the curves of the last picture
        self._last_cost = 0.0
        self._since = clock()  # when the last picture was done: training time runs from there

    def __repr__(self) -> str:
        return f"LiveView({self.epochs} epochs, {self.draws} pictures drawn in {self.drawing_time:.2f} s)"

    def epoch(self, history: History, *, final: bool = False) -> bool:
        """After an epoch: redraw if it is the first or the last, or if training has earned it; True if drawn."""
        done = len(history.loss)
        now = self.clock()
        wait = max(MIN_INTERVAL, self._last_cost * (1.0 - self.budget) / self.budget)
        if not (final or done == 1 or done == self.epochs or now - self._since >= wait):
            return False
        self.show(self.picture(history))
        self._since = self.clock()
        self._last_cost = self._since - now
        self.drawing_time += self._last_cost
        self.draws += 1
        return True

    def picture(self, history: History) -> dict[str, Any]:
        """The picture as a Jupyter display bundle: the SVG as HTML that fits the output, and its title as text.

        The SVG is a CSS background (viz.picture_html), which JupyterLab shows in an untrusted notebook too.
        """
        svg = self.svg(history)
        return {"text/html": viz.picture_html(svg, title=self.title(history)), "text/plain": self.title(history)}

    def title(self, history: History) -> str:
        """Where training is: the epoch, and the last loss and accuracy."""
        done = len(history.loss)
        if not done:
            text = f"training: epoch 0 of {self.epochs}"
        else:
            text = f"epoch {done} of {self.epochs}: loss {history.loss[-1]:.4g}"
            accuracy = history.accuracy[-1]
            if accuracy is not None:
                text += f", accuracy {accuracy:.1%}"
        if self.stopped:
            text += f" (stopped after step {self.stopped}: the model is the one after it)"
        return text

    def svg(self, history: History) -> str:
        """The loss, the accuracy (for labels) and the boundary (for 2-D inputs and labels), as one SVG."""
        losses = [v if math.isfinite(v) else math.nan for v in history.loss]
        panels = [_curve("loss", losses, self.epochs, "#1565c0")]
        if any(a is not None for a in history.accuracy):
            accuracy = [math.nan if a is None else a for a in history.accuracy]
            panels.append(_curve("accuracy", accuracy, self.epochs, "#2e7d32", (0.0, 1.0)))
        if self.boundary:
            panels.append(self._boundary())
        width = len(panels) * PANEL[0]
        height = PANEL[1] + 30
        out = [
            f'<svg width="{width:.0f}pt" height="{height:.0f}pt" viewBox="0 0 {width:.0f} {height:.0f}" '
            'xmlns="http://www.w3.org/2000/svg" font-family="Helvetica,Arial,sans-serif">',
            f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="white"/>',
            _label(width / 2, 18, self.title(history), size=12, weight="bold"),
        ]
        for i, panel in enumerate(panels):
            out.append(f'<g transform="translate({i * PANEL[0]:.0f} 30)">{panel}</g>')
        out.append("</svg>")
        self.shown = (list(history.loss), list(history.accuracy))
        return "\n".join(out)

    def _boundary(self) -> str:
        """The predicted label over a grid (computed in plain floats, no graph) and the data coloured by label."""
        from micrograd.lab.plot import POINT_COLORS, REGION_COLORS, decision_grid

        grid = decision_grid(plain_forward(self.model), self.X, self.y, resolution=RESOLUTION)
        index = {label: i % len(REGION_COLORS) for i, label in enumerate(grid.classes)}
        (x0, x1), (y0, y1) = (grid.xs[0], grid.xs[-1]), (grid.ys[0], grid.ys[-1])
        left, top, w, h = PLOT
        sx, sy = w / (x1 - x0), h / (y1 - y0)
        dx, dy = (x1 - x0) / (len(grid.xs) - 1), (y1 - y0) / (len(grid.ys) - 1)
        cells = []
        for i, row in enumerate(grid.labels):  # one rectangle per run of a label along a row of the grid
            j = 0
            while j < len(row):
                k = j
                while k + 1 < len(row) and row[k + 1] == row[j]:
                    k += 1
                cx0 = max(x0, grid.xs[j] - dx / 2)
                cx1 = min(x1, grid.xs[k] + dx / 2)
                cy1 = min(y1, grid.ys[i] + dy / 2)
                cy0 = max(y0, grid.ys[i] - dy / 2)
                cells.append(
                    f'<rect class="region" data-label="{row[j]!r}" x="{left + (cx0 - x0) * sx:.2f}" '
                    f'y="{top + (y1 - cy1) * sy:.2f}" width="{(cx1 - cx0) * sx + 0.3:.2f}" '
                    f'height="{(cy1 - cy0) * sy + 0.3:.2f}" fill="{REGION_COLORS[index[row[j]]]}"/>'
                )
                j = k + 1
        points = [
            f'<circle cx="{left + (float(p[0]) - x0) * sx:.2f}" cy="{top + (y1 - float(p[1])) * sy:.2f}" r="2.6" '
            f'fill="{POINT_COLORS[index[t] % len(POINT_COLORS)]}" stroke="white" stroke-width="0.6"/>'
            for p, t in zip(self.X, self.y)
        ]
        frame = f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#444444"/>'
        return _label(left + w / 2, 10, "boundary", size=12) + "".join(cells) + "".join(points) + frame


PANEL = (260.0, 200.0)  # points: each panel's width and height
PLOT = (48.0, 18.0, 196.0, 150.0)  # the plotting area in a panel: left, top, width, height


def _curve(name: str, values: list[float], epochs: int, colour: str, fixed: tuple[float, float] | None = None) -> str:
    """A panel with values after each epoch as a line, on axes from epoch 1 to epochs."""
    left, top, w, h = PLOT
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = fixed or ((min(finite), max(finite)) if finite else (0.0, 1.0))
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 0.5, hi + 0.5
    last = max(2, epochs)

    def at(epoch: int, v: float) -> tuple[float, float]:
        return left + (epoch - 1) / (last - 1) * w, top + (hi - v) / (hi - lo) * h

    runs, run = [], []
    for e, v in enumerate(values, start=1):  # a NaN breaks the line
        if math.isfinite(v):
            run.append("{:.2f},{:.2f}".format(*at(e, v)))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    lines = "".join(
        f'<polyline class="curve" points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="1.6"/>'
        for r in runs
    )
    ticks = []
    for v in (lo, (lo + hi) / 2, hi):
        _, y = at(1, v)
        ticks.append(_label(left - 4, y + 4, f"{v:.3g}", size=10, anchor="end"))
        ticks.append(f'<line x1="{left}" y1="{y:.2f}" x2="{left + w}" y2="{y:.2f}" stroke="#e0e0e0"/>')
    for e in sorted({1, (last + 1) // 2, last}):
        x, _ = at(e, lo)
        ticks.append(_label(x, top + h + 14, str(e), size=10))
    frame = f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#444444"/>'
    axis = _label(left + w / 2, top + h + 28, "epoch", size=10)
    return _label(left + w / 2, 10, name, size=12) + "".join(ticks) + lines + frame + axis


def _label(x: float, y: float, text: str, *, size: float, anchor: str = "middle", weight: str = "normal") -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="{size}" fill="#1f1f1f"{bold}>'
        f"{escape(text)}</text>"
    )


def plain_forward(model: Model) -> Model:
    """An MLP's forward pass in plain floats, from its ops' own definitions (no graph): for the boundary's grid.

    It returns the outputs as Value leaves, as the MLP does (a Value, or a list for several outputs); a
    model that is not an MLP is returned as it is.
    """
    from micrograd.nn import MLP
    from micrograd.ops import LINEAR, OPS

    if not isinstance(model, MLP):
        return model
    layers = [
        (
            [(tuple(w.data for w in n.w), n.b.data) for n in layer.neurons],
            None if layer.activation == "linear" else OPS[layer.activation].compute,
        )
        for layer in model.layers
    ]

    def forward(x: Sequence[Value | Number]) -> Value | list[Value]:
        a = tuple(float(v) for v in x)
        for neurons, sigma in layers:
            z = [LINEAR.compute(w, a, b) for w, b in neurons]
            a = tuple(z) if sigma is None else tuple(sigma(z_j) for z_j in z)
        return Value(a[0]) if len(a) == 1 else [Value(v) for v in a]

    return forward


def in_jupyter() -> bool:
    """Is this running in a Jupyter kernel (where a display can be updated in place)?"""
    from micrograd.lab.plot import _in_jupyter

    return _in_jupyter()


def jupyter_display() -> Callable[[dict[str, Any]], None]:
    """show(bundle) for a LiveView: the first call displays the picture, the next ones update it in place."""
    from IPython import display as ipython_display

    display: Any = ipython_display.display  # untyped
    handle: Any = None

    def show(bundle: dict[str, Any]) -> None:
        nonlocal handle
        if handle is None:
            handle = display(bundle, raw=True, display_id=True)
        else:
            handle.update(bundle, raw=True)

    return show


class Watch:
    """What fit() calls after each epoch: the live view, the stall check, the deferred interrupt."""

    def __init__(
        self, model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], loss: Loss, view: LiveView | None
    ) -> None:
        self.model, self.X, self.y, self.loss, self.view = model, X, y, loss, view
        self.interrupted = False
        self.warned = False
        self.best = math.inf
        self.best_epoch = 0
        self.steps = 0  # the steps taken when the user interrupted

    @property
    def shows_progress(self) -> bool:
        """Whether the live view replaces fit's progress bar."""
        return self.view is not None

    def stop(self, history: History) -> None:
        """The user interrupted: training ends after the step just taken, the view showing where it stopped."""
        self.steps = len(history.batch_loss)
        if self.view is not None:
            self.view.stopped = self.steps
            self.view.epoch(history, final=True)

    def epoch(self, history: History) -> None:
        """After an epoch is measured and recorded: the live view, and the check for a loss that stopped improving."""
        loss = history.loss[-1]
        if loss < self.best * (1.0 - IMPROVEMENT) or (self.best == math.inf and math.isfinite(loss)):
            self.best, self.best_epoch = loss, len(history.loss)
        if self.view is not None:
            self.view.epoch(history)
        stalled = len(history.loss) - self.best_epoch >= PATIENCE
        if stalled and not self.warned and self.best > STUCK * history.loss[0]:
            self.warned = True
            found = self.diagnosis()
            if found:
                warnings.warn(
                    f"the loss has not improved for {PATIENCE} epochs (best {self.best:.4g} at epoch "
                    f"{self.best_epoch}).\n{found}",
                    TrainingWarning,
                    stacklevel=3,
                )

    def diagnosis(self) -> str:
        """diagnose()'s findings on the training data, as text; "" when it finds nothing or cannot run."""
        from micrograd.nn import MLP
        from micrograd.training.diagnose import diagnose

        if not isinstance(self.model, MLP):
            return ""
        try:
            found = diagnose(self.model, self.X, self.y, loss=self.loss)
        except (ArithmeticError, ValueError, TypeError):  # a model too far gone to run: the error says enough
            return ""
        return str(found) if len(found) else ""


@contextmanager
def watching(
    model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], loss: Loss, epochs: int, live: bool
) -> Iterator[Watch]:
    """fit()'s epochs watched: the live view (live=True, in Jupyter), a deferred interrupt, diagnoses of trouble."""
    if not isinstance(live, bool):
        raise TypeError(f"fit: live must be True or False, got {type(live).__name__}")
    view = LiveView(model, X, y, epochs, jupyter_display()) if live and in_jupyter() else None
    watch = Watch(model, X, y, loss, view)
    previous: Any = None
    deferring = live and threading.current_thread() is threading.main_thread()

    def interrupted(signum: int, frame: FrameType | None) -> None:
        watch.interrupted = True
        signal.signal(signal.SIGINT, previous)  # a second interrupt is not deferred

    if deferring:
        previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield watch
    except FloatingPointError as error:
        found = watch.diagnosis()
        if found:
            raise FloatingPointError(f"{error}\n\n{found}") from error
        raise
    finally:
        if deferring and signal.getsignal(signal.SIGINT) is interrupted:
            signal.signal(signal.SIGINT, previous)
    if watch.interrupted:
        warnings.warn(
            f"training stopped by an interrupt after step {watch.steps}: the model is the one after that step, "
            "and the History holds every step's batch loss and the loss and accuracy of each epoch finished",
            TrainingWarning,
            stacklevel=3,
        )
