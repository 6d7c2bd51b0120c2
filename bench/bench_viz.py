"""How long the drawing of one MLP example's loss takes to render to SVG, with each renderer.

    python bench/bench_viz.py            # 5 rounds
    python bench/bench_viz.py --rounds 20

The graph is the loss (out − 1)² of MLP(2, [16, 16, 1]) on one input after backward(): about 400
values and 740 edges. Each round builds the drawing with draw_dot() and renders it with
render_svg(), once per renderer found on this machine (system Graphviz dot, graphviz-pure),
interleaved so that a slow moment of the machine hits both alike. Prints the median of each,
its ratio to the 2 s budget, and the ratio between the renderers. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time

from micrograd import MLP
from micrograd.viz import RendererNotFound, draw_dot, find_renderer, render_svg

BUDGET = 2.0  # seconds, for draw_dot + render_svg of this graph


def loss_of_one_example():
    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return loss


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

    loss = loss_of_one_example()
    renderers = available_renderers()
    times: dict[str, list[float]] = {name: [] for name in renderers}
    for _ in range(args.rounds):
        for name in renderers:
            os.environ["MICROGRAD_RENDERER"] = name
            start = time.perf_counter()
            svg = render_svg(draw_dot(loss))
            times[name].append(time.perf_counter() - start)
    values = draw_dot(loss).source.count("shape=plain")
    print(f"MLP(2, [16, 16, 1]) loss of one example: {values} values, SVG of {len(svg):,} characters")
    print(f"median of {args.rounds} rounds, draw_dot + render_svg:")
    for name in renderers:
        os.environ["MICROGRAD_RENDERER"] = name
        median = statistics.median(times[name])
        where = shutil.which("dot") if name == "system" else find_renderer()[1]
        print(f"  {name:<7} {median:6.3f} s   {median / BUDGET:5.1%} of the {BUDGET:g} s budget   ({where})")
    if len(renderers) == 2:
        ratio = statistics.median(times["pure"]) / statistics.median(times["system"])
        print(f"  graphviz-pure / system dot: {ratio:.2f}")


if __name__ == "__main__":
    main()
