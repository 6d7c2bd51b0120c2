"""The exercises backprop, sgd_step and training_loop: their truths against independent oracles, the reference
solutions and an implementation from outside the project pass, the starters and every classic mistake fail with
the feedback that names them."""

from __future__ import annotations

import math

import pytest
from wrong_solutions_backprop import WRONG

from micrograd import MLP
from micrograd import exercises as ex
from micrograd.equations import backprop as bp_oracle
from micrograd.equations import backprop_batch
from micrograd.exercises import backprop, sgd

NAMES = ("backprop", "sgd_step", "training_loop")


def learner(source: str, name: str) -> object:
    """The function ``name`` defined by a learner's source."""
    namespace: dict[str, object] = {}
    exec(source, namespace)
    return namespace[name]


def flat(nested: object) -> list[float]:
    """The numbers of nested lists, in order."""
    return [v for item in nested for v in flat(item)] if isinstance(nested, list) else [nested]


# -- the truths the checkers grade against, held to independent oracles -----------------------------------------


@pytest.mark.parametrize("sizes", backprop.SIZES)
def test_the_engine_s_gradients_are_the_four_equations_in_plain_floats(sizes):
    weights, biases, x, y = backprop.random_network(sizes, seed=7)
    truth = backprop.engine_backprop(weights, biases, x, y)
    model = MLP(sizes[0], sizes[1:], activation="sigmoid", output_activation="sigmoid", seed=0)
    for layer, w_l, b_l in zip(model.layers, weights, biases):
        for neuron, w_j, b_j in zip(layer.neurons, w_l, b_l):
            for w, value in zip(neuron.w, w_j):
                w.data = value
            neuron.b.data = b_j
    oracle = bp_oracle(model, x, y)  # BP1–BP4 in floats, layers numbered from 1
    assert flat(truth.nabla_b) == pytest.approx(flat(oracle.dC_db[1:]), rel=1e-12, abs=1e-15)
    assert flat(truth.nabla_w) == pytest.approx(flat(oracle.dC_dw[1:]), rel=1e-12, abs=1e-15)
    assert flat(truth.zs) == pytest.approx(flat(oracle.z[1:])) and flat(truth.activations) == pytest.approx(
        flat(oracle.a)
    )
    assert [len(b) for b in truth.nabla_b] == sizes[1:] and [len(w[0]) for w in truth.nabla_w] == sizes[:-1]


def test_the_step_sgd_step_is_graded_against_is_the_closed_form():
    for seed, m, eta in sgd.STEP_CASES:
        model, X, y = sgd.batch(seed, m)
        w = [p.data for p in model.parameters()]
        grads = sgd.per_example_grads(model, X, y)
        closed = backprop_batch(model, X, y)  # (1/m) Σ_x ∂C_x/∂w in plain floats
        mean = [d for l in range(1, 3) for j, b in enumerate(closed.dC_db[l]) for d in (*closed.dC_dw[l][j], b)]
        assert [sum(g[i] for g in grads) / m for i in range(len(w))] == pytest.approx(mean, rel=1e-12, abs=1e-15)
        params = list(w)
        learner(sgd.STEP_SOLUTION, "sgd_step")(params, grads, eta)
        assert params == pytest.approx([w_i - eta * d for w_i, d in zip(w, mean)], rel=1e-12)


def test_the_closed_form_run_trains_as_the_engine_does():
    model, X, y = sgd.batch(3, 6)
    costs, final = sgd.closed_form_run(model, X, y, 0.4, 3)
    assert [p.data for p in sgd.batch(3, 6)[0].parameters()] == [p.data for p in model.parameters()]  # untouched
    engine_costs = learner(sgd.LOOP_SOLUTION, "training_loop")(model, X, y, 0.4, 3)
    assert engine_costs == pytest.approx(costs, rel=1e-12) and costs[-1] < costs[0]
    assert [p.data for p in model.parameters()] == pytest.approx(final, rel=1e-12)


# -- what passes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_solution_passes(name):
    result = ex.check(name, learner(ex.solution(name), name))
    assert result, str(result)
    assert str(result).startswith(f"{name}: passed")


def nielsen_backprop(weights, biases, x, y):
    """Michael Nielsen's backprop (Neural Networks and Deep Learning, chapter 2, network.py), written outside this
    project: his algorithm line for line, with numpy's dot, transpose and column vectors as plain lists."""

    def sigmoid(z):
        return [1.0 / (1.0 + math.exp(-z_j)) for z_j in z]

    def sigmoid_prime(z):
        return [s * (1 - s) for s in sigmoid(z)]

    def dot(w, v):  # np.dot of a matrix and a column vector
        return [sum(w_jk * v_k for w_jk, v_k in zip(row, v)) for row in w]

    def transpose(w):
        return [list(column) for column in zip(*w)]

    def outer(delta, a):  # np.dot(delta, a.transpose()) of two column vectors
        return [[d * a_k for a_k in a] for d in delta]

    def times(u, v):  # numpy's * of two vectors
        return [u_j * v_j for u_j, v_j in zip(u, v)]

    class Network:
        def __init__(self, weights, biases):
            self.num_layers = len(weights) + 1
            self.weights, self.biases = weights, biases

        def cost_derivative(self, output_activations, y):
            return [a - y_j for a, y_j in zip(output_activations, y)]

        def backprop(self, x, y):
            nabla_b = [[0.0] * len(b) for b in self.biases]
            nabla_w = [[[0.0] * len(row) for row in w] for w in self.weights]
            # feedforward
            activation = x
            activations = [x]  # list to store all the activations, layer by layer
            zs = []  # list to store all the z vectors, layer by layer
            for b, w in zip(self.biases, self.weights):
                z = [s + b_j for s, b_j in zip(dot(w, activation), b)]
                zs.append(z)
                activation = sigmoid(z)
                activations.append(activation)
            # backward pass
            delta = times(self.cost_derivative(activations[-1], y), sigmoid_prime(zs[-1]))
            nabla_b[-1] = delta
            nabla_w[-1] = outer(delta, activations[-2])
            for l in range(2, self.num_layers):
                z = zs[-l]
                sp = sigmoid_prime(z)
                delta = times(dot(transpose(self.weights[-l + 1]), delta), sp)
                nabla_b[-l] = delta
                nabla_w[-l] = outer(delta, activations[-l - 1])
            return (nabla_b, nabla_w)

    return Network(weights, biases).backprop(x, y)


