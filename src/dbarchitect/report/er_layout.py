"""Where the ER diagram's tables and relationships go, and how good the result is.

The layout is the layered method of Sugiyama, Tagawa and Toda ("Methods for visual understanding of
hierarchical system structures", IEEE SMC 1981), parents before the tables that reference them:

1. the relationship graph is split into connected components (laid out one under the other); tables
   with no relationship are set in a grid below them;
2. cycles are broken by reversing DFS back edges;
3. each table gets a layer. Left to right (parents in columns left of their children): longest path
   from the tables that reference nothing, a root moved next to its nearest child. When that is
   wider than the page (a deep schema: ten layers of 250 px boxes is 3,000 px), top to bottom
   instead, parents in rows above their children, each row filled up to the page width in the manner
   of Coffman and Graham's width-bounded layering ("Optimal scheduling for two-processor systems",
   Acta Informatica 1972): tables in topological order, each into the first row below its parents
   that has room;
4. an edge spanning several layers gets a dummy node in each layer it crosses, placed in the gap
   between that layer's tables, so it runs around them and never through one;
5. crossings are reduced by barycenter sweeps (the best ordering seen is kept);
6. positions within a layer come from isotonic regression (pool adjacent violators) of where each
   node's relationships pull it, keeping the order and the gaps.

:func:`quality` measures a drawing: edge crossings (each pair of edges that cross, counted once per
crossing point) and segments that pass through a table they do not end at. Output is deterministic:
every order is by name or by position, never by hash.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dbarchitect.report.er_model import ErColumn, ErRelation, ErTable
from dbarchitect.report.formatting import human_count

#: Character advance of the diagram's 12 px monospace text.
CHAR_W = 7.2
ROW_H = 18.0
HEAD_H = 26.0
PAD_X = 8.0
BADGE_W = 24.0
#: Gap between layers: columns (left to right) and rows (top to bottom).
LAYER_GAP = 96.0
ROW_GAP = 64.0
NODE_GAP = 24.0
DUMMY_GAP = 6.0
COMPONENT_GAP = 48.0
MARGIN = 24.0
#: The page's width for the diagram (the report's content width at a 1400 px window, less its frame):
#: a layout wider than this is redone top to bottom within it.
MAX_WIDTH = 1180.0
#: Longest name and type shown in full (longer ones end in an ellipsis; the tooltip has them whole).
MAX_CHARS = 30
MAX_TYPE_CHARS = 20
#: At most this many rows per table in the all-columns view (key columns are always shown).
MAX_ROWS = 14
#: Sweeps of the crossing reduction and of the placement.
ORDER_SWEEPS = 16
PLACE_SWEEPS = 10

Point = tuple[float, float]


def clip(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Box:
    """A table's box: the rows it lists, the columns it counts, its size and (once laid out) place."""

    table: ErTable
    rows: list[ErColumn]
    hidden: list[ErColumn]
    width: float
    height: float
    x: float = 0.0
    y: float = 0.0

    def row_y(self, column: str | None) -> float:
        """Offset from the box's top of a column's row centre (the header's for a column not shown)."""
        for i, c in enumerate(self.rows):
            if c.name == column:
                return HEAD_H + ROW_H * i + ROW_H / 2
        return HEAD_H / 2


def box_for(table: ErTable, all_columns: bool) -> Box:
    keys = [c for c in table.columns if c.pk]
    keys += [c for c in table.columns if not c.pk and (c.fk or c.unique)]
    others = [c for c in table.columns if c not in keys]
    room = max(0, MAX_ROWS - len(keys)) if all_columns else 0
    if len(others) == room + 1:  # a "1 more column" row takes the place the column itself would
        room += 1
    rows, hidden = keys + others[:room], others[room:]
    name_w = max([len(clip(c.name)) for c in rows] + [0])
    type_w = max([len(clip(c.type, MAX_TYPE_CHARS)) for c in rows] + [0])
    body_w = BADGE_W + (name_w + 2 + type_w) * CHAR_W
    title = clip(table.name) + (f"  {human_count(table.rows)} rows" if table.rows is not None else "")
    width = max(body_w, len(title) * CHAR_W, len(f"+ {len(hidden)} more columns") * CHAR_W) + 2 * PAD_X
    height = HEAD_H + ROW_H * (len(rows) + (1 if hidden else 0)) + 4
    return Box(table, rows, hidden, round(width), height)


