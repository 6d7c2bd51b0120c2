"""micrograd: a scalar reverse-mode autodiff engine and tiny neural networks, for teaching."""

from micrograd.autodiff.anomaly import detect_anomaly
from micrograd.autodiff.autograd import grad, hessian, hvp
from micrograd.autodiff.forward_mode import Dual, jvp
from micrograd.autodiff.gradcheck import gradcheck, gradgradcheck
from micrograd.engine import Value, linear, no_grad, topological_order
from micrograd.lab.trace import trace_forward_mode
from micrograd.nn import MLP, Layer, Module, Neuron

__version__ = "0.2.0"
__all__ = [
    "MLP",
    "Dual",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "detect_anomaly",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "hvp",
    "jvp",
    "linear",
    "no_grad",
    "topological_order",
    "trace_forward_mode",
]
