"""Generated values of engine-native types load into the real engine: every row accepted, distinct
where the type has the room; a type with no generator is NULL when nullable and refused by name when
NOT NULL."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import UnsupportedError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import Column
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind
from dbarchitect.verify.rehearse.rows import RowGenerator
from dbarchitect.verify.synthetic import MysqlLoader, PostgresLoader, generate
from dbarchitect.verify.synthetic.native_values import native_maker
from tests.engine_exec import mariadb_connect

PG_TYPES = (
    "inet", "cidr", "macaddr", "macaddr8", "pg_lsn", "point", "line", "lseg", "box", "path", "polygon",
    "circle", "tsvector", "tsquery", "xml", "oid", "int4range", "int8range", "numrange", "daterange",
    "tsrange", "tstzrange", "int4multirange", "tstzmultirange", "interval day to second(3)", "interval year",
    "interval hour to minute", "interval(2)", "bit varying(12)", "bit varying", '"char"',
)  # fmt: skip
ROWS = 300


def _pg_table() -> str:
    columns = ", ".join(f"c{i} {t} NOT NULL" for i, t in enumerate(PG_TYPES))
    return f"CREATE TABLE t (id integer PRIMARY KEY, {columns}, n txid_snapshot)"


def test_every_pg_type_listed_has_a_generator() -> None:
    table = load_ddl(_pg_table(), EngineName.POSTGRESQL).tables[0]
    assert [c.name.value for c in table.columns if c.name.value != "id" and native_maker(c.type) is None] == [
        "n"
    ]


def test_postgres_loads_every_generated_native_value(pg_scratch_db: str) -> None:
    catalog = load_ddl(_pg_table(), EngineName.POSTGRESQL)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        data = generate(catalog, PostgresLoader(conn, get_traits(EngineName.POSTGRESQL)), scale=ROWS / 1000)
        loaded = data.generation.tables[0]
        assert (loaded.rows, loaded.rejected) == (ROWS, 0)
        assert any("no generator for n (txid_snapshot); left NULL" in n for n in data.generation.notes)
        for i, t in enumerate(PG_TYPES):
            distinct = conn.execute(f"SELECT count(DISTINCT c{i}::text) FROM t").fetchone()  # type: ignore[arg-type]
            assert distinct is not None and distinct[0] == (26 if t == '"char"' else ROWS), t
        assert conn.execute("SELECT count(*) FROM t WHERE n IS NULL").fetchone() == (ROWS,)


def test_rehearsal_rows_of_native_types_load(pg_scratch_db: str) -> None:
    catalog = load_ddl(_pg_table(), EngineName.POSTGRESQL)
    table = catalog.tables[0]
    rows = RowGenerator(catalog, 20)
    names = ", ".join(c.name.value for c in table.columns)
    marks = ", ".join("%s" for _ in table.columns)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(_pg_table())  # type: ignore[arg-type]
        with conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO t ({names}) VALUES ({marks})",  # type: ignore[arg-type]
                [rows.row(table, i) for i in range(1, 21)],
            )
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (20,)


def test_a_not_null_column_with_no_generator_is_refused_by_name(pg_scratch_db: str) -> None:
    catalog = load_ddl(
        "CREATE TABLE t (id integer PRIMARY KEY, s txid_snapshot NOT NULL)", EngineName.POSTGRESQL
    )
    with (
        psycopg.connect(pg_scratch_db, autocommit=True) as conn,
        pytest.raises(
            UnsupportedError, match=r"column t\.s of type txid_snapshot: the tool has no generator"
        ),
    ):
        generate(catalog, PostgresLoader(conn, get_traits(EngineName.POSTGRESQL)), scale=0.01)


def test_mariadb_loads_generated_native_values(mariadb_scratch_db: str) -> None:
    catalog = load_ddl(
        "CREATE TABLE t (id int PRIMARY KEY, a inet6 NOT NULL UNIQUE, b inet4 NOT NULL, c set('x','y') NOT NULL, "
        "d point)",
        EngineName.MARIADB,
    )
    conn = mariadb_connect(mariadb_scratch_db)
    try:
        data = generate(
            catalog, MysqlLoader(conn, get_traits(EngineName.MARIADB, "10.11")), scale=ROWS / 1000
        )
        assert (data.generation.tables[0].rows, data.generation.tables[0].rejected) == (ROWS, 0)
        with conn.cursor() as cur:
            cur.execute("SELECT count(DISTINCT a), count(DISTINCT b), count(DISTINCT c), count(d) FROM t")
            assert cur.fetchone() == (ROWS, ROWS, 2, 0)
    finally:
        conn.close()


def test_set_members_and_bit_lengths_bound_the_values() -> None:
    members = LogicalType(TypeKind.NATIVE, native="mysql:set('a','it''s')")
    assert [native_maker(members)(k) for k in range(3)] == ["a", "it's", "a"]  # type: ignore[misc]
    bits = Column(Name("b"), LogicalType(TypeKind.NATIVE, native="postgres:bit varying(3)"))
    assert {native_maker(bits.type)(k) for k in range(20)} == {format(v, "b") for v in range(8)}  # type: ignore[misc]
