"""The result column names dbarch says an engine gives a SELECT are the ones the engine reports: every
select item below, alone and all together, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import psycopg
import pytest

from dbarchitect.engines.output_names import output_names, with_output_names
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.names import EngineName
from tests.engine_exec import mariadb_connect

TABLE = "CREATE TABLE t (id integer PRIMARY KEY, Kind varchar(10) NOT NULL, amount numeric(10,2), ts {ts})"

COMMON = [
    "id",
    "ID",
    "t.kind",
    "Kind",
    "count(*)",
    "COUNT( * )",
    "count(*) AS n",
    "sum(amount) total",
    "max(t.id)",
    "1 + 1",
    "id+1",
    "-id",
    "'abc'",
    "42",
    "NULL",
    "coalesce(amount, 0)",
    "CASE WHEN id > 1 THEN 'a' ELSE 'b' END",
    "(id)",
    "(count(*))",
    "lower(kind)",
    "CAST(id AS char(3))",
    'count(*) AS "Mixed Case"',
    "avg(amount)",
    "min(ts)",
]
ONLY = {
    "postgresql": [
        "now()",
        "CURRENT_DATE",
        "current_timestamp",
        "localtimestamp",
        "id::text",
        "CAST(id AS bigint)",
        "CAST(id + 1 AS bigint)",
        "count(*)::int",
        "1::numeric(5,2)",
        "id + 1::int",
        "date_trunc('day', ts)",
        "extract(year from ts)",
        "(SELECT max(id) AS top FROM t)",
        "(SELECT 1)",
        "sum(id) FILTER (WHERE id > 0)",
        "pg_catalog.lower(kind)",
        "ts::date",
        "CAST(ts AS date)",
        "EXISTS (SELECT 1)",
        "count(*) OVER ()",
    ],
    "mariadb": ["NOW()", "CURDATE()", "CAST(ts AS DATE)", "(SELECT max(id) FROM t)", "IFNULL(amount, 0)"],
    "sqlite": ["datetime('now')", "CAST(ts AS DATE)", "(SELECT max(id) FROM t)", "ifnull(amount, 0)"],
}


def connect(
    name: str, request: pytest.FixtureRequest
) -> Iterator[tuple[EngineTraits, Callable[[str], list[str]]]]:
    if name == "sqlite":
        conn = sqlite3.connect(":memory:")
        conn.execute(TABLE.format(ts="timestamp"))
        conn.execute("INSERT INTO t VALUES (1, 'a', 2.5, '2024-01-01 10:00:00')")
        yield get_traits("sqlite"), lambda sql: [d[0] for d in conn.execute(sql).description]
        conn.close()
        return
    if name == "postgresql":
        with psycopg.connect(request.getfixturevalue("pg_scratch_db"), autocommit=True) as pg:
            pg.execute(TABLE.format(ts="timestamp"))
            pg.execute("INSERT INTO t VALUES (1, 'a', 2.5, '2024-01-01 10:00:00')")

            def names(sql: str) -> list[str]:
                cur = pg.execute(sql)  # type: ignore[call-overload]
                return [d.name for d in cur.description]

            yield get_traits("postgresql", "15"), names
        return
    my = mariadb_connect(request.getfixturevalue("mariadb_scratch_db"))
    with my.cursor() as cur:
        cur.execute(TABLE.format(ts="datetime"))
        cur.execute("INSERT INTO t VALUES (1, 'a', 2.5, '2024-01-01 10:00:00')")

    def names_my(sql: str) -> list[str]:
        with my.cursor() as cur:
            cur.execute(sql)
            return [d[0] for d in cur.description]

    yield get_traits("mariadb", "10.11"), names_my
    my.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_the_names_are_the_engines(engine: str, request: pytest.FixtureRequest) -> None:
    gen = connect(engine, request)
    traits, names = next(gen)
    catalog = load_ddl(TABLE.format(ts="timestamp"), EngineName.POSTGRESQL)
    items = COMMON + ONLY[engine]
    wrong = []
    for item in items:
        sql = f"SELECT {item} FROM t GROUP BY id"
        said = output_names(sql, traits, catalog)
        got = names(sql)
        if said != got:
            wrong.append(f"{item}: said {said}, the engine {got}")
    together = f"SELECT {', '.join(items)} FROM t GROUP BY id"
    assert output_names(together, traits, catalog) == names(together)
    assert not wrong, "\n".join(wrong)
    # a statement aliased to those names returns them
    renamed = with_output_names(
        f"SELECT {', '.join(['id'] * len(items))} FROM t", names(together), "postgres"
    )
    assert renamed is not None
    assert names(transpile_statement(renamed, EngineName.POSTGRESQL, traits.engine)) == names(together)
    gen.close()


def test_what_cannot_be_told_is_none() -> None:
    pg = get_traits("postgresql", "15")
    assert output_names("SELECT * FROM t", pg) is None
    assert output_names("SELECT t.* FROM t", pg) is None
    assert output_names('SELECT my_udf(x) COLLATE "C" FROM t', pg) is None
    assert output_names("SELECT :p FROM t", get_traits("mariadb", "10.11")) is None
