"""Existing indexes proposed for removal: duplicates, left prefixes, unused — never a constraint's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbarchitect import api
from dbarchitect.advisors.indexes.existing import FindingKind, analyze_existing, drop_index_sql
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog, TableStats
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Workload

BASE = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(200) NOT NULL);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status varchar(20) NOT NULL,
    placed_at timestamptz NOT NULL,
    total numeric(12,2)
);
CREATE TABLE archive (id bigint PRIMARY KEY, kind int);
"""

WORKLOAD = {
    "history": "SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC LIMIT 20",
    "queue": "SELECT id FROM orders WHERE status = $1",
    "recent": "SELECT id FROM orders WHERE status = $1 AND placed_at > $2",
}


def catalog(indexes: str) -> Catalog:
    loaded = load_ddl(BASE + indexes, EngineName.POSTGRESQL)
    return replace(loaded, tables=tuple(t.with_stats(TableStats(rows=1_000_000)) for t in loaded.tables))


def workload(cat: Catalog, sqls: dict[str, str] = WORKLOAD) -> Workload:
    items = [StatementInput(n, s, 1.0) for n, s in sqls.items()]
    return build_workload(items, cat, EngineName.POSTGRESQL)


CASES = [
    # (indexes, expected findings as (index, kind, covered_by))
    (
        "CREATE INDEX a ON orders (status); CREATE INDEX b ON orders (status);",
        [("b", FindingKind.DUPLICATE, "a")],
    ),
    (
        "CREATE INDEX by_id ON orders (id);",
        [("by_id", FindingKind.DUPLICATE, "orders_pkey")],
    ),
    (
        "CREATE INDEX c1 ON orders (customer_id); CREATE INDEX c2 ON orders (customer_id, placed_at);",
        [("c1", FindingKind.PREFIX_REDUNDANT, "c2")],
    ),
    (
        # A backward scan serves the reversed order: still a prefix.
        "CREATE INDEX c1 ON orders (customer_id DESC); CREATE INDEX c2 ON orders (customer_id DESC, placed_at);",
        [("c1", FindingKind.PREFIX_REDUNDANT, "c2")],
    ),
    (
        # Different partial predicates are not interchangeable.
        "CREATE INDEX s1 ON orders (status) WHERE total > 0; CREATE INDEX s2 ON orders (status, placed_at);",
        [],
    ),
    (
        # The only index on the foreign key stays even though the workload never uses it.
        "CREATE INDEX fk ON orders (customer_id);",
        [],
    ),
    (
        "CREATE INDEX by_total ON orders (total);",
        [("by_total", FindingKind.UNUSED, None)],
    ),
    (
        # A unique index enforces a rule: never dropped, even when a longer index starts with it.
        "CREATE UNIQUE INDEX u ON orders (status); CREATE INDEX s2 ON orders (status, placed_at);",
        [],
    ),
    (
        # The rule knows B-trees only: a BRIN is not called unused without a planner's word.
        "CREATE INDEX placed_brin ON orders USING brin (placed_at);",
        [],
    ),
    (
        # The workload does not touch archive: no judgement about its indexes.
        "CREATE INDEX k ON archive (kind);",
        [],
    ),
]


@pytest.mark.parametrize(("indexes", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_findings(indexes: str, expected: list[tuple[str, FindingKind, str | None]]) -> None:
    cat = catalog(indexes)
    findings = analyze_existing(cat, workload(cat))
    assert [(f.index, f.kind, f.covered_by) for f in findings] == expected
    for f in findings:
        assert f.bytes_saved > 0
        assert f.drop_sql == f"DROP INDEX CONCURRENTLY IF EXISTS {f.index};"
        assert f.reason


def test_planner_verdict_overrides_the_rule() -> None:
    cat = catalog("CREATE INDEX by_total ON orders (total); CREATE INDEX by_status ON orders (status);")
    findings = analyze_existing(cat, workload(cat), {"by_total": True, "by_status": False})
    assert [(f.index, f.kind) for f in findings] == [("by_status", FindingKind.UNUSED)]
    assert "planner" in findings[0].reason


@pytest.mark.parametrize(
    ("engine", "version", "sql"),
    [
        ("postgresql", "15", "DROP INDEX CONCURRENTLY IF EXISTS by_total;"),
        ("mysql", "8.0", "ALTER TABLE orders DROP INDEX by_total, ALGORITHM=INPLACE, LOCK=NONE;"),
        ("mariadb", "10.11", "ALTER TABLE orders DROP INDEX by_total, ALGORITHM=INPLACE, LOCK=NONE;"),
        ("sqlite", "3.40", "DROP INDEX IF EXISTS by_total;"),
    ],
)
def test_drop_sql_per_engine(engine: str, version: str, sql: str) -> None:
    cat = catalog("CREATE INDEX by_total ON orders (total);")
    table = cat.table("orders")
    assert table is not None
    assert drop_index_sql(table, table.indexes[0], get_traits(engine, version)) == sql
    findings = analyze_existing(cat, workload(cat), traits=get_traits(engine, version))
    assert findings[0].drop_sql == sql


@pytest.mark.parametrize("example", ["shop", "saas", "iot", "blog", "tpch"])
def test_examples_never_drop_constraint_indexes(example: str) -> None:
    insp = api.inspect_brief(f"examples/{example}/brief.yaml")
    findings = analyze_existing(insp.catalog, insp.workload, traits=insp.traits)
    for f in findings:
        table = insp.catalog.table(f.table)
        assert table is not None
        index = next(i for i in table.indexes if i.name.value == f.index)
        assert not index.unique
        assert f.drop_sql and f.reason
