"""The ER diagram's layout: one node per table, no two tables overlapping, parents left of children,
every foreign key one edge that starts and ends on its tables' sides, deterministic output."""

from __future__ import annotations

import functools
import random
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect.report.svg_er import ErDiagram, er_diagram, er_model
from tests.report.erp_schema import erp_tables

SVG = "{http://www.w3.org/2000/svg}"


def _table(
    name: str, refs: list[str], *, nullable: frozenset[str] = frozenset(), extra: int = 3
) -> dict[str, Any]:
    fk_cols = [("parent_id" if r == name else f"{r}_{i}_id", r) for i, r in enumerate(refs)]
    columns = [{"name": "id", "type": "bigint", "nullable": False}]
    columns += [{"name": c, "type": "bigint", "nullable": c in nullable or r == name} for c, r in fk_cols]
    columns += [{"name": f"attr_{i}", "type": "varchar(40)", "nullable": True} for i in range(extra)]
    return {
        "name": name,
        "columns": columns,
        "primary_key": ["id"],
        "unique": [],
        "foreign_keys": [
            {"columns": [c], "references": r, "ref_columns": ["id"], "on_delete": "restrict"}
            for c, r in fk_cols
        ],
        "size": {"unsized": False, "rows_at_horizon": 1000.0},
    }


def _parse(svg: str) -> tuple[dict[str, tuple[float, float, float, float]], list[dict[str, Any]], ET.Element]:
    root = ET.fromstring(svg)
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "er-table":
            x, y = map(
                float, re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", g.get("transform", "")).groups()
            )
            rect = g.find(f"{SVG}rect")
            assert rect is not None
            boxes[g.get("data-table", "")] = (x, y, float(rect.get("width", 0)), float(rect.get("height", 0)))
    edges = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "er-edge":
            line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "er-line")
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", line.get("d", ""))]
            edges.append(
                {
                    "child": g.get("data-child"),
                    "parent": g.get("data-parent"),
                    "start": (numbers[0], numbers[1]),
                    "end": (numbers[-2], numbers[-1]),
                }
            )
    return boxes, edges, root


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _check(tables: list[dict[str, Any]], *, acyclic: bool) -> None:
    diagram = er_diagram(er_model(tables))
    assert diagram.svg == er_diagram(er_model(tables)).svg  # deterministic
    boxes, edges, root = _parse(diagram.svg)
    assert sorted(boxes) == sorted(t["name"] for t in tables)
    assert root.get("data-tables") == str(len(tables))
    names = sorted(boxes)
    for i, a in enumerate(names):
        assert boxes[a][0] >= 0 and boxes[a][1] >= 0
        assert boxes[a][0] + boxes[a][2] <= diagram.width and boxes[a][1] + boxes[a][3] <= diagram.height
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), (a, b, boxes[a], boxes[b])
    relations = sorted((t["name"], fk["references"]) for t in tables for fk in t["foreign_keys"])
    assert sorted((e["child"], e["parent"]) for e in edges) == relations
    for e in edges:
        child, parent = boxes[e["child"]], boxes[e["parent"]]
        if e["child"] == e["parent"]:  # a self-reference loops on the table's left side
            assert e["start"][0] == e["end"][0] == child[0]
            continue
        # a line leaving a table's bottom starts on that bottom, between its sides (a side's row may sit
        # at the height of the other table's bottom by chance)
        vertical = any(
            abs(e["start"][1] - (box[1] + box[3])) < 0.06 and box[0] < e["start"][0] < box[0] + box[2]
            for box in (parent, child)
        )
        if acyclic and vertical:  # parents above: the line leaves the parent's bottom for the child's top
            assert parent[1] + parent[3] < child[1]
            assert abs(e["end"][1] - child[1]) < 0.06
            assert parent[0] <= e["start"][0] <= parent[0] + parent[2]
        elif acyclic:  # parents stand left: the line leaves the parent's right side for the child's left
            assert parent[0] + parent[2] < child[0]
            assert abs(e["start"][0] - (parent[0] + parent[2])) < 0.06
            assert abs(e["end"][0] - child[0]) < 0.06
        if vertical:
            tops = {round(child[1], 1), round(parent[1], 1)}
            bottoms = {round(child[1] + child[3], 1), round(parent[1] + parent[3], 1)}
            assert round(e["start"][1], 1) in bottoms and round(e["end"][1], 1) in tops
        else:
            sides = {
                round(child[0], 1),
                round(child[0] + child[2], 1),
                round(parent[0], 1),
                round(parent[0] + parent[2], 1),
            }
            assert round(e["start"][0], 1) in sides and round(e["end"][0], 1) in sides
    assert diagram.quality.through_boxes == 0  # edges run around the tables they do not join


