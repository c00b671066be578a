"""``dbarch migrate``."""

from __future__ import annotations

import hashlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbarchitect.cli.app import (
    QuietOpt,
    app,
    check_output,
    configured_engine,
    key_values,
    progress,
    run,
    write_text,
)

if TYPE_CHECKING:
    from dbarchitect.advisors.migrations import MigrationPlan


class MigrateFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    sql = "sql"


@app.command(short_help="Plan a safe, ordered, reversible migration between schemas.")
def migrate(
    current: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="CURRENT",
            help="Current schema: a DDL file, a brief, or a database URL (read-only).",
        ),
    ],
    target: Annotated[
        str,
        typer.Option("--to", metavar="TARGET", help="Target schema: a DDL file, a brief, or a database URL."),
    ],
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            "-e",
            metavar="ENGINE",
            help="Engine and version, e.g. 'postgresql 15' or 'mariadb 10.11' "
            "(default: engine in dbarch.toml).",
        ),
    ] = None,
    rename: Annotated[
        list[str] | None,
        typer.Option(
            "--rename",
            metavar="OLD=NEW",
            help="A rename the diff must not guess: table.old=new or old_table=new_table.",
        ),
    ] = None,
    allow_data_loss: Annotated[
        bool, typer.Option("--allow-data-loss", help="Plan steps that throw data away (drops, narrowing).")
    ] = False,
    check: Annotated[
        str | None,
        typer.Option(
            "--check", metavar="URL", help="Database URL to check the target against its data (read-only)."
        ),
    ] = None,
    dev_url: Annotated[
        str | None,
        typer.Option(
            "--dev-url",
            metavar="URL",
            help="An EMPTY scratch database of the engine's kind: each DDL or brief side is loaded into it, "
            "read back and dropped again, so both sides compare as the engine keeps them.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Directory for SQL per phase, down.sql, plan.md and plan.json.",
        ),
    ] = None,
    alembic: Annotated[
        Path | None,
        typer.Option(
            "--alembic",
            metavar="DIR|FILE",
            help="Also write an Alembic revision: into a project's versions directory (or the project: "
            "alembic.ini / env.py), chained to its current head and named <rev>_<slug>.py; or to this file.",
        ),
    ] = None,
    format: Annotated[
        MigrateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MigrateFormat.markdown,
    rehearse: Annotated[
        str | None,
        typer.Option(
            "--rehearse",
            metavar="URL",
            help="Apply the plan to this EMPTY scratch database under write load and print the rehearsal "
            "report instead of the plan (exit 2 if a step fails or data changes).",
        ),
    ] = None,
    rehearse_existing: Annotated[
        bool, typer.Option("--rehearse-existing", help="Let --rehearse use a database that has tables.")
    ] = False,
    brief: Annotated[
        Path | None,
        typer.Option(
            "--brief",
            metavar="BRIEF",
            help="A brief whose workload rates the --rehearse load runs at (default: --from when it is a "
            "brief, else 50 writes and 50 reads per second per table).",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Plan a safe, ordered, reversible migration from one schema to another."""
    from dbarchitect import api
    from dbarchitect.advisors.migrations import plan_json, plan_markdown, plan_sql_by_phase
    from dbarchitect.report.json import dumps
    from dbarchitect.verify.rehearse import rehearsal_markdown

    run(
        lambda: check_output(
            output, option="--output", directory=True, entries=("*.sql", "plan.md", "plan.json")
        )
    )
    engine_name = configured_engine(engine)
    with progress("migrate", quiet) as reporter:
        plan = run(
            lambda: api.plan_schema_migration(
                current,
                target,
                engine_name,
                renames=key_values(rename, "--rename", "table.old_column=new_column or old_table=new_table"),
                allow_data_loss=allow_data_loss,
                check_url=check,
                dev_url=dev_url,
                progress=reporter,
            )
        )
    if output is not None:
        run(lambda: write_migration(plan, output))
    if alembic is not None:
        written = run(lambda: write_alembic(plan, alembic))
        if written != alembic:  # a name chosen in a project's versions/: say which
            print(f"dbarch migrate: wrote {written}", file=sys.stderr)
    if rehearse is not None:
        url, existing = rehearse, rehearse_existing
        with progress("migrate", quiet) as reporter:
            reporter("rehearsing the plan")
            rehearsal = run(
                lambda: api.rehearse_schema_migration(
                    plan, current, engine_name, url, allow_existing=existing, brief=brief
                )
            )
        sys.stdout.write(rehearsal_markdown(rehearsal))
        raise typer.Exit(0 if rehearsal.ok else 2)
    if format == MigrateFormat.json:
        sys.stdout.write(dumps(plan_json(plan)))
    elif format == MigrateFormat.sql:
        sys.stdout.write("".join(plan_sql_by_phase(plan).values()))
    else:
        sys.stdout.write(plan_markdown(plan))
    if plan.unplanned:
        # An incomplete plan is not a success: CI must not take it for "migrated".
        listed = "; ".join(plan.unplanned)
        print(f"dbarch migrate: not planned (the plan is incomplete): {listed}", file=sys.stderr)
        raise typer.Exit(1)


def write_alembic(plan: MigrationPlan, target: Path) -> Path:
    """Write the plan as an Alembic revision. Into an existing directory (a project's ``versions/``,
    or the project itself): chained to its one head (several heads are refused: merge them first),
    as ``<rev>_<slug>.py``; else to the file ``target``, as the first revision. The revision id is
    derived from the plan and its parent, so the same plan written twice is found, not duplicated."""
    from dbarchitect.advisors.migrations import plan_json
    from dbarchitect.advisors.migrations.render import alembic_message, alembic_revision
    from dbarchitect.errors import DbarchError, Diagnostic
    from dbarchitect.ingest.alembic import read_versions, slug, versions_directory
    from dbarchitect.report.json import dumps

    message = alembic_message(plan)
    directory = versions_directory(target)
    body = dumps(plan_json(plan))

    def revision_after(parent: str | None) -> str:
        return hashlib.sha1(f"{parent}:{body}".encode()).hexdigest()[:12]

    if directory is None:
        write_text(target, alembic_revision(plan, revision=revision_after(None), message=message))
        return target
    versions = read_versions(directory)
    heads = versions.heads
    if len(heads) > 1:
        raise DbarchError(
            Diagnostic(
                f"the Alembic project has {len(heads)} heads ({', '.join(heads)}): a new revision would "
                "not know which to follow",
                file=str(directory),
                hint="merge them first (alembic merge heads), then run this again",
            )
        )
    down = heads[0] if heads else None
    head = next((r for r in versions.revisions if r.revision == down), None)
    if head is not None and len(head.down_revisions) <= 1:
        parent = head.down_revisions[0] if head.down_revisions else None
        if revision_after(parent) == head.revision:
            raise DbarchError(
                Diagnostic(
                    f"this plan is already the head revision {head.revision}",
                    file=str(head.file),
                    hint="nothing to write; apply it with alembic upgrade head",
                )
            )
    revision = revision_after(down)
    path = directory / f"{revision}_{slug(message)}.py"
    write_text(path, alembic_revision(plan, revision=revision, down_revision=down, message=message))
    return path


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