def test_nielsen_s_own_backprop_passes():
    result = ex.check("backprop", nielsen_backprop)
    assert result, str(result)


# -- what fails, and what the feedback says ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_starter_runs_and_fails_with_feedback(name):
    (exercise,) = [e for e in ex.EXERCISES.values() if e.name == name]
    result = ex.check(name, learner(exercise.starter, name))
    assert not result and "not yet" in result.headline()
    assert "raised" not in str(result)  # it ran: the feedback is about its numbers


def test_the_catalogue_covers_each_exercise_with_its_classic_mistakes():
    counts = {name: sum(w.exercise == name for w in WRONG) for name in NAMES}
    assert sum(counts.values()) >= 10 and min(counts.values()) >= 4, counts
    assert len({(w.exercise, w.mistake) for w in WRONG}) == len(WRONG)


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: f"{w.exercise}: {w.mistake}")
def test_each_classic_mistake_fails_with_the_feedback_that_names_it(wrong):
    result = ex.check(wrong.exercise, learner(wrong.source, wrong.exercise))
    text = str(result)
    assert not result, f"{wrong.mistake} passed:\n{text}"
    missing = [word for word in wrong.says if word not in text]
    assert not missing, f"{wrong.mistake}: the feedback lacks {missing}:\n{text}"


def test_bp1_feedback_gives_the_numbers_of_the_equation():
    (wrong,) = [w for w in WRONG if w.mistake == "BP1 without σ′"]
    result = ex.check("backprop", learner(wrong.source, "backprop"))
    weights, biases, x, y = backprop.random_network(backprop.SIZES[0], 0)
    truth = backprop.engine_backprop(weights, biases, x, y)
    a, z = truth.activations[-1][0], truth.zs[-1][0]
    assert f"should be δ[2][0] = {truth.nabla_b[-1][0]:.6g}, yours is {a - y[0]:.6g}" in result.feedback[0]
    sigma = 1 / (1 + math.exp(-z))  # σ′(z) = σ(z)(1 − σ(z)), by hand
    assert f"({a:.6g} − {y[0]:.6g})·σ′({z:.6g}) = {a - y[0]:.6g}·{sigma * (1 - sigma):.6g}" in result.feedback[1]


def test_a_function_that_raises_is_feedback_with_its_line():
    source = "def backprop(weights, biases, x, y):\n    return weights[len(weights)]\n"
    result = ex.check("backprop", learner(source, "backprop"))
    assert not result
    assert "sizes [3, 3, 3] raised IndexError: list index out of range" in result.feedback[0]
    assert result.mistake == backprop.INDEX_ERROR


@pytest.mark.parametrize(
    ("name", "answer", "says"),
    [
        ("backprop", 3, "takes your function backprop(weights, biases, x, y), got int"),
        ("backprop", lambda w, b, x, y: None, "must return a pair (nabla_b, nabla_w), got NoneType"),
        ("backprop", lambda w, b, x, y: (b, [[0.0]] * len(w)), "nabla_w[0] must be 3 rows of 3 numbers"),
        ("backprop", lambda w, b, x, y: ([[0.0]], w), "one entry per layer: 2 for sizes [3, 3, 3]"),
        ("sgd_step", "sgd", "takes your function sgd_step(params, grads, eta), got str"),
        ("sgd_step", lambda p, g, eta: p.append("w"), "params must stay a list of 13 numbers"),
        ("training_loop", None, "takes your function training_loop(model, X, y, eta, epochs), got NoneType"),
        ("training_loop", lambda model, X, y, eta, epochs: None, "must return the 4 epochs' costs"),
    ],
)
def test_answers_of_the_wrong_shape_are_named(name, answer, says):
    result = ex.check(name, answer)
    assert not result and says in result.feedback[0], str(result)


def test_the_transposed_shape_of_nabla_w_is_named():
    def transposed(weights, biases, x, y):
        nabla_b, nabla_w = learner(backprop.SOLUTION, "backprop")(weights, biases, x, y)
        return nabla_b, [[list(column) for column in zip(*w)] for w in nabla_w]

    result = ex.check("backprop", transposed)
    assert "its indices are transposed" not in str(result)  # the first network is square: named by its numbers
    assert "BP4 is wrong at layer 2" in result.feedback[0] and result.mistake == backprop.TRANSPOSED_W
