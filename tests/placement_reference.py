"""The placement of weight labels that draw_network used before its grid: each spot checked against every
line and every box taken. The definition of a label's spot, written out as it was: the tests hold the grid
to it (the same spots, byte for byte) and bench/bench_network_view.py times it against the grid."""

from __future__ import annotations

import math

from micrograd.lab.placement import ALONG


class EveryPair:
    """Each spot checked against every line and every box taken."""

    def __init__(self, lines, taken):
        self.lines, self.taken = list(lines), list(taken)

    def place(self, line, text, *, size):
        (x0, y0), (x1, y1) = line
        half = 0.33 * size * max(map(len, text)) + 3
        best, best_box, least = (x0, y0), (x0, y0, x0, y0), (math.inf, math.inf, math.inf)
        for t in ALONG:
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            box = (x - half, y - 13, x + half, y + 14)
            crossing = [other for other in self.lines if other != line and _every_crosses(other, box)]
            cost = (
                sum(_every_overlap(box, other) for other in self.taken),
                sum(_every_distance((x, y), other) < 9 for other in crossing),
                len(crossing),
            )
            if cost < least:
                best, best_box, least = (x, y), box, cost
                if cost == (0.0, 0, 0):
                    break
        self.taken.append(best_box)
        return best, least[0]


def _every_crosses(segment, box):
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    enter, leave = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0.0:
            if q < 0.0:
                return False
        elif p < 0.0:
            enter = max(enter, q / p)
        else:
            leave = min(leave, q / p)
    return enter <= leave


def _every_distance(point, segment):
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((point[0] - x0) * dx + (point[1] - y0) * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(point[0] - x0 - t * dx, point[1] - y0 - t * dy)


def _every_overlap(a, b):
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
