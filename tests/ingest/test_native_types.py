"""Engine types with no neutral kind (``TypeKind.NATIVE``): read from a DDL file and from the database
that file built, they are the same type, spelled as the engine prints it; another engine gets a
faithful equivalent with a note, or an error note naming the column and type."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.types import parse_column_type
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind
from tests.engine_exec import mariadb_connect

PG = EngineName.POSTGRESQL

#: (as written in a DDL file, as PostgreSQL's format_type prints it)
PG_SPELLINGS = [
    ("inet", "inet"),
    ("CIDR", "cidr"),
    ("macaddr", "macaddr"),
    ("macaddr8", "macaddr8"),
    ("xml", "xml"),
    ("tsvector", "tsvector"),
    ("tsquery", "tsquery"),
    ("pg_lsn", "pg_lsn"),
    ("point", "point"),
    ("line", "line"),
    ("lseg", "lseg"),
    ("box", "box"),
    ("path", "path"),
    ("polygon", "polygon"),
    ("circle", "circle"),
    ("int4range", "int4range"),
    ("int8range", "int8range"),
    ("numrange", "numrange"),
    ("tsrange", "tsrange"),
    ("tstzrange", "tstzrange"),
    ("daterange", "daterange"),
    ("int4multirange", "int4multirange"),
    ("datemultirange", "datemultirange"),
    ("interval day to second", "interval day to second"),
    ("INTERVAL DAY TO SECOND(3)", "interval day to second(3)"),
    ("interval year to month", "interval year to month"),
    ("interval minute", "interval minute"),
    ("interval(2)", "interval(2)"),
    ("bit varying(16)", "bit varying(16)"),
    ("bit varying", "bit varying"),
    ("varbit(8)", "bit varying(8)"),
    ('"char"', '"char"'),
    ("inet[]", "inet[]"),
    ("tstzrange[][]", "tstzrange[]"),
    ("bit varying(4)[]", "bit varying(4)[]"),
]


def _column_type(ddl: str, column: str = "c") -> LogicalType:
    table = load_ddl(ddl, PG).tables[-1]
    found = table.column(column)
    assert found is not None
    return found.type


@pytest.mark.parametrize(("written", "printed"), PG_SPELLINGS)
def test_a_native_postgres_type_is_kept_as_format_type_prints_it(written: str, printed: str) -> None:
    from_file = _column_type(f"CREATE TABLE t (id integer PRIMARY KEY, c {written} NOT NULL);")
    assert from_file == LogicalType(TypeKind.NATIVE, native=f"postgres:{printed}")
    # the database's own text (format_type) reads as the same type
    assert parse_column_type(printed, PG, declared=None)[0] == from_file
    assert str(from_file) == printed


def test_plain_interval_stays_the_neutral_kind() -> None:
    assert _column_type("CREATE TABLE t (c interval);") == LogicalType(TypeKind.INTERVAL)


def test_declared_types_pass_through_and_undeclared_ones_are_refused() -> None:
    domain = "CREATE DOMAIN email_t AS text CHECK (VALUE LIKE '%@%');\n"
    assert _column_type(domain + "CREATE TABLE t (c email_t);").native == "postgres:email_t"
    extension = "CREATE EXTENSION hstore;\n"
    assert _column_type(extension + "CREATE TABLE t (c public.hstore);").native == "postgres:hstore"
    assert _column_type("CREATE EXTENSION postgis;\nCREATE TABLE t (c geometry(point, 4326));").native == (
        "postgres:geometry(Point,4326)"
    )
    with pytest.raises(
        DbarchError, match=r"column 't.c'.*extension hstore, which the schema does not create"
    ):
        load_ddl("CREATE TABLE t (c hstore);", PG)
    with pytest.raises(DbarchError, match=r"column 't.c': type 'email_t' is not a known type"):
        load_ddl("CREATE TABLE t (c email_t);", PG)


def test_a_protected_spelling_in_an_expression_is_refused_by_name() -> None:
    with pytest.raises(DbarchError, match=r"type 'bit varying\(4\)' is used in an expression"):
        load_ddl("CREATE TABLE t (c integer CHECK (c::bit varying(4) <> B'0'));", PG)
    # in strings and comments nothing is touched
    t = load_ddl("CREATE TABLE t (c text DEFAULT 'bit varying(4)'); -- interval day", PG).tables[0]
    assert t.columns[0].default is not None and t.columns[0].default.value == "bit varying(4)"


@pytest.mark.parametrize(
    ("written", "native"),
    [("inet6", "mysql:inet6"), ("INET4", "mysql:inet4"), ("point", "mysql:point"), ("geometry", "mysql:geometry"),
     ("SET('a', 'b,c')", "mysql:set('a','b,c')")],
)  # fmt: skip
def test_a_native_mariadb_type_is_kept_as_column_type_prints_it(written: str, native: str) -> None:
    table = load_ddl(f"CREATE TABLE t (id int PRIMARY KEY, c {written});", EngineName.MARIADB).tables[0]
    assert table.columns[1].type == LogicalType(TypeKind.NATIVE, native=native)


def test_other_engines_get_a_faithful_type_with_a_note_or_an_error_naming_the_column() -> None:
    catalog = load_ddl("CREATE TABLE t (id integer PRIMARY KEY, a inet, b tstzrange, c macaddr);", PG)
    for engine, address in ((EngineName.MARIADB, "varchar(43)"), (EngineName.SQLITE, "TEXT")):
        rendered = render_schema_with_notes(catalog, get_traits(engine))
        assert f"a {address}" in rendered.sql
        notes = {n.message.split(":")[0].split(" has ")[0]: n for n in rendered.notes if n.feature == "type"}
        assert not notes["column a"].error and "not validated" in notes["column a"].message
        assert notes["column b"].error and "tstzrange (a PostgreSQL type)" in notes["column b"].message
        assert not notes["column c"].error
    assert render_schema_with_notes(catalog, get_traits(PG)).notes == ()


def test_widths_follow_the_type() -> None:
    assert LogicalType(TypeKind.NATIVE, native="postgres:inet").estimated_width() == 10
    assert LogicalType(TypeKind.NATIVE, native="postgres:bit varying(16)").estimated_width() == 7
    assert LogicalType(TypeKind.NATIVE, native="postgres:xml").estimated_width() == 64
    assert LogicalType(TypeKind.NATIVE, native="postgres:interval day to second").estimated_width() == 16


def _pg_schema() -> str:
    columns = ", ".join(f"c{i} {written}" for i, (written, _) in enumerate(PG_SPELLINGS))
    return (
        "CREATE EXTENSION IF NOT EXISTS hstore;\n"
        "CREATE DOMAIN email_t AS text CHECK (VALUE LIKE '%@%');\n"
        f"CREATE TABLE t (id integer PRIMARY KEY, {columns}, h hstore, m email_t);\n"
    )


def _columns(catalog: Catalog) -> dict[str, LogicalType]:
    return {c.name.key: c.type for c in catalog.tables[0].columns}


def test_postgres_file_and_database_read_the_same_types(pg_scratch_db: str) -> None:
    ddl = _pg_schema()
    from_file = load_ddl(ddl, PG)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(ddl)  # type: ignore[arg-type]
    from_database = introspect(pg_scratch_db)
    assert _columns(from_database) == _columns(from_file)
    assert _columns(from_file)["h"].native == "postgres:hstore"
    assert _columns(from_file)["m"].native == "postgres:email_t"


def test_mariadb_file_and_database_read_the_same_types(mariadb_scratch_db: str) -> None:
    ddl = "CREATE TABLE t (id int PRIMARY KEY, a inet6, b inet4, c point, d set('x','y'), e geometry)"
    from_file = load_ddl(ddl, EngineName.MARIADB)
    conn = mariadb_connect(mariadb_scratch_db)
    try:
        with conn.cursor() as cur:
            cur.execute(ddl)
    finally:
        conn.close()
    assert _columns(introspect(mariadb_scratch_db)) == _columns(from_file)
