"""The exercise backprop: BP1–BP4 in plain floats, in Nielsen's interface, graded against the engine's graph.

The learner writes ``backprop(weights, biases, x, y) -> (nabla_b, nabla_w)`` for sigmoid neurons and the
quadratic cost C = ½‖a^L − y‖². The checker builds the same network with micrograd's MLP, runs backward()
and reads every weight's and bias's grad: that is the truth. A difference is named by the equation it
comes from, checked in the order backpropagation itself goes: the output layer's nabla_b (BP1, with BP3),
the earlier layers' nabla_b (BP2), then nabla_w once nabla_b is right (BP4).
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from micrograd.checks import is_number, is_sequence, type_name
from micrograd.exercises.core import Exercise, Result, all_close, close, crashed
from micrograd.model_file import FORMAT_NAME, FORMAT_VERSION
from micrograd.nn import MLP
from micrograd.ops import OPS
from micrograd.training.losses import quadratic_cost

__all__ = ["EXERCISES", "SIZES", "Truth", "check_backprop", "engine_backprop", "random_network"]

NAME = "backprop"
# The networks checked, in order: the first has square weight matrices, where a BP2 that forgets the
# transpose gives numbers (elsewhere it runs past the end of a row); one layer only; then deeper ones.
SIZES = ([3, 3, 3], [3, 2], [2, 3, 1], [2, 4, 3, 2], [1, 2, 2, 2, 1])
Vector = list[float]
Matrix = list[list[float]]

STATEMENT = """\
Write backprop(weights, biases, x, y), the function at the end of chapter 2 of Nielsen's book, in plain floats.
The network has sigmoid neurons; weights[l][j][k] is the weight into neuron j of layer l+1 from neuron k of
layer l (layer 0 is the input x), biases[l][j] the bias of neuron j of layer l+1. For one example (x, y) and the
cost C = ½‖a^L − y‖², return (nabla_b, nabla_w): nabla_b[l][j] = ∂C/∂biases[l][j] and
nabla_w[l][j][k] = ∂C/∂weights[l][j][k], lists shaped like biases and weights.
Forward pass first (keep every z and every activation), then the four equations:
BP1 δ^L = (a^L − y) ⊙ σ′(z^L);  BP2 δ^l = ((w^(l+1))ᵀ δ^(l+1)) ⊙ σ′(z^l);  BP3 ∂C/∂b^l_j = δ^l_j;
BP4 ∂C/∂w^l_jk = a^(l−1)_k δ^l_j.  The check compares your gradients with backward() on the same network."""

STARTER = '''\
import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def backprop(weights, biases, x, y):
    """(nabla_b, nabla_w) for one example: ∂C/∂b and ∂C/∂w, shaped like biases and weights."""
    nabla_b = [[0.0 for b_j in b] for b in biases]
    nabla_w = [[[0.0 for w_jk in w_j] for w_j in w] for w in weights]
    # The forward pass: keep every z and every activation, x being the first activation.
    # The backward pass: BP1 for the last layer, BP2 for each layer before it; BP3 and BP4 give the gradients.
    return nabla_b, nabla_w
'''

SOLUTION = '''\
import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def backprop(weights, biases, x, y):
    """(nabla_b, nabla_w) for one example: ∂C/∂b and ∂C/∂w, shaped like biases and weights."""
    # The forward pass: every weighted input z and every activation, x being the first activation.
    activation = list(x)
    activations = [activation]
    zs = []
    for w, b in zip(weights, biases):
        z = [sum(w_jk * a_k for w_jk, a_k in zip(w_j, activation)) + b_j for w_j, b_j in zip(w, b)]
        zs.append(z)
        activation = [sigmoid(z_j) for z_j in z]
        activations.append(activation)
    # The backward pass, from the output layer towards the input.
    nabla_b = [None] * len(biases)
    nabla_w = [None] * len(weights)
    delta = [(a_j - y_j) * sigmoid_prime(z_j) for a_j, y_j, z_j in zip(activations[-1], y, zs[-1])]  # BP1
    for l in range(1, len(weights) + 1):  # l counts layers from the end: 1 is the output layer
        if l > 1:  # BP2: the transpose of the next layer's weights, so the sum runs over its neurons j
            w, z = weights[-l + 1], zs[-l]
            delta = [sum(w[j][k] * delta[j] for j in range(len(w))) * sigmoid_prime(z[k]) for k in range(len(z))]
        nabla_b[-l] = delta  # BP3
        nabla_w[-l] = [[a_k * delta_j for a_k in activations[-l - 1]] for delta_j in delta]  # BP4
    return nabla_b, nabla_w
'''

HINTS = (
    "Do the forward pass first and keep two lists: zs (every layer's weighted inputs) and activations "
    "(x first, then every layer's σ(z)). Every equation reads them.",
    "Start at the output layer: BP1 gives δ^L_j = (a^L_j − y_j)·σ′(z^L_j), and BP3 says nabla_b of that layer is δ.",
    "BP2 goes one layer back: δ^l_k = σ′(z^l_k)·Σ_j w^(l+1)_jk δ^(l+1)_j. The sum runs over j, the neurons of the "
    "layer AFTER, so it reads the column k of the next layer's weights: weights[l][j][k] with j varying.",
    "BP4: nabla_w[l][j][k] = δ_j times the activation k of the layer BEFORE (activations[l], x for the first "
    "layer), a product of an a and a δ, never of a z.",
)


@dataclass(frozen=True)
class Truth:
    """A network's gradients from the engine (nabla_b, nabla_w) and its forward pass, in Nielsen's indexing."""

    sizes: list[int]
    y: Vector
    zs: list[Vector]  # zs[l][j]: the weighted input of neuron j of layer l+1
    activations: list[Vector]  # activations[0] = x, activations[l+1] = σ(zs[l])
    nabla_b: list[Vector]  # ∂C/∂b, which is δ
    nabla_w: list[Matrix]


def random_network(sizes: Sequence[int], seed: int) -> tuple[list[Matrix], list[Vector], Vector, Vector]:
    """(weights, biases, x, y) for a network of the given sizes, drawn from random.Random(seed)."""
    rng = random.Random(seed)
    weights = [[[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(n)] for n_in, n in itertools.pairwise(sizes)]
    biases = [[rng.uniform(-1, 1) for _ in range(n)] for n in sizes[1:]]
    x = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    y = [rng.uniform(0, 1) for _ in range(sizes[-1])]
    return weights, biases, x, y


def engine_backprop(weights: list[Matrix], biases: list[Vector], x: Vector, y: Vector) -> Truth:
    """The network as micrograd's MLP of sigmoid neurons, C = ½‖a^L − y‖² and C.backward(): every grad read back."""
    sizes = [len(x), *(len(b) for b in biases)]
    state = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nin": sizes[0],
        "sizes": sizes[1:],
        "activations": ["sigmoid"] * len(biases),
        "weights": weights,
        "biases": biases,
    }
    model = MLP.from_state_dict(state)
    out = model(x)
    cost = quadratic_cost([out if isinstance(out, list) else [out]], [y])
    cost.backward()
    return Truth(
        sizes,
        list(y),
        [[z.data for z in layer.z] for layer in model.layers],
        [list(x), *([a.data for a in layer.a] for layer in model.layers)],
        [[n.b.grad for n in layer.neurons] for layer in model.layers],
        [[[w.grad for w in n.w] for n in layer.neurons] for layer in model.layers],
    )


