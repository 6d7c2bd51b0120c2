"""The names in a compiled graph's code: each value's label made a unique Python identifier.

A label becomes an identifier (w[1][0][2] -> w_1_0_2), never one of the names the code itself
uses (RESERVED: the ops' runtime, the builtins it calls, its own variables), and a loop variable
takes the label its repeats share (X[i][0]). Numbers are written as source that gives the same float.
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from micrograd import expr
from micrograd.runtime import RUNTIME

# The names the code itself uses beside the ops' runtime: no label may take any of them.
CODE_NAMES = (
    *("forward_backward", "params", "inputs", "grads", "roots", "saved", "copy", "skip"),
    *("zip", "range", "reversed", "sum", "any", "isfinite"),
)
RESERVED = frozenset({*RUNTIME, *expr.Symbols.BUILTINS, *CODE_NAMES})


def float_source(x: float) -> str:
    """x as Python source that evaluates to the same float, negative numbers in parentheses."""
    if math.isnan(x):
        return "nan"
    text = "inf" if x == math.inf else "(-inf)" if x == -math.inf else repr(x)
    return f"({text})" if text.startswith("-") else text


def common_prefix(names: Sequence[str]) -> str:
    """The name a tuple of names shares: (a_1_0, a_1_1, ...) -> a_1."""
    first, last = min(names, default=""), max(names, default="")
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    return first[:i].rsplit("_", 1)[0] if "_" in first[:i] else ""


def common_label(labels: list[str]) -> str:
    """The label of a loop variable: the leaves' label if they share it, X[i][0] for X[0][0], X[1][0], ..."""
    if all(label == labels[0] for label in labels):
        return labels[0]
    parts = [re.split(r"(\d+)", label) for label in labels]
    if any(len(p) != len(parts[0]) for p in parts):
        return ""
    varying = {i for p in parts for i, (a, b) in enumerate(zip(p, parts[0])) if a != b}
    if len(varying) != 1 or min(varying) % 2 == 0:  # re.split puts the numbers at the odd places
        return ""
    i = varying.pop()
    return "".join([*parts[0][:i], "i", *parts[0][i + 1 :]])


class Names:
    """Unique Python identifiers made from labels: w[1][0][2] -> w_1_0_2, a second "z" -> z__2."""

    def __init__(self) -> None:
        self.taken: set[str] = set(RESERVED)
        self.suffix: Counter[str] = Counter()

    def new(self, label: str, fallback: str) -> str:
        """A fresh name for label; for a label that is no usable identifier, fallback."""
        base = identifier(label) or fallback
        if keyword.iskeyword(base):
            base += "_"
        name = base
        while name in self.taken:
            self.suffix[base] += 1
            name = f"{base}__{self.suffix[base] + 1}"
        self.taken.add(name)
        return name


def identifier(label: str) -> str:
    """label as a Python identifier: letters, digits and single underscores; "" when nothing is left."""
    text = unicodedata.normalize("NFKC", label)
    text = "".join(ch if (ch.isalnum() or ch == "_") and ("_" + ch).isidentifier() else "_" for ch in text)
    text = re.sub(r"_+", "_", text).strip("_")
    if text and not text.isidentifier():
        text = "v_" + text  # it starts with a digit
    return text if text.isidentifier() and unicodedata.normalize("NFKC", text) == text else ""
