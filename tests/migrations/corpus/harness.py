"""Run corpus pairs on real engines: create the current schema in a fresh database, plan the
migration with dbarchitect's own API (the path ``dbarch migrate --from URL --to desired.sql``
takes), apply the up-plan, compare catalog to catalog with the desired schema created directly,
apply the down-plan and compare with the start.

Outcomes, per pair and direction:
- ``exact``: the catalogs are equal (names of unnamed objects included);
- ``refused``: the planner refused (an error naming what it does not handle), or the plan lists
  what it leaves unplanned (``MigrationPlan.unplanned``) and the catalogs differ only there;
- ``failed``: a step failed to apply (or the planner crashed);
- ``different``: the plan applied, said nothing, and the catalogs differ: the worst outcome.

One database per engine and role (current, desired) is reused: it is emptied between pairs.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from dbarchitect import api
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import apply_mariadb, apply_postgres
from tests.engine_exec import mariadb_connect
from tests.migrations.corpus.catalogs import differences, mariadb_fingerprint, postgres_fingerprint
from tests.migrations.corpus.pairs import ROLES, Pair

ENGINES = {"postgresql": "postgresql 15", "mariadb": "mariadb 10.11"}
#: Outcomes from best to worst; "invalid" means the pair's own SQL does not run (a corpus bug).
RANK = {"exact": 0, "skipped": 0, "refused": 1, "failed": 2, "different": 3, "invalid": 4}


@dataclass
class Outcome:
    pair: str
    engine: str
    up: str
    down: str = "skipped"
    detail: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


# Empties a database back to what CREATE DATABASE gives (from template1), in one round trip.
_PG_RESET = """
do $$
declare r record;
begin
  for r in select extname from pg_extension where extname <> 'plpgsql' loop
    execute format('drop extension if exists %I cascade', r.extname);
  end loop;
  for r in select nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema',
           'pg_toast') and nspname not like 'pg_temp%' and nspname not like 'pg_toast_temp%' loop
    execute format('drop schema %I cascade', r.nspname);
  end loop;
