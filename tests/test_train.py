"""fit() and train_step(): the steps they take, what they measure, what they show, and when they stop."""

from __future__ import annotations

import math
import random

import pytest

from micrograd import MLP, Value
from micrograd.backprop import backprop_batch
from micrograd.data import make_moons
from micrograd.losses import hinge_loss, l2_penalty, quadratic_cost, softmax_cross_entropy
from micrograd.optim import SGD
from micrograd.train import History, accuracy, decision_rule, evaluate, fit, train_step

SIGMA = {
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
    "linear": lambda z: z,
}


def forward_by_hand(model: MLP, x: list[float]) -> list[float]:
    """The model's output in plain floats, read from the weights' .data: no Value involved."""
    a = list(x)
    for layer in model.layers:
        a = [SIGMA[n.activation](sum(w.data * a_k for w, a_k in zip(n.w, a)) + n.b.data) for n in layer.neurons]
    return a


def weights(model: MLP) -> list[float]:
    return [p.data for p in model.parameters()]


def moons(n: int = 40, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    X, y = make_moons(n, noise=0.1, seed=seed)
    return X, [2 * t - 1 for t in y]


def test_train_step_is_one_step_of_gradient_descent_on_the_batch():
    model = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    X = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]]
    y = [1.0, 0.0, 1.0]
    oracle = backprop_batch(model, X, y)  # (1/m) Σ_x ∂C_x/∂w from BP1–BP4, before the step
    expected = [
        w - 0.3 * g
        for l, layer in enumerate(model.layers, start=1)
        for j in range(len(layer.neurons))
        for w, g in zip(
            [*(w.data for w in layer.neurons[j].w), layer.neurons[j].b.data],
            [*oracle.dC_dw[l][j], oracle.dC_db[l][j]],
        )
    ]
    returned = train_step(model, quadratic_cost, SGD(model, lr=0.3), X, y)
    assert returned == pytest.approx(oracle.C, rel=1e-12)  # the loss before the update
    assert weights(model) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_fit_on_the_whole_set_takes_the_same_steps_as_train_step():
    X, y = moons(20)
    a, b = MLP(2, [8, 1], seed=2), MLP(2, [8, 1], seed=2)
    history = fit(a, X, y, loss=hinge_loss, optimizer=SGD(a, lr=0.1), epochs=3, verbose=False)
    optimizer = SGD(b, lr=0.1)
    steps = [train_step(b, hinge_loss, optimizer, X, y) for _ in range(3)]
    assert weights(a) == weights(b)
    assert history.batch_loss == steps


def test_each_epoch_visits_every_point_once_in_shuffled_mini_batches():
    X, y = moons(23)
    position = {id(x): i for i, x in enumerate(X)}
    model = MLP(2, [4, 1], seed=3)
    visits, batch_sizes = [], []

    def recording_model(x):
        visits.append(position[id(x)])
        return model(x)

    def recording_loss(outputs, targets):
        if outputs[0]._prev:  # a training step; the evaluation after each epoch runs under no_grad()
            batch_sizes.append(len(outputs))
        return hinge_loss(outputs, targets)

    fit(
        recording_model,
        X,
        y,
        loss=recording_loss,
        optimizer=SGD(model, lr=0.01),
        epochs=2,
        batch_size=10,
        verbose=False,
    )
    # each epoch: 23 training visits in batches of 10, 10 and 3, then 23 evaluation visits in order
    first_epoch, second_epoch = visits[:23], visits[46:69]
    assert sorted(first_epoch) == sorted(second_epoch) == list(range(23))
    assert first_epoch != list(range(23)) and first_epoch != second_epoch  # shuffled, differently each epoch
    assert visits[23:46] == visits[69:] == list(range(23))
    assert batch_sizes == [10, 10, 3, 10, 10, 3]


def test_the_same_seed_trains_the_same_model_and_another_seed_another():
    X, y = moons(30)
    models = [MLP(2, [8, 1], seed=4) for _ in range(3)]
    for model, seed in zip(models, [7, 7, 8]):
        fit(
            model,
            X,
            y,
            loss=hinge_loss,
            optimizer=SGD(model, lr=0.05),
            epochs=2,
            batch_size=8,
            seed=seed,
            verbose=False,
        )
    assert weights(models[0]) == weights(models[1]) != weights(models[2])


def test_history_holds_the_loss_and_accuracy_of_the_model_after_each_epoch():
    X, y = moons(40)
    model = MLP(2, [8, 8, 1], seed=5)
    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1, momentum=0.9), epochs=4, verbose=False)
    assert isinstance(history, History)
    assert len(history.loss) == len(history.accuracy) == len(history.batch_loss) == 4
    # the last entries, recomputed in plain floats from the trained weights
    scores = [forward_by_hand(model, x)[0] for x in X]
    hinge = sum(max(0.0, 1 - t * s) for s, t in zip(scores, y)) / len(X)
    right = sum((s > 0) == (t > 0) for s, t in zip(scores, y))
    assert history.loss[-1] == pytest.approx(hinge, rel=1e-12)
    assert history.accuracy[-1] == right / len(X)


def test_fit_learns_the_moons():
    X, y = moons(60, seed=1)
    model = MLP(2, [16, 16, 1], seed=1)
    history = fit(
        model,
        X,
        y,
        loss=hinge_loss,
        optimizer=SGD(model, lr=0.1, momentum=0.9),
        epochs=25,
        batch_size=20,
        verbose=False,
    )
    right = sum((forward_by_hand(model, x)[0] > 0) == (t > 0) for x, t in zip(X, y))
    assert right / len(X) >= 0.95
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_verbose_false_prints_nothing(capfd):
    X, y = moons(10)
    model = MLP(2, [4, 1], seed=6)
    fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=3, verbose=False)
    out, err = capfd.readouterr()
    assert out == err == ""


