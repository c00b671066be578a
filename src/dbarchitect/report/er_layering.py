"""Layers and their order for the ER diagram's layered layout (Sugiyama, Tagawa and Toda, "Methods for
visual understanding of hierarchical system structures", IEEE SMC 1981): connected components, cycles
broken, a layer per table (longest path left to right, width-bounded rows top to bottom), and the
order within each layer that crosses fewest edges (barycenter sweeps and transposition, from several
seeded starts). Deterministic: every order is by name or by position, never by hash.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dbarchitect.report.er_model import ErRelation
from dbarchitect.report.er_shapes import DUMMY_GAP, NODE_GAP, Box

#: Sweeps of the crossing reduction.
ORDER_SWEEPS = 16


@dataclass
class Node:
    """A table or a dummy (a point an edge passes through in a layer it crosses)."""

    key: str
    #: Extent along the layer (a box's height left to right, its width top to bottom; 0: a dummy).
    size: float
    box: Box | None = None
    layer: int = 0
    #: Keep room on the box's left for its self-reference (top to bottom, where neighbours are close).
    loop_room: bool = False
    pos: float = 0.0
    preds: list[tuple[str, float, float]] = field(default_factory=list)  # (node, its anchor, mine)
    succs: list[tuple[str, float, float]] = field(default_factory=list)


def components(names: Sequence[str], relations: Iterable[ErRelation]) -> list[list[str]]:
    parent = {n: n for n in names}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for r in relations:
        a, b = find(r.child), find(r.parent)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(find(n), []).append(n)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def acyclic(names: Sequence[str], relations: Sequence[ErRelation]) -> set[int]:
    """Indexes of the relations to draw reversed (DFS back edges from parent to child)."""
    out: dict[str, list[tuple[str, int]]] = {n: [] for n in names}
    for i, r in enumerate(relations):
        out[r.parent].append((r.child, i))
    state: dict[str, int] = {}
    reversed_: set[int] = set()
    for root in names:
        if root in state:
            continue
        stack = [(root, iter(sorted(out[root])))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            child, i = step
            if state.get(child) == 1:
                reversed_.add(i)
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(out[child]))))
    return reversed_


def _longest_path(names: Sequence[str], arcs: Sequence[tuple[str, str]]) -> dict[str, int]:
    preds: dict[str, list[str]] = {n: [] for n in names}
    for a, b in arcs:
        preds[b].append(a)
    layer: dict[str, int] = {}
    for n in names:
        stack = [n]
        while stack:
            top = stack[-1]
            missing = [p for p in preds[top] if p not in layer]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            layer[top] = max((layer[p] + 1 for p in preds[top]), default=0)
    return layer


def longest_path_layers(names: Sequence[str], arcs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering of a DAG (``arcs`` point from earlier to later layers), roots moved next
    to their nearest child."""
    layer = _longest_path(names, arcs)
    preds = {n for _, n in arcs}
    for n in names:
        succs = [b for a, b in arcs if a == n]
        if n not in preds and succs:
            layer[n] = min(layer[s] for s in succs) - 1
    return layer


def _bounded_layers(
    names: Sequence[str],
    arcs: Sequence[tuple[str, str]],
    widths: Mapping[str, float],
    limit: float,
    reserved: Mapping[int, float] | None = None,
) -> dict[str, int]:
    """Rows no wider than ``limit``: tables in topological order (by longest path, then name), each
    into the first row below all its parents with room for it (Coffman-Graham's width-bounded
    layering with widths in pixels); a table wider than the limit gets a row of its own."""
    preds: dict[str, list[str]] = {n: [] for n in names}
    for a, b in arcs:
        preds[b].append(a)
    depth = _longest_path(names, arcs)
    used: dict[int, float] = {}
    layer: dict[str, int] = {}
    room = {row: limit - width for row, width in (reserved or {}).items()}
    for n in sorted(names, key=lambda n: (depth[n], n)):
        row = max((layer[p] + 1 for p in preds[n]), default=0)
        while used.get(row, 0.0) and used[row] + NODE_GAP + widths[n] > room.get(row, limit):
            row += 1
        used[row] = used.get(row, 0.0) + (NODE_GAP if used.get(row) else 0.0) + widths[n]
        layer[n] = row
    return _shorten(names, arcs, widths, limit, layer, room)


