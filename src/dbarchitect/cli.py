"""``dbarch``: the command line, a thin shell over :mod:`dbarchitect.api`.

Bad input of any kind prints one line naming the file, line or field and what to do, and exits
with code 2; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import hashlib
import json
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from dbarchitect import __version__, api
from dbarchitect.advisors.indexes.advisor import Progress
from dbarchitect.advisors.migrations import (
    MigrationPlan,
    Phase,
    alembic_revision,
    plan_json,
    plan_markdown,
    plan_sql_by_phase,
)
from dbarchitect.advisors.migrations.render import down_sql
from dbarchitect.brief import brief_json_schema, parse_size
from dbarchitect.errors import DbarchError, redact
from dbarchitect.guardrails import explain_rule, get_rule, lint_json, lint_sarif, lint_text, rule_ids
from dbarchitect.guardrails.design.runner import (
    all_design_rules,
    explain_design_rule,
    verdict_json,
    verdict_sarif,
    verdict_text,
)
from dbarchitect.report.document import design_document, inspection_document
from dbarchitect.report.html import render_html
from dbarchitect.report.indexes import advice_sql, index_advice_document, render_index_text
from dbarchitect.report.json import dumps
from dbarchitect.report.markdown import render_markdown, verdict_markdown
from dbarchitect.report.text import render_text
from dbarchitect.results import Design
from dbarchitect.verify.calibration import (
    calibration_json,
    calibration_markdown,
    calibration_text,
    latency_model_json,
)
from dbarchitect.verify.rehearse import rehearsal_markdown
from dbarchitect.verify.replay import verification_json, verification_markdown, verification_text

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


def _key_values(values: list[str] | None, option: str, usage: str) -> dict[str, str] | None:
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
        typer.Option(
            "--output", "-o", help="Directory for schema files, report.md, report.html, design.json."
        ),
    ] = None,
    format: FormatOpt = OutputFormat.text,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            "-d",
            help="PostgreSQL URL to cost indexes on with HypoPG (read-only; default: the built-in model).",
        ),
    ] = None,
) -> None:
    """Choose indexes, render the schema for the target and every portable engine, with the analysis."""
    result = _run(lambda: api.design(brief, database=database))
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
    (output / "report.html").write_text(render_html(doc), encoding="utf-8")
    (output / "design.json").write_text(dumps(doc), encoding="utf-8")


def _emit(doc: dict[str, object], format: OutputFormat) -> None:
    if format == OutputFormat.json:
        sys.stdout.write(dumps(doc))
    elif format == OutputFormat.markdown:
        sys.stdout.write(render_markdown(doc))
    else:
        render_text(doc, Console(highlight=False))


class IndexFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sql = "sql"


class AlgorithmChoice(StrEnum):
    greedy = "greedy"
    exact = "exact"


def _budget_bytes(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(parse_size(value))
    except ValueError as exc:
        raise DbarchError(f"--budget: {exc}") from None


@contextmanager
def _progress_bar(enabled: bool, *fields: TextColumn) -> Iterator[RichProgress | None]:
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


@contextmanager
def _search_progress(enabled: bool) -> Iterator[Progress | None]:
    """The index search's bar: steps done of expected, and the best workload cost so far."""
    with _progress_bar(enabled, TextColumn("best cost {task.fields[best]}")) as bar:
        if bar is None:
            yield None
            return
        task = bar.add_task("choosing indexes", total=None, best="—")

        def update(done: int, total: int, best: float) -> None:
            bar.update(task, completed=done, total=max(total, done), best=f"{best:,.0f}")

        yield update


