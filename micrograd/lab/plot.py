"""Pictures of training: the decision boundary of a 2-D classifier, the loss curve, a confusion matrix, images.

Every picture is drawn here as SVG with the standard library only (svg.py), so it shows wherever the lab
runs, the browser lab included. Each function returns a Picture: Jupyter shows it fitted to the output,
str(picture) is its SVG and picture.save("name.svg") writes it. The pictures of images (a grid of digits,
the ones a model gets wrong, one digit large, a forward pass) are drawn in images.py, line plots in
chart.py; all are named here, the one place to import pictures from.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from micrograd.checks import is_number, type_name
from micrograd.engine import Number, Value, no_grad
from micrograd.lab.chart import line_panel, line_plot
from micrograd.lab.images import plot_forward_pass, plot_image, plot_images, plot_misclassified
from micrograd.lab.svg import (
    COLOURS,
    FAINT,
    INK,
    REGIONS,
    Picture,
    Scale,
    axes,
    document,
    legend,
    legend_width,
    ramp,
    side_by_side,
    text,
)
from micrograd.training.history import History
from micrograd.training.metrics import Model, Target, decision_rule

__all__ = [
    "DecisionGrid",
    "boundary_panel",
    "decision_grid",
    "in_jupyter",
    "line_plot",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_forward_pass",
    "plot_image",
    "plot_images",
    "plot_loss",
    "plot_misclassified",
    "side_by_side",
]

BOUNDARY_AREA = (58.0, 34.0, 360.0, 270.0)  # the boundary's plotting area: left, top, width, height (points)
CURVE_AREA = (58.0, 50.0, 300.0, 200.0)  # each panel of the loss curve's
BLUES = (8, 48, 107)  # the darkest blue of the confusion matrix


@dataclass(frozen=True)
class DecisionGrid:
    """The label the model predicts at each point of a grid: ``labels[i][j]`` is its label at (xs[j], ys[i])."""

    xs: list[float]
    ys: list[float]
    labels: list[list[Number]]
    classes: list[Number]  # the labels of the data (and any other predicted), in order; colour k is classes[k]'s
    scores: list[list[float]] | None  # the output at each point, for a model with a single output


def decision_grid(
    model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], *, resolution: int = 100
) -> DecisionGrid:
    """The model's predicted label on a resolution × resolution grid over the data, computed under no_grad()."""
    points = _points(X)
    rule = decision_rule(y)
    if rule is None:
        raise ValueError("decision_grid: y must be class labels (two label values, or class indices)")
    if len(points) != len(y):
        raise ValueError(f"decision_grid: got {len(points)} points but {len(y)} labels")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"decision_grid: resolution must be an int ≥ 2, got {resolution!r}")
    columns = {"x[0]": [p[0] for p in points], "x[1]": [p[1] for p in points]}
    for name, values in columns.items():  # each axis's margin is 10% of the larger extent: both must be floats
        if not math.isfinite(max(values) - min(values)):
            raise ValueError(_too_far_apart(name, values))
    xs = _axis(columns["x[0]"], columns["x[1]"], resolution, "x[0]")
    ys = _axis(columns["x[1]"], columns["x[0]"], resolution, "x[1]")
    with no_grad():
        outputs = [[model([x, y_]) for x in xs] for y_ in ys]
    labels = [[rule(out) for out in row] for row in outputs]
    single = all(isinstance(out, Value) for row in outputs for out in row)
    scores = [[out.data for out in row if isinstance(out, Value)] for row in outputs] if single else None  # each one
    classes = sorted(set(y) | {label for row in labels for label in row})
    return DecisionGrid(xs, ys, labels, classes, scores)


def plot_decision_boundary(
    model: Model, X: Sequence[Sequence[Number]], y: Sequence[Target], *, resolution: int = 100,
    title: str = "Decision boundary",
) -> Picture:  # fmt: skip
    """The regions where the model predicts each class, and the data points coloured by their label."""
    grid = decision_grid(model, X, y, resolution=resolution)
    if len(grid.classes) > len(COLOURS):
        raise ValueError(f"plot_decision_boundary: at most {len(COLOURS)} classes, got {len(grid.classes)}")
    for i, row in enumerate(grid.scores or []):
        for j, score in enumerate(row):
            if not math.isfinite(score):
                raise ValueError(
                    f"plot_decision_boundary: the model's output at ({grid.xs[j]:g}, {grid.ys[i]:g}) is {score!r}; "
                    "drawing the boundary needs finite outputs over the whole grid (scale the data down)"
                )
    left, top, width, height = BOUNDARY_AREA
    names = [f"class {label}" for label in grid.classes]
    body = (
        boundary_panel(grid, X, y, BOUNDARY_AREA)
        + "\n"
        + legend(left + width + 14, top + 8, [(name, COLOURS[k], None, True) for k, name in enumerate(names)])
    )
    return document(left + width + 16 + legend_width(names), top + height + 44, body, title=title)


