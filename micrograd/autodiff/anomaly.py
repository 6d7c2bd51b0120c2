"""Anomaly mode: stop at the first op whose value or gradient is NaN or ±inf, and say where it was made.

Inside ``with detect_anomaly():`` every node remembers the line of user code that created it; a
value that is not finite raises FloatingPointError as the op computes it, and backward() raises at
the first gradient that goes bad, naming the op, the node's label and that line. Outside the block
nothing is checked and nothing is recorded.
"""

from __future__ import annotations

import linecache
import math
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from micrograd.checks import ours
from micrograd.engine import Value, watched_by

_origins: weakref.WeakKeyDictionary[Value, tuple[str, int]] = weakref.WeakKeyDictionary()


class _Anomalies:
    """The watcher of anomaly mode: records where each node is made, checks values and gradients."""

    def created(self, node: Value, children: tuple[Value, ...]) -> None:
        _origins[node] = _user_frame()
        if not math.isfinite(node.data):
            raise FloatingPointError(f"{_describe(node)}, computed {node.data!r} from {_operands(children)}")

    def step(self, node: Value, k: int, child: Value, local: float, before: float, contribution: float) -> None:
        if not math.isfinite(child.grad):
            child_label = f" {child.label!r}" if child.label else ""
            raise FloatingPointError(
                f"backward through {_describe(node)}, made the gradient of its child{child_label} "
                f"{child.grad!r} (local derivative {local!r}, upstream grad {node.grad!r})"
            )


_WATCHER = _Anomalies()


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block, raise FloatingPointError at the first op whose value or gradient is NaN or ±inf.

    The error names the op, the node's label and the line of code that created the node.
    Outside the block nothing is checked and nothing is recorded.
    """
    with watched_by(_WATCHER):
        yield


def _user_frame() -> tuple[str, int]:
    """(file, line) of the innermost caller outside this package (and the code it generates) and contextlib."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (ours(frame) or filename.endswith("contextlib.py")):
            return filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return "<unknown>", 0


def _describe(node: Value) -> str:
    label = f" {node.label!r}" if node.label else " (unlabelled)"
    where = _origins.get(node)
    op = str(node._op)
    if where is None:
        return f"op {op!r}, node{label}, created outside detect_anomaly()"
    code = linecache.getline(where[0], where[1]).strip()
    return f"op {op!r}, node{label}, created at {where[0]}:{where[1]}" + (f": {code}" if code else "")


def _operands(children: tuple[Value, ...]) -> str:
    return ", ".join(f"{c.label}={c.data!r}" if c.label else repr(c.data) for c in children) or "no operands"