@dataclass
class _Node:
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


@dataclass
class LaidEdge:
    relation: ErRelation
    #: The points the edge runs through, from the table drawn first (left or top) to the other.
    points: list[Point]
    #: The parent is the first table (false for an edge reversed to break a cycle).
    parent_first: bool
    #: Top to bottom: the edge leaves and enters boxes vertically.
    vertical: bool = False
    loop: bool = False


@dataclass
class Drawing:
    boxes: dict[str, Box]
    edges: list[LaidEdge]
    width: float
    height: float


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


def _acyclic(names: Sequence[str], relations: Sequence[ErRelation]) -> set[int]:
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


def _layers(names: Sequence[str], arcs: Sequence[tuple[str, str]]) -> dict[str, int]:
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


def _rows_within(
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


def _crossings(upper: Sequence[str], lower: Sequence[str], nodes: Mapping[str, _Node]) -> int:
    pos_u = {k: i for i, k in enumerate(upper)}
    pos_l = {k: i for i, k in enumerate(lower)}
    pairs = sorted((pos_u[p], pos_l[k]) for k in lower for p, _, _ in nodes[k].preds if p in pos_u)
    count = 0
    for i in range(len(pairs)):
        for j in range(i + 1, len(pairs)):
            if pairs[i][0] < pairs[j][0] and pairs[i][1] > pairs[j][1]:
                count += 1
    return count


def _order(layers: list[list[str]], nodes: Mapping[str, _Node]) -> list[list[str]]:
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


def _transpose(layers: list[list[str]], nodes: Mapping[str, _Node]) -> None:
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


def _order_restarts(layers: list[list[str]], nodes: Mapping[str, _Node]) -> list[list[str]]:
    """The ordering with the fewest crossings among barycenter sweeps from several starts."""

    def total(order: list[list[str]]) -> int:
        return sum(_crossings(order[i - 1], order[i], nodes) for i in range(1, len(order)))

    best = _order(layers, nodes)
    best_score = total(best)
    shuffler = random.Random(1981)
    for _ in range(RESTARTS):
        if best_score == 0:
            break
        start = [shuffler.sample(layer, len(layer)) for layer in layers]
        candidate = _order(start, nodes)
        score = total(candidate)
        if score < best_score:
            best, best_score = candidate, score
    return best


def _isotonic(targets: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Non-decreasing least-squares fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for t, w in zip(targets, weights, strict=True):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for mean, _, count in blocks:
        out += [mean] * int(count)
    return out


#: Room left of a box that references itself, for the loop and its end marks (top to bottom).
LOOP_ROOM = 40.0


def _gap(a: _Node, b: _Node) -> float:
    gap = DUMMY_GAP if a.box is None or b.box is None else NODE_GAP
    return max(gap, LOOP_ROOM) if b.loop_room else gap


def _place(layer: Sequence[str], nodes: Mapping[str, _Node], use_preds: bool, use_succs: bool) -> None:
    """Move a layer's nodes to where their links pull them, keeping their order and gaps."""
    if not layer:
        return
    targets: list[float] = []
    weights: list[float] = []
    offset = 0.0
    for i, k in enumerate(layer):
        node = nodes[k]
        if i:
            offset += nodes[layer[i - 1]].size + _gap(nodes[layer[i - 1]], node)
        links = (node.preds if use_preds else []) + (node.succs if use_succs else [])
        pulls = [nodes[other].pos + theirs - mine for other, theirs, mine in links]
        desired = sum(pulls) / len(pulls) if pulls else node.pos
        targets.append(desired - offset)
        weights.append(float(len(pulls)) if pulls else 0.25)
    fitted = _isotonic(targets, weights)
    offset = 0.0
    for i, k in enumerate(layer):
        if i:
            offset += nodes[layer[i - 1]].size + _gap(nodes[layer[i - 1]], nodes[k])
        nodes[k].pos = fitted[i] + offset


def _span(layer: Sequence[str], nodes: Mapping[str, _Node]) -> float:
    """A layer's extent with its nodes side by side."""
    return sum(nodes[k].size for k in layer) + sum(
        _gap(nodes[a], nodes[b]) for a, b in itertools.pairwise(layer)
    )


def _pack(layer: Sequence[str], nodes: Mapping[str, _Node], span: float) -> None:
    """Nodes side by side from 0, centred in ``span`` (when placement spread a layer too wide)."""
    width = _span(layer, nodes)
    at = max(0.0, (span - width) / 2)
    for i, k in enumerate(layer):
        if i:
            at += nodes[layer[i - 1]].size + _gap(nodes[layer[i - 1]], nodes[k])
        nodes[k].pos = at


def layout_component(
    names: Sequence[str], relations: Sequence[ErRelation], boxes: Mapping[str, Box], *, max_width: float
) -> Drawing:
    """One connected component, left to right when that fits ``max_width``, else top to bottom."""
    wide = _layout(names, relations, boxes, vertical=False, max_width=max_width)
    if wide.width <= max_width:
        return wide
    return _layout(names, relations, boxes, vertical=True, max_width=max_width)


def _layout(
    names: Sequence[str],
    relations: Sequence[ErRelation],
    boxes: Mapping[str, Box],
    *,
    vertical: bool,
    max_width: float,
) -> Drawing:
    rels = [r for r in relations if r.child != r.parent]
    loops = [r for r in relations if r.child == r.parent]
    flipped = _acyclic(names, rels)
    arcs = [(r.child, r.parent) if i in flipped else (r.parent, r.child) for i, r in enumerate(rels)]
    if vertical:
        layer_of = _rows_within(names, arcs, {n: boxes[n].width for n in names}, max_width)
    else:
        layer_of = _layers(names, arcs)
    size = {n: (boxes[n].width if vertical else boxes[n].height) for n in names}
    looped = {r.child for r in loops}
    nodes: dict[str, _Node] = {
        n: _Node(n, size[n], boxes[n], layer_of[n], loop_room=vertical and n in looped) for n in names
    }
    paths: list[tuple[ErRelation, list[str], bool]] = []
    for i, (r, (first, last)) in enumerate(zip(rels, arcs, strict=True)):
        parent_first = i not in flipped
        first_col, last_col = _anchor_columns(r, parent_first)
        path = [first]
        for layer in range(layer_of[first] + 1, layer_of[last]):
            key = f"\0{i}:{layer}"
            nodes[key] = _Node(key, 0.0, None, layer)
            path.append(key)
        path.append(last)
        for a, b in itertools.pairwise(path):
            a_anchor = _anchor(boxes, a, first_col, vertical) if a == first else 0.0
            b_anchor = _anchor(boxes, b, last_col, vertical) if b == last else 0.0
            nodes[a].succs.append((b, b_anchor, a_anchor))
            nodes[b].preds.append((a, a_anchor, b_anchor))
        paths.append((r, path, parent_first))
    if not vertical:
        # Left to right, the width does not depend on the order: give up early when it cannot fit.
        columns: dict[int, float] = {}
        for name in names:
            columns[layer_of[name]] = max(columns.get(layer_of[name], 40.0), boxes[name].width)
        span = sum(columns.values()) + LAYER_GAP * (max(layer_of.values()) - min(layer_of.values()))
        if span > max_width:
            return Drawing({name: boxes[name] for name in names}, [], span, 0.0)
    depth = max(n.layer for n in nodes.values()) - min(n.layer for n in nodes.values()) + 1
    base = min(n.layer for n in nodes.values())
    for n in nodes.values():
        n.layer -= base
    # Initial order: depth-first from the roots by name, so related tables start out together.
    layers: list[list[str]] = [[] for _ in range(depth)]
    seen: set[str] = set()
    for root in sorted(names, key=lambda n: (nodes[n].layer, n)):
        stack = [root]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            layers[nodes[k].layer].append(k)
            stack.extend(sorted({s for s, _, _ in nodes[k].succs}, reverse=True))
    layers = _order_restarts(layers, nodes)
    for layer_nodes in layers:
        _pack(layer_nodes, nodes, 0.0)
    for _ in range(PLACE_SWEEPS):
        for layer_nodes in layers[1:]:
            _place(layer_nodes, nodes, True, False)
        for layer_nodes in reversed(layers[:-1]):
            _place(layer_nodes, nodes, False, True)
    for layer_nodes in layers:
        _place(layer_nodes, nodes, True, True)
    low = min(n.pos for n in nodes.values())
    for n in nodes.values():
        n.pos -= low
    extent = max(n.pos + n.size for n in nodes.values())
    if vertical and extent > max_width:
        # Aligning rows with their parents spread them past the page: pack each row instead.
        widest = max(
            sum(nodes[k].size for k in layer)
            + sum(_gap(nodes[a], nodes[b]) for a, b in itertools.pairwise(layer))
            for layer in layers
        )
        for layer_nodes in layers:
            _pack(layer_nodes, nodes, widest)
        extent = widest
    # The layer axis: columns left to right, or rows top to bottom, each as deep as its largest box.
    depths = [
        max([(boxes[k].height if vertical else boxes[k].width) for k in layer if k in boxes] + [40.0])
        for layer in layers
    ]
    starts: list[float] = []
    at = 0.0
    for d in depths:
        starts.append(at)
        at += d + (ROW_GAP if vertical else LAYER_GAP)
    along = at - (ROW_GAP if vertical else LAYER_GAP)
    for n in nodes.values():
        if n.box is None:
            continue
        if vertical:
            n.box.x, n.box.y = n.pos, starts[n.layer]
        else:
            n.box.x, n.box.y = starts[n.layer] + (depths[n.layer] - n.box.width) / 2, n.pos
    edges = [
        _route(r, path, parent_first, nodes, boxes, starts, depths, vertical)
        for r, path, parent_first in paths
    ]
    if vertical:
        _spread_ports(edges, boxes)
    for r in loops:
        own = boxes[r.child]
        child_col, parent_col = _anchor_columns(r, False)
        ends = [(own.x, own.y + own.row_y(parent_col)), (own.x, own.y + own.row_y(child_col))]
        edges.append(LaidEdge(r, ends, True, loop=True))
    width, height = (extent, along) if vertical else (along, extent)
    return Drawing({n: boxes[n] for n in names}, edges, width, height)


def _anchor_columns(r: ErRelation, parent_first: bool) -> tuple[str, str]:
    """The columns an edge starts and ends at: the first of each side's columns."""
    parent = r.parent_columns[0] if r.parent_columns else ""
    child = r.child_columns[0] if r.child_columns else ""
    return (parent, child) if parent_first else (child, parent)


def _anchor(boxes: Mapping[str, Box], key: str, column: str, vertical: bool) -> float:
    """Where along the layer an edge meets a box: its column's row (left to right), the middle of its
    side (top to bottom; ports are spread once the boxes are placed)."""
    return boxes[key].width / 2 if vertical else boxes[key].row_y(column)


def _route(
    r: ErRelation,
    path: list[str],
    parent_first: bool,
    nodes: Mapping[str, _Node],
    boxes: Mapping[str, Box],
    starts: Sequence[float],
    depths: Sequence[float],
    vertical: bool,
) -> LaidEdge:
    first, last = boxes[path[0]], boxes[path[-1]]
    first_col, last_col = _anchor_columns(r, parent_first)
    points: list[Point]
    if vertical:
        # Out of the first box's bottom, straight down to its row's bottom (so the bend clears the
        # taller boxes beside it), through each dummy's gap, into the last box's top.
        layer = nodes[path[0]].layer
        x0 = first.x + first.width / 2
        points = [(x0, first.y + first.height), (x0, starts[layer] + depths[layer])]
        for k in path[1:-1]:
            n = nodes[k]
            points += [(n.pos, starts[n.layer]), (n.pos, starts[n.layer] + depths[n.layer])]
        points.append((last.x + last.width / 2, last.y))
    else:
        # Out of the first box's right side straight to its column's edge (a narrower box is centred
        # in its column: bending sooner could cut a wider box above or below), through each dummy's
        # gap, and straight in from the last column's edge.
        y0 = first.y + first.row_y(first_col)
        points = [(first.x + first.width, y0)]
        layer = nodes[path[0]].layer
        if starts[layer] + depths[layer] > first.x + first.width + 0.5:
            points.append((starts[layer] + depths[layer], y0))
        for k in path[1:-1]:
            n = nodes[k]
            points += [(starts[n.layer], n.pos), (starts[n.layer] + depths[n.layer], n.pos)]
        y1 = last.y + last.row_y(last_col)
        layer = nodes[path[-1]].layer
        if last.x > starts[layer] + 0.5:
            points.append((starts[layer], y1))
        points.append((last.x, y1))
    return LaidEdge(r, points, parent_first, vertical=vertical)


def _spread_ports(edges: list[LaidEdge], boxes: Mapping[str, Box]) -> None:
    """Top to bottom, the edges leaving a box's bottom (and entering its top) each get their own
    point along it, in the order of where they go, so they fan out instead of bundling."""
    bottoms: dict[str, list[tuple[float, int]]] = {}
    tops: dict[str, list[tuple[float, int]]] = {}
    for i, e in enumerate(edges):
        upper = e.relation.parent if e.parent_first else e.relation.child
        lower = e.relation.child if e.parent_first else e.relation.parent
        bottoms.setdefault(upper, []).append((e.points[2][0] if len(e.points) > 2 else e.points[-1][0], i))
        tops.setdefault(lower, []).append((e.points[-3][0] if len(e.points) > 3 else e.points[0][0], i))
    for name, ends in bottoms.items():
        box = boxes[name]
        for slot, (_, i) in enumerate(sorted(ends)):
            x = box.x + box.width * (slot + 1) / (len(ends) + 1)
            points = edges[i].points
            points[0] = (x, points[0][1])
            points[1] = (x, points[1][1])
    for name, ends in tops.items():
        box = boxes[name]
        for slot, (_, i) in enumerate(sorted(ends)):
            x = box.x + box.width * (slot + 1) / (len(ends) + 1)
            points = edges[i].points
            points[-1] = (x, points[-1][1])


def grid(names: Sequence[str], boxes: Mapping[str, Box], width: float) -> Drawing:
    """Tables with no relationship, in rows as wide as the diagram (within the page)."""
    cell = max(boxes[n].width for n in names) + NODE_GAP
    room = width if width else MAX_WIDTH
    across = max(1, min(len(names), int((room + NODE_GAP) // cell)))
    y = 0.0
    for start in range(0, len(names), across):
        row = names[start : start + across]
        for i, n in enumerate(row):
            boxes[n].x, boxes[n].y = i * cell, y
        y += max(boxes[n].height for n in row) + NODE_GAP
    return Drawing({n: boxes[n] for n in names}, [], across * cell - NODE_GAP, y - NODE_GAP)


# ---------------------------------------------------------------------------------------------
# Curves and their quality


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
