"""``dbarch partition``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dbarchitect.cli.app import (
    BriefArg,
    QuietOpt,
    app,
    check_output,
    configured_brief,
    key_values,
    progress,
    run,
    write_text,
)


class PartitionFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sql = "sql"


@app.command(short_help="Whether partitioning pays per table: key, layout, upkeep.")
def partition(
    brief: BriefArg = None,
    engine_url: Annotated[
        list[str] | None,
        typer.Option(
            "--engine-url",
            metavar="ENGINE=URL",
            help="ENGINE=URL of a scratch database to EXPLAIN every statement on (PostgreSQL: rolled back; "
            "MariaDB/MySQL: must be empty, emptied after).",
        ),
    ] = None,
    format: Annotated[
        PartitionFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PartitionFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Directory for partitioning.md/.json/.sql, pg_partman.sql and migration/ (steps by phase).",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Decide per table whether partitioning pays, its key and layout, the engine's rules, maintenance
    and migration; with --engine-url, measure the pruning with the planner's EXPLAIN."""
    from dbarchitect import api
    from dbarchitect.cli.migrate import write_migration
    from dbarchitect.report.json import dumps
    from dbarchitect.report.markdown import render_markdown
    from dbarchitect.report.partitioning import (
        partitioning_document,
        partitioning_files,
        partitioning_sql,
        render_partitioning_text,
    )
    from dbarchitect.report.text import text_console

    run(
        lambda: check_output(
            output,
            option="--output",
            directory=True,
            entries=("*.sql", "partitioning.md", "partitioning.json"),
        )
    )
    loaded, file = configured_brief(brief)
    with progress("partition", quiet) as reporter:
        result = run(
            lambda: api.advise_partitioning(
                loaded,
                file=file,
                engine_urls=key_values(
                    engine_url, "--engine-url", "ENGINE=URL, e.g. postgresql=postgresql://user@host/scratch"
                ),
                progress=reporter,
            )
        )
    doc = partitioning_document(result)
    if output is not None:

        def write() -> None:
            for name, content in partitioning_files(result).items():
                write_text(output / name, content)
            write_text(
                output / "partitioning.md", render_markdown({"partitioning": doc}, "partitioning.md.j2")
            )
            write_text(output / "partitioning.json", dumps(doc))
            if result.advice.migration is not None:
                write_migration(result.advice.migration, output / "migration")

        run(write)
    if format == PartitionFormat.sql:
        sys.stdout.write(partitioning_sql(result))
    elif format == PartitionFormat.json:
        sys.stdout.write(dumps(doc))
    elif format == PartitionFormat.markdown:
        sys.stdout.write(render_markdown({"partitioning": doc}, "partitioning.md.j2"))
    else:
        render_partitioning_text(doc, text_console())