def sigma_prime(z: float) -> float:
    """σ′(z) of the sigmoid, from the op's own definition in micrograd.ops."""
    sigmoid = OPS["sigmoid"]
    return float(sigmoid.derivatives(sigmoid.compute(z), z)[0])


def _nested_floats(obj: object, shape: Sequence[int]) -> object:
    """obj as nested lists of floats if it has the given shape (lengths, outermost first), else None."""
    if not shape:
        return float(obj) if is_number(obj) else None
    if not is_sequence(obj) or len(obj) != shape[0]:
        return None
    inner = [_nested_floats(item, shape[1:]) for item in obj]
    return None if any(item is None for item in inner) else inner


def _read_answer(got: object, sizes: list[int]) -> tuple[list[Vector], list[Matrix]] | Result:
    """The learner's (nabla_b, nabla_w) as floats, or a Result saying how their shape differs from the expected."""
    if not is_sequence(got) or len(got) != 2:
        return _fail(f"backprop must return a pair (nabla_b, nabla_w), got {type_name(got)}")
    L = len(sizes) - 1
    b_shapes = [[n] for n in sizes[1:]]
    w_shapes = [[n, n_in] for n_in, n in itertools.pairwise(sizes)]
    first, second = got
    if not _shaped(first, b_shapes) and _shaped(first, w_shapes) and _shaped(second, b_shapes):
        return _fail("backprop returned (nabla_w, nabla_b): the order is (nabla_b, nabla_w), biases first")
    if not is_sequence(first) or len(first) != L or not is_sequence(second) or len(second) != L:
        return _fail(f"nabla_b and nabla_w must each have one entry per layer: {L} for sizes {sizes}")
    for l in range(L):
        if _nested_floats(first[l], b_shapes[l]) is None:
            return _fail(
                f"nabla_b[{l}] must be {sizes[l + 1]} numbers, one per neuron of layer {l + 1}, like biases[{l}]"
            )
        if _nested_floats(second[l], w_shapes[l]) is None:
            transposed = _nested_floats(second[l], w_shapes[l][::-1]) is not None
            return _fail(
                f"nabla_w[{l}] must be {sizes[l + 1]} rows of {sizes[l]} numbers, like weights[{l}]"
                + (f"; yours is {sizes[l]} rows of {sizes[l + 1]}: its indices are transposed" if transposed else ""),
                mistake=TRANSPOSED_W if transposed else None,
            )
    nabla_b = [cast(Vector, _nested_floats(b, s)) for b, s in zip(first, b_shapes)]  # their shapes checked above
    return nabla_b, [cast(Matrix, _nested_floats(w, s)) for w, s in zip(second, w_shapes)]


