"""Migration benchmark (issues 4 and 12): naive DDL, a hand-written key-range backfill and
dbarchitect's plan, each under the application's load, on a PostgreSQL table of ``--rows`` rows.

For each change, on a fresh copy of the same database (``CREATE DATABASE ... TEMPLATE``): ``items``
(``--rows`` rows) and ``customers`` (``--parents`` rows, for the foreign key) are written and read by
the rehearsal's load (:mod:`dbarchitect.verify.rehearse.load`: open loop, ``--write-rate`` writes and
``--read-rate`` reads per second on every table the plan touches, each operation timed from when it
was due), the change is applied, then row counts and per-column checksums (md5 of the values in key
order) of the rows that existed before are compared.

Modes:

- **naive**: the single statement, no lock_timeout;
- **planned**: every step of ``plan_migration``, applied as ``dbarch migrate --rehearse`` applies them
  (lock_timeout, transactions, retries; the backfill is the planner's DO block: key ranges, a 50 ms
  batch time target, a pause after each batch);
- **hand-written** (the changes with a backfill): the same plan, its backfill replaced by what a
  careful engineer writes by hand: ``UPDATE ... WHERE id BETWEEN lo AND lo + 4999 AND <pending>`` in
  a loop, each batch committed, no pause — the baseline of the acceptance criteria (planned total
  time within 1.5x of it, max write stall <= 200 ms, 0 failed writes, checksums equal).

    .venv/bin/python bench/migrations/bench.py --server postgresql://postgres@127.0.0.1:5432/postgres \\
        [--rows 5000000] [--parents 100000] [--only int-to-bigint,volatile-default]

Writes Markdown to stdout and bench/migrations/results/<timestamp>.md; exits 1 when a planned change
misses the targets.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from dbarchitect.advisors.migrations import Step, plan_migration
from dbarchitect.advisors.migrations.plan import MigrationPlan, Phase
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import DdlKind
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName
from dbarchitect.model.ops import AlterColumnType
from dbarchitect.verify.rehearse import (
    LoadSpec,
    Operation,
    ScratchDb,
    StepResult,
    TableRates,
    apply_step,
    checksums,
    kept_columns,
)
from dbarchitect.verify.rehearse.load import build_load

HERE = Path(__file__).resolve().parent
TEMPLATE = "dbarch_bench_mig_template"
RUN_DB = "dbarch_bench_mig_run"
#: Rows per batch of the hand-written backfill (the issue's "5k-row key-range batches").
HAND_BATCH = 5_000
#: The acceptance targets.
MAX_STALL_S = 0.200
MAX_TIME_RATIO = 1.5

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
    #: The changes whose plan backfills: also run with a hand-written backfill.
    backfill: bool = False


CHANGES = (
    Change(
        "int-to-bigint",
        "change int -> bigint",
        ("qty integer,", "qty bigint,"),
        "ALTER TABLE items ALTER COLUMN qty TYPE bigint",
        backfill=True,
    ),
    Change(
        "volatile-default",
        "add a column with a volatile default",
        ("note text, code integer", "note text, code integer, rnd double precision DEFAULT random()"),
        "ALTER TABLE items ADD COLUMN rnd double precision DEFAULT random()",
        backfill=True,
    ),
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
        "set-not-null",
        "set NOT NULL",
        ("qty integer,", "qty integer NOT NULL,"),
        "ALTER TABLE items ALTER COLUMN qty SET NOT NULL",
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
    change: Change | None
    mode: str
    steps: tuple[StepResult, ...]
    seconds: float
    backfill_seconds: float
    operations: tuple[Operation, ...]
    migration_started_at: float
    rows_lost: int
    columns_changed: tuple[str, ...]
    #: The machine's 1-minute load average after the run (2 cores: above 2, processes wait for a CPU).
    load_average: float = 0.0

    @property
    def title(self) -> str:
        return self.change.title if self.change is not None else "no migration (the load alone)"

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    def _during(self, write: bool) -> list[Operation]:
        return [
            o
            for o in self.operations
            if o.is_write == write
            and o.started_at + o.seconds >= self.migration_started_at
            and o.started_at <= self.migration_started_at + self.seconds
        ]

    @property
    def max_write_stall(self) -> float:
        return max((o.seconds for o in self._during(True)), default=0.0)

    @property
    def max_read_stall(self) -> float:
        return max((o.seconds for o in self._during(False)), default=0.0)

    @property
    def baseline_write(self) -> float:
        return max(
            (o.seconds for o in self.operations if o.is_write and o.started_at < self.migration_started_at),
            default=0.0,
        )

    @property
    def writes(self) -> int:
        return sum(1 for o in self.operations if o.is_write)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.operations if not o.ok)

    def stall_step(self) -> str:
        worst = max(self._during(True), key=lambda o: o.seconds, default=None)
        if worst is None:
            return "-"
        for s in self.steps:
            if (
                s.started_at <= worst.started_at + worst.seconds
                and worst.started_at <= s.started_at + s.seconds
            ):
                return f"step {s.number}" if self.mode != "naive" else "the statement"
        return "between steps"


def _url(server: str, db: str) -> str:
    return make_url(server).set(database=db).render_as_string(hide_password=False)


def build_template(server: str, rows: int, parents: int) -> None:
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


def _pending(step: Step) -> tuple[str, str]:
    """The planner's backfill as (SET ..., pending condition), read back from its DO block."""
    block = step.sql[0]
    update = block[block.index("UPDATE ") :]
    update = update[: update.index(";")]
    assignment = update[update.index(" SET ") + 5 : update.index("\n")].strip()
    pending = update[update.rindex("AND (") + 5 : update.rindex(")")]
    return assignment, pending


