"""The losses against their closed forms, against the four equations, and against PyTorch float64."""

from __future__ import annotations

import math
import random

import pytest

from helpers import assert_named_errors
from micrograd import MLP, Value, topological_order
from micrograd.equations import backprop_batch
from micrograd.training.losses import (
    binary_cross_entropy,
    hinge_loss,
    l2_penalty,
    quadratic_cost,
    softmax_cross_entropy,
)


def leaves(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(abs(b), 1e-300)


# -- the quadratic cost ------------------------------------------------------------------------


def test_quadratic_cost_by_hand():
    # C = (1/m) Σ_x ½(a − y)²: for a = 0.5, 2.0 and y = 1, 0: (½·0.25 + ½·4) / 2 = 1.0625
    a = leaves(0.5, 2.0)
    C = quadratic_cost(a, [1, 0])
    C.backward()
    assert C.data == 1.0625
    # ∂C/∂a_x = (a_x − y_x) / m
    assert [a_x.grad for a_x in a] == [-0.25, 1.0]


def test_quadratic_cost_of_vector_outputs_sums_over_the_outputs():
    # ½‖a − y‖² = ½((0.2 − 0)² + (0.9 − 1)²) = 0.025 for one example
    a = leaves(0.2, 0.9)
    C = quadratic_cost([a], [[0, 1]])
    C.backward()
    assert C.data == pytest.approx(0.025, rel=1e-15)
    assert [a_j.grad for a_j in a] == pytest.approx([0.2, -0.1], rel=1e-15)


@pytest.mark.parametrize(("nin", "sizes", "m"), [(2, [3, 1], 1), (3, [4, 2], 5), (2, [5, 5, 3], 8)])
def test_quadratic_cost_is_the_cost_of_the_four_equations(nin, sizes, m):
    rng = random.Random(m)
    model = MLP(nin, sizes, activation="sigmoid", output_activation="sigmoid", seed=m)
    xs = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(m)]
    ys = [[rng.uniform(0, 1) for _ in range(sizes[-1])] for _ in range(m)]
    C = quadratic_cost([model(x) for x in xs], ys)
    model.zero_grad()
    C.backward()
    oracle = backprop_batch(model, xs, ys)  # (1/m) Σ_x of BP1–BP4, in plain floats
    assert close(C.data, oracle.C)
    for l, layer in enumerate(model.layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            assert close(neuron.b.grad, oracle.dC_db[l][j])
            for k, w in enumerate(neuron.w):
                assert abs(w.grad - oracle.dC_dw[l][j][k]) <= 1e-12 * max(abs(oracle.dC_dw[l][j][k]), 1e-12)


# -- the max-margin loss -----------------------------------------------------------------------


def test_hinge_loss_by_hand():
    # max(0, 1 − y·s): (1 − 1·0.25) = 0.75, (1 − (−1)·(−3)) < 0 → 0, (1 − (−1)·0.5) = 1.5; mean 0.75
    s = leaves(0.25, -3.0, 0.5)
    C = hinge_loss(s, [1, -1, -1])
    C.backward()
    assert C.data == 0.75
    # ∂C/∂s = −y/m inside the margin, 0 outside it
    assert [s_x.grad for s_x in s] == [-1 / 3, 0.0, 1 / 3]


def test_hinge_loss_on_the_margin_uses_relu_prime_of_zero():
    # y·s = 1 exactly: the loss is 0 and relu'(0) = 0, as PyTorch
    s = leaves(1.0)
    C = hinge_loss(s, [1])
    C.backward()
    assert (C.data, s[0].grad) == (0.0, 0.0)


def test_hinge_loss_against_pytorch(torch):
    rng = random.Random(3)
    scores = [rng.uniform(-3, 3) for _ in range(40)]
    labels = [rng.choice((-1, 1)) for _ in range(40)]
    s = leaves(*scores)
    C = hinge_loss(s, labels)
    C.backward()
    ts = torch.tensor(scores, requires_grad=True)
    tC = torch.relu(1 - torch.tensor(labels, dtype=torch.float64) * ts).mean()
    tC.backward()
    assert close(C.data, tC.item())
    assert all(close(a.grad, g) for a, g in zip(s, ts.grad.tolist()))


# -- binary cross-entropy ----------------------------------------------------------------------


def test_binary_cross_entropy_by_hand():
    # −[log 0.8 + log(1 − 0.4)] / 2
    p = leaves(0.8, 0.4)
    C = binary_cross_entropy(p, [1, 0])
    C.backward()
    assert close(C.data, -(math.log(0.8) + math.log(0.6)) / 2)
    # ∂C/∂p = −1/(m·p) for y = 1, 1/(m·(1 − p)) for y = 0
    assert close(p[0].grad, -1 / (2 * 0.8)) and close(p[1].grad, 1 / (2 * 0.6))


def test_binary_cross_entropy_through_a_sigmoid_gives_p_minus_y():
    # the textbook result: ∂C/∂z = (σ(z) − y) / m
    z = leaves(1.5, -0.3, 2.0)
    y = [1, 0, 0]
    C = binary_cross_entropy([z_x.sigmoid() for z_x in z], y)
    C.backward()
    for z_x, y_x in zip(z, y):
        assert z_x.grad == pytest.approx((1 / (1 + math.exp(-z_x.data)) - y_x) / 3, rel=1e-13)


def test_binary_cross_entropy_against_pytorch(torch):
    rng = random.Random(4)
    probs = [rng.uniform(0.01, 0.99) for _ in range(30)]
    labels = [rng.choice((0, 1)) for _ in range(30)]
    p = leaves(*probs)
    C = binary_cross_entropy(p, labels)
    C.backward()
    tp = torch.tensor(probs, requires_grad=True)
    tC = torch.nn.functional.binary_cross_entropy(tp, torch.tensor(labels, dtype=torch.float64))
    tC.backward()
    assert close(C.data, tC.item())
    assert all(close(a.grad, g) for a, g in zip(p, tp.grad.tolist()))


def test_binary_cross_entropy_of_a_confident_right_answer_is_zero_and_a_wrong_one_is_an_error():
    assert binary_cross_entropy(leaves(1.0, 0.0), [1, 0]).data == 0.0
    with pytest.raises(ValueError, match="infinite"):
        binary_cross_entropy(leaves(1.0), [0])


# -- softmax cross-entropy ---------------------------------------------------------------------


def test_softmax_cross_entropy_by_hand():
    # logits (0, ln 3): softmax = (1/4, 3/4); label 1 costs −ln(3/4); ∂C/∂z = softmax − onehot
    z = leaves(0.0, math.log(3))
    C = softmax_cross_entropy([z], [1])
    C.backward()
    assert close(C.data, -math.log(0.75))
    assert z[0].grad == pytest.approx(0.25, rel=1e-15) and z[1].grad == pytest.approx(-0.25, rel=1e-15)


@pytest.mark.parametrize(
    ("logits", "label", "loss", "grads"),
    [
        ([1000.0, -1000.0], 0, 0.0, [0.0, 0.0]),  # log(1 + e^−2000) underflows to 0
        ([1000.0, -1000.0], 1, 2000.0, [1.0, -1.0]),
        ([-1000.0, -1000.0], 0, math.log(2), [-0.5, 0.5]),
        ([1000.0, 1000.0, -1000.0], 2, 2000.0 + math.log(2), [0.5, 0.5, -1.0]),
    ],
)
def test_softmax_cross_entropy_stays_finite_for_logits_of_1000(logits, label, loss, grads):
    z = leaves(*logits)
    C = softmax_cross_entropy([z], [label])
    C.backward()
    assert C.data == pytest.approx(loss, rel=1e-15, abs=0.0)
    assert [z_k.grad for z_k in z] == pytest.approx(grads, rel=1e-15, abs=1e-300)
    assert abs(sum(z_k.grad for z_k in z)) <= 1e-12


def test_softmax_cross_entropy_against_pytorch(torch):
    rng = random.Random(5)
    batch = [[rng.uniform(-1000, 1000) if i % 3 == 0 else rng.gauss(0, 3) for _ in range(4)] for i in range(12)]
    labels = [rng.randrange(4) for _ in batch]
    z = [leaves(*row) for row in batch]
    C = softmax_cross_entropy(z, labels)
    C.backward()
    tz = torch.tensor(batch, requires_grad=True)
    tC = torch.nn.functional.cross_entropy(tz, torch.tensor(labels))
    tC.backward()
    assert close(C.data, tC.item())
    for row, trow in zip(z, tz.grad.tolist()):
        for z_k, g in zip(row, trow):
            assert abs(z_k.grad - g) <= 1e-12 * max(abs(g), 1 / 12)  # grads are at most 1/m in size


# -- the weight penalty ------------------------------------------------------------------------


def test_softmax_cross_entropy_names_its_nodes_as_the_formula_does():
    # each node's label, computed again in plain floats from its name: M = max z, z[k] - M, logsumexp(z - M), ...
    rows, labels = [[0.5, -2.0, 3.0], [1.0, 4.0, -1.0]], [2, 0]
    z = [leaves(*row) for row in rows]
    z[0][1].label = "z[2][1]"  # a labelled logit names its shifted node after it
    C = softmax_cross_entropy(z, labels)
    for i, (row, label) in enumerate(zip(rows, labels)):
        M = max(row)
        expected = {"M": M, "y·z": row[label], "y·z - M": row[label] - M}
        expected |= {("z[2][1]" if (i, k) == (0, 1) else f"z[{k}]") + " - M": z_k - M for k, z_k in enumerate(row)}
        expected["logsumexp(z - M)"] = math.log(math.fsum(math.exp(z_k - M) for z_k in row))
        expected[f"C[{i}]"] = expected["logsumexp(z - M)"] - expected["y·z - M"]
        term = next(n for n in topological_order(C) if n.label == f"C[{i}]")
        named = {n.label: n.data for n in topological_order(term) if n._prev}
        assert named.keys() >= expected.keys()
        for name, value in expected.items():
            assert named[name] == pytest.approx(value, rel=1e-15, abs=1e-15), name
    total, m = C._prev  # the mean: (0 + C[0] + C[1]) / m
    assert (total.label, m.label, m.data) == ("total", "m", len(rows))
    assert [n.label for n in topological_order(total) if not n._prev and n.data == 0.0][:1] == ["0"]


def test_l2_penalty_by_hand():
    # 0.01·(3² + (−4)²) = 0.25, with ∂/∂w = 2αw
    w = leaves(3.0, -4.0)
    P = l2_penalty(w, 0.01)
    P.backward()
    assert P.data == pytest.approx(0.25, rel=1e-15)
    assert [w_k.grad for w_k in w] == pytest.approx([0.06, -0.08], rel=1e-15)


def test_l2_penalty_of_a_model_covers_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    expected = 1e-4 * sum(p.data**2 for p in model.parameters())
    assert l2_penalty(model, 1e-4).data == pytest.approx(expected, rel=1e-14)


# -- targets that are Values: the same graph as with numbers ------------------------------------


def graph_as_numbers(root: Value) -> list[tuple[str, str, list[str]]]:
    """Every node of the graph in topological order: its op, its value and its local derivatives, as float.hex."""
    return [(str(n._op), n.data.hex(), [d.hex() for d in n._local]) for n in topological_order(root)]


@pytest.mark.parametrize(
    ("loss", "outputs", "targets"),
    [
        (hinge_loss, [0.25, -3.0, 0.5, 1.0, -0.0], [1, -1, -1, 1, 1]),
        (quadratic_cost, [0.5, 2.0, -1e-3], [1, 0, 0.75]),
        (quadratic_cost, [[0.2, 0.9], [-1.5, 3.0]], [[0, 1], [1, 0]]),
    ],
)
def test_value_targets_build_the_graph_of_their_numbers(loss, outputs, targets):
    def run(make_target):
        a = [leaves(*o) if isinstance(o, list) else Value(o) for o in outputs]
        y = [[make_target(t_j) for t_j in t] if isinstance(t, list) else make_target(t) for t in targets]
        C = loss(a, y)
        C.backward()
        grads = [a_j.grad.hex() for a_x in a for a_j in (a_x if isinstance(a_x, list) else [a_x])]
        return graph_as_numbers(C), grads

    as_numbers, as_values = run(lambda t: t), run(Value)
    assert as_values == as_numbers  # the same ops, values, local derivatives and gradients, bit for bit


def test_a_value_label_of_the_max_margin_loss_is_checked_like_a_number():
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1, got 0.0 for example 1"):
        hinge_loss(leaves(0.5, 0.5), [Value(1), Value(0)])


def test_the_cross_entropies_refuse_value_labels_and_say_why():
    with pytest.raises(TypeError, match=r"got a Value for example 0: the label picks which of log p and log\(1 − p\)"):
        binary_cross_entropy(leaves(0.5), [Value(1)])
    with pytest.raises(TypeError, match="got a Value for example 1: the label picks which logit"):
        softmax_cross_entropy([leaves(1, 2), leaves(3, 4)], [0, Value(1)])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda v: hinge_loss([v], [True]),
            "hinge_loss: targets must be real numbers, got True (bool) for example 0",
        ),
        (
            lambda v: quadratic_cost([v], [None]),
            "quadratic_cost: targets must be real numbers, got None (NoneType) for example 0",
        ),
        (
            lambda v: binary_cross_entropy([v], [False]),
            "binary_cross_entropy: targets must be real numbers, got False (bool) for example 0",
        ),
        (
            lambda v: hinge_loss([v, v, v], [1, -1, "1"]),
            "hinge_loss: targets must be real numbers, got '1' (str) for example 2",
        ),
        (
            lambda v: quadratic_cost([[v, v], [v, v]], [[0, 1], [1, None]]),
            "quadratic_cost: targets must be real numbers, got None (NoneType) for example 1",
        ),
        (
            lambda v: quadratic_cost([v, None], [1, 1]),
            "quadratic_cost: outputs must be Values (the model's outputs), got None (NoneType) for example 1",
        ),
        (
            lambda v: hinge_loss([v, 0.5], [1, 1]),
            "hinge_loss: outputs must be Values (the model's outputs), got 0.5 (float) for example 1",
        ),
    ],
    ids=[
        "hinge bool",
        "quadratic None",
        "bce bool",
        "hinge str",
        "quadratic vector None",
        "None output",
        "float output",
    ],
)
def test_a_bad_entry_of_a_batch_is_named_with_its_example(call, message):
    with pytest.raises(TypeError) as e:
        call(Value(0.5))
    assert str(e.value) == message


