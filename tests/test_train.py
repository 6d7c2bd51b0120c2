"""fit() and train_step(): the steps they take, what they measure, what they show, and when they stop."""

from __future__ import annotations

import gc
import math
import random
import re
import threading
import warnings
import weakref
from collections import Counter

import pytest

from micrograd import MLP, Value
from micrograd.engine import topological_order
from micrograd.equations import backprop_batch
from micrograd.training.data import make_moons
from micrograd.training.history import History
from micrograd.training.losses import (
    binary_cross_entropy,
    hinge_loss,
    l2_penalty,
    quadratic_cost,
    softmax_cross_entropy,
)
from micrograd.training.metrics import accuracy, decision_rule, evaluate
from micrograd.training.optim import SGD, Adam
from micrograd.training.train import fit, threads_start, train_step

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


def test_the_collector_rests_during_a_step_and_is_left_as_it_was_even_when_the_step_fails():
    model = MLP(2, [3, 1], seed=0)
    X, y = [[0.5, -1.0], [1.5, 0.2]], [1.0, -1.0]
    during, nodes = [], []

    def watched(outputs, targets):  # the step's loss, noting whether the collector runs and keeping weak refs
        during.append(gc.isenabled())
        cost = hinge_loss(outputs, targets)
        nodes.extend(weakref.ref(node) for node in topological_order(cost) if node._prev)
        return cost

    def failing(outputs, targets):
        during.append(gc.isenabled())
        raise ValueError("a loss that fails")

    assert gc.isenabled()
    train_step(model, watched, SGD(model, lr=0.1), X, y)
    assert during == [False] and gc.isenabled()
    assert nodes and all(ref() is None for ref in nodes)  # reference counting freed the graph: no collection needed
    with pytest.raises(ValueError, match="a loss that fails"):
        train_step(model, failing, SGD(model, lr=0.1), X, y)
    assert during == [False, False] and gc.isenabled()
    gc.disable()  # a user who turned it off keeps it off
    try:
        train_step(model, watched, SGD(model, lr=0.1), X, y)
        assert not gc.isenabled()
    finally:
        gc.enable()


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


def test_where_no_thread_can_start_the_progress_bar_says_nothing_of_threads(monkeypatch, capfd):
    """In the browser (Pyodide) no thread starts: tqdm's monitor, a thread, would warn on stderr at each bar."""
    from tqdm.auto import tqdm

    def refused(self):
        raise RuntimeError("can't start new thread")  # what Pyodide's threading says

    monkeypatch.setattr(threading.Thread, "start", refused)
    monkeypatch.setattr(tqdm, "monitor_interval", 10)  # tqdm's default, restored after the test
    monkeypatch.setattr(tqdm, "monitor", None)  # no monitor left running by an earlier bar
    threads_start.cache_clear()
    X, y = moons(10)
    model = MLP(2, [4, 1], seed=6)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=3, verbose=False)  # no bar
            fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=3)
    finally:
        threads_start.cache_clear()
    _, err = capfd.readouterr()
    assert "3/3" in err.replace("\r", "\n").strip().splitlines()[-1]  # the bar is there
    assert [str(w.message) for w in caught] == [] and "thread" not in err


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


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_integer_regression_targets_have_no_accuracy(compiled):
    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 1, 2, 3]  # one output, four int targets: a regression
    model = MLP(1, [4, 1], seed=9)
    history = fit(
        model, X, y, loss=quadratic_cost, optimizer=SGD(model, lr=0.01), epochs=3, compiled=compiled, verbose=False
    )
    assert history.accuracy == [None, None, None]
    by_hand = sum(0.5 * (forward_by_hand(model, x)[0] - t) ** 2 for x, t in zip(X, y)) / len(X)
    assert history.loss[-1] == pytest.approx(by_hand, rel=1e-12)
    assert evaluate(model, X, y, quadratic_cost)[1] is None
    with pytest.raises(ValueError, match="not class labels for this model"):
        accuracy(model, X, y)