def boundary_panel(
    grid: DecisionGrid, X: Sequence[Sequence[Number]], y: Sequence[Target], area: tuple[float, float, float, float],
    *, title: str = "", ticks: bool = True,
) -> str:  # fmt: skip
    """The grid's regions (one rectangle per run of a label along a row, class region) and the data on top."""
    left, top, width, height = area
    sx = Scale(grid.xs[0], grid.xs[-1], left, left + width)
    sy = Scale(grid.ys[0], grid.ys[-1], top + height, top)
    index = {label: i % len(REGIONS) for i, label in enumerate(grid.classes)}
    dx, dy = (grid.xs[-1] - grid.xs[0]) / (len(grid.xs) - 1), (grid.ys[-1] - grid.ys[0]) / (len(grid.ys) - 1)
    cells = []
    for i, row in enumerate(grid.labels):
        cy0, cy1 = max(grid.ys[0], grid.ys[i] - dy / 2), min(grid.ys[-1], grid.ys[i] + dy / 2)
        j = 0
        while j < len(row):
            k = j
            while k + 1 < len(row) and row[k + 1] == row[j]:
                k += 1
            cx0, cx1 = max(grid.xs[0], grid.xs[j] - dx / 2), min(grid.xs[-1], grid.xs[k] + dx / 2)
            cells.append(
                f'<rect class="region" data-label="{row[j]}" x="{sx(cx0):.2f}" y="{sy(cy1):.2f}" '
                f'width="{sx(cx1) - sx(cx0) + 0.3:.2f}" height="{sy(cy0) - sy(cy1) + 0.3:.2f}" '
                f'fill="{REGIONS[index[row[j]]]}"/>'
            )
            j = k + 1
    points = [
        f'<circle class="point" data-label="{t}" cx="{sx(float(p[0])):.2f}" cy="{sy(float(p[1])):.2f}" r="2.8" '
        f'fill="{COLOURS[index[t] % len(COLOURS)]}" stroke="white" stroke-width="0.6"/>'
        for p, t in zip(X, y)
    ]
    frame = (
        axes(sx, sy, xlabel="x[0]", ylabel="x[1]", title=title, grid=False)
        if ticks
        else text(left + width / 2, top - 8, title, size=11, cls="panel-title")
        + f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="{FAINT}"/>'
    )
    return "\n".join(['<g class="panel">', *cells, *points, frame, "</g>"])


def plot_loss(history: History | Sequence[Number], *, title: str | None = None) -> Picture:
    """The loss after each epoch and, when there is one, the accuracy (and the validation set's) beside it."""
    accuracy: dict[str, list[float]] = {}
    if isinstance(history, History):
        losses = list(history.loss)
        for name, values in (("accuracy", history.accuracy), ("validation accuracy", history.val_accuracy)):
            if values and all(a is not None for a in values) and len(values) == len(losses):
                accuracy[name] = [100 * float(a) for a in values if a is not None]
    elif isinstance(history, Iterable) and not isinstance(history, str | bytes):  # a list, a numpy array, ...
        losses = list(history)
    else:
        raise TypeError(
            f"plot_loss takes the History that fit() returns, or a list of losses; got {type_name(history)}"
        )
    if not losses:
        raise ValueError("plot_loss: there is no loss to plot (train for at least one epoch)")
    for value in losses:
        if not is_number(value) or not math.isfinite(value):
            raise ValueError(f"plot_loss: losses must be finite numbers, got {value!r}")
    epochs = [float(e) for e in range(1, len(losses) + 1)]
    last = (1.0, float(max(len(losses), 2)))
    left, top, width, height = CURVE_AREA
    panel = left + width + 20
    parts = [line_panel({"loss": (epochs, [float(v) for v in losses])}, CURVE_AREA, xlabel="epoch", ylabel="loss",
                        title="loss", xrange=last, key=False)]  # fmt: skip
    if accuracy:
        area = (panel + left, top, width, height)
        lines = {name: (epochs, values) for name, values in accuracy.items()}
        parts.append(line_panel(lines, area, xlabel="epoch", ylabel="accuracy (%)", title="accuracy", xrange=last,
                                yrange=(0.0, 100.0), key=len(lines) > 1))  # fmt: skip
    if title is None:
        title = "Loss and accuracy after each epoch" if accuracy else "Loss after each epoch"
    extra = legend_width(list(accuracy)) if len(accuracy) > 1 else 0.0
    return document(panel * len(parts) + extra, top + height + 44, "\n".join(parts), title=title)


