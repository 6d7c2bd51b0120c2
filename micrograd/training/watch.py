"""Watching fit()'s epochs: a loss that stops improving, a loss that is no longer finite, an interrupt, a view.

Whatever view it has, fit runs diagnose() (micrograd.training.diagnose) when the loss stops improving
for PATIENCE epochs while still above STUCK of where it started (a TrainingWarning with what it finds,
if anything), and when the loss becomes NaN or infinite (its findings join the error).

``fit(..., view=...)`` shows training on a view: any object with the methods of TrainingView, such as
micrograd.lab.live.LiveView(), which draws the loss, the accuracy and the decision boundary in Jupyter.
With a view, stopping the cell (KeyboardInterrupt) ends training once the step it is in is taken: the
model is the one after that step, and fit returns its History up to there (every step's batch loss,
the loss and accuracy of each epoch finished). A second interrupt stops at once.
"""

from __future__ import annotations

import math
import signal
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol, cast

from micrograd.checks import type_name
from micrograd.engine import Number
from micrograd.nn import MLP
from micrograd.training.diagnose import diagnose
from micrograd.training.history import History
from micrograd.training.metrics import Loss, Model, Target

__all__ = ["TrainingView", "TrainingWarning", "Watch", "watching"]

PATIENCE = 20  # epochs without the loss improving before fit runs diagnose()
IMPROVEMENT = 1e-4  # relative: a smaller decrease is no improvement
STUCK = 0.5  # a stall is trouble while the best loss is above this share of the first epoch's (not a converged fit)


class TrainingWarning(UserWarning):
    """Training is not going well (the loss stopped improving, with what diagnose() found), or it was interrupted."""


class TrainingView(Protocol):
    """What fit(..., view=...) shows training on: told when training starts, after each epoch, and if it stops early.

    micrograd.lab.live.LiveView is one; any object with these three methods is another.
    """

    def start(self, model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], epochs: int) -> bool:
        """Training begins: the model, its data, the epochs to come. True if the view now shows the progress
        (fit then shows no progress bar), False if it shows nothing here (outside Jupyter, say)."""
        ...

    def epoch(self, history: History) -> None:
        """An epoch ended: its loss and accuracy are the last of history.loss and history.accuracy."""
        ...

    def stop(self, history: History) -> None:
        """An interrupt ended training after the step just taken, the len(history.batch_loss)-th."""
        ...


# TrainingView's methods, read from the protocol itself: start, epoch, stop.
VIEW_METHODS = tuple(name for name, f in vars(TrainingView).items() if callable(f) and not name.startswith("_"))


def checked_view(view: object) -> TrainingView | None:
    """fit()'s view argument, checked: None, or an object with TrainingView's methods (a TypeError otherwise)."""
    if view is None:
        return None
    if isinstance(view, type):
        raise TypeError(f"fit: view must be a view object, got the class {view.__name__}: pass {view.__name__}()")
    missing = [name for name in VIEW_METHODS if not callable(getattr(view, name, None))]
    if missing:
        wanted = ", ".join(f"{name}()" for name in VIEW_METHODS[:-1]) + f" and {VIEW_METHODS[-1]}()"
        raise TypeError(
            f"fit: view must be a training view with {wanted}, such as LiveView() from "
            f"micrograd.lab.live (view=LiveView()), or None; got {type_name(view)}, which has no "
            f"{', '.join(name + '()' for name in missing)}"
        )
    return cast(TrainingView, view)  # its methods are there, checked above


class Watch:
    """What fit() calls after each epoch: the view, the stall check, the deferred interrupt."""

    def __init__(
        self, model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], loss: Loss, view: TrainingView | None
    ) -> None:
        self.model, self.X, self.y, self.loss, self.view = model, X, y, loss, view
        self.shows_progress = False  # whether the view replaces fit's progress bar: its start() says
        self.interrupted = False
        self.warned = False
        self.best = math.inf
        self.best_epoch = 0
        self.steps = 0  # the steps taken when the user interrupted

    def __repr__(self) -> str:
        return f"Watch(best loss {self.best:.4g} at epoch {self.best_epoch}, view={self.view!r})"

    def stop(self, history: History) -> None:
        """The user interrupted: training ends after the step just taken, the view showing where it stopped."""
        self.steps = len(history.batch_loss)
        if self.view is not None:
            self.view.stop(history)

    def epoch(self, history: History) -> None:
        """After an epoch is measured and recorded: the view, and the check for a loss that stopped improving."""
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
        if not isinstance(self.model, MLP):
            return ""
        try:
            found = diagnose(self.model, self.X, self.y, loss=self.loss)
        except (ArithmeticError, ValueError, TypeError):  # a model too far gone to run: the error says enough
            return ""
        return str(found) if len(found) else ""


@contextmanager
def watching(
    model: Model,
    X: Sequence[Sequence[Number]],
    y: Sequence[Target],
    loss: Loss,
    epochs: int,
    view: TrainingView | None,
) -> Iterator[Watch]:
    """fit()'s epochs watched: the view (started here), a deferred interrupt when there is one, diagnoses of trouble."""
    watch = Watch(model, X, y, loss, view)
    if view is not None:
        watch.shows_progress = bool(view.start(model, X, y, epochs))
    previous: Any = None
    deferring = view is not None and threading.current_thread() is threading.main_thread()

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
