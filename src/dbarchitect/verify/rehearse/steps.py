"""Applying one plan step as planned: its session settings (``lock_timeout``), in a transaction when
the step is transactional and the engine has transactional DDL, a batched step repeated until it
changes no row (or a backfill block that reports its own batches), its check query after it; a lock
timeout or deadlock rolls back, runs the step's ``on_failure_sql`` and retries with backoff."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from dbarchitect.advisors.migrations.backfill import BackfillReport, parse_backfill_notice
from dbarchitect.advisors.migrations.plan import Step
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.verify.rehearse.scratch import ScratchDb, error_message

#: Tries per step when it keeps hitting lock timeouts.
MAX_TRIES = 10
#: A batched step that still changes rows after this many batches is stopped (a plan bug).
MAX_BATCHES = 100_000


@dataclass(frozen=True)
class StepResult:
    """One plan step as it ran in the rehearsal.

    Attributes:
        number: Its position in the plan (1-based).
        description: The plan step's description.
        ok: Whether it succeeded (within its retries).
        seconds: How long it took, retries included.
        tries: Attempts (a lock timeout rolls back and retries with backoff).
        batches: Batches run, for a batched backfill (0 otherwise).
        error: Why it failed, when it did.
        started_at: Seconds since the rehearsal started.
        backfill: What a backfill block reported (rows, batches, slowest batch...), when it is one.
    """

    number: int
    description: str
    ok: bool
    seconds: float
    tries: int
    batches: int
    error: str | None
    started_at: float
    backfill: BackfillReport | None = None


def apply_step(
    db: ScratchDb, number: int, step: Step, traits: EngineTraits, zero: float, *, max_tries: int = MAX_TRIES
) -> StepResult:
    """Run one step as planned (settings, transaction, batches, check), retrying lock timeouts."""
    started = time.perf_counter()
    wrap = step.in_transaction(traits)
    tries = 0
    batches = 0
    error: str | None = None
    report: BackfillReport | None = None
    while tries < max_tries:
        tries += 1
        error = None
        db.notices.clear()
        try:
            for s in step.session_sql:
                db.execute(s)
            if step.repeat_until_no_rows:
                while True:
                    with db.transaction(wrap):
                        changed = sum(db.execute(s) for s in step.sql)
                    batches += 1
                    if changed == 0 or batches >= MAX_BATCHES:
                        break
            else:
                with db.transaction(wrap):
                    for s in step.sql:
                        db.execute(s)
                report = next((r for r in map(parse_backfill_notice, db.notices) if r), None)
                if report is not None:
                    batches = report.batches
            if step.check_sql:
                rows = db.query(step.check_sql)
                if not rows or not rows[0][0]:
                    error = f"check failed: {step.check_sql}"
                    break
            break
        except Exception as exc:
            error = error_message(exc)
            if not db.is_lock_timeout(exc) or tries >= max_tries:
                break
            for s in step.on_failure_sql:
                with contextlib.suppress(Exception):  # cleanup before a retry; the retry reports
                    db.execute(s)
            time.sleep(min(0.2 * 2 ** (tries - 1), 5.0))
    if batches >= MAX_BATCHES and error is None:
        error = f"still changing rows after {MAX_BATCHES} batches"
    return StepResult(
        number,
        step.description,
        error is None,
        time.perf_counter() - started,
        tries,
        batches,
        error,
        started - zero,
        report,
    )
