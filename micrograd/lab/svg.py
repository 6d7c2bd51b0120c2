"""What every picture of the lab is made of: an SVG document, text, axes with round-numbered ticks, a legend.

The pictures (plot.py, chart.py, images.py and the live view) are drawn here as SVG text with the standard
library only, so they show wherever the lab runs, the browser lab included. A Picture is what they return:
Jupyter shows it as display.picture_html shows drawings (it fits the output, on a white background that
reads in a dark theme too), str(picture) is its SVG, and picture.save("name.svg") writes it.

Coordinates are in points (the <svg> has its width and height in pt and a viewBox of the same numbers).
A Scale maps data to the page; the tick labels say which value sits where, so a reader (or a test with
an XML parser) can read any mark's value back from its position.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from micrograd.lab.display import picture_html

__all__ = [
    "COLOURS",
    "DASHES",
    "FAINT",
    "INK",
    "REGIONS",
    "Picture",
    "Scale",
    "axes",
    "document",
    "legend",
    "legend_width",
    "nice_ticks",
    "ramp",
    "side_by_side",
    "text",
    "tick_label",
]

# One colour per series or class: the lines and points, and the lighter regions where a model predicts a class.
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"]
REGIONS = ["#c6dbef", "#fcc5c0", "#c7e9c0", "#dadaeb", "#fdd0a2", "#e0cfc9", "#f7d4ea", "#dddddd"]
DASHES = ["", "6 3", "2 2", "8 3 2 3", "4 2 1 2"]  # one per series, so that lines on one another stay apart
INK = "#1f1f1f"  # text and marks
FAINT = "#444444"  # frames and ticks
GRID = "#e4e4e4"  # grid lines
FONT = "Helvetica,Arial,sans-serif"


class Picture:
    """A picture as SVG: Jupyter shows it fitted to the output; str() is the SVG; save("name.svg") writes it."""

    def __init__(self, svg: str, title: str) -> None:
        self.svg, self.title = svg, title

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        width, height = self.size
        return f"Picture({self.title!r}, {width:.0f} × {height:.0f} pt; str() is its SVG, .save('name.svg') writes it)"

    @property
    def size(self) -> tuple[float, float]:
        """(width, height) in points."""
        head = self.svg.split(">", 1)[0]
        width, height = (float(head.split(f'{name}="', 1)[1].split("pt", 1)[0]) for name in ("width", "height"))
        return width, height

    def _repr_html_(self) -> str:
        return picture_html(self.svg, title=self.title)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the SVG to path, which must end in .svg; returns the path."""
        path = Path(path)
        if path.suffix.lower() != ".svg":
            raise ValueError(f"a picture is saved as SVG: the path must end in .svg, not {path.suffix or 'nothing'!r}")
        path.write_text(self.svg, encoding="utf-8")
        return path


def document(width: float, height: float, body: str, *, title: str) -> Picture:
    """A whole picture: its size in points, a white background, the title on top and the body."""
    svg = (
        f'<svg width="{width:.0f}pt" height="{height:.0f}pt" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT}">\n'
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="white"/>\n'
        f"{text(width / 2, 18, title, size=12, weight='bold', cls='title')}\n{body}\n</svg>"
    )
    return Picture(svg, title)


def side_by_side(pictures: Sequence[Picture], *, title: str, gap: float = 10.0) -> Picture:
    """Pictures side by side under one title, each kept whole (its own coordinates, in a nested <svg>)."""
    if not pictures or not all(isinstance(p, Picture) for p in pictures):
        raise TypeError("side_by_side() takes a list of Pictures, at least one")
    x, parts = 0.0, []
    for picture in pictures:
        width, height = picture.size
        inner = picture.svg.replace("<svg ", f'<svg x="{x:.0f}" y="24" ', 1)
        parts.append(inner.replace(f'width="{width:.0f}pt" height="{height:.0f}pt"', f'width="{width:.0f}" '
                                   f'height="{height:.0f}"', 1))  # fmt: skip
        x += width + gap
    height = max(p.size[1] for p in pictures) + 24
    return document(x - gap, height, "\n".join(parts), title=title)


def text(
    x: float,
    y: float,
    words: str,
    *,
    size: float = 10,
    anchor: str = "middle",
    weight: str = "normal",
    fill: str = INK,
    cls: str | None = None,
    middle: bool = False,
    rotate: bool = False,
) -> str:
    """A <text> at (x, y): its baseline there, or its middle with middle=True; rotate turns it to read upwards."""
    extra = ' font-weight="bold"' if weight == "bold" else ""
    extra += f' class="{cls}"' if cls else ""
    extra += ' dominant-baseline="central"' if middle else ""
    extra += f' transform="rotate(-90 {x:.2f} {y:.2f})"' if rotate else ""
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
        f"{escape(words)}</text>"
    )


def nice_ticks(lo: float, hi: float, most: int = 6) -> tuple[list[float], float]:
    """Round numbers (1, 2, 2.5 or 5 times a power of ten) from lo to hi, at most `most` of them, and their step."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        raise ValueError(f"ticks need a range lo < hi of finite numbers, got {lo!r} to {hi!r}")
    power = 10.0 ** math.floor(math.log10(span / max(most - 1, 1)))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if span / (m * power) <= most - 1 + 1e-9)
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)], step


def tick_label(value: float, step: float) -> str:
    """value as written on an axis whose ticks are step apart: as many decimals as the step needs, no more."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if f"{step:g}".rstrip("0").endswith("25") else 0)
    written = f"{round(value, decimals):.{decimals}f}"
    return "0" if float(written) == 0 else written


