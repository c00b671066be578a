"""Operations benchmark: a drill per example with an availability goal (see run.sh).

For each example it picks the target engine (SQLite briefs: their first portable server engine), a
data scale loading about ``--target-mb`` of the brief's data, the design's own failover timing (no
test-shortened TTL), and prints failover vs RTO, lost commits vs RPO, the restore throughput, the
projection to twice the scale against the measured restore there (target: within 25%), the full-size
restore projection vs RTO, the WAL/binlog volume measured vs estimated (target: within 2x) beside a
baseline estimate of row bytes alone, and temporary-file bytes with the generated work_mem vs the
default (target: 0). The same text goes to results/<timestamp>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from dbarchitect import api  # noqa: E402
from dbarchitect.advisors.sizing import estimate_table_size, row_width  # noqa: E402
from dbarchitect.engines.registry import get_traits  # noqa: E402
from dbarchitect.report.drill import drill_markdown  # noqa: E402
from dbarchitect.report.formatting import human_bytes  # noqa: E402
from dbarchitect.report.operations import human_seconds  # noqa: E402

SERVER_ENGINES = ("postgresql", "mariadb")


def pick_engine(inspection: api.Inspection) -> str | None:
    for spec in inspection.brief.engines:
        if spec.name.value in SERVER_ENGINES:
            return str(spec)
    return None


def baseline_log_bytes(inspection: api.Inspection, executions: dict[str, int]) -> float:
    """A naive estimate: the row bytes of each write, nothing else (no record headers, index entries,
    commits or page images)."""
    total = 0.0
    for s in inspection.workload.statements:
        n = executions.get(s.name, 0)
        target = s.write_target
        table = inspection.catalog.table(target.table) if target else None
        if n and table is not None:
            total += n * row_width(table)
    return total


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", default="")
    ap.add_argument("--target-mb", type=float, default=150.0)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--async-kills", type=int, default=1)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--max-scale", type=float, default=0.05)
    args = ap.parse_args()
    wanted = {e for e in args.examples.split(",") if e}
    lines = [f"# Operations benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", ""]
    summary: list[str] = []
    out = Path(__file__).parent / "results" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M}.md"
    for brief in sorted((ROOT / "examples").glob("*/brief.yaml")):
        name = brief.parent.name
        if wanted and name not in wanted:
            continue
        inspection = api.inspect_brief(brief)
        if inspection.brief.availability is None:
            lines.append(f"- {name}: no availability goal, skipped")
            continue
        engine = pick_engine(inspection)
        if engine is None:
            lines.append(f"- {name}: no server engine among its engines, skipped")
            continue
        traits = get_traits(*engine.split(" ", 1))
        now = sum(
            estimate_table_size(t, traits, 0).data_bytes_now
            + estimate_table_size(t, traits, 0).index_bytes_now
            for t in inspection.catalog.tables
        )
        scale = min(args.max_scale, max(1e-4, args.target_mb * 1e6 / now)) if now > 0 else 0.01
        print(f"{name}: drilling {engine} at scale {scale:.4g} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="dbarch-bench-ops-", dir="/tmp") as scratch:
            Path(scratch).chmod(0o755)
            try:
                result = api.drill_brief(
                    inspection,
                    scratch_dir=scratch,
                    scale=scale,
                    kills=args.kills,
                    async_kills=args.async_kills,
                    rate=args.rate,
                    engine=engine,
                    progress=lambda m, n=name: print(f"  {n}: {m}", file=sys.stderr, flush=True),
                )
            except Exception as exc:  # a failed drill is a result too
                lines += [f"## {name} ({engine})", "", f"drill failed: {exc}", ""]
                summary.append(f"- {name} ({engine}, scale {scale:.3g}): drill failed: {exc}")
                continue
        lines += [drill_markdown(result).replace("# Drill of", "## Drill of", 1), ""]
        parts = [f"{name} ({engine}, scale {scale:.3g}, {time.monotonic() - started:.0f}s)"]
        if result.worst_failover_s is not None:
            parts.append(
                f"failover {human_seconds(result.worst_failover_s)} vs RTO {human_seconds(result.rto_s)}"
            )
        design = [k for k in result.kills if not k.replication or k.replication == result.replication]
        acked = sum(k.acked_before for k in design)
        parts.append(
            f"lost {result.lost_commits} of {acked:,} acked over {len(design)} kills "
            f"(RPO {human_seconds(result.rpo_s)}, {result.replication})"
        )
        others = [k for k in result.kills if k not in design]
        if others:
            parts.append(
                f"asynchronous: lost {sum(k.lost for k in others)} of "
                f"{sum(k.acked_before for k in others):,} acked over {len(others)} kills"
            )
        one = next((r for r in result.restores if r.label == "1x"), None)
        if one is not None:
            parts.append(f"restore {human_bytes(one.throughput)}/s")
        if result.projection_error is not None:
            parts.append(f"2x projection error {result.projection_error:.0%} (target <= 25%)")
        if result.projected_full_s is not None:
            parts.append(
                f"full-size ({human_bytes(result.full_bytes)}) restore "
                f"{human_seconds(result.projected_full_s)} projected vs RTO {human_seconds(result.rto_s)}"
            )
        if result.log is not None and result.log.ratio is not None:
            base = baseline_log_bytes(inspection, result.log.executions)
            base_ratio = result.log.measured_bytes / base if base > 0 else float("nan")
            parts.append(
                f"WAL measured/estimated x{result.log.ratio:.2f} (baseline row-bytes x{base_ratio:.1f})"
            )
        if result.log is not None and result.log.replica_lag_max_s is not None:
            lag = result.log.replica_lag_max_s
            shown = (
                f"< {human_seconds(result.log.lag_resolution_s)}"
                if lag < result.log.lag_resolution_s
                else human_seconds(lag)
            )
            parts.append(f"replica lag {shown} max vs {human_seconds(result.log.estimated_lag_s)} estimated")
        if result.temp is not None:
            parts.append(
                f"temp {result.temp.temp_bytes_generated:,.0f} with {result.temp.generated} vs "
                f"{result.temp.temp_bytes_default:,.0f} with the default ({result.temp.unit})"
            )
            if result.temp.pool_wait_ms is not None:
                parts.append(f"pool wait {result.temp.pool_wait_ms:.2f} ms/transaction")
        summary.append("- " + "; ".join(parts))
        # written after each example: a long run keeps what it measured so far
        out.write_text("\n".join([*lines, "## Summary", "", *summary, ""]), encoding="utf-8")
    text = "\n".join([*lines, "## Summary", "", *summary, ""])
    print(text)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
