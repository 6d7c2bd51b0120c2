"""What went wrong: diagnose(model, X, y) names the neurons and layers that keep a network from learning.

It reports, each with what it means and one thing to try:

- parameters that are NaN or infinite;
- neurons of a layer with identical weights and bias (a symmetric start: they stay identical);
- units dead over the whole data set: on every example, z at or below the point under which their
  activation's σ' is exactly 0 (relu's 0), so their gradient is always 0;
- units of an activation that saturates (such as tanh and sigmoid) on the flat part of σ on most
  examples (|σ'(z)| < 0.01, σ' read from the engine's graph);
- with targets y, layers whose gradient is vanishing (≪ the largest layer's) or exploding (≫ its weights).

Which activations can die or saturate is the ops' to say (micrograd.ops: each activation's
``dead_below`` and ``saturates``), so every activation, a new one included, gets the checks it needs.

Neurons are named as in the equations: a[l][j] is neuron j of layer l (layer 1 is the first after the input).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import overload

from micrograd.checks import is_sequence, not_a_sequence, not_recorded, type_name
from micrograd.engine import Number, Value, is_grad_enabled
from micrograd.nn import MLP
from micrograd.ops import OPS, Op
from micrograd.tables import format_number
from micrograd.training.metrics import Loss, Target

__all__ = ["Diagnosis", "Finding", "diagnose"]

SATURATED = 0.01  # |σ'(z)| below this: the unit passes on less than 1% of the gradient
MOST = 0.5  # saturated on more than this fraction of the examples
VANISHING = 1e-4  # a layer's gradient norm below this fraction of the largest layer's
EXPLODING = 1e3  # a layer's gradient norm above this many times its weights' norm (or 1)


@dataclass(frozen=True)
class Finding:
    """One thing wrong: its kind, where (neurons a[l][j], parameters or layers), what it means, one thing to try."""

    kind: str
    where: list[str]
    meaning: str
    advice: str
    numbers: dict[str, float] = field(default_factory=dict)  # the measurements behind it, by name

    def __str__(self) -> str:
        return f"{self.kind}: {', '.join(self.where)}. {self.meaning}. Try: {self.advice}."

    def __repr__(self) -> str:
        return f"Finding({self.kind!r}, where={self.where!r})"


# Every activation that can die has a kind of its own ("dead relu"); the order of the findings.
DYING = tuple(op.name for op in OPS.values() if op.activation and op.dead_below is not None)
KINDS = (
    "not finite",
    "symmetric",
    *(f"dead {name}" for name in DYING),
    "saturated",
    "vanishing gradient",
    "exploding gradient",
)


class Diagnosis(Sequence[Finding]):
    """The findings of diagnose(), in the order of KINDS; empty when nothing looks wrong."""

    def __init__(self, findings: list[Finding], examples: int) -> None:
        self._findings = findings
        self.examples = examples

    @overload
    def __getitem__(self, i: int) -> Finding: ...
    @overload
    def __getitem__(self, i: slice) -> list[Finding]: ...
    def __getitem__(self, i: int | slice) -> Finding | list[Finding]:
        return self._findings[i]

    def __len__(self) -> int:
        return len(self._findings)

    def kinds(self) -> list[str]:
        """The kind of each finding, in order."""
        return [f.kind for f in self._findings]

    def _title(self) -> str:
        if not self._findings:
            return f"diagnosis over {self.examples} examples: nothing found wrong"
        n = len(self._findings)
        return f"diagnosis over {self.examples} examples: {n} finding{'s' if n > 1 else ''}"

    def __str__(self) -> str:
        return "\n".join([self._title(), *(f"- {f}" for f in self._findings)])

    def _repr_html_(self) -> str:
        items = "".join(
            f"<li><b>{escape(f.kind)}</b>: <code>{escape(', '.join(f.where))}</code>. {escape(f.meaning)}. "
            f"<i>Try:</i> {escape(f.advice)}.</li>"
            for f in self._findings
        )
        return f'<div class="mg-diagnosis"><p>{escape(self._title())}</p><ul>{items}</ul></div>'

    def __repr__(self) -> str:
        return f"Diagnosis({', '.join(self.kinds()) or 'nothing found'})"


def diagnose(
    model: MLP, X: Sequence[Sequence[Number]], y: Sequence[Target] | None = None, *, loss: Loss | None = None
) -> Diagnosis:
    """What keeps the model from learning on X (and targets y): dead, saturated or identical neurons, bad gradients.

    The gradient checks need y; loss is the batch loss training uses (the quadratic cost by default).
    The parameters' grads are left as they were.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"diagnose() takes an MLP, got {type_name(model)}")
    if not is_sequence(X):
        raise TypeError(f"diagnose(): X must be a sequence of inputs, got {not_a_sequence(X)}")
    X = list(X)
    if not X:
        raise ValueError("diagnose(): X is empty; give the data the model trains on")
    if y is not None:
        if not is_sequence(y):
            raise TypeError(f"diagnose(): y must be a sequence of targets, got {not_a_sequence(y)}")
        y = list(y)
        if len(y) != len(X):
            raise ValueError(f"diagnose(): got {len(X)} inputs but {len(y)} targets")
    if loss is not None and y is None:
        raise ValueError("diagnose(): a loss needs the targets y")
    if not is_grad_enabled():
        raise not_recorded("diagnose()", "it was called")
    findings = _not_finite(model)
    findings += _symmetric(model)
    if findings and findings[0].kind == "not finite":  # a forward pass would only spread the NaN
        return Diagnosis(findings, len(X))
    outputs: list[Value | list[Value]] = []
    z = [[[0.0] * len(layer.neurons) for layer in model.layers] for _ in X]
    slope = [[[1.0] * len(layer.neurons) for layer in model.layers] for _ in X]
    for i, x in enumerate(X):
        outputs.append(model(x))  # each layer keeps the z and a of the last pass: read them now
        for l, layer in enumerate(model.layers):
            for j, (z_j, a_j) in enumerate(zip(layer.z, layer.a)):
                z[i][l][j] = z_j.data
                if a_j is not z_j:
                    slope[i][l][j] = float(a_j._local[0])  # σ'(z), as the engine stored it on the edge
    findings += _dead(model, z)
    findings += _saturated(model, slope, len(X))
    if y is not None:
        findings += _gradients(model, outputs, y, loss)
    return Diagnosis(findings, len(X))