end $$;
drop owned by dbarch_corpus_reader, dbarch_corpus_writer;
create schema public authorization pg_database_owner;
grant usage on schema public to public;
comment on schema public is 'standard public schema';
"""


class PostgresSide:
    """Two scratch databases on the server at ``url``: one migrated, one built from the desired DDL."""

    engine = "postgresql"

    def __init__(self, url: str, prefix: str) -> None:
        self.admin = url
        self.names = (f"{prefix}_cur", f"{prefix}_want", f"{prefix}_dev")
        with psycopg.connect(url, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'drop database if exists "{name}" with (force)')  # type: ignore[arg-type]
                conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
            for role in ROLES:
                exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
                if exists is None:
                    conn.execute(f'create role "{role}" nologin')  # type: ignore[arg-type]
        self.urls = tuple(_with_database(url, n) for n in self.names)
        self.conns = [psycopg.connect(u, autocommit=True) for u in self.urls]

    def reset(self, which: int) -> None:
        self.conns[which].execute(_PG_RESET)

    def run_sql(self, which: int, sql: str) -> None:
        self.conns[which].execute(sql)  # type: ignore[arg-type]

    def fingerprint(self, which: int) -> dict[str, str]:
        return postgres_fingerprint(self.conns[which])

    def apply(self, steps: Any) -> None:
        apply_postgres(self.urls[0], steps)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        with psycopg.connect(self.admin, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'drop database if exists "{name}" with (force)')  # type: ignore[arg-type]


#: The grant tables that hold privileges on one database's objects.
_MARIADB_GRANT_TABLES = ("db", "tables_priv", "columns_priv", "procs_priv")


class MariadbSide:
    engine = "mariadb"

    def __init__(self, url: str, prefix: str) -> None:
        self.names = (f"{prefix}_cur", f"{prefix}_want", f"{prefix}_dev")
        self.conn = mariadb_connect(url, multi_statements=True)
        with self.conn.cursor() as cur:
            for role in ROLES:
                cur.execute(f"create user if not exists '{role}'@'%'")
        self.urls = tuple(_with_database(url, n) for n in self.names)
        for which in (0, 1, 2):
            self.reset(which)

    def _exec(self, sql: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            while cur.nextset():
                pass

    def reset(self, which: int) -> None:
        name = self.names[which]
        # DROP DATABASE leaves the privileges granted on its tables, columns and routines in the
        # grant tables: a later pair's database of the same name would start with them.
        self._exec(
            f"drop database if exists `{name}`; create database `{name}`; "
            + "".join(f"delete from mysql.{t} where Db = '{name}'; " for t in _MARIADB_GRANT_TABLES)
            + "flush privileges"
        )

    def run_sql(self, which: int, sql: str) -> None:
        # As the mysql client runs a file: DELIMITER lines are the client's, not SQL.
        self._exec(f"use `{self.names[which]}`")
        for piece in split_script(sql, EngineName.MARIADB):
            if piece.kind == PieceKind.SQL:
                with self.conn.cursor() as cur:
                    cur.execute(piece.text)

    def fingerprint(self, which: int) -> dict[str, str]:
        return mariadb_fingerprint(self.conn, self.names[which])

    def apply(self, steps: Any) -> None:
        apply_mariadb(self.urls[0], steps)

    def close(self) -> None:
        for name in self.names:
            self._exec(f"drop database if exists `{name}`")
        self.conn.close()


Side = PostgresSide | MariadbSide


def open_side(engine: str, prefix: str, url: str | None = None) -> Side:
    if engine == "postgresql":
        return PostgresSide(url or os.environ["DBARCH_TEST_PG_URL"], prefix)
    return MariadbSide(url or os.environ["DBARCH_TEST_MARIADB_URL"], prefix)


def run_pair(side: Side, pair: Pair, workdir: Path, *, dev: bool = False) -> Outcome:
    """One pair; with ``dev`` the desired DDL is read through the scratch database (``--dev-url``),
    so both sides are compared as the engine keeps them."""
    start = time.monotonic()
    out = Outcome(pair.name, side.engine, "failed")
    for which in (0, 1, 2) if dev else (0, 1):
        side.reset(which)
    try:
        side.run_sql(0, pair.current)
        side.run_sql(1, pair.desired)
    except Exception as exc:
        out.up = "invalid"
        out.detail.append(f"the pair's own SQL failed: {exc}")
        return out
    before = side.fingerprint(0)
    want = side.fingerprint(1)
    desired = workdir / "desired.sql"
    desired.write_text(pair.desired, encoding="utf-8")
    try:
        plan = api.plan_schema_migration(
            side.urls[0],
            desired,
            ENGINES[side.engine],
            renames=pair.renames,
            allow_data_loss=pair.allow_data_loss,
            dev_url=side.urls[2] if dev else None,
        )
    except DbarchError as exc:
        out.up = "refused"
        out.detail.append(f"refused: {str(exc).splitlines()[0]}")
        out.seconds = time.monotonic() - start
        return out
    except Exception as exc:
        out.detail.append(f"planner crashed: {type(exc).__name__}: {exc}")
        out.seconds = time.monotonic() - start
        return out
    unplanned = tuple(getattr(plan, "unplanned", ()))
    try:
        side.apply(plan.steps)
    except Exception as exc:
        out.detail.append(f"up: {exc}")
        out.seconds = time.monotonic() - start
        return out
    after = side.fingerprint(0)
    diff = differences(want, after, ignore_order=tuple(plan.reordered_tables))
    if not diff:
        out.up = "exact"
    elif unplanned:
        out.up = "refused"
        out.detail.append("listed: " + "; ".join(unplanned))
    else:
        out.up = "different"
    out.detail.extend(f"up {d}" for d in diff)
    if out.up == "exact":
        try:
            side.apply(plan.down)
        except Exception as exc:
            out.down = "failed"
            out.detail.append(f"down: {exc}")
        else:
            back = side.fingerprint(0)
            diff = differences(before, back, ignore_order=tuple(plan.down_reordered_tables))
            if not diff:
                out.down = "exact"
            elif plan.irreversible or unplanned:
                out.down = "refused"
            else:
                out.down = "different"
            out.detail.extend(f"down {d}" for d in diff)
    out.seconds = time.monotonic() - start
    return out


def run_pairs(
    engine: str,
    pairs: Iterable[Pair],
    *,
    url: str | None = None,
    prefix: str | None = None,
    each: Callable[[Outcome], None] | None = None,
    dev: bool = False,
) -> list[Outcome]:
    """Run ``pairs`` on ``engine`` ('postgresql' or 'mariadb'; the server at ``url``, else the
    test server's variable), one outcome per pair."""
    side = open_side(engine, prefix or f"dbarch_corpus_{os.getpid()}", url)
    outcomes = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for pair in pairs:
                if pair.engine != engine:
                    continue
                outcome = run_pair(side, pair, Path(tmp), dev=dev)
                outcomes.append(outcome)
                if each is not None:
                    each(outcome)
    finally:
        side.close()
    return outcomes
