"""Training a model: fit() repeats train_step() over mini-batches and shows its progress.

One step of gradient descent is all in ``train_step``: the forward pass over a mini-batch and its
loss, zero_grad(), backward(), and the optimizer's update. ``fit`` shuffles the data into
mini-batches, runs the steps for a number of epochs, and after each epoch measures the loss and
accuracy on the whole training set under ``no_grad()``.

With ``compiled=True`` each step runs as generated Python (micrograd.compile): the step's loss is
recorded once per batch size with the batch's inputs and targets as the graph's inputs, and the
measurement after each epoch reads every output from the model's forward pass, compiled once.
The steps and the numbers measured are the eager ones, bit for bit.

How good the model is after each epoch is micrograd.training.metrics' to say: evaluate() and accuracy().
"""

from __future__ import annotations

import gc
import math
import random
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from micrograd.checks import caller_is_ours, is_int, is_number, is_sequence, not_a_sequence
from micrograd.compile import CompiledGraph, compile_function, compile_graph
from micrograd.engine import Number, Value, is_grad_enabled, linear, not_recorded, topological_order
from micrograd.training.metrics import (
    Loss,
    Model,
    Output,
    Target,
    accuracy,
    decision_rule,
    evaluate,
    loss_and_accuracy,
    prediction,
)

if TYPE_CHECKING:
    from tqdm.auto import tqdm

__all__ = ["History", "accuracy", "decision_rule", "evaluate", "fit", "train_step"]


class SupportsStep(Protocol):
    """An optimizer as fit() uses it: SGD, Adam, or anything with zero_grad() and step()."""

    def zero_grad(self) -> None: ...
    def step(self) -> None: ...


@dataclass
class History:
    """What fit() measured: after each epoch the loss and accuracy on the whole training set, and each step's loss."""

    loss: list[float] = field(default_factory=list)  # after each epoch, on all of X, under no_grad()
    accuracy: list[float | None] = field(default_factory=list)  # the same, as a fraction; None for a regression
    batch_loss: list[float] = field(default_factory=list)  # each step's mini-batch loss, before its update
    val_loss: list[float] = field(default_factory=list)  # after each epoch, on the validation set (if given)
    val_accuracy: list[float | None] = field(default_factory=list)  # the same, as a fraction

    def __repr__(self) -> str:
        """One line: epochs and steps, the first and last loss and accuracy; the attributes hold every number."""
        if not self.loss:
            return f"History(0 epochs, {len(self.batch_loss)} steps)"
        epochs = "1 epoch" if len(self.loss) == 1 else f"{len(self.loss)} epochs"
        steps = "1 step" if len(self.batch_loss) == 1 else f"{len(self.batch_loss)} steps"
        shown = [f"loss {self.loss[0]:.4g} → {self.loss[-1]:.4g}"]
        if self.accuracy and self.accuracy[0] is not None and self.accuracy[-1] is not None:
            shown.append(f"accuracy {self.accuracy[0]:.1%} → {self.accuracy[-1]:.1%}")
        if self.val_accuracy and self.val_accuracy[0] is not None and self.val_accuracy[-1] is not None:
            shown.append(f"validation accuracy {self.val_accuracy[0]:.1%} → {self.val_accuracy[-1]:.1%}")
        return f"History({epochs}, {steps}: {', '.join(shown)}; see .loss, .accuracy)"


