"""Expressions that a checker builds twice, with the learner's Value class and with micrograd's, node by node.

An expression is a program of named steps, ``d = a * b``, over leaves a, b, c; an operand is an earlier
name or a number (a constant on either side). Only the ops the learner's class has are used.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from micrograd.engine import Value
from micrograd.tables import format_number

__all__ = ["OPS", "Expression", "Step", "available", "build", "random_expression"]

Operand = str | float  # an earlier node's name, or a constant


@dataclass(frozen=True)
class ExOp:
    """An op as the checker writes it with any Value class: the methods it needs, how to apply it, its text."""

    apply: Callable[..., object]
    needs: str  # the method the class must have (for a constant on the left: the reflected one)
    formula: str
    reflected: str = ""  # the method for a number on the left, for ops of two operands


def _method(name: str) -> Callable[[object], object]:
    return lambda x: getattr(x, name)()


OPS: dict[str, ExOp] = {
    "+": ExOp(operator.add, "__add__", "{0} + {1}", "__radd__"),
    "-": ExOp(operator.sub, "__sub__", "{0} - {1}", "__rsub__"),
    "*": ExOp(operator.mul, "__mul__", "{0} * {1}", "__rmul__"),
    "/": ExOp(operator.truediv, "__truediv__", "{0} / {1}", "__rtruediv__"),
    "**": ExOp(operator.pow, "__pow__", "{0}**{1}"),  # a constant exponent
    "neg": ExOp(operator.neg, "__neg__", "-{0}"),
    **{f: ExOp(_method(f), f, f + "({0})") for f in ("exp", "tanh", "sigmoid", "relu")},
}


@dataclass(frozen=True)
class Step:
    """One node of an expression: name = op(operands)."""

    name: str
    op: str
    operands: tuple[Operand, ...]

    def text(self) -> str:
        shown = [o if isinstance(o, str) else format_number(o, 4) for o in self.operands]
        return f"{self.name} = {OPS[self.op].formula.format(*shown)}"


@dataclass(frozen=True)
class Expression:
    """Leaves with their values, then steps; the last step is the root."""

    title: str
    leaves: tuple[tuple[str, float], ...]
    steps: tuple[Step, ...]

    def describe(self, name: str) -> str:
        """How feedback names a node: 'leaf a', or 'node d = a * b'."""
        for step in self.steps:
            if step.name == name:
                return f"node {step.text()}"
        return f"leaf {name}"

    def uses(self, name: str) -> int:
        """How many times the node is an operand (a + a uses a twice)."""
        return sum(o == name for step in self.steps for o in step.operands)

    def text(self) -> str:
        used = {o for step in self.steps for o in step.operands} if self.steps else {n for n, _ in self.leaves}
        leaves = ", ".join(f"{n} = {format_number(v, 4)}" for n, v in self.leaves if n in used)
        return f"{leaves}; " + "; ".join(step.text() for step in self.steps)


def available(cls: type) -> tuple[list[str], list[str], list[str]]:
    """The ops cls has, the ops two operands can take with a number on the left, and what is skipped, and why."""
    have = [op for op, e in OPS.items() if callable(getattr(cls, e.needs, None))]
    lacking = [op for op in OPS if op not in have]
    left = [op for op in have if OPS[op].reflected and callable(getattr(cls, OPS[op].reflected, None))]
    no_left = [OPS[op].reflected for op in have if OPS[op].reflected and op not in left]
    skipped = []
    if lacking:
        skipped.append(f"the ops {', '.join(lacking)} (the class has no {', '.join(OPS[op].needs for op in lacking)})")
    if no_left:
        skipped.append(f"a number on the left of an op (the class has no {', '.join(no_left)})")
    return have, left, skipped


def build(cls: Callable[[float], Any], expression: Expression) -> dict[str, Any]:
    """Every named node of the expression, built with cls (micrograd's Value gets the names as labels)."""
    nodes: dict[str, Any] = {name: cls(value) for name, value in expression.leaves}
    for step in expression.steps:
        operands = [nodes[o] if isinstance(o, str) else o for o in step.operands]
        nodes[step.name] = OPS[step.op].apply(*operands)
    if cls is Value:
        for name, node in nodes.items():
            node.label = name
    return nodes


NAMES = "abcdefghijklmnopqrstuvwxyz"
LEAVES = 3


def random_expression(rng: random.Random, ops: list[str], left: list[str], steps: int, title: str) -> Expression:
    """A random expression of the given ops: chains, reuse (a + a), diamonds, constants on either side."""
    leaves = tuple((NAMES[i], round(rng.choice((-1, 1)) * rng.uniform(0.3, 2.0), 2)) for i in range(LEAVES))
    values = {name: v for name, v in leaves}
    made: list[Step] = []
    while len(made) < steps:
        name = NAMES[LEAVES + len(made)]
        step = _random_step(rng, ops, left, list(values), name)
        value = _value(step, values)
        if value is not None:
            made.append(step)
            values[name] = value
    return Expression(title, leaves, tuple(made))


def _random_step(rng: random.Random, ops: list[str], left: list[str], names: list[str], name: str) -> Step:
    op = rng.choice(ops)
    recent = rng.choice(names[-2:])  # mostly from the last nodes: chains, and older ones for diamonds
    if op == "**":
        return Step(name, op, (recent, float(rng.choice((2, 3)))))
    if not OPS[op].reflected:
        return Step(name, op, (recent,))
    roll = rng.random()
    if roll < 0.2:
        return Step(name, op, (recent, recent))  # a node used twice: a + a, a * a
    if roll < 0.35:
        return Step(name, op, (recent, round(rng.uniform(0.5, 3.0), 1)))
    if roll < 0.5 and op in left:
        return Step(name, op, (round(rng.uniform(0.5, 3.0), 1), recent))
    return Step(name, op, (recent, rng.choice(names)))


def _value(step: Step, values: dict[str, float]) -> float | None:
    """The step's value, or None where it is a poor test: near a kink or a pole, or too large."""
    xs = [values[o] if isinstance(o, str) else o for o in step.operands]
    if (step.op == "/" and abs(xs[1]) < 0.3) or (step.op == "relu" and abs(xs[0]) < 1e-3):
        return None
    if step.op == "exp" and xs[0] > 3.0:
        return None
    try:
        operands = [Value(x) if isinstance(o, str) else x for o, x in zip(step.operands, xs)]
        out = float(OPS[step.op].apply(*operands))  # type: ignore[arg-type]
    except (ArithmeticError, ValueError):
        return None
    return out if math.isfinite(out) and abs(out) < 50.0 else None