def test_fifty_table_erp_schema() -> None:
    tables = [_table(name, refs) for name, refs in erp_tables()]
    assert len(tables) == 50
    # employees <-> departments reference each other: the diagram still draws both, none overlapping.
    _check(tables, acyclic=False)


def test_edges_anchor_on_the_key_rows() -> None:
    tables = [
        _table("customers", []),
        _table("orders", ["customers"], nullable=frozenset({"customers_0_id"})),
    ]
    model = er_model(tables)
    (relation,) = model.relations
    assert relation.optional and not relation.one_to_one
    boxes, (edge,), root = _parse(er_diagram(model).svg)
    parent, child = boxes["customers"], boxes["orders"]
    # Header 26 px, then 18 px rows: customers.id is row 0, orders.customers_0_id row 1 (after the PK).
    assert edge["start"] == (parent[0] + parent[2], parent[1] + 26 + 9)
    assert edge["end"] == (child[0], child[1] + 26 + 18 + 9)
    # Optional parent end: a circle on each end (zero-or-one parent, zero-or-many children).
    assert len([c for c in root.iter(f"{SVG}circle")]) == 2


def test_one_to_one_and_mandatory_ends() -> None:
    parent = _table("accounts", [])
    child = _table("profiles", ["accounts"])
    child["unique"] = [["accounts_0_id"]]
    (relation,) = er_model([parent, child]).relations
    assert relation.one_to_one and not relation.optional


def test_tables_without_relationships_sit_in_a_grid_below() -> None:
    tables = [_table("a", []), _table("b", ["a"]), *[_table(f"lone_{i}", []) for i in range(6)]]
    boxes, _, _ = _parse(er_diagram(er_model(tables)).svg)
    linked_bottom = max(boxes[n][1] + boxes[n][3] for n in ("a", "b"))
    assert all(boxes[f"lone_{i}"][1] > linked_bottom for i in range(6))
    assert len({boxes[f"lone_{i}"][1] for i in range(6)}) < 6  # several to a row


def test_wide_tables_list_key_columns_and_count_the_rest() -> None:
    wide = _table("events", [], extra=40)
    svg = er_diagram(er_model([wide])).svg
    assert "+ 27 more columns" in svg  # 1 key + 13 others shown (14 rows), 27 left
    many = [_table(f"t{i}", [], extra=9) for i in range(30)]  # 300 columns: keys only
    assert "+ 9 more columns" in er_diagram(er_model(many)).svg


def test_a_foreign_key_to_a_table_outside_the_schema_draws_nothing() -> None:
    orphan = _table("orders", ["customers"])
    assert er_model([orphan]).relations == ()
    boxes, edges, _ = _parse(er_diagram(er_model([orphan])).svg)
    assert list(boxes) == ["orders"] and edges == []


def test_names_are_escaped() -> None:
    table = _table('<b>"x"&</b>', [])
    svg = er_diagram(er_model([table])).svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    boxes, _, _ = _parse(svg)
    assert list(boxes) == ['<b>"x"&</b>']


