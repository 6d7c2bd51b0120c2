"""From micrograd to PyTorch and back: an MLP as a ``torch.nn.Sequential`` in float64, the same weights.

``to_torch(mlp)`` builds ``Sequential(Linear, σ, Linear, σ, ...)``: one ``Linear`` per layer, with
``weight[j][k] = w[l][j][k]`` and ``bias[j] = b[l][j]``, each followed by the module that computes
the layer's activation (``MODULES``: ``Tanh``, ``ReLU``, ``GELU(approximate="tanh")``, ...,
``Identity`` for linear). ``from_torch(module)`` reads such a module back into an ``MLP``. Both
copy the float64 numbers exactly, so a round trip gives back the same bits. PyTorch is imported
inside the functions only: micrograd itself runs without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from micrograd.nn import FORMAT_NAME, FORMAT_VERSION, MLP
from micrograd.ops import OPS

if TYPE_CHECKING:
    import torch

__all__ = ["from_torch", "to_torch"]

# micrograd's activation -> the torch.nn module that computes it, and the arguments it must have
MODULES: dict[str, tuple[str, Mapping[str, object]]] = {
    "linear": ("Identity", {}),
    **{op.name: op.torch for op in OPS.values() if op.activation and op.torch},
}


def to_torch(mlp: MLP) -> torch.nn.Sequential:
    """A torch.nn.Sequential in float64 that computes what mlp computes, with the same weights."""
    _torch()
    import torch

    if not isinstance(mlp, MLP):
        raise TypeError(f"to_torch() takes a micrograd MLP, got {type(mlp).__name__}")
    state = mlp.state_dict()
    modules = []
    for activation, weights, biases in zip(state["activations"], state["weights"], state["biases"]):
        # skip_init: no random initialisation to overwrite, so torch's global random state is left alone
        linear = torch.nn.utils.skip_init(torch.nn.Linear, len(weights[0]), len(weights), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        module, arguments = MODULES[activation]
        modules += [linear, getattr(torch.nn, module)(**arguments)]
    return torch.nn.Sequential(*modules)


def from_torch(module: torch.nn.Module) -> MLP:
    """The MLP that computes what module computes: a Sequential of float64 Linear layers, each with an activation.

    Each ``Linear`` (with a bias) may be followed by one of the modules of ``MODULES``, with the
    arguments given there (a ``LeakyReLU(0.2)`` computes another function than micrograd's
    leaky_relu); none means linear. Nested Sequentials are read in order. Anything else (a Conv
    layer, a Dropout, another activation, float32 weights) is a ValueError saying what to change.
    """
    _torch()
    import torch

    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch() takes a torch.nn.Sequential (or Linear), got {type(module).__name__}")
    activations = {getattr(torch.nn, name): activation for activation, (name, _) in MODULES.items()}
    layers: list[tuple[torch.nn.Linear, str | None]] = []  # (Linear, activation or None)
    for i, m in enumerate(_modules(module)):
        if type(m) is torch.nn.Linear:
            layers.append((_check_linear(m, i), None))
        elif isinstance(m, torch.nn.Linear):
            lazy = (
                " (run it once, so that it becomes a Linear)"
                if isinstance(m, torch.nn.modules.lazy.LazyModuleMixin)
                else ""
            )
            raise ValueError(f"module {i} is a {type(m).__name__}, not a torch.nn.Linear{lazy}")
        elif type(m) in activations:
            if not layers or layers[-1][1] is not None:
                where = "before any Linear layer" if not layers else "right after another activation"
                raise ValueError(
                    f"module {i} ({type(m).__name__}) comes {where}: an MLP layer is a Linear and one activation"
                )
            layers[-1] = (layers[-1][0], _check_arguments(m, i, activations[type(m)]))
        else:
            raise ValueError(
                f"module {i} is a {type(m).__name__}, which an MLP has no counterpart for: from_torch() reads Linear "
                f"layers, each followed by one of {', '.join(_written(a) for a in MODULES)} (micrograd's "
                f"{', '.join(MODULES)})"
            )
    if not layers:
        raise ValueError("from_torch(): the module has no Linear layer")
    for l in range(1, len(layers)):
        before, linear = layers[l - 1][0], layers[l][0]
        if linear.in_features != before.out_features:
            raise ValueError(
                f"Linear layer {l} takes {linear.in_features} inputs but layer {l - 1} gives {before.out_features}"
            )
    state = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nin": layers[0][0].in_features,
        "sizes": [linear.out_features for linear, _ in layers],
        "activations": [activation or "linear" for _, activation in layers],
        "weights": [linear.weight.detach().cpu().tolist() for linear, _ in layers],
        "biases": [linear.bias.detach().cpu().tolist() for linear, _ in layers],
    }
    try:
        return MLP.from_state_dict(state)
    except ValueError as e:  # weights that are not finite
        raise ValueError(f"from_torch(): {e}") from None


def _torch() -> None:
    """Import PyTorch, or raise an ImportError saying how to install it."""
    try:
        import torch  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"micrograd.torch_bridge needs PyTorch, which could not be imported ({e}); install it: pip install torch"
        ) from None


def _modules(module: torch.nn.Module) -> list[torch.nn.Module]:
    """The modules that module applies in order: itself, or those of a Sequential (nested ones opened)."""
    import torch

    if type(module) is not torch.nn.Sequential:
        return [module]
    return [m for child in module for m in _modules(child)]


def _check_linear(linear: torch.nn.Linear, i: int) -> torch.nn.Linear:
    import torch

    if linear.bias is None:
        raise ValueError(f"module {i} is a Linear without a bias (bias=False): every micrograd neuron has a bias b")
    for name, p in (("weight", linear.weight), ("bias", linear.bias)):
        if p.is_meta:
            raise ValueError(f"module {i} (Linear) has no values in its {name} (it is on the meta device)")
        if p.dtype != torch.float64:
            raise ValueError(
                f"module {i} (Linear) holds {p.dtype} numbers, micrograd computes in float64 (Python floats): "
                "convert the module with module.double() first (float32 weights convert exactly)"
            )
    return linear


def _written(activation: str) -> str:
    """The module of an activation as it is written: Softplus(beta=1.0, threshold=20.0)."""
    module, arguments = MODULES[activation]
    return f"{module}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


def _check_arguments(module: torch.nn.Module, i: int, activation: str) -> str:
    """activation, if module has the arguments with which it computes micrograd's function; else a ValueError."""
    for key, expected in MODULES[activation][1].items():
        if getattr(module, key) != expected:
            raise ValueError(
                f"module {i} is a {type(module).__name__} with {key}={getattr(module, key)!r}, but micrograd's "
                f"{activation} is {_written(activation)}: no micrograd activation computes the same function"
            )
    return activation
