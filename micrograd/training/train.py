"""Training a model: fit() repeats train_step() over mini-batches and shows its progress.

One step of gradient descent is all in ``train_step``: the forward pass over a mini-batch and its
loss, zero_grad(), backward(), and the optimizer's update. ``fit`` shuffles the data into
mini-batches, runs the steps for a number of epochs, and after each epoch measures the loss and
accuracy on the whole training set under ``no_grad()``.

With ``compiled=True`` each step runs as generated Python (micrograd.training.compiled_run): the
step's loss is recorded once per batch size with the batch's inputs and targets as the graph's
inputs, and the measurement after each epoch reads every output from the model's forward pass,
compiled once. The steps and the numbers measured are the eager ones, bit for bit.

The epochs are watched (micrograd.training.watch): a loss that stops improving, or stops being
finite, brings diagnose()'s findings, and ``view=`` shows training as it goes (micrograd.lab.live).
How good the model is after each epoch is micrograd.training.metrics' to say: evaluate() and accuracy();
what fit() returns is a History (micrograd.training.history), which this module exports with it.
"""

from __future__ import annotations

import gc
import random
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache, partial
from typing import TYPE_CHECKING, cast

from micrograd.checks import is_int, is_sequence, not_a_sequence, not_recorded
from micrograd.engine import Number, Value, is_grad_enabled
from micrograd.training.compiled_run import compiled_run
from micrograd.training.divergence import check_finite, diverging
from micrograd.training.history import History
from micrograd.training.metrics import (
    Loss,
    Model,
    Output,
    Target,
    evaluate,
    prediction,
)
from micrograd.training.optim import SupportsStep
from micrograd.training.watch import TrainingView, checked_view, watching

if TYPE_CHECKING:
    from tqdm.auto import tqdm

__all__ = ["fit", "train_step"]

Measure = Callable[[], tuple[float, float | None]]  # the loss and accuracy of the model on a set, now
Step = Callable[[list[Sequence[Number]], list[Target]], float]  # one step on a mini-batch: its loss


def train_step(
    model: Model, loss: Loss, optimizer: SupportsStep, X: Sequence[Sequence[Value | Number]], y: Sequence[Target]
) -> float:
    """One step of gradient descent on the mini-batch (X, y); returns its loss before the update.

    Python's cyclic garbage collector is paused for the step (see _collector_paused).
    """
    with _collector_paused():
        cost = loss([model(x) for x in X], y)  # forward: the outputs, then the loss
        check_finite(cost.data, "this mini-batch", optimizer)  # stop before a NaN or ∞ reaches the weights
        optimizer.zero_grad()  # clear the gradients the last step left
        cost.backward()  # backward: ∂cost/∂w into every w.grad
        optimizer.step()  # update: move every w against its gradient
        result = cost.data
        del cost  # reference counting frees the graph here, while the collector is still paused
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside the block, then as it was (it stays off if it was off).

    A step's graph has no reference cycles (no node holds a closure: micrograd.engine), so reference
    counting frees every node once the step drops it. The collector would find nothing in the graph;
    it would only walk it, node by node, every 700 new nodes: a tenth of an eager step's time. Cycles
    that a user's loss makes inside the block are collected by the first collection after it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def fit(
    model: Model,
    X: Sequence[Sequence[Number]],
    y: Sequence[Target],
    *,
    loss: Loss,
    optimizer: SupportsStep,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    verbose: bool = True,
    compiled: bool = False,
    validation: tuple[Sequence[Sequence[Number]], Sequence[Target]] | None = None,
    view: TrainingView | None = None,
) -> History:
    """Train ``model`` on (X, y) for ``epochs`` passes over the data, in shuffled mini-batches of ``batch_size``.

    ``loss`` is one of micrograd.training.losses (or any function (outputs, targets) -> Value), ``optimizer``
    an SGD or Adam over the model's parameters. ``batch_size=None`` uses the whole set in every
    step; ``seed`` fixes the shuffling. With ``verbose`` a tqdm progress bar (a widget in Jupyter when
    ipywidgets is installed, text otherwise) shows the loss and accuracy after each epoch;
    ``verbose=False`` prints nothing. ``compiled=True`` runs each step as generated Python: the same
    steps and the same History, bit for bit, several times faster; it needs a loss that takes the
    targets as Values (quadratic_cost, hinge_loss, sums with l2_penalty, and softmax_cross_entropy,
    whose class indices become one-hot inputs), and a ValueError says so for another.
    ``validation=(X_val, y_val)`` measures the loss and accuracy on that set too after each epoch
    (History.val_loss, .val_accuracy, and the progress bar); it never affects training.
    ``view=LiveView()`` (micrograd.lab.live) shows the loss, accuracy and decision boundary as they change,
    in Jupyter; with a view (micrograd.training.watch.TrainingView) an interrupt stops training after the
    step it is in and returns the History up to there. Returns the History of each epoch and step.
    """
    X, y, epochs, batch_size, seed = _checked(model, X, y, loss, optimizer, epochs, batch_size, seed, verbose, compiled)
    view = checked_view(view)
    take_step, measures = _runners(model, X, y, loss, optimizer, batch_size, compiled, _validation_set(validation))
    rng, history, order = random.Random(seed), History(), list(range(len(X)))
    with (
        watching(model, X, y, loss, epochs, view) as watch,
        _progress_bar(epochs, verbose and not watch.shows_progress) as bar,
    ):
        for _ in bar:
            if batch_size < len(X):
                rng.shuffle(order)
            for start in range(0, len(X), batch_size):
                batch = order[start : start + batch_size]
                X_batch, y_batch = [X[i] for i in batch], [y[i] for i in batch]
                with diverging(optimizer):
                    history.batch_loss.append(take_step(X_batch, y_batch))
                if watch.interrupted:  # the user stopped the cell: end after this step
                    break
            if watch.interrupted:
                watch.stop(history)
                break
            bar.set_postfix(_measured(history, optimizer, *measures), refresh=False)
            watch.epoch(history)
    return history


