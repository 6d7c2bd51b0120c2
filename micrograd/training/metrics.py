"""How good a model is: its loss and accuracy on a data set, and how an output becomes a predicted label.

Accuracy is read from the labels y and the shape of the model's outputs: with one output and two
labels (−1/+1, 0/1, or any pair lo < hi) the predicted label is hi when the output is past their
midpoint (0 for ±1, ½ for 0/1); with several outputs it is the index of the largest, compared with
an int label or with the index of the 1 in a one-hot target. Other targets, such as one output and
y = 0, 1, 2, 3, are a regression and have no accuracy.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from micrograd.checks import is_number
from micrograd.engine import Number, Value, no_grad
from micrograd.training.labels import one_hot_index

__all__ = ["accuracy", "confusion_matrix", "decision_rule", "evaluate", "predict"]

Output = Value | list[Value]
Model = Callable[[Sequence[Value | Number]], Output]  # an MLP, or any function of one input
# What the data gives for an example, as fit() passes it on: a label (a number), a one-hot list, or
# (compiled) a Value leaf. Which of them is right is the loss's to check, and the accuracy's: dynamic.
Target = Any
Loss = Callable[[list[Any], Sequence[Target]], Value]  # (outputs, targets) -> loss: each loss checks its outputs


def evaluate(
    model: Model, X: Sequence[Sequence[Value | Number]], y: Sequence[Target], loss: Loss
) -> tuple[float, float | None]:
    """(loss, accuracy) of the model on (X, y), computed under no_grad(); accuracy is None for a regression."""
    y = list(y)
    with no_grad():
        outputs = [model(x) for x in X]
    return loss_and_accuracy(outputs, y, loss)


def accuracy(model: Model, X: Sequence[Sequence[Value | Number]], y: Sequence[Target]) -> float:
    """The fraction of the points of X whose predicted label (see decision_rule) is their label in y."""
    y = list(y)
    with no_grad():
        outputs = [model(x) for x in X]
    if len(outputs) != len(y) or not y:
        raise ValueError(f"accuracy: needs one label per input, and at least one; got {len(outputs)} and {len(y)}")
    result = _accuracy(outputs, y)
    if result is None:
        raise ValueError(
            "accuracy: the targets are not class labels for this model (two label values for one output; "
            "class indices or one-hot targets for one output per class)"
        )
    return result


def predict(model: Model, X: Sequence[Sequence[Value | Number]], y: Sequence[Target]) -> list[Number]:
    """The label the model predicts for each point of X, by the decision rule of labels like y (under no_grad())."""
    y = list(y)
    rule = decision_rule(y)
    if rule is None:
        raise ValueError("predict: y must be class labels (two label values, class indices or one-hot targets)")
    with no_grad():
        return [rule(model(x)) for x in X]


def confusion_matrix(model: Model, X: Sequence[Sequence[Value | Number]], y: Sequence[int]) -> list[list[int]]:
    """counts[t][p]: how many points of true class t the model predicts as class p, for class indices y (0..K−1)."""
    y = list(y)
    if len(X) != len(y) or not y:
        raise ValueError(f"confusion_matrix: needs one label per input, and at least one; got {len(X)} and {len(y)}")
    if not all(isinstance(t, numbers.Integral) and not isinstance(t, bool) and t >= 0 for t in y):
        raise ValueError("confusion_matrix: y must be class indices 0..K−1 (ints)")
    predicted = predict(model, X, y)
    k = max(max(y), *(int(p) for p in predicted)) + 1
    counts = [[0] * k for _ in range(k)]
    for t, p in zip(y, predicted):
        counts[int(t)][int(p)] += 1
    return counts


def decision_rule(y: Sequence[Target]) -> Callable[[Output], Number] | None:
    """How an output becomes a predicted label, for labels like y; None when y is not a classification.

    One output and two labels lo < hi: hi when the output is above (lo + hi) / 2, else lo (a y with
    a single label value reads as the pair −1/+1 or 0/1 it belongs to). Several outputs, with int
    labels or one-hot targets: the index of the largest output.
    """
    y = list(y)
    if y and all(one_hot_index(t) is not None for t in y):
        return _argmax
    if not y or not all(is_number(t) for t in y):
        return None
    pair = _two_labels(y)
    indices = all(isinstance(t, numbers.Integral) for t in y)
    if pair is None and not indices:
        return None  # a regression

    def predict(output: Output) -> Number:
        if not isinstance(output, Value):
            if not indices:
                assert pair is not None  # labels that are not class indices are a pair, or no classification
                raise ValueError(f"the labels {pair[0]} and {pair[1]} need a model with one output")
            return _argmax(output)
        if pair is None:
            raise ValueError(f"{len(set(y))} class labels need a model with one output per class, got one output")
        lo, hi = pair
        return hi if output.data > (lo + hi) / 2 else lo

    return predict


def _two_labels(y: list[Target]) -> list[Number] | None:
    """[lo, hi] when the numbers y hold two label values (or one, read as the pair ±1 or 0/1 it belongs to)."""
    labels = sorted(set(y))
    if len(labels) == 1:
        pairs: dict[Number, list[Number]] = {-1: [-1, 1], 0: [0, 1], 1: [0, 1]}
        return pairs.get(labels[0])
    return labels if len(labels) == 2 else None


def prediction(output: Output, y: list[Target]) -> Callable[[Output], Number] | None:
    """decision_rule(y) for a model whose outputs are like ``output``; None for a regression.

    One output and targets that are numbers but not two labels (y = 0, 1, 2, 3 with quadratic_cost)
    is a regression, whatever the numbers' type. A model whose outputs cannot give y's labels is a
    ValueError, raised here: fit() checks the model's first output, before its first update.
    """
    rule = decision_rule(y)
    if rule is None or (isinstance(output, Value) and all(is_number(t) for t in y) and _two_labels(y) is None):
        return None
    rule(output)  # the labels need another shape of output: say so now
    return rule


def loss_and_accuracy(outputs: list[Output], y: list[Target], loss: Loss) -> tuple[float, float | None]:
    with no_grad():
        value = loss(outputs, y).data
    return value, _accuracy(outputs, y)


def _argmax(output: Output) -> int:
    if isinstance(output, Value):
        raise ValueError("one-hot targets need a model with one output per class, got a single output")
    return max(range(len(output)), key=lambda k: output[k].data)


def _accuracy(outputs: list[Output], y: Sequence[Target]) -> float | None:
    rule = prediction(outputs[0], list(y))
    if rule is None:
        return None
    right = 0
    for out, t in zip(outputs, y):
        label = t if is_number(t) else one_hot_index(t)
        right += rule(out) == label
    return right / len(outputs)
