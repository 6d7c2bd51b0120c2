"""The compiled mode on the W3 training step, against the eager engine and plain floats: ratios in one run.

    python bench/bench_compile.py              # a few seconds
    python bench/bench_compile.py --rounds 10  # quicker, noisier
    python bench/bench_compile.py --previous REV   # and the same figures of another revision, as ratios

The W3 step (bench/w3.py): MLP(2, [16, 16, 1]) on 100 two-moons points, max-margin loss + 1e-4·L2,
backward, SGD. Four ways to take it, each training its own copy of the same network:

- eager: ``w3.engine_step``, the step as micrograd's demo writes it: build the graph, zero_grad(),
  backward(), SGD on every parameter.
- plain floats: ``w3.plain_float_step``, the same step written by hand with floats.
- compiled, Values: ``zero_grad()``, ``graph.run(X)`` (reads every parameter's .data, runs the
  generated forward and backward, adds the gradients to .grad), then SGD on every parameter's .data,
  exactly as the eager step does: what ``fit(compiled=True)`` does.
- compiled, floats: ``graph(w, X)`` with the parameters in a list of floats, then SGD on that list.

Each timing covers the whole step: forward, loss, backward and update. The one-time compile is
timed from the model to a callable: building the graph of the step once with the engine, then
``compile_graph``. Rounds are interleaved (a step of each, then again) and each figure is the
minimum over the rounds (the median follows), so a slow moment of the shared machine hits every
variant alike. Before timing, the compiled step is checked to take the eager step's steps bit for bit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# MICROGRAD_ENGINE: the folder holding the micrograd to measure (--previous sets it for its runs).
sys.path.insert(0, os.environ.get("MICROGRAD_ENGINE", str(Path(__file__).resolve().parent.parent)))

import w3

from micrograd import MLP, Value
from micrograd.compile import CompiledGraph, compile_graph

SEED = 1337  # w3.plain_float_step draws its weights from random.Random(1337), as MLP(..., seed=1337) does


def record(model: MLP, X: list[list[float]], y: list[int]) -> CompiledGraph:
    """The W3 step's loss (w3.loss, as w3.engine_step builds it) with X as the input; compiled."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    return compile_graph(w3.loss(model, list(map(model, inputs)), y), model.parameters(), inputs)


def compiled_step(model: MLP, graph: CompiledGraph, X: list[list[float]]):
    params = model.parameters()

    def step() -> float:
        model.zero_grad()
        loss = graph.run(X)
        for p in params:
            p.data -= w3.LEARNING_RATE * p.grad
        return loss

    return step


def compiled_float_step(graph: CompiledGraph, X: list[list[float]]):
    w = [p.data for p in graph.params]

    def step() -> float:
        loss, grads = graph(w, X)
        w[:] = [wi - w3.LEARNING_RATE * gi for wi, gi in zip(w, grads)]
        return loss

    return step


def check_bitwise(X: list[list[float]], y: list[int], steps: int = 3) -> None:
    eager_model, model = MLP(2, w3.SIZES[1:], seed=SEED), MLP(2, w3.SIZES[1:], seed=SEED)
    eager = w3.engine_step(Value, eager_model, X, y)
    compiled = compiled_step(model, record(model, X, y), X)
    for i in range(steps):
        if eager() != compiled() or [p.data for p in eager_model.parameters()] != [p.data for p in model.parameters()]:
            sys.exit(f"the compiled step differs from the eager step at step {i + 1}")


def against_previous(rev: str, rounds: int, runs: int = 3) -> None:
    """This tree and revision rev, each in processes of its own, alternating: the best figures of each, as ratios."""
    from bench_engine import export_previous

    previous, short = export_previous(rev)
    engines = {"this tree": os.environ.get("MICROGRAD_ENGINE", ""), f"previous ({short})": previous}
    best: dict[str, dict[str, float]] = {name: {} for name in engines}
    for _ in range(runs):
        for name, path in engines.items():
            env = {**os.environ, "MICROGRAD_ENGINE": path} if path else dict(os.environ)
            out = subprocess.run(
                [sys.executable, __file__, "--rounds", str(rounds), "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for key, value in json.loads(out).items():
                best[name][key] = min(value, best[name].get(key, value))
    print(f"best of {runs} alternating runs of {rounds} rounds each, each engine in its own processes\n")
    print(f"{'':<20}" + "".join(f"{name:>20}" for name in engines) + f"{'ratio':>10}")
    this, other = best.values()
    for key in this:
        print(
            f"{key:<20}"
            + "".join(f"{b[key] * 1e3:>18.2f}ms" for b in best.values())
            + f"{this[key] / other[key]:>9.3f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds of steps (default 40)")
    parser.add_argument("--previous", help="also measure this git revision, in processes of its own; print ratios")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the best times, for --previous
    args = parser.parse_args()
    if args.previous:
        against_previous(args.previous, args.rounds)
        return
    X, y = w3.moons()
    check_bitwise(X, y)

    eager_model, model, float_model = (MLP(2, w3.SIZES[1:], seed=SEED) for _ in range(3))
    graph = record(model, X, y)
    steps = {
        "eager": w3.engine_step(Value, eager_model, X, y),
        "plain floats": w3.plain_float_step(X, y, seed=SEED),
        "compiled, Values": compiled_step(model, graph, X),
        "compiled, floats": compiled_float_step(record(float_model, X, y), X),
    }
    times: dict[str, list[float]] = {name: [] for name in [*steps, "one-time compile"]}
    compile_model = MLP(2, w3.SIZES[1:], seed=SEED)
    for step in steps.values():
        step()  # warm up
    for r in range(args.rounds):
        for name, step in steps.items():
            t = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - t)
        if r % 4 == 0:  # a compile costs several steps: time it every fourth round
            t = time.perf_counter()
            record(compile_model, X, y)
            times["one-time compile"].append(time.perf_counter() - t)

    best = {name: min(ts) for name, ts in times.items()}
    if args.json:
        print(json.dumps(best))
        return
    print(f"W3 step: MLP(2, [16, 16, 1]), {len(X)} moons points, max-margin + L2, backward, SGD")
    print(f"{graph!r}; {args.rounds} interleaved rounds\n")
    print(f"{'':<20}{'min':>10}{'median':>10}")
    for name, ts in times.items():
        print(f"{name:<20}{best[name] * 1e3:>8.2f}ms{statistics.median(ts) * 1e3:>8.2f}ms")
    plain, eager = best["plain floats"], best["eager"]
    print()
    print(f"compiled step (Values) / plain floats: {best['compiled, Values'] / plain:.2f}x   (goal: at most 2x)")
    print(f"compiled step (floats) / plain floats: {best['compiled, floats'] / plain:.2f}x")
    print(f"eager step / compiled step (Values):   {eager / best['compiled, Values']:.1f}x faster compiled")
    print(f"one-time compile / eager step:          {best['one-time compile'] / eager:.1f} steps   (goal: at most 20)")
    print("the compiled step takes the eager step's steps bit for bit: checked on 3 steps")


if __name__ == "__main__":
    main()