def _shaped(obj: object, shapes: list[list[int]]) -> bool:
    return (
        is_sequence(obj)
        and len(obj) == len(shapes)
        and all(_nested_floats(o, s) is not None for o, s in zip(obj, shapes))
    )


def _fail(line: str, *more: str, mistake: str | None = None) -> Result:
    return Result(NAME, False, [line, *more], mistake=mistake)


SIGMA_PRIME_MISSING = (
    "σ′(z) is missing: δ is ∂C/∂z, not ∂C/∂a, so the chain rule multiplies by σ′(z) = ∂a/∂z, in BP1 and in BP2."
)
SIGN = "a sign is flipped: ∂C/∂a^L = a^L − y, not y − a^L (gradient descent subtracts the gradient later, not here)."
SIGN_BACK = (
    "a sign is flipped: no minus sign belongs in BP2 or BP4 (gradient descent subtracts the gradient later, not here)."
)
SIGMA_PRIME_OF_A = (
    "σ′ is taken of a instead of z: σ′(z) = σ(z)(1 − σ(z)), so sigmoid_prime(a) is σ′ of the wrong number."
)
NOT_TRANSPOSED = (
    "the weight matrix is not transposed in BP2: δ_k sums w_jk·δ_j over j, the neurons of the layer after, "
    "so it reads the next layer's weights down column k (w[j][k] for every j), not along row k."
)
TRANSPOSED_W = (
    "nabla_w's indices are transposed: nabla_w[l][j][k] is ∂C/∂weights[l][j][k], the δ of neuron j (which the "
    "weight goes into) times the activation of neuron k (which it comes from)."
)
Z_FOR_A = "BP4 uses z instead of a: ∂C/∂w_jk = a_k·δ_j, the activation (after σ) of the neuron the weight comes from."
WRONG_LAYER_A = (
    "BP4 reads the activations of the wrong layer: nabla_w[l] takes activations[l], those of the layer the "
    "weights come from (x itself for nabla_w[0])."
)
INDEX_ERROR = (
    "an index ran past the end of a list: weights[l] has one row per neuron j of layer l+1 and one column per "
    "neuron k of layer l; in BP2 the sum over j reads weights[l][j][k] with k fixed (the transpose)."
)