@dataclass(frozen=True)
class Scale:
    """Data from lo to hi onto the page from start to stop (points); log is the base of a log scale, or 0."""

    lo: float
    hi: float
    start: float
    stop: float
    log: float = 0.0

    def __call__(self, value: float) -> float:
        f = (lambda v: math.log(v, self.log)) if self.log else (lambda v: v)
        return self.start + (f(value) - f(self.lo)) / (f(self.hi) - f(self.lo)) * (self.stop - self.start)

    def ticks(self) -> list[tuple[float, str]]:
        """The ticks in the range, each with its label: powers of the base on a log scale, round numbers otherwise."""
        if self.log:
            first, last = math.ceil(math.log(self.lo, self.log) - 1e-9), math.floor(math.log(self.hi, self.log) + 1e-9)
            return [(self.log**k, f"{self.log**k:g}") for k in range(first, last + 1)]
        values, step = nice_ticks(self.lo, self.hi)
        return [(v, tick_label(v, step)) for v in values]

    @staticmethod
    def around(values: Sequence[float], start: float, stop: float, *, log: float = 0.0) -> Scale:
        """A scale covering values, widened to the ticks around them (to powers of the base on a log scale)."""
        lo, hi = min(values), max(values)
        if log:
            if lo <= 0:
                raise ValueError(f"a log scale needs values > 0, got {lo!r}")
            lo, hi = log ** math.floor(math.log(lo, log) + 1e-9), log ** math.ceil(math.log(hi, log) - 1e-9)
            return Scale(lo, hi if hi > lo else lo * log, start, stop, log)
        if hi - lo <= 1e-12 * max(1.0, abs(hi)):
            lo, hi = lo - 0.5, hi + 0.5
        _, step = nice_ticks(lo, hi)
        return Scale(math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step, start, stop)


def axes(
    x: Scale, y: Scale, *, xlabel: str = "", ylabel: str = "", title: str = "", grid: bool = True,
    xticks: list[tuple[float, str]] | None = None, yticks: list[tuple[float, str]] | None = None,
) -> str:  # fmt: skip
    """The frame of a plot between x's and y's ends, tick labels (class tick-x, tick-y; the scales' own unless
    given as (value, label)), axis labels and a title."""
    left, right, bottom, top = x.start, x.stop, y.start, y.stop
    parts = [text((left + right) / 2, top - 8, title, size=11, cls="panel-title")] if title else []
    for value, label in x.ticks() if xticks is None else xticks:
        at = x(value)
        if grid:
            parts.append(f'<line x1="{at:.2f}" y1="{top:.2f}" x2="{at:.2f}" y2="{bottom:.2f}" stroke="{GRID}"/>')
        parts.append(text(at, bottom + 13, label, cls="tick-x"))
    for value, label in y.ticks() if yticks is None else yticks:
        at = y(value)
        if grid:
            parts.append(f'<line x1="{left:.2f}" y1="{at:.2f}" x2="{right:.2f}" y2="{at:.2f}" stroke="{GRID}"/>')
        parts.append(text(left - 4, at, label, anchor="end", cls="tick-y", middle=True))
    parts.append(
        f'<rect x="{left:.2f}" y="{top:.2f}" width="{right - left:.2f}" height="{bottom - top:.2f}" '
        f'fill="none" stroke="{FAINT}"/>'
    )
    if xlabel:
        parts.append(text((left + right) / 2, bottom + 28, xlabel, cls="label-x"))
    if ylabel:
        parts.append(text(left - 38, (top + bottom) / 2, ylabel, cls="label-y", rotate=True))
    return "\n".join(parts)


def legend_width(names: Sequence[str]) -> float:
    """About the width the legend of these names takes (10-point text, a swatch, a margin)."""
    return 34 + 5.6 * max((len(name) for name in names), default=0)


def legend(x: float, y: float, entries: Sequence[tuple[str, str, str | None, bool]]) -> str:
    """A legend from (x, y) down: each entry (name, colour, dash, marker) a swatch and its name (class legend);
    dash None: a marker alone."""
    parts = []
    for i, (name, colour, dash, marker) in enumerate(entries):
        at = y + 16 * i
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        if dash is not None:
            parts.append(
                f'<line x1="{x:.2f}" y1="{at:.2f}" x2="{x + 22:.2f}" y2="{at:.2f}" stroke="{colour}" '
                f'stroke-width="1.8"{dashes}/>'
            )
        if marker:
            parts.append(f'<circle cx="{x + 11:.2f}" cy="{at:.2f}" r="3" fill="{colour}"/>')
        parts.append(text(x + 28, at, name, anchor="start", cls="legend", middle=True))
    return "\n".join(parts)


def ramp(value: float, top: float, dark: tuple[int, int, int] = (0, 0, 0)) -> str:
    """The colour of value on a ramp from white (0) to dark (top and above), as #rrggbb."""
    t = 0.0 if top <= 0 else min(max(value / top, 0.0), 1.0)
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in dark)
