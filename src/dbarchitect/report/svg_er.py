"""The entity-relationship diagram of a schema as SVG, laid out by the package (no script, no network).

:mod:`.er_model` says what is drawn (tables, the relationships their foreign keys declare and those
the workload's joins imply), :mod:`.er_layout` where it goes (a layered layout kept within the page's
width, edges routed around the tables; :mod:`.er_quality` measures the crossings); this module draws it.

Every table is an SVG ``<g class="er-table" data-table="...">`` listing its key columns (and the
others when the schema is small enough to read them all); every relationship is a
``<g class="er-edge">`` with crow's-foot ends (the child end "zero or many", or "zero or one" when the
foreign key is itself unique; the parent end "exactly one", or "zero or one" when the foreign key is
nullable); an implied one is ``<g class="er-edge er-implied">``, drawn dashed. Text widths are exact
because the diagram's text is monospace (0.6 em per character). Output is deterministic.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from dbarchitect.report.er_layering import components
from dbarchitect.report.er_layout import grid, layout_component
from dbarchitect.report.er_model import ErColumn, ErModel, ErRelation, ErTable, er_model
from dbarchitect.report.er_quality import Quality, quality, segments
from dbarchitect.report.er_shapes import (
    BADGE_W,
    COMPONENT_GAP,
    HEAD_H,
    MARGIN,
    MAX_TYPE_CHARS,
    MAX_WIDTH,
    PAD_X,
    ROW_H,
    Box,
    Drawing,
    LaidEdge,
    box_for,
    clip,
)
from dbarchitect.report.formatting import human_count

#: Show every column when the schema has at most this many in all; else key columns only.
ALL_COLUMNS_LIMIT = 220

__all__ = ["ErColumn", "ErDiagram", "ErModel", "ErRelation", "ErTable", "er_diagram", "er_model"]


# ---------------------------------------------------------------------------------------------
# SVG


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _curve(points: Sequence[tuple[float, float]], vertical: bool) -> str:
    """Cubic segments through the points, tangent to the edge's direction (horizontal left to right,
    vertical top to bottom); straight where a segment runs along it."""
    x0, y0 = points[0]
    d = [f"M{_f(x0)},{_f(y0)}"]
    for p0, p1 in itertools.pairwise(points):
        for _, b, c, e in segments(p0, p1, vertical):
            if b == p0 and c == p1:
                d.append(f"L{_f(e[0])},{_f(e[1])}")
            else:
                d.append(f"C{_f(b[0])},{_f(b[1])} {_f(c[0])},{_f(c[1])} {_f(e[0])},{_f(e[1])}")
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


def _end_marker(
    parent: ET.Element, x: float, y: float, direction: int, kind: str, vertical: bool = False
) -> None:
    """A crow's-foot end at a box side, drawn outward along ``direction`` (+1 right or down, -1 left
    or up).

    ``one``: exactly one (two bars); ``zero-one``: zero or one (bar, circle); ``many``: zero or many
    (crow's foot, circle).
    """

    def at(along: float, across: float) -> str:
        if vertical:
            return f"{_f(x + across)},{_f(y + direction * along)}"
        return f"{_f(x + direction * along)},{_f(y + across)}"

    parts: list[str] = []
    if kind == "many":
        parts.append(f"M{at(0, -6)} L{at(11, 0)} L{at(0, 6)}")
        parts.append(f"M{at(11, -6)} L{at(11, 6)}")
    elif kind == "one":
        parts += [f"M{at(7, -6)} L{at(7, 6)}", f"M{at(12, -6)} L{at(12, 6)}"]
    else:
        parts.append(f"M{at(7, -6)} L{at(7, 6)}")
    _sub(parent, "path", d=" ".join(parts), class_="er-mark")
    if kind in ("many", "zero-one"):
        cx, cy = at(19, 0).split(",")
        _sub(parent, "circle", cx=cx, cy=cy, r="4", class_="er-mark er-optional")


def _draw_box(parent: ET.Element, box: Box) -> None:
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
    _sub(g, "text", clip(t.name), class_="er-name", x=_f(PAD_X), y=_f(HEAD_H / 2 + 4))
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
        _sub(g, "text", clip(c.name), class_=name_class, x=_f(PAD_X + BADGE_W), y=_f(y + ROW_H / 2 + 4))
        _sub(
            g,
            "text",
            clip(c.type, MAX_TYPE_CHARS),
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


def _draw_edge(parent: ET.Element, edge: LaidEdge, dx: float, dy: float) -> None:
    r = edge.relation
    points = [(x + dx, y + dy) for x, y in edge.points]
    g = _sub(
        parent,
        "g",
        class_="er-edge er-implied" if r.implied else "er-edge",
        data_child=r.child,
        data_parent=r.parent,
    )
    cardinality = "1:1" if r.one_to_one else "1:N"
    what = (
        f"implied by joins in {', '.join(r.implied_by)} (no foreign key declared)"
        if r.implied
        else f"ON DELETE {r.on_delete}"
    )
    _sub(
        g,
        "title",
        f"{r.child} ({', '.join(r.child_columns)}) → {r.parent} ({', '.join(r.parent_columns)}): "
        f"{cardinality}, {'optional' if r.optional else 'mandatory'}, {what}",
    )
    _sub(g, "path", class_="er-line", d=_loop(points) if edge.loop else _curve(points, edge.vertical))
    parent_kind = "zero-one" if r.optional else "one"
    child_kind = "zero-one" if r.one_to_one else "many"
    (x0, y0), (x1, y1) = points[0], points[-1]
    first_kind, last_kind = (parent_kind, child_kind) if edge.parent_first else (child_kind, parent_kind)
    if edge.loop:
        _end_marker(g, x0, y0, -1, parent_kind)
        _end_marker(g, x1, y1, -1, child_kind)
    else:
        _end_marker(g, x0, y0, +1, first_kind, edge.vertical)
        _end_marker(g, x1, y1, -1, last_kind, edge.vertical)


@dataclass(frozen=True)
class ErDiagram:
    #: One ``<svg>`` element, at its natural size in CSS pixels.
    svg: str
    width: float
    height: float
    #: Crossings and edges through tables, measured on the drawn curves.
    quality: Quality
    #: Relationships drawn: declared by a foreign key, and implied by the workload's joins.
    declared: int = 0
    implied: int = 0


def er_diagram(model: ErModel, max_width: float = MAX_WIDTH) -> ErDiagram:
    """The diagram of the model, laid out as :mod:`.er_layout` says, at most ``max_width`` pixels
    wide (margins included) whenever no single table is wider than that."""
    room = max_width - 2 * MARGIN
    total_columns = sum(len(t.columns) for t in model.tables)
    all_columns = total_columns <= ALL_COLUMNS_LIMIT
    names = [t.name for t in model.tables]
    known = set(names)
    rels = [r for r in model.relations if r.child in known and r.parent in known]
    boxes = {t.name: box_for(t, all_columns) for t in model.tables}
    groups = components(names, rels)
    related = [g for g in groups if len(g) > 1 or any(r.child == g[0] for r in rels)]
    alone = sorted(g[0] for g in groups if g not in related)
    drawings: list[Drawing] = []
    for group in related:
        members = set(group)
        drawings.append(
            layout_component(sorted(group), [r for r in rels if r.child in members], boxes, max_width=room)
        )
    width = max([d.width for d in drawings] + [0.0])
    if alone:
        drawings.append(grid(alone, boxes, min(width, room) if width else room))
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
    placed: list[LaidEdge] = []
    for d in drawings:
        for box in d.boxes.values():
            box.x += MARGIN
            box.y += y
        for edge in d.edges:
            _draw_edge(edges_layer, edge, MARGIN, y)
            placed.append(
                LaidEdge(
                    edge.relation,
                    [(px + MARGIN, py + y) for px, py in edge.points],
                    edge.parent_first,
                    edge.vertical,
                    edge.loop,
                )
            )
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
    implied = sum(1 for r in rels if r.implied)
    return ErDiagram(
        ET.tostring(svg, encoding="unicode"),
        full_w,
        full_h,
        quality(placed, boxes),
        declared=len(rels) - implied,
        implied=implied,
    )
