"""Loss functions: how far a mini-batch of outputs is from its targets, as one Value to call backward() on.

Each loss takes the model's outputs for a mini-batch of m examples (one entry per example: a Value,
or a list of Values when the last layer has several neurons) and their targets, and returns the
mean over the batch, C = (1/m) Σ_x C_x. After ``C.backward()`` every parameter's grad is therefore
(1/m) Σ_x ∂C_x/∂w, the average that the update w → w − (η/m) Σ_x ∂C_x/∂w needs.

``quadratic_cost`` and ``hinge_loss`` also take targets that are Value leaves, and build the same
graph as with the numbers they hold: so a compiled step (micrograd.compile) can take the targets
as inputs and serve every batch. So does ``softmax_cross_entropy`` with one-hot targets (a class
index becomes one-hot constants). ``binary_cross_entropy`` cannot: the label picks which term the
graph has (log p or log(1 − p)), so its labels must be numbers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from micrograd.checks import is_number, is_sequence, not_a_sequence
from micrograd.engine import Number, Value, apply_op, linear
from micrograd.ops import LOGSUMEXP, MAX
from micrograd.training.labels import one_hot

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13

__all__ = [
    "amax",
    "binary_cross_entropy",
    "hinge_loss",
    "l2_penalty",
    "logsumexp",
    "quadratic_cost",
    "softmax_cross_entropy",
]


Target = Number | Value
T = TypeVar("T")


def quadratic_cost(outputs: Sequence[Value | Sequence[Value]], targets: Sequence[Target | Sequence[Target]]) -> Value:
    """C = (1/m) Σ_x ½‖a(x) − y(x)‖²: the quadratic cost of the four equations, averaged over the batch."""
    a, y = _batch(outputs, targets, "quadratic_cost")
    for i, (a_x, y_x) in enumerate(zip(a, y)):
        if len(a_x) != len(y_x):
            raise ValueError(f"quadratic_cost: example {i} has {len(a_x)} outputs but {len(y_x)} targets")
    return _mean([0.5 * _sum((a_j - y_j) ** 2 for a_j, y_j in zip(a_x, y_x)) for a_x, y_x in zip(a, y)])


def hinge_loss(scores: Sequence[Value], labels: Sequence[Target]) -> Value:
    """C = (1/m) Σ_x max(0, 1 − y·s): the max-margin loss of micrograd's demo, for labels y = −1 or +1.

    A point costs nothing once its score s is on the right side of 0 by a margin of at least 1.
    """
    s, y = _scalar_batch(scores, labels, "hinge_loss")
    for i, y_x in enumerate(y):
        label = _data(y_x)
        if label not in (-1.0, 1.0):
            raise ValueError(
                f"hinge_loss: labels must be -1 or +1, got {label!r} for example {i}; "
                "labels 0 and 1 become -1 and +1 with 2 * y - 1"
            )
    return _mean([(1 - y_x * s_x).relu() for s_x, y_x in zip(s, y)])


def binary_cross_entropy(probabilities: Sequence[Value], labels: Sequence[Number]) -> Value:
    """C = −(1/m) Σ_x [y log p + (1 − y) log(1 − p)] for outputs p = σ(z) in [0, 1] and labels 0 or 1.

    Only the term the label selects is built, so a confident right answer (p = 1 for y = 1) costs 0
    exactly; a saturated wrong one (p = 1 for y = 0) would cost −log 0 = ∞ and raises a ValueError.
    """
    p, y = _scalar_batch(probabilities, labels, "binary_cross_entropy")
    terms = []
    for i, (p_x, y_x) in enumerate(zip(p, y)):
        if isinstance(y_x, Value):
            raise TypeError(
                f"binary_cross_entropy: labels must be numbers 0 or 1, got a Value for example {i}: the label "
                "picks which of log p and log(1 − p) the graph holds, so it cannot be a Value"
            )
        if y_x not in (0.0, 1.0):
            raise ValueError(f"binary_cross_entropy: labels must be 0 or 1, got {y_x!r} for example {i}")
        if not 0.0 <= p_x.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: outputs must be probabilities in [0, 1], got {p_x.data!r} for example {i}; "
                "give the last layer a sigmoid activation"
            )
        right = p_x if y_x == 1.0 else 1 - p_x  # the probability given to the right class
        if right.data == 0.0:
            raise ValueError(
                f"binary_cross_entropy: example {i} has p = {p_x.data!r} and label {y_x:g}, so its loss "
                "−log 0 is infinite: the sigmoid saturated on the wrong side (try a smaller learning rate)"
            )
        terms.append(-right.log())
    return _mean(terms)


def softmax_cross_entropy(logits: Sequence[Sequence[Value]], labels: Sequence[int | Sequence[Target]]) -> Value:
    """C = (1/m) Σ_x [log Σ_k e^(z_k) − Σ_k y_k z_k]: the cross-entropy of softmax(z) for class indices (or one-hot y).

    Each example's term is logsumexp(z − M) − (Σ_k y_k z_k − M) with M = max(z), as PyTorch computes it:
    the shift changes nothing but the rounding, and keeps every exponent ≤ 0, so logits of ±1000 stay
    finite. The logsumexp node's local derivatives are softmax(z): the gradient is softmax(z) − y.
    A class index becomes one-hot constants; one-hot targets may be Value leaves, so a compiled step
    can take them as inputs and serve every batch.
    """
    labels = _sequence(labels, "labels", "softmax_cross_entropy")
    z, _ = _batch(logits, [0] * len(labels), "softmax_cross_entropy")
    if len(z) != len(labels):
        raise ValueError(
            f"softmax_cross_entropy: got {len(z)} outputs but {len(labels)} labels; give one label per output"
        )
    terms = []
    for i, (z_x, label) in enumerate(zip(z, labels)):
        if len(z_x) < 2:
            raise ValueError(
                f"softmax_cross_entropy: example {i} has {len(z_x)} logit; it needs one per class, at least 2"
            )
        y_x = _one_hot_values(label, len(z_x), i)
        terms.append(_cross_entropy_term(z_x, y_x, i))
    return _mean(terms)


def _cross_entropy_term(z: list[Value], y: list[Value], i: int) -> Value:
    """Example i's logsumexp(z − M) − (Σ_k y_k z_k − M), each node labelled as the formula names it (for drawings)."""
    M = amax(z)
    M.label = "M"
    shifted = [z_k - M for z_k in z]
    for k, (z_k, s_k) in enumerate(zip(z, shifted)):
        s_k.label = f"{z_k.label or f'z[{k}]'} - M"
    lse = logsumexp(shifted)
    lse.label = "logsumexp(z - M)"
    zero = Value(0.0, "0")  # linear's bias: Σ_k y_k z_k has none
    picked = linear(y, z, zero)
    picked.label = "y·z"
    right = picked - M
    right.label = "y·z - M"
    term = lse - right
    term.label = f"C[{i}]"
    return term


