"""Random graphs of the ops of the table of ops (tests/edge_cases.py), inside their domains and away from their kinks.

build() makes the same graph of Values, Duals or PyTorch tensors, so that each can be compared with the others.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

from edge_cases import OPS
from micrograd import Value, no_grad

KINK_DISTANCE = 1e-3
LIMIT = 1e4  # values past this are left out of a graph: their derivatives of order 3 outgrow 1e-12 checks


def usable(op, operands: list[float]) -> bool:
    """Operands inside the op's domain, away from its kinks, where its value and derivatives are moderate."""
    for x, (lo, hi) in zip(operands, op.domain):
        if not lo <= x <= hi or any(abs(x - k) < KINK_DISTANCE for k in op.kinks):
            return False
    return True


def build(data: list[float], recipe: list, make_leaf, apply) -> list:
    """The graph of recipe over leaves of data: each step an op of the table on earlier nodes, where usable."""
    nodes = [make_leaf(x) for x in data]
    floats = list(data)
    for name, picks in recipe:
        op = OPS[name]
        idx = [pick(len(nodes), i) for i in picks[: len(op.domain)]]
        if not usable(op, [floats[i] for i in idx]):
            continue
        with no_grad():
            value = float(op.value(*[Value(floats[i]) for i in idx]))
        if not math.isfinite(value) or abs(value) > LIMIT:
            continue
        nodes.append(apply(op, [nodes[i] for i in idx]))
        floats.append(value)
    return nodes


def pick(n: int, i: int) -> int:
    """Mostly one of the last three nodes, so that ops chain; else any earlier one."""
    return n - 1 - i % min(3, n) if i % 4 else i // 4 % n


recipes = st.lists(
    st.tuples(st.sampled_from(sorted(OPS)), st.lists(st.integers(0, 10**6), min_size=3, max_size=3)),
    min_size=1,
    max_size=8,
)
points = st.lists(st.floats(-2.0, 2.0, allow_nan=False).map(lambda x: round(x, 6)), min_size=1, max_size=3)
