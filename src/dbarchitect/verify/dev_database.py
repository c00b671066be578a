"""A DDL file read the way the engine reads it: loaded into an empty scratch database (``--dev-url``,
as Atlas does), introspected, and everything it created dropped again.

A schema compared through a dev database is compared catalog to catalog: the names the engine gave
unnamed constraints, its deparsed CHECKs and defaults, its types are the engine's own, not a model
of them. The database must be empty (refused otherwise, naming what it holds: nothing of a user's is
ever dropped), and is left empty: every object the file created is dropped after it was read,
whether reading it worked or not.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from dbarchitect.engines.scratch import PG_OBJECTS_SQL, listed
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.ingest.ddl_nodes import script_statements
from dbarchitect.ingest.live import introspect
from dbarchitect.limits import read_input_text
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName, Name
from dbarchitect.verify.scratch import ScratchTarget, open_target

_PG_DROP = {
    "schema": "SCHEMA",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "r": "TABLE",
    "p": "TABLE",
    "f": "FOREIGN TABLE",
    "S": "SEQUENCE",
    "c": "TYPE",
    "type:e": "TYPE",
    "type:r": "TYPE",
    "type:m": "TYPE",
    "type:b": "TYPE",
    "type:d": "DOMAIN",
    "function": "ROUTINE",
}
_MYSQL_DROP = {"view": "VIEW", "base table": "TABLE", "sequence": "SEQUENCE", "system versioned": "TABLE"}
_MYSQL_DROP |= {"procedure": "PROCEDURE", "function": "FUNCTION", "event": "EVENT"}


def _quote(target: ScratchTarget, name: str) -> str:
    """A stored name, quoted so that it means exactly itself."""
    return target.traits.quote(Name(name, quoted=True))


def _drop_all(target: ScratchTarget) -> list[str]:
    """Drop every object of the (formerly empty) database; what could not be dropped."""
    for _ in range(3):
        if target.family == EngineName.POSTGRESQL:
            listing = PG_OBJECTS_SQL.replace("ORDER BY 1, 2, 3", "")
            rows = target.query(
                f"SELECT * FROM ({listing}) AS o(kind, sch, name) ORDER BY kind <> 'schema', kind"
            )
            for kind, schema, name in rows:
                what = _PG_DROP.get(str(kind))
                if what is None:
                    continue  # indexes, toast: dropped with their table
                shown = _quote(target, str(name))
                if what != "SCHEMA":
                    shown = f"{_quote(target, str(schema))}.{shown}"
                drops = [f"DROP {what} IF EXISTS {shown} CASCADE"]
                if kind == "function":
                    # by signature: an overloaded name alone is refused ("not unique")
                    drops = [
                        f"DROP {'AGGREGATE' if prokind == 'a' else 'ROUTINE'} IF EXISTS {signature} CASCADE"
                        for signature, prokind in target.query(
                            "SELECT p.oid::regprocedure::text, p.prokind FROM pg_proc p "
                            "JOIN pg_namespace n ON n.oid = p.pronamespace "
                            "WHERE n.nspname = %(s)s AND p.proname = %(n)s ORDER BY 1",
                            {"s": str(schema), "n": str(name)},
                        )
                    ]
                for drop in drops:
                    with suppress(Exception):
                        target.query(drop)
        elif target.family == EngineName.SQLITE:
            target.conn.execute("PRAGMA foreign_keys = OFF")
            for kind, name in target.query(
                "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'table') "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type = 'table'"
            ):
                with suppress(Exception):
                    target.conn.execute(f"DROP {str(kind).upper()} IF EXISTS {_quote(target, str(name))}")
            target.conn.execute("PRAGMA foreign_keys = ON")
        else:
            target.query("SET FOREIGN_KEY_CHECKS = 0")
            try:
                for kind, name in target.query(
                    "SELECT LOWER(TABLE_TYPE), TABLE_NAME FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE() UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME "
                    "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() UNION ALL "
                    "SELECT 'event', EVENT_NAME FROM information_schema.EVENTS "
                    "WHERE EVENT_SCHEMA = DATABASE()"
                ):
                    what = _MYSQL_DROP.get(str(kind), "TABLE")
                    with suppress(Exception):
                        target.query(f"DROP {what} IF EXISTS {_quote(target, str(name))}")
            finally:
                target.query("SET FOREIGN_KEY_CHECKS = 1")
        left = target.objects()
        if not left:
            return []
    return left


def _run(target: ScratchTarget, statements: list[tuple[int, str]], file: str) -> None:
    for line, sql in statements:
        try:
            if target.family == EngineName.SQLITE:
                target.conn.execute(sql)
            else:
                target.query(sql)
        except Exception as exc:
            message = " ".join(str(exc).split())[:300]
            raise DbarchError(
                Diagnostic(
                    f"the dev database refused the statement at line {line}: {message}",
                    file=file,
                    hint="the file must load into an empty database of the --engine's kind",
                )
            ) from None


def catalog_through_dev_database(
    path: str | Path, traits: EngineTraits, url: str, *, text: str | None = None
) -> Catalog:
    """``path``'s DDL (or ``text``, read from it) as the engine at ``url`` keeps it: loaded into that
    empty database, introspected, then dropped (see the module docstring)."""
    file = str(path)
    if text is None:
        text = read_input_text(Path(path), what="the DDL file", error=DbarchError, missing="no such DDL file")
    statements = [(s.line, s.sql) for s in script_statements(text, traits.engine, file=file)]
    with open_target(
        url,
        traits,
        purpose="the dev database must be empty: the DDL is loaded into it and dropped after",
        option="--dev-url",
        hint="create an empty database for it (CREATE DATABASE ...); only what the DDL created is dropped",
    ) as target:
        if target.family != traits.engine and {target.family, traits.engine} != {
            EngineName.MYSQL,
            EngineName.MARIADB,
        }:
            raise DbarchError(
                Diagnostic(
                    f"--dev-url is a {target.family.value} database but the migration is for {traits}",
                    field="--dev-url",
                    hint="give an empty database of the --engine's kind",
                )
            )
        try:
            if target.family == EngineName.SQLITE:
                target.conn.execute("PRAGMA foreign_keys = ON")
            _run(target, statements, file)
            catalog = introspect(url)
        finally:
            left = _drop_all(target)
        if left:
            raise DbarchError(
                Diagnostic(
                    f"the dev database {target.shown} could not be emptied again: {listed(left)} remain",
                    field="--dev-url",
                    hint="drop them by hand before the next run",
                )
            )
    # The dev database's statistics describe an empty copy, not the schema's data: none are kept.
    tables = tuple(
        replace(t, stats=None, columns=tuple(replace(c, stats=None) for c in t.columns))
        for t in catalog.tables
    )
    return replace(catalog, tables=tables, origin=file)