def train_step(
    model: Model, loss: Loss, optimizer: SupportsStep, X: Sequence[Sequence[Value | Number]], y: Sequence[Target]
) -> float:
    """One step of gradient descent on the mini-batch (X, y); returns its loss before the update.

    Python's cyclic garbage collector is paused for the step (see _collector_paused).
    """
    with _collector_paused():
        cost = loss([model(x) for x in X], y)  # forward: the outputs, then the loss
        _check_finite(cost.data, "this mini-batch", optimizer)  # stop before a NaN or ∞ reaches the weights
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
    live: bool = False,
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
    (History.val_loss, .val_accuracy, and the progress bar); it never affects training. ``live=True``
    shows the loss, accuracy and decision boundary as they change, in Jupyter (micrograd.lab.live), and
    makes an interrupt stop training after the step it is in and return the History up to there.
    Returns the History of the loss and accuracy after each epoch.
    """
    X, y, epochs, batch_size, seed = _checked(model, X, y, loss, optimizer, epochs, batch_size, seed, verbose, compiled)
    X_val, y_val = _validation_set(validation)
    measure_val: Callable[[], tuple[float, float | None]] | None = None
    if compiled:
        with _diverging(optimizer):
            run = _CompiledRun(model, X, y, loss, optimizer, batch_size)
            if X_val:
                measure_val = run.measurer(X_val, y_val)
            measure = run.measurer(X, y)
        take_step = run.step
    else:
        first_checked = _checking_first_output(model, y)  # before the first update, not after the first epoch
        take_step, measure = partial(train_step, first_checked, loss, optimizer), partial(evaluate, model, X, y, loss)
        if X_val:
            measure_val = partial(evaluate, model, X_val, y_val, loss)

    rng = random.Random(seed)
    history = History()
    order = list(range(len(X)))
    from micrograd.lab.live import watching  # the live view and diagnoses: a teaching view, above train

    with (
        watching(model, X, y, loss, epochs, live) as watch,
        _progress_bar(epochs, verbose and not watch.shows_progress) as bar,
    ):
        for _ in bar:
            if batch_size < len(X):
                rng.shuffle(order)
            for start in range(0, len(X), batch_size):
                batch = order[start : start + batch_size]
                X_batch, y_batch = [X[i] for i in batch], [y[i] for i in batch]
                with _diverging(optimizer):
                    history.batch_loss.append(take_step(X_batch, y_batch))
                if watch.interrupted:  # the user stopped the cell: end after this step
                    break
            if watch.interrupted:
                watch.stop(history)
                break
            with _diverging(optimizer):
                epoch_loss, epoch_accuracy = measure()
            _check_finite(epoch_loss, f"the training set after epoch {len(history.loss) + 1}", optimizer)
            history.loss.append(epoch_loss)
            history.accuracy.append(epoch_accuracy)
            shown = {"loss": f"{epoch_loss:.4g}"}
            if epoch_accuracy is not None:
                shown["accuracy"] = f"{epoch_accuracy:.1%}"
            if measure_val is not None:
                with _diverging(optimizer):
                    val_loss, val_accuracy = measure_val()
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_accuracy)
                if val_accuracy is not None:
                    shown["val accuracy"] = f"{val_accuracy:.1%}"
            bar.set_postfix(shown, refresh=False)
            watch.epoch(history)
    return history


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


class _CompiledRun:
    """The steps and the measurements of fit(compiled=True): the eager ones, as generated Python.

    One compiled step per batch size takes the batch's inputs and targets as the graph's inputs,
    so it serves every batch of that size. After each epoch, the model's compiled forward pass
    gives the output of every example, and the loss and accuracy are computed from them as
    evaluate() computes them from the outputs of its eager forward pass.
    """

    def __init__(
        self,
        model: Model,
        X: list[Sequence[Number]],
        y: list[Target],
        loss: Loss,
        optimizer: SupportsStep,
        batch_size: int,
    ) -> None:
        self.model, self.X, self.y, self.loss, self.optimizer = model, X, y, loss, optimizer
        self.params = _parameters(model, optimizer)
        self.steps: dict[int, CompiledGraph] = {}
        # The first batch's numbers as leaves (a list of lists of Values), recorded once to check the model
        # and the loss before any step: what they read, and what reaches the loss.
        inputs = cast(list[list[Value]], _leaves(X[:batch_size], "X"))
        _Watched.reads = []
        outputs = [model(x) for x in inputs]
        self.classes = _class_count(outputs, y)
        cost, targets, self.classes = _loss_of_value_targets(loss, outputs, y[:batch_size], self.classes)
        if _Watched.reads:
            raise ValueError(
                f"fit: compiled=True records one step and runs it on every batch, but the model or the loss read "
                f"the number of {_Watched.reads[0].label} (with .data, float(), a comparison or an if): the step "
                "would replay that number, and the branch it chose, for every batch. Compute with the Value "
                "itself, or train with compiled=False"
            )
        prediction(outputs[0], y)  # outputs that cannot give y's labels: an error now, before any step
        in_graph = set(topological_order(cost))
        for leaf in _flat([inputs, targets]):
            if isinstance(leaf, Value) and leaf not in in_graph:
                raise ValueError(
                    f"fit: compiled=True needs every number of X and y to reach the loss as a Value, but "
                    f"{leaf.label} does not (the model or the loss read its number, with .data or float(), or "
                    "ignored it): a compiled step would replay the recorded number for every batch"
                )

    def measurer(self, X: list[Sequence[Number]], y: list[Target]) -> Callable[[], tuple[float, float | None]]:
        """evaluate(model, X, y, loss) as a function of no arguments: the model's compiled forward pass, on each x."""
        # The compiled graph returns one value and its parameters' gradients. To read every output o_k,
        # take the root Σ_k c_k·o_k with c_k = 1 as the parameters: ∂root/∂c_k = o_k · 1.0 = o_k exactly.
        # The model's parameters are inputs here, so the backward pass is these few products only.
        inputs = cast(list[Value], _leaves(X[0], "x"))
        output = self.model(inputs)
        flat = [output] if isinstance(output, Value) else list(output)
        readout = [Value(1.0) for _ in flat]
        forward = compile_graph(linear(readout, flat), readout, inputs, self.params)
        run, ones, scalar = forward._function, [1.0] * len(readout), isinstance(output, Value)
        width = len(inputs)
        for i, x in enumerate(X):
            if not is_sequence(x) or len(x) != width:
                raise ValueError(f"fit: every input must have {width} numbers, as X[0] has; X[{i}] does not")
        rows = [[float(v) for v in x] for x in X]

        def measure() -> tuple[float, float | None]:
            weights = [p.data for p in self.params]
            outputs: list[Output] = []
            for x in rows:
                values = run(ones, x + weights, [-0.0] * len(ones))[1]
                outputs.append(Value(values[0]) if scalar else [Value(v) for v in values])
            return loss_and_accuracy(outputs, y, self.loss)

        return measure

    def step(self, X: list[Sequence[Number]], y: list[Target]) -> float:
        """train_step(), compiled: zero_grad(), the batch's forward and backward as generated Python, step()."""
        targets = y if self.classes is None else _one_hots(y, self.classes)
        step = self.steps.get(len(X))
        if step is None:  # recorded once per batch size, on this batch
            step = compile_function(lambda X, y: self.loss([self.model(x) for x in X], y), self.params, X, targets)
            self.steps[len(X)] = step
        self.optimizer.zero_grad()
        cost = step.run(X, targets)
        _check_finite(cost, "this mini-batch", self.optimizer)  # stop before a NaN or ∞ reaches the weights
        self.optimizer.step()
        return cost