def loss_of_the_first_output(outputs, targets):
    return quadratic_cost([out[0] for out in outputs], targets)


def loss_of_the_one_hot_index(outputs, targets):
    return quadratic_cost(outputs, [t.index(1) for t in targets])


@pytest.mark.parametrize(
    ("sizes", "y", "loss", "words", "compiled"),
    [
        (
            [3, 2],
            [-0.5, 0.5, 0.5],
            loss_of_the_first_output,
            "the labels -0.5 and 0.5 need a model with one output",
            False,
        ),
        (
            [3, 2],
            [-0.5, 0.5, 0.5],
            loss_of_the_first_output,
            "the labels -0.5 and 0.5 need a model with one output",
            True,
        ),
        (
            [3, 1],
            [[1, 0], [0, 1], [0, 1]],
            loss_of_the_one_hot_index,
            "one-hot targets need a model with one output per class",
            False,
        ),
    ],
    ids=["two labels, two outputs", "two labels, two outputs, compiled", "one-hot, one output"],
)
def test_outputs_that_cannot_give_the_labels_are_an_error_before_the_first_update(sizes, y, loss, words, compiled):
    X = [[0.1, 0.2], [0.3, -0.4], [1.0, 0.5]]
    model = MLP(2, sizes, seed=9)
    before = weights(model)
    with pytest.raises(ValueError, match=re.escape(words)):
        fit(model, X, y, loss=loss, optimizer=SGD(model, lr=0.1), epochs=2, compiled=compiled, verbose=False)
    assert weights(model) == before  # no step was taken


# -- compiled=True: the same steps and the same History as the eager engine, bit for bit ------------


def trained_as_hex(model: MLP, history: History) -> dict[str, list]:
    """The weights and the History after fit(), every float as float.hex: equal only if equal bit for bit."""
    return {
        "weights": [w.hex() for w in weights(model)],
        "loss": [v.hex() for v in history.loss],
        "accuracy": history.accuracy,
        "batch_loss": [v.hex() for v in history.batch_loss],
    }


def fit_both_ways(make_model, X, y, loss, optimizer, as_function=False, **options) -> tuple[dict, dict, list[float]]:
    """fit() eager and compiled, each on its own copy of the same model: (eager, compiled, initial weights).

    loss and optimizer make the loss and the optimizer for a model; as_function hands fit() a plain
    function of x instead of the MLP, so that the parameters come from the optimizer.
    """
    results = []
    for compiled in (False, True):
        model = make_model()
        initial = weights(model)
        history = fit(
            (lambda x, model=model: model(x)) if as_function else model,
            X,
            y,
            loss=loss(model),
            optimizer=optimizer(model),
            verbose=False,
            compiled=compiled,
            **options,
        )
        results.append(trained_as_hex(model, history))
    return results[0], results[1], initial


def squared_hinge(scores, y):
    """A user's own loss, written with Value arithmetic only: (1/m) Σ_x max(0, 1 − y·s)²."""
    return sum((1 - t * s).relu() ** 2 for s, t in zip(scores, y)) / len(scores)


RNG = random.Random(18)
POINTS = [[RNG.uniform(-1, 1), RNG.uniform(-1, 1)] for _ in range(30)]

