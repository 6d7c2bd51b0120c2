"""fit(compiled=True): each step, and the measurement after each epoch, as generated Python (micrograd.compile).

The step's loss is recorded once per batch size with the batch's inputs and targets as the graph's
inputs, so one compiled step serves every batch of that size. While it records, the inputs and
targets are watched leaves: a model or loss that reads their numbers (and so would bake one batch's
numbers into every step) is refused before any step. The steps and the numbers measured are the
eager ones, bit for bit.

A compiled step checks no target: it replays the graph recorded on valid ones. So each distinct
target is first given to the loss once, as numbers; if it refuses one (a label 0 for hinge_loss, a
class index out of range), fit() takes the eager steps instead, which stop at the batch holding it,
after the same steps, with the loss's own error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from micrograd.checks import caller_is_ours, is_int, is_number, is_sequence, leaves_by_place
from micrograd.compile import CompiledGraph, compile_function, compile_graph
from micrograd.engine import Number, Value, linear, topological_order
from micrograd.training.divergence import check_finite
from micrograd.training.labels import one_hot
from micrograd.training.metrics import Loss, Model, Output, Target, loss_and_accuracy, prediction
from micrograd.training.optim import SupportsStep

__all__ = ["CompiledRun", "compiled_run"]


def compiled_run(
    model: Model, X: list[Sequence[Number]], y: list[Target], loss: Loss, optimizer: SupportsStep, batch_size: int
) -> CompiledRun | None:
    """fit(compiled=True)'s run; None where the loss refuses a target of y, and fit() takes the eager steps.

    The first batch's numbers become watched leaves, and the model's outputs on them are recorded once,
    to check the model and the loss before any step: what they read, and what reaches the loss.
    """
    inputs = cast(list[list[Value]], _leaves(X[:batch_size], "X"))
    _Watched.reads = []
    outputs = [model(x) for x in inputs]
    if _refuses_a_target(loss, outputs[0], y):
        return None
    return CompiledRun(model, X, y, loss, optimizer, batch_size, inputs, outputs)


class CompiledRun:
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
        inputs: list[list[Value]],
        outputs: list[Output],
    ) -> None:
        """inputs: the first batch as watched leaves, and outputs the model's on them (see compiled_run())."""
        self.model, self.X, self.y, self.loss, self.optimizer = model, X, y, loss, optimizer
        self.params = _parameters(model, optimizer)
        self.steps: dict[int, CompiledGraph] = {}
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
        run, ones, scalar = forward.forward_backward, [1.0] * len(readout), isinstance(output, Value)
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
        targets = y if self.classes is None else [one_hot(label, self.classes) for label in y]
        step = self.steps.get(len(X))
        if step is None:  # recorded once per batch size, on this batch
            step = compile_function(lambda X, y: self.loss([self.model(x) for x in X], y), self.params, X, targets)
            self.steps[len(X)] = step
        self.optimizer.zero_grad()
        cost = step.run(X, targets)
        check_finite(cost, "this mini-batch", self.optimizer)  # stop before a NaN or ∞ reaches the weights
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
        targets = _leaves([one_hot(label, classes) for label in y], "y")
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


def _refuses_a_target(loss: Loss, output: Output, y: list[Target]) -> bool:
    """Whether the loss refuses a target of y, given as the numbers eager steps give it, beside ``output``.

    A loss checks each example's target on its own (hinge_loss: -1 or +1; softmax_cross_entropy: a
    class index 0..K-1 of the K outputs), so each distinct target is given once: one small call,
    before any step, whatever the size of the data.
    """
    distinct = list({_target_key(t): t for t in y}.values())
    try:
        loss([output] * len(distinct), distinct)
    except (TypeError, ValueError):
        return True
    return False


def _target_key(t: object) -> object:
    """A key equal for two targets only if every loss takes them alike: same types, same numbers (repr tells -0.0)."""
    if is_sequence(t):
        return (type(t), tuple(_target_key(v) for v in t))
    return (type(t), repr(t)) if is_number(t) else (object, id(t))


def _class_count(outputs: list[Output], y: list[Target]) -> int | None:
    """The number of classes when y holds class indices for outputs of one logit per class, else None."""
    n = None if isinstance(outputs[0], Value) else len(outputs[0])
    if n is None or not all(is_int(t) and 0 <= int(t) < n for t in y):
        return None
    return n


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
    """x with every number made a watched Value leaf labelled by its place (y[3], X[3][1]); anything else as it is.

    What is not a number is the loss's to refuse, with the message it gives with compiled=False.
    """
    return leaves_by_place(x, label, _Watched, lambda other, _: other)


def _flat(x: object) -> list[object]:
    return [v for item in x for v in _flat(item)] if isinstance(x, (list, tuple)) else [x]
