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
from typing import TYPE_CHECKING, Any, cast

from micrograd.checks import is_number, type_name
from micrograd.engine import Number, Value
from micrograd.lab.chart import line_panel
from micrograd.lab.display import picture_html
from micrograd.lab.plot import boundary_panel, decision_grid, in_jupyter
from micrograd.lab.svg import document
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
        epochs = [float(e) for e in range(1, len(history.loss) + 1)]
        last = (1.0, float(max(2, self.epochs)))
        losses = [v if math.isfinite(v) else math.nan for v in history.loss]
        panels = [line_panel({"loss": (epochs, losses)}, PLOT, title="loss", xlabel="epoch", xrange=last, key=False)]
        if any(a is not None for a in history.accuracy):
            accuracy = [math.nan if a is None else a for a in history.accuracy]
            panels.append(line_panel({"accuracy": (epochs, accuracy)}, PLOT, title="accuracy", xlabel="epoch",
                                     xrange=last, yrange=(0.0, 1.0), key=False))  # fmt: skip
        if self.boundary:
            grid = decision_grid(_float_model(self.model), self.X, self.y, resolution=RESOLUTION)
            panels.append(boundary_panel(grid, self.X, self.y, PLOT, title="boundary", ticks=False))
        body = "\n".join(
            f'<g transform="translate({i * PANEL[0]:.0f} 30)">{panel}</g>' for i, panel in enumerate(panels)
        )
        self.shown = (list(history.loss), list(history.accuracy))
        return document(len(panels) * PANEL[0], PANEL[1] + 30, body, title=self.title(history)).svg


PANEL = (260.0, 200.0)  # points: each panel's width and height
PLOT = (48.0, 22.0, 196.0, 146.0)  # the plotting area in a panel: left, top, width, height


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
