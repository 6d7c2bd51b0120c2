"""The exercise mlp: Neuron, Layer and MLP forward, graded against micrograd's MLP with the same weights.

The learner's MLP(nin, nouts) is built as the lecture builds it; the checker then writes micrograd's
weights into it through parameters() (each neuron's w, then its b; neurons in order, layers in order, as
micrograd's MLP lists them) and compares the outputs. The activations are read from the outputs: any of
tanh, relu, sigmoid or none in the hidden layers, and in the last layer.
"""

from __future__ import annotations

import itertools
import random

from micrograd.exercises import solutions
from micrograd.exercises.core import Exercise, Result, close, crashed
from micrograd.nn import MLP
from micrograd.tables import format_number

__all__ = ["ACTIVATIONS", "EXERCISES", "SIZES", "check_mlp"]

SIZES = ((3, (4, 4, 1)), (2, (3, 2)), (1, (1,)), (4, (5, 3, 2)))  # (nin, nouts); the lecture's MLP(3, [4, 4, 1]) first
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")  # what a neuron may apply, as micrograd names them
INPUTS = 3  # inputs per network, seeded
SEED = 47
NAME = "mlp"
Pair = tuple[str, str]  # (the hidden layers' activation, the last layer's)


def floats(out: object) -> list[float]:
    """A network's output (one node, or a list of them) as floats."""
    items = out if isinstance(out, (list, tuple)) else [out]
    return [float(getattr(item, "data", item)) for item in items]  # type: ignore[arg-type]


def sizes_text(nin: int, nouts: tuple[int, ...]) -> str:
    return f"MLP({nin}, {list(nouts)})"


def references(nin: int, nouts: tuple[int, ...], seed: int) -> dict[tuple[str, str], MLP]:
    """micrograd's MLP for every pair (hidden activation, last layer's), all with the same weights."""
    nets = {
        (h, o): MLP(nin, list(nouts), activation=h, output_activation=o, seed=seed)
        for h, o in itertools.product(ACTIVATIONS, ACTIVATIONS)
    }
    rng = random.Random(seed)  # the biases too, which micrograd starts at 0: a forgotten + b must show
    values = [round(rng.uniform(-1.0, 1.0), 3) for _ in nets["tanh", "linear"].parameters()]
    for net in nets.values():
        for p, v in zip(net.parameters(), values):
            p.data = v
    return nets


def count_problem(net: object, nin: int, nouts: tuple[int, ...], want: int) -> Result | None:
    """A Result if parameters() does not list each of the network's Values once, as many as micrograd's."""
    params = list(net.parameters())  # type: ignore[attr-defined]
    if len(params) == want and len({id(p) for p in params}) == want:
        return None
    sizes = [nin, *nouts]
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    line = f"{sizes_text(nin, nouts)}.parameters() gives {len(params)} Values; micrograd's MLP has {want}"
    if len({id(p) for p in params}) < len(params):
        hint = "parameters() lists a Value more than once: each neuron's w and b, once each."
    elif len(params) == weights:
        hint = "Each neuron has a bias b besides its nin weights: nin + 1 parameters per neuron."
    else:
        hint = "parameters() gathers every neuron's w and b, of every neuron of every layer."
    counts = " + ".join(f"{b}·({a} + 1)" for a, b in itertools.pairwise(sizes))
    return Result(
        NAME, False, [line, f"{counts} = {want}: a weight per input and a bias, for every neuron"], mistake=hint
    )


def run(
    net: object, nin: int, nouts: tuple[int, ...], refs: dict[tuple[str, str], MLP], rng: random.Random
) -> Result | set[tuple[str, str]]:
    """The activation pairs whose outputs match on every input, or the Result naming the first difference."""
    params = list(net.parameters())  # type: ignore[attr-defined]
    some = next(iter(refs.values()))
    for p, r in zip(params, some.parameters()):
        p.data = r.data
    matching = set(refs)
    for _ in range(INPUTS):
        x = [round(rng.uniform(-2.0, 2.0), 2) for _ in range(nin)]
        given = floats(net(x))  # type: ignore[operator]
        fits = {pair for pair in matching if _same(given, floats(refs[pair](x)))}
        if not fits:
            return _differs(net, nin, nouts, refs, matching, x, given)
        matching = fits
    return matching


def _same(given: list[float], want: list[float]) -> bool:
    return len(given) == len(want) and all(close(g, w) for g, w in zip(given, want))


