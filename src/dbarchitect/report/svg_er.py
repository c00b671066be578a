"""The entity-relationship diagram of a schema as SVG, laid out by the package (no script, no network).

Layout is the layered method of Sugiyama, Tagawa and Toda ("Methods for visual understanding of
hierarchical system structures", IEEE SMC 1981), with parents to the left of the tables that reference
them:

1. the foreign-key graph is split into connected components; tables with no relationship are set in a
   grid below them;
2. cycles are broken by reversing DFS back edges, and each table gets a layer (longest path from the
   tables that reference nothing; a root table is then moved next to its nearest child);
3. an edge spanning several layers gets a dummy node in each layer it crosses, so it runs between the
   tables and never through one;
4. crossings are reduced by barycenter sweeps (the best ordering seen is kept);
5. vertical positions come from isotonic regression (pool adjacent violators) of the positions each
   table's relationships pull it to, so a foreign-key row lines up with the key it references where
   the order allows it.

Every table is an SVG ``<g class="er-table" data-table="...">`` listing its key columns (and the
others when the schema is small enough to read them all); every relationship is a
``<g class="er-edge">`` with crow's-foot ends (the child end "zero or many", or "zero or one" when the
foreign key is itself unique; the parent end "exactly one", or "zero or one" when the foreign key is
nullable). Text widths are exact because the diagram's text is monospace (0.6 em per character).
Output is deterministic: every order is by name or by position, never by hash.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbarchitect.report.formatting import human_count

#: Character advance of the diagram's 12 px monospace text.
CHAR_W = 7.2
ROW_H = 18.0
HEAD_H = 26.0
PAD_X = 8.0
BADGE_W = 24.0
LAYER_GAP = 96.0
NODE_GAP = 24.0
DUMMY_GAP = 8.0
COMPONENT_GAP = 48.0
MARGIN = 24.0
#: Longest name and type shown in full (longer ones end in an ellipsis; the tooltip has them whole).
MAX_CHARS = 30
MAX_TYPE_CHARS = 20
#: Show every column when the schema has at most this many in all; else key columns only.
ALL_COLUMNS_LIMIT = 220
#: At most this many rows per table in the all-columns view (key columns are always shown).
MAX_ROWS = 14
#: Sweeps of the crossing reduction and of the vertical placement.
ORDER_SWEEPS = 12
PLACE_SWEEPS = 10


@dataclass(frozen=True)
class ErColumn:
    name: str
    type: str
    nullable: bool
    pk: bool = False
    fk: bool = False
    unique: bool = False


@dataclass(frozen=True)
class ErTable:
    name: str
    columns: tuple[ErColumn, ...]
    rows: float | None = None


@dataclass(frozen=True)
class ErRelation:
    """``child.child_columns`` references ``parent.parent_columns``."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    #: A child row may have no parent (a nullable foreign-key column).
    optional: bool
    #: The foreign key is unique in the child: at most one child per parent.
    one_to_one: bool
    on_delete: str = "NO ACTION"


@dataclass(frozen=True)
class ErModel:
    tables: tuple[ErTable, ...]
    relations: tuple[ErRelation, ...]


