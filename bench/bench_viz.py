"""How long drawings take to lay out and render to SVG, with each renderer.

    python bench/bench_viz.py            # 5 rounds
    python bench/bench_viz.py --rounds 20

The graphs:
- the loss (out − 1)² of MLP(2, [16, 16, 1]) on one input after backward(): 407 values and 740 edges
  (more than draw_dot's default max_nodes, so drawn with max_nodes=500);
- the recurrence h_t = tanh(w·h_{t−1} + x_t) (backprop through time, one shared w) for 30, 40 and 60
  steps: 122, 162 and 242 values;
- the product x·x·…·x of one leaf 80 times: 80 values.
Without bounds, the recurrence and the product take from seconds to minutes: the edges from their one
shared leaf across the whole drawing make dot's placement search explode. micrograd bounds that search
and draws such a leaf beside each group of its uses.

Each round builds every drawing with draw_dot() and renders it with render_svg(), once per renderer found
on this machine (system Graphviz dot, graphviz-pure), interleaved so that a slow moment of the machine hits
both alike. Prints the median of each, and its ratio to the 2 s budget. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from collections.abc import Callable

from micrograd import MLP, Value
from micrograd.lab.render import RendererNotFound, find_renderer, render_svg
from micrograd.lab.viz import draw_dot

BUDGET = 2.0  # seconds, for draw_dot + render_svg of any one of these graphs


def loss_of_one_example() -> Value:
    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return loss


def recurrence(steps: int) -> Value:
    w, h = Value(0.5, "w"), Value(0.1, "h0")
    for t in range(1, steps + 1):
        h = (w * h + Value(0.01 * t, f"x{t}")).tanh()
    h.backward()
    return h


def power(n: int) -> Value:
    x = Value(1.01, "x")
    p = x
    for _ in range(n - 1):
        p = p * x
    p.backward()
    return p


GRAPHS: dict[str, Callable[[], Value]] = {
    "MLP(2, [16, 16, 1]) loss": loss_of_one_example,
    "recurrence, 30 steps": lambda: recurrence(30),
    "recurrence, 40 steps": lambda: recurrence(40),
    "recurrence, 60 steps": lambda: recurrence(60),
    "x·x·…·x, 80 times": lambda: power(80),
}


def available_renderers() -> list[str]:
    found = []
    for name in ("system", "pure"):
        os.environ["MICROGRAD_RENDERER"] = name
        try:
            find_renderer()
        except RendererNotFound:
            continue
        found.append(name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    roots = {name: make() for name, make in GRAPHS.items()}
    renderers = available_renderers()
    times: dict[tuple[str, str], list[float]] = {(g, r): [] for g in roots for r in renderers}
    for _ in range(args.rounds):
        for graph, root in roots.items():
            for name in renderers:
                os.environ["MICROGRAD_RENDERER"] = name
                start = time.perf_counter()
                render_svg(draw_dot(root, max_nodes=500))
                times[graph, name].append(time.perf_counter() - start)
    print(f"median of {args.rounds} rounds, draw_dot + render_svg, against the {BUDGET:g} s budget:")
    for name in renderers:
        os.environ["MICROGRAD_RENDERER"] = name
        where = shutil.which("dot") if name == "system" else find_renderer()[1]
        print(f"  {name} ({where})")
        for graph, root in roots.items():
            median = statistics.median(times[graph, name])
            values = draw_dot(root, max_nodes=500).counts[0]
            print(f"    {graph:<26} {values:4} values {median:7.3f} s   {median / BUDGET:6.1%} of the budget")


if __name__ == "__main__":
    main()
