"""Live introspection: DDL -> catalog -> rendered for an engine -> applied to a scratch database ->
introspected -> the same catalog, on real PostgreSQL, real MariaDB and SQLite.

"The same" is what the render promised for that engine, computed from the engine's traits, never
hard-coded per engine:
- types: the logical type of the type text the engine was given (``timestamptz`` is ``datetime(6)``
  on MariaDB, so it reads back as a timestamp; enums are ``TEXT`` plus a CHECK on SQLite);
- indexes: those the render notes as not created are absent; INCLUDE columns become keys and
  partial predicates vanish where the engine lacks them; DESC is kept where the engine keeps it;
- identity: lost on SQLite unless the column is the single integer primary key (rowid alias);
- constraint names: compared where the DDL named them (engines name the others themselves);
  MariaDB calls every primary key ``PRIMARY``;
- MariaDB: a unique index is a unique key (it cannot tell them apart), ``NO ACTION`` is
  ``RESTRICT`` in InnoDB, and a foreign key gets an index of its own when none leads with its
  columns; names keep case but no quoting fact (the server cannot say how a name was written);
- SQLite keeps no comments and has no partitioning (the render notes the latter).
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy.exc
import sqlglot

from dbarchitect.engines.connection import connect_readonly, detect_server
from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import CatalogError, ConnectionFailed
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.types import parse_column_type
from dbarchitect.model.catalog import (
    Catalog,
    Column,
    Default,
    DefaultKind,
    Index,
    IndexKey,
    ReferentialAction,
    Table,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind
from tests.engine_exec import execute_script, mariadb_connect

CASES = Path(__file__).parent / "import_cases"
SCHEMA = load_ddl((CASES / "live_schema.pg.sql").read_text(encoding="utf-8"), EngineName.POSTGRESQL)


# -- what the render promised ---------------------------------------------------------------------


def _expr_key(sql: str) -> str:
    """Expression text compared modulo spelling: parsed, re-generated, lower case, no parentheses."""
    try:
        text = sqlglot.parse_one(sql).sql()
    except sqlglot.errors.SqlglotError:
        text = sql
    return "".join(ch for ch in text.lower() if ch not in '() \n\t"`')


def _bound_key(bound: str) -> str:
    """A partition bound; a midnight timestamp is the same bound as its date."""
    key = _expr_key(bound)
    return key.removesuffix("00:00:00'").rstrip() + "'" if key.endswith("00:00:00'") else key


def _promised_type(column: Column, traits: EngineTraits) -> LogicalType:
    if column.type.kind == TypeKind.ENUM and traits.features.named_enum_types:
        return column.type
    text = traits.type_sql(column.type)
    return parse_column_type(text, traits.engine)[0]


def _promised_identity(table: Table, column: Column, traits: EngineTraits) -> bool:
    if not column.identity:
        return False
    if traits.features.identity_only_as_rowid:
        pk = table.primary_key
        return (
            column.type.is_integer
            and pk is not None
            and len(pk.columns) == 1
            and pk.columns[0].matches(column.name)
        )
    return True


def _promised_index(table: Table, index: Index, traits: EngineTraits) -> Index | None:
    f = traits.features
    if index.method is not None and index.method not in f.index_methods:
        return None
    if any(k.expression is not None for k in index.keys) and not f.expression_indexes:
        return None
    keys = tuple(k if f.descending_indexes else replace(k, descending=False) for k in index.keys)
    include = index.include
    if include and not f.include_columns:
        keys += tuple(IndexKey(column=c) for c in include)
        include = ()
    return replace(index, keys=keys, include=include, where=index.where if f.partial_indexes else None)


def _default_key(default: Default | None) -> tuple[str, str | None] | None:
    if default is None:
        return None
    value = default.value
    if default.kind == DefaultKind.NUMBER and value is not None:
        with contextlib.suppress(InvalidOperation):
            value = str(Decimal(value).normalize())
    if default.kind == DefaultKind.EXPRESSION and value is not None:
        value = _expr_key(value)
    if default.kind in (DefaultKind.CURRENT_TIMESTAMP, DefaultKind.CURRENT_DATE):
        value = None
    return default.kind.value, value


def _name_key(name: Name, traits: EngineTraits) -> tuple[str, bool]:
    # Only PostgreSQL keeps the fact that a name was quoted (it folds unquoted names to lower case).
    return (name.value, name.quoted) if traits.engine == EngineName.POSTGRESQL else (name.value, False)


def _action(action: ReferentialAction, traits: EngineTraits) -> ReferentialAction:
    if traits.engine in (EngineName.MARIADB, EngineName.MYSQL) and action == ReferentialAction.NO_ACTION:
        return ReferentialAction.RESTRICT  # InnoDB: the same, and reported as RESTRICT
    return action


def _table_summary(table: Table, traits: EngineTraits, *, expected: bool) -> dict[str, Any]:
    """Everything compared about one table, as plain data (so a failure shows a readable diff)."""
    n = lambda name: _name_key(name, traits)  # noqa: E731
    mysql_family = traits.engine in (EngineName.MARIADB, EngineName.MYSQL)
    columns = {}
    for c in table.columns:
        type_ = _promised_type(c, traits) if expected else c.type
        identity = _promised_identity(table, c, traits) if expected else c.identity
        if expected and identity and traits.features.identity_only_as_rowid:
            type_ = LogicalType(TypeKind.BIGINT)  # SQLite's rowid holds 64-bit integers
        comment = c.comment if traits.engine != EngineName.SQLITE else None
        columns[c.name.value] = (
            str(type_),
            type_.type_name,
            c.nullable,
            _default_key(c.default),
            identity,
            comment,
        )
    indexes = [(_promised_index(table, i, traits) if expected else i) for i in table.indexes]
    kept = [i for i in indexes if i is not None]
    uniques = {(tuple(c.value for c in u.columns), u.name.value if u.name else None) for u in table.uniques}
    if mysql_family and expected:
        # A unique index on plain columns is a unique key on MariaDB.
        for i in [i for i in kept if i.unique and i.where is None and all(k.column for k in i.keys)]:
            uniques.add((tuple(k.column.value for k in i.keys if k.column), i.name.value))
            kept.remove(i)
    fks = {
        (
            tuple(c.value for c in fk.columns),
            n(fk.ref_table),
            tuple(c.value for c in fk.ref_columns),
            _action(fk.on_delete, traits),
            _action(fk.on_update, traits),
        ): fk.name.value if fk.name else None
        for fk in table.foreign_keys
    }
    if mysql_family and not expected:
        # InnoDB's own index behind a foreign key that no index leads with.
        fk_names = {fk.name.value for fk in table.foreign_keys if fk.name}
        kept = [i for i in kept if not (i.name.value in fk_names and not i.unique)]
    index_rows = sorted(
        (
            n(i.name),
            tuple(
                (k.column.value if k.column else _expr_key(k.expression or ""), k.descending) for k in i.keys
            ),
            i.unique,
            _expr_key(i.where) if i.where else None,
            tuple(c.value for c in i.include),
            i.method,
        )
        for i in kept
    )
    checks = {_expr_key(c.expression) for c in table.checks}
    if expected and traits.engine == EngineName.SQLITE:
        # Enums are TEXT with a CHECK on SQLite: the render promised that check.
        for c in table.columns:
            if c.type.kind == TypeKind.ENUM:
                values = ", ".join("'" + v + "'" for v in c.type.values)
                checks.add(_expr_key(f"{c.name.value} IN ({values})"))
    pk = table.primary_key
    partitioning = None
    if table.partitioning is not None and (
        not expected or table.partitioning.method.value in traits.features.partition_methods
    ):
        p = table.partitioning
        partitions = tuple(
            (x.name.value, _bound_key(x.bounds[-1]) if x.bounds else None) for x in p.partitions
        )
        partitioning = (p.method, tuple(c.value for c in p.columns), partitions)
    return {
        "name": n(table.name),
        "columns": columns,
        "column order": [c.name.value for c in table.columns],
        "primary key": (
            tuple(c.value for c in pk.columns) if pk else None,
            pk.name.value if pk and pk.name and not mysql_family else None,
        ),
        "uniques": uniques,
        "foreign keys": fks,
        "checks": checks,
        "indexes": index_rows,
        "partitioning": partitioning,
        "comment": table.comment if traits.engine != EngineName.SQLITE else None,
    }


def _drop_unnamed(summary: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """Constraint names the DDL did not give are the engine's choice: compare them only where given."""
    out = dict(summary)
    pk, pk_name = summary["primary key"]
    out["primary key"] = (pk, pk_name if expected["primary key"][1] is not None else None)
    named_uniques = {cols for cols, name in expected["uniques"] if name is not None}
    out["uniques"] = {(cols, name if cols in named_uniques else None) for cols, name in summary["uniques"]}
    out["foreign keys"] = {
        k: (v if expected["foreign keys"].get(k) is not None else None)
        for k, v in summary["foreign keys"].items()
    }
    return out


