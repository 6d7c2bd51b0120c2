"""Watching training: fit(..., live=True) shows the loss, the accuracy and the decision boundary as they change.

In Jupyter one picture is updated in place (a PNG, which shows in an untrusted notebook too) after an
epoch, never more often than the budget allows: a redraw waits until training has run for
(1 − BUDGET)/BUDGET times as long as the last redraw took, so the live view costs at most about BUDGET of
the training time, whatever the machine, plus the first and the final picture. The boundary is computed
under no_grad() on a coarse grid. Outside Jupyter live=True keeps fit's tqdm bar.

With live=True, stopping the cell (KeyboardInterrupt) ends training at the end of the epoch it is in:
fit returns the History of the epochs done, and the model is the one after the last step of that epoch.
(A second interrupt stops at once.)

Whatever live is, fit runs diagnose() (micrograd.diagnose) when the loss stops improving for PATIENCE
epochs while still above STUCK of where it started (a TrainingWarning with what it finds, if anything),
and when the loss becomes NaN or infinite (its findings join the error).
"""

from __future__ import annotations

import io
import math
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from micrograd.engine import Number, Value
from micrograd.metrics import Loss, Model, Target, decision_rule

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from micrograd.train import History

__all__ = ["LiveView", "TrainingWarning", "watching"]

BUDGET = 0.1  # the share of the training time the redraws may take
MIN_INTERVAL = 0.2  # seconds between two redraws, at least: a few a second at most
RESOLUTION = 25  # the boundary's grid: RESOLUTION × RESOLUTION points
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
        self.stopped = False
        self.shown: tuple[list[float], list[float | None]] = ([], [])  # the curves of the last picture
        self._last_cost = 0.0
        self._since = clock()  # when the last picture was done: training time runs from there
        self._figure: Figure | None = None

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
        """The picture as a Jupyter display bundle: a PNG, and its title as text."""
        figure = self._draw(history)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")  # a Figure of its own, drawn with Agg: pyplot is never involved
        return {"image/png": buffer.getvalue(), "text/plain": self.title(history)}

    def title(self, history: History) -> str:
        """Where training is: the epoch, and the last loss and accuracy."""
        done = len(history.loss)
        if not done:
            return f"training: epoch 0 of {self.epochs}"
        text = f"epoch {done} of {self.epochs}: loss {history.loss[-1]:.4g}"
        accuracy = history.accuracy[-1]
        if accuracy is not None:
            text += f", accuracy {accuracy:.1%}"
        if self.stopped:
            text += f" (stopped: the model and the History are those after epoch {done})"
        return text

    def _draw(self, history: History) -> Figure:
        from matplotlib.figure import Figure

        has_accuracy = any(a is not None for a in history.accuracy)
        panels = 1 + has_accuracy + self.boundary
        if self._figure is None or len(self._figure.axes) != panels:
            self._figure = Figure(figsize=(3.3 * panels, 3.0), dpi=72)  # a fixed layout: laying out anew is slow
            self._figure.subplots(1, panels)
            self._figure.subplots_adjust(left=0.45 / panels, right=0.98, bottom=0.16, top=0.8, wspace=0.35)
        figure = self._figure
        axes = list(figure.axes)
        for ax in axes:
            ax.clear()
        epochs = list(range(1, len(history.loss) + 1))
        losses = [v if math.isfinite(v) else math.nan for v in history.loss]
        loss_ax = axes[0]
        loss_ax.plot(epochs, losses, color="#1565c0")
        loss_ax.set(xlim=(1, max(2, self.epochs)), xlabel="epoch", title="loss")
        if losses and min(losses) > 0:
            loss_ax.set_yscale("log")
        if has_accuracy:
            accuracy = [math.nan if a is None else a for a in history.accuracy]
            axes[1].plot(epochs, accuracy, color="#2e7d32")
            axes[1].set(xlim=(1, max(2, self.epochs)), ylim=(0, 1.02), xlabel="epoch", title="accuracy")
        if self.boundary:
            from micrograd.plot import plot_decision_boundary

            model = plain_forward(self.model)
            plot_decision_boundary(model, self.X, self.y, resolution=RESOLUTION, ax=axes[-1], title="boundary")
            axes[-1].legend().remove()
            axes[-1].set(xticks=[], yticks=[], xlabel="", ylabel="")  # fewer texts to render: the data speaks
        for ax in axes:  # a title at a fixed height: matplotlib places one of its own by measuring every label
            ax.set_title(ax.get_title(), y=1.0, pad=4)
        figure.suptitle(self.title(history), fontsize=10)
        self.shown = (list(history.loss), list(history.accuracy))
        return figure


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
    from micrograd.plot import _in_jupyter

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
        self.done = 0  # epochs finished

    @property
    def shows_progress(self) -> bool:
        """Whether the live view replaces fit's progress bar."""
        return self.view is not None

    def epoch(self, history: History) -> bool:
        """After an epoch is measured and recorded: True if training should stop (the user interrupted)."""
        loss = history.loss[-1]
        self.done = len(history.loss)
        if loss < self.best * (1.0 - IMPROVEMENT) or (self.best == math.inf and math.isfinite(loss)):
            self.best, self.best_epoch = loss, len(history.loss)
        if self.view is not None:
            self.view.stopped = self.interrupted
            self.view.epoch(history, final=self.interrupted)
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
        return self.interrupted

    def diagnosis(self) -> str:
        """diagnose()'s findings on the training data, as text; "" when it finds nothing or cannot run."""
        from micrograd.diagnose import diagnose
        from micrograd.nn import MLP

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
            f"training stopped by an interrupt after epoch {watch.done}: fit returns the History of those "
            "epochs, and the model is the one after that epoch's last step",
            TrainingWarning,
            stacklevel=3,
        )
