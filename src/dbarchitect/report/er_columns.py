"""Columns and their order for a tangled component, found by local search on a counted crossing number.

A start (each table in a column, no edge within one) is refined in the plane of columns: every table
has a column and a position ``y`` in it, an edge spanning several columns passes the ones between at
the interpolated position (where the layered layout puts its dummy), and two edges cross in a gap
between neighbouring columns when their order there flips. Edges may run either way (the diagram's
crow's feet say which end is the parent), so any column without a neighbour of a table will do. A
table moves to the place, in any such column, where its edges cross fewest others (all places in a
column counted in one pass, see :meth:`_Plane.slot_crossings`); a move is kept only when it lowers
the count, and the neighbours of a table that moved are visited again (one-table sifting, Matuszewski,
Schönfeld and Molitor, "Using sifting for k-layer straightline crossing minimization", GD 1999, with
the column free too). From that local optimum, :data:`KICKS` times a few tables are moved at random
and the search resumed, the better state kept (iterated local search: Lourenço, Martin and Stützle,
"Iterated local search", Handbook of Metaheuristics, 2003).

Visits start in name order, the kicks come from a seeded generator, and every tie keeps the current
place: the result is deterministic. The positions found are :mod:`.er_layout`'s starting order, which
its barycenter sweeps only change where they cross less.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence


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

        def at(column: int) -> float:  # exact at the ends: an edge meets another there, not across
            t = (column - ca) / span
            return ya * (1 - t) + yb * t

        return [(g, at(g), at(g + 1)) for g in range(ca, cb)]

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

    def lift(self, n: str) -> None:
        """Take ``n``'s edges out of the gaps (to count other places for it)."""
        for i in self.incident[n]:
            self._remove(i)

    def slot_crossings(self, n: str, column: int, slots: Sequence[float]) -> list[int]:
        """Crossings of ``n``'s edges (lifted) with the others were it at each of the ``slots`` (sorted
        positions) in ``column``, counted in one pass: in each gap an edge of ``n`` has its two ends
        at ``a * y + b`` (``a >= 0``), so it crosses another segment for ``y`` in an open interval
        (where the two ends' differences have opposite signs), and each slot counts the intervals
        holding it."""
        starts = [0] * (len(slots) + 1)
        inf = float("inf")
        for i in self.incident[n]:
            a, b = self.edges[i]
            m = b if a == n else a
            to, ym = self.column[m], self.y[m]
            span = to - column
            for g in range(min(column, to), max(column, to)):
                t0, t1 = (g - column) / span, (g + 1 - column) / span
                a0, b0, a1, b1 = 1 - t0, ym * t0, 1 - t1, ym * t1
                for l2, r2 in self.gaps[g].values():
                    # (a0 * y + b0 - l2) * (a1 * y + b1 - r2) < 0
                    if a0 > 0 and a1 > 0:
                        y0, y1 = (l2 - b0) / a0, (r2 - b1) / a1
                        lo, hi = (y0, y1) if y0 < y1 else (y1, y0)
                    elif a0 > 0:  # one end is m itself, where n's edge does not move
                        k = b1 - r2
                        if k == 0:
                            continue
                        y0 = (l2 - b0) / a0
                        lo, hi = (-inf, y0) if k > 0 else (y0, inf)
                    else:
                        k = b0 - l2
                        if k == 0:
                            continue
                        y1 = (r2 - b1) / a1
                        lo, hi = (-inf, y1) if k > 0 else (y1, inf)
                    first, last = bisect.bisect_right(slots, lo), bisect.bisect_left(slots, hi)
                    if first < last:
                        starts[first] += 1
                        starts[last] -= 1
        return list(itertools.accumulate(starts[:-1]))

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
        plane.lift(n)
        for c in range(plane.width):
            if c in taken:
                continue
            slots = plane.slots(n, c)
            for count, y in zip(plane.slot_crossings(n, c, slots), slots, strict=True):
                if count < best[0]:
                    best = (count, c, y)
        plane.place(n, best[1], best[2])
        if best[0] < now and plane.crossings_of(n) >= now:  # counted at a tie of floats: keep its place
            plane.place(n, home, here)
        elif best[0] < now:
            for m in sorted(neighbours[n] | {n}):
                if m not in waiting:
                    waiting.add(m)
                    queue.append(m)


#: Moves per table before the search stops (a safety net: each move lowers the count, so it ends).
MOVES_PER_TABLE = 40
#: Kicks of the iterated local search (Lourenço, Martin and Stützle, "Iterated local search", 2003):
#: a few tables moved at random (seeded), the search run again from there, the better state kept.
KICKS = 60
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


def squeezed_columns(
    names: Sequence[str], edges: Sequence[tuple[str, str]], layer: Mapping[str, int], width: int
) -> dict[str, int] | None:
    """A start for :func:`refine_columns` in ``width`` columns from layers that need more: each
    table in the column its layer scales to, or the nearest one none of its neighbours took (the
    tables with most edges first); None when some table has neighbours in every column."""
    low, high = min(layer.values()), max(layer.values())
    neighbours: dict[str, set[str]] = {n: set() for n in names}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    column: dict[str, int] = {}
    for n in sorted(names, key=lambda n: (-len(neighbours[n]), n)):
        target = (layer[n] - low) * (width - 1) / max(1, high - low)
        taken = {column[m] for m in neighbours[n] if m in column}
        free = [c for c in range(width) if c not in taken]
        if not free:
            return None
        column[n] = min(free, key=lambda c: (abs(c - target), c))
    return column


__all__ = ["refine_columns", "squeezed_columns"]