def er_model(tables: Sequence[Mapping[str, Any]]) -> ErModel:
    """The diagram's model from the report document's ``tables`` (see ``report.document``).

    A foreign key to a table the schema does not hold has no edge (there is nothing to point at).
    """
    by_name = {t["name"]: t for t in tables}
    folded = {t["name"].lower(): t["name"] for t in tables}
    out_tables: list[ErTable] = []
    relations: list[ErRelation] = []
    for t in tables:
        pk = set(t["primary_key"] or ())
        fk_cols = {c for fk in t["foreign_keys"] for c in fk["columns"]}
        uniques = {frozenset(u) for u in t["unique"]}
        if pk:
            uniques.add(frozenset(pk))
        single_unique = {next(iter(u)) for u in uniques if len(u) == 1}
        columns = tuple(
            ErColumn(
                c["name"],
                c["type"],
                bool(c["nullable"]),
                pk=c["name"] in pk,
                fk=c["name"] in fk_cols,
                unique=c["name"] in single_unique and c["name"] not in pk,
            )
            for c in t["columns"]
        )
        size = t.get("size") or {}
        rows = None if size.get("unsized", True) else size.get("rows_at_horizon")
        out_tables.append(ErTable(t["name"], columns, rows))
        nullable = {c["name"] for c in t["columns"] if c["nullable"]}
        for fk in t["foreign_keys"]:
            parent = fk["references"] if fk["references"] in by_name else folded.get(fk["references"].lower())
            if parent is None:
                continue
            ref_cols = tuple(fk["ref_columns"]) or tuple(by_name[parent]["primary_key"] or ())
            relations.append(
                ErRelation(
                    child=t["name"],
                    child_columns=tuple(fk["columns"]),
                    parent=parent,
                    parent_columns=ref_cols,
                    optional=any(c in nullable for c in fk["columns"]),
                    one_to_one=frozenset(fk["columns"]) in uniques,
                    on_delete=str(fk.get("on_delete") or "NO ACTION").upper(),
                )
            )
    return ErModel(tuple(out_tables), tuple(relations))


# ---------------------------------------------------------------------------------------------
# Table boxes


