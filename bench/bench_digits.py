"""Handwritten digits with a scalar engine: seconds per epoch and time to 97% test accuracy, ratios in one run.

    python bench/bench_digits.py                 # about three minutes on 2 cores
    python bench/bench_digits.py --epochs 6      # quicker; 97% may not be reached

The workload of ``python -m micrograd demo --dataset digits``: MLP(64, [32, 10]) with relu, softmax
cross-entropy and Adam (lr 0.02), mini-batches of 32 of the 1,438 training images of
``load_digits(seed=0)``, shuffled by ``random.Random(0)`` as fit() shuffles them; the test accuracy on
the 359 held-out images after each epoch. Every way below trains its own copy of the same initial
weights on the same batches:

- micrograd eager: ``train_step`` (build the graph, zero_grad(), backward(), Adam);
- micrograd compiled: the step recorded once per batch size with ``compile_function`` and run with
  ``.run()``, as ``fit(compiled=True)`` does (its one-time compile counts in the first epoch);
- plain floats: the same step as tuned plain Python (``float_step`` below: locals, ``sum(map(mul, ...))``,
  backprop a layer at a time over the batch), the reference every ratio is taken against;
- PyTorch vectorized: ``nn.Sequential`` in float64, one thread: context, the physical reference;
- PyTorch as a scalar engine (one tensor per number, the forward pass as Python loops) and micrograd
  0.1.0 from PyPI (in its own process, from a virtualenv under the system's temp directory): a few
  steps timed and extrapolated to an epoch, as a whole epoch would take minutes. micrograd 0.1.0 has
  no exp or log, so its step uses the multiclass hinge loss Σ_k relu(z_k − z_y + 1) on the same network.

Epochs are interleaved (epoch 1 of each way, then epoch 2 of each, ...), so a slow moment of the
shared machine hits every way alike; the test accuracy is measured between epochs, outside the timing.
Time to 97% is the training time up to the end of the first epoch whose test accuracy is ≥ 97%.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from operator import mul
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from micrograd import MLP  # noqa: E402
from micrograd.compile import CompiledGraph, compile_function  # noqa: E402
from micrograd.training.data import load_digits  # noqa: E402
from micrograd.training.losses import softmax_cross_entropy  # noqa: E402
from micrograd.training.metrics import accuracy  # noqa: E402
from micrograd.training.optim import Adam  # noqa: E402
from micrograd.training.train import train_step  # noqa: E402

HIDDEN, CLASSES, LR, BATCH, SEED = 32, 10, 0.02, 32, 0
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
VENV = Path(tempfile.gettempdir()) / "micrograd-0.1.0-venv"


def batches(n: int, epochs: int) -> list[list[list[int]]]:
    """The indices of every epoch's mini-batches, shuffled as fit(seed=SEED) shuffles them."""
    rng, order, out = random.Random(SEED), list(range(n)), []
    for _ in range(epochs):
        rng.shuffle(order)
        out.append([order[s : s + BATCH] for s in range(0, n, BATCH)])
    return out


def initial_weights() -> list[tuple[list[list[float]], list[float]]]:
    """MLP(64, [32, 10], seed=SEED)'s weights and biases as floats, layer by layer."""
    model = MLP(64, [HIDDEN, CLASSES], activation="relu", seed=SEED)
    return [([[w.data for w in n.w] for n in ns], [n.b.data for n in ns]) for ns in (l.neurons for l in model.layers)]


# -- the ways to train ---------------------------------------------------------------------------------


class Micrograd:
    """micrograd, eager or compiled: one epoch of steps, and the test accuracy."""

    def __init__(self, compiled: bool) -> None:
        self.name = "micrograd compiled" if compiled else "micrograd eager"
        self.model = MLP(64, [HIDDEN, CLASSES], activation="relu", seed=SEED)
        self.optimizer = Adam(self.model, lr=LR)
        self.compiled = compiled
        self.steps: dict[int, CompiledGraph] = {}
        self.losses: list[float] = []

    def epoch(self, X: list[list[float]], y: list[int], order: list[list[int]]) -> None:
        for batch in order:
            Xb, yb = [X[i] for i in batch], [y[i] for i in batch]
            if not self.compiled:
                self.losses.append(train_step(self.model, softmax_cross_entropy, self.optimizer, Xb, yb))
                continue
            targets = [[1.0 if k == t else 0.0 for k in range(CLASSES)] for t in yb]
            step = self.steps.get(len(Xb))
            if step is None:
                loss = lambda X, y: softmax_cross_entropy([self.model(x) for x in X], y)  # noqa: E731
                step = self.steps[len(Xb)] = compile_function(loss, self.model.parameters(), Xb, targets)
            self.optimizer.zero_grad()
            self.losses.append(step.run(Xb, targets))
            self.optimizer.step()

    def test_accuracy(self, X: list[list[float]], y: list[int]) -> float:
        return accuracy(self.model, X, y)


