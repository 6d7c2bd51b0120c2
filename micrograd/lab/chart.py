"""Line plots: functions and their derivatives, the steps of an optimiser, times against a size, losses.

    line_plot({"tanh": (xs, ys), "tanh'": (xs, ys_prime)}, xlabel="x", title="tanh and its derivative")

Each series is a line in its own colour and dash, named in the legend; `marks` are single points (a
minimum, a start), `shade` a function of (x, y) whose values shade the background from light (low) to
dark (high), in bands as a contour map does. Axes take round-numbered ticks, or powers of a base on a
log scale. A NaN in a series breaks its line. The picture is an svg.Picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from micrograd.checks import is_number, type_name
from micrograd.lab.svg import COLOURS, DASHES, Picture, Scale, axes, document, legend, legend_width, ramp

__all__ = ["Series", "line_panel", "line_plot"]

Series = tuple[list[float], list[float]]  # a line's xs and ys
PLOT = (58.0, 34.0, 340.0, 220.0)  # the plotting area of a line plot: left, top, width, height (points)
BANDS = 12  # a shaded background's levels
SHADE_RESOLUTION = 90  # its grid: SHADE_RESOLUTION × SHADE_RESOLUTION points


def line_plot(
    series: Mapping[str, Sequence[float] | tuple[Sequence[float], Sequence[float]]],
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    xlog: float = 0,
    ylog: float = 0,
    markers: bool = False,
    marks: Mapping[str, tuple[float, float]] | None = None,
    shade: Callable[[float, float], float] | None = None,
    xrange: tuple[float, float] | None = None,
    yrange: tuple[float, float] | None = None,
) -> Picture:
    """Each named series as a line: a list of ys (at x = 1, 2, ...) or a pair (xs, ys); xlog/ylog: a log scale's base.

    markers draws a dot at every point; marks are named single points; shade(x, y) shades the background;
    xrange and yrange fix an axis's ends (by default the data's, widened to round ticks).
    """
    if not isinstance(series, Mapping) or not series:
        raise TypeError(f"line_plot takes a dict of named series, name -> ys or (xs, ys); got {type_name(series)}")
    lines = {str(name): _series(str(name), data) for name, data in series.items()}
    points = dict(marks or {})
    for name, mark in points.items():
        if not (isinstance(mark, Sequence) and len(mark) == 2 and all(is_number(v) for v in mark)):
            raise ValueError(f"line_plot: mark {name!r} must be a point (x, y), got {mark!r}")
    if shade is not None and not callable(shade):
        raise TypeError(f"line_plot: shade must be a function of (x, y), got {type_name(shade)}")
    names = [*lines, *points]
    left, top, width, height = PLOT
    body = line_panel(lines, (left, top, width, height), xlabel=xlabel, ylabel=ylabel, xlog=xlog, ylog=ylog,
                      markers=markers, marks=points, shade=shade, xrange=xrange, yrange=yrange)  # fmt: skip
    return document(left + width + 16 + legend_width(names), top + height + 44, body, title=title)


def line_panel(
    lines: Mapping[str, Series],
    area: tuple[float, float, float, float],
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    xlog: float = 0,
    ylog: float = 0,
    xrange: tuple[float, float] | None = None,
    yrange: tuple[float, float] | None = None,
    markers: bool = False,
    marks: Mapping[str, tuple[float, float]] | None = None,
    shade: Callable[[float, float], float] | None = None,
    key: bool = True,
) -> str:
    """The lines on axes in area (left, top, width, height), with a legend to its right if key, as a
    <g class="panel">; xrange and yrange fix an axis's ends (otherwise the data's, widened to round ticks)."""
    marks = marks or {}
    left, top, width, height = area
    xs = [v for x, _ in lines.values() for v in x if math.isfinite(v)] + [m[0] for m in marks.values()]
    ys = [v for _, y in lines.values() for v in y if math.isfinite(v)] + [m[1] for m in marks.values()]
    sx = (
        Scale(*xrange, left, left + width, xlog) if xrange else Scale.around(xs or [0, 1], left, left + width, log=xlog)
    )
    sy = Scale(*yrange, top + height, top, ylog) if yrange else Scale.around(ys or [0, 1], top + height, top, log=ylog)
    parts = [_shaded(shade, sx, sy)] if shade is not None else []
    parts.append(axes(sx, sy, xlabel=xlabel, ylabel=ylabel, title=title, grid=shade is None))
    entries: list[tuple[str, str, str | None, bool]] = []
    for i, (name, (x, y)) in enumerate(lines.items()):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        parts.append(_polylines(name, [(sx(a), sy(b)) if math.isfinite(b) else None for a, b in zip(x, y)],
                                colour, dash, markers))  # fmt: skip
        entries.append((name, colour, dash, markers))
    for i, (name, (a, b)) in enumerate(marks.items(), start=len(lines)):
        colour = COLOURS[i % len(COLOURS)] if i < len(COLOURS) else "#000000"
        parts.append(f'<circle class="mark" data-name="{_attr(name)}" cx="{sx(a):.2f}" cy="{sy(b):.2f}" r="4.5" '
                     f'fill="{colour}" stroke="white" stroke-width="1"/>')  # fmt: skip
        entries.append((name, colour, None, True))
    if key:
        parts.append(legend(left + width + 14, top + 8, entries))
    return '<g class="panel">\n' + "\n".join(parts) + "\n</g>"


def _series(name: str, data: object) -> Series:
    """A series as (xs, ys) of floats: ys alone are at x = 1, 2, ...; checked to be numbers, of one length."""
    pair = isinstance(data, tuple | list) and len(data) == 2 and all(_is_list(part) for part in data)
    given: Any = data  # checked below: a list of numbers, or a pair of them
    xs, ys = (given[0], given[1]) if pair else (None, given)
    if not _is_list(ys):
        raise TypeError(
            f"line_plot: series {name!r} must be a list of numbers or a pair (xs, ys), got {type_name(data)}"
        )
    ys = list(ys)
    xs = list(range(1, len(ys) + 1)) if xs is None else list(xs)
    if not ys or len(xs) != len(ys):
        raise ValueError(f"line_plot: series {name!r} has {len(xs)} xs and {len(ys)} ys; it needs as many, at least 1")
    for v in xs:
        if not is_number(v) or not math.isfinite(v):
            raise ValueError(f"line_plot: series {name!r} has x = {v!r}: its xs must be finite numbers")
    for v in ys:
        if not is_number(v):
            raise ValueError(f"line_plot: series {name!r} has y = {v!r}: its ys must be numbers (NaN breaks the line)")
    return [float(v) for v in xs], [float(v) for v in ys]


def _is_list(x: object) -> bool:
    return hasattr(x, "__len__") and hasattr(x, "__iter__") and not isinstance(x, str | bytes | Mapping)


def _attr(name: str) -> str:
    return name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _polylines(name: str, points: list[tuple[float, float] | None], colour: str, dash: str, markers: bool) -> str:
    """A series' line (broken where a value is not finite: None), and a dot at each point if markers."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            runs.append([])
        else:
            runs[-1].append(p)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    out = [
        f'<polyline class="series" data-name="{_attr(name)}" points="{" ".join(f"{x:.2f},{y:.2f}" for x, y in run)}" '
        f'fill="none" stroke="{colour}" stroke-width="1.8"{dashes}/>'
        for run in runs
        if run
    ]
    if markers:
        out += [
            f'<circle class="marker" cx="{x:.2f}" cy="{y:.2f}" r="2.2" fill="{colour}"/>'
            for run in runs
            for x, y in run
        ]
    return "\n".join(out)