def _runners(
    model: Model,
    X: list[Sequence[Number]],
    y: list[Target],
    loss: Loss,
    optimizer: SupportsStep,
    batch_size: int,
    compiled: bool,
    validation: tuple[list[Sequence[Number]], list[Target]],
) -> tuple[Step, tuple[Measure, Measure | None]]:
    """fit()'s step on a mini-batch, and its measurements of the training set and the validation set (if any)."""
    X_val, y_val = validation
    if compiled:
        with diverging(optimizer):
            run = compiled_run(model, X, y, loss, optimizer, batch_size)
            if run is not None:  # else the eager steps: they raise the loss's error at the batch it refuses
                measure_val = run.measurer(X_val, y_val) if X_val else None
                return run.step, (run.measurer(X, y), measure_val)
    first_checked = _checking_first_output(model, y)  # before the first update, not after the first epoch
    measure_val = partial(evaluate, model, X_val, y_val, loss) if X_val else None
    return partial(train_step, first_checked, loss, optimizer), (partial(evaluate, model, X, y, loss), measure_val)


def _measured(
    history: History, optimizer: SupportsStep, measure: Measure, measure_val: Measure | None
) -> dict[str, str]:
    """After an epoch: its loss and accuracy (and the validation set's) into history; returns what the bar shows."""
    with diverging(optimizer):
        epoch_loss, epoch_accuracy = measure()
    check_finite(epoch_loss, f"the training set after epoch {len(history.loss) + 1}", optimizer)
    history.loss.append(epoch_loss)
    history.accuracy.append(epoch_accuracy)
    shown = {"loss": f"{epoch_loss:.4g}"}
    if epoch_accuracy is not None:
        shown["accuracy"] = f"{epoch_accuracy:.1%}"
    if measure_val is not None:
        with diverging(optimizer):
            val_loss, val_accuracy = measure_val()
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
        if val_accuracy is not None:
            shown["val accuracy"] = f"{val_accuracy:.1%}"
    return shown


