"""The mini-batch ledger: one step of SGD, w → w − (η/m) Σ_x ∂C_x/∂w, written out parameter by parameter.

explain_update(model, X, y, lr) computes, with the engine, each example's gradient ∂C_x/∂w (backward()
of that example's cost alone), their sum over the batch, the factor η/m, and the new weight. The step
it shows is the one SGD takes: η times w.grad after backward() of the batch's mean loss, so the new
weights are those of ``SGD(params, lr).step()``, bit for bit. (backward() of the mean meets 1/m at the
root and carries it down every path, so η·w.grad can differ from (η/m)·Σ in the last bit of a float.)

With reduction="sum" the loss is the sum of the examples' costs: w.grad is then Σ_x ∂C_x/∂w itself and
the factor is η, m times larger: the effective learning rate of a summed loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from micrograd.checks import is_number, is_sequence, not_a_sequence, not_recorded, type_name
from micrograd.engine import Number, Value, is_grad_enabled
from micrograd.lab.viz import check_digits
from micrograd.tables import format_number, html_table, text_table
from micrograd.training.losses import quadratic_cost
from micrograd.training.metrics import Loss, Model, Target

__all__ = ["Ledger", "LedgerRow", "explain_update"]

REDUCTIONS = ("mean", "sum")
SHOWN_EXAMPLES = 6  # example columns a table shows; the rows hold all of them


@dataclass(frozen=True)
class LedgerRow:
    """One parameter's line of the ledger."""

    name: str
    w: float  # the weight before the step
    per_example: list[float]  # ∂C_x/∂w for each example x of the batch, in order
    total: float  # Σ_x ∂C_x/∂w
    grad: float  # w.grad after backward() of the batch loss: (1/m) Σ for a mean, Σ for a sum
    factor: float  # η/m for a mean loss, η for a sum
    step: float  # η · w.grad: how far SGD moves w
    new: float  # w − step: the weight after SGD's step


class Ledger:
    """One SGD step on a mini-batch, parameter by parameter; prints as a table, shows as HTML in Jupyter."""

    def __init__(self, rows: list[LedgerRow], lr: float, m: int, reduction: str, cost: float, digits: int) -> None:
        self.rows = rows
        self.lr, self.m, self.reduction, self.cost, self.digits = lr, m, reduction, cost, digits

    @property
    def factor(self) -> float:
        """η/m for a mean loss, η for a summed one: what multiplies Σ_x ∂C_x/∂w."""
        return self.lr / self.m if self.reduction == "mean" else self.lr

    def new_weights(self) -> dict[str, float]:
        """Each parameter's weight after the step, by name."""
        return {row.name: row.new for row in self.rows}

    def summary(self) -> str:
        """The update rule with this step's η, m and factor."""
        f = self._f
        if self.reduction == "mean":
            return (
                f"one SGD step: w → w − (η/m) Σ_x ∂C_x/∂w with η = {f(self.lr)}, m = {self.m}: η/m = {f(self.factor)}. "
                f"The loss is the batch's mean C = (1/m) Σ_x C_x = {f(self.cost)}, so backward() leaves "
                "(1/m) Σ_x ∂C_x/∂w in w.grad and SGD moves w by η·w.grad"
            )
        return (
            f"one SGD step: w → w − η Σ_x ∂C_x/∂w with η = {f(self.lr)}, m = {self.m}. The loss is the batch's sum "
            f"C = Σ_x C_x = {f(self.cost)}, so w.grad is Σ_x ∂C_x/∂w and each step is m = {self.m} times that of "
            f"the mean: the same η is an effective learning rate of {f(self.lr * self.m)} for the mean"
        )

    def _header(self) -> list[str]:
        shown = min(self.m, SHOWN_EXAMPLES)
        examples = [f"∂C_{i + 1}/∂w" for i in range(shown)]
        if self.m > shown:
            examples.append("…")
        factor = "η/m" if self.reduction == "mean" else "η"
        return ["parameter", "w", *examples, "Σ_x", factor, f"{factor}·Σ_x", "new w"]

    def _rows(self) -> list[list[str]]:
        f = self._f
        shown = min(self.m, SHOWN_EXAMPLES)
        rows = []
        for r in self.rows:
            examples = [f(g) for g in r.per_example[:shown]] + (["…"] if self.m > shown else [])
            rows.append([r.name, f(r.w), *examples, f(r.total), f(r.factor), f(r.step), f(r.new)])
        return rows

    def __str__(self) -> str:
        return self.summary() + "\n\n" + text_table(self._header(), self._rows())

    def _repr_html_(self) -> str:
        table = html_table(self.summary(), self._header(), self._rows())
        padded = 'style="padding: 0.15em 0.6em; white-space: nowrap; '  # inline: an untrusted notebook keeps no <style>
        return table.replace('<td style="', "<td " + padded).replace('<th style="', "<th " + padded)

    def __repr__(self) -> str:
        return f"Ledger({len(self.rows)} parameters, m={self.m}, lr={self.lr!r}, reduction={self.reduction!r})"

    def _f(self, x: float) -> str:
        return format_number(x, self.digits)


