"""Access paths with the indexes that exist: equality prefix, then one range; order served."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.advisors.access_paths import (
    DEFAULT_EQ_SEL,
    PathKind,
    access_path,
    predicate_selectivity,
)
from dbarchitect.model.catalog import (
    Column,
    ColumnStats,
    Index,
    IndexKey,
    PrimaryKey,
    Table,
    TableStats,
)
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind
from dbarchitect.model.workload import (
    ColumnRef,
    OrderKey,
    Predicate,
    PredicateKind,
    Statement,
    StatementKind,
    TableAccess,
)

INT = LogicalType(TypeKind.BIGINT)


def orders(*indexes: Index) -> Table:
    return Table(
        name=Name("orders"),
        columns=(
            Column(Name("id"), INT, nullable=False),
            Column(Name("customer_id"), INT, stats=ColumnStats(distinct=1_000_000)),
            Column(
                Name("status"),
                LogicalType(TypeKind.VARCHAR, length=20),
                stats=ColumnStats(distinct=5, most_common=(("delivered", 0.7), ("shipped", 0.2))),
            ),
            Column(Name("created_at"), LogicalType(TypeKind.TIMESTAMPTZ)),
        ),
        primary_key=PrimaryKey((Name("id"),)),
        indexes=indexes,
        stats=TableStats(rows=40_000_000),
    )


def ref(col: str) -> ColumnRef:
    return ColumnRef(Name("orders"), Name(col))


def stmt(access: TableAccess, limit: int | None = None) -> Statement:
    return Statement("s", "select ...", StatementKind.SELECT, "f", 1.0, tables=(access,), limit=limit)


def idx(name: str, *cols: str, desc: bool = False) -> Index:
    return Index(Name(name), tuple(IndexKey(column=Name(c), descending=desc) for c in cols))


def test_equality_then_range_then_order() -> None:
    table = orders(idx("by_cust_created", "customer_id", "created_at"), idx("by_status", "status"))
    access = TableAccess(
        Name("orders"),
        predicates=(
            Predicate(ref("customer_id"), PredicateKind.EQ, "=", "?"),
            Predicate(ref("created_at"), PredicateKind.RANGE, ">=", "?"),
        ),
        order_by=(OrderKey(ref("created_at"), descending=True),),
    )
    path = access_path(stmt(access, limit=20), table, access)
    assert path.kind is PathKind.INDEX
    assert path.index == "by_cust_created"
    assert path.matched == ("customer_id", "created_at")
    assert path.order_served  # a backward scan serves DESC
    assert path.selectivity_source == "default"  # the range has no statistics


def test_no_index_is_a_full_scan_and_says_why() -> None:
    table = orders()
    access = TableAccess(
        Name("orders"), predicates=(Predicate(ref("customer_id"), PredicateKind.EQ, "=", "?"),)
    )
    path = access_path(stmt(access), table, access)
    assert path.kind is PathKind.FULL_SCAN
    assert path.reason == "no index leads with customer_id"
    assert path.rows_estimated == pytest.approx(40.0)  # 40M rows / 1M distinct


def test_index_not_led_by_filter_column_is_not_used() -> None:
    table = orders(idx("by_created_cust", "created_at", "customer_id"))
    access = TableAccess(
        Name("orders"), predicates=(Predicate(ref("customer_id"), PredicateKind.EQ, "=", "?"),)
    )
    assert access_path(stmt(access), table, access).kind is PathKind.FULL_SCAN


def test_primary_key_counts_as_index() -> None:
    table = orders()
    access = TableAccess(Name("orders"), predicates=(Predicate(ref("id"), PredicateKind.EQ, "=", "?"),))
    path = access_path(stmt(access), table, access)
    assert (path.kind, path.index) == (PathKind.INDEX, "orders_pkey")


def test_hot_value_selectivity_comes_from_statistics() -> None:
    table = orders()
    hot = predicate_selectivity(table, Predicate(ref("status"), PredicateKind.EQ, "=", "delivered"))
    cold = predicate_selectivity(table, Predicate(ref("status"), PredicateKind.EQ, "=", "returned"))
    assert hot.value == pytest.approx(0.7)
    assert cold.value == pytest.approx(0.1 / 3)
    param = predicate_selectivity(table, Predicate(ref("status"), PredicateKind.EQ, "=", "?"))
    assert param.value == pytest.approx(0.49 + 0.04 + 0.01 / 3)  # expected share hit by a random row's value
    unknown = predicate_selectivity(table, Predicate(ref("created_at"), PredicateKind.EQ, "=", "?"))
    assert (unknown.value, unknown.source) == (DEFAULT_EQ_SEL, "default")


def test_in_list_scales_with_its_length() -> None:
    table = orders()
    s = predicate_selectivity(table, Predicate(ref("customer_id"), PredicateKind.IN, "IN", "?", values=10))
    assert s.value == pytest.approx(10 / 1_000_000)


def test_boolean_literal_matches_hot_value_in_any_case() -> None:
    table = Table(
        name=Name("products"),
        columns=(
            Column(
                Name("is_active"),
                LogicalType(TypeKind.BOOLEAN),
                stats=ColumnStats(distinct=2, most_common=(("true", 0.86), ("false", 0.14))),
            ),
        ),
        stats=TableStats(rows=180_000),
    )
    ref_ = ColumnRef(Name("products"), Name("is_active"))
    sel = predicate_selectivity(table, Predicate(ref_, PredicateKind.EQ, "=", "TRUE"))
    assert sel.value == pytest.approx(0.86)
    quoted = predicate_selectivity(table, Predicate(ref_, PredicateKind.EQ, "=", "'false'"))
    assert quoted.value == pytest.approx(0.14)


def test_boolean_hot_values_written_as_digits_match_true_and_false() -> None:
    """A brief that gives a boolean's hot values as ``"1"`` / ``"0"`` (blog: ``approved``) matches
    ``= TRUE`` and ``= FALSE``; on an integer column ``1`` stays the number one."""
    stats = ColumnStats(distinct=2, most_common=(("1", 0.8), ("0", 0.2)))
    table = Table(
        name=Name("comments"),
        columns=(
            Column(Name("approved"), LogicalType(TypeKind.BOOLEAN), stats=stats),
            Column(Name("votes"), LogicalType(TypeKind.INTEGER), stats=stats),
        ),
        stats=TableStats(rows=160_000),
    )
    approved = ColumnRef(Name("comments"), Name("approved"))
    assert predicate_selectivity(
        table, Predicate(approved, PredicateKind.EQ, "=", "TRUE")
    ).value == pytest.approx(0.8)
    assert predicate_selectivity(
        table, Predicate(approved, PredicateKind.EQ, "=", "FALSE")
    ).value == pytest.approx(0.2)
    votes = ColumnRef(Name("comments"), Name("votes"))
    assert predicate_selectivity(table, Predicate(votes, PredicateKind.EQ, "=", "1")).value == pytest.approx(
        0.8
    )


def test_estimates_are_at_least_one_row() -> None:
    table = orders()
    statement = Statement(
        name="one",
        sql="",
        kind=StatementKind.SELECT,
        fingerprint="x",
        rate=1.0,
        tables=(
            TableAccess(
                Name("orders"),
                predicates=(Predicate(ColumnRef(Name("orders"), Name("id")), PredicateKind.EQ, "=", "?"),),
            ),
        ),
    )
    access = statement.tables[0]
    path = access_path(statement, table, access)
    assert path.rows_estimated is not None and path.rows_estimated >= 1.0


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        # literal IN-list: the named values' own frequencies
        (Predicate(ref("status"), PredicateKind.IN, "IN", None, 2, ("delivered", "shipped")), 0.9),
        # a cold literal gets an equal share of what the hot values leave: 0.1 over 3 other values
        (Predicate(ref("status"), PredicateKind.IN, "IN", None, 2, ("delivered", "lost")), 0.7 + 0.1 / 3),
        (Predicate(ref("status"), PredicateKind.NOT_EQ, "NOT IN", None, 2, ("delivered", "shipped")), 0.1),
        # parameters: the average over the distribution, once per entry, at most every row
        (Predicate(ref("status"), PredicateKind.IN, "IN", None, 2), min(1.0, 2 * (0.49 + 0.04 + 0.01 / 3))),
        (Predicate(ref("customer_id"), PredicateKind.IN, "IN", None, 3), 3 / 1_000_000),
        # the primary key alone is unique: one row in forty million
        (Predicate(ref("id"), PredicateKind.EQ, "=", "?"), 1 / 40_000_000),
    ],
)
def test_selectivity_from_values_and_keys(predicate: Predicate, expected: float) -> None:
    sel = predicate_selectivity(orders(), predicate)
    assert sel.value == pytest.approx(expected)
    assert sel.source == "statistics"


def test_a_unique_key_fixed_by_equalities_is_one_row() -> None:
    """shop's ``inventory`` (primary key product_id, warehouse_code; no statistics on product_id):
    ``WHERE product_id = :p AND warehouse_code = :w`` is one row, as the planner knows from the
    unique index, not 0.5% x 1/3 of 540,000."""
    from dbarchitect.model.catalog import PrimaryKey

    table = Table(
        name=Name("inventory"),
        columns=(
            Column(Name("product_id"), LogicalType(TypeKind.BIGINT)),
            Column(
                Name("warehouse_code"), LogicalType(TypeKind.CHAR, length=4), stats=ColumnStats(distinct=3)
            ),
        ),
        primary_key=PrimaryKey((Name("product_id"), Name("warehouse_code"))),
        stats=TableStats(rows=540_000),
    )
    both = (
        Predicate(ColumnRef(Name("inventory"), Name("product_id")), PredicateKind.EQ, "=", "?"),
        Predicate(ColumnRef(Name("inventory"), Name("warehouse_code")), PredicateKind.EQ, "=", "?"),
    )
    access = TableAccess(Name("inventory"), predicates=both)
    assert access_path(stmt(access), table, access).rows_estimated == 1.0
    one = TableAccess(Name("inventory"), predicates=both[:1])
    assert access_path(stmt(one), table, one).rows_estimated == pytest.approx(540_000 * DEFAULT_EQ_SEL)


HELPDESK = """\
name: helpdesk
engine: {engine}
schema:
  ddl: |
    CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL);
    CREATE TABLE tickets (id bigint PRIMARY KEY, requester_id bigint NOT NULL REFERENCES users (id));
    CREATE TABLE comments (
      id bigint PRIMARY KEY,
      ticket_id bigint NOT NULL REFERENCES tickets (id),
      author_id bigint NOT NULL REFERENCES users (id),
      body text,
      created_at timestamp NOT NULL
    );
