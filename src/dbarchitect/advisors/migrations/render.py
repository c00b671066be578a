"""Render a migration plan: one SQL script per phase, Markdown for people, JSON for tools, and an
Alembic revision (``op.execute`` of each step's SQL) for projects that migrate with Alembic.

Scripts wrap each transactional step in ``BEGIN``/``COMMIT`` on engines with transactional DDL
and leave non-transactional steps (``CREATE INDEX CONCURRENTLY``) bare, so a script runs under
``psql`` as planned; a repeated step (a batched backfill) is written once with a comment saying
to repeat it until it changes no row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbarchitect.advisors.migrations.steps import PHASES, MigrationPlan, Phase, Step
from dbarchitect.engines.quoting import line_comment
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.ops import describe


def _seconds(value: float | None) -> str:
    if value is None:
        return "unknown (no row count)"
    if value < 1:
        return "< 1 s"
    if value < 120:
        return f"~{value:.0f} s"
    return f"~{value / 60:.0f} min"


def _plan_traits(plan: MigrationPlan) -> EngineTraits:
    """The traits of the engine a plan was made for (its label, ``MariaDB 10.11``)."""
    name, _, version = plan.engine.lower().partition(" ")
    return get_traits(name, version or None)


def _step_header(i: int, step: Step) -> list[str]:
    lines = [line_comment(f"step {i}: {step.description}")]
    effect = "rewrites the table" if step.rewrites else "scans the table" if step.scans else "metadata only"
    algo = f", ALGORITHM={step.algorithm}" if step.algorithm else ""
    lines.append(
        line_comment(f"  lock: {step.lock}{algo}; {effect}; estimated {_seconds(step.estimated_seconds)}")
    )
    lines += [line_comment(f"  note: {n}") for n in step.notes]
    if step.repeat_until_no_rows:
        lines.append("--   repeat this statement until it updates no row")
    return lines


def _client_statement(sql: str, traits: EngineTraits | None) -> str:
    """One statement as the engine's command-line client must read it: on MySQL and MariaDB a
    compound body (a trigger or routine with ``;`` inside ``BEGIN ... END``) goes between
    ``DELIMITER //`` lines, or ``mysql < file`` cuts it at its first ``;``."""
    body = sql.rstrip().rstrip(";")
    if traits is not None and traits.sqlglot_dialect == "mysql" and ";" in body:
        return f"DELIMITER //\n{body} //\nDELIMITER ;"
    return f"{body};"


def step_sql(i: int, step: Step, traits: EngineTraits | None = None) -> str:
    """One step as script text: header comments, session settings, statements, its checks."""
    lines = _step_header(i, step)
    lines += [f"{s};" for s in step.session_sql]
    wrap = step.in_transaction(traits)
    if wrap:
        lines.append("BEGIN;")
    lines += [_client_statement(s, traits) for s in step.sql]
    if wrap:
        lines.append("COMMIT;")
    if step.precheck_sql:
        lines.insert(
            len(_step_header(i, step)),
            line_comment(f"before the migration (must return 0): {step.precheck_sql};"),
        )
    if step.check_sql:
        lines.append(line_comment(f"check (must return true): {step.check_sql};"))
    for s in step.on_failure_sql:
        lines.append(line_comment(f"on failure, before retrying: {s};"))
    return "\n".join(lines)


def plan_sql_by_phase(plan: MigrationPlan, traits: EngineTraits | None = None) -> dict[Phase, str]:
    """SQL scripts per phase (only phases that have steps), numbered as in the whole plan."""
    out: dict[Phase, str] = {}
    traits = traits or _plan_traits(plan)
    for phase in PHASES:
        blocks = [step_sql(i, s, traits) for i, s in enumerate(plan.steps, start=1) if s.phase == phase]
        if blocks:
            head = f"-- {phase.value} phase of a migration planned by dbarchitect for {plan.engine}\n"
            head += f"-- {plan.lock_timeout_advice}\n" if plan.lock_timeout_advice else ""
            script = head + "\n\n" + "\n\n".join(blocks) + "\n"
            out[phase] = traits.script_sql(script)
    return out


def down_sql(plan: MigrationPlan, traits: EngineTraits | None = None) -> str:
    """The down-plan as one script."""
    traits = traits or _plan_traits(plan)
    head = f"-- down-plan (rollback) for {plan.engine}\n"
    head += "".join(line_comment(f"irreversible: {r}") + "\n" for r in plan.irreversible)
    script = (
        head + "\n" + "\n\n".join(step_sql(i, s, traits) for i, s in enumerate(plan.down, start=1)) + "\n"
    )
    return traits.script_sql(script)


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "description": step.description,
        "phase": step.phase.value,
        "kind": step.kind.value,
        "sql": list(step.sql),
        "session_sql": list(step.session_sql),
        "lock": step.lock,
        "blocks_reads": step.blocks_reads,
        "blocks_writes": step.blocks_writes,
        "rewrites": step.rewrites,
        "scans": step.scans,
        "algorithm": step.algorithm,
        "transactional": step.transactional,
        "table": step.table,
        "estimated_seconds": step.estimated_seconds,
        "rollback_sql": list(step.rollback_sql),
        "check_sql": step.check_sql,
        "on_failure_sql": list(step.on_failure_sql),
        "repeat_until_no_rows": step.repeat_until_no_rows,
        "precheck_sql": step.precheck_sql,
        "notes": list(step.notes),
    }


