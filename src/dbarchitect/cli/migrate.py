"""``dbarch migrate``."""

from __future__ import annotations

import hashlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbarchitect.cli.app import QuietOpt, app, key_values, progress, run, write_text

if TYPE_CHECKING:
    from dbarchitect.advisors.migrations import MigrationPlan


class MigrateFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    sql = "sql"


@app.command()
def migrate(
    current: Annotated[
        str,
        typer.Option("--from", help="Current schema: a DDL file, a brief, or a database URL (read-only)."),
    ],
    target: Annotated[
        str, typer.Option("--to", help="Target schema: a DDL file, a brief, or a database URL.")
    ],
    engine: Annotated[
        str,
        typer.Option("--engine", "-e", help="Engine and version, e.g. 'postgresql 15' or 'mariadb 10.11'."),
    ],
    rename: Annotated[
        list[str] | None,
        typer.Option(
            "--rename", help="A rename the diff must not guess: table.old=new or old_table=new_table."
        ),
    ] = None,
    allow_data_loss: Annotated[
        bool, typer.Option("--allow-data-loss", help="Plan steps that throw data away (drops, narrowing).")
    ] = False,
    check: Annotated[
        str | None,
        typer.Option("--check", help="Database URL to check the target against its data (read-only)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Directory for SQL per phase, down.sql, plan.md and plan.json."),
    ] = None,
    alembic: Annotated[
        Path | None, typer.Option("--alembic", help="Also write an Alembic revision file here.")
    ] = None,
    format: Annotated[
        MigrateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MigrateFormat.markdown,
    rehearse: Annotated[
        str | None,
        typer.Option(
            "--rehearse",
            help="Apply the plan to this EMPTY scratch database under write load and print the rehearsal "
            "report instead of the plan (exit 2 if a step fails or data changes).",
        ),
    ] = None,
    rehearse_existing: Annotated[
        bool, typer.Option("--rehearse-existing", help="Let --rehearse use a database that has tables.")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Plan a safe, ordered, reversible migration from one schema to another."""
    from dbarchitect import api
    from dbarchitect.advisors.migrations import alembic_revision, plan_json, plan_markdown, plan_sql_by_phase
    from dbarchitect.report.json import dumps
    from dbarchitect.verify.rehearse import rehearsal_markdown

    with progress("migrate", quiet) as reporter:
        plan = run(
            lambda: api.plan_schema_migration(
                current,
                target,
                engine,
                renames=key_values(rename, "--rename", "table.old_column=new_column or old_table=new_table"),
                allow_data_loss=allow_data_loss,
                check_url=check,
                progress=reporter,
            )
        )
    if output is not None:
        run(lambda: write_migration(plan, output))
    if alembic is not None:
        revision = hashlib.sha1(dumps(plan_json(plan)).encode()).hexdigest()[:12]
        run(lambda: write_text(alembic, alembic_revision(plan, revision=revision)))
    if rehearse is not None:
        url, existing = rehearse, rehearse_existing
        with progress("migrate", quiet) as reporter:
            reporter("rehearsing the plan")
            rehearsal = run(
                lambda: api.rehearse_schema_migration(plan, current, engine, url, allow_existing=existing)
            )
        sys.stdout.write(rehearsal_markdown(rehearsal))
        raise typer.Exit(0 if rehearsal.ok else 2)
    if format == MigrateFormat.json:
        sys.stdout.write(dumps(plan_json(plan)))
    elif format == MigrateFormat.sql:
        sys.stdout.write("".join(plan_sql_by_phase(plan).values()))
    else:
        sys.stdout.write(plan_markdown(plan))


def write_migration(plan: MigrationPlan, output: Path) -> None:
    from dbarchitect.advisors.migrations import Phase, plan_json, plan_markdown, plan_sql_by_phase
    from dbarchitect.advisors.migrations.render import down_sql
    from dbarchitect.report.json import dumps

    for phase, sql in plan_sql_by_phase(plan).items():
        if sql.strip():
            write_text(output / f"{list(Phase).index(phase) + 1}_{phase.value}.sql", sql)
    write_text(output / "down.sql", down_sql(plan))
    write_text(output / "plan.md", plan_markdown(plan))
    write_text(output / "plan.json", dumps(plan_json(plan)))
