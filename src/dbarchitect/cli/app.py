"""The ``dbarch`` application and what every command shares: one-line errors (exit 2), the
``--debug`` switch, ``KEY=VALUE`` options, output formats, progress bars and file writing."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from dbarchitect import __version__
from dbarchitect.errors import DbarchError, redact
from dbarchitect.report.json import dumps
from dbarchitect.report.markdown import render_markdown
from dbarchitect.report.text import render_text

app = typer.Typer(
    name="dbarch",
    help="A database architect as a tool: schemas, indexes, partitioning and migrations from a design brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

state = {"debug": False}
T = TypeVar("T")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def fail(message: str, code: int = 2) -> NoReturn:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {redact(message)}", markup=True
    )
    raise typer.Exit(code)


def run(operation: Callable[[], T]) -> T:
    """Run an operation; user errors become one line and exit 2, bugs exit 1 (traceback with --debug)."""
    try:
        return operation()
    except DbarchError as exc:
        if state["debug"]:
            traceback.print_exc()
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:
        if state["debug"]:
            traceback.print_exc()
        fail(f"internal error: {exc.__class__.__name__}: {exc} (rerun with --debug and report it)", 1)


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
    state["debug"] = debug


BriefArg = Annotated[Path, typer.Argument(help="The design brief (YAML or JSON).", show_default=False)]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def key_values(values: list[str] | None, option: str, usage: str) -> dict[str, str] | None:
    """Repeated ``KEY=VALUE`` options (``--rename``, ``--rule``, ``--engine-url``) as a mapping; one
    without a key or a value is a one-line error naming the option and its form (URLs redacted)."""
    if not values:
        return None
    out: dict[str, str] = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise DbarchError(f"{option} {redact(value)!r}: write {usage}")
        out[key.strip()] = val.strip()
    return out


def emit(doc: dict[str, object], format: OutputFormat) -> None:
    if format == OutputFormat.json:
        sys.stdout.write(dumps(doc))
    elif format == OutputFormat.markdown:
        sys.stdout.write(render_markdown(doc))
    else:
        render_text(doc, Console(highlight=False))


@contextmanager
def progress_bar(enabled: bool, *fields: TextColumn) -> Iterator[RichProgress | None]:
    """A transient progress bar on standard error for long work, only on a terminal (``None``
    otherwise, so piped output stays clean); ``fields`` are extra columns."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    with RichProgress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *fields,
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        yield bar


def write_text(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise DbarchError(f"{path}: cannot write ({exc.strerror})") from None


CalibrationOpt = Annotated[
    Path | None,
    typer.Option(
        "--calibration",
        help="A latency model from `dbarch calibrate -o FILE` instead of the engine's shipped one.",
    ),
]
