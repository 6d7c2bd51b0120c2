"""Pictures of images: a grid of small images with captions, the ones a model gets wrong, one image large
with each pixel's value written on it, and one image's forward pass through a network.

An image is a flat list of side × side pixels, row by row, as the digits are (0 white, the largest dark).
Each picture is an svg.Picture; micrograd.lab.plot names them all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from micrograd.checks import is_number, type_name
from micrograd.engine import Number
from micrograd.lab.svg import COLOURS, INK, Picture, Scale, axes, document, ramp, text
from micrograd.nn import MLP
from micrograd.training.metrics import Model, predict

__all__ = ["plot_forward_pass", "plot_image", "plot_images", "plot_misclassified"]

PIXEL = 5.0  # points per pixel in a grid of images
LARGE = 28.0  # and in one image shown large
GREENS = (0, 109, 44)  # the darkest green, of the largest activation


def plot_images(
    images: Sequence[Sequence[Number]], captions: Sequence[str] | None = None, *, side: int = 8, columns: int = 10,
    title: str | None = None,
) -> Picture:  # fmt: skip
    """Images of side × side pixels (each a flat list, row by row, dark = high), in a grid, each with a caption."""
    pictures = _images(images, side, "plot_images")
    if captions is not None and len(captions) != len(pictures):
        raise ValueError(f"plot_images: got {len(pictures)} images but {len(captions)} captions")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"plot_images: columns must be an int ≥ 1, got {columns!r}")
    columns = min(columns, len(pictures))
    top_value = max(1.0, *(max(image) for image in pictures))
    size = side * PIXEL
    cell_w, cell_h = max(size, 44.0) + 8, size + (22 if captions else 8)
    parts = []
    for n, image in enumerate(pictures):
        r, c = divmod(n, columns)
        x, y = 10 + c * cell_w + (cell_w - 8 - size) / 2, 30 + r * cell_h
        parts.append(_pixels(image, side, x, y, PIXEL, top_value, index=n))
        if captions:
            parts.append(text(x + size / 2, y + size + 12, str(captions[n]), cls="caption"))
    rows = -(-len(pictures) // columns)
    width = max(12 + columns * cell_w, 6.5 * len(title or "") + 20)
    return document(width, 34 + rows * cell_h, "\n".join(parts), title=title or "")


def plot_misclassified(
    model: Model, X: Sequence[Sequence[Number]], y: Sequence[int], *, side: int = 8, limit: int = 40
) -> Picture:
    """The images the model gets wrong (up to ``limit``, in the order of X), each captioned "predicted (true)"."""
    predicted = predict(model, X, y)
    wrong = [i for i, (p, t) in enumerate(zip(predicted, y)) if p != t]
    if not wrong:
        raise ValueError("plot_misclassified: the model gets every image right; there is nothing to show")
    shown = wrong[:limit]
    captions = [f"{predicted[i]} ({y[i]})" for i in shown]
    more = f", the first {len(shown)} shown" if len(shown) < len(wrong) else ""
    title = f"{len(wrong)} of {len(X)} misclassified{more}: predicted (true)"
    return plot_images([X[i] for i in shown], captions, side=side, title=title)


def plot_image(image: Sequence[Number], *, side: int = 8, title: str = "", values: bool = True) -> Picture:
    """One image large, with each pixel's value written on it (values=True): what the network reads as inputs."""
    (pixels,) = _images([image], side, "plot_image")
    top_value = max(1.0, *pixels)
    width = max(28 + side * LARGE, 6.5 * len(title) + 20)
    left = (width - side * LARGE) / 2
    body = _pixels(pixels, side, left, 30, LARGE, top_value, index=0, values="{:.2g}" if values else None)
    return document(width, 44 + side * LARGE, body, title=title)