def _shaded(f: Callable[[float, float], float], sx: Scale, sy: Scale) -> str:
    """The background: f on a grid over the axes, in BANDS grey levels, one rectangle per run of a level in a row."""
    n = SHADE_RESOLUTION
    cw, ch = (sx.stop - sx.start) / n, (sy.start - sy.stop) / n
    centres_x = [sx.lo + (sx.hi - sx.lo) * (j + 0.5) / n for j in range(n)]
    centres_y = [sy.lo + (sy.hi - sy.lo) * (i + 0.5) / n for i in range(n)]
    values = [[float(f(x, y)) for x in centres_x] for y in centres_y]
    finite = [v for row in values for v in row if math.isfinite(v)]
    if not finite:
        raise ValueError("line_plot: shade(x, y) is not a finite number anywhere on the plot")
    lo, hi = min(finite), max(finite)
    spread = hi - lo or 1.0
    out = []
    for i, row in enumerate(values):
        levels = [min(int((v - lo) / spread * BANDS), BANDS - 1) if math.isfinite(v) else BANDS - 1 for v in row]
        j = 0
        while j < n:
            k = j
            while k + 1 < n and levels[k + 1] == levels[j]:
                k += 1
            out.append(f'<rect class="shade" x="{sx.start + j * cw:.2f}" y="{sy.start - (i + 1) * ch:.2f}" '
                       f'width="{(k - j + 1) * cw + 0.3:.2f}" height="{ch + 0.3:.2f}" '
                       f'fill="{ramp(levels[j] + 1, 2.5 * BANDS)}"/>')  # fmt: skip
            j = k + 1
    return "\n".join(out)
