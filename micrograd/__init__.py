"""micrograd: a scalar reverse-mode autodiff engine and tiny neural networks, for teaching."""

from micrograd.anomaly import detect_anomaly
from micrograd.engine import Value, linear, no_grad, topological_order
from micrograd.nn import MLP, Layer, Module, Neuron

__version__ = "0.2.0"
__all__ = ["MLP", "Layer", "Module", "Neuron", "Value", "detect_anomaly", "linear", "no_grad", "topological_order"]
