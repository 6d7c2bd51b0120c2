"""Class labels in their two forms: a class index k, and the one-hot target [0, .., 1, .., 0] with its 1 at k.

The losses turn an index into a one-hot target (softmax_cross_entropy), fit(compiled=True) gives a
compiled step its batch's indices as one-hot inputs, and the metrics read an index back from a
one-hot target to compare it with the predicted class.
"""

from __future__ import annotations

from collections.abc import Sequence

from micrograd.checks import is_number

__all__ = ["one_hot", "one_hot_index"]


def one_hot(index: int, n: int) -> list[float]:
    """Class ``index`` as the one-hot target of n classes: 1.0 at the index, 0.0 elsewhere."""
    return [1.0 if k == index else 0.0 for k in range(n)]


def one_hot_index(target: object) -> int | None:
    """The index of the 1 in a one-hot target [0, .., 1, .., 0] (at least 2 entries); None for anything else."""
    if isinstance(target, (str, bytes)) or not isinstance(target, Sequence) or len(target) < 2:
        return None
    if not all(is_number(v) and v in (0, 1) for v in target) or sum(target) != 1:
        return None
    return list(target).index(1)
