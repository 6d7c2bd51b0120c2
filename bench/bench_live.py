"""What the live view costs: fit(view=LiveView()) against fit() without a view on the README's demo.

    python bench/bench_live.py            # 3 rounds
    python bench/bench_live.py --rounds 5

The demo: MLP(2, [16, 16, 1]) on 100 two-moons points, max-margin loss + 1e-4·L2, SGD with momentum 0.9,
mini-batches of 20, 50 epochs. The live run draws every picture it would show in Jupyter (the SVG of the
loss, the accuracy and the decision boundary, as HTML) and hands it to a display that keeps it (the
LiveView's show), as Jupyter's would; only the sending to a browser is left out. Rounds alternate the two
runs, so that a slow moment of the machine hits both alike. Prints the median time of each, the overhead,
and how many pictures were drawn. Not a test: nothing is asserted (the issue's bound is 30%).
"""

from __future__ import annotations

import argparse
import statistics
import time

from micrograd import MLP
from micrograd.lab.live import LiveView
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss, l2_penalty
from micrograd.training.optim import SGD
from micrograd.training.train import fit


def run(view: LiveView | None) -> float:
    X, labels = make_moons(100, noise=0.1, seed=0)
    y = [2 * t - 1 for t in labels]
    model = MLP(2, [16, 16, 1], seed=0)

    def loss(scores, y):
        return hinge_loss(scores, y) + l2_penalty(model, 1e-4)

    start = time.perf_counter()
    fit(model, X, y, loss=loss, optimizer=SGD(model, lr=0.1, momentum=0.9), epochs=50, batch_size=20,
        verbose=False, view=view)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    shown: list[dict] = []
    plain, live, pictures = [], [], []
    for _ in range(rounds):
        plain.append(run(None))
        before = len(shown)
        live.append(run(LiveView(show=shown.append)))  # draw as in Jupyter, into a display that keeps every picture
        pictures.append(len(shown) - before)
    p, q = statistics.median(plain), statistics.median(live)
    print(f"fit, 50 epochs of the demo:  no view {p:.2f} s   view=LiveView() {q:.2f} s   (medians of {rounds} rounds)")
    print(f"live view overhead: {q / p - 1:.0%} of training time, {statistics.median(pictures):.0f} pictures drawn")


if __name__ == "__main__":
    main()