def assert_round_trip(original: Catalog, live: Catalog, traits: EngineTraits) -> None:
    assert sorted(t.name.value for t in live.tables) == sorted(t.name.value for t in original.tables)
    for table in original.tables:
        found = next(t for t in live.tables if t.name.value == table.name.value)
        expected = _table_summary(table, traits, expected=True)
        actual = _drop_unnamed(_table_summary(found, traits, expected=False), expected)
        for key in expected:
            assert actual[key] == expected[key], f"{traits.label} {table.name}: {key}"
    assert sorted(v.name.value for v in live.views) == sorted(v.name.value for v in original.views)


def _render(traits: EngineTraits) -> str:
    rendered = render_schema_with_notes(SCHEMA, traits)
    return rendered.sql


# -- the round trips --------------------------------------------------------------------------------


@pytest.mark.postgres
def test_round_trip_postgresql(pg_scratch_db: str) -> None:
    traits = get_traits(EngineName.POSTGRESQL, "15")
    execute_script(pg_scratch_db, _render(traits))
    live = introspect(pg_scratch_db)
    assert_round_trip(SCHEMA, live, traits)
    # PostgreSQL keeps what the other engines cannot: the enum's name, partial/INCLUDE/gin indexes.
    orders = live.table("orders")
    assert orders is not None
    status = orders.column("status")
    assert status is not None and status.type.type_name == "order_status"
    open_idx = next(i for i in orders.indexes if i.name.value == "orders_open_idx")
    assert open_idx.where == "status = 'pending'" and open_idx.include == (Name("total"),)
    audit = live.table(Name("AuditLog", quoted=True))
    assert audit is not None and audit.name.quoted and audit.column(Name("EventId", quoted=True)) is not None
    assert live.origin == pg_scratch_db


