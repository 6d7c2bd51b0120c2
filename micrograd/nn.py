"""Neurons, layers and multi-layer perceptrons built from Value.

A neuron computes z = Σ_k w_k·a_k + b as one node and its activation a = σ(z). After a forward
pass, each layer keeps its z and a (as long as the graph is alive), so that after backward()
``layer.z[j].grad`` is δ_j of the backpropagation equations.
"""

from __future__ import annotations

import math
import os
import random
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType

from micrograd import model_file
from micrograd.checks import as_floats, is_int, is_sequence, not_a_sequence
from micrograd.engine import Number, Value, linear_values
from micrograd.model_file import FORMAT as FORMAT  # re-exported: the format is part of nn's API
from micrograd.model_file import FORMAT_NAME as FORMAT_NAME
from micrograd.model_file import FORMAT_VERSION as FORMAT_VERSION
from micrograd.ops import ACTIVATIONS, LINEAR, OPS

Seed = int | random.Random | ModuleType | None  # the module random: Python's global generator, as None


class Module:
    """Anything with parameters."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """a = σ(w·x + b) with σ one of ACTIVATIONS (micrograd.ops); w drawn uniformly from [-1, 1], b = 0.

    ``nonlin`` is micrograd 0.1.0's switch (relu or linear); ``activation`` names any of them.
    ``seed`` is an int, a random.Random, or None for Python's global random (as micrograd 0.1.0).
    """

    def __init__(self, nin: int, nonlin: bool = True, *, activation: str | None = None, seed: Seed = None) -> None:
        nin = _check_size(nin, "Neuron(nin)")
        self.activation = _activation(activation, nonlin)
        rng = _rng(seed)
        self.w = [Value(rng.uniform(-1, 1), f"w[{k}]") for k in range(nin)]
        self.b = Value(0.0, "b")
        self._labels = ("z", "a")
        self.__setstate__(self.__dict__)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_sigma"}  # the method is found again on load

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._sigma = None if self.activation == "linear" else getattr(Value, OPS[self.activation].methods[0])

    @property
    def nonlin(self) -> bool:
        return self.activation != "linear"

    def forward(self, x: Sequence[Value | Number]) -> tuple[Value, Value]:
        """(z, a) for the input x: the pre-activation node and the activation node."""
        x = _as_values(x, len(self.w), "Neuron")
        return self._forward(x, [xk._data for xk in x])

    def _forward(self, x: list[Value], xd: list[float]) -> tuple[Value, Value]:
        z = linear_values(self.w, x, self.b, xd)
        if self._sigma is None:  # linear: a is z
            z._label = self._labels[0]
            return z, z
        a = self._sigma(z)
        z._label, a._label = self._labels  # checked strs: the setter is for users
        return z, a

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        return self.forward(x)[1]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r}): {_parameters(len(self.w) + 1)}"


class Layer(Module):
    """nout neurons reading the same nin inputs; calling it returns their list, or the Value of a single one.

    (A layer of one neuron returns its Value, as in micrograd 0.1.0, so ``Layer(3, 1)(x).backward()`` works.)
    """

    def __init__(
        self, nin: int, nout: int, nonlin: bool = True, *, activation: str | None = None, seed: Seed = None
    ) -> None:
        nin = _check_size(nin, "Layer(nin)")
        nout = _check_size(nout, "Layer(nout)")
        rng = _rng(seed)
        self.neurons = [Neuron(nin, nonlin, activation=activation, seed=rng) for _ in range(nout)]
        self._a: list[weakref.ref[Value]] = []  # the last pass's a_j, weakly: no node outlives its step

    @property
    def activation(self) -> str:
        return self.neurons[0].activation

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        out = self._forward(_as_values(x, len(self.neurons[0].w), "Layer"))  # one leaf per input, shared
        return out[0] if len(out) == 1 else out

    def _forward(self, x: list[Value]) -> list[Value]:
        """The layer on inputs already checked and wrapped as Values, recording its z and a."""
        xd = [xk._data for xk in x]
        a = [n._forward(x, xd)[1] for n in self.neurons]
        self._a = list(map(weakref.ref, a))
        return a

    @property
    def z(self) -> list[Value]:
        """The pre-activation nodes z_j of the last forward pass: each a_j's child (a_j itself for the identity)."""
        z = []
        for neuron, a_j in zip(self.neurons, _alive(self._a, "z")):
            if neuron._sigma is None:
                z.append(a_j)
            elif a_j._prev:
                z.append(a_j._prev[0])
            else:  # computed under no_grad(): a_j records no child, and z_j is gone
                raise _gone("z")
        return z

    @property
    def a(self) -> list[Value]:
        """The activation nodes a_j of the last forward pass."""
        return _alive(self._a, "a")

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_a": []}  # the last pass's graph is not part of the model

    def __repr__(self) -> str:
        nin, nout = len(self.neurons[0].w), len(self.neurons)
        activations = sorted({n.activation for n in self.neurons})  # one, unless a neuron was swapped by hand
        kind = f"activation={activations[0]!r}" if len(activations) == 1 else f"activations={activations!r}"
        return f"Layer({nin}, {nout}, {kind}): {_parameters(nout * (nin + 1))}"