def test_the_progress_bar_shows_the_epochs_loss_and_accuracy(capfd):
    X, y = moons(10)
    model = MLP(2, [4, 1], seed=6)
    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=3)
    out, err = capfd.readouterr()
    assert out == ""
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    assert "3/3" in final and "epoch" in final
    assert f"loss={history.loss[-1]:.4g}" in final
    assert f"accuracy={100 * history.accuracy[-1]:.1f}%" in final


def test_evaluation_builds_no_graph():
    X, y = moons(10)
    model = MLP(2, [4, 1], seed=7)
    graphs = []

    def loss(outputs, targets):
        graphs.append(bool(outputs[0]._prev))
        return hinge_loss(outputs, targets)

    fit(model, X, y, loss=loss, optimizer=SGD(model, lr=0.1), epochs=2, verbose=False)
    assert graphs == [True, False, True, False]  # each epoch: a training step, then the evaluation
    evaluate(model, X, y, loss)
    assert graphs[-1] is False


# -- accuracy, from the labels -----------------------------------------------------------------


def test_the_decision_rule_follows_the_labels():
    s = [Value(-0.2), Value(0.2), Value(0.7)]
    plus_minus, zero_one = decision_rule([-1, 1]), decision_rule([0, 1])
    assert [plus_minus(v) for v in s] == [-1, 1, 1]  # the midpoint of −1 and +1 is 0
    assert [zero_one(v) for v in s] == [0, 0, 1]  # the midpoint of 0 and 1 is ½
    assert decision_rule([2, 5])(Value(3.6)) == 5
    logits = [Value(0.1), Value(2.0), Value(-1.0)]
    assert decision_rule([0, 2, 1])(logits) == 1  # class indices: the largest output
    assert decision_rule([[0, 1, 0], [1, 0, 0]])(logits) == 1  # one-hot targets
    assert decision_rule([0.3, 1.7, 2.5]) is None  # a regression


def test_accuracy_of_a_multi_class_model_against_an_argmax_by_hand():
    rng = random.Random(8)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(30)]
    y = [rng.randrange(3) for _ in X]
    model = MLP(2, [6, 3], seed=8)
    by_hand = [max(range(3), key=forward_by_hand(model, x).__getitem__) for x in X]
    assert accuracy(model, X, y) == sum(p == t for p, t in zip(by_hand, y)) / len(X)
    loss, acc = evaluate(model, X, y, softmax_cross_entropy)
    assert acc == accuracy(model, X, y) and math.isfinite(loss)


def test_a_regression_has_no_accuracy():
    X = [[0.1, 0.2], [0.3, -0.4], [1.0, 0.5]]
    y = [0.25, -1.5, 3.0]
    model = MLP(2, [3, 1], seed=9)
    history = fit(model, X, y, loss=quadratic_cost, optimizer=SGD(model, lr=0.01), epochs=2, verbose=False)
    assert history.accuracy == [None, None]
    with pytest.raises(ValueError, match="not class labels"):
        accuracy(model, X, y)


# -- stopping with a clear error -----------------------------------------------------------------


def test_a_nan_in_the_data_stops_training_before_the_weights_change():
    X, y = moons(10)
    X[3] = [float("nan"), 0.0]
    model = MLP(2, [4, 1], activation="tanh", seed=10)
    before = weights(model)
    with pytest.raises(FloatingPointError, match="check the data for NaN"):
        fit(model, X, y, loss=quadratic_cost, optimizer=SGD(model, lr=0.1), epochs=1, verbose=False)
    assert weights(model) == before


def test_a_learning_rate_too_large_is_reported_as_divergence():
    X = [[1e3, -1e3], [2e3, 1e3]]
    y = [1.0, -1.0]
    model = MLP(2, [1], output_activation="linear", seed=11)
    with pytest.raises(FloatingPointError, match="try a smaller learning rate"):
        fit(model, X, y, loss=quadratic_cost, optimizer=SGD(model, lr=1e10), epochs=50, verbose=False)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"y": [1, -1]}, ValueError, "3 inputs but 2 targets"),
        ({"X": [], "y": []}, ValueError, "no data"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"loss": "hinge"}, TypeError, "loss must be callable"),
        ({"optimizer": 0.1}, TypeError, "optimizer must have step()"),
        ({"seed": None}, TypeError, "seed must be an int"),
        ({"verbose": 0}, TypeError, "verbose must be True or False"),
    ],
)
def test_bad_arguments_raise_named_errors(change, error, words):
    model = MLP(2, [2, 1], seed=12)
    args = {
        "X": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        "y": [1, -1, 1],
        "loss": hinge_loss,
        "optimizer": SGD(model, lr=0.1),
    }
    args.update(change)
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        fit(model, args.pop("X"), args.pop("y"), **{"verbose": False, **args})


def test_the_readme_example_learns_the_moons():
    # the README's training example, line for line (without its pictures and file)
    X, labels = make_moons(100, noise=0.1, seed=0)
    y = [2 * t - 1 for t in labels]  # the max-margin loss wants labels −1 and +1
    model = MLP(2, [16, 16, 1], seed=0)

    def loss(scores, y):
        return hinge_loss(scores, y) + l2_penalty(model, 1e-4)

    history = fit(
        model, X, y, loss=loss, optimizer=SGD(model, lr=0.1, momentum=0.9), epochs=50, batch_size=20, verbose=False
    )
    right = sum((forward_by_hand(model, x)[0] > 0) == (t > 0) for x, t in zip(X, y))
    assert history.accuracy[-1] == right / 100 >= 0.97