def explain_update(
    model: Model,
    X: Sequence[Sequence[Number]],
    y: Sequence[Target],
    lr: Number,
    *,
    loss: Loss = quadratic_cost,
    reduction: str = "mean",
    params: Sequence[Value | str] | None = None,
    digits: int = 4,
) -> Ledger:
    """The ledger of one SGD step with learning rate lr on the batch (X, y); the model is not changed.

    loss(outputs, targets) is a batch-mean loss of micrograd.training.losses (the quadratic cost by default);
    reduction="sum" sums the examples' costs instead. params picks the parameters to show (Values of
    the model, or their labels such as "w[1][0][1]"); all of them by default. Like backward(), it leaves
    the batch loss's gradients in the parameters' .grad.
    """
    every = _parameters_of(model)
    X, y = _examples(X, y)
    eta = _learning_rate(lr, reduction, loss)
    chosen = every if params is None else _chosen(params, every)
    digits = check_digits(digits)
    m = len(X)
    outputs = [model(x) for x in X]
    costs = [loss([o], [t]) for o, t in zip(outputs, y)]  # C_x: each example's cost, a mean over one
    batch = loss(outputs, y) if reduction == "mean" else sum(costs[1:], costs[0])
    per_example = _per_example_grads(costs, every, chosen)
    for p in every:
        p.grad = 0.0
    batch.backward()
    factor = eta / m if reduction == "mean" else eta
    rows = []
    for i, p in enumerate(chosen):
        grads = [g[i] for g in per_example]
        step = eta * p.grad  # exactly SGD's: p.data -= lr * p.grad
        rows.append(
            LedgerRow(
                name=p.label or f"parameter {every.index(p)}",
                w=p.data,
                per_example=grads,
                total=sum(grads),
                grad=p.grad,
                factor=factor,
                step=step,
                new=p.data - step,
            )
        )
    return Ledger(rows, eta, m, reduction, batch.data, digits)


def _parameters_of(model: object) -> list[Value]:
    """The model's parameters, all of them, once it is checked to be a model (and the graph is recorded)."""
    if not is_grad_enabled():
        raise not_recorded("explain_update()", "it was called")
    if not callable(model):
        raise TypeError(f"explain_update: model must be callable (an MLP), got {type_name(model)}")
    parameters = getattr(model, "parameters", None)
    if not callable(parameters):
        raise TypeError(f"explain_update: the model needs parameters() (an MLP), got {type_name(model)}")
    return list(parameters())


def _examples(X: Sequence[Sequence[Number]], y: Sequence[Target]) -> tuple[list[Sequence[Number]], list[Target]]:
    """The batch as two lists of the same length, one entry per example, checked."""
    for data, what in ((X, "X (the inputs)"), (y, "y (the targets)")):
        if not is_sequence(data):
            raise TypeError(
                f"explain_update: {what} must be a sequence, one entry per example; got {not_a_sequence(data)}"
            )
    inputs, targets = list(X), list(y)
    if len(inputs) != len(targets):
        raise ValueError(
            f"explain_update: got {len(inputs)} inputs but {len(targets)} targets; give one target per input"
        )
    if not inputs:
        raise ValueError("explain_update: the batch is empty; give at least one example")
    return inputs, targets


def _learning_rate(lr: object, reduction: object, loss: object) -> float:
    """η as a float, once lr, reduction and loss are checked."""
    if not is_number(lr) or not float(lr) > 0:
        raise ValueError(f"explain_update: the learning rate lr must be a number > 0, got {lr!r}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"explain_update: reduction must be one of {', '.join(REDUCTIONS)}; got {reduction!r}")
    if not callable(loss):
        raise TypeError(f"explain_update: loss must be a function (outputs, targets) -> Value, got {type_name(loss)}")
    return float(lr)


def _per_example_grads(costs: list[Value], every: list[Value], chosen: list[Value]) -> list[list[float]]:
    """∂C_x/∂w for each example x (a row) and each chosen parameter w: backward() of C_x alone, from zero grads."""
    per_example: list[list[float]] = []
    for c in costs:
        for p in every:
            p.grad = 0.0
        c.backward()
        per_example.append([p.grad for p in chosen])
    return per_example


def _chosen(params: object, every: list[Value]) -> list[Value]:
    """The parameters named by params (Values of the model, or their labels), in the order given."""
    if isinstance(params, (str, Value)) or not is_sequence(params):
        raise TypeError("explain_update: params must be a list of the model's parameters (Values or their labels)")
    by_label = {p.label: p for p in every if p.label}
    chosen = []
    for p in params:
        if isinstance(p, str):
            if p not in by_label:
                raise ValueError(f"explain_update: the model has no parameter labelled {p!r}")
            chosen.append(by_label[p])
        elif isinstance(p, Value) and any(p is q for q in every):
            chosen.append(p)
        else:
            raise ValueError(f"explain_update: {p!r} is not one of the model's parameters")
    if not chosen:
        raise ValueError("explain_update: params is empty; leave it out to show every parameter")
    return chosen
