"""How good an ER drawing is, measured on the curves as drawn: edge crossings (each pair of edges that
cross, counted once per crossing point) and segments that pass through a table they do not end at.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dbarchitect.report.er_shapes import Box, LaidEdge, Point


def curve_points(edge: LaidEdge, steps: int = 12) -> list[Point]:
    """The drawn curve as a polyline (what :func:`quality` measures): cubic segments with
    horizontal tangents left to right, vertical top to bottom; straight where a segment is level."""
    if edge.loop:
        (x0, y0), (x1, y1) = edge.points
        reach = 28.0
        bulge = 0.0 if abs(y1 - y0) > 8 else 10.0
        return _bezier((x0, y0), (x0 - reach, y0 - bulge), (x1 - reach, y1 + bulge), (x1, y1), steps)
    out = [edge.points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(edge.points):
        for a, b, c, d in segments((x0, y0), (x1, y1), edge.vertical):
            out += _bezier(a, b, c, d, steps)[1:]
    return out


def segments(p0: Point, p1: Point, vertical: bool) -> list[tuple[Point, Point, Point, Point]]:
    """The cubic segments from ``p0`` to ``p1`` (control points; a straight one repeats its ends)."""
    (x0, y0), (x1, y1) = p0, p1
    if vertical:
        if abs(x1 - x0) < 0.5:
            return [(p0, p0, p1, p1)]
        dy = max((y1 - y0) / 2, 24.0)
        return [(p0, (x0, y0 + dy), (x1, y1 - dy), p1)]
    if abs(y1 - y0) < 0.5:
        return [(p0, p0, p1, p1)]
    dx = max((x1 - x0) / 2, 24.0)
    return [(p0, (x0 + dx, y0), (x1 - dx, y1), p1)]


def _bezier(a: Point, b: Point, c: Point, d: Point, steps: int) -> list[Point]:
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * a[0] + 3 * u * u * t * b[0] + 3 * u * t * t * c[0] + t**3 * d[0],
                u**3 * a[1] + 3 * u * u * t * b[1] + 3 * u * t * t * c[1] + t**3 * d[1],
            )
        )
    return out


def _cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Segments pq and rs cross at a point inside both (touching ends do not count)."""

    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0) and 0 not in (d1, d2, d3, d4)


@dataclass(frozen=True)
class Quality:
    edges: int
    #: Points where two edges cross (edges meeting at a shared table do not count there).
    crossings: int
    #: Edge segments that pass through a table they neither start nor end at.
    through_boxes: int

    @property
    def crossings_per_edge(self) -> float:
        return self.crossings / self.edges if self.edges else 0.0


#: Cell size of the grid the crossing count buckets segments into (pixels).
_CELL = 48.0


def quality(edges: Sequence[LaidEdge], boxes: Mapping[str, Box]) -> Quality:
    """Crossings and edges through tables, on the curves as drawn (sampled). Segments are bucketed
    in a grid so that only neighbours are compared."""
    segs: list[tuple[int, Point, Point]] = []
    cells: dict[tuple[int, int], list[int]] = {}
    curves = [curve_points(e, steps=8) for e in edges]
    for i, curve in enumerate(curves):
        for a, b in itertools.pairwise(curve):
            k = len(segs)
            segs.append((i, a, b))
            x0, x1 = sorted((a[0], b[0]))
            y0, y1 = sorted((a[1], b[1]))
            for cx in range(int(x0 // _CELL), int(x1 // _CELL) + 1):
                for cy in range(int(y0 // _CELL), int(y1 // _CELL) + 1):
                    cells.setdefault((cx, cy), []).append(k)
    ends = [{e.relation.child, e.relation.parent} for e in edges]
    seen: set[tuple[int, int]] = set()
    crossings = 0
    for members in cells.values():
        for m, n in itertools.combinations(members, 2):
            (i, a, b), (j, c, d) = segs[m], segs[n]
            if i == j or (m, n) in seen:
                continue
            seen.add((m, n))
            if _cross(a, b, c, d) and not _near_shared(a, ends[i] & ends[j], boxes):
                crossings += 1
    # Boxes bucketed in the same grid: a curve's points are tested against the boxes of their cells
    # only (not every box for every edge).
    inner: dict[str, tuple[float, float, float, float]] = {}
    box_cells: dict[tuple[int, int], list[str]] = {}
    for name, box in boxes.items():
        x0, y0, x1, y1 = box.x + 1, box.y + 1, box.x + box.width - 1, box.y + box.height - 1
        inner[name] = (x0, y0, x1, y1)
        for cx in range(int(x0 // _CELL), int(x1 // _CELL) + 1):
            for cy in range(int(y0 // _CELL), int(y1 // _CELL) + 1):
                box_cells.setdefault((cx, cy), []).append(name)
    through = 0
    for i in range(len(edges)):
        hit: set[str] = set()
        for x, y in curves[i]:
            for name in box_cells.get((int(x // _CELL), int(y // _CELL)), ()):
                if name not in hit and name not in ends[i]:
                    x0, y0, x1, y1 = inner[name]
                    if x0 < x < x1 and y0 < y < y1:
                        hit.add(name)
        through += len(hit)
    return Quality(len(edges), crossings, through)


def _near_shared(point: Point, shared: set[str], boxes: Mapping[str, Box]) -> bool:
    """Edges fanning out of the same table may touch next to it: that is not a crossing."""
    for name in shared:
        box = boxes[name]
        if (
            box.x - 30 <= point[0] <= box.x + box.width + 30
            and box.y - 30 <= point[1] <= box.y + box.height + 30
        ):
            return True
    return False