def _parameters(model: Model, optimizer: SupportsStep) -> list[Value]:
    """The leaves a compiled step differentiates: the model's parameters and any other the optimizer moves."""
    parameters = getattr(model, "parameters", None)
    found = list(parameters()) if callable(parameters) else []
    found += list(getattr(optimizer, "params", []))
    if not found:
        raise TypeError(
            "fit: compiled=True needs the parameters to differentiate: a model with parameters() (a micrograd "
            "Module such as an MLP) or an optimizer with .params"
        )
    return list(dict.fromkeys(found))  # a Value hashes by identity: each parameter once


def _loss_of_value_targets(
    loss: Loss, outputs: list[Output], y: list[Target], classes: int | None
) -> tuple[Value, object, int | None]:
    """(loss of the targets as Value leaves, those leaves, the number of classes if class indices became one-hot).

    Class indices that the loss refuses as Values (softmax_cross_entropy) are given as one-hot
    targets [0, .., 1, .., 0] of Value leaves instead. A ValueError if the loss refuses both.
    """
    targets = _leaves(y, "y")
    try:
        return loss(outputs, cast(list[Target], targets)), targets, None
    except TypeError as e:  # class indices as Values, which softmax_cross_entropy refuses
        refusal = e
    if classes is not None:
        targets = _leaves(_one_hots(y, classes), "y")
        try:
            return loss(outputs, cast(list[Target], targets)), targets, classes
        except TypeError:
            pass
    loss(outputs, y)  # if the numbers fail too, the data is at fault: raise its error, as compiled=False would
    raise ValueError(
        "fit: compiled=True records one step per batch size and runs it on every batch, so the loss must take "
        "the targets as Values (graph inputs): quadratic_cost and hinge_loss do, and so do sums with l2_penalty, "
        "and softmax_cross_entropy takes class indices as one-hot targets; binary_cross_entropy cannot, since "
        f"the label picks which term its graph holds. This loss refused Value targets ({refusal}); train it "
        "with compiled=False"
    ) from refusal


