"""Speed and memory of the engine, as ratios measured in one run.

    python bench/bench_engine.py            # about two minutes on 2 cores
    python bench/bench_engine.py --quick    # fewer rounds
    python bench/bench_engine.py --python v313/bin/python   # every measured process on another interpreter

(--python takes an interpreter that has micrograd's dependencies: a venv made with it, after `pip install -e .`.)

Compares, each in a process of its own and with Python's default garbage collector on:
- this working tree's micrograd,
- the previous version: the last commit that changed micrograd/ (or --previous REV),
- micrograd 0.1.0 from PyPI, installed with pip into bench/.cache/ (the one network access),
- the same W3 step written by hand with plain floats (bench/w3.py).

Measures the W3 training step (bench/w3.py), as micrograd's demo notebook writes it and as fit()
takes it (train_step, which pauses the cyclic garbage collector for the step), the bytes per node
while building a 100,000-node graph, the peak memory of one W3 step, and the deepest chain that
backward() handles.
Rounds are interleaved (A B C D, A B C D, ...) and each figure is the median over rounds, so a
slow moment of the machine hits every engine alike.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"

WORKER = r"""
import gc, json, sys, time, tracemalloc
engine_path, task, arg = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, {bench!r})
if engine_path != "plain":
    sys.path.insert(0, engine_path)
import random, w3

def make_step(through_fit=False):
    X, y = w3.moons()
    if engine_path == "plain":
        return w3.plain_float_step(X, y)
    from micrograd.engine import Value
    from micrograd.nn import MLP
    random.seed(1337)
    if through_fit:
        try:
            from micrograd.training.optim import SGD
            from micrograd.training.train import train_step
        except ImportError:  # a version from before the training subpackage
            from micrograd.optim import SGD
            from micrograd.train import train_step
        return w3.fit_step(train_step, SGD, MLP(2, [16, 16, 1]), X, y)
    return w3.engine_step(Value, MLP(2, [16, 16, 1]), X, y)

def timed_steps(n, through_fit=False):
    step = make_step(through_fit)
    step()  # warm up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return times

def peak_of_one_step():
    step = make_step()
    step()
    tracemalloc.start()
    step()
    return tracemalloc.get_traced_memory()[1]