@st.composite
def _schemas(draw: st.DrawFn, acyclic: bool) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 18))
    names = [f"t{i:02d}" for i in range(n)]
    refs: dict[str, list[str]] = {name: [] for name in names}
    for _ in range(draw(st.integers(0, 2 * n))):
        child = draw(st.integers(0, n - 1))
        parent = draw(st.integers(0, child if acyclic else n - 1))
        if acyclic and parent == child:
            continue
        refs[names[child]].append(names[parent])
    extra = draw(st.integers(0, 5))
    return [_table(name, refs[name], extra=extra) for name in names]


@settings(max_examples=60, deadline=None)
@given(_schemas(acyclic=True))
def test_random_acyclic_schemas_lay_out_cleanly(tables: list[dict[str, Any]]) -> None:
    _check(tables, acyclic=True)


@settings(max_examples=60, deadline=None)
@given(_schemas(acyclic=False))
def test_random_schemas_with_cycles_and_self_references(tables: list[dict[str, Any]]) -> None:
    _check(tables, acyclic=False)


def test_fifty_tables_fit_the_page_with_few_crossings_and_none_through_a_table() -> None:
    """The ERP schema (50 tables, 12 layers deep) left to right would be 2,800 px wide: it is laid out
    top to bottom within the page, its edges crossing less than twice each on average (measured on
    the drawn curves) and never running through a table."""
    from dbarchitect.report.er_layout import MAX_WIDTH

    diagram = er_diagram(er_model([_table(name, refs) for name, refs in erp_tables()]))
    assert diagram.width <= MAX_WIDTH
    assert diagram.quality.edges >= 70
    assert diagram.quality.crossings_per_edge < 2.0, diagram.quality
    assert diagram.quality.through_boxes == 0


def _hub_schema(seed: int) -> list[dict[str, Any]]:
    """50 tables: 5 hubs (think users, tenants, accounts) and 45 tables each referencing 1-3 of them,
    a third of those also referencing an earlier table."""
    rng = random.Random(seed)
    hubs = [f"hub{i}" for i in range(5)]
    tables: list[tuple[str, list[str]]] = [(h, []) for h in hubs]
    for i in range(45):
        refs = rng.sample(hubs, rng.randint(1, 3))
        if i > 5 and rng.random() < 0.3:
            refs.append(f"t{rng.randrange(i)}")
        tables.append((f"t{i}", refs))
    return [_table(name, refs) for name, refs in tables]


@functools.cache
def _hub_diagram(seed: int) -> ErDiagram:
    return er_diagram(er_model(_hub_schema(seed)))


HUB_SEEDS = range(6)


def test_every_hub_heavy_schema_fits_the_page_crossing_under_twice_per_edge() -> None:
    """With the five hubs in one layer these cross 4.4 to 7.1 times per edge (two layers cannot draw
    two tables referencing the same two hubs without a crossing); in the columns er_columns finds,
    0.8 to 1.8, within the page and never through a table."""
    from dbarchitect.report.er_layout import MAX_WIDTH

    for seed in HUB_SEEDS:
        diagram = _hub_diagram(seed)
        assert diagram.width <= MAX_WIDTH, (seed, diagram.width)
        assert diagram.quality.through_boxes == 0, (seed, diagram.quality)
        assert diagram.quality.crossings_per_edge < 2.0, (seed, diagram.quality)
    _check(_hub_schema(0), acyclic=False)


def _mixed_schema(seed: int) -> list[dict[str, Any]]:
    """50 tables unlike the hub schemas above: 0 to 7 hubs, each other table referencing 1 to 3 of
    them, an earlier table (30%, or when it references no hub), itself (10%) and a hub twice (5%)."""
    rng = random.Random(seed)
    hubs = [f"hub{i}" for i in range(rng.randint(0, 7))]
    tables: list[tuple[str, list[str]]] = [(h, []) for h in hubs]
    for i in range(50 - len(hubs)):
        refs = rng.sample(hubs, rng.randint(min(1, len(hubs)), min(3, len(hubs))))
        if i > 3 and (rng.random() < 0.3 or not refs):
            refs.append(f"t{rng.randrange(i)}")
        if rng.random() < 0.1:
            refs.append(f"t{i}")
        if refs and rng.random() < 0.05:
            refs.append(refs[0])
        tables.append((f"t{i}", refs))
    return [_table(name, refs) for name, refs in tables]