def plan_json(plan: MigrationPlan) -> dict[str, Any]:
    """The plan as plain data (stable key order)."""
    return {
        "engine": plan.engine,
        "operations": [describe(op) for op in plan.operations],
        "steps": [_step_json(s) for s in plan.steps],
        "down": [_step_json(s) for s in plan.down],
        "rename_hints": [
            {
                "kind": h.kind,
                "table": h.table,
                "old": h.old,
                "new": h.new,
                "reason": h.reason,
                "entry": h.entry,
            }
            for h in plan.rename_hints
        ],
        "data_loss": list(plan.data_loss),
        "irreversible": list(plan.irreversible),
        "notes": list(plan.notes),
        "lock_timeout_advice": plan.lock_timeout_advice,
        "reordered_tables": list(plan.reordered_tables),
        "unplanned": list(plan.unplanned),
    }


def plan_markdown(plan: MigrationPlan) -> str:
    """A readable plan: per phase a table of steps with lock, effect and duration, then the SQL."""
    out = [f"# Migration plan for {plan.engine}", ""]
    traits = _plan_traits(plan)
    unplanned = [
        "**Not planned: the plan is incomplete** (applying it does not reach the target; make these "
        "changes by hand):",
        *[f"- {x}" for x in plan.unplanned],
        "",
    ]
    if not plan.steps:
        if plan.unplanned:
            return "\n".join([*out, "No step is planned, but the schemas differ.", "", *unplanned])
        return "\n".join([*out, "The schemas are the same: nothing to do.", ""])
    out += [
        f"{len(plan.steps)} steps; "
        + ", ".join(f"{len(plan.steps_in(p))} {p.value}" for p in PHASES if plan.steps_in(p))
        + ".",
        "",
    ]
    if plan.unplanned:
        out += unplanned
    if plan.lock_timeout_advice:
        out += [f"**Lock timeouts.** {plan.lock_timeout_advice}", ""]
    if plan.data_loss:
        out += ["**Data loss (allowed by the caller):**", *[f"- {x}" for x in plan.data_loss], ""]
    if plan.rename_hints:
        out += ["**Possible renames planned as drop + add** (add them under `renames:` if they are renames):"]
        out += [f"- `{h.entry}` ({h.reason})" for h in plan.rename_hints] + [""]
    n = 0
    for phase in PHASES:
        steps = [(i, s) for i, s in enumerate(plan.steps, start=1) if s.phase == phase]
        if not steps:
            continue
        out += [
            f"## {phase.value.capitalize()}",
            "",
            "| # | step | lock | effect | estimate | transaction |",
            "|---|---|---|---|---|---|",
        ]
        for i, s in steps:
            effect = "rewrite" if s.rewrites else "scan" if s.scans else "metadata"
            algo = f" ({s.algorithm})" if s.algorithm else ""
            txn = "yes" if s.transactional else "no"
            estimate = _seconds(s.estimated_seconds)
            out.append(f"| {i} | {s.description} | {s.lock}{algo} | {effect} | {estimate} | {txn} |")
            n += 1
        out.append("")
        for i, s in steps:
            if s.notes:
                out += [f"- step {i}: {note}" for note in s.notes]
        out += ["", "```sql", *[step_sql(i, s, traits) for i, s in steps], "```", ""]
    out += ["## Down-plan", ""]
    if plan.irreversible:
        out += ["Irreversible:", *[f"- {r}" for r in plan.irreversible], ""]
    out += ["```sql", *[step_sql(i, s, traits) for i, s in enumerate(plan.down, start=1)], "```", ""]
    if plan.notes:
        out += ["## Notes", "", *[f"- {x}" for x in plan.notes], ""]
    return "\n".join(out)


def _py(text: str) -> str:
    return repr(text)


def alembic_message(plan: MigrationPlan) -> str:
    """A revision message saying what the plan changes: its first operations, in the user's names."""
    ops = [describe(op) for op in plan.operations]
    if not ops:
        return "no schema change (planned by dbarchitect)"
    return "; ".join(ops[:3]) + (f" and {len(ops) - 3} more change(s)" if len(ops) > 3 else "")


def alembic_revision(
    plan: MigrationPlan,
    *,
    revision: str,
    down_revision: str | None = None,
    message: str = "schema change planned by dbarchitect",
    create_date: datetime | None = None,
) -> str:
    """An Alembic revision file as Alembic's own template writes one (message, ``Revision ID``,
    ``Revises``, ``Create Date`` header): ``upgrade()`` runs the plan's steps with ``op.execute``,
    outside Alembic's transaction where a step must be (``autocommit_block``); ``downgrade()`` runs
    the down-plan. ``down_revision`` chains it to a project's current head."""

    def body(steps: tuple[Step, ...]) -> list[str]:
        lines: list[str] = []
        if not steps:
            return ["    pass"]
        for i, s in enumerate(steps, start=1):
            lines.append(f"    # step {i} ({s.phase.value}): {s.description}")
            indent = "    "
            if not s.transactional:
                lines.append("    with op.get_context().autocommit_block():")
                indent = "        "
            for stmt in (*s.session_sql, *s.sql):
                lines.append(f"{indent}op.execute({_py(stmt)})")
            if s.repeat_until_no_rows:
                lines.append(f"{indent}# repeat the statement above until it updates no row")
        return lines

    header = [
        f'"""{message}',
        "",
        f"Revision ID: {revision}",
        f"Revises: {down_revision or ''}",
        f"Create Date: {(create_date or datetime.now()).isoformat(sep=' ')}",
        f"Engine: {plan.engine}",
        '"""',
        "from alembic import op",
        "",
        f"revision = {revision!r}",
        f"down_revision = {down_revision!r}",
        "branch_labels = None",
        "depends_on = None",
        "",
        "",
        "def upgrade() -> None:",
    ]
    return (
        "\n".join([*header, *body(plan.steps), "", "", "def downgrade() -> None:", *body(plan.down)]) + "\n"
    )