def handwritten(db: ScratchDb, number: int, step: Step, zero: float) -> StepResult:
    """The backfill as written by hand: 5,000-key ranges in a loop, each committed, no pause."""
    assignment, pending = _pending(step)
    started = time.perf_counter()
    low, high = db.query("SELECT min(id), max(id) FROM items")[0]
    batches = 0
    for lo in range(int(low), int(high) + 1, HAND_BATCH):
        db.execute(
            f"UPDATE items SET {assignment} WHERE id BETWEEN %s AND %s AND ({pending})",
            (lo, lo + HAND_BATCH - 1),
        )
        batches += 1
    return StepResult(
        number,
        f"{step.description} (by hand)",
        True,
        time.perf_counter() - started,
        1,
        batches,
        None,
        started - zero,
    )


def run_change(server: str, change: Change, mode: str, args: argparse.Namespace) -> Run:
    traits = get_traits("postgresql", "15")
    current = load_ddl(BASE, EngineName.POSTGRESQL)
    target = load_ddl(BASE.replace(*change.edit, 1), EngineName.POSTGRESQL)
    plan = plan_migration(
        current,
        target,
        traits,
        renames=dict(change.renames) or None,
        sizes={"items": float(args.rows), "customers": float(args.parents)},
    )
    steps = plan.steps if mode != "naive" else (naive_step(change.naive),)
    url = fresh_copy(server)
    db = ScratchDb(url, EngineName.POSTGRESQL)
    kept = [k for k in kept_columns(plan, current) if k.table.name.value == "items"]
    type_changed = {
        (op.table.key, op.old.name.key) for op in plan.operations if isinstance(op, AlterColumnType)
    }
    spec = LoadSpec(
        rates={
            "items": TableRates(args.write_rate, args.read_rate, "bench"),
            "customers": TableRates(args.write_rate, args.read_rate, "bench"),
        },
        max_seconds=3600,
        settle_s=args.settle,
    )
    zero = time.perf_counter()
    load, limits = build_load(db, current, _as_plan(plan, steps), traits, spec, zero, args.rows, True)
    before = checksums(db, kept[0], False, limits.get("items", args.rows), traits, type_changed)
    load.start()
    time.sleep(args.settle)
    started = time.perf_counter()
    results: list[StepResult] = []
    backfill_seconds = 0.0
    for i, step in enumerate(steps, start=1):
        if results and not results[-1].ok:
            break
        if mode == "hand-written" and step.kind == DdlKind.BACKFILL:
            result = handwritten(db, i, step, zero)
        else:
            result = apply_step(db, i, step, traits, zero)
        if step.kind == DdlKind.BACKFILL:
            backfill_seconds += result.seconds
        results.append(result)
    seconds = time.perf_counter() - started
    time.sleep(args.settle)
    load.stop()
    after = checksums(db, kept[0], True, limits.get("items", args.rows), traits, type_changed)
    db.close()
    changed = tuple(n for n, v in before[1].items() if after[1].get(n) != v)
    return Run(
        change,
        mode,
        tuple(results),
        seconds,
        backfill_seconds,
        tuple(load.operations),
        started - zero,
        before[0] - after[0],
        changed,
        os.getloadavg()[0],
    )


