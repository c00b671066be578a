"""Invariants of the designer over random entity models: the DDL runs, references are typed like
their targets, every relationship has its foreign key, and every decision carries a reason."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbarchitect.advisors.schema.designer import design_schema
from dbarchitect.brief import parse_brief
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import BriefError
from dbarchitect.model.names import EngineName

ENTITY_NAMES = ["customer", "order", "product", "category", "invoice"]
TYPES = ["integer", "varchar(40)", "money", "email", "date", "boolean"]


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(ENTITY_NAMES), min_size=1, max_size=4, unique=True))
    entities: dict[str, Any] = {}
    for name in names:
        columns = {
            f"{name}_{i}": {"type": draw(st.sampled_from(TYPES)), "nullable": draw(st.booleans())}
            for i in range(draw(st.integers(1, 3)))
        }
        entity: dict[str, Any] = {"columns": columns}
        if draw(st.booleans()):
            first = next(iter(columns))
            columns[first]["type"] = "varchar(40)"
            entity["identifiers"] = [[first]]
            entity["key"] = draw(st.sampled_from(["natural", "surrogate"]))
        rels = []
        for i, target in enumerate(draw(st.lists(st.sampled_from(names), max_size=3))):
            rels.append(
                {
                    "to": target,
                    "name": f"r{i}",
                    "cardinality": draw(st.sampled_from(["N:1", "1:N", "1:1", "M:N"])),
                    "optional": draw(st.booleans()),
                }
            )
        entity["relationships"] = rels
        entities[name] = entity
    tables = {
        name: {"rows": draw(st.integers(0, 10**9)), "growth": f"{draw(st.integers(0, 10**7))}/day"}
        for name in names
        if draw(st.booleans())
    }
    return {
        "engine": "postgresql",
        "portable_to": ["sqlite", "mariadb"],
        "schema": {
            "entities": entities,
            "naming": {"tables": draw(st.sampled_from(["plural", "as_declared"]))},
        },
        "tables": tables,
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_random_models_design_into_runnable_schemas(data: dict[str, Any]) -> None:
    brief = parse_brief(data)
    try:
        design = design_schema(
            brief,
            get_traits(EngineName.POSTGRESQL),
            portable=[get_traits(EngineName.SQLITE), get_traits(EngineName.MARIADB)],
            today=date(2026, 1, 1),
        )
    except BriefError as exc:  # a model the designer refuses must say where
        assert "schema.entities." in str(exc)
        return
    catalog = design.catalog
    assert all(d.reason and d.choice for d in design.decisions)
    for t in catalog.tables:
        assert t.primary_key is not None
        for fk in t.foreign_keys:
            target = catalog.table(fk.ref_table.value)
            assert target is not None
            for col, ref in zip(fk.columns, fk.ref_columns, strict=True):
                mine, theirs = t.column(col.value), target.column(ref.value)
                assert mine is not None and theirs is not None
                assert mine.type.kind == theirs.type.kind
    relationships = sum(len(e.relationships) for e in (brief.schema_.entities or {}).values())
    fks = sum(len(t.foreign_keys) for t in catalog.tables)
    junctions = sum(
        1 for e in (brief.schema_.entities or {}).values() for r in e.relationships if r.cardinality == "M:N"
    )
    assert fks == relationships + junctions
    conn = sqlite3.connect(":memory:")
    conn.executescript(render_schema(catalog, get_traits(EngineName.SQLITE)))
