"""``dbarch``: the command line, a thin shell over :mod:`dbarchitect.api`.

Bad input of any kind prints one line naming the file, line or field and what to do, and exits
with code 2; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from dbarchitect import __version__, api
from dbarchitect.brief import brief_json_schema
from dbarchitect.errors import DbarchError, redact
from dbarchitect.report.document import design_document, inspection_document
from dbarchitect.report.json import dumps
from dbarchitect.report.markdown import render_markdown
from dbarchitect.report.text import render_text
from dbarchitect.results import Design

app = typer.Typer(
    name="dbarch",
    help="A database architect as a tool: schemas, indexes, partitioning and migrations from a design brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}
T = TypeVar("T")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _fail(message: str, code: int = 2) -> NoReturn:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {redact(message)}", markup=True
    )
    raise typer.Exit(code)


def _run(operation: Callable[[], T]) -> T:
    """Run an operation; user errors become one line and exit 2, bugs exit 1 (traceback with --debug)."""
    try:
        return operation()
    except DbarchError as exc:
        if _state["debug"]:
            traceback.print_exc()
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        if _state["debug"]:
            traceback.print_exc()
        _fail(f"internal error: {exc.__class__.__name__}: {exc} (rerun with --debug and report it)", 1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dbarch {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    _state["debug"] = debug


BriefArg = Annotated[Path, typer.Argument(help="The design brief (YAML or JSON).", show_default=False)]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


@app.command()
def inspect(brief: BriefArg, format: FormatOpt = OutputFormat.text) -> None:
    """Show what the tool understood: tables, sizes, and every statement's access paths."""
    inspection = _run(lambda: api.inspect_brief(brief))
    doc = inspection_document(inspection)
    _emit(doc, format)


@app.command()
def design(
    brief: BriefArg,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Directory for schema files, report.md, design.json."),
    ] = None,
    format: FormatOpt = OutputFormat.text,
) -> None:
    """Render the schema for the target and every portable engine, with the analysis."""
    result = _run(lambda: api.design(brief))
    files: dict[str, str] = {}
    if output is not None:
        files = _run(lambda: _write_design(result, output))
    doc = design_document(result, files)
    if output is not None:
        _run(lambda: _write_reports(doc, output))
    _emit(doc, format)


def _write_design(result: Design, output: Path) -> dict[str, str]:
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DbarchError(f"{output}: cannot create the output directory ({exc.strerror})") from None
    files: dict[str, str] = {}
    for schema in result.schemas:
        path = output / f"schema.{schema.engine.name.value}.sql"
        path.write_text(schema.sql, encoding="utf-8")
        files[schema.engine.name.value] = str(path)
    return files


def _write_reports(doc: dict[str, object], output: Path) -> None:
    (output / "report.md").write_text(render_markdown(doc), encoding="utf-8")
    (output / "design.json").write_text(dumps(doc), encoding="utf-8")


def _emit(doc: dict[str, object], format: OutputFormat) -> None:
    if format == OutputFormat.json:
        sys.stdout.write(dumps(doc))
    elif format == OutputFormat.markdown:
        sys.stdout.write(render_markdown(doc))
    else:
        render_text(doc, Console(highlight=False))


@app.command("brief-schema")
def brief_schema() -> None:
    """Print the JSON Schema of the design brief (for editor completion and validation)."""
    sys.stdout.write(json.dumps(brief_json_schema(), indent=2, sort_keys=True) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
