"""``dbarch inspect`` and ``dbarch design``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbarchitect.cli.app import (
    BriefArg,
    FormatOpt,
    OutputFormat,
    QuietOpt,
    app,
    check_output,
    configured_brief,
    emit,
    progress,
    run,
    write_text,
)
from dbarchitect.errors import DbarchError

if TYPE_CHECKING:
    from dbarchitect.results import Design


@app.command(short_help="Show what the tool understood: tables, sizes, access paths.")
def inspect(brief: BriefArg = None, format: FormatOpt = OutputFormat.text, quiet: QuietOpt = False) -> None:
    """Show what the tool understood: tables, sizes, and every statement's access paths."""
    from dbarchitect import api
    from dbarchitect.report.document import inspection_document

    with progress("inspect", quiet) as reporter:
        reporter("reading the brief")
        loaded, file = configured_brief(brief)
        reporter("analysing the workload")
        inspection = run(lambda: api.inspect_brief(loaded, file=file))
        doc = inspection_document(inspection)
    emit(doc, format)


@app.command(short_help="Indexes, schemas per engine and the analysis for a brief.")
def design(
    brief: BriefArg = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Directory for schema files, report.md, report.html, design.json.",
        ),
    ] = None,
    format: FormatOpt = OutputFormat.text,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            "-d",
            metavar="URL",
            help="PostgreSQL URL to cost indexes on with HypoPG (read-only; default: the built-in model).",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Choose indexes, render the schema for the target and every portable engine, with the analysis."""
    from dbarchitect import api
    from dbarchitect.report.document import design_document

    run(
        lambda: check_output(
            output,
            option="--output",
            directory=True,
            entries=("schema.*.sql", "report.md", "report.html", "design.json", "runbooks.md", "operations/"),
        )
    )
    loaded, file = configured_brief(brief)
    with progress("design", quiet) as reporter:
        result = run(lambda: api.design(loaded, file=file, database=database, progress=reporter))
        files: dict[str, str] = {}
        if output is not None:
            reporter("writing files")
            files = run(lambda: _write_design(result, output))
        doc = design_document(result, files)
        written = run(lambda: _write_reports(doc, output)) if output is not None else None
    emit(doc, format)
    if written and format == OutputFormat.text:  # JSON and Markdown on standard output stay whole
        typer.echo(written)


def _write_design(result: Design, output: Path) -> dict[str, str]:
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DbarchError(f"{output}: cannot create the output directory ({exc.strerror})") from None
    files: dict[str, str] = {}
    for schema in result.schemas:
        path = output / f"schema.{schema.engine.name.value}.sql"
        write_text(path, schema.sql)
        files[schema.engine.name.value] = str(path)
    return files


def _write_reports(doc: dict[str, object], output: Path) -> str:
    """Write the reports and operations files; the line that tells where they are."""
    from dbarchitect.report.html import render_html
    from dbarchitect.report.json import dumps
    from dbarchitect.report.markdown import render_markdown
    from dbarchitect.report.operations import write_operations_files

    try:
        operations = write_operations_files(doc, output)
    except OSError as exc:
        raise DbarchError(f"{output}: cannot write the operations files ({exc.strerror})") from None
    reports = [output / "report.html", output / "report.md", output / "design.json"]
    write_text(reports[1], render_markdown(doc))
    write_text(reports[0], render_html(doc))
    write_text(reports[2], dumps(doc))
    line = "Reports: " + ", ".join(str(r) for r in reports)
    runbooks = [f for f in operations if Path(f).name == "runbooks.md"]
    configs = len(operations) - len(runbooks)
    if runbooks:
        line += f"; runbooks: {runbooks[0]}"
    if configs:
        line += f"; operations: {output / 'operations'}/ ({configs} file{'s' if configs > 1 else ''})"
    return line
