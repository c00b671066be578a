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

A component of :data:`MIN_TABLES` tables or more still crossing :data:`GOOD_ENOUGH` times per edge
is laid out again in as many columns as the page has room for, edges running either way (the crow's
feet say which end is the parent), each table's column and place found by local search on the counted
crossings (:mod:`.er_columns`), from the layered drawing's own columns or its layers squeezed into the
page's. Schemas whose tables mostly reference a few hubs (users, tenants, accounts) are the usual
case: two layers cannot draw two tables referencing the same two hubs without a crossing, so the
search spreads such tables around the hubs, on both sides of each.

Steps 1-3 and 5 live in :mod:`.er_layering`, the boxes and sizes in :mod:`.er_shapes`, and the
measure of a drawing (crossings, edges through tables) in :mod:`.er_quality`; this module places the
nodes (step 6) and routes the edges. Output is deterministic: every order is by name or by position,
never by hash.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from dbarchitect.report.er_columns import refine_columns, squeezed_columns
from dbarchitect.report.er_layering import (
    RESTARTS,
    Node,
    acyclic,
    longest_path_layers,
    order_layers,
    rows_within,
)
from dbarchitect.report.er_model import ErRelation
from dbarchitect.report.er_quality import quality
from dbarchitect.report.er_shapes import (
    DUMMY_GAP,
    LAYER_GAP,
    MAX_WIDTH,
    NODE_GAP,
    ROW_GAP,
    Box,
    Drawing,
    LaidEdge,
    Point,
)

__all__ = ["MAX_WIDTH", "grid", "layout_component"]

#: Gap between the columns of :mod:`.er_columns` (five columns of 180 px boxes fit the page).
COLUMN_GAP = 64.0
#: Crossings per edge under which the layered drawing is kept without searching for columns (the
#: issue's target).
GOOD_ENOUGH = 2.0
#: Smaller components keep the layered layout, parents left of (or above) their children: they do
#: not tangle enough to trade that for fewer crossings.
MIN_TABLES = 20
#: Sweeps of the placement.
PLACE_SWEEPS = 10


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


def _gap(a: Node, b: Node) -> float:
    gap = DUMMY_GAP if a.box is None or b.box is None else NODE_GAP
    return max(gap, LOOP_ROOM) if b.loop_room else gap


def _place(layer: Sequence[str], nodes: Mapping[str, Node], use_preds: bool, use_succs: bool) -> None:
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


def _span(layer: Sequence[str], nodes: Mapping[str, Node]) -> float:
    """A layer's extent with its nodes side by side."""
    return sum(nodes[k].size for k in layer) + sum(
        _gap(nodes[a], nodes[b]) for a, b in itertools.pairwise(layer)
    )


def _pack(layer: Sequence[str], nodes: Mapping[str, Node], span: float) -> None:
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
    """One connected component, left to right when that fits ``max_width``, else top to bottom. When
    that crosses :data:`GOOD_ENOUGH` times per edge or more and the component has
    :data:`MIN_TABLES` tables or more, it is also laid out in columns found by :mod:`.er_columns`
    (edges run either way there). The drawing kept is the one within ``max_width`` with fewest
    crossings as measured (:func:`.er_quality.quality`), the layered one on a tie."""
    drawing = _layout(names, relations, boxes, vertical=False, max_width=max_width)
    if drawing.width > max_width:
        drawing = _layout(names, relations, boxes, vertical=True, max_width=max_width)
    measured = quality(drawing.edges, drawing.boxes)
    if measured.crossings_per_edge < GOOD_ENOUGH or len(names) < MIN_TABLES:
        return drawing
    places = _places(drawing)
    candidate = _in_columns(names, relations, boxes, drawing, max_width)
    if candidate is not None:
        found = quality(candidate.edges, candidate.boxes)
        if found.through_boxes == 0 and found.crossings < measured.crossings:
            return candidate
    _restore(drawing, places)  # the columns' layout moved the shared boxes: put the layered one's back
    return drawing


def _restore(drawing: Drawing, places: Mapping[str, Point]) -> None:
    for name, (x, y) in places.items():
        drawing.boxes[name].x, drawing.boxes[name].y = x, y