@pytest.mark.mariadb
def test_round_trip_mariadb(mariadb_scratch_db: str) -> None:
    traits = get_traits(EngineName.MARIADB, "10.11")
    execute_script(mariadb_scratch_db, _render(traits))
    live = introspect(mariadb_scratch_db)
    assert_round_trip(SCHEMA, live, traits)
    products = live.table("products")
    assert products is not None
    # MariaDB's JSON is LONGTEXT with a json_valid check: read back as JSON, the check not a constraint.
    attributes = products.column("attributes")
    assert attributes is not None and attributes.type.kind == TypeKind.JSON
    assert all("json_valid" not in c.expression.lower() for c in products.checks)


def test_round_trip_sqlite(tmp_path: Path) -> None:
    traits = get_traits(EngineName.SQLITE, "3.40")
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(_render(traits))
    live = introspect(f"sqlite:///{path}")
    assert_round_trip(SCHEMA, live, traits)
    customers = live.table("customers")
    assert customers is not None
    pk_col = customers.column("id")
    assert pk_col is not None and pk_col.identity and not pk_col.nullable


# -- statistics -------------------------------------------------------------------------------------

STATS_DDL = "CREATE TABLE people (id integer PRIMARY KEY, country char(2) NOT NULL, nickname varchar(20));"
#: (country, rows): 700 SE, 200 NO, 100 DK; nickname NULL on every fourth row.
DISTRIBUTION = (("SE", 700), ("NO", 200), ("DK", 100))


def _people_rows() -> list[tuple[int, str, str | None]]:
    rows: list[tuple[int, str, str | None]] = []
    for country, count in DISTRIBUTION:
        for _ in range(count):
            i = len(rows) + 1
            rows.append((i, country, None if i % 4 == 0 else f"n{i}"))
    return rows