class MLP(Module):
    """A multi-layer perceptron: MLP(nin, [sizes of the layers]).

    Hidden layers use ``activation`` (relu by default), the last layer ``output_activation``
    (linear by default), as in micrograd 0.1.0. Calling it returns a single Value when the last
    layer has one neuron, and a list otherwise.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        seed: Seed = None,
    ) -> None:
        nin = _check_size(nin, "MLP(nin)")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Iterable):
            raise TypeError(f"MLP(nin, nouts): nouts must be a list of layer sizes, got {type(nouts).__name__}")
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP(nin, nouts): nouts must name at least one layer size")
        nouts = [_check_size(size, "MLP layer size") for size in nouts]
        _activation(activation, True)
        _activation(output_activation, True)
        rng = _rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=output_activation if i == last else activation, seed=rng)
            for i in range(len(nouts))
        ]
        self._input_labels = [f"x[{k}]" for k in range(nin)]
        self._name_nodes()

    def _name_nodes(self) -> None:
        """Label parameters and nodes in the notation of the equations: w[l][j][k], b[l][j], z[l][j], a[l][j]."""
        for l, layer in enumerate(self.layers, start=1):
            for j, n in enumerate(layer.neurons):
                for k, w in enumerate(n.w):
                    w.label = f"w[{l}][{j}][{k}]"
                n.b.label = f"b[{l}][{j}]"
                n._labels = (f"z[{l}][{j}]", f"a[{l}][{j}]")

    @property
    def nin(self) -> int:
        return len(self.layers[0].neurons[0].w)

    @property
    def sizes(self) -> list[int]:
        """[nin, n_1, ..., n_L]: the width of every layer, the input included."""
        return [self.nin, *(len(layer.neurons) for layer in self.layers)]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        x = _as_values(x, self.nin, "MLP", self._input_labels)
        for layer in self.layers:  # each layer's output is the next one's input: checked once, here
            x = layer._forward(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def float_function(self) -> Callable[[Sequence[Number]], list[float]]:
        """The network as a function of plain floats, with the weights as they are now: x → [a^L_0, a^L_1, ...].

        No graph: each neuron's z and σ(z) come from the ops' own definitions (micrograd.ops), the
        same float operations in the same order as calling the model, so the outputs are the
        model's, bit for bit. For many forward passes at once (a decision boundary's grid); a later
        change of the weights is not seen: call float_function() again.
        """
        layers = [
            [(tuple(w.data for w in n.w), n.b.data, _sigma_of_floats(n.activation)) for n in layer.neurons]
            for layer in self.layers
        ]
        nin = self.nin

        def forward(x: Sequence[Number]) -> list[float]:
            a = as_floats(x, "the input of MLP.float_function()")
            if len(a) != nin:
                raise ValueError(f"MLP.float_function(): the network takes {nin} inputs, got {len(a)}")
            for neurons in layers:  # each neuron's a = σ(w·a + b), a being the layer before's
                a = [sigma(LINEAR.compute(w, a, b)) for w, b, sigma in neurons]
            return a

        return forward

    def __repr__(self) -> str:
        activations = [layer.activation for layer in self.layers]
        if len(set(activations[:-1])) > 1:  # hidden layers that differ (a model loaded from such a file)
            kinds = f"activations={activations!r}"
        elif len(activations) > 1:
            kinds = f"activation={activations[0]!r}, output_activation={activations[-1]!r}"
        else:
            kinds = f"output_activation={activations[-1]!r}"
        return f"MLP({self.nin}, {self.sizes[1:]}, {kinds}): {_parameters(len(self.parameters()))}"

    def describe(self) -> str:
        """Every neuron, layer by layer, one line each: the listing the one-line repr leaves out."""
        return "\n".join(
            f"layer {l} neuron {j}: {neuron!r}"
            for l, layer in enumerate(self.layers, start=1)
            for j, neuron in enumerate(layer.neurons)
        )

    # -- saving and loading: the file format is micrograd.model_file's ---------------------------

    def state_dict(self) -> model_file.State:
        """The architecture and the weights, as a dict of JSON types (see FORMAT)."""
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "nin": self.nin,
            "sizes": self.sizes[1:],
            "activations": [layer.activation for layer in self.layers],
            "weights": [[[w.data for w in n.w] for n in layer.neurons] for layer in self.layers],
            "biases": [[n.b.data for n in layer.neurons] for layer in self.layers],
        }

    @classmethod
    def from_state_dict(cls, state: Mapping[str, object]) -> MLP:
        """A new MLP with the architecture and weights of ``state``; a ValueError says what is wrong with it."""
        return cls._from_checked_state(*model_file.check_state(state, ACTIVATIONS))

    @classmethod
    def _from_checked_state(
        cls,
        nin: int,
        sizes: list[int],
        activations: list[str],
        weights: list[list[list[float]]],
        biases: list[list[float]],
    ) -> MLP:
        """A new MLP from the parts of a state that model_file.check_state() accepted."""
        model = cls(nin, sizes, activation=activations[0], output_activation=activations[-1], seed=0)
        for i, activation in enumerate(activations):
            if model.layers[i].activation != activation:  # a model whose hidden layers differ
                model.layers[i] = Layer(model.sizes[i], sizes[i], activation=activation, seed=0)
        model._name_nodes()
        for layer, w_l, b_l in zip(model.layers, weights, biases):
            for n, w_j, b_j in zip(layer.neurons, w_l, b_l):
                for w, value in zip(n.w, w_j):
                    w.data = value
                n.b.data = b_j
        return model

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model to ``path`` as JSON, atomically: an interrupted save leaves the old file intact."""
        for p in self.parameters():
            if not math.isfinite(p.data):
                raise ValueError(f"cannot save a model whose parameter {p.label or 'w'} is {p.data!r}")
        model_file.write_atomically(path, model_file.dumps(self.state_dict()))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """The model saved at ``path``; a file that is not a valid model gives a ValueError saying why."""
        return cls._from_checked_state(*model_file.read_state(path, ACTIVATIONS))


