"""The command line: ``python -m micrograd [command]``."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

from micrograd.engine import Value, topological_order


def worked_example() -> str:
    """One tanh neuron, o = tanh(x1·w1 + x2·w2 + b): every node's value and grad, and the closed form."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()

    # The same derivatives by hand, in plain floats: do/dn = 1 − tanh²(n), then the chain rule.
    n_ = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432
    do_dn = 1.0 - math.tanh(n_) ** 2
    closed = {
        "o": (1.0, "do/do = 1"),
        "n": (do_dn, "do/dn = 1 − o²"),
        "x1*w1 + x2*w2": (do_dn, "do/d(x1w1 + x2w2) = do/dn"),
        "b": (do_dn, "do/db = do/dn"),
        "x1*w1": (do_dn, "do/d(x1w1) = do/dn"),
        "x2*w2": (do_dn, "do/d(x2w2) = do/dn"),
        "x1": (-3.0 * do_dn, "do/dx1 = w1·(1 − o²)"),
        "w1": (2.0 * do_dn, "do/dw1 = x1·(1 − o²)"),
        "x2": (1.0 * do_dn, "do/dx2 = w2·(1 − o²)"),
        "w2": (0.0 * do_dn, "do/dw2 = x2·(1 − o²)"),
    }
    order = topological_order(o)
    for node in order:
        if not node.label:  # the unnamed sum x1*w1 + x2*w2
            node.label = "x1*w1 + x2*w2"

    lines = [
        "A worked example: one neuron, o = tanh(x1·w1 + x2·w2 + b)",
        "",
        f"{'node':<15}{'op':<7}{'data':>12}{'grad (backward)':>18}{'grad (by hand)':>18}  formula",
    ]
    for node in reversed(order):
        by_hand, formula = closed[node.label]
        lines.append(
            f"{node.label:<15}{node._op or 'leaf':<7}{node.data:>12.6f}{node.grad:>18.6f}{by_hand:>18.6f}  {formula}"
        )
    agree = all(node.grad == closed[node.label][0] for node in order)
    worst = max(abs(node.grad - closed[node.label][0]) for node in order)
    lines += ["", f"backward() and the closed form agree: {'yes' if agree else 'no'} (largest difference {worst:.1e})"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m micrograd", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("example", help="print a worked example of backward() next to the closed form (the default)")
    args = parser.parse_args(argv)
    if args.command in (None, "example"):
        print(worked_example())
    return 0


if __name__ == "__main__":
    sys.exit(main())
