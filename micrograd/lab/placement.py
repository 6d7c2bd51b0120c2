"""Where a label goes on a line: the spot along it that covers nothing taken and that no other line crosses.

The network view (micrograd.lab.network_view) writes each weight's w and ∂C/∂w on the weight's line; a
label crossed by another line could be read as that line's, and one covering another label or a neuron
hides it. Geometry in the SVG's units (points): a Point (x, y), a Segment between two points, a Box
(left, top, right, bottom).
"""

from __future__ import annotations

import math

Point = tuple[float, float]
Segment = tuple[Point, Point]
Box = tuple[float, float, float, float]  # left, top, right, bottom
# Where along its line a weight's label may sit, in order of preference: past the middle first, where
# the lines into one neuron have fanned out, then ever further from it.
ALONG = tuple(sorted((i / 20 for i in range(2, 19)), key=lambda t: abs(t - 0.6)))


def place_label(
    line: Segment, text: tuple[str, str], taken: list[Box], lines: list[Segment], *, size: float
) -> tuple[Point, float]:
    """A point on line for its label, and the area of taken it covers: ideally none, and crossed by no other line.

    Crossed by another line, a label could be read as that line's. The label's box is added to taken;
    its width is estimated (0.66 em a character, as wide as digits in common sans fonts), with a margin.
    """
    (x0, y0), (x1, y1) = line
    half = 0.33 * size * max(map(len, text)) + 3
    best, best_box, least = (x0, y0), (x0, y0, x0, y0), (math.inf, math.inf, math.inf)
    for t in ALONG:
        x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        box = (x - half, y - 13, x + half, y + 14)  # the two lines of text, around the point on the line
        crossing = [other for other in lines if other != line and _crosses(other, box)]
        cost = (
            sum(_overlap(box, other) for other in taken),
            sum(_distance((x, y), other) < 9 for other in crossing),  # through the middle of the text
            len(crossing),
        )
        if cost < least:
            best, best_box, least = (x, y), box, cost
            if cost == (0.0, 0, 0):
                break
    taken.append(best_box)
    return best, least[0]


def _crosses(segment: Segment, box: Box) -> bool:
    """Whether the segment passes through the box (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    enter, leave = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0.0:
            if q < 0.0:
                return False  # parallel to this side, and outside it
        elif p < 0.0:
            enter = max(enter, q / p)
        else:
            leave = min(leave, q / p)
    return enter <= leave


def _distance(point: Point, segment: Segment) -> float:
    """How far the point is from the segment."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((point[0] - x0) * dx + (point[1] - y0) * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(point[0] - x0 - t * dx, point[1] - y0 - t * dy)


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


__all__ = ["ALONG", "Box", "Point", "Segment", "place_label"]