def _first_difference(got: Sequence[float], expected: Sequence[float]) -> int:
    return next(i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e))


def _recognised(got: Sequence[float], slips: dict[str, list[float]]) -> str | None:
    """The classic mistake whose numbers the learner's are, if any."""
    return next((mistake for mistake, numbers in slips.items() if all_close(got, numbers)), None)


def _flat(m: Matrix) -> list[float]:
    return [v for row in m for v in row]


def _check_bp1(nabla_b: list[Vector], t: Truth) -> Result | None:
    """The output layer's nabla_b against δ^L: BP1, read through BP3."""
    L = len(t.nabla_b)
    got, expected = nabla_b[-1], t.nabla_b[-1]
    if all_close(got, expected):
        return None
    a, z, y = t.activations[-1], t.zs[-1], t.y
    slips = {
        SIGMA_PRIME_MISSING: [a_j - y_j for a_j, y_j in zip(a, y)],
        SIGN: [-d for d in expected],
        SIGMA_PRIME_OF_A: [(a_j - y_j) * sigma_prime(a_j) for a_j, y_j in zip(a, y)],
    }
    j = _first_difference(got, expected)
    return _fail(
        f"BP1 is wrong at the output layer {L}, neuron {j}: nabla_b[{L - 1}][{j}] should be δ[{L}][{j}] = "
        f"{expected[j]:.6g}, yours is {got[j]:.6g}",
        f"BP1: δ[{L}][{j}] = (a[{L}][{j}] − y[{j}])·σ′(z[{L}][{j}]) = ({a[j]:.6g} − {y[j]:.6g})·σ′({z[j]:.6g}) = "
        f"{a[j] - y[j]:.6g}·{sigma_prime(z[j]):.6g}, and BP3 makes it ∂C/∂b of that neuron",
        mistake=_recognised(got, slips),
    )


def _check_bp2(nabla_b: list[Vector], t: Truth, weights: list[Matrix]) -> Result | None:
    """Each earlier layer's nabla_b against its δ, from the output towards the input: BP2, given the layer after."""
    for l in range(len(t.nabla_b) - 2, -1, -1):
        got, expected = nabla_b[l], t.nabla_b[l]
        if all_close(got, expected):
            continue
        after, w, z, a = t.nabla_b[l + 1], weights[l + 1], t.zs[l], t.activations[l + 1]
        back = [sum(w[j][k] * after[j] for j in range(len(after))) for k in range(len(z))]
        slips = {
            SIGMA_PRIME_MISSING: back,
            SIGN_BACK: [-d for d in expected],
            SIGMA_PRIME_OF_A: [back_k * sigma_prime(a_k) for back_k, a_k in zip(back, a)],
        }
        if len(w) == len(z):  # square: the untransposed sum has numbers to compare
            slips[NOT_TRANSPOSED] = [
                sum(w[k][j] * after[j] for j in range(len(after))) * sigma_prime(z[k]) for k in range(len(z))
            ]
        k = _first_difference(got, expected)
        return _fail(
            f"BP2 is wrong at layer {l + 1}, neuron {k}: nabla_b[{l}][{k}] should be δ[{l + 1}][{k}] = "
            f"{expected[k]:.6g}, yours is {got[k]:.6g}",
            f"BP2: δ[{l + 1}][{k}] = σ′(z[{l + 1}][{k}])·Σ_j w[{l + 2}][j][{k}]·δ[{l + 2}][j], with the weights "
            f"weights[{l + 1}] and the δ of layer {l + 2}, nabla_b[{l + 1}], which is right",
            mistake=_recognised(got, slips),
        )
    return None