def _in_columns(
    names: Sequence[str],
    relations: Sequence[ErRelation],
    boxes: Mapping[str, Box],
    drawing: Drawing,
    max_width: float,
) -> Drawing | None:
    """The component in as many columns as the page has room for, found by :mod:`.er_columns` from
    the layered drawing's own columns (left to right), or from its left-to-right layers squeezed into
    that many columns (top to bottom); None when that does not fit."""
    pairs = [(r.child, r.parent) for r in relations if r.child != r.parent]
    widest = max(boxes[n].width for n in names)
    room = max(2, int((max_width + COLUMN_GAP) // (widest + COLUMN_GAP)))
    vertical = any(e.vertical for e in drawing.edges)
    if vertical:
        rels = [r for r in relations if r.child != r.parent]
        flipped = acyclic(names, rels)
        arcs = [(r.child, r.parent) if i in flipped else (r.parent, r.child) for i, r in enumerate(rels)]
        start_columns = squeezed_columns(names, pairs, longest_path_layers(names, arcs), room)
        if start_columns is None:
            return None
        ys = {n: box.x + box.width / 2 for n, box in drawing.boxes.items()}
    else:
        centres = sorted({round(box.x + box.width / 2) for box in drawing.boxes.values()})
        start_columns = {n: centres.index(round(b.x + b.width / 2)) for n, b in drawing.boxes.items()}
        ys = {n: box.y + box.height / 2 for n, box in drawing.boxes.items()}
        room = max(room, len(centres))
    columns, ys, _ = refine_columns(names, pairs, start_columns, ys, room)
    candidate = _layout(
        names, relations, boxes, vertical=False, max_width=max_width, fixed=columns, start=ys, restarts=0
    )
    return candidate if candidate.width <= max_width else None


def _places(drawing: Drawing) -> dict[str, Point]:
    return {name: (box.x, box.y) for name, box in drawing.boxes.items()}


def _layout(
    names: Sequence[str],
    relations: Sequence[ErRelation],
    boxes: Mapping[str, Box],
    *,
    vertical: bool,
    max_width: float,
    fixed: Mapping[str, int] | None = None,
    start: Mapping[str, float] | None = None,
    restarts: int = RESTARTS,
) -> Drawing:
    rels = [r for r in relations if r.child != r.parent]
    loops = [r for r in relations if r.child == r.parent]
    if fixed is not None:  # er_columns' columns: an edge runs right to left where the parent stands right
        flipped = {i for i, r in enumerate(rels) if fixed[r.child] < fixed[r.parent]}
    else:
        flipped = acyclic(names, rels)
    arcs = [(r.child, r.parent) if i in flipped else (r.parent, r.child) for i, r in enumerate(rels)]
    layer_gap = LAYER_GAP if fixed is None else COLUMN_GAP
    if fixed is not None:
        layer_of = dict(fixed)
    elif vertical:
        layer_of = rows_within(names, arcs, {n: boxes[n].width for n in names}, max_width)
    else:
        layer_of = longest_path_layers(names, arcs)
    size = {n: (boxes[n].width if vertical else boxes[n].height) for n in names}
    looped = {r.child for r in loops}
    nodes: dict[str, Node] = {
        n: Node(n, size[n], boxes[n], layer_of[n], loop_room=vertical and n in looped) for n in names
    }
    paths: list[tuple[ErRelation, list[str], bool]] = []
    for i, (r, (first, last)) in enumerate(zip(rels, arcs, strict=True)):
        parent_first = i not in flipped
        first_col, last_col = _anchor_columns(r, parent_first)
        path = [first]
        for layer in range(layer_of[first] + 1, layer_of[last]):
            key = f"\0{i}:{layer}"
            nodes[key] = Node(key, 0.0, None, layer)
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
        span = sum(columns.values()) + layer_gap * (max(layer_of.values()) - min(layer_of.values()))
        if span > max_width:
            return Drawing({name: boxes[name] for name in names}, [], span, 0.0)
    depth = max(n.layer for n in nodes.values()) - min(n.layer for n in nodes.values()) + 1
    base = min(n.layer for n in nodes.values())
    for n in nodes.values():
        n.layer -= base
    # Initial order: depth-first from the roots by name, so related tables start out together.
    layers: list[list[str]] = [[] for _ in range(depth)]
    if start is not None:
        layers = _start_order(paths, nodes, start, depth)
    seen: set[str] = set() if start is None else set(nodes)
    for root in sorted(names, key=lambda n: (nodes[n].layer, n)):
        stack = [root]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            layers[nodes[k].layer].append(k)
            stack.extend(sorted({s for s, _, _ in nodes[k].succs}, reverse=True))
    layers = order_layers(layers, nodes, restarts=restarts)
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
        at += d + (ROW_GAP if vertical else layer_gap)
    along = at - (ROW_GAP if vertical else layer_gap)
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


def _start_order(
    paths: Sequence[tuple[ErRelation, list[str], bool]],
    nodes: Mapping[str, Node],
    start: Mapping[str, float],
    depth: int,
) -> list[list[str]]:
    """Each layer ordered by the given positions of its tables, an edge's dummies at the positions
    between its ends' (as :mod:`.er_columns` counts them)."""
    at: dict[str, float] = {k: start[k] for k in nodes if k in start}
    for _, path, _ in paths:
        first, last = nodes[path[0]], nodes[path[-1]]
        span = last.layer - first.layer
        for k in path[1:-1]:
            t = (nodes[k].layer - first.layer) / span
            at[k] = start[path[0]] + (start[path[-1]] - start[path[0]]) * t
    layers: list[list[str]] = [[] for _ in range(depth)]
    for k in sorted(nodes, key=lambda k: (at[k], k)):
        layers[nodes[k].layer].append(k)
    return layers


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
    nodes: Mapping[str, Node],
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