def _not_finite(model: MLP) -> list[Finding]:
    bad = [p for p in model.parameters() if not math.isfinite(p.data)]
    if not bad:
        return []
    return [
        Finding(
            "not finite",
            [f"{p.label} = {p.data!r}" for p in bad],
            "these parameters are NaN or infinite, so every output they reach is too: training diverged, or the "
            "data holds a NaN or ∞",
            "check the data for NaN and ∞, then retrain from a fresh model with a smaller learning rate",
        )
    ]


def _symmetric(model: MLP) -> list[Finding]:
    found = []
    for l, layer in enumerate(model.layers, start=1):
        groups: dict[tuple[float, ...], list[int]] = {}
        for j, n in enumerate(layer.neurons):
            groups.setdefault(tuple(p.data for p in n.parameters()), []).append(j)
        for same in groups.values():
            if len(same) > 1:
                found.append(
                    Finding(
                        "symmetric",
                        [f"a[{l}][{j}]" for j in same],
                        f"these neurons of layer {l} have the same weights and bias, so they compute the same a for "
                        "every input and do the work of one; if the weights out of them are equal too (one value "
                        "for all at the start), they also get the same gradient and gradient descent keeps them "
                        "identical forever",
                        "start from random weights (MLP(..., seed=...) draws them), not from one value for all",
                    )
                )
    return found


def _activation_op(activation: str) -> Op | None:
    """The op of a layer's activation, whose traits say whether it can die or saturate; None for linear."""
    return None if activation == "linear" else OPS[activation]


def _dead(model: MLP, z: list[list[list[float]]]) -> list[Finding]:
    found = []
    for l, layer in enumerate(model.layers):
        op = _activation_op(layer.activation)
        if op is None or op.dead_below is None:
            continue
        edge = op.dead_below  # σ'(z) = 0 for every z ≤ edge
        dead = [j for j in range(len(layer.neurons)) if all(z_x[l][j] <= edge for z_x in z)]
        if dead:
            found.append(
                Finding(
                    f"dead {op.name}",
                    [f"a[{l + 1}][{j}]" for j in dead],
                    f"these {op.name} units have z ≤ {_f(edge)} on all {len(z)} examples: their output is always "
                    f"{_f(op.compute(edge))} and {op.name}'(z) = 0, so no gradient reaches their weights and they "
                    "never come back",
                    "a smaller learning rate, a less negative bias at the start, or leaky_relu, whose slope is never 0",
                    {f"max z of a[{l + 1}][{j}]": max(z_x[l][j] for z_x in z) for j in dead},
                )
            )
    return found


