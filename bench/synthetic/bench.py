"""Synthetic-data benchmark (issue 5, section 3): rows per minute into PostgreSQL, and measured latency
against estimated latency.

1. Loads the brief's design (default: the shop example) into an empty database at the scale that gives
   ``--rows`` rows in all (default 1,000,000), through :func:`dbarchitect.verify.replay.verify_design`
   (schema, synthetic data by ``COPY``, ``ANALYZE``, workload replay), and reports rows/minute of the
   generation (schema creation excluded, the Python generator included) against the issue's target of
   1,000,000 rows/minute.
2. Baseline in the same run: the same generator, the same rows, into a second empty database with
   plain ``INSERT`` through ``executemany`` (psycopg 3; batches of 5,000 rows in one transaction per
   table) instead of ``COPY``; and the generator alone (no database) to show where the time goes.
3. Estimated latency per statement: the built-in cost model on the catalog with the sizes actually
   loaded (rows and distinct counts as generated), in PostgreSQL planner units, times the project's
   engine's shipped ``ms_per_cost_unit`` (its latency model, docs/latency.md). The distribution of
   measured p95 / estimate is printed with how many statements are within 2x (the issue's target).

    .venv/bin/python bench/synthetic/bench.py --server postgresql://postgres@127.0.0.1:5432/postgres \
        [--brief examples/shop/brief.yaml] [--rows 1000000] [--seconds 2] [--seed 0]

Writes Markdown to stdout and bench/synthetic/results/<timestamp>.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.cost import WhatIfCost
from dbarchitect.api import inspect_brief
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Column, Table, TableStats
from dbarchitect.model.names import EngineName
from dbarchitect.verify.replay import RATIO_TARGET, Verification, verification_markdown, verify_design
from dbarchitect.verify.synthetic import (
    Generation,
    Loader,
    PostgresLoader,
    generate,
    scaled_distinct,
    scaled_rows,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUN_DB = "dbarch_bench_syn_copy"
BASE_DB = "dbarch_bench_syn_insert"
TARGET_ROWS_PER_MIN = 1_000_000


def with_db(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def fresh_db(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_db(server, name)


def drop_db(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


class InsertLoader(PostgresLoader):
    """The baseline: plain INSERT ... VALUES through executemany instead of COPY."""

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self.insert_sql(table, columns), rows)


class NullLoader(Loader):
    """No database: measures the generator alone."""

    family = EngineName.POSTGRESQL

    def execute_script(self, sql: str) -> None:
        pass

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        pass

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        pass


def per_min(g: Generation) -> float:
    return g.rows_per_second * 60


def loaded_catalog(catalog: Catalog, scale: float, g: Generation) -> Catalog:
    """The catalog with the sizes actually generated, for estimates comparable with the measurements."""
    rows = {t.table: t.rows for t in g.tables}
    for table in catalog.tables:
        n = rows.get(table.name.value, scaled_rows(table, scale)[0])
        columns = tuple(
            replace(c, stats=replace(c.stats, distinct=scaled_distinct(c.stats.distinct, scale, n)))
            if c.stats is not None and c.stats.distinct is not None
            else c
            for c in table.columns
        )
        catalog = catalog.replace_table(replace(table, columns=columns, stats=TableStats(rows=float(n))))
    return catalog


def estimates_ms(catalog: Catalog, inspection_workload: Any, traits: EngineTraits) -> dict[str, float]:
    cost = WhatIfCost(BuiltinCostModel(catalog, traits), inspection_workload, catalog)
    return {
        name: c.cost * traits.latency.ms_per_cost_unit
        for name, c in cost.statement_costs(()).items()
        if c.error is None and c.cost != float("inf")
    }


def round_trip_ms(url: str, runs: int = 300) -> float:
    """Median of ``SELECT 1`` on the scratch database: the client/server round trip that planner costs
    leave out."""
    times: list[float] = []
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(runs):
            t0 = time.perf_counter()
            conn.execute("SELECT 1").fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times)


def server_settings(url: str) -> str:
    names = ("server_version", "shared_buffers", "work_mem", "max_wal_size", "synchronous_commit", "fsync")
    with psycopg.connect(url) as conn:
        values = [conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(n))).fetchone() for n in names]
    return ", ".join(f"{n}={v[0] if v else '?'}" for n, v in zip(names, values, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="PostgreSQL URL with rights to create databases")
    parser.add_argument("--started", default="no", help="yes when run.sh started a throwaway server")
    parser.add_argument("--brief", default="examples/shop/brief.yaml")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate in all")
    parser.add_argument("--seconds", type=float, default=2.0, help="replay seconds per statement")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    inspection = inspect_brief(args.brief)
    catalog, workload, traits = inspection.catalog, inspection.workload, inspection.traits
    briefed = sum(scaled_rows(t, 1.0)[0] for t in catalog.tables)
    scale = args.rows / briefed
    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    say(f"# Synthetic data benchmark ({stamp})")
    say()
    say(
        f"Brief: {args.brief}"
        f" ({briefed:,} rows at full size); scale {scale:.6g} for {args.rows:,} rows; seed {args.seed}."
    )
    say(
        f"Machine: {platform.machine()}, {platform.processor() or '?'}, Python {platform.python_version()}; "
        f"server started by run.sh: {args.started}."
    )
    say(f"PostgreSQL: {server_settings(args.server)}.")
    say()

    # 1. ours: verify_design (COPY), with replay
    url = fresh_db(args.server, RUN_DB)
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  {phase}: {done:,}/{total:,}", flush=True)

    t0 = time.perf_counter()
    first: Verification = verify_design(
        catalog, workload, traits, url=url, scale=scale, seconds_per_statement=args.seconds,
        repetitions=100_000, seed=args.seed, progress=progress,
    )  # fmt: skip
    total_s = time.perf_counter() - t0
    g = first.generation
    # estimates on the sizes actually loaded; the report is re-rendered with them
    estimates = estimates_ms(loaded_catalog(catalog, scale, g), workload, traits)
    statements = tuple(replace(s, estimated_ms=estimates.get(s.name)) for s in first.statements)
    v = replace(first, statements=statements)
    floor = round_trip_ms(url)
    drop_db(args.server, RUN_DB)

    # 2. baselines, same generator and seed
    base_url = fresh_db(args.server, BASE_DB)
    with psycopg.connect(base_url, autocommit=True) as conn:
        base = generate(catalog, InsertLoader(conn, traits), scale=scale, seed=args.seed).generation
    drop_db(args.server, BASE_DB)
    alone = generate(catalog, NullLoader(None, traits), scale=scale, seed=args.seed).generation

    say("## Rows per minute into PostgreSQL")
    say()
    say("| load path | rows | seconds | rows/min | vs target 1M rows/min | vs INSERT baseline |")
    say("|---|---:|---:|---:|---:|---:|")
    for label, gen in (
        ("ours: generator + COPY", g),
        ("baseline: generator + INSERT executemany", base),
        ("generator alone (no database)", alone),
    ):
        load_s = gen.seconds - gen.schema_seconds
        verdict = "PASS" if per_min(gen) >= TARGET_ROWS_PER_MIN else "MISS"
        say(
            f"| {label} | {gen.rows:,} | {load_s:.1f} | {per_min(gen):,.0f} | "
            f"{per_min(gen) / TARGET_ROWS_PER_MIN:.2f}x {verdict if gen is g else ''} | "
            f"{per_min(gen) / per_min(base):.2f}x |"
        )
    say()
    say(
        f"Rows dropped by the generator (unique keys, checks): {g.rejected:,}. Verification in all "
        f"(schema, data, ANALYZE, replay of {len(v.statements)} statements, {args.seconds:g} s each): "
        f"{total_s:.0f} s."
    )
    say()

    say("## Measured p95 / estimated latency")
    say()
    pairs = [(s, s.p95_ms, s.estimated_ms) for s in v.statements if s.p95_ms and s.estimated_ms is not None]
    say(
        "Estimate: the built-in cost model on the loaded sizes x the engine's shipped ms per cost unit "
        "(its latency model). Planner costs leave out the client/server round "
        "trip, so a second column adds the round trip measured in this run "
        f"(median of SELECT 1: {floor:.3f} ms)."
    )
    say()
    for label, extra in (("estimate", 0.0), ("estimate + round trip", floor)):
        ratios = [p95 / (est + extra) for _, p95, est in pairs if est + extra > 0]
        if not ratios:
            continue
        within = sum(1 for r in ratios if 1 / RATIO_TARGET <= r <= RATIO_TARGET)
        verdict = "PASS" if within > len(ratios) / 2 else "MISS"
        say(
            f"- {label}: {within} of {len(ratios)} statements within 2x ({verdict} for 'most statements'); "
            f"ratio min {min(ratios):.3g}, median {statistics.median(ratios):.3g}, max {max(ratios):.3g}."
        )
    say()
    say("| statement | p95 ms | estimate ms | ratio | estimate + round trip ms | ratio |")
    say("|---|---:|---:|---:|---:|---:|")
    for s, p95, est in pairs:
        ratio = f"{p95 / est:.3g}" if est > 0 else "-"
        say(f"| {s.name} | {p95:.3f} | {est:.3f} | {ratio} | {est + floor:.3f} | {p95 / (est + floor):.3g} |")
    say()
    say("## The verification report")
    say()
    for line in verification_markdown(v).splitlines():
        say(line.replace("# Verification", "### Verification", 1) if line.startswith("# ") else line)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"{stamp}.md").write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