def _check_bp4(nabla_w: list[Matrix], t: Truth) -> Result | None:
    """Each layer's nabla_w against a·δ, once every δ is right: BP4, from the output towards the input."""
    for l in range(len(t.nabla_w) - 1, -1, -1):
        got, expected = _flat(nabla_w[l]), _flat(t.nabla_w[l])
        if all_close(got, expected):
            continue
        delta, before, after = t.nabla_b[l], t.activations[l], t.activations[l + 1]
        slips = {SIGN_BACK: [-e for e in expected]}
        if len(delta) == len(before):  # square: transposed indices have the right shape
            slips[TRANSPOSED_W] = _flat([list(column) for column in zip(*t.nabla_w[l])])
        if l > 0:
            slips[Z_FOR_A] = [z_k * d_j for d_j in delta for z_k in t.zs[l - 1]]
        if len(after) == len(before):
            slips[WRONG_LAYER_A] = [a_k * d_j for d_j in delta for a_k in after]
        j, k = divmod(_first_difference(got, expected), len(before))
        return _fail(
            f"BP4 is wrong at layer {l + 1}, neuron {j}, weight {k} (from neuron {k} of layer {l}): "
            f"nabla_w[{l}][{j}][{k}] should be {t.nabla_w[l][j][k]:.6g}, yours is {nabla_w[l][j][k]:.6g}",
            f"BP4: ∂C/∂w[{l + 1}][{j}][{k}] = a[{l}][{k}]·δ[{l + 1}][{j}] = {before[k]:.6g}·{delta[j]:.6g}; "
            f"your nabla_b is right on this network, so δ is: the difference starts in BP4",
            mistake=_recognised(got, slips),
        )
    return None


def check_backprop(backprop: object) -> Result:
    """Grade backprop(weights, biases, x, y) against backward() on the networks of SIZES."""
    if not callable(backprop):
        return _fail(
            f"check('backprop', ...) takes your function backprop(weights, biases, x, y), got {type_name(backprop)}"
        )
    for seed, sizes in enumerate(SIZES):
        weights, biases, x, y = random_network(sizes, seed)
        truth = engine_backprop(weights, biases, x, y)
        try:
            got = backprop(copy.deepcopy(weights), copy.deepcopy(biases), list(x), list(y))
        except Exception as error:
            result = crashed(NAME, f"backprop(weights, biases, x, y) for a network of sizes {sizes}", error)
            result.mistake = INDEX_ERROR if isinstance(error, IndexError) else None
            return result
        answer = _read_answer(got, list(sizes))
        if isinstance(answer, Result):
            answer.feedback.append(f"(on a network of sizes {list(sizes)})")
            return answer
        nabla_b, nabla_w = answer
        problem = _check_bp1(nabla_b, truth)  # a failing Result is falsy: test for None, not truth
        problem = _check_bp2(nabla_b, truth, weights) if problem is None else problem
        problem = _check_bp4(nabla_w, truth) if problem is None else problem
        if problem is not None:
            problem.feedback.append(f"(on a network of sizes {list(sizes)}; x = {_short(x)}, y = {_short(y)})")
            return problem
    shapes = ", ".join(str(list(s)) for s in SIZES)
    return Result(
        NAME,
        True,
        [f"BP1–BP4 hold: nabla_b and nabla_w agree with backward() on {len(SIZES)} random networks ({shapes})"],
    )


def _short(v: Sequence[float]) -> str:
    return "[" + ", ".join(f"{x:.3g}" for x in v) + "]"


EXERCISES = (
    Exercise(
        name=NAME,
        summary="BP1–BP4 in plain floats: Nielsen's backprop for one example",
        write="def backprop(weights, biases, x, y) -> (nabla_b, nabla_w)",
        statement=STATEMENT,
        starter=STARTER,
        solution=SOLUTION,
        hints=HINTS,
        checker=check_backprop,
    ),
)
