"""How long draw_network() takes to lay out its SVG, with and without the weights' labels, as networks grow.

    python bench/bench_network_view.py               # 3 rounds
    python bench/bench_network_view.py --rounds 5 --old-up-to 0

With show_weight_grads=True, every weight's line gets a label (w and ∂C/∂w) at the spot along it that covers
no other label or neuron and that no other line crosses; if the labels do not all fit, the layers move apart
(up to 3.3 times) and they are placed again. micrograd.lab.placement keeps lines and boxes in a grid, so a
spot is checked against what is near it. The "every pair" column is the placement before that grid, kept in
tests/placement_reference.py (the tests' reference): each spot checked against every line and every box, in
the same process, once (it takes up to minutes); its SVG is compared with the grid's, byte for byte. Networks
with more than MAX_WEIGHT_LABELS (144) weights between two layers are refused with show_weight_grads=True: the
table says so, and still gives the old placement's time for them up to --old-up-to weights in all.

Each network is a tanh MLP(n_in, sizes, seed=1) on one input and target (x_k = 0.1·k − 0.3, y = 0.5). Prints
the median time of each, and the ratio of the old placement's to the grid's. Not a test: nothing is asserted
but the equality of the SVGs.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the old placement, the tests' reference

import micrograd.lab.network_view as network_view
from micrograd import MLP
from micrograd.lab.network_view import MAX_WEIGHT_LABELS, draw_network
from placement_reference import EveryPair

NETWORKS = ["2-3-1", "3-4-3-1", "8-8-1", "10-10-1", "12-12-1", "12-12-12-1", "1-144-1", "16-16-1", "24-24-1", "32-32-1"]


def draw(sizes: list[int], grads: bool) -> tuple[float, str]:
    """Seconds to draw the network's SVG (model, forward, backward and layout), and the SVG."""
    model = MLP(sizes[0], sizes[1:], activation="tanh", seed=1)
    x = [0.1 * k - 0.3 for k in range(sizes[0])]
    y = [0.5] * sizes[-1]
    start = time.perf_counter()
    svg = draw_network(model, x, y if len(y) > 1 else y[0], show_weight_grads=grads).svg
    return time.perf_counter() - start, svg


def old_draw(sizes: list[int]) -> tuple[float, str]:
    """draw() with labels, placed by EveryPair and without the limit on labels."""
    labels, check = network_view.Labels, network_view._check_labels_fit
    network_view.Labels, network_view._check_labels_fit = EveryPair, lambda model: None
    try:
        return draw(sizes, True)
    finally:
        network_view.Labels, network_view._check_labels_fit = labels, check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old-up-to", type=int, default=300, help="weights: time the old placement up to this")
    args = parser.parse_args()
    print(f"{'network':>11} {'weights':>7} {'no labels':>10} {'labels':>10} {'every pair':>11} {'ratio':>7}")
    for name in NETWORKS:
        sizes = [int(n) for n in name.split("-")]
        weights = sum(a * b for a, b in itertools.pairwise(sizes))
        plain = statistics.median(draw(sizes, False)[0] for _ in range(args.rounds))
        fits = all(a * b <= MAX_WEIGHT_LABELS for a, b in itertools.pairwise(sizes))
        svg = ""
        if fits:
            runs = [draw(sizes, True) for _ in range(args.rounds)]
            labelled, svg = statistics.median(t for t, _ in runs), runs[0][1]
        shown = f"{labelled:9.3f}s" if fits else f"{'refused':>10}"
        old, ratio = f"{'—':>11}", ""
        if weights <= args.old_up_to:
            seconds, old_svg = old_draw(sizes)
            old = f"{seconds:10.2f}s"
            if fits:
                assert old_svg == svg, f"{name}: the grid's labels are not where every pair puts them"
                ratio = f"{seconds / labelled:6.1f}×"
        print(f"{name:>11} {weights:7d} {plain:9.3f}s {shown} {old} {ratio:>7}", flush=True)


if __name__ == "__main__":
    main()
