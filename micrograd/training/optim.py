"""Optimizers: how the parameters move once backward() has filled in their gradients.

The losses of ``micrograd.training.losses`` are means over a mini-batch of m examples, so after
``loss.backward()`` each parameter's grad is already the average (1/m) Σ_x ∂C_x/∂w. That is
where m enters: ``SGD(params, lr=η).step()`` moves every w by −η · w.grad, which is the update
of the four equations, w → w − (η/m) Σ_x ∂C_x/∂w.

A training step is: ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Protocol

from micrograd.checks import is_number
from micrograd.engine import Number, Value
from micrograd.nn import Module

__all__ = ["SGD", "Adam", "Optimizer", "SupportsStep"]


class SupportsStep(Protocol):
    """An optimizer as fit() and train_step() use it: SGD, Adam, or anything with zero_grad() and step()."""

    def zero_grad(self) -> None: ...
    def step(self) -> None: ...


class Optimizer(ABC):
    """The parameters to update, the learning rate η, zero_grad(), and the step() each optimizer defines."""

    def __init__(self, params: Module | Iterable[Value], lr: Number) -> None:
        self.params = _parameters(params, type(self).__name__)
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate η; it may be changed between steps (a schedule)."""
        return self._lr

    @lr.setter
    def lr(self, lr: Number) -> None:
        self._lr = _real(lr, "lr", type(self).__name__)
        if not self._lr > 0.0:
            raise ValueError(f"{type(self).__name__}: the learning rate lr must be > 0, got {lr!r}")

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0, before the next backward() adds to it."""
        for p in self.params:
            p.grad = 0.0

    @abstractmethod
    def step(self) -> None:
        """Move every parameter, using its .grad."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


class SGD(Optimizer):
    """Stochastic gradient descent: w → w − η·v with v = μ·v + ∂C/∂w (v = ∂C/∂w when momentum μ = 0).

    With the batch-mean losses of micrograd.training.losses, ∂C/∂w = (1/m) Σ_x ∂C_x/∂w, so without momentum
    this is w → w − (η/m) Σ_x ∂C_x/∂w. It is PyTorch's ``torch.optim.SGD(params, lr, momentum)``.
    """

    def __init__(self, params: Module | Iterable[Value], lr: Number, momentum: Number = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _real(momentum, "momentum", "SGD")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """Move every parameter against its gradient."""
        mu, lr = self.momentum, self.lr
        for i, p in enumerate(self.params):
            v = p.grad if mu == 0.0 else mu * self.velocity[i] + p.grad
            self.velocity[i] = v
            p.data -= lr * v

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r})"


class Adam(Optimizer):
    """Adam (Kingma and Ba): each parameter's step is scaled by running averages of its gradient.

    With g = ∂C/∂w at step t:  m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
    w ← w − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).  It is PyTorch's ``torch.optim.Adam``.
    """

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: Number = 0.001,
        betas: tuple[Number, Number] = (0.9, 0.999),
        eps: Number = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (β₁, β₂), got {betas!r}")
        self.betas = (_real(betas[0], "betas[0]", "Adam"), _real(betas[1], "betas[1]", "Adam"))
        for name, beta in zip(("betas[0]", "betas[1]"), self.betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: {name} must be in [0, 1), got {beta!r}")
        self.eps = _real(eps, "eps", "Adam")
        if not self.eps > 0.0:
            raise ValueError(f"Adam: eps must be > 0 (it keeps the step finite where v = 0), got {eps!r}")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """Move every parameter by its bias-corrected, normalised running gradient."""
        self.t += 1
        (b1, b2), lr, eps = self.betas, self.lr, self.eps
        rate = lr / (1.0 - b1**self.t)  # η / (1 − β₁ᵗ)
        root2 = math.sqrt(1.0 - b2**self.t)  # √(1 − β₂ᵗ)
        c1, c2, sqrt, m, v = 1.0 - b1, 1.0 - b2, math.sqrt, self.m, self.v  # locals: this loop runs per weight
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = m_i = b1 * m[i] + c1 * g
            v[i] = v_i = b2 * v[i] + c2 * g * g
            p.data -= rate * (m_i / (sqrt(v_i) / root2 + eps))

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r})"


def _parameters(params: object, who: str) -> list[Value]:
    """A module's parameters, or a list of Values: non-empty, each once."""
    if isinstance(params, Module):
        params = params.parameters()
    elif isinstance(params, (str, bytes, Value)) or not isinstance(params, Iterable):
        raise TypeError(
            f"{who} takes a model or a list of its parameters (Values), got {type(params).__name__}; "
            "for example model.parameters()"
        )
    params = list(params)
    if not params:
        raise ValueError(f"{who}: there are no parameters to optimize")
    seen: set[int] = set()
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: parameters must be Values, got {type(p).__name__} at position {i}")
        if id(p) in seen:
            raise ValueError(f"{who}: parameter {i} ({p!r}) is listed twice; it would be updated twice per step")
        seen.add(id(p))
    return params


def _real(x: object, name: str, who: str) -> float:
    if not is_number(x):
        raise TypeError(f"{who}: {name} must be a real number, got {type(x).__name__}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{who}: {name} must be finite, got {x!r}")
    return x
