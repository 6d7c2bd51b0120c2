"""The handwritten digits: load_digits (the data micrograd ships) against scikit-learn's copy, softmax cross-entropy
compiled and vs PyTorch, training."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import optional_import
from micrograd import MLP, Value
from micrograd.compile import compile_graph
from micrograd.training.data import load_digits
from micrograd.training.losses import amax, logsumexp, softmax_cross_entropy
from micrograd.training.metrics import confusion_matrix
from micrograd.training.optim import Adam
from micrograd.training.train import fit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sklearn_digits():
    """scikit-learn's own digits, the oracle of load_digits: (images as 64 floats in 0..16, labels)."""
    datasets = optional_import("sklearn.datasets")
    digits = datasets.load_digits()
    return digits.data.tolist(), digits.target.tolist()


@pytest.fixture(scope="module")
def split():
    return load_digits()


# -- load_digits ---------------------------------------------------------------------------------------


def test_the_shipped_digits_are_scikit_learns_every_image_and_label_in_order(sklearn_digits):
    """The data file micrograd ships, read with the csv module: row i is scikit-learn's image i, then its label."""
    images, labels = sklearn_digits
    path = ROOT / "micrograd" / "training" / "datasets" / "digits.csv.gz"
    with gzip.open(path, "rt", encoding="ascii", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == len(images) == 1797
    assert [[float(v) for v in row[:-1]] for row in rows] == images
    assert [int(row[-1]) for row in rows] == labels


def test_load_digits_is_scikit_learns_images_scaled_to_0_1_and_split_in_two(sklearn_digits, split):
    images, labels = sklearn_digits
    X, y, X_test, y_test = split
    assert (len(X), len(X_test)) == (1438, 359) and len(y) == len(X) and len(y_test) == len(X_test)
    assert all(len(x) == 64 and all(type(v) is float and 0.0 <= v <= 1.0 for v in x) for x in X + X_test)
    assert all(type(t) is int for t in y + y_test)
    # Every image once, in one of the two sets, with its label: the same multiset as scikit-learn's.
    ours = Counter((tuple(x), t) for x, t in zip(X + X_test, y + y_test))
    theirs = Counter((tuple(v / 16 for v in image), t) for image, t in zip(images, labels))
    assert ours == theirs


def test_the_split_is_stratified_a_fifth_of_each_digit_held_out(sklearn_digits, split):
    per_digit = Counter(sklearn_digits[1])
    _, y, _, y_test = split
    assert Counter(y_test) == {d: round(n * 0.2) for d, n in per_digit.items()}
    assert Counter(y) == {d: n - round(n * 0.2) for d, n in per_digit.items()}
    _, _, _, y_half = load_digits(0.5, seed=3)
    assert Counter(y_half) == {d: round(n * 0.5) for d, n in per_digit.items()}


def test_the_split_is_the_same_in_every_process_and_changes_with_the_seed(split):
    code = (
        "import hashlib, json; from micrograd.training.data import load_digits; "
        "print(hashlib.sha256(json.dumps(load_digits(seed={seed})).encode()).hexdigest())"
    )
    digests = []
    for seed, hash_seed in ((0, "1"), (0, "2"), (1, "1")):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", code.format(seed=seed)], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
        digests.append(done.stdout.strip())
    assert digests[0] == digests[1] == hashlib.sha256(json.dumps(split).encode()).hexdigest()
    assert digests[2] != digests[0]


def test_load_digits_needs_no_scikit_learn(monkeypatch, split):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed: importing it would fail
    assert load_digits() == split


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: load_digits(0.0), ValueError, "between 0 and 1"),
        (lambda: load_digits(1.0), ValueError, "between 0 and 1"),
        (lambda: load_digits("0.2"), TypeError, "test_fraction must be a number, got str"),
        (lambda: load_digits(seed=1.5), TypeError, "seed must be an int, got float"),
        (lambda: load_digits(0.0001), ValueError, "leaves no image of the digit 0 in one of the sets"),
    ],
)
def test_bad_arguments_of_load_digits_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()