def float_step(layers: list[tuple[list[list[float]], list[float]]]) -> Callable[[list[list[float]], list[int]], float]:
    """One Adam step of MLP(64, [32, 10]) with softmax cross-entropy, as tuned plain Python; returns the batch loss."""
    params = list(layers)
    # Adam's running averages m and v of every weight and bias, layer by layer
    moments = [
        ([[0.0] * len(r) for r in W], [[0.0] * len(r) for r in W], [0.0] * len(b), [0.0] * len(b)) for W, b in layers
    ]
    t = [0]
    L = len(params)

    def step(X: list[list[float]], y: list[int]) -> float:
        count = len(X)
        acts: list[list[list[float]]] = [[] for _ in range(L)]  # acts[l][x]: the input of layer l on example x
        deltas, total = [], 0.0
        for x, label in zip(X, y):
            a = x
            for l, (W, b) in enumerate(params):
                acts[l].append(a)
                z = [sum(map(mul, w, a)) + b_j for w, b_j in zip(W, b)]
                a = [v if v > 0.0 else 0.0 for v in z] if l < L - 1 else z
            top = max(a)
            exps = [math.exp(v - top) for v in a]
            s = sum(exps)
            total += math.log(s) - (a[label] - top)
            delta = [e / s / count for e in exps]
            delta[label] -= 1.0 / count
            deltas.append(delta)
        grads: list[tuple[list[list[float]], list[float]]] = [([], [])] * L
        for l in range(L - 1, -1, -1):
            by_neuron, by_input = list(zip(*deltas)), list(zip(*acts[l]))
            grads[l] = ([[sum(map(mul, d, a)) for a in by_input] for d in by_neuron], [sum(d) for d in by_neuron])
            if l:
                columns = list(zip(*params[l][0]))
                deltas = [
                    [sum(map(mul, c, d)) if a_k > 0.0 else 0.0 for c, a_k in zip(columns, a)]
                    for d, a in zip(deltas, acts[l])
                ]
        t[0] += 1
        c1, c2 = 1.0 - BETA1 ** t[0], 1.0 - BETA2 ** t[0]
        lr1, root2 = LR / c1, math.sqrt(c2)
        for (W, b), (gW, gb), (mW, vW, mb, vb) in zip(params, grads, moments):
            for j, (w, g) in enumerate(zip(W, gW)):
                m = mW[j] = [BETA1 * mi + (1.0 - BETA1) * gi for mi, gi in zip(mW[j], g)]
                v = vW[j] = [BETA2 * vi + (1.0 - BETA2) * gi * gi for vi, gi in zip(vW[j], g)]
                W[j] = [wi - lr1 * (mi / (math.sqrt(vi) / root2 + EPS)) for wi, mi, vi in zip(w, m, v)]
            mb[:] = [BETA1 * mi + (1.0 - BETA1) * gi for mi, gi in zip(mb, gb)]
            vb[:] = [BETA2 * vi + (1.0 - BETA2) * gi * gi for vi, gi in zip(vb, gb)]
            b[:] = [bi - lr1 * (mi / (math.sqrt(vi) / root2 + EPS)) for bi, mi, vi in zip(b, mb, vb)]
        return total / count

    return step


class Floats:
    """The tuned plain-Python step: the reference."""

    name = "plain floats (tuned)"

    def __init__(self) -> None:
        self.layers = initial_weights()
        self.step = float_step(self.layers)
        self.losses: list[float] = []

    def epoch(self, X: list[list[float]], y: list[int], order: list[list[int]]) -> None:
        for batch in order:
            self.losses.append(self.step([X[i] for i in batch], [y[i] for i in batch]))

    def test_accuracy(self, X: list[list[float]], y: list[int]) -> float:
        right = 0
        for x, label in zip(X, y):
            a = x
            for l, (W, b) in enumerate(self.layers):
                z = [sum(map(mul, w, a)) + b_j for w, b_j in zip(W, b)]
                a = [v if v > 0.0 else 0.0 for v in z] if l < len(self.layers) - 1 else z
            right += a.index(max(a)) == label
        return right / len(X)


