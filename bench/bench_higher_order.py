"""Higher-order and forward-mode autodiff: ratios measured in one run (never part of the test suite).

    python bench/bench_higher_order.py [--rounds N]

1. grad() without create_graph against backward(), on the loss of W3 (MLP(2, [16, 16, 1]), 100 points).
2. The Hessian of a function of 20 inputs: micrograd's hessian() against PyTorch used as a scalar engine
   (one 0-d tensor per number, grad(create_graph=True) then grad of each entry), and, for context,
   torch.autograd.functional.hessian on one vector.
3. jvp() (Dual numbers, one forward pass) on the W3 loss as a function of its 337 parameters, against
   the forward pass that records a graph, backward() and torch.func.jvp over 0-d tensors.
Each figure is the best of N rounds, the engines interleaved round by round.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import w3

import micrograd
from micrograd import MLP, Value
from micrograd.autodiff import forward_mode


def best(fs: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The best time of each function over rounds, the functions interleaved."""
    times = {name: math.inf for name in fs}
    for _ in range(rounds):
        for name, f in fs.items():
            start = time.perf_counter()
            f()
            times[name] = min(times[name], time.perf_counter() - start)
    return times


def w3_loss_graph() -> tuple[Value, list[Value]]:
    X, y = w3.moons()
    model = MLP(2, [16, 16, 1], seed=1)
    scores = [model([Value(a), Value(b)]) for a, b in X]
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    total = sum(losses) * (1.0 / len(losses)) + w3.ALPHA * sum(p * p for p in model.parameters())
    return total, model.parameters()


def w3_loss_of(params: list, lin: Callable, X: list[list[float]], y: list[int]) -> object:
    """The W3 loss as a function of a flat list of parameters (Values, Duals or tensors): w then b, layer by layer."""
    k, layers = 0, []
    for nin, nout in zip(w3.SIZES, w3.SIZES[1:]):
        neurons = []
        for _ in range(nout):
            neurons.append((params[k : k + nin], params[k + nin]))
            k += nin + 1
        layers.append(neurons)
    total = 0.0
    for row, yi in zip(X, y):
        a = row
        for depth, layer in enumerate(layers):
            z = [lin(w, a, b) for w, b in layer]
            a = z if depth == len(layers) - 1 else [zj.relu() for zj in z]
        total = total + (1 + -yi * a[0]).relu()
    return total * (1.0 / len(X)) + w3.ALPHA * sum(p * p for p in params)


def twenty(x: list) -> object:
    """A function of 20 inputs whose Hessian is dense along a band: Σ tanh(x_i·x_{i+1}) + x_i²·sin(x_i)."""
    return sum((x[i] * x[i + 1]).tanh() for i in range(19)) + sum(xi * xi * xi.sin() for xi in x)


def torch_twenty(torch, x: list) -> object:
    return sum(torch.tanh(x[i] * x[i + 1]) for i in range(19)) + sum(xi * xi * torch.sin(xi) for xi in x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    import torch

    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)

    # 1. grad() against backward() on the same graph
    loss, params = w3_loss_graph()
    t = best({"backward": loss.backward, "grad": lambda: micrograd.grad(loss, params)}, rounds)
    print(f"W3 loss, {len(micrograd.topological_order(loss))} values:")
    print(
        f"  backward() {t['backward'] * 1e3:.1f} ms, grad() {t['grad'] * 1e3:.1f} ms: "
        f"grad() / backward() = {t['grad'] / t['backward']:.2f}"
    )

    # 2. the Hessian of a function of 20 inputs
    rng = random.Random(0)
    xs = [rng.uniform(-1, 1) for _ in range(20)]

    def torch_scalar_hessian() -> list[list[float]]:
        leaves = [torch.tensor(v, requires_grad=True) for v in xs]
        first = torch.autograd.grad(torch_twenty(torch, leaves), leaves, create_graph=True)
        rows = [torch.autograd.grad(g, leaves, retain_graph=True, allow_unused=True) for g in first]
        return [[0.0 if h is None else float(h) for h in row] for row in rows]

    def torch_vector_hessian() -> object:
        return torch.autograd.functional.hessian(lambda v: torch_twenty(torch, list(v)), torch.tensor(xs))

    ours = micrograd.hessian(twenty, xs)
    theirs = torch_scalar_hessian()
    worst = max(abs(a - b) / max(abs(b), 1e-300) for ra, rb in zip(ours, theirs) for a, b in zip(ra, rb) if b)
    t = best(
        {
            "micrograd": lambda: micrograd.hessian(twenty, xs),
            "torch scalar": torch_scalar_hessian,
            "torch vector": torch_vector_hessian,
        },
        rounds,
    )
    print("Hessian of a function of 20 inputs (agree to a relative", f"{worst:.1e}):")
    print(
        f"  micrograd {t['micrograd'] * 1e3:.1f} ms, PyTorch as a scalar engine {t['torch scalar'] * 1e3:.1f} ms "
        f"(micrograd / PyTorch = {t['micrograd'] / t['torch scalar']:.2f}); "
        f"PyTorch on one vector {t['torch vector'] * 1e3:.1f} ms"
    )

    # 3. jvp on the W3 loss, as a function of its parameters
    X, y = w3.moons()
    values = [p.data for p in MLP(2, [16, 16, 1], seed=1).parameters()]
    direction = [rng.uniform(-1, 1) for _ in values]

    def ours_jvp() -> tuple[float, float]:
        return micrograd.jvp(lambda ps: w3_loss_of(ps, forward_mode.linear, X, y), values, direction)

    def reverse() -> float:
        leaves = [Value(v) for v in values]
        out = w3_loss_of(leaves, micrograd.linear, X, y)
        out.backward()
        return math.fsum(p.grad * d for p, d in zip(leaves, direction))

    def torch_lin(w: list, a: list, b: object) -> object:
        return sum((wk * ak for wk, ak in zip(w, a)), b)

    def torch_jvp() -> object:
        primals = tuple(torch.tensor(v) for v in values)
        tangents = tuple(torch.tensor(d) for d in direction)
        return torch.func.jvp(lambda *ps: w3_loss_of(list(ps), torch_lin, X, y), primals, tangents)

    _, tangent = ours_jvp()
    _, t_tangent = torch_jvp()
    print(
        f"jvp of the W3 loss along a random direction: {tangent!r}, reverse mode {reverse()!r}, "
        f"PyTorch {float(t_tangent)!r}"
    )
    t = best({"jvp": ours_jvp, "forward+backward": reverse, "torch jvp": torch_jvp}, max(3, rounds // 3))
    print(
        f"  jvp() {t['jvp'] * 1e3:.1f} ms, graph + backward() {t['forward+backward'] * 1e3:.1f} ms "
        f"(jvp / reverse = {t['jvp'] / t['forward+backward']:.2f}), torch.func.jvp on 0-d tensors "
        f"{t['torch jvp'] * 1e3:.1f} ms (micrograd / PyTorch = {t['jvp'] / t['torch jvp']:.2f})"
    )


if __name__ == "__main__":
    main()