@pytest.mark.postgres
def test_postgres_statistics(pg_scratch_db: str) -> None:
    rows = _people_rows()
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(STATS_DDL)
        with conn.cursor() as cur:
            cur.executemany("insert into people values (%s, %s, %s)", rows)
        conn.execute("analyze people")
    people = introspect(pg_scratch_db).table("people")
    assert people is not None and people.stats is not None
    assert people.stats.rows == len(rows)
    assert people.stats.data_bytes is not None and people.stats.data_bytes > 0
    country = people.column("country")
    assert country is not None and country.stats is not None
    assert country.stats.distinct == len(DISTRIBUTION)
    top, freq = country.stats.most_common[0]
    assert (top, round(freq, 3)) == (DISTRIBUTION[0][0], DISTRIBUTION[0][1] / len(rows))
    nickname = people.column("nickname")
    assert nickname is not None and nickname.stats is not None
    nulls = sum(1 for r in rows if r[2] is None)
    assert nickname.stats.null_fraction == pytest.approx(nulls / len(rows))
    # Unique ids: pg_stats says n_distinct = -1 (every row), i.e. as many values as rows.
    ident = people.column("id")
    assert ident is not None and ident.stats is not None and ident.stats.distinct == pytest.approx(len(rows))
    assert ident.stats.correlation == pytest.approx(1.0)


@pytest.mark.mariadb
def test_mariadb_statistics(mariadb_scratch_db: str) -> None:
    rows = _people_rows()
    conn = mariadb_connect(mariadb_scratch_db)
    try:
        with conn.cursor() as cur:
            cur.execute(STATS_DDL)
            cur.execute("create index people_country_idx on people (country)")
            cur.executemany("insert into people values (%s, %s, %s)", rows)
            cur.execute("analyze table people persistent for all")
            cur.fetchall()
    finally:
        conn.close()
    people = introspect(mariadb_scratch_db).table("people")
    assert people is not None and people.stats is not None and people.stats.rows is not None
    # TABLE_ROWS is InnoDB's estimate; after ANALYZE on a table this small it is close.
    assert people.stats.rows == pytest.approx(len(rows), rel=0.2)
    country = people.column("country")
    assert country is not None and country.stats is not None
    assert country.stats.distinct == pytest.approx(len(DISTRIBUTION), rel=0.2)
    nickname = people.column("nickname")
    assert nickname is not None and nickname.stats is not None
    assert nickname.stats.null_fraction == pytest.approx(
        sum(1 for r in rows if r[2] is None) / len(rows), abs=0.01
    )


def test_sqlite_statistics_count_then_stat1(tmp_path: Path) -> None:
    path = tmp_path / "people.db"
    rows = _people_rows()
    with sqlite3.connect(path) as conn:
        conn.execute(STATS_DDL)
        conn.execute("create index people_country_idx on people (country)")
        conn.executemany("insert into people values (?, ?, ?)", rows)
    people = introspect(f"sqlite:///{path}").table("people")
    assert people is not None and people.stats is not None and people.stats.rows == len(rows)
    with sqlite3.connect(path) as conn:
        conn.execute("analyze")
    people = introspect(f"sqlite:///{path}").table("people")
    assert people is not None and people.stats is not None and people.stats.rows == len(rows)
    country = people.column("country")
    assert country is not None and country.stats is not None
    # sqlite_stat1 keeps the average rows per key, rounded up: 1000 / ceil(1000 / 3) ~ 3.
    assert country.stats.distinct == pytest.approx(len(DISTRIBUTION), rel=0.01)


# -- names, schemas and errors ----------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_named_schema_and_mixed_case(pg_scratch_db: str) -> None:
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(
            'create schema sales; create table sales."Orders" ("Id" int primary key, amount numeric(10,2))'
        )
        conn.execute("create table public.other (x int)")
    catalog = introspect(pg_scratch_db, schema="sales")
    assert [t.name for t in catalog.tables] == [Name("Orders", quoted=True)]
    orders = catalog.tables[0]
    assert orders.column_names == (Name("Id", quoted=True), Name("amount"))
    assert [t.name.value for t in introspect(pg_scratch_db).tables] == ["other"]
    with pytest.raises(CatalogError, match=r"schema 'slaes' does not exist.*did you mean 'sales'"):
        introspect(pg_scratch_db, schema="slaes")


def test_sqlite_is_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table t (x integer)")
    before = path.read_bytes()
    introspect(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(ConnectionFailed, match="does not exist"):
        introspect(f"sqlite:///{path}")
    assert not path.exists()


def test_unreachable_server_hides_the_password() -> None:
    with pytest.raises(ConnectionFailed) as info:
        introspect("postgresql://app:hunter2@127.0.0.1:1/shop")
    message = str(info.value)
    assert "hunter2" not in message and "127.0.0.1:1" in message and "app:***@" in message


# -- read-only connections (engines/connection.py) ---------------------------------------------------


def test_env_vars_expand_and_a_missing_one_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "env.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table t (x integer)")
    monkeypatch.setenv("DBARCH_TEST_DB_DIR", str(tmp_path))
    assert [t.name.value for t in introspect("sqlite:///${DBARCH_TEST_DB_DIR}/env.db").tables] == ["t"]
    monkeypatch.delenv("DBARCH_TEST_DB_DIR")
    with pytest.raises(ConnectionFailed, match=r"\$\{DBARCH_TEST_DB_DIR\}, which is not set"):
        introspect("sqlite:///${DBARCH_TEST_DB_DIR}/env.db")


