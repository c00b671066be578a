"""Latency calibration (issue 5): fit each engine's latency model on the micro-workload, then measure
how well it carries over to the five example briefs it was never fitted on.

1. For each engine named (PostgreSQL, MariaDB and SQLite by default): ``dbarch calibrate`` on a fresh
   scratch database (SQLite: a temporary file) - the fitted model's report goes to
   ``results/calibration-<engine>.md`` and the model to ``results/<engine>.json`` (what
   ``--calibration FILE`` reads and what the engine modules' shipped constants are copied from).
2. Held out: ``dbarch verify`` of every example (shop, saas, iot, tpch, blog) on that engine, each on
   a fresh scratch database, with the model just fitted, at the scales below (small enough to run in
   minutes, large enough for each table to be more than a page); per example and in all, the measured
   p95 / estimated p95 distribution (min, p25, median, p75, max, count within 2x), the same for
   medians, and every statement. Written to ``results/heldout-<engine>.md``.

    .venv/bin/python bench/calibration/bench.py --pg postgresql://postgres@127.0.0.1:5432/postgres \\
        --mariadb mysql://root@127.0.0.1:3306/ [--engines postgresql,mariadb,sqlite] [--scale 1]
        [--seconds 2] [--repetitions 300] [--examples shop,saas,iot,tpch,blog] [--shipped]

``--shipped`` skips step 1 and verifies with the engines' shipped models (the constants in
``src/dbarchitect/engines``), to check them. Every engine verifies every example (their SQL is
translated to the engine's, as ``dbarch verify`` does); a statement the engine cannot run is reported
with its error and left out of the ratios.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pymysql
from psycopg import sql
from sqlalchemy.engine import make_url

from dbarchitect import api
from dbarchitect.engines.traits import LatencyModel
from dbarchitect.verify.calibration import calibration_markdown, latency_model_json, load_latency_model
from dbarchitect.verify.replay import RATIO_TARGET, Verification, is_within_target, percentile, ratio_summary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results"
#: The baseline: the slo-latency rule's estimate before the latency model, planner cost x this many
#: ms (one constant measured on PostgreSQL 15, applied to every engine).
BASELINE_MS_PER_UNIT = 0.003
#: Example -> scale for the held-out verification.
SCALES = {"shop": 0.002, "saas": 0.0002, "iot": 0.0001, "tpch": 0.01, "blog": 1.0}


def scratch_pg(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def scratch_mariadb(server: str, name: str) -> str:
    url = make_url(server)
    conn = pymysql.connect(
        host=url.host, port=url.port or 3306, user=url.username or "root", password=url.password or ""
    )
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}`")
    finally:
        conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


def scratch(engine: str, servers: dict[str, str], name: str) -> str | None:
    if engine == "sqlite":
        return None
    if engine == "postgresql":
        return scratch_pg(servers["postgresql"], name)
    return scratch_mariadb(servers["mariadb"], name)


def distribution(ratios: Sequence[float]) -> str:
    r = sorted(ratios)
    if not r:
        return "no estimates"
    within = sum(1 for x in r if is_within_target(x))
    return (
        f"{within} of {len(r)} within {RATIO_TARGET:g}x ({100 * within / len(r):.0f}%); min {r[0]:.3g}, "
        f"p25 {percentile(r, 0.25):.3g}, median {percentile(r, 0.5):.3g}, p75 {percentile(r, 0.75):.3g}, "
        f"max {r[-1]:.3g}"
    )


def heldout(
    engine: str,
    servers: dict[str, str],
    examples: Sequence[str],
    model: LatencyModel | None,
    calibration: Path | None,
    seconds: float,
    repetitions: int,
) -> str:
    lines: list[str] = []
    runs: list[tuple[str, Verification]] = []
    for example in examples:
        url = scratch(engine, servers, f"dbarch_bench_cal_{example}")
        started = time.perf_counter()
        v = api.verify_brief(
            ROOT / "examples" / example / "brief.yaml",
            engine_url=url,
            scale=SCALES[example],
            seconds_per_statement=seconds,
            repetitions=repetitions,
            calibration=calibration,
        )
        print(
            f"{engine} {example}: x{v.speed_factor:.2f} {ratio_summary(v)} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        runs.append((example, v))
    every = [r for _, v in runs for r in v.ratios]
    medians = [r for _, v in runs for s in v.statements if (r := s.median_ratio) is not None]
    lines += [
        f"## Held out on {runs[0][1].engine if runs else engine} ({runs[0][1].server if runs else ''})",
        "",
        f"Latency model: {model.source if model is not None else 'shipped'}.",
        "",
        f"**All examples, measured p95 / estimated p95: {distribution(every)}.**",
        f"Measured p50 / estimated median: {distribution(medians)}.",
        f"Baseline, the same run estimated as before calibration (built-in cost x {BASELINE_MS_PER_UNIT} ms "
        f"per unit, no fixed or write terms; a cost of 0 estimates nothing and counts as a miss): "
        f"{baseline(runs)}.",
    ]
    planner = [r for _, v in runs for s in v.statements if (r := s.planner_ratio) is not None]
    if planner:
        lines.append(
            f"From the engine's own plan costs (EXPLAIN on the loaded data x ms_per_cost_unit), measured "
            f"p95 / estimated p95: {distribution(planner)}."
        )
        for example, v in runs:
            mine = [r for s in v.statements if (r := s.planner_ratio) is not None]
            lines.append(f"- {example}: {distribution(mine)}")
    lines += [
        "",
        "| example | scale | rows | probe ms | model scaled | p95 ratio distribution "
        "| p50 ratio distribution |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for example, v in runs:
        p50 = [r for s in v.statements if (r := s.median_ratio) is not None]
        lines.append(
            f"| {example} | {v.scale:g} | {v.generation.rows:,} | {v.probe_ms:.4f} | x{v.speed_factor:.2f} | "
            f"{distribution(v.ratios)} | {distribution(p50)} |"
        )
    for example, v in runs:
        lines += [
            "",
            f"### {example}",
            "",
            "| statement | p50 ms | est. median | p95 ms | est. p95 | p95 ratio | planner est. p95 "
            "| planner ratio | estimate |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for s in v.statements:
            ratio = f"{s.ratio:.2f}" if s.ratio is not None else "-"
            flag = "" if s.ratio is not None and is_within_target(s.ratio) else " **"
            detail = (f"error: {s.error}" if s.error else s.estimate_detail or "").replace("|", "\\|")
            lines.append(
                f"| {s.name}{flag} | {fmt(s.p50_ms)} | {fmt(s.estimated_p50_ms)} | {fmt(s.p95_ms)} | "
                f"{fmt(s.estimated_ms)} | {ratio} | {fmt(s.planner_estimated_ms)} | "
                f"{'-' if s.planner_ratio is None else format(s.planner_ratio, '.2f')} | {detail} |"
            )
        if v.notes:
            lines += [""] + [f"- {n}" for n in v.notes]
    return "\n".join(lines) + "\n"


def baseline(runs: Sequence[tuple[str, Verification]]) -> str:
    """Measured p95 against the one-constant estimate the design rule used before the latency model
    (cost x :data:`BASELINE_MS_PER_UNIT`), over the same statements as the model's ratios."""
    ratios: list[float] = []
    unestimated = 0
    for _, v in runs:
        for s in v.statements:
            if s.ratio is None or s.p95_ms is None or s.estimated_cost is None:
                continue
            if s.estimated_cost <= 0:
                unestimated += 1
            else:
                ratios.append(s.p95_ms / (s.estimated_cost * BASELINE_MS_PER_UNIT))
    within = sum(1 for x in ratios if is_within_target(x))
    total = len(ratios) + unestimated
    return (
        f"{within} of {total} within {RATIO_TARGET:g}x ({100 * within / total:.0f}%); "
        f"{unestimated} estimated at 0 ms; {distribution(ratios)}"
        if total
        else "no estimates"
    )


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg", default=None, help="PostgreSQL server URL (a database the user may CREATE DATABASE from)"
    )
    parser.add_argument("--mariadb", default=None, help="MariaDB server URL (mysql://root@host:port/)")
    parser.add_argument("--engines", default="postgresql,mariadb,sqlite")
    parser.add_argument("--examples", default=None)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repetitions", type=int, default=300)
    parser.add_argument("--verify-seconds", type=float, default=1.0)
    parser.add_argument("--verify-repetitions", type=int, default=200)
    parser.add_argument(
        "--shipped", action="store_true", help="verify with the shipped models; no calibration"
    )
    args = parser.parse_args(argv)
    servers = {k: v for k, v in (("postgresql", args.pg), ("mariadb", args.mariadb)) if v}
    RESULTS.mkdir(exist_ok=True)
    machine = (
        f"{platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )
    for engine in args.engines.split(","):
        if engine != "sqlite" and engine not in servers:
            print(f"skipping {engine}: no server URL given", file=sys.stderr)
            continue
        model: LatencyModel | None = None
        calibration: Path | None = None
        if not args.shipped:
            started = time.perf_counter()
            c = api.calibrate_engine(
                scratch(engine, servers, "dbarch_bench_calibration"),
                scale=args.scale,
                seconds_per_statement=args.seconds,
                repetitions=args.repetitions,
            )
            (RESULTS / f"calibration-{engine}.md").write_text(
                calibration_markdown(c)
                + f"\nRun by bench/calibration/bench.py in {time.perf_counter() - started:.0f} s.\n"
            )
            calibration = RESULTS / f"{engine}.json"
            calibration.write_text(latency_model_json(c.model))
            model = load_latency_model(calibration)
            print(f"{engine}: {c.within_target} of {len(c.points)} fitted within 2x; {model}", flush=True)
        examples = args.examples.split(",") if args.examples else list(SCALES)
        text = heldout(
            engine, servers, examples, model, calibration, args.verify_seconds, args.verify_repetitions
        )
        header = f"# Latency estimates held out: {engine}\n\nClient: {machine}. Scales: {SCALES}.\n\n"
        (RESULTS / f"heldout-{engine}{'-shipped' if args.shipped else ''}.md").write_text(header + text)
        print(text.split("\n\n", 3)[2], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