def plot_forward_pass(model: MLP, x: Sequence[Number], *, side: int = 8, label: object = None) -> Picture:
    """The model's last forward pass, out = model(x), drawn: the inputs x as the image, each hidden layer's
    activations a (written on them) and the outputs (the scores) as bars, the largest (its answer) in red.

    The numbers are the network's own, read from its layers (layer.a): keep out alive until this is drawn.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"plot_forward_pass draws an MLP's layers, got {type_name(model)}")
    (pixels,) = _images([x], side, "plot_forward_pass")
    if len(pixels) != model.nin:
        raise ValueError(f"plot_forward_pass: x has {len(pixels)} inputs, the model takes {model.nin}")
    layers = [[a.data for a in layer.a] for layer in model.layers]
    if layers[-1] != model.float_function()(pixels):
        raise ValueError("plot_forward_pass draws the model's last forward pass, which was not on x: call model(x)")
    hidden, scores = layers[:-1], layers[-1]
    answer = max(range(len(scores)), key=scores.__getitem__)
    known = f" (label {label})" if label is not None else ""
    parts = [text(10 + side * 7, 42, f"{len(pixels)} inputs{known}", size=11, cls="panel-title")]
    parts.append(_pixels(pixels, side, 10, 52, 14.0, max(1.0, *pixels), index=0))
    left = 30 + side * 14
    for l, activations in enumerate(hidden, start=1):
        n_columns = min(8, len(activations))
        active = sum(v > 0 for v in activations)
        parts.append(text(left + n_columns * 13, 42, f"{len(activations)} {model.layers[l - 1].activation}s "
                          f"of layer {l} ({active} active)", size=11, cls="panel-title"))  # fmt: skip
        parts.append(_grid(activations, n_columns, left, 52, 26.0, max(max(activations), 1e-12)))
        left += n_columns * 26 + 56
    parts.append(_bars(scores, answer, (left, 52.0, 24.0 * len(scores), 170.0)))
    title = f"The forward pass of one image: it reads {answer}"
    return document(left + 24 * len(scores) + 16, 262, "\n".join(parts), title=title)


def _images(images: Sequence[Sequence[Number]], side: int, caller: str) -> list[list[float]]:
    """The images as lists of floats, each checked to have side × side finite pixels."""
    if isinstance(side, bool) or not isinstance(side, int) or side < 1:
        raise ValueError(f"{caller}: side must be an int ≥ 1, got {side!r}")
    if not isinstance(images, Sequence) or isinstance(images, str | bytes) or not images:
        raise ValueError(f"{caller}: there are no images to show (a list of images, each a list of pixels)")
    out = []
    for i, image in enumerate(images):
        pixels = list(image)
        if len(pixels) != side * side:
            raise ValueError(f"{caller}: image {i} has {len(pixels)} pixels, not {side}×{side} = {side * side}")
        if not all(is_number(v) and math.isfinite(v) for v in pixels):
            raise ValueError(f"{caller}: image {i} has a pixel that is not a finite number")
        out.append([float(v) for v in pixels])
    return out


def _pixels(
    image: list[float], side: int, x: float, y: float, size: float, top: float, *, index: int,
    values: str | None = None,
) -> str:  # fmt: skip
    """An image as a <g class="image"> of one square per pixel (class pixel), row by row, white 0 to black top."""
    parts = [f'<g class="image" data-index="{index}">']
    for k, v in enumerate(image):
        r, c = divmod(k, side)
        px, py = x + c * size, y + r * size
        parts.append(f'<rect class="pixel" x="{px:.2f}" y="{py:.2f}" width="{size:.2f}" height="{size:.2f}" '
                     f'fill="{ramp(v, top)}"/>')  # fmt: skip
        if values is not None:
            colour = "#ffffff" if v > top / 2 else INK
            parts.append(text(px + size / 2, py + size / 2, values.format(v), size=9, fill=colour, cls="value",
                              middle=True))  # fmt: skip
    parts.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{side * size:.2f}" height="{(len(image) // side) * size:.2f}" '
                 'fill="none" stroke="#888888" stroke-width="0.5"/></g>')  # fmt: skip
    return "\n".join(parts)


def _grid(values: list[float], columns: int, x: float, y: float, size: float, top: float) -> str:
    """Activations in rows of `columns` cells (class activation), green by value, each value written on it."""
    parts = []
    for j, v in enumerate(values):
        r, c = divmod(j, columns)
        px, py = x + c * size, y + r * size
        parts.append(f'<rect class="activation" x="{px:.2f}" y="{py:.2f}" width="{size:.2f}" height="{size:.2f}" '
                     f'fill="{ramp(v, top, GREENS)}" stroke="#ffffff" stroke-width="0.5"/>')  # fmt: skip
        colour = "#ffffff" if v > 0.6 * top else INK
        parts.append(text(px + size / 2, py + size / 2, f"{v:.1f}", size=9, fill=colour, cls="value", middle=True))
    return "\n".join(parts)


def _bars(scores: list[float], answer: int, area: tuple[float, float, float, float]) -> str:
    """The scores as bars from 0 (class bar), on axes with round ticks; the answer's bar in red."""
    left, top, width, height = area
    sy = Scale.around([*scores, 0.0], top + height, top)
    sx = Scale(-0.5, len(scores) - 0.5, left, left + width)
    ticks = [(float(k), str(k)) for k in range(len(scores))]
    parts = [axes(sx, sy, xlabel="digit", title=f"{len(scores)} scores: it reads {answer}", xticks=ticks)]
    for k, z in enumerate(scores):
        y0, y1 = sorted((sy(0.0), sy(z)))
        colour = COLOURS[1] if k == answer else COLOURS[0]
        parts.append(f'<rect class="bar" x="{sx(k) - 8:.2f}" y="{y0:.2f}" width="16" height="{y1 - y0:.2f}" '
                     f'fill="{colour}"/>')  # fmt: skip
    parts.append(
        f'<line x1="{left:.2f}" y1="{sy(0.0):.2f}" x2="{left + width:.2f}" y2="{sy(0.0):.2f}" stroke="#888888"/>'
    )
    return "\n".join(parts)
