"""Migration benchmark (issue 4): naive single-statement DDL against dbarchitect's plan, under load.

For each change, twice (naive, then planned), on a fresh copy of the same database: a PostgreSQL
table ``items`` of ``--rows`` rows (and ``customers``, ``--parents`` rows, for the foreign key)
receives a steady stream of single-row writes (INSERT of a new row, then UPDATE of it) from a second
connection in its own thread, every write timed; the change is applied; then row counts and
per-column checksums (md5 of the values in key order) of the rows that existed before are compared.
The planned run applies every step of ``plan_migration`` as :mod:`dbarchitect.verify.rehearse` does
(its lock_timeout, transactions, batches, retries). The naive run is one statement with no
lock_timeout.

    .venv/bin/python bench/migrations/bench.py --server postgresql://postgres@127.0.0.1:5432/postgres \
        [--rows 5000000] [--parents 100000] [--only add-index,int-to-bigint]

Writes Markdown to stdout and bench/migrations/results/<timestamp>.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from dbarchitect.advisors.migrations import Step, plan_migration
from dbarchitect.advisors.migrations.plan import Phase
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import DdlKind
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName
from dbarchitect.model.ops import AlterColumnType
from dbarchitect.verify.rehearse import (
    LoadSpec,
    StepResult,
    WriteLoad,
    _checksums,
    _Db,
    apply_step,
    kept_columns,
)

HERE = Path(__file__).resolve().parent
TEMPLATE = "dbarch_bench_mig_template"
RUN_DB = "dbarch_bench_mig_run"

BASE = """
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE items (
  id bigint PRIMARY KEY, customer_id integer, qty integer, amount numeric(12,2) NOT NULL,
  note text, code integer
);
"""


@dataclass(frozen=True)
class Change:
    key: str
    title: str
    #: (search, replace) applied to BASE to get the target schema.
    edit: tuple[str, str]
    naive: str
    renames: tuple[tuple[str, str], ...] = ()


CHANGES = (
    Change(
        "add-index",
        "add index",
        ("code integer\n);\n", "code integer\n);\nCREATE INDEX items_customer_idx ON items (customer_id);\n"),
        "CREATE INDEX items_customer_idx ON items (customer_id)",
    ),
    Change(
        "add-foreign-key",
        "add foreign key",
        ("customer_id integer,", "customer_id integer REFERENCES customers (id),"),
        "ALTER TABLE items ADD CONSTRAINT items_customer_id_fkey FOREIGN KEY (customer_id) "
        "REFERENCES customers (id)",
    ),
    Change(
        "add-not-null-column",
        "add NOT NULL column with default",
        ("note text, code integer", "note text, code integer, flag integer NOT NULL DEFAULT 0"),
        "ALTER TABLE items ADD COLUMN flag integer NOT NULL DEFAULT 0",
    ),
    Change(
        "set-not-null",
        "set NOT NULL",
        ("qty integer,", "qty integer NOT NULL,"),
        "ALTER TABLE items ALTER COLUMN qty SET NOT NULL",
    ),
    Change(
        "int-to-bigint",
        "change int -> bigint",
        ("qty integer,", "qty bigint,"),
        "ALTER TABLE items ALTER COLUMN qty TYPE bigint",
    ),
    Change(
        "rename-column",
        "rename a column in use",
        ("note text,", "memo text,"),
        "ALTER TABLE items RENAME COLUMN note TO memo",
        renames=(("items.note", "memo"),),
    ),
    Change(
        "add-unique",
        "add a unique constraint",
        ("code integer", "code integer UNIQUE"),
        "ALTER TABLE items ADD CONSTRAINT items_code_key UNIQUE (code)",
    ),
)


@dataclass(frozen=True)
class Run:
    change: Change
    mode: str
    steps: tuple[StepResult, ...]
    seconds: float
    max_stall: float
    stall_at: str
    baseline_max: float
    writes: int
    failed_writes: int
    rows_lost: int
    columns_changed: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


def _url(server: str, db: str) -> str:
    return make_url(server).set(database=db).render_as_string(hide_password=False)


def build_template(server: str, rows: int, parents: int, autovacuum: bool = True) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RUN_DB)))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMPLATE)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
    with psycopg.connect(_url(server, TEMPLATE), autocommit=True) as conn:
        conn.execute(BASE)
        conn.execute(
            "INSERT INTO customers SELECT g, 'customer-' || g FROM generate_series(1, %s) g", (parents,)
        )
        conn.execute(
            "INSERT INTO items SELECT g, (g %% %s) + 1, g %% 1000, (g %% 100000) / 100.0, 'note-' || g, g "
            "FROM generate_series(1, %s) g",
            (parents, rows),
        )
        conn.execute("VACUUM ANALYZE")
        if not autovacuum:
            conn.execute("ALTER TABLE items SET (autovacuum_enabled = off)")


def fresh_copy(server: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RUN_DB)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(RUN_DB), sql.Identifier(TEMPLATE))
        )
    return _url(server, RUN_DB)


def naive_step(statement: str) -> Step:
    return Step(
        description=statement,
        sql=(statement,),
        phase=Phase.EXPAND,
        kind=DdlKind.ADD_COLUMN,
        lock="-",
        blocks_reads=True,
        blocks_writes=True,
        rewrites=False,
        scans=False,
        transactional=True,
        table=None,
        estimated_seconds=None,
        rollback_sql=(),
    )


def run_change(server: str, change: Change, mode: str, rows: int, parents: int, settle: float) -> Run:
    traits = get_traits("postgresql", "15")
    current = load_ddl(BASE, EngineName.POSTGRESQL)
    target = load_ddl(BASE.replace(*change.edit, 1), EngineName.POSTGRESQL)
    plan = plan_migration(
        current,
        target,
        traits,
        renames=dict(change.renames) or None,
        sizes={"items": float(rows), "customers": float(parents)},
    )
    steps = plan.steps if mode == "planned" else (naive_step(change.naive),)
    url = fresh_copy(server)
    db = _Db(url, EngineName.POSTGRESQL)
    load_db = _Db(url, EngineName.POSTGRESQL)
    load_db.execute("SET statement_timeout = '10min'")
    kept = [k for k in kept_columns(plan, current) if k.table.name.value == "items"]
    type_changed = {
        (op.table.key, op.old.name.key) for op in plan.operations if isinstance(op, AlterColumnType)
    }
    before = _checksums(db, kept[0], False, rows, traits, type_changed)

    def insert(k: int) -> tuple[str, list[Any]]:
        i = rows + k
        return (
            "INSERT INTO items (id, customer_id, qty, amount, code) VALUES (%s, %s, %s, %s, %s)",
            [i, (i % parents) + 1, i % 1000, 1, i],
        )

    def update(k: int) -> tuple[str, list[Any]]:
        return "UPDATE items SET amount = amount + 1 WHERE id = %s", [rows + k]

    zero = time.perf_counter()
    load = WriteLoad(load_db, insert, update, LoadSpec(max_seconds=3600, pause_s=0.005), zero)
    load.start()
    time.sleep(settle)
    started = time.perf_counter()
    results: list[StepResult] = []
    for i, step in enumerate(steps, start=1):
        if results and not results[-1].ok:
            break
        results.append(apply_step(db, i, step, traits, zero))
    seconds = time.perf_counter() - started
    time.sleep(settle)
    load.stop()
    start_at = started - zero
    baseline = [w.seconds for w in load.writes if w.started_at + w.seconds < start_at]
    during = [w for w in load.writes if w.started_at + w.seconds >= start_at]
    worst = max(during, key=lambda w: w.seconds, default=None)
    stall_at = "-"
    if worst is not None:
        for s in results:
            if (
                s.started_at <= worst.started_at + worst.seconds
                and worst.started_at <= s.started_at + s.seconds
            ):
                stall_at = f"step {s.number}" if mode == "planned" else "the statement"
                break
    after = _checksums(db, kept[0], True, rows, traits, type_changed)
    db.close()
    load_db.close()
    changed = tuple(n for n, v in before[1].items() if after[1].get(n) != v)
    return Run(
        change,
        mode,
        tuple(results),
        seconds,
        worst.seconds if worst else 0.0,
        stall_at,
        max(baseline, default=0.0),
        len(load.writes),
        sum(1 for w in load.writes if not w.ok),
        before[0] - after[0],
        changed,
    )


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(runs: list[Run], args: argparse.Namespace, server_version: str, build_s: float) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"# Migration benchmark, {now}",
        "",
        f"PostgreSQL {server_version}; `items` {args.rows:,} rows, `customers` {args.parents:,} rows "
        f"(built in {build_s:.0f} s); {platform.machine()}, Python {platform.python_version()}.",
        "Load: one connection in a thread, INSERT of a new row then UPDATE of it, 5 ms pause between "
        "writes, every write timed. Naive = the single statement, no lock_timeout; planned = every step of "
        "`plan_migration` (sizes given), applied like `dbarch migrate --rehearse`.",
        "Data check: row count and md5 per column (key order) of the rows that existed before.",
        *(["**Experiment: autovacuum disabled on `items`.**"] if args.no_autovacuum else []),
        "",
        "| change | mode | steps | total time | max write stall | stall in | slowest write before | "
        "writes (failed) | rows lost | columns changed | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        result = "ok" if r.ok else "FAILED: " + "; ".join(s.error or "" for s in r.steps if not s.ok)
        target = ""
        if r.mode == "planned":
            target = " (< 1 s)" if r.max_stall < 1 else " (**>= 1 s**)"
        out.append(
            f"| {r.change.title} | {r.mode} | {len(r.steps)} | {_fmt(r.seconds)} | "
            f"{_fmt(r.max_stall)}{target} | "
            f"{r.stall_at} | {_fmt(r.baseline_max)} | {r.writes:,} ({r.failed_writes:,}) | {r.rows_lost} | "
            f"{', '.join(r.columns_changed) or 'none'} | {result} |"
        )
    planned = [r for r in runs if r.mode == "planned"]
    worst = max(planned, key=lambda r: r.max_stall, default=None)
    out += [""]
    if worst is not None:
        ok = all(r.max_stall < 1 for r in planned)
        out.append(
            f"Every planned change kept max write stall under 1 s: **{'yes' if ok else 'no'}** "
            f"(worst: {worst.change.title}, {_fmt(worst.max_stall)})."
        )
    lost = sum(r.rows_lost for r in runs)
    changed = sum(len(r.columns_changed) for r in runs)
    out.append(f"Rows lost: {lost}; columns changed: {changed} (over all runs).")
    out.append("")
    out.append("Planned steps per change (time; tries):")
    out.append("")
    for r in planned:
        out.append(
            f"- {r.change.title}: "
            + "; ".join(f"{s.number}. {s.description} ({_fmt(s.seconds)}; {s.tries})" for s in r.steps)
        )
    out.append("")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", required=True, help="PostgreSQL server URL (any database; loopback)")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--parents", type=int, default=100_000)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds of load before and after")
    parser.add_argument("--only", default="", help="comma-separated change keys")
    parser.add_argument("--started", default="no", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-autovacuum", action="store_true", help="experiment: autovacuum off on items (not the default)"
    )
    args = parser.parse_args()
    changes = [c for c in CHANGES if not args.only or c.key in args.only.split(",")]
    t0 = time.perf_counter()
    print(f"building {args.rows:,} rows ...", file=sys.stderr, flush=True)
    build_template(args.server, args.rows, args.parents, autovacuum=not args.no_autovacuum)
    build_s = time.perf_counter() - t0
    with psycopg.connect(args.server) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        version = str(row[0]) if row else "?"
    runs: list[Run] = []
    for change in changes:
        for mode in ("naive", "planned"):
            print(f"{change.key} {mode} ...", file=sys.stderr, flush=True)
            run = run_change(args.server, change, mode, args.rows, args.parents, args.settle)
            print(
                f"  {_fmt(run.seconds)}, max stall {_fmt(run.max_stall)}, ok={run.ok}, lost={run.rows_lost}, "
                f"changed={run.columns_changed}",
                file=sys.stderr,
                flush=True,
            )
            runs.append(run)
    with psycopg.connect(args.server, autocommit=True) as conn:
        for db in (RUN_DB, TEMPLATE):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
    text = report(runs, args, version, build_s)
    sys.stdout.write(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.md").write_text(text)
    planned_ok = all(
        r.ok and r.max_stall < 1 and not r.rows_lost and not r.columns_changed
        for r in runs
        if r.mode == "planned"
    )
    return 0 if planned_ok else 1


if __name__ == "__main__":
    sys.exit(main())
