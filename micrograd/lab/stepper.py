"""The backward stepper: one drawing of the graph that steps through the chain rule, with previous/next and a slider.

trace_backward(root).stepper() makes one. Its page is package data in micrograd/lab/static: stepper.html (the
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
from typing import TYPE_CHECKING, Any, Protocol

from micrograd.lab.display import smallest_scale, svg_data_uri, svg_size
from micrograd.lab.render import render_svg
from micrograd.lab.viz import draw_values

if TYPE_CHECKING:
    from micrograd.engine import Value


class SteppedTrace(Protocol):
    """What a stepper needs of a trace: its graph, how it writes a number, and its frames."""

    root: Value
    order: list[Value]
    names: dict[Value, str]
    digits: int
    grad_word: str  # the name of the number each step fills in: grad, or tangent
    stepped: str  # what the stepper steps through: "backward", "forward mode"
    legend: str  # the key to the colours, as HTML

    def __len__(self) -> int: ...
    def grad_text(self, x: float | None) -> str: ...
    def frames(self, ids: dict[Value, str]) -> list[dict[str, Any]]: ...


STILL = (
    "This is step 0 as a still picture: stepping through {what} needs JavaScript. In Jupyter, run this cell "
    "again, or trust the notebook (Trust Notebook, in the command palette); in a browser, allow JavaScript for "
    "this page."
)


class Stepper:
    """A trace as one drawing that steps through it: previous, next, a slider.

    Shows inline in Jupyter; save(path) writes one self-contained HTML file that works offline. The
    trace (backward's, or forward mode's) gives the frames: for each step its equation, the value it
    fills in (node, text), the values and edges it comes from (up, edge), and any other values it sets (fill).
    """

    def __init__(self, trace: SteppedTrace, rankdir: str = "LR") -> None:
        self.trace = t = trace
        ids = {node: f"n{i}" for i, node in enumerate(t.order)}
        frames = t.frames(ids)
        nodes = {i: node for node, i in ids.items()}
        # Lay out once, at step 0, with each cell as wide as the widest number it will show; the page fills them in.
        unknown = t.grad_text(None)
        shown: dict[Value, list[str]] = {node: [unknown] for node in t.order}
        at_start = {node: unknown for node in t.order}
        for k, frame in enumerate(frames):
            for i, text in [(frame["node"], frame["text"]), *frame.get("fill", {}).items()]:
                shown[nodes[i]].append(text)
                if k == 0:
                    at_start[nodes[i]] = text
        widest = {node: max(texts, key=len) for node, texts in shown.items()}
        drawing = draw_values(
            t.order,
            rankdir=rankdir,
            show_local=True,
            digits=t.digits,
            grad_text=at_start,
            grad_width=widest,
            grad_word=t.grad_word,
        )
        svg = render_svg(drawing)
        self.svg = svg[svg.index("<svg") :]
        word = t.grad_word + " "
        self.frames = [
            {
                **frame,
                "text": word + frame["text"],
                "fill": {i: word + text for i, text in frame.get("fill", {}).items()},
            }
            for frame in frames
        ]
        self.unknown = word + unknown
        self.nodes = list(ids.values())

    def html(self, title: str | None = None) -> str:
        """A complete HTML page: the stepper and nothing from the network."""
        if title is None:
            title = f"micrograd: {self.trace.stepped}, step by step"
        return page(title, self._fragment(inline=True))

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the stepper as one self-contained HTML file; returns its path."""
        return save_page(path, self.html())

    def _repr_html_(self) -> str:
        return self._fragment(inline=False)

    def __repr__(self) -> str:
        return f"Stepper(root={self.trace.names[self.trace.root]!r}, steps={len(self.trace)})"

    def _fragment(self, inline: bool) -> str:
        """The stepper: with the SVG inline (a page), or as a picture the script draws inline (a notebook)."""
        data = {"nodes": self.nodes, "unknown": self.unknown, "frames": self.frames}
        # In a <script>, "</" could end the script early: JSON's \u003c spells the same string.
        data_json = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c")
        width, height = svg_size(self.svg)
        scale = smallest_scale(self.svg)
        if inline:
            picture = self.svg
        else:
            picture = (
                f'<div class="mg-picture" style="height: 0; padding-top: {100 * height / width:.4f}%; '
                f"background-image: url({svg_data_uri(self.svg)}); background-size: 100% 100%; "
                'background-repeat: no-repeat"></div>'
            )
        return Template(static_file("stepper.html")).substitute(
            uid=f"mg-stepper-{uuid.uuid4().hex[:12]}",
            css=static_file("stepper.css"),
            sizer=f"width: {width:.0f}px; max-width: 100%; min-width: {width * scale:.0f}px",
            picture=picture,
            last=len(self.frames) - 1,
            equation=escape(self.frames[0]["eq"]),
            legend=self.trace.legend,
            still=escape(STILL.format(what=self.trace.stepped)),
            data=data_json,
            js=static_file("stepper.js"),
        )


def page(title: str, body: str) -> str:
    """A complete HTML page around a stepper's or a quiz's fragment: nothing from the network."""
    return Template(static_file("stepper-page.html")).substitute(title=escape(title), stepper=body)


def save_page(path: str | os.PathLike[str], html: str) -> str:
    """Write a page as one self-contained HTML file; returns its path."""
    path = os.fspath(path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    return path


@cache
def static_file(name: str) -> str:
    """A file of the stepper's or the quiz's page (micrograd/lab/static), as installed with the package."""
    return (resources.files("micrograd.lab") / "static" / name).read_text(encoding="utf-8")


__all__ = ["SteppedTrace", "Stepper", "page", "save_page", "static_file"]