def _clip(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Box:
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


def _box(table: ErTable, all_columns: bool) -> _Box:
    keys = [c for c in table.columns if c.pk]
    keys += [c for c in table.columns if not c.pk and (c.fk or c.unique)]
    others = [c for c in table.columns if c not in keys]
    room = max(0, MAX_ROWS - len(keys)) if all_columns else 0
    if len(others) == room + 1:  # a "1 more column" row takes the place the column itself would
        room += 1
    rows, hidden = keys + others[:room], others[room:]
    name_w = max([len(_clip(c.name)) for c in rows] + [0])
    type_w = max([len(_clip(c.type, MAX_TYPE_CHARS)) for c in rows] + [0])
    body_w = BADGE_W + (name_w + 2 + type_w) * CHAR_W
    title = _clip(table.name) + (f"  {human_count(table.rows)} rows" if table.rows is not None else "")
    width = max(body_w, len(title) * CHAR_W, len(f"+ {len(hidden)} more columns") * CHAR_W) + 2 * PAD_X
    height = HEAD_H + ROW_H * (len(rows) + (1 if hidden else 0)) + 4
    return _Box(table, rows, hidden, round(width), height)


# ---------------------------------------------------------------------------------------------
# Layered layout


@dataclass
class _Node:
    """A table or a dummy (a point an edge passes through in a layer it crosses)."""

    key: str
    height: float
    box: _Box | None = None
    layer: int = 0
    y: float = 0.0
    preds: list[tuple[str, float, float]] = field(default_factory=list)  # (node, its anchor, mine)
    succs: list[tuple[str, float, float]] = field(default_factory=list)


@dataclass
class _Edge:
    relation: ErRelation
    #: Left to right: the table drawn left, the dummies, the table drawn right.
    path: list[str]
    #: The parent is drawn on the left (false for an edge reversed to break a cycle).
    parent_left: bool


def _components(names: Sequence[str], relations: Iterable[ErRelation]) -> list[list[str]]:
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


def _layers(names: Sequence[str], arcs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering of a DAG (``arcs`` point left to right), roots moved next to their
    nearest child."""
    preds: dict[str, list[str]] = {n: [] for n in names}
    succs: dict[str, list[str]] = {n: [] for n in names}
    for a, b in arcs:
        preds[b].append(a)
        succs[a].append(b)
    layer: dict[str, int] = {}

    def visit(n: str) -> int:
        stack = [n]
        while stack:
            top = stack[-1]
            missing = [p for p in preds[top] if p not in layer]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            layer[top] = max((layer[p] + 1 for p in preds[top]), default=0)
        return layer[n]

    for n in names:
        visit(n)
    for n in names:
        if not preds[n] and succs[n]:
            layer[n] = min(layer[s] for s in succs[n]) - 1
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
        score = total(current)
        if score < best_score:
            best, best_score = [list(layer) for layer in current], score
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


def _gap(a: _Node, b: _Node) -> float:
    return DUMMY_GAP if a.box is None or b.box is None else NODE_GAP


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
            offset += nodes[layer[i - 1]].height + _gap(nodes[layer[i - 1]], node)
        links = (node.preds if use_preds else []) + (node.succs if use_succs else [])
        pulls = [nodes[other].y + theirs - mine for other, theirs, mine in links]
        desired = sum(pulls) / len(pulls) if pulls else node.y
        targets.append(desired - offset)
        weights.append(float(len(pulls)) if pulls else 0.25)
    fitted = _isotonic(targets, weights)
    offset = 0.0
    for i, k in enumerate(layer):
        if i:
            offset += nodes[layer[i - 1]].height + _gap(nodes[layer[i - 1]], nodes[k])
        nodes[k].y = fitted[i] + offset


@dataclass
class _Drawing:
    boxes: dict[str, _Box]
    edges: list[tuple[_Edge, list[tuple[float, float]]]]
    width: float
    height: float


def _anchors(r: ErRelation, parent_left: bool) -> tuple[str, str]:
    """The columns an edge starts and ends at, left to right: the first of each side's columns."""
    parent = r.parent_columns[0] if r.parent_columns else ""
    child = r.child_columns[0] if r.child_columns else ""
    return (parent, child) if parent_left else (child, parent)


def _layout_component(
    names: Sequence[str], relations: Sequence[ErRelation], boxes: Mapping[str, _Box]
) -> _Drawing:
    rels = [r for r in relations if r.child != r.parent]
    loops = [r for r in relations if r.child == r.parent]
    flipped = _acyclic(names, rels)
    arcs = [(r.child, r.parent) if i in flipped else (r.parent, r.child) for i, r in enumerate(rels)]
    layer_of = _layers(names, arcs)
    nodes: dict[str, _Node] = {n: _Node(n, boxes[n].height, boxes[n], layer_of[n]) for n in names}
    edges: list[_Edge] = []
    for i, (r, (left, right)) in enumerate(zip(rels, arcs, strict=True)):
        parent_left = i not in flipped
        left_col, right_col = _anchors(r, parent_left)
        path = [left]
        for layer in range(layer_of[left] + 1, layer_of[right]):
            key = f"\0{i}:{layer}"
            nodes[key] = _Node(key, 0.0, None, layer)
            path.append(key)
        path.append(right)
        for a, b in itertools.pairwise(path):
            a_anchor = boxes[a].row_y(left_col) if a == left else 0.0
            b_anchor = boxes[b].row_y(right_col) if b == right else 0.0
            nodes[a].succs.append((b, b_anchor, a_anchor))
            nodes[b].preds.append((a, a_anchor, b_anchor))
        edges.append(_Edge(r, path, parent_left))
    depth = max(n.layer for n in nodes.values()) + 1
    # Initial order: depth-first from the roots by name, so related tables start out together.
    layers: list[list[str]] = [[] for _ in range(depth)]
    seen: set[str] = set()
    for root in sorted(names, key=lambda n: (layer_of[n], n)):
        stack = [root]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            layers[nodes[k].layer].append(k)
            stack.extend(sorted({s for s, _, _ in nodes[k].succs}, reverse=True))
    layers = _order(layers, nodes)
    for layer_nodes in layers:
        y = 0.0
        for i, k in enumerate(layer_nodes):
            if i:
                y += nodes[layer_nodes[i - 1]].height + _gap(nodes[layer_nodes[i - 1]], nodes[k])
            nodes[k].y = y
    for _ in range(PLACE_SWEEPS):
        for layer_nodes in layers[1:]:
            _place(layer_nodes, nodes, True, False)
        for layer_nodes in reversed(layers[:-1]):
            _place(layer_nodes, nodes, False, True)
    for layer_nodes in layers:
        _place(layer_nodes, nodes, True, True)
    top = min(n.y for n in nodes.values())
    widths = [max([boxes[k].width for k in layer if k in boxes] + [40.0]) for layer in layers]
    xs: list[float] = []
    x = 0.0
    for w in widths:
        xs.append(x)
        x += w + LAYER_GAP
    for n in nodes.values():
        n.y -= top
        if n.box is not None:
            n.box.x = xs[n.layer] + (widths[n.layer] - n.box.width) / 2
            n.box.y = n.y
    drawn: list[tuple[_Edge, list[tuple[float, float]]]] = []
    for e in edges:
        left, right = e.path[0], e.path[-1]
        left_col, right_col = _anchors(e.relation, e.parent_left)
        lb, rb = boxes[left], boxes[right]
        points = [(lb.x + lb.width, lb.y + lb.row_y(left_col))]
        for k in e.path[1:-1]:
            layer = nodes[k].layer
            points += [(xs[layer], nodes[k].y), (xs[layer] + widths[layer], nodes[k].y)]
        points.append((rb.x, rb.y + rb.row_y(right_col)))
        drawn.append((e, points))
    for r in loops:
        own = boxes[r.child]
        child_col, parent_col = _anchors(r, False)
        ends = [(own.x, own.y + own.row_y(parent_col)), (own.x, own.y + own.row_y(child_col))]
        drawn.append((_Edge(r, [r.child], True), ends))
    height = max(n.y + n.height for n in nodes.values())
    return _Drawing({n: boxes[n] for n in names}, drawn, x - LAYER_GAP, height)


def _grid(names: Sequence[str], boxes: Mapping[str, _Box], width: float) -> _Drawing:
    """Tables with no relationship, in rows as wide as the diagram (at least four across)."""
    cell = max(boxes[n].width for n in names) + NODE_GAP
    across = max(4, int((width + NODE_GAP) // cell)) if width else 4
    across = min(across, len(names))
    y = 0.0
    for start in range(0, len(names), across):
        row = names[start : start + across]
        for i, n in enumerate(row):
            boxes[n].x, boxes[n].y = i * cell, y
        y += max(boxes[n].height for n in row) + NODE_GAP
    return _Drawing({n: boxes[n] for n in names}, [], across * cell - NODE_GAP, y - NODE_GAP)


# ---------------------------------------------------------------------------------------------
# SVG


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _curve(points: Sequence[tuple[float, float]]) -> str:
    """Horizontal-tangent cubic segments through the points (straight where a segment is level)."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{_f(x0)},{_f(y0)}"]
    for x1, y1 in rest:
        if abs(y1 - y0) < 0.5:
            d.append(f"L{_f(x1)},{_f(y1)}")
        else:
            dx = max((x1 - x0) / 2, 24.0)
            d.append(f"C{_f(x0 + dx)},{_f(y0)} {_f(x1 - dx)},{_f(y1)} {_f(x1)},{_f(y1)}")
        x0, y0 = x1, y1
    return " ".join(d)


def _loop(points: Sequence[tuple[float, float]]) -> str:
    """A self-reference on the box's left side (where only foreign-key rows take edges)."""
    (x0, y0), (x1, y1) = points
    reach = 28.0
    bulge = 0.0 if abs(y1 - y0) > 8 else 10.0
    return (
        f"M{_f(x0)},{_f(y0)} C{_f(x0 - reach)},{_f(y0 - bulge)} "
        f"{_f(x1 - reach)},{_f(y1 + bulge)} {_f(x1)},{_f(y1)}"
    )


def _end_marker(parent: ET.Element, x: float, y: float, direction: int, kind: str) -> None:
    """A crow's-foot end at a box side, drawn outward along ``direction`` (+1 right, -1 left).

    ``one``: exactly one (two bars); ``zero-one``: zero or one (bar, circle); ``many``: zero or many
    (crow's foot, circle).
    """

    def px(offset: float) -> str:
        return _f(x + direction * offset)

    parts: list[str] = []
    if kind == "many":
        parts.append(f"M{px(0)},{_f(y - 6)} L{px(11)},{_f(y)} L{px(0)},{_f(y + 6)}")
        parts.append(f"M{px(11)},{_f(y - 6)} L{px(11)},{_f(y + 6)}")
    elif kind == "one":
        parts += [
            f"M{px(7)},{_f(y - 6)} L{px(7)},{_f(y + 6)}",
            f"M{px(12)},{_f(y - 6)} L{px(12)},{_f(y + 6)}",
        ]
    else:
        parts.append(f"M{px(7)},{_f(y - 6)} L{px(7)},{_f(y + 6)}")
    _sub(parent, "path", d=" ".join(parts), class_="er-mark")
    if kind in ("many", "zero-one"):
        _sub(parent, "circle", cx=px(19), cy=_f(y), r="4", class_="er-mark er-optional")


def _draw_box(parent: ET.Element, box: _Box) -> None:
    t = box.table
    g = _sub(
        parent,
        "g",
        class_="er-table",
        data_table=t.name,
        transform=f"translate({_f(box.x)},{_f(box.y)})",
    )
    listing = "\n".join(
        f"{c.name} {c.type}{'' if c.nullable else ' NOT NULL'}"
        + (" PK" if c.pk else "")
        + (" FK" if c.fk else "")
        + (" UNIQUE" if c.unique else "")
        for c in t.columns
    )
    rows = f" — {human_count(t.rows)} rows at the horizon" if t.rows is not None else ""
    _sub(g, "title", f"{t.name}{rows}\n{listing}")
    _sub(g, "rect", class_="er-box", width=_f(box.width), height=_f(box.height), rx="5")
    _sub(g, "path", class_="er-head", d=_head_path(box.width))
    _sub(g, "text", _clip(t.name), class_="er-name", x=_f(PAD_X), y=_f(HEAD_H / 2 + 4))
    if t.rows is not None:
        _sub(
            g,
            "text",
            f"{human_count(t.rows)} rows",
            class_="er-rows",
            x=_f(box.width - PAD_X),
            y=_f(HEAD_H / 2 + 4),
        )
    for i, c in enumerate(box.rows):
        y = HEAD_H + ROW_H * i
        if i % 2:
            _sub(g, "rect", class_="er-stripe", x="1", y=_f(y), width=_f(box.width - 2), height=_f(ROW_H))
        badge = "PK" if c.pk else "FK" if c.fk else "UQ" if c.unique else ""
        if c.pk and c.fk:
            badge = "PF"
        if badge:
            _sub(
                g,
                "text",
                badge,
                class_=f"er-badge er-{badge.lower()}",
                x=_f(PAD_X),
                y=_f(y + ROW_H / 2 + 4),
            )
        name_class = "er-col" + (" er-key" if c.pk else "") + ("" if c.nullable else " er-required")
        _sub(g, "text", _clip(c.name), class_=name_class, x=_f(PAD_X + BADGE_W), y=_f(y + ROW_H / 2 + 4))
        _sub(
            g,
            "text",
            _clip(c.type, MAX_TYPE_CHARS),
            class_="er-type",
            x=_f(box.width - PAD_X),
            y=_f(y + ROW_H / 2 + 4),
        )
    if box.hidden:
        y = HEAD_H + ROW_H * len(box.rows)
        more = _sub(g, "text", class_="er-more", x=_f(PAD_X + BADGE_W), y=_f(y + ROW_H / 2 + 4))
        more.text = f"+ {len(box.hidden)} more column{'s' if len(box.hidden) > 1 else ''}"


def _head_path(width: float) -> str:
    r = 5.0
    return (
        f"M0,{_f(HEAD_H)} L0,{_f(r)} Q0,0 {_f(r)},0 L{_f(width - r)},0 Q{_f(width)},0 {_f(width)},{_f(r)} "
        f"L{_f(width)},{_f(HEAD_H)} Z"
    )


def _draw_edge(parent: ET.Element, edge: _Edge, points: list[tuple[float, float]]) -> None:
    r = edge.relation
    g = _sub(parent, "g", class_="er-edge", data_child=r.child, data_parent=r.parent)
    cardinality = "1:1" if r.one_to_one else "1:N"
    _sub(
        g,
        "title",
        f"{r.child} ({', '.join(r.child_columns)}) → {r.parent} ({', '.join(r.parent_columns)}): "
        f"{cardinality}, {'optional' if r.optional else 'mandatory'}, ON DELETE {r.on_delete}",
    )
    loop = r.child == r.parent
    _sub(g, "path", class_="er-line", d=_loop(points) if loop else _curve(points))
    parent_kind = "zero-one" if r.optional else "one"
    child_kind = "zero-one" if r.one_to_one else "many"
    (x0, y0), (x1, y1) = points[0], points[-1]
    if loop:
        _end_marker(g, x0, y0, -1, parent_kind)
        _end_marker(g, x1, y1, -1, child_kind)
    elif edge.parent_left:
        _end_marker(g, x0, y0, +1, parent_kind)
        _end_marker(g, x1, y1, -1, child_kind)
    else:
        _end_marker(g, x0, y0, +1, child_kind)
        _end_marker(g, x1, y1, -1, parent_kind)


@dataclass(frozen=True)
class ErDiagram:
    #: One ``<svg>`` element, at its natural size in CSS pixels.
    svg: str
    width: float
    height: float


def er_diagram(model: ErModel) -> ErDiagram:
    """The diagram of the model, laid out as the module docstring says."""
    total_columns = sum(len(t.columns) for t in model.tables)
    all_columns = total_columns <= ALL_COLUMNS_LIMIT
    names = [t.name for t in model.tables]
    rels = [r for r in model.relations if r.child in set(names) and r.parent in set(names)]
    boxes = {t.name: _box(t, all_columns) for t in model.tables}
    groups = _components(names, rels)
    related = [g for g in groups if len(g) > 1 or any(r.child == g[0] for r in rels)]
    alone = sorted(g[0] for g in groups if g not in related)
    drawings: list[_Drawing] = []
    for group in related:
        members = set(group)
        drawings.append(_layout_component(sorted(group), [r for r in rels if r.child in members], boxes))
    width = max([d.width for d in drawings] + [0.0])
    if alone:
        drawings.append(_grid(alone, boxes, width))
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "er",
            "role": "img",
            "aria-label": f"Entity-relationship diagram: {len(names)} tables, {len(rels)} relationships",
            "data-tables": str(len(names)),
        },
    )
    edges_layer = ET.Element("g", {"class": "er-edges"})
    tables_layer = ET.Element("g", {"class": "er-tables"})
    y = MARGIN
    width = 0.0
    for d in drawings:
        for box in d.boxes.values():
            box.x += MARGIN
            box.y += y
        for edge, points in d.edges:
            _draw_edge(edges_layer, edge, [(px + MARGIN, py + y) for px, py in points])
        y += d.height + COMPONENT_GAP
        width = max(width, d.width)
    for name in names:
        _draw_box(tables_layer, boxes[name])
    svg.append(edges_layer)
    svg.append(tables_layer)
    full_w, full_h = width + 2 * MARGIN, y - COMPONENT_GAP + MARGIN
    svg.set("width", _f(full_w))
    svg.set("height", _f(full_h))
    svg.set("viewBox", f"0 0 {_f(full_w)} {_f(full_h)}")
    return ErDiagram(ET.tostring(svg, encoding="unicode"), full_w, full_h)