def _differs(
    net: object,
    nin: int,
    nouts: tuple[int, ...],
    refs: dict[Pair, MLP],
    matching: set[Pair],
    x: list[float],
    given: list[float],
) -> Result:
    """The Result for an output that no activation explains: against the lecture's tanh (or the pair left)."""
    pair = ("tanh", "linear") if ("tanh", "linear") in matching else sorted(matching)[0]
    want = floats(refs[pair](x))
    shown = ", ".join(format_number(g, 6) for g in given)
    expected = ", ".join(format_number(w, 6) for w in want)
    feedback = [
        f"{sizes_text(nin, nouts)} on x = {x}: output {shown}, expected {expected}",
        f"micrograd's MLP with the same weights, {pair[0]} in the hidden layers and {pair[1]} in the last",
    ]
    if len(given) != len(want):
        return Result(
            NAME,
            False,
            feedback,
            mistake="The network gives one output per neuron of its last layer "
            "(a single Value when there is one, as the lecture's Layer does).",
        )
    linear = floats(refs[("linear", "linear")](x))
    hint = None
    if _same(given, linear) and pair != ("linear", "linear"):
        hint = "The neurons give w·x + b without an activation: apply it (tanh in the lecture) to w·x + b."
    elif all(abs(g) < 1e-12 for g in given):
        hint = "The output is 0: each neuron sums w_i·x_i over its inputs, plus b."
    return Result(
        NAME,
        False,
        feedback,
        mistake=hint or order_hint(net, nin) or "Compare one neuron by hand: a = σ(Σ_i w_i·x_i + b).",
    )


def order_hint(net: object, nin: int) -> str | None:
    """The hint for parameters() in another order than micrograd's, where the lecture's attributes show it."""
    try:
        neuron = net.layers[0].neurons[0]  # type: ignore[attr-defined]
        params = list(net.parameters())  # type: ignore[attr-defined]
        if params[nin] is neuron.b:
            return None
    except (AttributeError, IndexError, TypeError):
        return None
    return "parameters() lists each neuron's weights first, then its bias: self.w + [self.b], as micrograd's."


def check_mlp(cls: object) -> Result:
    """Grade the learner's MLP class: its parameter count, and its outputs against micrograd's MLP."""
    if not isinstance(cls, type):
        return Result(NAME, False, [f"expected the class MLP itself, got {type(cls).__name__}"])
    rng = random.Random(SEED)
    matching = set(itertools.product(ACTIVATIONS, ACTIVATIONS))
    for i, (nin, nouts) in enumerate(SIZES):
        refs = references(nin, nouts, SEED + i)
        try:
            net = cls(nin, list(nouts))
            problem = count_problem(net, nin, nouts, len(refs[("tanh", "linear")].parameters()))
            if problem is not None:
                return problem
            found = run(net, nin, nouts, {p: refs[p] for p in matching}, rng)
        except Exception as error:
            return crashed(NAME, f"{sizes_text(nin, nouts)} on its inputs", error)
        if isinstance(found, Result):
            return found
        matching = found
    if all(h == "linear" for h, _ in matching):
        line = "the hidden neurons apply no activation: a stack of linear layers is one linear map"
        return Result(
            NAME, False, [line], mistake="Apply the activation to w·x + b in every hidden neuron (tanh in the lecture)."
        )
    hidden = sorted({h for h, _ in matching if h != "linear"}, key=ACTIVATIONS.index)
    last = sorted({o for _, o in matching}, key=ACTIVATIONS.index)
    line = f"the outputs of {len(SIZES)} networks agree with micrograd's MLP with the same weights"
    remark = f"your neurons apply {' or '.join(hidden)} in the hidden layers and {' or '.join(last)} in the last"
    return Result(NAME, True, [line, "and so do the parameter counts"], remarks=[remark])


EXERCISES = (
    Exercise(
        name="mlp",
        summary="Neuron, Layer and MLP: a network's forward pass with your Value",
        write="class Neuron, class Layer, class MLP(nin, nouts)",
        statement=(
            "Write Neuron(nin), Layer(nin, nout) and MLP(nin, nouts) as the lecture does, with your Value (or "
            "micrograd's): a neuron computes σ(Σ_i w_i·x_i + b), a layer is a list of neurons reading the same "
            "inputs, an MLP feeds each layer's outputs to the next; calling MLP(3, [4, 4, 1]) on a list of 3 floats "
            "gives one Value (a list when the last layer has more neurons). parameters() lists each neuron's "
            "weights, then its bias, neuron after neuron, layer after layer. The checker writes micrograd's "
            "weights into your parameters in that order, and compares the outputs with micrograd's MLP; it "
            "recognises the activation you chose (tanh as in the lecture, relu as micrograd 0.1.0, sigmoid, none)."
        ),
        starter=solutions.MLP_STARTER,
        solution=solutions.MLP,
        hints=(
            "A neuron: sum((wi * xi for wi, xi in zip(self.w, x)), self.b), then .tanh().",
            "A layer calls each of its neurons on the same x; an MLP calls its layers one after another.",
            "parameters(): a neuron's self.w + [self.b]; a layer's, every neuron's in turn; the MLP's, every layer's.",
        ),
        checker=check_mlp,
    ),
)