def run_idle(server: str, seconds: float, args: argparse.Namespace) -> Run:
    """The load alone for ``seconds`` on a fresh copy: the stalls the machine and the server cause
    with no migration running (the baseline the planned stalls are read against)."""
    traits = get_traits("postgresql", "15")
    current = load_ddl(BASE, EngineName.POSTGRESQL)
    target = load_ddl(BASE.replace(*CHANGES[0].edit, 1), EngineName.POSTGRESQL)
    plan = plan_migration(current, target, traits, sizes={"items": float(args.rows)})
    db = ScratchDb(fresh_copy(server), EngineName.POSTGRESQL)
    spec = LoadSpec(
        rates={"items": TableRates(args.write_rate, args.read_rate, "bench")}, max_seconds=3600, settle_s=0
    )
    zero = time.perf_counter()
    load, _ = build_load(db, current, plan, traits, spec, zero, args.rows, True)
    load.start()
    time.sleep(args.settle)
    started = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - started
    time.sleep(args.settle)
    load.stop()
    db.close()
    return Run(
        None, "idle", (), elapsed, 0.0, tuple(load.operations), started - zero, 0, (), os.getloadavg()[0]
    )


def _as_plan(plan: MigrationPlan, steps: tuple[Step, ...]) -> MigrationPlan:
    """The plan as the load sees it: its operations (which tables it touches) with these steps."""
    return replace(plan, steps=steps)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(runs: list[Run], args: argparse.Namespace, server_version: str, build_s: float) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"# Migration benchmark, {now}",
        "",
        f"PostgreSQL {server_version}; `items` {args.rows:,} rows, `customers` {args.parents:,} rows "
        f"(built in {build_s:.0f} s); {platform.machine()}, Python {platform.python_version()}.",
        f"Load: the rehearsal's (open loop, every operation timed from when it was due) on every table the "
        f"plan touches, {args.write_rate:,.0f} writes/s (INSERT a new row, UPDATE it) and "
        f"{args.read_rate:,.0f} reads/s (SELECT by key) each. Naive = the single statement, no lock_timeout; "
        "planned = every step of `plan_migration` (sizes given), applied like `dbarch migrate --rehearse`; "
        f"hand-written = the same plan with its backfill replaced by {HAND_BATCH:,}-key ranges in a loop, "
        "each committed, no pause.",
        "Data check: row count and md5 per column (key order) of the rows that existed before.",
        "",
        "| change | mode | steps | total time | backfill | max write stall | stall in | max read stall | "
        "slowest write before | writes | failed ops | rows lost | columns changed | load avg | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        result = "ok" if r.ok else "FAILED: " + "; ".join(s.error or "" for s in r.steps if not s.ok)
        out.append(
            f"| {r.title} | {r.mode} | {len(r.steps)} | {_fmt(r.seconds)} | "
            f"{_fmt(r.backfill_seconds) if r.backfill_seconds else '-'} | {_fmt(r.max_write_stall)} | "
            f"{r.stall_step()} | {_fmt(r.max_read_stall)} | {_fmt(r.baseline_write)} | {r.writes:,} | "
            f"{r.failed:,} | {r.rows_lost} | {', '.join(r.columns_changed) or 'none'} | "
            f"{r.load_average:.1f} | {result} |"
        )
    out += [
        "",
        "## Acceptance (issue 12): planned backfills against the hand-written baseline of the same run",
        "",
    ]
    out += [
        "| change | planned total | hand-written total | ratio (target <= 1.5) | planned max write stall "
        "(target <= 200 ms) | failed ops | checksums | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for change in CHANGES:
        planned = next((r for r in runs if r.change is change and r.mode == "planned"), None)
        hand = next((r for r in runs if r.change is change and r.mode == "hand-written"), None)
        if planned is None or hand is None:
            continue
        ratio = planned.seconds / hand.seconds if hand.seconds else float("inf")
        good = (
            planned.ok
            and ratio <= MAX_TIME_RATIO
            and planned.max_write_stall <= MAX_STALL_S
            and planned.failed == 0
            and not planned.rows_lost
            and not planned.columns_changed
        )
        out.append(
            f"| {change.title} | {_fmt(planned.seconds)} | {_fmt(hand.seconds)} | {ratio:.2f} | "
            f"{_fmt(planned.max_write_stall)} (hand-written: {_fmt(hand.max_write_stall)}) | "
            f"{planned.failed} | "
            f"{'equal' if not planned.columns_changed and not planned.rows_lost else 'DIFFER'} | "
            f"{'PASS' if good else 'MISS'} |"
        )
    idle = next((r for r in runs if r.mode == "idle"), None)
    if idle is not None:
        out += [
            "",
            f"Baseline of the same run, the load alone for {_fmt(idle.seconds)} with no migration: max write "
            f"stall {_fmt(idle.max_write_stall)}, max read stall {_fmt(idle.max_read_stall)} (load average "
            f"{idle.load_average:.1f} on {os.cpu_count()} CPUs): stalls up to this size come from the "
            "machine, not from the plan.",
        ]
    lost = sum(r.rows_lost for r in runs)
    changed = sum(len(r.columns_changed) for r in runs)
    out += [
        "",
        f"Rows lost: {lost}; columns changed: {changed} (over all runs).",
        "",
        "Steps per run (time; tries; batches):",
        "",
    ]
    for r in runs:
        if r.mode in ("naive", "idle"):
            continue
        out.append(
            f"- {r.title}, {r.mode}: "
            + "; ".join(
                f"{s.number}. {s.description} ({_fmt(s.seconds)}; {s.tries}"
                + (f"; {s.batches:,} batches" if s.batches else "")
                + (
                    f"; slowest batch {_fmt(s.backfill.slowest_seconds)}, settled at "
                    f"{s.backfill.last_batch_rows:,} rows, paused {_fmt(s.backfill.paused_seconds)}"
                    if s.backfill
                    else ""
                )
                + ")"
                for s in r.steps
            )
        )
    out += ["", "Slowest writes per run (kind, table, due at, time; the run's migration started at):", ""]
    for r in runs:
        slow = sorted((o for o in r.operations if o.is_write), key=lambda o: -o.seconds)[:5]
        listed = ", ".join(f"{o.kind} {o.table} at {o.started_at:.2f} s: {_fmt(o.seconds)}" for o in slow)
        out.append(f"- {r.title}, {r.mode} (started at {r.migration_started_at:.2f} s): {listed}")
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
    parser.add_argument("--write-rate", type=float, default=200.0, help="writes per second per table")
    parser.add_argument("--read-rate", type=float, default=200.0, help="reads per second per table")
    parser.add_argument("--only", default="", help="comma-separated change keys")
    parser.add_argument(
        "--idle",
        type=float,
        default=60.0,
        help="seconds of load with no migration first (the baseline; 0: none)",
    )
    parser.add_argument("--started", default="no", help=argparse.SUPPRESS)
    args = parser.parse_args()
    changes = [c for c in CHANGES if not args.only or c.key in args.only.split(",")]
    t0 = time.perf_counter()
    print(f"building {args.rows:,} rows ...", file=sys.stderr, flush=True)
    build_template(args.server, args.rows, args.parents)
    build_s = time.perf_counter() - t0
    with psycopg.connect(args.server) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        version = str(row[0]) if row else "?"
    runs: list[Run] = []
    if args.idle > 0:
        print(f"idle load for {args.idle:.0f} s ...", file=sys.stderr, flush=True)
        runs.append(run_idle(args.server, args.idle, args))
    for change in changes:
        modes = ("naive", "hand-written", "planned") if change.backfill else ("naive", "planned")
        for mode in modes:
            print(f"{change.key} {mode} ...", file=sys.stderr, flush=True)
            run = run_change(args.server, change, mode, args)
            print(
                f"  {_fmt(run.seconds)}, max write stall {_fmt(run.max_write_stall)}, ok={run.ok}, "
                f"failed={run.failed}, lost={run.rows_lost}, changed={run.columns_changed}",
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
        r.ok and r.max_write_stall < 1 and not r.rows_lost and not r.columns_changed and r.failed == 0
        for r in runs
        if r.mode == "planned"
    )
    return 0 if planned_ok else 1


if __name__ == "__main__":
    sys.exit(main())