CASES = {
    # the demo's loss and optimizer, in mini-batches of 10, 10 and 3: two compiled steps
    "max-margin + L2, SGD with momentum": dict(
        make_model=lambda: MLP(2, [8, 8, 1], seed=14),
        data=moons(23),
        loss=lambda model: lambda scores, y: hinge_loss(scores, y) + l2_penalty(model, 1e-4),
        optimizer=lambda model: SGD(model, lr=0.1, momentum=0.9),
        options={"epochs": 4, "batch_size": 10},
    ),
    # several outputs: one-hot targets, accuracy by argmax
    "quadratic cost of one-hot targets, Adam": dict(
        make_model=lambda: MLP(2, [6, 3], activation="tanh", output_activation="sigmoid", seed=15),
        data=(POINTS, [[int(j == (x0 > 0) + (x1 > 0)) for j in range(3)] for x0, x1 in POINTS]),
        loss=lambda model: quadratic_cost,
        optimizer=lambda model: Adam(model, lr=0.05),
        options={"epochs": 3, "batch_size": 7},
    ),
    # a regression, the whole set in every step: no accuracy
    "quadratic cost of a regression, whole batches": dict(
        make_model=lambda: MLP(3, [5, 1], activation="sigmoid", seed=16),
        data=([[0.1 * i, math.sin(i), -0.5] for i in range(12)], [math.cos(i) for i in range(12)]),
        loss=lambda model: quadratic_cost,
        optimizer=lambda model: SGD(model, lr=0.5),
        options={"epochs": 5},
    ),
    # a user's own loss, and a plain function as the model: the parameters come from the optimizer
    "a user's loss and a function as the model": dict(
        make_model=lambda: MLP(2, [5, 1], seed=17),
        data=moons(17),
        loss=lambda model: squared_hinge,
        optimizer=lambda model: SGD(model, lr=0.05),
        options={"epochs": 3, "batch_size": 5, "seed": 3, "as_function": True},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_compiled_training_takes_the_eager_steps_bit_for_bit(case):
    c = CASES[case]
    eager, compiled, initial = fit_both_ways(c["make_model"], *c["data"], c["loss"], c["optimizer"], **c["options"])
    assert compiled == eager  # the weights, the loss and accuracy after each epoch, and every step's loss
    assert eager["weights"] != [w.hex() for w in initial]  # the steps moved the weights


def test_compiled_training_runs_the_model_and_the_loss_only_to_record_them():
    X, y = moons(23)
    model = MLP(2, [4, 1], seed=19)
    calls = Counter()

    class CountingModel:
        def __call__(self, x):
            calls["model"] += 1
            return model(x)

        def parameters(self):
            return model.parameters()

    def counting_loss(outputs, targets):
        calls["loss of Value targets" if isinstance(targets[0], Value) else "loss of numbers"] += 1
        return hinge_loss(outputs, targets)

    fit(
        CountingModel(),
        X,
        y,
        loss=counting_loss,
        optimizer=SGD(model, lr=0.01),
        epochs=3,
        batch_size=10,
        compiled=True,
        verbose=False,
    )
    # Recorded once over the first batch (10 points) to check the model and the loss, once for the
    # forward pass that each epoch's measurement runs (1 point), then once per batch size (10, then 3).
    # The loss is given each distinct label once, as numbers, to see that it takes them all. The 9
    # steps run as generated code, and so do the measurements' forward passes, whose loss is then
    # computed from the outputs (the loss of numbers, once per epoch).
    assert calls == {"model": 10 + 1 + 10 + 3, "loss of Value targets": 3, "loss of numbers": 1 + 3}


@pytest.mark.parametrize(
    ("model_of", "loss", "words"),
    [
        (lambda m: m, binary_cross_entropy, "binary_cross_entropy cannot"),
        (lambda m: m, lambda p, y: binary_cross_entropy(p, y) + l2_penalty(p, 1e-4), "refused Value targets"),
        (lambda m: m, lambda s, y: hinge_loss(s, [2.0 * float(t) - 1.0 for t in y]), "the number of y[0]"),
        (lambda m: lambda x: m([float(v) for v in x]), quadratic_cost, "the number of X[0][0]"),
        (lambda m: m, lambda s, y: quadratic_cost(s[1:], y[1:]), "X[0][0] does not"),  # ignored: not in the graph
    ],
)
def test_a_loss_whose_graph_depends_on_the_labels_values_is_refused_before_training(model_of, loss, words):
    X, labels = make_moons(12, seed=5)  # labels 0 and 1
    model = MLP(2, [4, 1], output_activation="sigmoid", seed=20)
    before = weights(model)
    options = {"loss": loss, "optimizer": SGD(model, lr=0.1), "epochs": 2, "batch_size": 4, "verbose": False}
    with pytest.raises(ValueError, match=re.escape(words)):
        fit(model_of(model), X, labels, compiled=True, **options)
    assert weights(model) == before
    fit(model_of(model), X, labels, **options)  # without compiled=True it trains
    assert weights(model) != before


def test_softmax_cross_entropy_trains_compiled_bitwise_as_eager_with_its_class_indices():
    X = POINTS
    y = [int(x0 > 0) + int(x1 > 0) for x0, x1 in X]
    X_val, y_val = X[:7], y[:7]
    histories, weights_after = [], []
    for compiled in (False, True):
        model = MLP(2, [4, 3], seed=21)
        options = {"epochs": 3, "batch_size": 5, "verbose": False, "validation": (X_val, y_val)}
        optimizer = Adam(model, lr=0.05)
        history = fit(model, X, y, loss=softmax_cross_entropy, optimizer=optimizer, compiled=compiled, **options)
        histories.append(history)
        weights_after.append([p.data.hex() for p in model.parameters()])
    assert histories[0] == histories[1]
    assert weights_after[0] == weights_after[1]
    assert len(histories[0].val_accuracy) == 3 and histories[0].batch_loss[0] != histories[0].batch_loss[-1]


def test_the_validation_set_is_measured_after_each_epoch_and_never_trained_on():
    X, y = make_moons(30, seed=2)
    X_val, y_val = make_moons(12, seed=3)
    runs = []
    for validation in (None, (X_val, y_val)):
        model = MLP(2, [6, 1], output_activation="sigmoid", seed=4)
        history = fit(
            model,
            X,
            y,
            loss=binary_cross_entropy,
            optimizer=SGD(model, lr=0.3),
            epochs=2,
            batch_size=10,
            verbose=False,
            validation=validation,
        )
        runs.append((history, weights(model)))
    (plain, w_plain), (checked, w_checked) = runs
    assert w_plain == w_checked and plain.loss == checked.loss and plain.val_accuracy == []
    # the last epoch's validation numbers are the trained model's, recomputed by hand in plain floats
    outputs = [forward_by_hand(model, x)[0] for x in X_val]
    right = sum((p > 0.5) == (t == 1) for p, t in zip(outputs, y_val))
    assert checked.val_accuracy[-1] == right / len(X_val)
    by_hand = -sum(math.log(p if t == 1 else 1 - p) for p, t in zip(outputs, y_val)) / len(X_val)
    assert checked.val_loss[-1] == pytest.approx(by_hand, rel=1e-12)
    assert "validation accuracy" in repr(checked)


@pytest.mark.parametrize(
    ("validation", "error", "words"),
    [
        ([[0.0, 1.0]], TypeError, "a pair (X_val, y_val), got 1 items"),
        (5, TypeError, "a pair (X_val, y_val), got int"),
        (([[0.0, 1.0]], [0, 1]), ValueError, "1 inputs but 2 targets"),
        (([], []), ValueError, "the validation set is empty"),
    ],
)
def test_a_bad_validation_set_is_refused_before_training(validation, error, words):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(error, match=re.escape(words)):
        options = {"loss": quadratic_cost, "optimizer": SGD(model, lr=0.1), "verbose": False}
        fit(model, [[0.0, 1.0]], [1], validation=validation, **options)


def test_compiled_training_needs_the_parameters():
    class Bare:  # an optimizer without .params, and a model without parameters()
        def step(self): ...

        def zero_grad(self): ...

    model = MLP(2, [2, 1], seed=22)
    with pytest.raises(TypeError, match=r"compiled=True needs the parameters"):
        fit(lambda x: model(x), *moons(6), loss=hinge_loss, optimizer=Bare(), verbose=False, compiled=True)


# -- stopping with a clear error -----------------------------------------------------------------


@pytest.mark.parametrize("compiled", [False, True])
def test_a_nan_in_the_data_stops_training_before_the_weights_change(compiled):
    X, y = moons(10)
    X[3] = [float("nan"), 0.0]
    model = MLP(2, [4, 1], activation="tanh", seed=10)
    before = weights(model)
    with pytest.raises(FloatingPointError, match="check the data for NaN"):
        fit(model, X, y, loss=quadratic_cost, optimizer=SGD(model, lr=0.1), epochs=1, verbose=False, compiled=compiled)
    assert weights(model) == before


@pytest.mark.parametrize("compiled", [False, True])
def test_a_learning_rate_too_large_is_reported_as_divergence(compiled):
    X = [[1e3, -1e3], [2e3, 1e3]]
    y = [1.0, -1.0]
    model = MLP(2, [1], output_activation="linear", seed=11)
    with pytest.raises(FloatingPointError, match="try a smaller learning rate"):
        fit(
            model,
            X,
            y,
            loss=quadratic_cost,
            optimizer=SGD(model, lr=1e10),
            epochs=50,
            verbose=False,
            compiled=compiled,
        )


def failure(compiled: bool, X: list, y: list, lr: float) -> tuple[str, str, list[str]]:
    """(the error's type, its message, the weights as float.hex) where fit() stops."""
    model = MLP(2, [6, 1], activation="tanh", seed=13)
    with pytest.raises(FloatingPointError) as stopped:
        fit(
            model,
            X,
            y,
            loss=quadratic_cost,
            optimizer=SGD(model, lr=lr, momentum=0.9),
            epochs=40,
            batch_size=4,
            verbose=False,
            compiled=compiled,
        )
    return type(stopped.value).__name__, str(stopped.value), [w.hex() for w in weights(model)]


def test_compiled_training_stops_where_eager_training_stops_with_the_same_error():
    X, y = moons(10)
    X[6] = [float("nan"), 0.5]  # in the third mini-batch of the first epoch: two steps come first
    assert failure(True, X, y, lr=0.1) == failure(False, X, y, lr=0.1)
    big = [[1e3 * a, 1e3 * b] for a, b in moons(10)[0]]
    assert failure(True, big, y, lr=1e6) == failure(False, big, y, lr=1e6)  # a square overflows in epoch 9


def stopped_by_a_label(compiled: bool, X: list, y: list, loss, sizes: list[int]) -> tuple[str, str, list[str]]:
    """(the error's type, its message, the weights as float.hex) where fit() stops on a label the loss refuses."""
    model = MLP(2, sizes, seed=21)
    with pytest.raises((TypeError, ValueError)) as stopped:
        options = {"epochs": 2, "batch_size": 4, "verbose": False, "compiled": compiled}
        fit(model, X, y, loss=loss, optimizer=Adam(model, lr=0.05), **options)
    return type(stopped.value).__name__, str(stopped.value), [w.hex() for w in weights(model)]


def test_compiled_training_stops_on_a_bad_label_where_eager_training_stops_with_the_same_error():
    X, y = moons(12)
    initial = [w.hex() for w in weights(MLP(2, [4, 1], seed=21))]
    seen = set()
    for k in range(12):  # the 0 in each place: in the first batch of y, in a later batch of the shuffled order
        labels = [*y[:k], 0, *y[k + 1 :]]
        eager = stopped_by_a_label(False, X, labels, hinge_loss, [4, 1])
        assert stopped_by_a_label(True, X, labels, hinge_loss, [4, 1]) == eager
        assert eager[0] == "ValueError" and "hinge_loss: labels must be -1 or +1, got 0.0 for example" in eager[1]
        seen.add(eager[2] != initial)
    assert seen == {True, False}  # the 0 came in the first batch for some k, after steps for others


@pytest.mark.parametrize(
    ("label", "error"),
    [
        (3, ("ValueError", "softmax_cross_entropy: label 3 of example 2 is not a class index 0..2")),
        (-1, ("ValueError", "softmax_cross_entropy: label -1 of example 2 is not a class index 0..2")),
        (1.5, ("TypeError", "softmax_cross_entropy: labels must be class indices (int), got float for example 2")),
    ],
)
def test_compiled_training_names_a_class_label_out_of_range_as_eager_training_does(label, error):
    X = POINTS[:12]
    y = [int(x0 > 0) + int(x1 > 0) for x0, x1 in X]
    y[11] = label  # the third example of the third batch of seed 0's order, [4, 0, 11, 6]: two steps come first
    eager = stopped_by_a_label(False, X, y, softmax_cross_entropy, [4, 3])
    assert eager[:2] == error
    assert stopped_by_a_label(True, X, y, softmax_cross_entropy, [4, 3]) == eager
    assert eager[2] != [w.hex() for w in weights(MLP(2, [4, 3], seed=21))]  # the steps before it were taken


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
        ({"compiled": 1}, TypeError, "compiled must be True or False"),
        ({"compiled": "yes"}, TypeError, "compiled must be True or False"),
        ({"y": [1, 0, 1]}, ValueError, "labels must be -1 or +1, got 0.0"),
        ({"y": [1, None, 1]}, TypeError, "hinge_loss: targets must be real numbers, got None (NoneType) for example 1"),
        ({"X": [[0.0, 1.0], [1.0, 0.0], "ab"]}, TypeError, "MLP takes a sequence of 2 inputs, got str"),
    ],
)
@pytest.mark.parametrize("compiled", [False, True])
def test_bad_arguments_raise_named_errors(change, error, words, compiled):
    model = MLP(2, [2, 1], seed=12)
    args = {
        "X": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        "y": [1, -1, 1],
        "loss": hinge_loss,
        "optimizer": SGD(model, lr=0.1),
        "compiled": compiled,
    }
    args.update(change)
    before = weights(model)
    with pytest.raises(error, match=re.escape(words)):
        fit(model, args.pop("X"), args.pop("y"), **{"verbose": False, **args})
    assert weights(model) == before