@functools.cache
def _mixed_diagram(seed: int) -> ErDiagram:
    return er_diagram(er_model(_mixed_schema(seed)))


#: Not chosen: the first ten seeds of the generator.
MIXED_SEEDS = range(10)


def test_other_fifty_table_schemas_fit_the_page_and_keep_edges_off_tables() -> None:
    from dbarchitect.report.er_layout import MAX_WIDTH

    for seed in MIXED_SEEDS:
        diagram = _mixed_diagram(seed)
        assert diagram.width <= MAX_WIDTH, (seed, diagram.width)
        assert diagram.quality.through_boxes == 0, (seed, diagram.quality)
    crossings = sum(_mixed_diagram(seed).quality.crossings for seed in MIXED_SEEDS)
    assert crossings / sum(_mixed_diagram(seed).quality.edges for seed in MIXED_SEEDS) < 2.0
    _check(_mixed_schema(5), acyclic=False)  # deterministic, every edge on its tables' sides


@pytest.mark.xfail(
    strict=True,
    reason="issue 17: of ten mixed schemas, seeds 5 and 8 cross 2.05 and 2.18 times per edge (seed 8: "
    "246 crossings counted by the column search, 280 on the drawn curves)",
)
def test_other_fifty_table_schemas_cross_under_twice_per_edge() -> None:
    assert all(_mixed_diagram(seed).quality.crossings_per_edge < 2.0 for seed in MIXED_SEEDS)


def _join(left: str, right: str) -> dict[str, str]:
    return {"left": left, "right": right, "kind": "inner"}


def test_joins_imply_relationships_where_no_foreign_key_is_declared() -> None:
    tables = [_table("orders", []), _table("lines", [], extra=0)]
    tables[1]["columns"].append({"name": "order_id", "type": "bigint", "nullable": False})
    tables[1]["columns"].append({"name": "note", "type": "text", "nullable": True})
    statements = [
        {"name": "order_lines", "joins": [_join("lines.order_id", "orders.id")]},
        {"name": "by_note", "joins": [_join("lines.note", "orders.attr_0")]},  # a key on neither side
    ]
    model = er_model(tables, statements)
    (implied,) = model.relations
    assert (implied.child, implied.child_columns, implied.parent, implied.parent_columns) == (
        "lines",
        ("order_id",),
        "orders",
        ("id",),
    )
    assert implied.implied_by == ("order_lines",) and not implied.optional
    diagram = er_diagram(model)
    assert diagram.implied == 1 and diagram.declared == 0
    assert 'class="er-edge er-implied"' in diagram.svg and "implied by joins in order_lines" in diagram.svg
    # where a foreign key joins the two tables already, the join adds nothing
    declared = [_table("orders", []), _table("lines", ["orders"])]
    joins = [{"name": "q", "joins": [_join("lines.orders_0_id", "orders.id")]}]
    assert [r.implied for r in er_model(declared, joins).relations] == [False]


def test_tpch_without_foreign_keys_draws_its_relationships_from_the_workload() -> None:
    from pathlib import Path

    from dbarchitect import api
    from dbarchitect.report.document import inspection_document

    doc = inspection_document(
        api.inspect_brief(Path(__file__).parents[2] / "examples" / "tpch" / "brief.yaml")
    )
    assert all(not t["foreign_keys"] for t in doc["tables"])
    model = er_model(doc["tables"], doc["statements"])
    pairs = {(r.child, r.parent) for r in model.relations}
    assert pairs >= {
        ("lineitem", "orders"),
        ("orders", "customer"),
        ("customer", "nation"),
        ("nation", "region"),
        ("partsupp", "part"),
        ("partsupp", "supplier"),
        ("supplier", "nation"),
    }
    assert all(r.implied for r in model.relations)
    diagram = er_diagram(model)
    assert diagram.implied == len(model.relations) and diagram.quality.through_boxes == 0