@pytest.mark.parametrize("alpha", ["a", None, True, Value(1e-4), [1e-4]], ids=repr)
def test_an_alpha_that_is_not_a_number_is_a_type_error_naming_its_type(alpha):
    with pytest.raises(TypeError) as e:
        l2_penalty([Value(1.0)], alpha)
    assert str(e.value) == f"l2_penalty: alpha must be a number, got {type(alpha).__name__}"


@pytest.mark.parametrize("alpha", [-1e-4, math.nan, math.inf])
def test_an_alpha_that_is_not_a_finite_number_at_least_0_is_a_value_error(alpha):
    with pytest.raises(ValueError, match=r"l2_penalty: alpha must be a finite number ≥ 0, got"):
        l2_penalty([Value(1.0)], alpha)


# -- bad input ---------------------------------------------------------------------------------

MALFORMED = {
    "lengths differ": ("quadratic_cost([Value(1)], [1, 2])", "ValueError", "1 outputs but 2 targets"),
    "empty batch": ("hinge_loss([], [])", "ValueError", "empty"),
    "floats as outputs": ("quadratic_cost([1.0], [1.0])", "TypeError", "outputs must be Values"),
    "str targets": ("quadratic_cost([Value(1)], 'a')", "TypeError", "one entry per example"),
    "None target": ("quadratic_cost([Value(1)], [None])", "TypeError", "NoneType"),
    "NaN target": ("quadratic_cost([Value(1)], [float('nan')])", "ValueError", "finite"),
    "NaN Value target": ("quadratic_cost([Value(1)], [Value(float('inf'))])", "ValueError", "finite, got inf"),
    "computed target": ("quadratic_cost([Value(1)], [Value(1) + 1])", "ValueError", "must be a leaf"),
    "hinge Value label": ("hinge_loss([Value(1)], [Value(0.5)])", "ValueError", "-1 or +1, got 0.5"),
    "bce Value label": ("binary_cross_entropy([Value(0.5)], [Value(1)])", "TypeError", "got a Value"),
    "softmax Value label": ("softmax_cross_entropy([[Value(1), Value(2)]], [Value(1)])", "TypeError", "got a Value"),
    "vector sizes": ("quadratic_cost([[Value(1), Value(2)]], [[1]])", "ValueError", "2 outputs but 1 targets"),
    "hinge 0 label": ("hinge_loss([Value(1)], [0])", "ValueError", "-1 or +1"),
    "hinge vector": ("hinge_loss([[Value(1), Value(2)]], [1])", "ValueError", "one output and one label"),
    "bce label 2": ("binary_cross_entropy([Value(0.5)], [2])", "ValueError", "0 or 1"),
    "bce not a probability": ("binary_cross_entropy([Value(1.5)], [1])", "ValueError", "probabilities in [0, 1]"),
    "softmax float label": ("softmax_cross_entropy([[Value(1), Value(2)]], [1.0])", "TypeError", "class indices"),
    "softmax bool label": ("softmax_cross_entropy([[Value(1), Value(2)]], [True])", "TypeError", "bool"),
    "softmax label range": ("softmax_cross_entropy([[Value(1), Value(2)]], [2])", "ValueError", "0..1"),
    "softmax one logit": ("softmax_cross_entropy([Value(1)], [0])", "ValueError", "at least 2"),
    "l2 negative alpha": ("l2_penalty([Value(1)], -1)", "ValueError", "alpha"),
    "l2 no parameters": ("l2_penalty([], 0.1)", "ValueError", "no parameters"),
}


def test_malformed_batches_raise_named_errors_also_under_python_O():
    assert_named_errors(MALFORMED, "from micrograd import Value\nfrom micrograd.training.losses import *")
