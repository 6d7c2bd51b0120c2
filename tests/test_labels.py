"""Class labels in their two forms: an index k and the one-hot target with its 1 at k, each the other's inverse."""

from __future__ import annotations

import pytest

from micrograd.training.labels import one_hot, one_hot_index


def test_a_class_index_becomes_the_one_hot_target_and_back():
    assert one_hot(2, 4) == [0.0, 0.0, 1.0, 0.0]
    assert one_hot(0, 2) == [1.0, 0.0]
    for n in (2, 3, 10):
        for k in range(n):
            target = one_hot(k, n)
            assert len(target) == n and target.count(1.0) == 1 and target.count(0.0) == n - 1
            assert one_hot_index(target) == k


def test_numpy_labels_and_targets(np):
    assert one_hot(np.int64(1), 3) == [0.0, 1.0, 0.0]
    assert one_hot_index([np.int64(0), np.int64(0), np.float64(1.0)]) == 2


@pytest.mark.parametrize(
    "target",
    [[1], [0, 0], [1, 1, 0], [0.5, 0.5], [0, 2, 0], "01", b"\x00\x01", 1, None, [True, False], {0: 1, 1: 0}],
    ids=repr,
)
def test_anything_but_a_one_hot_target_has_no_index(target):
    assert one_hot_index(target) is None
