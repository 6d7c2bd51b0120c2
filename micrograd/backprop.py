"""The former name of micrograd.equations (the closed-form BP1–BP4 oracle), kept so existing code still imports."""

from micrograd.equations import Backprop, BatchGradient, backprop, backprop_batch, sigma, sigma_prime

__all__ = ["Backprop", "BatchGradient", "backprop", "backprop_batch", "sigma", "sigma_prime"]