def logsumexp(z: Sequence[Value | Number]) -> Value:
    """log Σ_k e^(z_k) as one node, stable for any z (shifted by the max): ∂/∂z_k = e^(z_k − out) = softmax(z)_k."""
    return apply_op(LOGSUMEXP, _operands(z, "logsumexp"))


def amax(z: Sequence[Value | Number]) -> Value:
    """max_k z_k as one node (torch.amax): ∂/∂z_k is 1 at the largest, split evenly among ties, 0 elsewhere."""
    return apply_op(MAX, _operands(z, "amax"))


def _operands(z: Sequence[Value | Number], who: str) -> tuple[Value, ...]:
    """z as a tuple of Values, numbers wrapped as leaves; at least one."""
    if not is_sequence(z):
        raise TypeError(f"{who}: takes a list of Values, got {not_a_sequence(z)}")
    if not z:
        raise ValueError(f"{who}: got no values; it needs at least one")
    values = []
    for k, z_k in enumerate(z):
        if not isinstance(z_k, Value) and not is_number(z_k):
            raise TypeError(f"{who}: z[{k}] must be a Value or a number, got {type(z_k).__name__}")
        values.append(z_k if isinstance(z_k, Value) else Value(z_k))
    return tuple(values)


def l2_penalty(parameters: Iterable[Value], alpha: Number) -> Value:
    """α Σ_w w²: the weight penalty micrograd's demo adds to its max-margin loss (with α = 1e-4)."""
    params = list(parameters.parameters() if hasattr(parameters, "parameters") else parameters)
    if not params:
        raise ValueError("l2_penalty: no parameters given")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"l2_penalty: parameters must be Values, got {type(p).__name__}")
    if not is_number(alpha):
        raise TypeError(f"l2_penalty: alpha must be a number, got {type(alpha).__name__}")
    if not math.isfinite(alpha) or alpha < 0:
        raise ValueError(f"l2_penalty: alpha must be a finite number ≥ 0, got {alpha!r}")
    return alpha * _sum(p * p for p in params)


# -- checking a batch -----------------------------------------------------------------------


def _mean(terms: list[Value]) -> Value:
    """(0 + C_1 + ... + C_m) / m, its total and its m named for drawings and generated code."""
    total = _sum(terms)
    total.label = "total"
    return total / Value(len(terms), "m")


def _sum(values: Iterable[Value]) -> Value:
    """0 + v_1 + v_2 + ...: a Value for one value or more, as a loss sums (the 0 a leaf named "0")."""
    return sum(values, Value(0.0, "0"))