def _checked(
    model: Model,
    X: Sequence[Sequence[Number]],
    y: Sequence[Target],
    loss: Loss,
    optimizer: SupportsStep,
    epochs: int,
    batch_size: int | None,
    seed: int,
    verbose: bool,
    compiled: bool,
) -> tuple[list[Sequence[Number]], list[Target], int, int, int]:
    """fit()'s arguments checked, before any work: (X, y) as lists, the epochs, the batch size and the seed."""
    if not is_grad_enabled():
        raise not_recorded("fit()", "it was called")
    for data, what in ((X, "X (the inputs)"), (y, "y (the targets)")):
        if not is_sequence(data):
            raise TypeError(f"fit: {what} must be a sequence with one entry per example, got {not_a_sequence(data)}")
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"fit: got {len(X)} inputs but {len(y)} targets; give one target per input")
    if not X:
        raise ValueError("fit: there is no data to train on")
    for name, f in (("loss", loss), ("model", model)):
        if not callable(f):
            raise TypeError(f"fit: {name} must be callable, got {type(f).__name__}")
    if not (callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(
            f"fit: optimizer must have step() and zero_grad() (SGD or Adam), got {type(optimizer).__name__}"
        )
    epochs = _count(epochs, "epochs", 1)
    batch_size = len(X) if batch_size is None else min(_count(batch_size, "batch_size", 1), len(X))
    if not is_int(seed):
        raise TypeError(f"fit: seed must be an int, got {type(seed).__name__}")
    for name, flag in (("verbose", verbose), ("compiled", compiled)):
        if not isinstance(flag, bool):
            raise TypeError(f"fit: {name} must be True or False, got {type(flag).__name__}")
    return X, y, epochs, batch_size, int(seed)


def _validation_set(validation: object) -> tuple[list[Sequence[Number]], list[Target]]:
    """fit()'s validation set as (X_val, y_val) lists; ([], []) for none."""
    if validation is None:
        return [], []
    if not is_sequence(validation):
        raise TypeError(f"fit: validation must be a pair (X_val, y_val), got {not_a_sequence(validation)}")
    if len(validation) != 2:
        raise TypeError(f"fit: validation must be a pair (X_val, y_val), got {len(validation)} items")
    X_val, y_val = validation
    for data, what in ((X_val, "X"), (y_val, "y")):
        if not is_sequence(data):
            raise TypeError(f"fit: the validation set's {what} must be a list, got {not_a_sequence(data)}")
    X_val, y_val = cast(Sequence[Sequence[Number]], X_val), cast(Sequence[Target], y_val)
    if len(X_val) != len(y_val):
        raise ValueError(f"fit: the validation set has {len(X_val)} inputs but {len(y_val)} targets")
    if not X_val:
        raise ValueError("fit: the validation set is empty; pass validation=None for none")
    return list(X_val), list(y_val)


def _checking_first_output(model: Model, y: list[Target]) -> Model:
    """model, whose first output is checked against the labels y (see prediction) as soon as it is computed."""
    checked = False

    def call(x: Sequence[Value | Number]) -> Output:
        nonlocal checked
        output = model(x)
        if not checked:
            prediction(output, y)
            checked = True
        return output

    return call


def _count(n: object, name: str, least: int) -> int:
    if not is_int(n):
        raise TypeError(f"fit: {name} must be an int, got {type(n).__name__}")
    if n < least:
        raise ValueError(f"fit: {name} must be at least {least}, got {n}")
    return int(n)


def _progress_bar(epochs: int, verbose: bool) -> tqdm[int]:
    """A tqdm bar over the epochs: a widget in Jupyter (when ipywidgets is there), text elsewhere."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm.auto warns when Jupyter has no ipywidgets, then falls back to text
        from tqdm.auto import tqdm
    if not threads_start():
        tqdm.monitor_interval = 0  # its monitor thread, started by every bar (a disabled one too), would warn
    return tqdm(range(epochs), desc="training", unit="epoch", disable=not verbose)


@cache
def threads_start() -> bool:
    """Whether this Python can start a thread (in the browser, Pyodide, it cannot)."""
    thread = threading.Thread(target=lambda: None, name="micrograd-thread-check")
    try:
        thread.start()
    except RuntimeError:
        return False
    thread.join()
    return True