tables:
  users: {{rows: 2M}}
  tickets: {{rows: 30M}}
  comments: {{rows: 150M{comment_stats}}}
workload:
  - name: thread
    sql: SELECT c.id, c.created_at, u.name FROM comments c JOIN users u ON u.id = c.author_id WHERE c.ticket_id = :t ORDER BY c.created_at
    rate: 300/s
"""


def _helpdesk(tmp_path: Path, engine: str = "postgresql 15", comment_stats: str = "") -> api.Inspection:
    brief = tmp_path / "brief.yaml"
    brief.write_text(HELPDESK.format(engine=engine, comment_stats=comment_stats), encoding="utf-8")
    return api.inspect_brief(brief)


def test_an_equality_on_a_foreign_key_keeps_one_parents_share(tmp_path: Path) -> None:
    """No distinct count for comments.ticket_id: its parent's 30M rows stand in (5 comments a ticket),
    not the planner's fixed 0.5% (750,000 comments), and the reason says so."""
    inspection = _helpdesk(tmp_path)
    comments = inspection.catalog.table("comments")
    assert comments is not None
    statement = inspection.workload.statements[0]
    access = next(a for a in statement.tables if a.table.matches(comments.name))
    path = access_path(statement, comments, access)
    assert path.rows_estimated == pytest.approx(5.0)
    assert path.selectivity_source == "statistics"
    assert "ticket_id counted as 30,000,000 values, one per row of tickets (its foreign key" in path.reason


