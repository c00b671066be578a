"""The rehearsal as Markdown: the tables loaded and at what rates, each step with the slowest write
and read while it ran (a backfill with its batches), the slowest operations overall, the data check,
the verdict."""

from __future__ import annotations

from dbarchitect.verify.rehearse.load import Operation
from dbarchitect.verify.rehearse.result import Rehearsal


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _slowest(operations: tuple[Operation, ...] | list[Operation], write: bool) -> Operation | None:
    return max((o for o in operations if o.is_write == write), key=lambda o: o.seconds, default=None)


def _rate(value: float) -> str:
    return f"{value:,.0f}/s" if value else "none"


def rehearsal_markdown(r: Rehearsal) -> str:
    """The rehearsal as Markdown (see the module text)."""
    out = [f"# Rehearsal on {r.engine}", ""]
    if r.generated_rows:
        out += [f"Generated {r.generated_rows:,} rows for the current schema.", ""]
    out += ["## Load", ""]
    if r.load_note:
        out += [r.load_note, ""]
    else:
        sources = {t.asked.source for t in r.loads}
        origin = (
            "the brief's rates"
            if sources == {"brief"}
            else (
                "default rates (no brief gave any)"
                if sources == {"default"}
                else "the brief's rates where it gives them"
            )
        )
        out += [
            f"Writers and readers on the tables the plan touches, open loop at {origin}; every operation is "
            "timed from when it was due, so a wait for a lock counts in full.",
            "",
            "| table | why | writes asked | writes run | reads asked | reads run | done (failed) "
            "| slowest write | slowest read |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for loaded in r.loads:
            ops = [o for o in r.operations if o.table == loaded.table]
            failures = sum(1 for o in ops if not o.ok)
            w, rd = _slowest(ops, True), _slowest(ops, False)
            asked = loaded.asked
            out.append(
                f"| {loaded.table} | {loaded.why} | {_rate(asked.writes)} ({asked.source}) | "
                f"{_rate(loaded.write_rate)} | {_rate(asked.reads)} | {_rate(loaded.read_rate)} | "
                f"{len(ops):,} ({failures:,}) | {_ms(w.seconds) if w else '-'} | "
                f"{_ms(rd.seconds) if rd else '-'} |"
            )
        notes = [f"- {loaded.table}: {loaded.note}" for loaded in r.loads if loaded.note]
        out += ["", *notes, *([""] if notes else [])]
    out += [
        "## Steps",
        "",
        "| # | step | result | time | tries | batches | slowest write | slowest read |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in r.steps:
        result = "ok" if s.ok else f"FAILED: {s.error}"
        during = r.during(s)
        w, rd = _slowest(during, True), _slowest(during, False)
        out.append(
            f"| {s.number} | {s.description} | {result} | {_ms(s.seconds)} | {s.tries} | {s.batches or ''} | "
            f"{_ms(w.seconds) if w else '-'} | {_ms(rd.seconds) if rd else '-'} |"
        )
    out += [f"| - | {n} | not run | | | | | |" for n in r.not_run]
    backfills = [s for s in r.steps if s.backfill is not None]
    if backfills:
        out += ["", "## Backfills", ""]
        for s in backfills:
            b = s.backfill
            assert b is not None
            w = _slowest(r.during(s), True)
            achieved = f"slowest write meanwhile {_ms(w.seconds)}" if w else "no write measured meanwhile"
            out.append(
                f"- step {s.number}: {b.rows:,} rows of {b.table} in {b.batches:,} batches over "
                f"{_ms(s.seconds)}; "
                f"slowest batch {_ms(b.slowest_seconds)}, batches settled at {b.last_batch_rows:,} rows, "
                f"{_ms(b.paused_seconds)} paused for the application; {achieved}."
            )
    out += ["", "## Stalls", ""]
    if r.load_note:
        out += [r.load_note, ""]
    else:
        for label, worst, before in (
            ("write", r.max_stall, [o for o in r.writes if o.started_at < r.migration_started_at]),
            ("read", r.max_read_stall, [o for o in r.reads if o.started_at < r.migration_started_at]),
        ):
            if worst is None:
                continue
            step = r.step_at(worst.started_at) or r.step_at(worst.started_at + worst.seconds)
            where = f"during step {step.number} ({step.description})" if step else "between steps"
            base = f" (slowest before the migration: {_ms(max(o.seconds for o in before))})" if before else ""
            out.append(
                f"**Max {label} stall: {_ms(worst.seconds)}** on {worst.table} at {worst.started_at:.2f} s, "
                f"{where}{base}."
            )
        failed = next((o for o in r.operations if not o.ok), None)
        total_failed = r.failed_writes + r.failed_reads
        out.append(
            f"Operations: {len(r.writes):,} writes ({r.failed_writes:,} failed), {len(r.reads):,} reads "
            f"({r.failed_reads:,} failed)."
        )
        if failed is not None and total_failed:
            out.append(f"First failure ({failed.kind} on {failed.table}): {failed.error}")
        out.append("")
    out += [
        "## Totals",
        "",
        f"Migration: {_ms(r.migration_seconds)}; whole rehearsal: {_ms(r.total_seconds)}.",
        "",
        "## Data check (rows that existed before; per-column checksums)",
        "",
        "| table | rows before | rows after | result |",
        "|---|---|---|---|",
    ]
    for t in r.data:
        if t.ok:
            result = "same"
        else:
            parts = []
            if t.changed_columns:
                parts.append("changed: " + ", ".join(t.changed_columns))
            if t.missing_columns:
                parts.append("unreadable: " + ", ".join(t.missing_columns))
            if t.rows_after != t.rows_before:
                parts.append("row count differs")
            result = "**" + "; ".join(parts) + "**"
        after = "-" if t.rows_after is None else f"{t.rows_after:,}"
        out.append(f"| {t.table} | {t.rows_before:,} | {after} | {result} |")
    verdict = (
        "every step succeeded and the data is unchanged"
        if r.ok
        else (
            ("a step failed" if not r.steps_ok else "")
            + (" and " if not r.steps_ok and not r.data_ok else "")
            + ("data changed" if not r.data_ok else "")
        )
    )
    out += ["", f"**Result:** {verdict}.", ""]
    out += [f"Note: {n}" for n in r.notes]
    return "\n".join(out) + ("\n" if r.notes else "")
