"""Training that diverged: a loss that is NaN or ∞, or an overflow, stops training with what to try.

Both train_step() and the compiled steps of fit(compiled=True) check each step's loss before the
update, so a NaN or ∞ never reaches the weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["check_finite", "diverging"]


@contextmanager
def diverging(optimizer: object) -> Iterator[None]:
    """Report an overflow in the block as what it most likely is: a learning rate too large (a FloatingPointError)."""
    try:
        yield
    except OverflowError as e:
        lr = getattr(optimizer, "lr", "?")
        raise FloatingPointError(f"{e}: training diverged? try a smaller learning rate (lr = {lr})") from e


def check_finite(loss: float, of: str, optimizer: object) -> None:
    """A FloatingPointError if the loss ``of`` something (this mini-batch, the training set) is NaN or ∞."""
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"the loss of {of} is {loss!r}: check the data for NaN or ∞; if the loss grew over the epochs, "
            f"training diverged: try a smaller learning rate (lr = {getattr(optimizer, 'lr', '?')})"
        )