@pytest.mark.parametrize("url", ["oracle://scott@db/orcl", "just-a-path.db"])
def test_unknown_scheme_lists_the_known_ones(url: str) -> None:
    with pytest.raises(ConnectionFailed, match=r"unknown scheme.*postgresql://.*sqlite:///"):
        introspect(url)


@pytest.mark.postgres
def test_postgres_sessions_are_read_only(pg_scratch_db: str) -> None:
    url = pg_scratch_db.replace("postgresql://", "postgres://", 1)  # the short scheme works too
    with connect_readonly(url) as (conn, family):
        assert family == EngineName.POSTGRESQL
        server = detect_server(conn)
        assert conn.exec_driver_sql("show transaction_read_only").scalar_one() == "on"
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql("create table t (x int)")
    assert server.engine == EngineName.POSTGRESQL and server.version[0] >= 11


@pytest.mark.mariadb
def test_mariadb_sessions_are_read_only_and_detected(mariadb_scratch_db: str) -> None:
    url = mariadb_scratch_db.replace("mysql://", "mariadb://", 1)
    with connect_readonly(url) as (conn, _family):
        server = detect_server(conn)
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="READ ONLY"):
            conn.exec_driver_sql("create table t (x int)")
    # MariaDB is told from MySQL by its version string, whatever the URL's scheme said.
    assert server.engine == EngineName.MARIADB and "mariadb" in server.version_text.lower()


@pytest.mark.mariadb
@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")  # read by the reader, not warned about
def test_mariadb_index_kinds_prefixes_comments_and_ignored_indexes_are_read(mariadb_scratch_db: str) -> None:
    """The Inspector drops an IGNORED index altogether and reads a FULLTEXT one as a plain key;
    prefixes and comments are not in the catalog model: each is read, or named as a clause the DDL
    reader names the same way for the file that built it."""
    ddl = (
        "CREATE TABLE orders (id int PRIMARY KEY, code varchar(20), note text, KEY a (code) IGNORED, "
        "KEY b (code(5)) COMMENT 'look''up', FULLTEXT KEY f (code), KEY n (note(191)));"
    )
    execute_script(mariadb_scratch_db, ddl)
    live = introspect(mariadb_scratch_db)
    indexes = {i.name.value: i for i in live.tables[0].indexes}
    assert sorted(indexes) == ["a", "b", "f", "n"]
    assert indexes["f"].method == "fulltext" and indexes["b"].method is None
    clauses = {o.name: o.definition for o in live.objects if o.kind == "index property"}
    assert clauses == {"orders.a": "IGNORED", "orders.b": "code(5); COMMENT 'look''up'"}
    # the file (less IGNORED, which the DDL reader cannot parse) names the same clauses
    file = load_ddl(ddl.replace(" IGNORED", ""), EngineName.MARIADB)
    assert {o.name: o.definition for o in file.objects if o.kind == "index property"} == {
        "orders.b": "code(5); COMMENT 'look''up'"
    }


def test_postgres_serial_and_identity_options_are_named_as_for_the_file(pg_scratch_db: str) -> None:
    """A serial is not an identity, and an identity's sequence options are its own: the database
    and the file that built it name the same clauses (was: the database's identity options were not
    read, so dropping them planned nothing; a serial became an identity)."""
    ddl = (
        "CREATE TABLE s (id serial PRIMARY KEY, v text);\n"
        "CREATE TABLE i (id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10) PRIMARY KEY);\n"
        "CREATE TABLE a (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n"
    )
    execute_script(pg_scratch_db, ddl)
    live = {o.name: o.definition for o in introspect(pg_scratch_db).objects if o.kind == "column property"}
    file = {
        o.name: o.definition
        for o in load_ddl(ddl, EngineName.POSTGRESQL).objects
        if o.kind == "column property"
    }
    assert live == file
    assert sorted(live) == ["a.id", "i.id", "s.id"]