def test_a_distinct_count_in_the_brief_wins_over_the_foreign_key(tmp_path: Path) -> None:
    stats = ", columns: {ticket_id: {distinct: 1000}}"
    inspection = _helpdesk(tmp_path, comment_stats=stats)
    comments = inspection.catalog.table("comments")
    assert comments is not None
    statement = inspection.workload.statements[0]
    access = next(a for a in statement.tables if a.table.matches(comments.name))
    path = access_path(statement, comments, access)
    assert path.rows_estimated == pytest.approx(150_000.0)
    assert "foreign key" not in path.reason


@pytest.mark.parametrize(("engine", "with_id"), [("postgresql 15", True), ("mariadb 10.11", False)])
def test_innodb_indexes_hold_the_primary_key(tmp_path: Path, engine: str, with_id: bool) -> None:
    """The advice for the thread reads comments by ticket in created_at order: on PostgreSQL a covering
    index includes id; InnoDB's entries hold the primary key already, so id is no index column and the
    index still serves an index-only read."""
    inspection = _helpdesk(tmp_path, engine=engine)
    advice = api.recommend_indexes(inspection)
    (chosen,) = [r for r in advice.recommended if r.table == "comments"]
    columns = [c.value for c in (*chosen.candidate.columns, *chosen.candidate.include)]
    assert columns[:2] == ["ticket_id", "created_at"]
    assert ("id" in columns) is with_id