def _batch(
    outputs: Sequence[Value | Sequence[Value]], targets: Sequence[object], loss: str
) -> tuple[list[list[Value]], list[list[float | Value]]]:
    """outputs and targets as one list of Values and one list of targets (floats, or Value leaves) per example."""
    outputs = _sequence(outputs, "outputs", loss)
    targets = _sequence(targets, "targets", loss)
    if len(outputs) != len(targets):
        raise ValueError(f"{loss}: got {len(outputs)} outputs but {len(targets)} targets; give one target per output")
    if not outputs:
        raise ValueError(f"{loss}: the batch is empty; give at least one output and its target")
    a = [list(out) if _is_list(out) else [out] for out in outputs]  # one entry per output of the example
    for i, a_x in enumerate(a):
        for a_j in a_x:
            if not isinstance(a_j, Value):
                raise TypeError(
                    f"{loss}: outputs must be Values (the model's outputs), got {_shown(a_j)} "
                    f"({type(a_j).__name__}) for example {i}"
                )
    y = []
    for i, t in enumerate(targets):
        t_x = list(t) if _is_list(t) else [t]  # a bool, None or str is a bad target of example i, not a bad batch
        y.append([_number(t_j, i, loss) for t_j in t_x])
    return a, y


def _scalar_batch(
    outputs: Sequence[Value | Sequence[Value]], targets: Sequence[object], loss: str
) -> tuple[list[Value], list[float | Value]]:
    """A batch of single outputs (one Value per example) and single targets."""
    a, y = _batch(outputs, targets, loss)
    for i, (a_x, y_x) in enumerate(zip(a, y)):
        if len(a_x) != 1 or len(y_x) != 1:
            raise ValueError(
                f"{loss}: needs one output and one label per example, got {len(a_x)} outputs and "
                f"{len(y_x)} labels for example {i}"
            )
    return [a_x[0] for a_x in a], [y_x[0] for y_x in y]


def _sequence(xs: Sequence[T], what: str, loss: str) -> list[T]:
    if not is_sequence(xs):
        raise TypeError(f"{loss}: {what} must be a list with one entry per example, got {not_a_sequence(xs)}")
    return list(xs)


def _is_list(x: object) -> TypeIs[Sequence[object]]:
    """Whether an example's entry is a list of outputs or targets (not a single one, nor a str)."""
    return is_sequence(x)


def _shown(x: object) -> str:
    """repr(x), cut short: a bad entry may be a long value."""
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(t: object, i: int, loss: str) -> float | Value:
    """A target as a float, or the Value leaf it is, its number checked the same way."""
    if isinstance(t, Value):
        if t._prev:
            raise ValueError(
                f"{loss}: a target that is a Value must be a leaf, got the result of {str(t._op)!r} for example {i}; "
                "targets are data: pass its .data"
            )
        value = t.data
    elif is_number(t):
        t = value = float(t)
    else:
        raise TypeError(f"{loss}: targets must be real numbers, got {_shown(t)} ({type(t).__name__}) for example {i}")
    if not math.isfinite(value):
        raise ValueError(f"{loss}: targets must be finite, got {value!r} for example {i}")
    return t


def _one_hot_values(label: object, n: int, i: int) -> list[Value]:
    """An example's target as n one-hot Values: a class index made constants, a one-hot target checked."""
    if isinstance(label, Value):
        raise TypeError(
            f"softmax_cross_entropy: labels must be class indices (int) or one-hot targets, got a Value for example "
            f"{i}: the label picks which logit the graph holds, so it cannot be a Value; give a one-hot target "
            "[0, .., 1, .., 0] (of numbers or Values) instead"
        )
    if _is_list(label):
        y_x = [_number(t, i, "softmax_cross_entropy") for t in label]
        if len(y_x) != n:
            raise ValueError(f"softmax_cross_entropy: example {i} has {n} logits but a one-hot target of {len(y_x)}")
        if sorted(map(_data, y_x)) != [0.0] * (n - 1) + [1.0]:
            raise ValueError(
                f"softmax_cross_entropy: the target of example {i} is not one-hot (one 1, every other entry 0)"
            )
        return [t if isinstance(t, Value) else Value(t) for t in y_x]
    if isinstance(label, bool) or not isinstance(label, numbers.Integral):
        raise TypeError(
            f"softmax_cross_entropy: labels must be class indices (int), got {type(label).__name__} for example {i}"
        )
    index = int(label)
    if not 0 <= index < n:
        raise ValueError(f"softmax_cross_entropy: label {index} of example {i} is not a class index 0..{n - 1}")
    return [Value(t, f"y[{k}]") for k, t in enumerate(one_hot(index, n))]


def _data(t: float | Value) -> float:
    return t.data if isinstance(t, Value) else t
