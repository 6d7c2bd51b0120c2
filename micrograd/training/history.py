"""History: what fit() measured, epoch by epoch and step by step; fit() returns it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """What fit() measured: after each epoch the loss and accuracy on the whole training set, and each step's loss."""

    loss: list[float] = field(default_factory=list)  # after each epoch, on all of X, under no_grad()
    accuracy: list[float | None] = field(default_factory=list)  # the same, as a fraction; None for a regression
    batch_loss: list[float] = field(default_factory=list)  # each step's mini-batch loss, before its update
    val_loss: list[float] = field(default_factory=list)  # after each epoch, on the validation set (if given)
    val_accuracy: list[float | None] = field(default_factory=list)  # the same, as a fraction

    def __repr__(self) -> str:
        """One line: epochs and steps, the first and last loss and accuracy; the attributes hold every number."""
        if not self.loss:
            return f"History(0 epochs, {len(self.batch_loss)} steps)"
        epochs = "1 epoch" if len(self.loss) == 1 else f"{len(self.loss)} epochs"
        steps = "1 step" if len(self.batch_loss) == 1 else f"{len(self.batch_loss)} steps"
        shown = [f"loss {self.loss[0]:.4g} → {self.loss[-1]:.4g}"]
        if self.accuracy and self.accuracy[0] is not None and self.accuracy[-1] is not None:
            shown.append(f"accuracy {self.accuracy[0]:.1%} → {self.accuracy[-1]:.1%}")
        if self.val_accuracy and self.val_accuracy[0] is not None and self.val_accuracy[-1] is not None:
            shown.append(f"validation accuracy {self.val_accuracy[0]:.1%} → {self.val_accuracy[-1]:.1%}")
        return f"History({epochs}, {steps}: {', '.join(shown)}; see .loss, .accuracy)"