def _parameters(n: int) -> str:
    return "1 parameter" if n == 1 else f"{n:,} parameters"


def _activation(name: str | None, nonlin: bool) -> str:
    if name is None:
        if not isinstance(nonlin, bool):
            raise TypeError(f"nonlin must be True or False, got {type(nonlin).__name__}")
        return "relu" if nonlin else "linear"
    if not isinstance(name, str):
        raise TypeError(f"activation must be a str, one of {', '.join(ACTIVATIONS)}; got {type(name).__name__}")
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _rng(seed: Seed) -> random.Random | ModuleType:
    if seed is None or seed is random:
        return random  # the module's functions draw from Python's global generator, as micrograd 0.1.0
    if isinstance(seed, random.Random):
        return seed
    if is_int(seed):
        return random.Random(int(seed))
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")


def _check_size(n: object, what: str) -> int:
    if not is_int(n):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}")
    n = int(n)
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {n}")
    return n


def _as_values(x: Sequence[Value | Number], n: int, who: str, labels: Sequence[str] = ()) -> list[Value]:
    """The n inputs x as Values, numbers wrapped as leaves (labelled from labels, if given)."""
    if not is_sequence(x):
        raise TypeError(f"{who} takes a sequence of {n} inputs, got {not_a_sequence(x)}")
    if len(x) != n:
        raise ValueError(f"{who} expects {n} inputs, got {len(x)}")
    if labels:
        return [xk if isinstance(xk, Value) else Value(xk, label) for xk, label in zip(x, labels)]
    return [xk if isinstance(xk, Value) else Value(xk) for xk in x]


def _sigma_of_floats(activation: str) -> Callable[[float], float]:
    """σ on floats for a neuron's activation, from its op's definition (linear: the identity)."""
    return _identity if activation == "linear" else OPS[activation].compute


def _identity(z: float) -> float:
    return z


def _alive(refs: list[weakref.ref[Value]], name: str) -> list[Value]:
    nodes = [r() for r in refs]
    if not refs or any(node is None for node in nodes):
        raise _gone(name)
    return [node for node in nodes if node is not None]  # every one of them


def _gone(name: str) -> RuntimeError:
    return RuntimeError(
        f"no {name} to show: {name} is kept only while the graph of the last forward pass is alive; "
        "keep a reference to its output (out = model(x)) and read it again"
    )
