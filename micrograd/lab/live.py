"""Watching training live: fit(..., view=LiveView()) shows the loss, the accuracy and the decision boundary.

In Jupyter one picture is updated in place after an epoch: an SVG drawn here, shown as display.picture_html
shows drawings (so that an untrusted notebook keeps it). It is redrawn only as the budget allows: a redraw
waits until training has run for (1 − BUDGET)/BUDGET times as long as the last redraw took, so the live
view costs at most about BUDGET of the training time, whatever the machine, plus the first and the final
picture. The boundary is computed in plain floats from the ops' own definitions (MLP.float_function, no
graph) on a coarse grid. Outside Jupyter a LiveView shows nothing, and fit keeps its tqdm bar.

A LiveView is a training view (micrograd.training.watch.TrainingView): fit tells it when training
starts, after each epoch, and when an interrupt ends training once the step it is in is taken (with a
view, fit defers the interrupt to the end of the step); the last picture then says where it stopped.
The stall check and the diagnoses are fit's own, with a view or without (micrograd.training.watch).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any, cast

from micrograd.checks import is_number, type_name
from micrograd.engine import Number, Value
from micrograd.lab.display import picture_html
from micrograd.lab.plot import POINT_COLORS, REGION_COLORS, decision_grid, in_jupyter
from micrograd.nn import MLP
from micrograd.training.metrics import Model, Output, Target, decision_rule

if TYPE_CHECKING:
    from micrograd.training.history import History

__all__ = ["LiveView"]

BUDGET = 0.1  # the share of the training time the redraws may take
MIN_INTERVAL = 0.2  # seconds between two redraws, at least: a few a second at most
RESOLUTION = 40  # the boundary's grid: RESOLUTION × RESOLUTION points

Show = Callable[[dict[str, Any]], None]  # puts a picture (a Jupyter display bundle) on the screen


class LiveView:
    """The loss, the accuracy and (for 2-D inputs and class labels) the decision boundary, redrawn in place.

    ``fit(..., view=LiveView())`` starts it with the model, the data and the epochs. ``show(bundle)``
    puts the picture on the screen: by default, in Jupyter, an update of one display, and nothing
    elsewhere. ``clock`` measures training and drawing time. Both are parameters so that the view can
    be driven without Jupyter.
    """

    def __init__(
        self, *, show: Show | None = None, clock: Callable[[], float] = time.perf_counter, budget: float = BUDGET
    ) -> None:
        for name, f in (("show", show), ("clock", clock)):
            if f is not None and not callable(f):
                raise TypeError(f"LiveView: {name} must be a function, got {type_name(f)}")
        given: object = budget  # checked as any object: mypy holds that no float is a numbers.Real
        if not is_number(given):
            raise TypeError(f"LiveView: budget must be a number, a share of the training time, got {type_name(given)}")
        share = float(given)
        if not 0.0 < share <= 1.0:
            raise ValueError(
                f"LiveView: budget is the share of the training time for drawing, in (0, 1]; got {budget!r}"
            )
        self.show, self.clock, self.budget = show, clock, share
        self.model: Model | None = None  # what start() was given: the model, its data, the epochs
        self.X: Sequence[Sequence[Number]] = []
        self.y: Sequence[Target] = []
        self.epochs = 0
        self.boundary = False  # whether the picture has the decision boundary: 2-D inputs and class labels
        self.draws = 0  # pictures drawn
        self.drawing_time = 0.0  # seconds spent drawing them
        self.stopped = 0  # the steps taken when the user interrupted (0: not interrupted)
        self.shown: tuple[list[float], list[float | None]] = ([], [])  # the curves of the last picture
        self._display: Show | None = None  # where start() found to show the pictures: None for nowhere
        self._last_cost = 0.0
        self._since = clock()  # when the last picture was done: training time runs from there

    def __repr__(self) -> str:
        if self.model is None:
            return "LiveView(not started: fit(..., view=LiveView()) starts it)"
        return f"LiveView({self.epochs} epochs, {self.draws} pictures drawn in {self.drawing_time:.2f} s)"

    def start(self, model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], epochs: int) -> bool:
        """Training begins: the model, its data and the epochs to draw. True if the pictures are shown (in
        Jupyter, or by the show given); False elsewhere, where the view draws nothing and fit keeps its bar."""
        self.model, self.X, self.y, self.epochs = model, X, y, epochs
        self.boundary = decision_rule(y) is not None and all(len(x) == 2 for x in X)
        self.draws, self.drawing_time, self.stopped, self.shown = 0, 0.0, 0, ([], [])
        self._display = self.show if self.show is not None else jupyter_display() if in_jupyter() else None
        self._last_cost, self._since = 0.0, self.clock()
        return self._display is not None

    def epoch(self, history: History) -> None:
        """After an epoch: a new picture if it is the first or the last epoch, or if training has earned it."""
        self.redraw(history)

    def stop(self, history: History) -> None:
        """An interrupt ended training after the step just taken: the final picture says so."""
        self.stopped = len(history.batch_loss)
        self.redraw(history, final=True)

    def redraw(self, history: History, *, final: bool = False) -> bool:
        """Show the picture of history if it is final, the first or the last epoch's, or earned; True if shown."""
        if self._display is None:
            return False
        done = len(history.loss)
        now = self.clock()
        wait = max(MIN_INTERVAL, self._last_cost * (1.0 - self.budget) / self.budget)
        if not (final or done == 1 or done == self.epochs or now - self._since >= wait):
            return False
        self._display(self.picture(history))
        self._since = self.clock()
        self._last_cost = self._since - now
        self.drawing_time += self._last_cost
        self.draws += 1
        return True

    def picture(self, history: History) -> dict[str, Any]:
        """The picture as a Jupyter display bundle: the SVG as HTML that fits the output, and its title as text.

        The SVG is a CSS background (display.picture_html), which JupyterLab shows in an untrusted notebook too.
        """
        svg = self.svg(history)
        return {"text/html": picture_html(svg, title=self.title(history)), "text/plain": self.title(history)}

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
        if self.model is None:
            raise RuntimeError("LiveView: nothing to draw before training starts: fit(..., view=...) calls start()")
        losses = [v if math.isfinite(v) else math.nan for v in history.loss]
        panels = [_curve("loss", losses, self.epochs, "#1565c0")]
        if any(a is not None for a in history.accuracy):
            accuracy = [math.nan if a is None else a for a in history.accuracy]
            panels.append(_curve("accuracy", accuracy, self.epochs, "#2e7d32", (0.0, 1.0)))
        if self.boundary:
            panels.append(self._boundary(self.model))
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

    def _boundary(self, model: Model) -> str:
        """The predicted label over a grid (computed in plain floats, no graph) and the data coloured by label."""
        grid = decision_grid(_float_model(model), self.X, self.y, resolution=RESOLUTION)
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


def _float_model(model: Model) -> Model:
    """The model for the boundary's grid: an MLP as its float_function() (no graph), giving Values as the MLP does."""
    if not isinstance(model, MLP):
        return model
    forward = model.float_function()

    def outputs(x: Sequence[Value | Number]) -> Output:
        a = forward(cast(Sequence[Number], x))  # the grid's points: floats
        return Value(a[0]) if len(a) == 1 else [Value(v) for v in a]

    return outputs


def jupyter_display() -> Show:
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