# -- softmax cross-entropy: compiled, and against PyTorch ---------------------------------------------

logit = st.one_of(
    st.floats(-30, 30, allow_nan=False), st.sampled_from([0.0, -0.0, 1000.0, -1000.0, 999.0, 1e-300, 700.0])
)


@st.composite
def batches(draw):
    """(logits of m examples and n classes, class indices), twice: the batch a step records, then another."""
    m, n = draw(st.integers(1, 5)), draw(st.integers(2, 6))
    pair = []
    for _ in range(2):
        z = draw(st.lists(st.lists(logit, min_size=n, max_size=n), min_size=m, max_size=m))
        pair.append((z, draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))))
    return pair


def eager(z: list[list[float]], labels: list[int]) -> tuple[str, list[str]]:
    """(loss, ∂loss/∂z) from backward(), as hex: bits, not approximations."""
    leaves = [[Value(v) for v in row] for row in z]
    loss = softmax_cross_entropy(leaves, labels)
    loss.backward()
    return loss.data.hex(), [v.grad.hex() for row in leaves for v in row]


@given(batches())
def test_compiled_softmax_cross_entropy_is_bitwise_the_eager_one_on_every_batch(pair):
    (z0, labels0), (z1, labels1) = pair
    n = len(z0[0])
    # Recorded once, on the first batch, with the logits as parameters and one-hot targets as inputs.
    logits = [[Value(v) for v in row] for row in z0]
    targets = [[Value(float(k == t)) for k in range(n)] for t in labels0]
    graph = compile_graph(softmax_cross_entropy(logits, targets), [v for row in logits for v in row], targets)
    for z, labels in ((z0, labels0), (z1, labels1)):
        one_hot = [[float(k == t) for k in range(n)] for t in labels]
        value, grads = graph([v for row in z for v in row], one_hot)
        assert (value.hex(), [g.hex() for g in grads]) == eager(z, labels)


def test_softmax_cross_entropy_and_logsumexp_match_pytorch_float64(torch):
    rng = random.Random(13)
    for trial in range(40):
        m, n = rng.randint(1, 6), rng.randint(2, 10)
        scale = [1.0, 30.0, 1000.0][trial % 3]
        z = [[rng.gauss(0.0, scale) for _ in range(n)] for _ in range(m)]
        labels = [rng.randrange(n) for _ in range(m)]
        leaves = [[Value(v) for v in row] for row in z]
        loss = softmax_cross_entropy(leaves, labels)
        loss.backward()
        t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        t_loss = torch.nn.functional.cross_entropy(t, torch.tensor(labels))
        t_loss.backward()
        assert loss.data == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-300)
        for row, t_row in zip(leaves, t.grad.tolist()):
            for v, g in zip(row, t_row):
                assert abs(v.grad - g) <= 1e-12 * max(abs(g), 1.0 / m)
            assert abs(sum(v.grad for v in row)) <= 1e-12  # softmax − onehot sums to 0
        # logsumexp and amax of one example, with their gradients
        for ours, theirs in ((logsumexp, torch.logsumexp), (amax, torch.amax)):
            leaves = [Value(v) for v in z[0]]
            out = ours(leaves)
            out.backward()
            t = torch.tensor(z[0], dtype=torch.float64, requires_grad=True)
            t_out = theirs(t, 0)
            t_out.backward()
            assert out.data == pytest.approx(t_out.item(), rel=1e-15)
            assert [v.grad for v in leaves] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-300)