def _class_count(outputs: list[Output], y: list[Target]) -> int | None:
    """The number of classes when y holds class indices for outputs of one logit per class, else None."""
    n = None if isinstance(outputs[0], Value) else len(outputs[0])
    if n is None or not all(is_int(t) and 0 <= int(t) < n for t in y):
        return None
    return n


def _one_hots(y: Sequence[Target], n: int) -> list[list[float]]:
    """Class indices as one-hot targets of n entries."""
    return [[1.0 if k == label else 0.0 for k in range(n)] for label in y]


class _Watched(Value):
    """An input or target leaf while fit(compiled=True) records: it notes when code outside micrograd reads its number.

    A number read with .data, float(), a comparison or an ``if`` is baked into the recorded step,
    which would then replay it for every batch.
    """

    __slots__ = ()
    reads: list[Value] = []  # noqa: RUF012 - the leaves read since the recording began

    def _note(self) -> None:
        if not caller_is_ours(3):  # 3 frames up: whoever called the method that called _note
            _Watched.reads.append(self)

    @property
    def data(self) -> float:
        self._note()
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        Value.data.fset(self, value)  # type: ignore[attr-defined]

    def __float__(self) -> float:
        self._note()
        return self._data


def _leaves(x: object, label: str) -> object:
    """x with every number made a watched Value leaf labelled by its place (y[3], X[3][1]); anything else as it is."""
    if is_number(x):
        return _Watched(cast(Number, x), label)  # a numbers.Real, as Value() takes them all
    if isinstance(x, (str, bytes)) or not (hasattr(x, "__len__") and hasattr(x, "__iter__")):
        return x
    return [_leaves(v, f"{label}[{i}]") for i, v in enumerate(x)]


def _flat(x: object) -> list[object]:
    return [v for item in x for v in _flat(item)] if isinstance(x, (list, tuple)) else [x]


def _count(n: object, name: str, least: int) -> int:
    if not is_int(n):
        raise TypeError(f"fit: {name} must be an int, got {type(n).__name__}")
    if n < least:
        raise ValueError(f"fit: {name} must be at least {least}, got {n}")
    return int(n)


@contextmanager
def _diverging(optimizer: object) -> Iterator[None]:
    """Report an overflow in the forward pass as what it most likely is: a learning rate too large."""
    try:
        yield
    except OverflowError as e:
        lr = getattr(optimizer, "lr", "?")
        raise FloatingPointError(f"{e}: training diverged? try a smaller learning rate (lr = {lr})") from e


def _check_finite(loss: float, of: str, optimizer: object) -> None:
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"the loss of {of} is {loss!r}: check the data for NaN or ∞; if the loss grew over the epochs, "
            f"training diverged: try a smaller learning rate (lr = {getattr(optimizer, 'lr', '?')})"
        )


def _progress_bar(epochs: int, verbose: bool) -> tqdm[int]:
    """A tqdm bar over the epochs: a widget in Jupyter (when ipywidgets is there), text elsewhere."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm.auto warns when Jupyter has no ipywidgets, then falls back to text
        from tqdm.auto import tqdm
    return tqdm(range(epochs), desc="training", unit="epoch", disable=not verbose)