def test_postgres_index_operator_classes_are_read(pg_scratch_db: str) -> None:
    ddl = (
        "CREATE TABLE u (id int PRIMARY KEY, email text, name varchar(20));\n"
        "CREATE INDEX u_p ON u (email text_pattern_ops, name);\n"
        "CREATE INDEX u_l ON u ((lower(email)) text_pattern_ops DESC);\n"
    )
    execute_script(pg_scratch_db, ddl)
    live = {i.name.value: [k.opclass for k in i.keys] for i in introspect(pg_scratch_db).tables[0].indexes}
    assert live == {"u_p": ["text_pattern_ops", None], "u_l": ["text_pattern_ops"]}
    file = {
        i.name.value: [k.opclass for k in i.keys]
        for i in load_ddl(ddl, EngineName.POSTGRESQL).tables[0].indexes
    }
    assert file == live


@pytest.mark.mariadb
def test_mariadb_virtual_generated_columns_are_named_as_for_the_file(mariadb_scratch_db: str) -> None:
    """The catalog's generated columns are stored: a virtual one is a clause both readers name
    (was: created STORED by the plan, silently)."""
    ddl = (
        "CREATE TABLE g (id int PRIMARY KEY, price decimal(10,2), qty int, "
        "total decimal(12,2) AS (price * qty) VIRTUAL, kept decimal(12,2) AS (price * 2) STORED);"
    )
    execute_script(mariadb_scratch_db, ddl)
    live = {
        o.name: o.definition for o in introspect(mariadb_scratch_db).objects if o.kind == "column property"
    }
    file = {
        o.name: o.definition for o in load_ddl(ddl, EngineName.MARIADB).objects if o.kind == "column property"
    }
    assert live == file == {"g.total": "VIRTUAL"}


def test_postgres_column_collations_are_named_as_for_the_file(pg_scratch_db: str) -> None:
    ddl = 'CREATE TABLE names (id int PRIMARY KEY, n text COLLATE "C", m text);\n'
    execute_script(pg_scratch_db, ddl)
    live = {o.name: o.definition for o in introspect(pg_scratch_db).objects if o.kind == "column property"}
    file = {
        o.name: o.definition
        for o in load_ddl(ddl, EngineName.POSTGRESQL).objects
        if o.kind == "column property"
    }
    assert live == file and list(live) == ["names.n"]


@pytest.mark.mariadb
def test_mariadb_column_character_sets_are_named_as_for_the_file(mariadb_scratch_db: str) -> None:
    """A column's character set or collation other than its table's is a clause both readers name
    (was: not read from the database, so removing it planned nothing)."""
    ddl = (
        "CREATE TABLE t (id int PRIMARY KEY, a varchar(20) CHARACTER SET latin1, "
        "b varchar(20) COLLATE utf8mb4_bin, c varchar(20)) DEFAULT CHARSET=utf8mb4;"
    )
    execute_script(mariadb_scratch_db, ddl)
    live = {
        o.name: o.definition for o in introspect(mariadb_scratch_db).objects if o.kind == "column property"
    }
    file = {
        o.name: o.definition for o in load_ddl(ddl, EngineName.MARIADB).objects if o.kind == "column property"
    }
    assert live == file == {"t.a": "CHARACTER SET latin1", "t.b": "COLLATE utf8mb4_bin"}


@pytest.mark.mariadb
def test_mariadb_table_options_are_named_as_for_the_file(mariadb_scratch_db: str) -> None:
    """A table's character set, collation, engine and row format: the default ones are nothing to
    name (the tool's own `DEFAULT CHARSET=utf8mb4` included), the others a clause both readers
    name alike (was: not read, so changing them planned nothing)."""
    ddl = (
        "CREATE TABLE a (id int PRIMARY KEY) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        "CREATE TABLE b (id int PRIMARY KEY) DEFAULT CHARSET=latin1;\n"
        "CREATE TABLE c (id int PRIMARY KEY) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=COMPRESSED;\n"
        "CREATE TABLE d (id int PRIMARY KEY);\n"
    )
    execute_script(mariadb_scratch_db, ddl)
    live = {
        o.name: o.definition for o in introspect(mariadb_scratch_db).objects if o.kind == "table property"
    }
    file = {
        o.name: o.definition for o in load_ddl(ddl, EngineName.MARIADB).objects if o.kind == "table property"
    }
    assert (
        live == file == {"b": "COLLATE=latin1_swedish_ci", "c": "COLLATE=utf8mb4_bin; ROW_FORMAT=COMPRESSED"}
    )
