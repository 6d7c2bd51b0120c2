"""Regenerate the tour's pictures of graphs (docs/tour.md; the README shows one of them).

    python docs/make_graph_images.py

Writes, from the engine's own numbers:
- docs/images/expression.svg: the graph of L = (a·b + c)·f after backward(), with ∂node/∂child on each edge;
- docs/images/backward_step5.svg: the same graph at step 5 of the backward stepper.

They are laid out by graphviz-pure, which writes the same bytes on every platform, so the files
change only when the drawing does.
"""

from __future__ import annotations

import os
from pathlib import Path

from micrograd import Value
from micrograd.lab.render import render_svg
from micrograd.lab.trace import trace_backward
from micrograd.lab.viz import draw_dot

IMAGES = Path(__file__).resolve().parent / "images"


def expression() -> Value:
    """L = (a·b + c)·f with a = 2, b = −3, c = 10, f = −2: the tour's example."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L


def main() -> None:
    os.environ["MICROGRAD_RENDERER"] = "pure"
    IMAGES.mkdir(exist_ok=True)
    L = expression()
    trace = trace_backward(L)  # backward(), recorded step by step
    pictures = {
        "expression.svg": draw_dot(L, show_local=True),
        "backward_step5.svg": trace.draw(5),
    }
    for name, drawing in pictures.items():
        (IMAGES / name).write_text(render_svg(drawing), encoding="utf-8")
        print(f"wrote docs/images/{name}")


if __name__ == "__main__":
    main()
