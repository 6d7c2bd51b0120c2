"""Reading back what a person is shown: a drawing's SVG, a picture's HTML, a table's cells.

Shared by the tests of the lab (micrograd.lab.viz, render, display, trace, forward_pass), with the graphs
and the choice of renderer that the drawing tests share.
"""

from __future__ import annotations

import base64
import html.parser
import os
import re
import shutil
import xml.etree.ElementTree as ET
from contextlib import contextmanager

import pytest

from conftest import REQUIRE_ALL
from helpers import lecture_example
from micrograd import Value

SVG = "{http://www.w3.org/2000/svg}"
RENDERERS = ["system", "pure"]


def texts(group: ET.Element) -> list[str]:
    """The lines of text in an SVG group, with the no-break spaces Graphviz writes for runs of spaces."""
    return ["".join(t.itertext()).replace("\xa0", " ") for t in group.iter(f"{SVG}text")]


def read_drawing(svg: str) -> tuple[dict[str, list[str]], list[tuple[str, str, list[str]]]]:
    """(nodes, edges) of a drawing: each node's lines of text by its DOT name, each edge as (tail, head, texts)."""
    root = ET.fromstring(svg.encode("utf-8"))  # also proves the SVG is well-formed XML
    nodes, edges = {}, []
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if kind(g) == "node":
            nodes[title.text] = texts(g)
        elif kind(g) == "edge":
            tail, head = title.text.split("->")
            edges.append((tail, head, texts(g)))
    return nodes, edges


def kind(group: ET.Element) -> str:
    """What an SVG group of Graphviz draws: "node", "edge", "graph", or "" for none of them."""
    return (group.get("class", "").split() or [""])[0]


def what_a_person_sees(svg: str) -> tuple[dict[str, list[str]], list[tuple[str, str, list[str]]]]:
    """Values by their label (→ their data and grad lines), and edges between labels; an op is "op of value"."""
    nodes, edges = read_drawing(svg)
    name = {}
    for tail, head, _ in edges:
        if tail not in name and len(nodes[tail]) == 1:  # an op's ellipse: one line, its edge goes to its value
            name[tail] = f"{nodes[tail][0]} of {nodes[head][0]}"
    values = {lines[0]: lines[1:] for dot_name, lines in nodes.items() if dot_name not in name}
    seen = [(name.get(t, nodes[t][0]), name.get(h, nodes[h][0]), labels) for t, h, labels in edges]
    return values, seen


@contextmanager
def using(renderer: str):
    """MICROGRAD_RENDERER=renderer inside the block (a plain context manager, so hypothesis tests can use it)."""
    if renderer == "system" and shutil.which("dot") is None:
        message = "Graphviz's dot is not on PATH (apt-get install graphviz)"
        pytest.fail(message) if REQUIRE_ALL else pytest.skip(message)
    old = os.environ.get("MICROGRAD_RENDERER")
    os.environ["MICROGRAD_RENDERER"] = renderer
    try:
        yield
    finally:
        if old is None:
            del os.environ["MICROGRAD_RENDERER"]
        else:
            os.environ["MICROGRAD_RENDERER"] = old


def recurrence(steps: int) -> tuple[Value, list[Value], Value]:
    """h_t = tanh(w·h_{t−1} + x_t), h_0 = 0.1, one shared w: backprop through time. (h_T, [h_0, ..., h_T], w)."""
    w, h = Value(0.5, "w"), Value(0.1, "h0")
    hs = [h]
    for t in range(1, steps + 1):
        wh = w * h
        wh.label = f"w·h{t - 1}"
        s = wh + Value(0.01 * t, f"x{t}")
        s.label = f"s{t}"
        h = s.tanh()
        h.label = f"h{t}"
        hs.append(h)
    h.backward()
    return h, hs, w


def picture_in(html: str) -> str:
    """The SVG a drawing's HTML shows: the base64 data: URI of its picture, decoded."""
    uri = re.search(r"url\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", html).group(1)
    return base64.b64decode(uri).decode("utf-8")


def style_of(html: str, css_class: str) -> dict[str, str]:
    """The inline style of the first <div> of this class, as a dict of CSS properties."""
    tag = re.search(rf'<div class="{css_class}"[^>]*style="([^"]*)"', html).group(1)
    return dict((part.split(":", 1)[0].strip(), part.split(":", 1)[1].strip()) for part in tag.split("; "))


def lecture_example_after_backward() -> dict[str, Value]:
    """The lecture's L = (a·b + c)·f after backward(): its values by name."""
    nodes = lecture_example()
    nodes["L"].backward()
    return nodes


class TableReader(html.parser.HTMLParser):
    """The cells of an HTML table, row by row, as a browser would show their text."""

    def __init__(self):
        super().__init__()
        self.rows, self.caption, self._in = [], "", None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th", "caption"):
            self._in = tag
            if tag != "caption":
                self.rows[-1].append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in:
            self.rows[-1][-1] += data