def _shorten(
    names: Sequence[str],
    arcs: Sequence[tuple[str, str]],
    widths: Mapping[str, float],
    limit: float,
    layer: dict[str, int],
    room: Mapping[int, float] | None = None,
) -> dict[str, int]:
    """Move each table to the row between its parents and children that makes its edges shortest,
    where that row has room (long edges are what cross: every row an edge spans is a chance to), until
    nothing moves; then drop rows left empty."""
    preds: dict[str, list[str]] = {n: [] for n in names}
    succs: dict[str, list[str]] = {n: [] for n in names}
    for a, b in arcs:
        preds[b].append(a)
        succs[a].append(b)
    used: dict[int, float] = {}
    for n in names:
        used[layer[n]] = used.get(layer[n], -NODE_GAP) + NODE_GAP + widths[n]
    for _ in range(12):
        moved = False
        for n in sorted(names):
            low = max((layer[p] + 1 for p in preds[n]), default=min(layer.values()) - 1)
            high = min((layer[c] - 1 for c in succs[n]), default=max(layer.values()))

            def span(row: int, n: str = n) -> int:
                return sum(row - layer[p] for p in preds[n]) + sum(layer[c] - row for c in succs[n])

            best = layer[n]
            for row in range(low, high + 1):
                fits = used.get(row, -NODE_GAP) + NODE_GAP + widths[n] <= (room or {}).get(row, limit)
                if (fits or row == layer[n]) and span(row) < span(best):
                    best = row
            if best != layer[n]:
                used[layer[n]] -= NODE_GAP + widths[n]
                used[best] = used.get(best, -NODE_GAP) + NODE_GAP + widths[n]
                layer[n] = best
                moved = True
        if not moved:
            break
    rows = sorted(set(layer.values()))
    index = {row: i for i, row in enumerate(rows)}
    return {n: index[layer[n]] for n in names}


def rows_within(
    names: Sequence[str], arcs: Sequence[tuple[str, str]], widths: Mapping[str, float], limit: float
) -> dict[str, int]:
    """Width-bounded rows, redone with room kept for the edges that pass through a row (each takes a
    dummy's gap) until every row fits ``limit``, boxes and passing edges together."""
    reserved: dict[int, float] = {}
    layer: dict[str, int] = {}
    for _ in range(20):
        layer = _bounded_layers(names, arcs, widths, limit, reserved)
        passing: dict[int, int] = {}
        for a, b in arcs:
            lo, hi = sorted((layer[a], layer[b]))
            for row in range(lo + 1, hi):
                passing[row] = passing.get(row, 0) + 1
        over = False
        for row, count in passing.items():
            boxes = [n for n in names if layer[n] == row]
            width = sum(widths[n] for n in boxes) + NODE_GAP * max(0, len(boxes) - 1) + 2 * DUMMY_GAP * count
            if width > limit:
                reserved[row] = reserved.get(row, 0.0) + width - limit
                over = True
        if not over:
            break
    return layer


def _crossings(upper: Sequence[str], lower: Sequence[str], nodes: Mapping[str, Node]) -> int:
    pos_u = {k: i for i, k in enumerate(upper)}
    pos_l = {k: i for i, k in enumerate(lower)}
    pairs = sorted((pos_u[p], pos_l[k]) for k in lower for p, _, _ in nodes[k].preds if p in pos_u)
    # Inversions of the lower ends in the order of the upper ones (ties at either end do not cross):
    # for each edge, the edges before it that start strictly left and end strictly right.
    count = 0
    seen: list[int] = []
    group: list[int] = []
    last = None
    for upper_at, lower_at in pairs:
        if upper_at != last:
            for b in group:
                bisect.insort(seen, b)
            group, last = [], upper_at
        count += len(seen) - bisect.bisect_right(seen, lower_at)
        group.append(lower_at)
    return count


