"""Columns and their order for a tangled component, improved by local search on a measured count.

A start (each table in a column, see :mod:`.er_hubs`) is refined in the plane of columns: every table
has a column and a position ``y`` in it, an edge spanning several columns passes the ones between at
the interpolated position (where the layered layout puts its dummy), and two edges cross in a gap
between neighbouring columns when their order there flips. Moves, each kept only when it lowers that
count exactly (the change is counted on the moved table's own edges, against every other edge in the
gaps they pass):

- *sifting* (Matuszewski, Schönfeld and Molitor, "Using sifting for k-layer straightline crossing
  minimization", GD 1999): a table tries every place in its column;
- *moving*: a table tries every other column where none of its neighbours stands, at every place there
  (the column search of a layer assignment, as in Healy and Nikolov's "How to layer a directed
  acyclic graph", GD 2001, with the crossings counted instead of estimated).

Tables are visited in name order and every tie keeps the current place: the result is deterministic.
The order found is handed to :mod:`.er_layout` as its starting order, which its own barycenter
sweeps only keep when they cross less.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence

Segment = tuple[float, float, int]  # y at the gap's left column, at its right column, edge index


class _Plane:
    def __init__(
        self,
        names: Sequence[str],
        edges: Sequence[tuple[str, str]],
        column: Mapping[str, int],
        start: Mapping[str, float] | None,
        width: int = 0,
    ) -> None:
        self.names = list(names)
        self.edges = list(edges)
        self.column = dict(column)
        self.width = max(max(self.column.values()) + 1, width)
        self.incident: dict[str, list[int]] = {n: [] for n in names}
        for i, (a, b) in enumerate(self.edges):
            self.incident[a].append(i)
            self.incident[b].append(i)
        self.y: dict[str, float] = {}
        for c in range(self.width):
            members = sorted(
                (n for n in names if self.column[n] == c),
                key=lambda n: (start[n], n) if start is not None else (0.0, n),
            )
            for rank, n in enumerate(members):
                self.y[n] = (rank + 1) / (len(members) + 1)
        self.gaps: list[dict[int, tuple[float, float]]] = []
        self.cached: dict[int, list[tuple[int, float, float]]] = {}
        self.reset(self.column, self.y)

    def reset(self, column: Mapping[str, int], y: Mapping[str, float]) -> None:
        self.column, self.y = dict(column), dict(y)
        self.gaps = [{} for _ in range(self.width - 1)]
        self.cached = {}
        for i in range(len(self.edges)):
            self._add(i)

    def _segments(self, i: int) -> list[tuple[int, float, float]]:
        a, b = self.edges[i]
        ca, cb = self.column[a], self.column[b]
        ya, yb = self.y[a], self.y[b]
        if ca > cb:
            ca, cb, ya, yb = cb, ca, yb, ya
        span = cb - ca
        return [
            (g, ya + (yb - ya) * (g - ca) / span, ya + (yb - ya) * (g + 1 - ca) / span) for g in range(ca, cb)
        ]

    def _add(self, i: int) -> None:
        segments = self._segments(i)
        self.cached[i] = segments
        for g, left, right in segments:
            self.gaps[g][i] = (left, right)

    def _remove(self, i: int) -> None:
        for g, _, _ in self.cached.pop(i, ()):
            del self.gaps[g][i]

    def crossings_of(self, n: str) -> int:
        """Crossings of ``n``'s edges with every other edge (two of its own edges meet at ``n``, so
        they never cross: both are straight from it)."""
        mine = self.incident[n]
        total = 0
        for i in mine:
            for g, left, right in self.cached[i]:
                total += sum(1 for l2, r2 in self.gaps[g].values() if (left - l2) * (right - r2) < 0)
        return total

    def total(self) -> int:
        count = 0
        for gap in self.gaps:
            segs = sorted(gap.values())
            for k, (l1, r1) in enumerate(segs):
                for l2, r2 in segs[k + 1 :]:
                    if l1 < l2 and r1 > r2:
                        count += 1
        return count

    def place(self, n: str, column: int, y: float) -> None:
        for i in self.incident[n]:
            self._remove(i)
        self.column[n], self.y[n] = column, y
        for i in self.incident[n]:
            self._add(i)

    def slots(self, n: str, column: int) -> list[float]:
        """Every place in ``column`` for ``n``: between each two of its tables, and at either end."""
        ys = sorted(self.y[m] for m in self.names if self.column[m] == column and m != n)
        if not ys:
            return [0.5]
        out = [ys[0] - 0.5 / (len(ys) + 1)]
        out += [(a + b) / 2 for a, b in itertools.pairwise(ys)]
        out.append(ys[-1] + 0.5 / (len(ys) + 1))
        return out


def _descend(plane: _Plane, neighbours: Mapping[str, set[str]], queue: list[str]) -> None:
    """Move tables (those queued, then the neighbours of each that moved) to their best place while
    any move lowers the count."""
    waiting = set(queue)
    budget = MOVES_PER_TABLE * len(plane.names)
    while queue and budget:
        budget -= 1
        n = queue.pop(0)
        waiting.discard(n)
        home, here = plane.column[n], plane.y[n]
        now = plane.crossings_of(n)
        best = (now, home, here)
        taken = {plane.column[m] for m in neighbours[n]}
        for c in range(plane.width):
            if c in taken:
                continue
            for y in plane.slots(n, c):
                plane.place(n, c, y)
                count = plane.crossings_of(n)
                if count < best[0]:
                    best = (count, c, y)
        plane.place(n, best[1], best[2])
        if best[0] < now:
            for m in sorted(neighbours[n] | {n}):
                if m not in waiting:
                    waiting.add(m)
                    queue.append(m)


#: Moves per table before the search stops (a safety net: each move lowers the count, so it ends).
MOVES_PER_TABLE = 40
#: Kicks of the iterated local search (Lourenço, Martin and Stützle, "Iterated local search", 2003):
#: a few tables moved at random (seeded), the search run again from there, the better state kept.
KICKS = 12
KICKED = 3


def refine_columns(
    names: Sequence[str],
    edges: Sequence[tuple[str, str]],
    column: Mapping[str, int],
    start: Mapping[str, float] | None = None,
    width: int = 0,
) -> tuple[dict[str, int], dict[str, float], int]:
    """Columns and positions for ``names`` after local search from ``column`` (and ``start``'s
    positions, else the tables in name order; no edge may join two tables of one column, in the start
    or after), in at least ``width`` columns (the empty ones free to take tables), with the number of
    crossings they count."""
    plane = _Plane(names, edges, column, start, width)
    neighbours: dict[str, set[str]] = {n: set() for n in names}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    _descend(plane, neighbours, sorted(names))
    best = (plane.total(), dict(plane.column), dict(plane.y))
    shuffler = random.Random(len(names) * 7919 + len(edges))
    order = sorted(names)
    for _ in range(KICKS):
        if best[0] == 0:
            break
        kicked = shuffler.sample(order, min(KICKED, len(order)))
        for n in kicked:
            taken = {plane.column[m] for m in neighbours[n]}
            free = [c for c in range(plane.width) if c not in taken]
            c = shuffler.choice(free)
            plane.place(n, c, shuffler.choice(plane.slots(n, c)))
        _descend(plane, neighbours, sorted({m for n in kicked for m in neighbours[n] | {n}}))
        total = plane.total()
        if total < best[0]:
            best = (total, dict(plane.column), dict(plane.y))
        else:
            plane.reset(best[1], best[2])
    total, columns, ys = best
    used = sorted(set(columns.values()))
    index = {c: i for i, c in enumerate(used)}
    return {n: index[c] for n, c in columns.items()}, ys, total


def count_crossings(
    names: Sequence[str],
    edges: Sequence[tuple[str, str]],
    column: Mapping[str, int],
    start: Mapping[str, float],
) -> int:
    """Crossings of the tables in ``column`` ordered by ``start`` in each, as :func:`refine_columns`
    counts them."""
    return _Plane(names, edges, column, start).total()


__all__ = ["count_crossings", "refine_columns"]
