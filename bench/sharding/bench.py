"""Sharding benchmark (issue 6): TPC-C's distributed transactions under the advised keys against
honest baselines, computed by the advisor's model and counted on generated parameter values, in the
same run; the search against an exhaustive one; Citus's hash placement against the skew estimate.

    .venv/bin/python bench/sharding/bench.py [--brief examples/tpcc/brief.yaml] [--executions 100000]
                                             [--seed 0] [--shards 8,32,128] [--skip-exhaustive]

Prints Markdown and writes it to bench/sharding/results/<timestamp>.md. Needs no server.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from dbarchitect import __version__, api  # noqa: E402
from dbarchitect.advisors.sharding import search as search_module  # noqa: E402
from dbarchitect.advisors.sharding.footprint import Route, route  # noqa: E402
from dbarchitect.advisors.sharding.layout import Layout  # noqa: E402
from dbarchitect.advisors.sharding.probability import (  # noqa: E402
    single_shard_probability,
    units_of,
    weighted_single_shard,
)
from dbarchitect.advisors.sharding.simulate import Simulation, placement_counts, simulate  # noqa: E402
from dbarchitect.advisors.sharding.skew import expected_fullest  # noqa: E402
from dbarchitect.model.workload import Statement  # noqa: E402


def pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brief", default=str(ROOT / "examples" / "tpcc" / "brief.yaml"))
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shards", default="8,32,128", help="extra shard counts to evaluate the layouts at")
    parser.add_argument("--skip-exhaustive", action="store_true")
    args = parser.parse_args()

    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    inspection = api.inspect_brief(args.brief)
    started = time.perf_counter()
    advice = api.advise_sharding(inspection)
    advisor_seconds = time.perf_counter() - started
    catalog, workload = inspection.catalog, inspection.workload
    units = units_of(workload.statements, workload.transactions)
    shards = advice.shard_count

    say(f"# Sharding benchmark — {inspection.brief.name}")
    say()
    say(
        f"dbarchitect {__version__}, Python {platform.python_version()}, {platform.machine()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; brief `{Path(args.brief).relative_to(ROOT)}`; "
        f"{args.executions:,} simulated executions per layout, seed {args.seed}."
    )
    say()
    say(f"**Capacity:** {advice.capacity.verdict()}. {advice.capacity.shard_reason}.")
    say()
    say(
        f"**Advisor:** {advice.search_method}; {advice.evaluations} layouts evaluated "
        f"in {advisor_seconds:.2f} s."
    )
    say()
    say("| table | placement | group |")
    say("|---|---|---|")
    for t in advice.tables:
        say(f"| {t.table} | {'by ' + t.column if t.column else 'reference'} | {t.group or '—'} |")
    say()

    layouts: list[tuple[str, Layout]] = [("chosen (advised)", advice.chosen.layout)]
    layouts += [(f"baseline: {b.name}", b.layout) for b in advice.baselines]

    def evaluate(layout: Layout) -> tuple[float, dict[str, float]]:
        routes: dict[int, Route] = {}

        def get(statement: Statement) -> Route:
            if id(statement) not in routes:
                routes[id(statement)] = route(statement, layout)
            return routes[id(statement)]

        footprints = [single_shard_probability(u, get, layout) for u in units]
        transactions = tuple(f for f in footprints if f.kind == "transaction")
        return 1 - weighted_single_shard(transactions), {f.unit: f.distributed for f in transactions}

    results: dict[str, tuple[float, float, dict[str, float], Simulation, float]] = {}
    for name, layout in layouts:
        model, per_unit = evaluate(layout)
        started = time.perf_counter()
        sim = simulate(
            units, partial(route, layout=layout), layout, catalog, executions=args.executions, seed=args.seed
        )
        seconds = time.perf_counter() - started
        results[name] = (model, sim.distributed_fraction("transaction"), per_unit, sim, seconds)
    chosen_model, chosen_sim = results[layouts[0][0]][:2]
    say(f"## Distributed transactions at {shards} shards: model and counted")
    say()
    say("| layout | model | simulated | simulation s | chosen ÷ this (model) | chosen ÷ this (simulated) |")
    say("|---|---:|---:|---:|---:|---:|")
    for name, _ in layouts:
        model, simulated, _, _, seconds = results[name]
        ratios = (
            "— | —" if name == layouts[0][0] else f"{chosen_model / model:.3f} | {chosen_sim / simulated:.3f}"
        )
        say(f"| {name} | {pct(model)} | {pct(simulated)} | {seconds:.1f} | {ratios} |")
    say()
    say("Per transaction, model / simulated:")
    say()
    names = [u.name for u in units if u.kind == "transaction"]
    say("| layout | " + " | ".join(names) + " |")
    say("|---|" + "---:|" * len(names))
    for name, _ in layouts:
        _, _, per_unit, sim, _ = results[name]
        counted = {u.unit: u.distributed_fraction for u in sim.units}
        say(f"| {name} | " + " | ".join(f"{pct(per_unit[n])} / {pct(counted[n])}" for n in names) + " |")
    say()

    extra = [int(s) for s in args.shards.split(",") if s.strip()]
    if extra:
        say("## The same layouts at other shard counts (model)")
        say()
        say("| layout | " + " | ".join(f"{s} shards" for s in extra) + " |")
        say("|---|" + "---:|" * len(extra))
        for name, layout in layouts:
            cells = [pct(evaluate(replace(layout, shard_count=s))[0]) for s in extra]
            say(f"| {name} | " + " | ".join(cells) + " |")
        say()

    if not args.skip_exhaustive:
        say("## Search: coordinate descent against exhaustive")
        say()
        sizes = {s.table.lower(): s for s in inspection.sizes}
        node = inspection.brief.node
        search_args = (catalog, units, sizes, shards, node.memory, workload.statements, node.write_rate)
        limit = search_module.EXHAUSTIVE_LIMIT
        try:
            search_module.EXHAUSTIVE_LIMIT = 0  # force the coordinate descent
            started = time.perf_counter()
            descent = search_module.search(*search_args)
            descent_s = time.perf_counter() - started
            search_module.EXHAUSTIVE_LIMIT = 10**9  # force the exhaustive search
            started = time.perf_counter()
            exact = search_module.search(*search_args)
            exact_s = time.perf_counter() - started
        finally:
            search_module.EXHAUSTIVE_LIMIT = limit
        same = descent.best.score.key() == exact.best.score.key()
        say(
            f"- coordinate descent: {descent.evaluations} layouts, {descent_s:.1f} s, "
            f"score {descent.best.score.key()}"
        )
        say(f"- exhaustive: {exact.evaluations} layouts, {exact_s:.1f} s, score {exact.best.score.key()}")
        say(f"- same optimum: {'yes' if same else 'NO'}")
        say()

    say("## Data placement: Citus's hash of the key values against the skew estimate")
    say()
    for s in advice.skews[:1]:
        if s.distinct is None:
            continue
        values = int(s.distinct)
        counts = placement_counts(range(1, values + 1), shards)
        say(
            f"`{s.table}.{s.column}` = 1..{values:,} over {shards} shards with PostgreSQL's hashint4 "
            "(= hashint8 on these values) and "
            f"Citus's uniform ranges: fullest shard {max(counts)}, emptiest {min(counts)}, even "
            f"{values / shards:.2f}: measured skew {max(counts) * shards / values:.2f}; the advisor's "
            f"estimate for random hashing {s.data_skew:.2f} "
            f"(expected fullest {expected_fullest(values, shards):.1f})."
        )
    say()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = ROOT / "bench" / "sharding" / "results" / f"{stamp}.md"
    path.write_text("\n".join(out) + "\n")
    print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
