"""Full size from small samples (issue 15): does ``dbarch verify --scale 0.01`` imply the same p95 at the
brief's size as a run at scale 0.1?

Each run measures the design at its scale and at a quarter of it, and projects every statement's p95
to the brief's size by the cost model's growth law checked against both (``docs/latency.md``). This
bench runs ``verify`` twice on one example and engine - at ``--small`` (default 0.01) and ``--large``
(default 0.1), each on a fresh scratch database - and prints, per statement, both full-size
projections and their ratio; the target is at least 80% of statements within 2x. The baseline in the
same run is the naive reading the projection replaces: the p95 measured at the small scale taken
as the full-size figure, against the large run's projection. Statements as written (no summary
tables or rewrites: their proofs at scale 0.1 would dominate the run time).

    .venv/bin/python bench/calibration/scales.py --engine-url postgresql://postgres@127.0.0.1:5432/postgres \\
        [--example shop] [--small 0.01] [--large 0.1] [--seconds 2] [--repetitions 200]

Writes ``results/scales-<engine>-<example>.md``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dbarchitect import api
from dbarchitect.verify.replay import Verification

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results"
TARGET = 0.8


def scratch(server: str | None, name: str) -> str | None:
    """A fresh scratch database ``name`` on ``server`` (None: SQLite in a temporary file)."""
    if server is None:
        return None
    from bench import scratch_mariadb, scratch_pg  # type: ignore[import-not-found]

    return scratch_pg(server, name) if server.startswith("postgres") else scratch_mariadb(server, name)


def _full(v: Verification) -> dict[str, float]:
    out: dict[str, float] = {}
    for s in v.statements:
        p = s.projection
        if p is not None and p.full_p95_ms:
            out[s.name] = p.full_p95_ms
    return out


def _measured(v: Verification) -> dict[str, float]:
    return {s.name: s.p95_ms for s in v.statements if s.p95_ms}


def _within(a: float, b: float) -> bool:
    return 0.5 <= a / b <= 2.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--engine-url", default=None, help="server URL (PostgreSQL or MariaDB); default SQLite"
    )
    parser.add_argument("--example", default="shop")
    parser.add_argument("--small", type=float, default=0.01)
    parser.add_argument("--large", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repetitions", type=int, default=200)
    args = parser.parse_args(argv)
    brief = ROOT / "examples" / args.example / "brief.yaml"
    runs: dict[float, Verification] = {}
    seconds: dict[float, float] = {}
    for scale in (args.small, args.large):
        url = scratch(args.engine_url, f"dbarch_bench_scales_{str(scale).replace('.', '_')}")
        started = time.perf_counter()
        runs[scale] = api.verify_brief(
            brief,
            engine_url=url,
            scale=scale,
            seconds_per_statement=args.seconds,
            repetitions=args.repetitions,
            levers=False,
        )
        seconds[scale] = time.perf_counter() - started
        print(f"scale {scale:g}: {seconds[scale]:.0f} s", file=sys.stderr)
    small, large = runs[args.small], runs[args.large]
    a, b = _full(small), _full(large)
    naive = _measured(small)
    names = [s.name for s in large.statements if s.name in a and s.name in b]
    within = sum(1 for n in names if _within(a[n], b[n]))
    naive_within = sum(1 for n in names if n in naive and _within(naive[n], b[n]))
    engine = large.engine
    lines = [
        f"# Full-size p95 from scale {args.small:g} against scale {args.large:g}: {args.example} on {engine}",
        "",
        f"{platform.node()} ({platform.machine()}, Python {platform.python_version()}); server "
        f"{large.server}; "
        f"{args.repetitions} runs or {args.seconds:g} s per statement; runs took {seconds[args.small]:.0f} s "
        f"and {seconds[args.large]:.0f} s.",
        "",
        f"**{within} of {len(names)} statements ({within / max(len(names), 1):.0%}) within 2x** (target "
        f"{TARGET:.0%}); baseline - the p95 measured at {args.small:g} read as the full-size figure: "
        f"{naive_within} of {len(names)} within 2x of the {args.large:g} run's projection.",
        "",
        f"| statement | full p95 from {args.small:g} | full p95 from {args.large:g} | ratio | within 2x | "
        f"measured p95 at {args.small:g} | method at {args.small:g} |",
        "|---|---:|---:|---:|---|---:|---|",
    ]
    by_name = {s.name: s for s in small.statements}
    for n in names:
        method = by_name[n].projection.method if by_name[n].projection else ""  # type: ignore[union-attr]
        lines.append(
            f"| {n} | {a[n]:,.2f} | {b[n]:,.2f} | {a[n] / b[n]:.2f} | "
            f"{'yes' if _within(a[n], b[n]) else 'NO'} | "
            f"{naive.get(n, 0):,.2f} | {method} |"
        )
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    family = engine.split()[0].lower()
    (RESULTS / f"scales-{family}-{args.example}.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0 if within >= TARGET * len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