@app.command()
def indexes(
    brief: BriefArg,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            "-d",
            help="PostgreSQL URL to cost on with HypoPG (read-only; default: the brief's source, else the "
            "built-in model).",
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget", "-b", help="Index storage budget, e.g. 1GB (default: budgets.index_storage)."
        ),
    ] = None,
    algorithm: Annotated[
        AlgorithmChoice, typer.Option("--algorithm", help="greedy (Extend-style + swaps) or exact (highspy).")
    ] = AlgorithmChoice.greedy,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the search; the best so far is kept.")
    ] = None,
    format: Annotated[IndexFormat, typer.Option("--format", "-f", help="Output format.")] = IndexFormat.text,
) -> None:
    """Recommend indexes for the brief's workload, costed by the planner, within the budget."""
    if time_limit is not None and time_limit <= 0:
        _fail("--time-limit: give a number of seconds greater than 0")
    with _search_progress(format == IndexFormat.text) as progress:
        advice = _run(
            lambda: api.recommend_indexes(
                brief,
                database=database,
                budget_bytes=_budget_bytes(budget),
                algorithm=algorithm.value,
                time_limit_s=time_limit,
                progress=progress,
            )
        )
    doc = index_advice_document(advice)
    if format == IndexFormat.sql:
        sys.stdout.write(advice_sql(doc))
    elif format == IndexFormat.json:
        sys.stdout.write(dumps(doc))
    elif format == IndexFormat.markdown:
        sys.stdout.write(render_markdown({"indexes": doc}, template="indexes.md.j2"))
    else:
        render_index_text(doc, Console(highlight=False))


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
) -> None:
    """Plan a safe, ordered, reversible migration from one schema to another."""
    plan = _run(
        lambda: api.plan_schema_migration(
            current,
            target,
            engine,
            renames=_key_values(rename, "--rename", "table.old_column=new_column or old_table=new_table"),
            allow_data_loss=allow_data_loss,
            check_url=check,
        )
    )
    if output is not None:
        _run(lambda: _write_migration(plan, output))
    if alembic is not None:
        revision = hashlib.sha1(dumps(plan_json(plan)).encode()).hexdigest()[:12]
        _run(lambda: _write_text(alembic, alembic_revision(plan, revision=revision)))
    if rehearse is not None:
        url, existing = rehearse, rehearse_existing
        rehearsal = _run(
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


def _write_text(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise DbarchError(f"{path}: cannot write ({exc.strerror})") from None


def _write_migration(plan: MigrationPlan, output: Path) -> None:
    for phase, sql in plan_sql_by_phase(plan).items():
        if sql.strip():
            _write_text(output / f"{list(Phase).index(phase) + 1}_{phase.value}.sql", sql)
    _write_text(output / "down.sql", down_sql(plan))
    _write_text(output / "plan.md", plan_markdown(plan))
    _write_text(output / "plan.json", dumps(plan_json(plan)))


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


@app.command()
def lint(
    file: Annotated[Path, typer.Argument(help="The migration file (.sql).", show_default=False)],
    engine: Annotated[
        str,
        typer.Option("--engine", "-e", help="Engine and version, e.g. 'postgresql 15' or 'mariadb 10.11'."),
    ],
    brief: Annotated[
        Path | None,
        typer.Option(
            "--brief", help="A brief: its schema, sizes, growth and guardrail levels inform the rules."
        ),
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Set a rule's level: RULE-ID=error|warning|off.")
    ] = None,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
) -> None:
    """Lint a hand-written migration for operations that lock, rewrite or lose data (exit 1 on errors)."""
    result = _run(
        lambda: api.lint_migration(
            file,
            engine,
            brief=brief,
            config=_key_values(rule, "--rule", "RULE-ID=error, RULE-ID=warning or RULE-ID=off"),
        )
    )
    if format == LintFormat.sarif:
        sys.stdout.write(dumps(lint_sarif(result)))
    elif format == LintFormat.json:
        sys.stdout.write(lint_json(result))
    else:
        sys.stdout.write(lint_text(result))
    raise typer.Exit(result.exit_code)


rules_app = typer.Typer(help="The lint rules: list them, or explain one.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list() -> None:
    """Every rule id with its one-line summary: migration lint rules, then design guardrails."""
    typer.echo("# migration lint (dbarch lint)")
    for rule_id in rule_ids():
        typer.echo(f"{rule_id}: {get_rule(rule_id).summary}")
    typer.echo("# design guardrails (dbarch check)")
    for design_rule in all_design_rules():
        typer.echo(f"{design_rule.id}: {design_rule.summary}")


def _explain(rule_id: str) -> str:
    """A lint rule's explanation, else a design rule's (an id may name both: then both are shown)."""
    texts: list[str] = []
    errors: list[DbarchError] = []
    for explain in (explain_rule, explain_design_rule):
        try:
            texts.append(explain(rule_id).rstrip())
        except DbarchError as exc:
            errors.append(exc)
    if not texts:
        raise errors[0]
    return "\n\n".join(texts) + "\n"


@rules_app.command("explain")
def rules_explain(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. require-concurrent-index-creation.")],
) -> None:
    """What the rule catches, why it matters, and the safe alternative."""
    sys.stdout.write(_run(lambda: _explain(rule_id)))


CalibrationOpt = Annotated[
    Path | None,
    typer.Option(
        "--calibration",
        help="A latency model from `dbarch calibrate -o FILE` instead of the engine's shipped one.",
    ),
]


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"


@app.command()
def check(
    brief: BriefArg,
    database: Annotated[
        str | None,
        typer.Option("--database", "-d", help="PostgreSQL URL to cost on with HypoPG (read-only)."),
    ] = None,
    engine_url: Annotated[
        list[str] | None,
        typer.Option(
            "--engine-url",
            help="ENGINE=URL of an empty scratch database to prove portability on (emptied after).",
        ),
    ] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.text,
    calibration: CalibrationOpt = None,
) -> None:
    """The guardrail verdict of the brief's design; exit 1 when an error-level guardrail fails."""
    verdict = _run(
        lambda: api.check_brief(
            brief,
            database=database,
            engine_urls=_key_values(
                engine_url, "--engine-url", "ENGINE=URL, e.g. postgresql=postgresql://..."
            ),
            calibration=calibration,
        )
    )
    if format == CheckFormat.sarif:
        sys.stdout.write(dumps(verdict_sarif(verdict)))
    elif format == CheckFormat.markdown:
        sys.stdout.write(verdict_markdown(json.loads(verdict_json(verdict))))
    elif format == CheckFormat.json:
        sys.stdout.write(verdict_json(verdict))
    else:
        sys.stdout.write(verdict_text(verdict))
    raise typer.Exit(0 if verdict.passed else 1)


class VerifyFormat(StrEnum):
    markdown = "markdown"
    text = "text"
    json = "json"


@contextmanager
def _verify_progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """One bar per stage of ``verify`` (data generation, replay)."""
    with _progress_bar(enabled) as bar:
        if bar is None:
            yield None
            return
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=max(total, done))

        yield update


EngineUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--engine-url",
        help="An EMPTY scratch PostgreSQL/MariaDB/SQLite database to fill (default: embedded SQLite).",
    ),
]
EmbeddedOpt = Annotated[bool, typer.Option("--embedded", help="SQLite in a temporary file (the default).")]
ScaleOpt = Annotated[float, typer.Option("--scale", help="Fraction of the brief's row counts to generate.")]
SecondsOpt = Annotated[float, typer.Option("--seconds", help="Seconds of replay per statement at most.")]
RepetitionsOpt = Annotated[int, typer.Option("--repetitions", help="Executions per statement at most.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the synthetic data and parameters.")]
VerifyFormatOpt = Annotated[VerifyFormat, typer.Option("--format", "-f", help="Output format.")]