def bytes_per_node(n):
    from micrograd.engine import Value
    w1, w2, b = Value(0.5), Value(-0.3), Value(0.1)
    x = Value(1.0)
    gc.collect()
    tracemalloc.start()
    for _ in range(n // 5):  # five nodes each: two *, two +, one relu
        x = (w1 * x + w2 * x + b).relu()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return used / n

def chain_works(n):
    from micrograd.engine import Value
    x0 = x = Value(0.5)
    for _ in range(n):
        x = x * 1.0
    try:
        x.backward()
    except RecursionError:
        return False
    return x0.grad == 1.0

def collector_share(n):  # the step's median time with the collector on and off, alternating blocks
    step = make_step()
    step()
    times = {{True: [], False: []}}
    for block in range(8):
        on = block % 2 == 0
        gc.enable() if on else gc.disable()
        for _ in range(n):
            t = time.perf_counter()
            step()
            times[on].append(time.perf_counter() - t)
    gc.enable()
    return [sorted(times[True])[len(times[True]) // 2], sorted(times[False])[len(times[False]) // 2]]

result = {{"steps": timed_steps, "collector_share": collector_share, "peak": lambda a: peak_of_one_step(),
          "fit_steps": lambda n: timed_steps(n, through_fit=True),
          "bytes_per_node": bytes_per_node, "chain": chain_works}}[task](arg)
print(json.dumps(result))
"""


def run(python: str, engine: str, task: str, arg: int = 0) -> object:
    """One task of the worker in a fresh process of the interpreter python."""
    script = WORKER.format(bench=str(BENCH))
    out = subprocess.run(
        [python, "-c", script, engine, task, str(arg)],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode != 0:
        raise RuntimeError(f"{engine} {task} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def install_micrograd_0_1_0() -> str:
    target = CACHE / "micrograd-0.1.0"
    if not (target / "micrograd" / "engine.py").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "micrograd==0.1.0"],
            check=True,
        )
    return str(target)


def export_previous(rev: str | None) -> tuple[str, str]:
    """Check out micrograd/ of the previous version into the cache; returns (path, short revision)."""
    git = ["git", "-C", str(ROOT)]
    if rev is None:
        changed = subprocess.run([*git, "status", "--porcelain", "micrograd"], capture_output=True, text=True).stdout
        commits = subprocess.run(
            [*git, "log", "-n", "2", "--format=%h", "--", "micrograd"], capture_output=True, text=True
        ).stdout.split()
        rev = commits[0] if changed.strip() else commits[-1]
    short = subprocess.run(
        [*git, "rev-parse", "--short", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    target = CACHE / f"previous-{short}"
    if not (target / "micrograd").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run([*git, "archive", rev, "micrograd"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return str(target), short


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--previous", help="git revision of the previous version (default: last commit changing micrograd/)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--python", default=sys.executable, help="the interpreter the measured processes run")
    args = parser.parse_args()
    version = subprocess.run(
        [args.python, "-c", "import platform; print(platform.python_implementation(), platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"Every measured process runs {version} ({args.python}), {os.cpu_count()} cores\n")
    measure = functools.partial(run, args.python)

    previous, previous_rev = export_previous(args.previous)
    engines = {
        "this tree": str(ROOT),
        f"previous ({previous_rev})": previous,
        "micrograd 0.1.0": install_micrograd_0_1_0(),
        "plain floats": "plain",
    }
    rounds = 3 if args.quick else 7
    steps = {name: [] for name in engines}
    fit_steps = {name: [] for name in ("this tree", f"previous ({previous_rev})")}  # the trees that have fit()
    for _ in range(rounds):
        for name, path in engines.items():
            n = 2 if name == "micrograd 0.1.0" else 15
            steps[name].append(statistics.median(measure(path, "steps", n)))
            if name in fit_steps:
                fit_steps[name].append(statistics.median(measure(path, "fit_steps", n)))
    ms = {name: 1000 * statistics.median(times) for name, times in steps.items()}

    def ratio(a: list[float], b: list[float]) -> float:
        """The median over rounds of a's time over b's in the same round: a slow spell of the machine cancels."""
        return statistics.median(x / y for x, y in zip(a, b))

    print(f"W3: one training step of MLP(2, [16, 16, 1]) on 100 moons points, median of {rounds} interleaved rounds")
    print("(ratios: the median over the rounds of the ratio within a round)")
    for name, t in ms.items():
        print(f"  {name:<22} {t:9.2f} ms/step   {ratio(steps[name], steps['this tree']):7.2f}x the time of this tree")
    print(
        f"  => this tree is {ratio(steps['micrograd 0.1.0'], steps['this tree']):.1f}x faster than micrograd 0.1.0 "
        f"and takes {ratio(steps['this tree'], steps['plain floats']):.2f}x the time of plain floats"
    )

    print("\nThe same step as fit() takes it: micrograd.training.train.train_step with SGD, in the same rounds")
    for name, times in fit_steps.items():
        t = 1000 * statistics.median(times)
        print(f"  {name:<22} {t:9.2f} ms/step   {ratio(times, steps['plain floats']):7.2f}x the time of plain floats")

    print("\nThe share of the W3 step spent in the cyclic garbage collector (one process, blocks with it on and off)")
    for name in ("this tree", "micrograd 0.1.0"):
        n = 2 if name == "micrograd 0.1.0" else 15
        on, off = measure(engines[name], "collector_share", n)
        share = 1 - off / on
        shown = f"{share:.0%} of the step is the collector" if share > 0.02 else "no measurable share"
        print(f"  {name:<22} {1000 * on:9.2f} ms/step with it, {1000 * off:9.2f} without: {shown}")

    print("\nMemory")
    graph_engines = {k: v for k, v in engines.items() if v != "plain"}
    for name, path in graph_engines.items():
        print(f"  {name:<22} {measure(path, 'bytes_per_node', 100_000):7.1f} bytes per node (100,000-node graph)")
    peaks = {name: measure(path, "peak") for name, path in engines.items()}
    for name, peak in peaks.items():
        print(f"  {name:<22} {peak / 1e3:9.1f} kB peak for one W3 step   {peak / peaks['this tree']:7.3f}x this tree")

    print("\nDeepest chain backward() handles (default recursion limit)")
    for name, path in graph_engines.items():
        deepest = 0
        for n in (100, 500, 1_000, 10_000, 100_000, 1_000_000):
            if not measure(path, "chain", n):
                break
            deepest = n
        print(f"  {name:<22} {deepest:>9,}" + ("" if deepest == 1_000_000 else f" (fails at {n:,})"))


if __name__ == "__main__":
    main()