def test_the_tour_s_example_learns_the_moons():
    # the tour's training example, line for line (without its pictures and file)
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


@pytest.mark.parametrize(
    "read",
    [lambda t: t.data, float, lambda t: 1.0 if t > 0 else -1.0, lambda t: 1.0 if t else -1.0],
    ids=[".data", "float()", "a comparison", "an if"],
)
def test_compiled_training_refuses_a_loss_that_reads_a_target_s_number(read):
    from micrograd.training.data import make_moons

    X, y = make_moons(40, seed=1)
    y = [2.0 * t - 1.0 for t in y]

    def weighted(scores, targets):  # weights each example by its target's number: a branch per batch
        terms = []
        for s, t in zip(scores, targets):
            number = read(t) if isinstance(t, Value) else t
            terms.append((3.0 if number > 0 else 1.0) * (s - t) ** 2)
        return sum(terms) * (1.0 / len(terms))

    model = MLP(2, [8, 1], seed=0)
    with pytest.raises(ValueError, match=r"read the number of y\[0\].*replay"):
        fit(model, X, y, loss=weighted, optimizer=SGD(model, lr=0.05), epochs=3, batch_size=10, compiled=True)
    assert [p.data for p in model.parameters()] == [p.data for p in MLP(2, [8, 1], seed=0).parameters()]


def test_numpy_integers_are_epochs_batch_sizes_and_seeds(np):
    X, y = make_moons(20, seed=1)
    histories = []
    for number in (int, np.int64):
        model = MLP(2, [4, 1], output_activation="sigmoid", seed=0)
        options = {"epochs": number(2), "batch_size": number(5), "seed": number(3), "verbose": False}
        histories.append(fit(model, X, y, loss=binary_cross_entropy, optimizer=SGD(model, lr=0.1), **options))
    assert histories[0] == histories[1]
