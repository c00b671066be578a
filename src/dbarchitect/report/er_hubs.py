"""Columns for a schema whose tables mostly reference a few hubs (users, tenants, accounts...).

A layered layout with all the hubs in one layer draws every pair of tables that reference the same
two hubs as a crossing (two layers cannot draw K2,2 without one), so a schema where most tables
reference two or three of five hubs crosses five to seven times per edge. Here the hubs are split
into two columns, and each other table goes where its hubs are: left of the first hub column when
it references only hubs there, right of the second when only hubs there, between them when both.
Each hub column then faces tables referencing fewer of the hubs, on both its sides, and most
K2,2 pairs are drawn on different sides. Then each table moves to the column (of those three) that
forces fewest crossings by a count on pairs of tables (:func:`_improve`), and a table referencing a
table in its own column moves right until no edge joins two tables of one column.

Every split of the hubs in two is tried; the :data:`KEEP` assignments with the fewest estimated
crossings are laid out by :mod:`.er_layout`, the best of them refined by :mod:`.er_columns`, and the
drawing kept is chosen by measuring it. Edges run
from right to left where a parent stands right of its child (the crow's feet say which end is the
parent). Measured on six seeded 50-table schemas with five hubs (tests/report/test_svg_er.py):
4.4-7.1 crossings per edge with the hubs in one layer, 1.1-2.5 with them in two columns, 1.0-2.2
after the local search.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from dbarchitect.report.er_model import ErRelation

#: A table is a hub when at least this share of the component's tables reference it (and at least
#: :data:`MIN_HUB_REFS`).
HUB_SHARE = 1 / 8
MIN_HUB_REFS = 5
#: Smaller components keep the plain layered layout, parents left of (or above) their children: they
#: do not tangle enough to trade that for fewer crossings.
MIN_TABLES = 20
#: Splits of the hubs tried (all of them up to this many hubs).
MAX_HUBS = 6


def hubs(names: Sequence[str], relations: Sequence[ErRelation]) -> list[str]:
    referrers: dict[str, set[str]] = {n: set() for n in names}
    for r in relations:
        if r.child != r.parent:
            referrers[r.parent].add(r.child)
    least = max(MIN_HUB_REFS, len(names) * HUB_SHARE)
    return sorted(n for n in names if len(referrers[n]) >= least)


def hub_columns(names: Sequence[str], relations: Sequence[ErRelation]) -> list[dict[str, int]]:
    """Column assignments to try (each maps every table to a column from 0), one per way of splitting
    the hubs in two; none when the schema has fewer than two hubs or more than :data:`MAX_HUBS`."""
    if len(names) < MIN_TABLES:
        return []
    rels = [r for r in relations if r.child != r.parent]
    found = hubs(names, rels)
    if not 2 <= len(found) <= MAX_HUBS:
        return []
    hub_set = set(found)
    refs: dict[str, set[str]] = {n: set() for n in names}
    for r in rels:
        refs[r.child].add(r.parent)
    scored: list[tuple[float, int, float, dict[str, int]]] = []
    # Every split once: the first hub always in the first column.
    for mask in range(1 << (len(found) - 1)):
        first = {found[0]} | {h for i, h in enumerate(found[1:]) if mask >> i & 1}
        if first == hub_set:
            continue
        for long_edge in LONG_EDGES:
            found_columns = _columns(names, rels, refs, hub_set, first, long_edge)
            if found_columns is not None:
                scored.append((found_columns[0], mask, long_edge, found_columns[1]))
    out: list[dict[str, int]] = []
    for _, _, _, column in sorted(scored, key=lambda s: s[:3]):
        if column not in out:
            out.append(column)
    return out[:KEEP]


def _columns(
    names: Sequence[str],
    rels: Sequence[ErRelation],
    refs: dict[str, set[str]],
    hub_set: set[str],
    first: set[str],
    long_edge: float,
) -> tuple[float, dict[str, int]] | None:
    column: dict[str, int] = {}
    for n in names:
        if n in hub_set:
            column[n] = 1 if n in first else 3
            continue
        mine = refs[n] & hub_set
        if mine and mine <= first:
            column[n] = 0
        elif mine and not mine & first:
            column[n] = 4
        else:
            column[n] = 2
    score = _improve(names, rels, hub_set, column, long_edge)
    for _ in range(3 * len(names)):
        clash = sorted(r.child for r in rels if column[r.child] == column[r.parent])
        if not clash:
            used = {c: i for i, c in enumerate(sorted(set(column.values())))}
            return score, {n: used[c] for n, c in column.items()}
        for n in dict.fromkeys(clash):
            column[n] += 1
    return None


#: What an edge costs per column it passes (it crosses the edges fanning out of the hubs there),
#: against a crossing forced by two tables in one column sharing two hubs. One weight: a second
#: (6.0) doubled this search's CPU, and :mod:`.er_columns` now moves tables on counted crossings.
LONG_EDGES = (2.0,)
#: The columns a table that is not a hub may take: left of the first hub column, between the two,
#: right of the second.
OPTIONS = (0, 2, 4)
#: Assignments laid out and measured (those forcing fewest crossings by the estimate above).
KEEP = 8


def _improve(
    names: Sequence[str],
    rels: Sequence[ErRelation],
    hub_set: set[str],
    column: dict[str, int],
    long_edge: float,
) -> float:
    """Move each non-hub to the column where it forces fewest crossings: for each other table in that
    column and each hub column beside it, the fewer of the two ways their edges to it must cross
    (two layers cannot draw K2,2 without a crossing), plus, for each edge, the columns it passes
    (it crosses the edges fanning out of the hubs there). The hubs' order in their column is the one
    that forces fewest crossings, chosen again after the tables move."""
    linked: dict[str, list[str]] = {n: [] for n in names}
    for r in rels:
        linked[r.child].append(r.parent)
        linked[r.parent].append(r.child)
    hub_refs = {n: sorted(m for m in linked[n] if m in hub_set) for n in names}
    others = [n for n in names if n not in hub_set]
    pos = {h: i for i, h in enumerate(sorted(hub_set))}

    memo: dict[tuple[str, str, int], float] = {}

    def pair(n: str, m: str, c: int) -> float:
        key = (n, m, c) if n < m else (m, n, c)
        if key in memo:
            return memo[key]
        total = 0.0
        for side in (c - 1, c + 1):
            a = [pos[h] for h in hub_refs[n] if column[h] == side]
            b = [pos[h] for h in hub_refs[m] if column[h] == side]
            if a and b:
                lt = sum(1 for x in a for y in b if x < y)
                gt = sum(1 for x in a for y in b if x > y)
                total += min(lt, gt)
        memo[key] = total
        return total

    def cost(n: str, c: int) -> float:
        total = sum(long_edge * max(0, abs(c - column[m]) - 1) for m in linked[n])
        return total + sum(pair(n, m, c) for m in others if m != n and column[m] == c)

    def order_hubs() -> None:
        for side in sorted({column[h] for h in hub_set}):
            members = sorted(h for h in hub_set if column[h] == side)
            if len(members) > 6:
                continue
            best: tuple[float, tuple[str, ...]] | None = None
            for perm in itertools.permutations(members):
                memo.clear()
                for i, h in enumerate(perm):
                    pos[h] = i
                score = sum(
                    pair(n, m, column[n])
                    for i, n in enumerate(others)
                    for m in others[i + 1 :]
                    if column[m] == column[n] and abs(column[n] - side) == 1
                )
                if best is None or score < best[0]:
                    best = (score, perm)
            assert best is not None
            for i, h in enumerate(best[1]):
                pos[h] = i
            memo.clear()

    for _round in range(2):
        order_hubs()
        for _ in range(10):
            moved = False
            for n in others:
                options = [c for c in OPTIONS if all(column[m] != c for m in linked[n])]
                if not options:
                    continue
                now = cost(n, column[n]) if column[n] in options else float("inf")
                best = min(options, key=lambda c: (cost(n, c), c != column[n], c))
                if cost(n, best) < now:
                    column[n] = best
                    moved = True
            if not moved:
                break
    return sum(cost(n, column[n]) for n in others) / 2


__all__ = ["hub_columns", "hubs"]
