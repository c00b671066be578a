"""The built-in model on a multi-tenant schema keyed by (tenant_id, id), from a new user's MySQL brief:
a probe through a composite key fixes all its columns, a composite foreign key counts one parent row
per child group (as the planner's foreign-key join estimate), a unique key fixed by equalities is one
row, and an ordered scan under a LIMIT stops after LIMIT rows survive the joins, not LIMIT of its own."""

from __future__ import annotations

from dataclasses import replace

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog, ColumnStats, TableStats
from dbarchitect.model.names import EngineName, Name

DDL = """
CREATE TABLE documents (
    tenant_id integer NOT NULL,
    id bigint NOT NULL,
    title varchar(255) NOT NULL,
    updated_at timestamp NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE doc_versions (
    tenant_id integer NOT NULL,
    document_id bigint NOT NULL,
    version integer NOT NULL,
    size_bytes integer NOT NULL,
    PRIMARY KEY (tenant_id, document_id, version),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);
"""
ROWS = {"documents": 60_000_000, "doc_versions": 400_000_000}
STATS = {"tenant_id": ColumnStats(distinct=8000)}
TRAITS = get_traits("mysql", "8.0")


def catalog() -> Catalog:
    loaded = load_ddl(DDL, EngineName.MYSQL)
    tables = tuple(
        replace(
            t,
            stats=TableStats(rows=ROWS[t.name.value]),
            columns=tuple(replace(c, stats=STATS.get(c.name.value)) for c in t.columns),
        )
        for t in loaded.tables
    )
    return replace(loaded, tables=tables)


CATALOG = catalog()


def plan(sql: str, *config: IndexCandidate) -> tuple[float, str]:
    statement = build_workload([StatementInput("s", sql, 1.0)], CATALOG, EngineName.MYSQL).statements[0]
    result = BuiltinCostModel(CATALOG, TRAITS).plan_cost(statement, frozenset(config))
    return result.cost, result.plan or ""


LATEST = (
    "SELECT d.title, v.version, v.size_bytes FROM documents d "
    "JOIN doc_versions v ON v.tenant_id = d.tenant_id AND v.document_id = d.id "
    "WHERE d.tenant_id = ? AND d.id = ? ORDER BY v.version DESC LIMIT 1"
)


def test_the_whole_primary_key_fixed_is_one_row_and_names_no_default() -> None:
    cost, text = plan("UPDATE documents SET updated_at = now() WHERE tenant_id = ? AND id = ?")
    assert cost < 20  # was 1,076: 60M x 1/8000 x 0.5% rows behind the primary key
    assert "planner's default" not in text


def test_the_latest_row_of_a_composite_child_is_read_through_its_primary_key() -> None:
    cost, text = plan(LATEST)
    # documents by its key, then doc_versions probed through (tenant_id, document_id, version): the ~7
    # versions of one document (400M / 60M through the composite foreign key), sorted, not 400M rows.
    assert "doc_versions_pkey on doc_versions (nested loop inner, 1 loops)" in text
    assert cost < 100  # was 3,178,518
    # An index in version order is no way in: 1 in 7 of its rows belong to the document at best.
    by_version = IndexCandidate(Name("doc_versions"), (Name("version"), Name("size_bytes")))
    assert plan(LATEST, by_version)[0] == cost
