"""The forward pass written out: every value of a graph in the order it is computed, with its formula.

trace_forward(root) lists the values children first, each as name = formula = arithmetic = value with the
engine's own numbers,

    e = a * b = 2 * (-3) = -6

and prints as a table, or shows as an HTML table in Jupyter. Its derivatives are the other traces'
(micrograd.lab.trace): trace_backward, and trace_forward_mode for forward mode's tangents.
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd.engine import Value, node_names, topological_order
from micrograd.lab.steps import Steps, count_steps, formatter, paren
from micrograd.lab.viz import check_digits
from micrograd.ops import Op
from micrograd.tables import format_number, html_table, text_table


@dataclass(frozen=True, eq=False)
class ForwardStep:
    """One value of the graph, as the forward pass computes it: name = formula = value."""

    number: int
    node: Value
    name: str
    formula: str  # in names: a * b (a leaf's formula is "input")
    arithmetic: str  # in numbers: 2 * (-3)
    value: float  # node.data

    def equation(self, digits: int = 4) -> str:
        value = format_number(self.value, digits)
        if not self.node._prev:
            return f"{self.name} = {value}"
        return f"{self.name} = {self.formula} = {self.arithmetic} = {value}"


class ForwardTrace(Steps[ForwardStep]):
    """The values of root's graph in the order the forward pass computes them, inputs first."""

    def __init__(self, root: Value, steps: list[ForwardStep], digits: int) -> None:
        self.root = root
        self.digits = digits
        self._steps = steps

    def equations(self) -> list[str]:
        return [step.equation(self.digits) for step in self._steps]

    _HEADER = ("step", "value", "op", "computed as", "data")

    def _rows(self) -> list[list[str]]:
        rows = []
        for s in self._steps:
            computed = f"{s.formula} = {s.arithmetic}" if s.node._prev else s.formula
            rows.append(
                [str(s.number), s.name, str(s.node._op or "leaf"), computed, format_number(s.value, self.digits)]
            )
        return rows

    def _title(self) -> str:
        return f"forward to {self._steps[-1].name}: {count_steps(len(self))}"

    def __str__(self) -> str:
        return self._title() + "\n\n" + text_table(self._HEADER, self._rows())

    def _repr_html_(self) -> str:
        return html_table(self._title(), self._HEADER, self._rows())

    def __repr__(self) -> str:
        return f"ForwardTrace(root={self._steps[-1].name!r}, steps={len(self)})"


def trace_forward(root: Value, *, digits: int = 4) -> ForwardTrace:
    """Every value of root's graph in the order it is computed (children before the node), with its formula."""
    if not isinstance(root, Value):
        raise TypeError(f"trace_forward() needs a Value, got {type(root).__name__}")
    digits = check_digits(digits)
    order = topological_order(root)
    names = node_names(order)
    f = formatter(digits)
    steps = []
    for i, node in enumerate(order, start=1):
        if node._prev:
            op = node._op
            assert isinstance(op, Op)  # a node with children was computed by an op
            formula = op.write([names[c] for c in node._prev])
            arithmetic = op.write([paren(f(c.data)) for c in node._prev])
        else:
            formula = arithmetic = "input"
        steps.append(ForwardStep(i, node, names[node], formula, arithmetic, node.data))
    return ForwardTrace(root, steps, digits)


__all__ = ["ForwardStep", "ForwardTrace", "trace_forward"]
