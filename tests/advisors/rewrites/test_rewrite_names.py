"""Every rewrite rule's rewrite, as the advisor renders it for an engine, returns the result column
names the statement as written returns there, in order (the application reads columns by name):
each ``bad_N.sql`` fixture whose rewrite is proven by the same parameters or as keyset pagination,
run on SQLite, PostgreSQL (the brief's engine: the statement as the user wrote it) and MariaDB."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import psycopg
import pytest
import sqlglot
from sqlglot import exp

from dbarchitect.advisors.rewrites import Draft, Protocol
from dbarchitect.engines.ddl import create_table_sql
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.result_columns import named_like
from dbarchitect.ingest.transpile import transpile_statement
from tests.advisors.rewrites.test_rules import _cases, _inspection, _outcomes
from tests.engine_exec import mariadb_connect

Names = Callable[[str], list[str]]


def _engine(name: str, request: pytest.FixtureRequest) -> Iterator[tuple[EngineTraits, Names]]:
    if name == "sqlite":
        conn = sqlite3.connect(":memory:")
        yield get_traits("sqlite"), lambda sql: [d[0] for d in conn.execute(sql).description or ()]
        conn.close()
        return
    if name == "postgresql":
        with psycopg.connect(request.getfixturevalue("pg_scratch_db"), autocommit=True) as pg:

            def names(sql: str) -> list[str]:
                cur = pg.execute(sql)  # type: ignore[call-overload]
                return [d.name for d in cur.description or ()]

            yield get_traits("postgresql", "15"), names
        return
    my = mariadb_connect(request.getfixturevalue("mariadb_scratch_db"))

    def names_my(sql: str) -> list[str]:
        with my.cursor() as cur:
            cur.execute(sql)
            return [d[0] for d in cur.description or ()]

    yield get_traits("mariadb", "10.11"), names_my
    my.close()


def _literal(sql: str, dialect: str) -> str:
    """``sql`` with its parameters as literals: 1 in LIMIT/OFFSET, else NULL (no row needed: only the
    columns are compared)."""
    tree = sqlglot.parse_one(sql, read=dialect)

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, (exp.Placeholder, exp.Parameter)):
            limit = node.find_ancestor(exp.Limit, exp.Offset)
            return exp.Literal.number(1) if limit is not None else exp.Null()
        return node

    return tree.transform(swap).sql(dialect=dialect)


CASES = [(rule, case) for rule, case in _cases("bad_") if case.suffix == ".sql"]
#: Rewrites that do not run on an engine at all (not a naming matter, listed so a change shows):
#: SQLite refuses a UNION of parenthesized SELECTs that each have ORDER BY ... LIMIT.
DO_NOT_RUN = {("sqlite", "or-to-union/bad_2.sql")}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_rewrites_return_the_original_column_names(engine: str, request: pytest.FixtureRequest) -> None:
    gen = _engine(engine, request)
    traits, names = next(gen)
    tables_made = False
    checked = 0
    wrong = []
    failing: set[tuple[str, str]] = set()
    for rule_id, case in CASES:
        inspection = _inspection(case)
        source = inspection.traits
        if not tables_made:
            for table in inspection.catalog.tables:
                names(create_table_sql(table, traits).rstrip().rstrip(";"))
            tables_made = True
        drafts = [d for d in _outcomes(rule_id, case) if isinstance(d, Draft)]
        statement = inspection.workload.statement("q")
        assert statement is not None and drafts
        draft = drafts[0]
        if draft.proof.protocol not in (Protocol.SAME, Protocol.KEYSET):
            continue
        rewritten = named_like(statement.sql, draft.sql, source, traits, inspection.catalog)
        if traits.engine == source.engine:
            original = statement.sql  # as the application sends it
        else:
            original = transpile_statement(statement.sql, source.engine, traits.engine, inspection.catalog)
        rewritten = transpile_statement(rewritten, source.engine, traits.engine, inspection.catalog)
        try:
            before = names(_literal(original, traits.sqlglot_dialect))
        except Exception as exc:  # the statement itself does not run here: nothing to compare
            assert traits.engine != source.engine, f"{case}: {exc}"
            continue
        try:
            after = names(_literal(rewritten, traits.sqlglot_dialect))
        except Exception:
            failing.add((engine, f"{rule_id}/{case.name}"))
            continue
        checked += 1
        if before != after:
            wrong.append(f"{rule_id}/{case.name}: {before} as written, {after} rewritten")
    gen.close()
    assert not wrong, "\n".join(wrong)
    assert failing == {f for f in DO_NOT_RUN if f[0] == engine}
    assert checked >= 5