@app.command()
def verify(
    brief: BriefArg,
    engine_url: EngineUrlOpt = None,
    embedded: EmbeddedOpt = False,
    scale: ScaleOpt = 0.01,
    seconds: SecondsOpt = 2.0,
    repetitions: RepetitionsOpt = 200,
    seed: SeedOpt = 0,
    format: VerifyFormatOpt = VerifyFormat.markdown,
    calibration: CalibrationOpt = None,
) -> None:
    """Build the design with synthetic data, replay the workload, measure p50/p95 against each SLO
    and the estimate for the data as loaded (exit 1 when a statement misses its SLO or fails)."""
    if embedded and engine_url is not None:
        _fail("give either --engine-url or --embedded, not both")
    with _verify_progress(True) as progress:
        result = _run(
            lambda: api.verify_brief(
                brief,
                engine_url=engine_url,
                scale=scale,
                seconds_per_statement=seconds,
                repetitions=repetitions,
                seed=seed,
                progress=progress,
                calibration=calibration,
            )
        )
    if format == VerifyFormat.json:
        sys.stdout.write(verification_json(result))
    elif format == VerifyFormat.text:
        sys.stdout.write(verification_text(result))
    else:
        sys.stdout.write(verification_markdown(result))
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def calibrate(
    engine_url: EngineUrlOpt = None,
    embedded: EmbeddedOpt = False,
    scale: Annotated[
        float, typer.Option("--scale", help="Fraction of the micro-workload's sizes (1: 650k rows).")
    ] = 1.0,
    seconds: SecondsOpt = 2.0,
    repetitions: Annotated[
        int, typer.Option("--repetitions", help="Executions per statement at most.")
    ] = 300,
    seed: SeedOpt = 0,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the fitted model here, for --calibration FILE."),
    ] = None,
    format: Annotated[
        VerifyFormat, typer.Option("--format", "-f", help="Output format of the report.")
    ] = VerifyFormat.markdown,
) -> None:
    """Fit an engine's latency model: run a fixed micro-workload on an EMPTY scratch database (the
    tables it creates stay there) and fit the coefficients by least squares."""
    if embedded and engine_url is not None:
        _fail("give either --engine-url or --embedded, not both")
    with _verify_progress(True) as progress:
        result = _run(
            lambda: api.calibrate_engine(
                engine_url,
                scale=scale,
                seconds_per_statement=seconds,
                repetitions=repetitions,
                seed=seed,
                progress=progress,
            )
        )
    if output is not None:
        try:
            output.write_text(latency_model_json(result.model), encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc.__class__.__name__}")
    if format == VerifyFormat.json:
        sys.stdout.write(calibration_json(result))
    elif format == VerifyFormat.text:
        sys.stdout.write(calibration_text(result))
    else:
        sys.stdout.write(calibration_markdown(result))


class PartitionFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sql = "sql"


@app.command()
def partition(
    brief: BriefArg,
    engine_url: Annotated[
        list[str] | None,
        typer.Option(
            "--engine-url",
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
            help="Directory for partitioning.md/.json/.sql, pg_partman.sql and migration/ (steps by phase).",
        ),
    ] = None,
) -> None:
    """Decide per table whether partitioning pays, its key and layout, the engine's rules, maintenance
    and migration; with --engine-url, measure the pruning with the planner's EXPLAIN."""
    from dbarchitect.report.partitioning import (
        partitioning_document,
        partitioning_files,
        partitioning_sql,
        render_partitioning_text,
    )

    result = _run(
        lambda: api.advise_partitioning(
            brief,
            engine_urls=_key_values(
                engine_url, "--engine-url", "ENGINE=URL, e.g. postgresql=postgresql://user@host/scratch"
            ),
        )
    )
    doc = partitioning_document(result)
    if output is not None:

        def write() -> None:
            for name, content in partitioning_files(result).items():
                _write_text(output / name, content)
            _write_text(
                output / "partitioning.md", render_markdown({"partitioning": doc}, "partitioning.md.j2")
            )
            _write_text(output / "partitioning.json", dumps(doc))
            if result.advice.migration is not None:
                _write_migration(result.advice.migration, output / "migration")

        _run(write)
    if format == PartitionFormat.sql:
        sys.stdout.write(partitioning_sql(result))
    elif format == PartitionFormat.json:
        sys.stdout.write(dumps(doc))
    elif format == PartitionFormat.markdown:
        sys.stdout.write(render_markdown({"partitioning": doc}, "partitioning.md.j2"))
    else:
        render_partitioning_text(doc, Console(highlight=False, width=160))


@app.command()
def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Streamable HTTP (at http://HOST:PORT/mcp) instead of stdio.")
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on with --http (loopback).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on with --http.")
    ] = 8000,
    allow_scratch: Annotated[
        bool,
        typer.Option(
            "--allow-scratch",
            help="Let calls write to an EMPTY scratch database they name (verify, rehearsal, portability); "
            "off: no tool writes to any database.",
        ),
    ] = False,
    root: Annotated[
        Path, typer.Option("--root", help="The only directory whose files tools may read (default: here).")
    ] = Path("."),
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Let --host be a non-loopback address (no authentication!)."),
    ] = False,
) -> None:
    """Serve the architect to AI agents over the Model Context Protocol (stdio, or HTTP on loopback)."""
    from dbarchitect.mcp import Sandbox, serve

    sandbox = _run(lambda: Sandbox.at(root, allow_scratch=allow_scratch))
    _run(lambda: serve(sandbox, http=http, host=host, port=port, allow_remote=allow_remote))


@app.command("brief-schema")
def brief_schema() -> None:
    """Print the JSON Schema of the design brief (for editor completion and validation)."""
    sys.stdout.write(json.dumps(brief_json_schema(), indent=2, sort_keys=True) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