def plot_confusion_matrix(counts: Sequence[Sequence[int]], *, title: str | None = None) -> Picture:
    """A confusion matrix (metrics.confusion_matrix): counts[t][p] in row t (true class), column p (predicted)."""
    rows = [list(row) for row in counts] if isinstance(counts, Sequence) else []
    k = len(rows)
    if k < 2 or any(len(row) != k for row in rows):
        raise ValueError("plot_confusion_matrix: counts must be a square list of lists, at least 2 × 2")
    if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for row in rows for c in row):
        raise ValueError("plot_confusion_matrix: counts must be whole numbers ≥ 0")
    total, right = sum(map(sum, rows)), sum(rows[i][i] for i in range(k))
    if title is None:
        title = f"Confusion matrix: {right} of {total} right ({right / total:.1%})" if total else "Confusion matrix"
    cell, top = min(30.0, 300.0 / k), 34.0
    width = max(58 + k * cell + 20, 7.0 * len(title) + 20)
    left = max(58.0, (width - k * cell) / 2)
    top_count = max(max(row) for row in rows) or 1
    parts = []
    for t, p in itertools.product(range(k), range(k)):
        n = rows[t][p]
        x, y = left + p * cell, top + t * cell
        parts.append(f'<rect class="cell" x="{x:.2f}" y="{y:.2f}" width="{cell:.2f}" height="{cell:.2f}" '
                     f'fill="{ramp(n, top_count, BLUES)}" stroke="#ffffff" stroke-width="0.5"/>')  # fmt: skip
        if n:
            colour = "#ffffff" if n > top_count / 2 else ("#b2182b" if t != p else INK)
            parts.append(text(x + cell / 2, y + cell / 2, str(n), fill=colour, cls="count", middle=True))
    sx = Scale(-0.5, k - 0.5, left, left + k * cell)
    sy = Scale(-0.5, k - 0.5, top + k * cell, top)
    ticks = [(float(c), str(c)) for c in range(k)]
    flipped = [(float(k - 1 - c), str(c)) for c in range(k)]  # row 0 on top
    parts.append(axes(sx, sy, xlabel="predicted", ylabel="true", grid=False, xticks=ticks, yticks=flipped))
    return document(width, top + k * cell + 40, "\n".join(parts), title=title)


def in_jupyter() -> bool:
    """Whether this runs in a Jupyter kernel: pictures show inline there, and a display can be updated in place.

    ipykernel's shell is configured by its IPKernelApp; the browser lab's (Pyodide's kernel) is not, but like
    ipykernel's it holds its kernel, which a terminal's IPython does not.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and ("IPKernelApp" in shell.config or getattr(shell, "kernel", None) is not None)


def _points(X: object) -> list[tuple[float, float]]:
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__") or not hasattr(X, "__iter__") or len(X) == 0:
        raise ValueError("the data X must be a non-empty list (or array) of 2-D points [x0, x1]")
    points = []
    for i, p in enumerate(X):
        if isinstance(p, (str, bytes)) or not hasattr(p, "__len__") or len(p) != 2:
            raise ValueError(f"a decision boundary is drawn for 2-D inputs; point {i} is {p!r}")
        x0, x1 = float(p[0]), float(p[1])
        if not (math.isfinite(x0) and math.isfinite(x1)):
            raise ValueError(f"point {i} is not finite: {p!r}")
        points.append((x0, x1))
    return points


def _axis(values: list[float], other: list[float], n: int, name: str) -> list[float]:
    """n evenly spaced coordinates covering values, with a margin of 10% of the data's larger extent."""
    lo, hi = min(values), max(values)
    extent = max(hi - lo, max(other) - min(other)) or 1.0
    start, stop = lo - 0.1 * extent, hi + 0.1 * extent
    axis = [start + (stop - start) * i / (n - 1) for i in range(n)]
    if not all(math.isfinite(c) for c in axis):
        raise ValueError(_too_far_apart(name, values))
    if any(b <= a for a, b in itertools.pairwise(axis)):
        raise ValueError(
            f"decision_grid: the points are too close together for their size to draw: {name} runs from {lo:g} "
            f"to {hi:g}, and {n} grid points over that range are not all different floats; center or scale the data"
        )
    return axis


def _too_far_apart(name: str, values: list[float]) -> str:
    return (
        f"decision_grid: the points are too far apart to draw: {name} runs from {min(values):g} to {max(values):g}, "
        "and a grid over them (with a margin of 10%) overflows a float; scale the data down"
    )