def _saturated(model: MLP, slope: list[list[list[float]]], m: int) -> list[Finding]:
    found = []
    for l, layer in enumerate(model.layers):
        op = _activation_op(layer.activation)
        if op is None or not op.saturates:
            continue
        share = [sum(abs(s[l][j]) < SATURATED for s in slope) / m for j in range(len(layer.neurons))]
        stuck = [j for j, fraction in enumerate(share) if fraction > MOST]
        if stuck:
            found.append(
                Finding(
                    "saturated",
                    [f"a[{l + 1}][{j}]" for j in stuck],
                    f"these {op.name} units sit on the flat part of σ on most examples (|σ'(z)| < "
                    f"{SATURATED} on {', '.join(f'{share[j]:.0%}' for j in stuck)} of them): they pass on almost "
                    "no gradient, so their weights barely move",
                    "scale the inputs to about [-1, 1] and start with smaller weights; a smaller learning rate if "
                    "training pushed them there" + (_output_advice(op.name) if l == len(model.layers) - 1 else ""),
                    {f"saturated share of a[{l + 1}][{j}]": share[j] for j in stuck},
                )
            )
    return found


def _output_advice(activation: str) -> str:
    """For a saturated sigmoid output: the cost whose δ^L = a − y has no σ' to vanish (BP1)."""
    if activation != "sigmoid":
        return ""
    return "; for a sigmoid output, the binary_cross_entropy cost, whose δ = a − y has no σ'(z) to vanish (BP1)"


def _gradients(model: MLP, outputs: list[Value | list[Value]], y: list[Target], loss: Loss | None) -> list[Finding]:
    from micrograd.training.losses import quadratic_cost

    params = model.parameters()
    kept = [p.grad for p in params]
    try:
        model.zero_grad()
        (loss or quadratic_cost)(outputs, y).backward()
        grads = [math.sqrt(sum(p.grad**2 for p in layer.parameters())) for layer in model.layers]
    finally:
        for p, g in zip(params, kept):
            p.grad = g
    weights = [math.sqrt(sum(p.data**2 for p in layer.parameters())) for layer in model.layers]
    largest = max(grads)
    found = []
    if len(model.layers) > 1 and largest > 0.0 and math.isfinite(largest):
        small = [l for l, g in enumerate(grads) if g < VANISHING * largest]
        if small:
            found.append(
                Finding(
                    "vanishing gradient",
                    [f"layer {l + 1}" for l in small],
                    "the gradient reaching these layers is less than "
                    f"{VANISHING:g} of the largest layer's ({', '.join(_f(grads[l]) for l in small)} against "
                    f"{_f(largest)}): backward multiplies it by w·σ'(z) at every layer, and it has shrunk away, "
                    "so these layers hardly learn",
                    _fewer_layers(model),
                    {f"‖∂C/∂w‖ of layer {l + 1}": grads[l] for l in small},
                )
            )
    big = [l for l, g in enumerate(grads) if not math.isfinite(g) or g > EXPLODING * max(1.0, weights[l])]
    if big:
        found.append(
            Finding(
                "exploding gradient",
                [f"layer {l + 1}" for l in big],
                "the gradient of these layers is more than "
                f"{EXPLODING:g} times the size of their weights ({', '.join(_f(grads[l]) for l in big)} against "
                f"{', '.join(_f(weights[l]) for l in big)}): one step of any usual learning rate throws the "
                "weights far off, and training diverges",
                "a learning rate smaller than ‖w‖/‖∂C/∂w‖, inputs scaled to about [-1, 1], or smaller initial weights",
                {f"‖∂C/∂w‖ of layer {l + 1}": grads[l] for l in big},
            )
        )
    return found


def _f(x: float) -> str:
    return format_number(x, 3)


def _fewer_layers(model: MLP) -> str:
    """What to try for a vanishing gradient: fewer layers, and for hidden units that saturate, relu instead."""
    hidden = [layer.activation for layer in model.layers[:-1]]
    saturating = sorted({a for a in hidden if a in OPS and OPS[a].saturates})
    if not saturating:
        return "fewer layers"
    return f"fewer layers, or relu (σ' = 1 where active) instead of {' or '.join(saturating)} in the hidden layers"
