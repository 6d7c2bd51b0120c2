"""Pictures of training: the decision boundary of a 2-D classifier, the loss curve, a confusion matrix, images.

matplotlib is an optional extra (``pip install micrograd-lab[plot]``), imported only when a picture is
drawn. In Jupyter the figures come from pyplot and show inline; elsewhere they are drawn with the
Agg backend on figures of their own, so no window opens and pyplot's global state is left alone.
Each function draws into ``ax`` if one is given, saves the figure to ``path`` if one is given, and
returns the Axes.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from micrograd.checks import is_number
from micrograd.engine import Number, Value, no_grad
from micrograd.training.history import History
from micrograd.training.metrics import Model, Target, decision_rule, predict

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DecisionGrid",
    "decision_grid",
    "in_jupyter",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_images",
    "plot_loss",
    "plot_misclassified",
]

# One colour per class: the points, and the lighter regions where the model predicts that class.
POINT_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"]
REGION_COLORS = ["#c6dbef", "#fcc5c0", "#c7e9c0", "#dadaeb", "#fdd0a2", "#e0cfc9", "#f7d4ea", "#dddddd"]
DPI = 100


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
    model: Model,
    X: Sequence[Sequence[Number]],
    y: Sequence[Target],
    *,
    resolution: int = 100,
    ax: Axes | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str = "Decision boundary",
    figsize: tuple[float, float] = (6.0, 4.5),
    dpi: int = DPI,
) -> Axes:
    """The regions where the model predicts each class, its boundary, and the data points coloured by label."""
    grid = decision_grid(model, X, y, resolution=resolution)
    if len(grid.classes) > len(POINT_COLORS):
        raise ValueError(f"plot_decision_boundary: at most {len(POINT_COLORS)} classes, got {len(grid.classes)}")
    ax = _axes(ax, figsize, dpi)
    from matplotlib.colors import ListedColormap

    k = len(grid.classes)
    index = {label: i for i, label in enumerate(grid.classes)}
    if grid.scores is not None and k == 2:  # one output: the boundary is where it crosses the threshold
        surface = grid.scores
        flat = [s for row in surface for s in row]
        bad = next(((i, j) for i, row in enumerate(surface) for j, s in enumerate(row) if not math.isfinite(s)), None)
        if bad is not None:
            i, j = bad
            raise ValueError(
                f"plot_decision_boundary: the model's output at ({grid.xs[j]:g}, {grid.ys[i]:g}) is {surface[i][j]!r}; "
                "drawing the boundary needs finite outputs over the whole grid (scale the data down)"
            )
        threshold = (grid.classes[0] + grid.classes[1]) / 2
        levels = [min(*flat, threshold) - 1.0, threshold, max(*flat, threshold) + 1.0]
    else:  # several outputs: the boundaries between the regions of the predicted classes
        surface = [[index[label] for label in row] for row in grid.labels]
        levels = [i - 0.5 for i in range(k + 1)]
    ax.contourf(grid.xs, grid.ys, surface, levels=levels, cmap=ListedColormap(REGION_COLORS[:k]))
    ax.contour(grid.xs, grid.ys, surface, levels=levels[1:-1], colors="#444444", linewidths=1.0)
    for label in grid.classes:
        mine = [p for p, t in zip(_points(X), y) if t == label]
        ax.scatter(
            [p[0] for p in mine],
            [p[1] for p in mine],
            s=22,
            color=POINT_COLORS[index[label]],
            edgecolors="white",
            linewidths=0.6,
            label=f"class {label}",
        )
    ax.set(xlim=(grid.xs[0], grid.xs[-1]), ylim=(grid.ys[0], grid.ys[-1]), xlabel="x[0]", ylabel="x[1]", title=title)
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    return _finish(ax, path)


def plot_loss(
    history: History | Sequence[Number],
    *,
    ax: Axes | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (6.0, 4.0),
    dpi: int = DPI,
) -> Axes:
    """The loss after each epoch and, when there is one, the accuracy (and the validation set's) on a second axis."""
    validation: list[float] = []
    if isinstance(history, History):
        losses, accuracies = history.loss, [a for a in history.accuracy if a is not None]
        validation = [a for a in history.val_accuracy if a is not None]
    elif isinstance(history, Iterable) and not isinstance(history, (str, bytes)):  # a list, a numpy array, ...
        losses, accuracies = list(history), []
    else:
        raise TypeError(
            f"plot_loss takes the History that fit() returns, or a list of losses; got {type(history).__name__}"
        )
    if not losses:
        raise ValueError("plot_loss: there is no loss to plot (train for at least one epoch)")
    for value in losses:
        if not is_number(value) or not math.isfinite(value):
            raise ValueError(f"plot_loss: losses must be finite numbers, got {value!r}")
    ax = _axes(ax, figsize, dpi)
    epochs = list(range(1, len(losses) + 1))
    ax.plot(epochs, losses, color=POINT_COLORS[0], linewidth=1.8, label="loss")
    if title is None:
        title = "Loss and accuracy after each epoch" if len(accuracies) == len(losses) else "Loss after each epoch"
    ax.set(xlabel="epoch", ylabel="loss", title=title, xlim=(1, max(len(losses), 2)))
    ax.set_ylim(bottom=min(0.0, min(losses)))
    ax.grid(alpha=0.3)
    if len(accuracies) == len(losses):
        right = ax.twinx()
        right.plot(epochs, [100 * a for a in accuracies], color=POINT_COLORS[1], linewidth=1.4, linestyle="--")
        right.set(ylabel="accuracy (%)", ylim=(0, 101))
        right.yaxis.label.set_color(POINT_COLORS[1])
        ax.plot([], [], color=POINT_COLORS[1], linestyle="--", label="accuracy")  # a legend entry only
        if len(validation) == len(losses):
            right.plot(epochs, [100 * a for a in validation], color=POINT_COLORS[2], linewidth=1.4, linestyle=":")
            ax.plot([], [], color=POINT_COLORS[2], linestyle=":", label="validation accuracy")
        ax.legend(loc="center right", fontsize="small")
    return _finish(ax, path)


def plot_confusion_matrix(
    counts: Sequence[Sequence[int]],
    *,
    ax: Axes | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (5.5, 5.0),
    dpi: int = DPI,
) -> Axes:
    """A confusion matrix (metrics.confusion_matrix): counts[t][p] in row t (true class), column p (predicted)."""
    rows = [list(row) for row in counts] if isinstance(counts, Sequence) else []
    k = len(rows)
    if k < 2 or any(len(row) != k for row in rows):
        raise ValueError("plot_confusion_matrix: counts must be a square list of lists, at least 2 × 2")
    if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for row in rows for c in row):
        raise ValueError("plot_confusion_matrix: counts must be whole numbers ≥ 0")
    ax = _axes(ax, figsize, dpi)
    top = max(max(row) for row in rows) or 1
    ax.imshow(rows, cmap="Blues", vmin=0, vmax=top)
    for t in range(k):
        for p in range(k):
            if rows[t][p]:
                dark = rows[t][p] > top / 2
                ax.text(
                    p,
                    t,
                    str(rows[t][p]),
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="white" if dark else ("#b2182b" if t != p else "black"),
                )
    total, right = sum(map(sum, rows)), sum(rows[i][i] for i in range(k))
    if title is None:
        title = f"Confusion matrix: {right} of {total} right ({right / total:.1%})" if total else "Confusion matrix"
    ax.set(xlabel="predicted", ylabel="true", title=title, xticks=range(k), yticks=range(k))
    return _finish(ax, path)


