"""Where a label goes on a line: the spot along it that covers nothing taken and that no other line crosses.

The network view (micrograd.lab.network_view) writes each weight's w and ∂C/∂w on the weight's line; a
label crossed by another line could be read as that line's, and one covering another label or a neuron
hides it. Geometry in the SVG's units (points): a Point (x, y), a Segment between two points, a Box
(left, top, right, bottom).

Labels keeps the lines and the boxes taken in a grid of CELL × CELL squares, so that a candidate spot is
checked against the lines and boxes near it, not against all of them: placing n labels on n lines takes
time about n × (the lines near a label), not n × n × 17 checks. The checks themselves, and the order in
which the areas covered are added, are those of every line and box in turn, so each label gets exactly
the spot that checking all of them gives.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

Point = tuple[float, float]
Segment = tuple[Point, Point]
Box = tuple[float, float, float, float]  # left, top, right, bottom
# Where along its line a weight's label may sit, in order of preference: past the middle first, where
# the lines into one neuron have fanned out, then ever further from it.
ALONG = tuple(sorted((i / 20 for i in range(2, 19)), key=lambda t: abs(t - 0.6)))
CELL = 32.0  # points: the side of a square of the grid, about a label's height
PAD = 1.0  # points: what a line or box is widened by in the grid, far more than any rounding of its ends


class Labels:
    """Labels placed one by one on lines, each at its best spot given the labels before it.

    lines are all the lines drawn (a label crossed by one of them could be read as that line's), taken the
    boxes that labels must not cover (neurons and their names); each label placed is added to taken.
    """

    def __init__(self, lines: Sequence[Segment], taken: Iterable[Box]) -> None:
        self.lines = list(lines)
        self.taken: list[Box] = []
        self._lines_in: dict[tuple[int, int], list[int]] = {}  # a cell -> the lines through it, by index
        self._taken_in: dict[tuple[int, int], list[int]] = {}  # a cell -> the boxes on it, by index
        for i, segment in enumerate(self.lines):
            for cell in _cells_of_segment(segment):
                self._lines_in.setdefault(cell, []).append(i)
        for box in taken:
            self._take(box)

    def place(self, line: Segment, text: tuple[str, str], *, size: float) -> tuple[Point, float]:
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
            cells = list(_cells_of_box(box))
            covered = sum((_overlap(box, self.taken[i]) for i in _near(self._taken_in, cells)), 0.0)  # in order
            if covered > least[0]:
                continue  # worse than the best so far, whatever lines cross it
            bound = least[1:] if covered == least[0] else (math.inf, math.inf)
            crossed = self._crossed(line, box, (x, y), _near(self._lines_in, cells), bound)
            if crossed is not None:  # better than the best so far
                best, best_box, least = (x, y), box, (covered, *crossed)
                if least == (0.0, 0, 0):
                    break
        self._take(best_box)
        return best, least[0]

    def _crossed(
        self, line: Segment, box: Box, point: Point, near: list[int], bound: tuple[float, float]
    ) -> tuple[int, int] | None:
        """How many other lines (of the near ones) cross box through the middle of its text (near point), and in all.

        None unless the pair is less than bound, as soon as it cannot be (counts only grow): the spot is then
        no better than the best so far.
        """
        through, crossing = 0, 0
        for i in near:
            other = self.lines[i]
            if other != line and _crosses(other, box):
                crossing += 1
                through += _distance(point, other) < 9
                if through > bound[0] or (through == bound[0] and crossing >= bound[1]):
                    return None
        return (through, crossing) if (through, crossing) < bound else None

    def _take(self, box: Box) -> None:
        for cell in _cells_of_box(box):
            self._taken_in.setdefault(cell, []).append(len(self.taken))
        self.taken.append(box)


def _near(grid: dict[tuple[int, int], list[int]], cells: list[tuple[int, int]]) -> list[int]:
    """The indices of what the grid holds in the cells (a box's), each once, in increasing order.

    A line or box that is in none of them neither crosses the box nor shares any area with it; in increasing
    order, a sum of the areas covered adds the same numbers in the same order as over all of them (the
    others add exactly 0.0).
    """
    found: set[int] = set()
    for cell in cells:
        found.update(grid.get(cell, ()))
    return sorted(found)


def _cells_of_box(box: Box) -> Iterator[tuple[int, int]]:
    """The cells of the grid that the box (widened by PAD) meets."""
    for column in range(math.floor((box[0] - PAD) / CELL), math.floor((box[2] + PAD) / CELL) + 1):
        for row in range(math.floor((box[1] - PAD) / CELL), math.floor((box[3] + PAD) / CELL) + 1):
            yield column, row


def _cells_of_segment(segment: Segment) -> Iterator[tuple[int, int]]:
    """The cells of the grid that the segment (widened by PAD) passes through, column by column."""
    (x0, y0), (x1, y1) = sorted(segment)
    if x1 - x0 <= 2 * PAD:  # (nearly) upright: the cells of its bounding box
        yield from _cells_of_box((x0, min(y0, y1), x1, max(y0, y1)))
        return
    slope = (y1 - y0) / (x1 - x0)
    for column in range(math.floor((x0 - PAD) / CELL), math.floor((x1 + PAD) / CELL) + 1):
        left, right = max(x0, column * CELL - PAD), min(x1, (column + 1) * CELL + PAD)
        ya, yb = y0 + slope * (left - x0), y0 + slope * (right - x0)  # the segment's heights across the column
        for row in range(math.floor((min(ya, yb) - PAD) / CELL), math.floor((max(ya, yb) + PAD) / CELL) + 1):
            yield column, row


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
            if q / p > enter:
                enter = q / p
        elif q / p < leave:
            leave = q / p
        if enter > leave:
            return False
    return True


def _distance(point: Point, segment: Segment) -> float:
    """How far the point is from the segment."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((point[0] - x0) * dx + (point[1] - y0) * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(point[0] - x0 - t * dx, point[1] - y0 - t * dy)


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


__all__ = ["ALONG", "CELL", "Box", "Labels", "Point", "Segment"]