class TorchVectorized:
    """PyTorch as it is meant to be used: a batch as one tensor, float64, one thread."""

    name = "PyTorch vectorized"

    def __init__(self, torch: object) -> None:
        import torch as t

        self.t = t
        layers = initial_weights()
        self.model = t.nn.Sequential(t.nn.Linear(64, HIDDEN), t.nn.ReLU(), t.nn.Linear(HIDDEN, CLASSES)).double()
        with t.no_grad():
            for linear, (W, b) in zip([self.model[0], self.model[2]], layers):
                linear.weight.copy_(t.tensor(W, dtype=t.float64))
                linear.bias.copy_(t.tensor(b, dtype=t.float64))
        self.optimizer = t.optim.Adam(self.model.parameters(), lr=LR)
        self.losses: list[float] = []

    def epoch(self, X: list[list[float]], y: list[int], order: list[list[int]]) -> None:
        t = self.t
        Xt, yt = t.tensor(X, dtype=t.float64), t.tensor(y)
        for batch in order:
            index = t.tensor(batch)
            loss = t.nn.functional.cross_entropy(self.model(Xt[index]), yt[index])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.losses.append(loss.item())

    def test_accuracy(self, X: list[list[float]], y: list[int]) -> float:
        t = self.t
        with t.no_grad():
            predicted = self.model(t.tensor(X, dtype=t.float64)).argmax(1)
        return (predicted == t.tensor(y)).double().mean().item()


# -- a few steps, extrapolated: micrograd 0.1.0 and PyTorch as a scalar engine -----------------------------

FEW_STEPS = r"""
import json, math, random, sys, time
with open(sys.argv[1], encoding="utf-8") as f:
    X, y = json.load(f)  # the first (steps + 1) batches of 32 images: no micrograd but the one measured
kind, steps = sys.argv[2], int(sys.argv[3])
order = [list(range(32 * k, 32 * k + 32)) for k in range(steps + 1)]
times = []
if kind == "micrograd 0.1.0":
    from micrograd.engine import Value
    from micrograd.nn import MLP
    random.seed(0)
    model = MLP(64, [32, 10])
    for batch in order:
        t = time.perf_counter()
        terms = []
        for i in batch:
            z = model([Value(v) for v in X[i]])
            terms += [(z_k - z[y[i]] + 1).relu() for k, z_k in enumerate(z) if k != y[i]]
        loss = sum(terms) * (1.0 / len(batch))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        times.append(time.perf_counter() - t)
else:
    import torch
    torch.set_num_threads(1)
    rng = random.Random(0)
    W = [[[torch.tensor(rng.uniform(-0.1, 0.1), dtype=torch.float64, requires_grad=True) for _ in range(n_in)]
          for _ in range(n_out)] for n_in, n_out in ((64, 32), (32, 10))]
    B = [[torch.tensor(0.0, dtype=torch.float64, requires_grad=True) for _ in range(n)] for n in (32, 10)]
    params = [p for layer in W for row in layer for p in row] + [p for layer in B for p in layer]
    optimizer = torch.optim.Adam(params, lr=0.02)
    for batch in order:
        t = time.perf_counter()
        terms = []
        for i in batch:
            a = [torch.tensor(v, dtype=torch.float64) for v in X[i]]
            for l in range(2):
                z = [sum(w * a_k for w, a_k in zip(row, a)) + b for row, b in zip(W[l], B[l])]
                a = [torch.relu(v) for v in z] if l == 0 else z
            top = max(v.item() for v in a)
            terms.append(torch.log(sum(torch.exp(v - top) for v in a)) - (a[y[i]] - top))
        loss = sum(terms) / len(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - t)
print(json.dumps(times[1:]))  # the first step warms up
"""


def few_steps(kind: str, python: str, steps: int, X: list[list[float]], y: list[int]) -> list[float]:
    """Seconds per step of kind over a few batches of 32, in a process of its own."""
    import json

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder, "batches.json")
        n = BATCH * (steps + 1)
        data.write_text(json.dumps([X[:n], y[:n]]), encoding="utf-8")
        done = subprocess.run(
            [python, "-c", FEW_STEPS, str(data), kind, str(steps)],
            capture_output=True,
            text=True,
            cwd=folder,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stderr}")
    times: list[float] = json.loads(done.stdout)
    return times