def plot_images(
    images: Sequence[Sequence[Number]],
    captions: Sequence[str] | None = None,
    *,
    side: int = 8,
    columns: int = 10,
    ax: Axes | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    dpi: int = DPI,
) -> Axes:
    """Images of side × side pixels (each a flat list, row by row, dark = high), in a grid, each with a caption."""
    images = [list(image) for image in images]
    if not images:
        raise ValueError("plot_images: there are no images to show")
    for i, image in enumerate(images):
        if len(image) != side * side:
            raise ValueError(f"plot_images: image {i} has {len(image)} pixels, not {side}×{side} = {side * side}")
    if captions is not None and len(captions) != len(images):
        raise ValueError(f"plot_images: got {len(images)} images but {len(captions)} captions")
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    gap = max(side // 4, 1)
    cell = side + gap
    canvas = [[math.nan] * (columns * cell - gap) for _ in range(rows * cell - gap)]
    for n, image in enumerate(images):
        r, c = divmod(n, columns)
        for i in range(side):
            canvas[r * cell + i][c * cell : c * cell + side] = [float(v) for v in image[i * side : (i + 1) * side]]
    ax = _axes(ax, (1.0 + 0.75 * columns, 0.6 + 0.95 * rows), dpi)
    import matplotlib

    cmap = matplotlib.colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(canvas, cmap=cmap, vmin=0.0, vmax=max(1.0, *(max(image) for image in images)))
    for n, caption in enumerate(captions or []):
        r, c = divmod(n, columns)
        ax.text(c * cell + (side - 1) / 2, r * cell + side - 0.2, caption, ha="center", va="top", fontsize="small")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return _finish(ax, path)


def plot_misclassified(
    model: Model,
    X: Sequence[Sequence[Number]],
    y: Sequence[int],
    *,
    side: int = 8,
    limit: int = 40,
    ax: Axes | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: int = DPI,
) -> Axes:
    """The images the model gets wrong (up to ``limit``, in the order of X), each captioned "predicted (true)"."""
    predicted = predict(model, X, y)
    wrong = [i for i, (p, t) in enumerate(zip(predicted, y)) if p != t]
    if not wrong:
        raise ValueError("plot_misclassified: the model gets every image right; there is nothing to show")
    shown = wrong[:limit]
    captions = [f"{predicted[i]} ({y[i]})" for i in shown]
    more = f", the first {len(shown)} shown" if len(shown) < len(wrong) else ""
    title = f"{len(wrong)} of {len(X)} misclassified{more}: predicted (true)"
    return plot_images([X[i] for i in shown], captions, side=side, ax=ax, path=path, title=title, dpi=dpi)


# -- figures ---------------------------------------------------------------------------------


def _axes(ax: Axes | None, figsize: tuple[float, float], dpi: int) -> Axes:
    """ax itself, or the Axes of a new figure: pyplot's in Jupyter (shown inline), an Agg figure elsewhere."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError("plotting needs matplotlib, an optional extra: pip install micrograd-lab[plot]") from None
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        return ax
    if in_jupyter():
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize, dpi=dpi, layout="constrained").add_subplot()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def _finish(ax: Axes, path: str | os.PathLike[str] | None) -> Axes:
    if path is not None:
        figure = cast("Figure", ax.figure)  # not a SubFigure's, which has no savefig()
        figure.savefig(path, dpi=figure.dpi)
    return ax


def in_jupyter() -> bool:
    """Whether this runs in a Jupyter kernel: figures show inline there, and a display can be updated in place.

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
