"""The recorded graph that compile turns into code: its nodes in order and the kind of every leaf.

The leaves are of three kinds: parameters (a new value on every call, their gradient returned),
inputs (a new value on every call, no gradient), and constants (every other leaf, baked into the
code with the value it had when the graph was recorded). A node computed from constants only is
a constant too, folded at recording.
"""

from __future__ import annotations

from micrograd.engine import Value, topological_order
from micrograd.ops import OPS, Op


class Graph:
    """The recorded graph in topological order: the kind of every leaf, and the nodes that need a grad."""

    def __init__(self, root: Value, params: tuple[Value, ...], inputs: tuple[Value, ...]) -> None:
        self.root = root
        self.order = topological_order(root)
        self.param_index = {p: i for i, p in enumerate(params)}
        self.input_index = {x: i for i, x in enumerate(inputs)}
        self.const: set[Value] = set()  # constant leaves, and nodes computed from constants only (folded)
        self.needs_grad: set[Value] = set()  # parameters and the nodes on a path to one
        for node in self.order:
            if not node._prev:
                if node in self.param_index:
                    self.needs_grad.add(node)
                elif node not in self.input_index:
                    self.const.add(node)
            elif all(c in self.const for c in node._prev):
                self.const.add(node)
            else:
                check_op(node)
                if any(c in self.needs_grad for c in node._prev):
                    self.needs_grad.add(node)
        self.ops = [n for n in self.order if n._prev and n not in self.const]  # the nodes that become code


def check_op(node: Value) -> Op:
    """The op of node, which every node made by micrograd's engine has."""
    if not isinstance(node._op, Op):
        raise ValueError(
            f"cannot compile the op {node._op!r} (node {node!r}): compile knows the ops of micrograd.ops, "
            f"{', '.join(OPS)} and x ** n"
        )
    return node._op