def micrograd_0_1_0() -> str:
    """The python of a virtualenv holding micrograd 0.1.0 from PyPI (made once, with pip: the one network access)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "micrograd==0.1.0"], check=True)
    return str(python)


# -- the run --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=15, help="epochs of each way (default: 15)")
    parser.add_argument("--steps", type=int, default=3, help="steps timed of the extrapolated ways (default: 3)")
    args = parser.parse_args()

    X, y, X_test, y_test = load_digits(seed=SEED)
    order = batches(len(X), args.epochs)
    try:
        import torch

        torch.set_num_threads(1)
        torch_ways: list[object] = [TorchVectorized(torch)]
    except ImportError:
        torch, torch_ways = None, []
    ways = [Floats(), Micrograd(compiled=False), Micrograd(compiled=True), *torch_ways]
    seconds = {way.name: [] for way in ways}  # type: ignore[attr-defined]
    accuracy_after = {way.name: [] for way in ways}  # type: ignore[attr-defined]
    for e in range(args.epochs):
        for way in ways:
            start = time.perf_counter()
            way.epoch(X, y, order[e])  # type: ignore[attr-defined]
            seconds[way.name].append(time.perf_counter() - start)  # type: ignore[attr-defined]
            accuracy_after[way.name].append(way.test_accuracy(X_test, y_test))  # type: ignore[attr-defined]
        shown = ", ".join(f"{name} {acc[-1]:.1%}" for name, acc in accuracy_after.items())
        print(f"epoch {e + 1}: test accuracy {shown}", flush=True)

    eager, compiled, floats = ways[1], ways[2], ways[0]
    if eager.losses != compiled.losses:  # type: ignore[attr-defined]
        raise RuntimeError("the compiled steps were not the eager ones, bit for bit: a bug of the compiled mode")
    drift = max(abs(a - b) / abs(b) for a, b in zip(floats.losses[:45], eager.losses[:45]))  # type: ignore[attr-defined]

    steps_per_epoch = len(order[0])
    extrapolated = {}
    for kind, python in (("micrograd 0.1.0", micrograd_0_1_0()), ("PyTorch scalar", sys.executable)):
        if kind == "PyTorch scalar" and torch is None:
            continue
        per_step = statistics.median(few_steps(kind, python, args.steps, X, y))
        extrapolated[kind] = per_step * steps_per_epoch

    reference = seconds[floats.name]  # type: ignore[attr-defined]

    def vs_floats(times: list[float]) -> float:
        """The median over the epochs of the time over the floats' time in the same epoch: a slow spell cancels."""
        return statistics.median(t / f for t, f in zip(times, reference))

    print()
    print(
        f"MLP(64, [{HIDDEN}, {CLASSES}]), relu, softmax cross-entropy, Adam(lr={LR}), batches of {BATCH}: "
        f"{steps_per_epoch} steps an epoch over {len(X)} images; test set {len(X_test)} images"
    )
    print(
        f"{args.epochs} epochs of each way, interleaved; figures are medians over the epochs, "
        "and each ratio the median of the ratios within an epoch\n"
    )
    print(f"{'':44}{'s / epoch':>10}{'vs floats':>11}{'97% after':>11}{'time to 97%':>13}")
    for name, times in seconds.items():
        reached = next((e for e, a in enumerate(accuracy_after[name]) if a >= 0.97), None)
        to_97 = f"{sum(times[: reached + 1]):.1f} s" if reached is not None else "not reached"
        epoch = f"epoch {reached + 1}" if reached is not None else "-"
        median = statistics.median(times)
        print(f"{name:44}{median:>10.3f}{vs_floats(times):>10.2f}x{epoch:>11}{to_97:>13}")
    for name, per_epoch in extrapolated.items():
        what = f"{name} ({args.steps} steps, extrapolated)"
        print(f"{what:44}{per_epoch:>10.1f}{per_epoch / statistics.median(reference):>10.0f}x{'-':>11}{'-':>13}")
    first = seconds[compiled.name][0] - statistics.median(seconds[compiled.name][1:] or [0.0])  # type: ignore[attr-defined]
    print()
    print(
        f"micrograd compiled: one-time compile ≈ {first:.2f} s, in its first epoch "
        f"({first / (statistics.median(seconds[eager.name]) / steps_per_epoch):.1f} eager steps)"
    )  # type: ignore[attr-defined]
    print("the compiled steps took the eager steps bit for bit: checked on every batch loss")
    print(f"plain floats vs micrograd, first epoch's batch losses: largest relative difference {drift:.1e}")
    print("(micrograd 0.1.0 has no exp or log: its step uses the multiclass hinge loss on the same network)")


if __name__ == "__main__":
    main()