def _order(layers: list[list[str]], nodes: Mapping[str, Node]) -> list[list[str]]:
    def total(order: list[list[str]]) -> int:
        return sum(_crossings(order[i - 1], order[i], nodes) for i in range(1, len(order)))

    best = [list(layer) for layer in layers]
    best_score = total(best)
    current = [list(layer) for layer in layers]
    for sweep in range(ORDER_SWEEPS):
        down = sweep % 2 == 0
        indexes = range(1, len(current)) if down else range(len(current) - 2, -1, -1)
        for i in indexes:
            ref = current[i - 1] if down else current[i + 1]
            pos = {k: p for p, k in enumerate(ref)}

            def bary(k: str, at: int, pos: dict[str, int] = pos, down: bool = down) -> tuple[float, int]:
                links = nodes[k].preds if down else nodes[k].succs
                hits = [pos[n] for n, _, _ in links if n in pos]
                return (sum(hits) / len(hits) if hits else float(at), at)

            current[i] = [k for _, k in sorted((bary(k, at), k) for at, k in enumerate(current[i]))]
        if sweep % 4 == 3:
            _transpose(current, nodes)
        score = total(current)
        if score < best_score:
            best, best_score = [list(layer) for layer in current], score
    return best


def _pair_crossings(lu: Sequence[int], lv: Sequence[int]) -> int:
    """Crossings between the edges of two neighbours (``u`` left of ``v``) to one adjacent layer,
    given the sorted positions their edges reach there."""
    count = 0
    j = 0
    for b in lv:  # for each of v's ends, u's ends right of it cross
        while j < len(lu) and lu[j] <= b:
            j += 1
        count += len(lu) - j
    return count


def _transpose(layers: list[list[str]], nodes: Mapping[str, Node]) -> None:
    """Swap neighbours in a layer while that removes crossings with the layers on either side (the
    "transpose" step of Gansner et al., "A technique for drawing directed graphs", 1993)."""
    for _ in range(4):
        improved = False
        for i, layer in enumerate(layers):
            above = {k: p for p, k in enumerate(layers[i - 1])} if i > 0 else {}
            below = {k: p for p, k in enumerate(layers[i + 1])} if i + 1 < len(layers) else {}
            up = {k: sorted(above[n] for n, _, _ in nodes[k].preds if n in above) for k in layer}
            down = {k: sorted(below[n] for n, _, _ in nodes[k].succs if n in below) for k in layer}
            for j in range(len(layer) - 1):
                u, v = layer[j], layer[j + 1]
                now = _pair_crossings(up[u], up[v]) + _pair_crossings(down[u], down[v])
                swapped = _pair_crossings(up[v], up[u]) + _pair_crossings(down[v], down[u])
                if swapped < now:
                    layer[j], layer[j + 1] = v, u
                    improved = True
        if not improved:
            return


#: Orderings tried from shuffled starts (seeded: the output stays deterministic), besides the one
#: from a depth-first walk.
RESTARTS = 6


def order_layers(
    layers: list[list[str]], nodes: Mapping[str, Node], restarts: int = RESTARTS
) -> list[list[str]]:
    """The ordering with the fewest crossings among barycenter sweeps from the given order and
    ``restarts`` shuffled ones."""

    def total(order: list[list[str]]) -> int:
        return sum(_crossings(order[i - 1], order[i], nodes) for i in range(1, len(order)))

    best = _order(layers, nodes)
    best_score = total(best)
    shuffler = random.Random(1981)
    for _ in range(restarts):
        if best_score == 0:
            break
        start = [shuffler.sample(layer, len(layer)) for layer in layers]
        candidate = _order(start, nodes)
        score = total(candidate)
        if score < best_score:
            best, best_score = candidate, score
    return best
