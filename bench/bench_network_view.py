"""How long draw_network() takes to lay out its SVG, with and without the weights' labels, as networks grow.

    python bench/bench_network_view.py               # 3 rounds
    python bench/bench_network_view.py --rounds 5 --old-up-to 0

With show_weight_grads=True, every weight's line gets a label (w and ∂C/∂w) at the spot along it that covers
no other label or neuron and that no other line crosses; if the labels do not all fit, the layers move
apart (up to 3.3 times) and they are placed again. micrograd.lab.placement keeps lines and boxes in a grid,
so a spot is checked against what is near it. The "every pair" column is the placement before that grid,
kept below: each spot checked against every line and every box, in the same process, once (it takes up to
minutes); its SVG is compared with the grid's, byte for byte. Networks with more than MAX_WEIGHT_LABELS
(144) weights between two layers are refused with show_weight_grads=True: the table says so, and still
gives the old placement's time for them up to --old-up-to weights in all.

Each network is a tanh MLP(n_in, sizes, seed=1) on one input and target (x_k = 0.1·k − 0.3, y = 0.5).
Prints the median time of each, and the ratio of the old placement's to the grid's. Not a test: nothing
is asserted but the equality of the SVGs.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import time

import micrograd.lab.network_view as network_view
from micrograd import MLP
from micrograd.lab.network_view import MAX_WEIGHT_LABELS, draw_network
from micrograd.lab.placement import ALONG

NETWORKS = ["2-3-1", "3-4-3-1", "8-8-1", "10-10-1", "12-12-1", "12-12-12-1", "1-144-1", "16-16-1", "24-24-1", "32-32-1"]


class EveryPair:
    """The placement before the grid: each spot checked against every line and every box taken."""

    def __init__(self, lines, taken):
        self.lines, self.taken = list(lines), list(taken)

    def place(self, line, text, *, size):
        (x0, y0), (x1, y1) = line
        half = 0.33 * size * max(map(len, text)) + 3
        best, best_box, least = (x0, y0), (x0, y0, x0, y0), (math.inf, math.inf, math.inf)
        for t in ALONG:
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            box = (x - half, y - 13, x + half, y + 14)
            crossing = [other for other in self.lines if other != line and _crosses(other, box)]
            cost = (
                sum(_overlap(box, other) for other in self.taken),
                sum(_distance((x, y), other) < 9 for other in crossing),
                len(crossing),
            )
            if cost < least:
                best, best_box, least = (x, y), box, cost
                if cost == (0.0, 0, 0):
                    break
        self.taken.append(best_box)
        return best, least[0]


def _crosses(segment, box):
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    enter, leave = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0.0:
            if q < 0.0:
                return False
        elif p < 0.0:
            enter = max(enter, q / p)
        else:
            leave = min(leave, q / p)
    return enter <= leave


def _distance(point, segment):
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((point[0] - x0) * dx + (point[1] - y0) * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(point[0] - x0 - t * dx, point[1] - y0 - t * dy)


def _overlap(a, b):
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


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
