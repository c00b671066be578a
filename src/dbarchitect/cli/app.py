"""The ``dbarch`` application and what every command shares: one-line errors (exit 2), the
``--debug`` and ``--quiet`` switches, ``KEY=VALUE`` options, output formats, progress on standard
error and file writing.

Start-up is kept cheap (``dbarch --help`` must cost well under 0.3 s of CPU): this module and every
command module import only typer and the standard library at the top; sqlglot, SQLAlchemy, rich,
pydantic, :mod:`dbarchitect.api` and the renderers are imported inside the command that needs them.
``bench/startup`` measures it.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar

import typer

from dbarchitect._version import __version__
from dbarchitect.errors import DbarchError, redact

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

    from dbarchitect.brief import Brief
    from dbarchitect.cli.config import Config

app = typer.Typer(
    name="dbarch",
    help="A database architect as a tool: schemas, indexes, partitioning and migrations from a design brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

state: dict[str, object] = {"debug": False, "quiet": False, "config": None}
T = TypeVar("T")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` on standard error, one ``error:`` line per line of it, and exit."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    for line in message.splitlines() or [""]:
        console.print(f"[bold red]error:[/] {escape(redact(line))}", markup=True)
    raise typer.Exit(code)


def run(operation: Callable[[], T]) -> T:
    """Run an operation; user errors become one line and exit 2, bugs exit 1 (traceback with --debug)."""
    try:
        return operation()
    except typer.Exit:
        raise  # a nested fail() has printed its message already
    except DbarchError as exc:
        if state["debug"]:
            traceback.print_exc()
        if exc.more:  # several problems in one input: one line each
            fail("\n".join(str(d) for d in exc.diagnostics))
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
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress on standard error (every command).")
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="The configuration file (default: the nearest dbarch.toml, or pyproject.toml with "
            "[tool.dbarch], from here up).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    max_input: Annotated[
        str | None,
        typer.Option(
            "--max-input", metavar="SIZE", help="Largest input file read (default 16MB), e.g. 64MB."
        ),
    ] = None,
) -> None:
    state["debug"] = debug
    state["quiet"] = quiet
    state["config_path"] = config
    state["config"] = None
    if max_input is not None:
        import os

        from dbarchitect.limits import parse_size

        os.environ["DBARCH_MAX_INPUT"] = str(run(lambda: parse_size(max_input, field="--max-input")))


def current_config() -> Config:
    """The configuration file in force (``--config``, else the nearest one), read once."""
    from dbarchitect.cli.config import find_config, load_config

    if state.get("config") is None:
        given = state.get("config_path")
        path = given if isinstance(given, Path) else find_config(Path.cwd())
        state["config"] = run(lambda: load_config(path))
    config = state["config"]
    assert config is not None
    return config  # type: ignore[return-value]


def brief_path(given: Path | None) -> Path:
    """The BRIEF argument, else the configuration's ``brief``."""
    if given is not None:
        return given
    config = current_config()
    if config.brief is None:
        fail('give a BRIEF (a YAML or JSON design brief), or set brief = "..." in dbarch.toml')
    return config.brief


def configured_brief(given: Path | None) -> tuple[Brief, str]:
    """The brief (``given`` or the configuration's) with the configuration over it: its rule levels
    over the brief's ``guardrails:``, its budgets over the brief's ``budgets:``; and the file name
    reports use for it."""
    from dbarchitect.brief import BudgetSpec, load_brief

    path = brief_path(given)
    config = current_config()
    brief = run(lambda: load_brief(path))
    update: dict[str, object] = {}
    if config.rules:
        update["guardrails"] = {**brief.guardrails, **config.rules}
    if config.budgets:
        overrides = BudgetSpec.model_validate(config.budgets)
        changed = {k: getattr(overrides, k) for k in overrides.model_fields_set}
        update["budgets"] = brief.budgets.model_copy(update=changed)
    return (brief.model_copy(update=update) if update else brief), str(path)


def configured_engine(given: str | None) -> str:
    """``--engine``, else the configuration's ``engine``."""
    if given is not None:
        return given
    engine = current_config().engine
    if engine is None:
        fail("give --engine (e.g. 'postgresql 15'), or set engine = \"...\" in dbarch.toml")
    return engine


BriefArg = Annotated[
    Path | None,
    typer.Argument(
        help="The design brief (YAML or JSON); default: brief in dbarch.toml.",
        show_default=False,
        metavar="BRIEF",
    ),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress on standard error (the report is unchanged).")
]


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
        from dbarchitect.report.json import dumps

        sys.stdout.write(dumps(doc))
    elif format == OutputFormat.markdown:
        from dbarchitect.report.markdown import render_markdown

        sys.stdout.write(render_markdown(doc))
    else:
        from dbarchitect.report.text import render_text, text_console

        render_text(doc, text_console())


#: Nothing is shown for work shorter than this (seconds).
PROGRESS_AFTER_S = 2.0
#: When standard error is not a terminal (CI logs, pipes), a progress line is written this often.
PROGRESS_EVERY_S = 5.0