def test_logits_of_a_thousand_stay_finite_compiled_too():
    z = [[Value(1000.0), Value(-1000.0), Value(999.0)], [Value(-1000.0), Value(-1000.0), Value(-999.0)]]
    targets = [[Value(0.0), Value(1.0), Value(0.0)], [Value(1.0), Value(0.0), Value(0.0)]]
    graph = compile_graph(softmax_cross_entropy(z, targets), [v for row in z for v in row], targets)
    value, grads = graph([v.data for row in z for v in row], [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    # by hand: log(1 + e^-2000 + e^-1) + 2000 for the first, log(2e^-1 + 1) + 1 for the second
    by_hand = (math.log(1 + math.exp(-1)) + 2000 + math.log(2 * math.exp(-1) + 1) + 1) / 2
    assert value == pytest.approx(by_hand, rel=1e-15)
    assert all(math.isfinite(g) for g in grads) and abs(sum(grads)) <= 1e-12


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: logsumexp([]), ValueError, "logsumexp: got no values"),
        (lambda: logsumexp(Value(1.0)), TypeError, "logsumexp: takes a list of Values"),
        (lambda: amax([Value(1.0), "2"]), TypeError, r"amax: z\[1\] must be a Value or a number, got str"),
        (lambda: softmax_cross_entropy([[Value(1), Value(2)]], [[0, 1, 0]]), ValueError, "2 logits but a one-hot"),
        (lambda: softmax_cross_entropy([[Value(1), Value(2)]], [[1, 1]]), ValueError, "is not one-hot"),
        (lambda: softmax_cross_entropy([[Value(1), Value(2)]], [[0.5, 0.5]]), ValueError, "is not one-hot"),
        (lambda: softmax_cross_entropy([[Value(1), Value(2)]], [0, 1]), ValueError, "1 outputs but 2"),
    ],
)
def test_bad_inputs_of_the_new_functions_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()


# -- training on digits, checked against the saved model in plain floats --------------------------------


def plain_forward(saved: dict, x: list[float]) -> list[float]:
    """A saved MLP's outputs in plain floats, read with the json module (relu hidden layers, linear output)."""
    a = x
    for w_l, b_l, activation in zip(saved["weights"], saved["biases"], saved["activations"]):
        z = [math.fsum(w * a_k for w, a_k in zip(w_j, a)) + b_j for w_j, b_j in zip(w_l, b_l)]
        a = [max(v, 0.0) for v in z] if activation == "relu" else z
    return a


def plain_scores(saved: dict, X: list[list[float]], y: list[int]) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of a saved model, by hand: log Σ e^(z − max) − (z_y − max)."""
    losses, right = [], 0
    for x, t in zip(X, y):
        z = plain_forward(saved, x)
        top = max(z)
        losses.append(math.log(math.fsum(math.exp(v - top) for v in z)) - (z[t] - top))
        right += max(range(len(z)), key=z.__getitem__) == t
    return math.fsum(losses) / len(X), right / len(X)


def test_a_short_training_run_learns_digits_and_its_history_is_the_saved_models(split, tmp_path):
    X, y, X_test, y_test = split
    model = MLP(64, [16, 10], activation="relu", seed=1)
    history = fit(
        model,
        X[:300],
        y[:300],
        loss=softmax_cross_entropy,
        optimizer=Adam(model, lr=0.02),
        epochs=2,
        batch_size=25,
        verbose=False,
        compiled=True,
        validation=(X_test, y_test),
    )
    model.save(tmp_path / "model.json")
    saved = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    loss, train_accuracy = plain_scores(saved, X[:300], y[:300])
    test_loss, test_accuracy = plain_scores(saved, X_test, y_test)
    assert history.accuracy[-1] == train_accuracy and history.val_accuracy[-1] == test_accuracy
    assert history.loss[-1] == pytest.approx(loss, rel=1e-12)
    assert history.val_loss[-1] == pytest.approx(test_loss, rel=1e-12)
    assert test_accuracy > 0.5  # five times chance (0.1), after 24 steps


def test_the_confusion_matrix_counts_the_models_predictions(split, tmp_path):
    _, _, X_test, y_test = split
    model = MLP(64, [10], seed=2)
    counts = confusion_matrix(model, X_test[:80], y_test[:80])
    model.save(tmp_path / "model.json")
    saved = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    by_hand = Counter()
    for x, t in zip(X_test[:80], y_test[:80]):
        z = plain_forward(saved, x)
        by_hand[t, max(range(10), key=z.__getitem__)] += 1
    assert {(t, p): c for t, row in enumerate(counts) for p, c in enumerate(row) if c} == dict(by_hand)
    assert sum(map(sum, counts)) == 80
