"""The backward stepper: one drawing of the graph that steps through the chain rule, with previous/next and a slider.

trace_backward(root).stepper() makes one. Its page is package data in micrograd/static: stepper.html (the
stepper, with $-placeholders for what changes from one graph to the next), stepper.css, stepper.js, and
stepper-page.html (the page that save() writes around it).

Without JavaScript (a notebook that is not trusted, a browser that blocks scripts) the stepper is a still
picture of step 0, with its equation and a note that says how to step through it. In a notebook the drawing
comes as a picture (a CSS background, which JupyterLab keeps in an untrusted notebook), which the script
replaces with the same SVG inline; a saved page has the SVG inline from the start.
"""

from __future__ import annotations

import json
import os
import uuid
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING

from micrograd import viz

if TYPE_CHECKING:
    from micrograd.engine import Value
    from micrograd.trace import BackwardTrace

STILL = (
    "This is step 0 as a still picture: stepping through backward needs JavaScript. In Jupyter, run this cell "
    "again, or trust the notebook (Trust Notebook, in the command palette); in a browser, allow JavaScript for "
    "this page."
)


class Stepper:
    """The backward trace as one drawing that steps through the chain rule: previous, next, a slider.

    Shows inline in Jupyter; save(path) writes one self-contained HTML file that works offline.
    """

    def __init__(self, trace: BackwardTrace, rankdir: str = "LR") -> None:
        self.trace = trace
        t = trace
        ids = {node: f"n{i}" for i, node in enumerate(t.order)}
        # Lay out once, at step 0, with each grad cell as wide as the widest grad it will show; the page fills them in.
        shown: dict[Value, list[str]] = {node: [t._grad_text(None)] for node in t.order}
        shown[t.root].append(t._grad_text(t.start))
        for step in t:
            shown[step.child].append(t._grad_text(step.after))
        widest = {node: max(texts, key=len) for node, texts in shown.items()}
        at_start = {node: t._grad_text(t.start if node is t.root else None) for node in t.order}
        drawing = viz._draw(
            t.order, rankdir=rankdir, show_local=True, digits=t.digits, grad_text=at_start, grad_width=widest
        )
        svg = viz.render_svg(drawing)
        self.svg = svg[svg.index("<svg") :]
        self.frames = [{"eq": t.seed_equation(), "node": ids[t.root], "grad": "grad " + t._grad_text(t.start)}]
        for step in t:
            self.frames.append(
                {
                    "eq": f"step {step.number}: {step.equation(t.digits)}",
                    "node": ids[step.child],
                    "up": ids[step.node],
                    "edge": f"e{ids[step.node][1:]}_{step.operand}",  # the edge child -> op, as _draw names it
                    "grad": "grad " + t._grad_text(step.after),
                }
            )
        self.nodes = list(ids.values())

    def html(self, title: str = "micrograd: backward, step by step") -> str:
        """A complete HTML page: the stepper and nothing from the network."""
        stepper = self._fragment(inline=True)
        return Template(_static("stepper-page.html")).substitute(title=escape(title), stepper=stepper)

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the stepper as one self-contained HTML file; returns its path."""
        path = os.fspath(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html())
        return path

    def _repr_html_(self) -> str:
        return self._fragment(inline=False)

    def __repr__(self) -> str:
        return f"Stepper(root={self.trace.names[self.trace.root]!r}, steps={len(self.trace)})"

    def _fragment(self, inline: bool) -> str:
        """The stepper: with the SVG inline (a page), or as a picture the script draws inline (a notebook)."""
        data = {"nodes": self.nodes, "unknown": "grad " + self.trace._grad_text(None), "frames": self.frames}
        # In a <script>, "</" could end the script early: JSON's \u003c spells the same string.
        data_json = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c")
        width, height = viz.svg_size(self.svg)
        scale = viz.smallest_scale(self.svg)
        if inline:
            picture = self.svg
        else:
            picture = (
                f'<div class="mg-picture" style="height: 0; padding-top: {100 * height / width:.4f}%; '
                f"background-image: url({viz.svg_data_uri(self.svg)}); background-size: 100% 100%; "
                'background-repeat: no-repeat"></div>'
            )
        return Template(_static("stepper.html")).substitute(
            uid=f"mg-stepper-{uuid.uuid4().hex[:12]}",
            css=_static("stepper.css"),
            sizer=f"width: {width:.0f}px; max-width: 100%; min-width: {width * scale:.0f}px",
            picture=picture,
            last=len(self.frames) - 1,
            equation=escape(self.frames[0]["eq"]),
            still=escape(STILL),
            data=data_json,
            js=_static("stepper.js"),
        )


@cache
def _static(name: str) -> str:
    """A file of the stepper's page, as installed with the package."""
    return (resources.files("micrograd") / "static" / name).read_text(encoding="utf-8")


__all__ = ["Stepper"]