class Reporter:
    """Progress of one command on standard error: ``reporter(stage, done, total, detail)``.

    On a terminal, a transient rich bar per stage (``total`` 0: the stage's size is unknown). Otherwise
    a line such as ``dbarch verify: replaying order_history 40/200 (35 s)`` every
    :data:`PROGRESS_EVERY_S` seconds once :data:`PROGRESS_AFTER_S` have passed, from a background
    thread, so work that reports nothing for a while is still seen to be alive. ``--quiet`` makes it
    a no-op. It never writes to standard output: reports stay byte-for-byte the same.
    """

    def __init__(self, command: str, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.command = command
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._latest: tuple[str, int, int, str] = ("starting", 0, 0, "")
        self._bar: RichProgress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._current: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, stage: str, done: int = 0, total: int = 0, detail: str = "") -> None:
        if not self.enabled:
            return
        with self._lock:
            self._latest = (stage, done, total, detail)
            if self._bar is not None:
                self._update_bar(stage, done, total, detail)

    def line(self) -> str:
        """The current state as one line (what is written when not on a terminal)."""
        stage, done, total, detail = self._latest
        count = f" {done}/{total}" if total else (f" {done}" if done else "")
        extra = f", {detail}" if detail else ""
        return f"dbarch {self.command}: {stage}{count}{extra} ({time.monotonic() - self.started:.0f} s)"

    def _update_bar(self, stage: str, done: int, total: int, detail: str) -> None:
        assert self._bar is not None
        tasks = {t.id: t for t in self._bar.tasks}
        if self._current is not None and self._current != stage:  # the previous stage is over: full bar
            ended = tasks[self._tasks[self._current]]
            size = ended.total or max(ended.completed, 1)
            self._bar.update(ended.id, completed=size, total=size)
        self._current = stage
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=total or None, count="", detail="")
        task = self._tasks[stage]
        if task in tasks:  # rich's update neither unsets a total nor un-finishes a task: a stage seen
            tasks[task].finished_time = None  # again (the index search inside the lever search) runs
            if not total:  # size unknown: a pulsing bar
                tasks[task].total = None
        self._bar.update(
            task,
            completed=done,
            total=max(total, done) if total else None,
            count=f"{done}/{total}" if total else "",
            detail=detail,
        )

    def _tick(self) -> None:
        wait = max(PROGRESS_AFTER_S, PROGRESS_EVERY_S)
        while not self._stop.wait(wait):
            with self._lock:
                text = self.line()
            try:
                self.stream.write(text + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed: progress is not worth failing for
                return
            wait = PROGRESS_EVERY_S

    @contextmanager
    def running(self) -> Iterator[Reporter]:
        if not self.enabled:
            yield self
            return
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            from rich.console import Console
            from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            with RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}", style="bold", markup=False),
                BarColumn(),
                TextColumn("{task.fields[count]}", markup=False),
                TextColumn("{task.fields[detail]}", markup=False),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            ) as bar:
                self._bar = bar
                try:
                    yield self
                finally:
                    self._bar = None
            return
        self._thread = threading.Thread(target=self._tick, name="dbarch-progress", daemon=True)
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=1.0)


@contextmanager
def progress(command: str, quiet: bool = False) -> Iterator[Reporter]:
    """Progress for one command (``dbarch --quiet`` or the command's ``--quiet`` silences it)."""
    reporter = Reporter(command, enabled=not (quiet or state["quiet"]))
    with reporter.running():
        yield reporter


def check_output(path: Path | None, *, option: str, directory: bool, entries: tuple[str, ...] = ()) -> None:
    """Refuse an output path before any work starts: a directory option that names a file, a file
    option that names a directory, an entry the command writes (``entries``, shell patterns; a
    trailing ``/`` is a folder) that exists as the wrong kind, or a place that cannot be written."""
    if path is None:
        return
    import fnmatch
    import os

    shown = str(path)
    if "\x00" in shown:
        raise DbarchError(f"{option}: the path holds a NUL byte")
    if path.exists():
        if directory and not path.is_dir():
            raise DbarchError(f"{option} {shown}: is a file; give a directory to write into")
        if not directory and path.is_dir():
            raise DbarchError(f"{option} {shown}: is a directory; give a file name")
    if directory and path.is_dir():
        for child in path.iterdir():
            for pattern in entries:
                folder = pattern.endswith("/")
                if fnmatch.fnmatch(child.name, pattern.rstrip("/")) and child.is_dir() != folder:
                    kind = "a directory" if child.is_dir() else "a file"
                    raise DbarchError(
                        f"{option} {shown}: {child.name} is {kind}, where the output writes "
                        f"{'a folder' if folder else 'a file'}; move it away or choose another {option}"
                    )
    existing = path if path.exists() else next((p for p in path.parents if p.exists()), Path("."))
    if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        raise DbarchError(f"{option} {shown}: cannot write in {existing} (permission denied)")


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
        metavar="FILE",
        help="A latency model from `dbarch calibrate -o FILE` instead of the engine's shipped one.",
    ),
]

__all__ = [
    "BriefArg",
    "CalibrationOpt",
    "FormatOpt",
    "OutputFormat",
    "QuietOpt",
    "Reporter",
    "app",
    "emit",
    "fail",
    "key_values",
    "progress",
    "run",
    "state",
    "write_text",
]
