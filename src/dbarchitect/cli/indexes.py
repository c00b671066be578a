"""``dbarch indexes``."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from dbarchitect.cli.app import BriefArg, QuietOpt, app, configured_brief, fail, progress, run
from dbarchitect.errors import DbarchError


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
    from dbarchitect.brief import parse_size

    try:
        return float(parse_size(value))
    except ValueError as exc:
        raise DbarchError(f"--budget: {exc}") from None


@app.command(short_help="Indexes for the workload, costed by the planner, in budget.")
def indexes(
    brief: BriefArg = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            "-d",
            metavar="URL",
            help="PostgreSQL URL to cost on with HypoPG (read-only; default: the brief's source, else the "
            "built-in model).",
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget",
            "-b",
            metavar="SIZE",
            help="Index storage budget, e.g. 1GB (default: budgets.index_storage).",
        ),
    ] = None,
    algorithm: Annotated[
        AlgorithmChoice, typer.Option("--algorithm", help="greedy (Extend-style + swaps) or exact (highspy).")
    ] = AlgorithmChoice.greedy,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            metavar="SECONDS",
            help="Wall-clock safety net: stop the search after this many seconds (the advice then says it "
            "is not reproducible). The work budget (--work-limit) decides where the search stops.",
        ),
    ] = None,
    work_limit: Annotated[
        int | None,
        typer.Option(
            "--work-limit",
            metavar="CALLS",
            help="Planner calls the search may make (default: 4 per statement and candidate on its "
            "tables, at least 1,000); the same brief always gets the same advice.",
        ),
    ] = None,
    format: Annotated[IndexFormat, typer.Option("--format", "-f", help="Output format.")] = IndexFormat.text,
    quiet: QuietOpt = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Refuse the brief when a statement cannot be analyzed or planned (default: leave it "
            "out of the advice and list it with its reason).",
        ),
    ] = False,
    validate: Annotated[
        str | None,
        typer.Option(
            "--validate",
            metavar="SCRATCH_URL",
            help="Empty scratch database URL: build the advice there for real over synthetic data, time "
            "every statement before and after, and remove an index no real plan uses or that slows a "
            "statement by more than 10% (unless its other statements gain more time).",
        ),
    ] = None,
    validate_scale: Annotated[
        float,
        typer.Option(
            "--validate-scale", metavar="SHARE", help="Share of the brief's rows loaded for --validate."
        ),
    ] = 0.01,
    validate_runs: Annotated[
        int,
        typer.Option(
            "--validate-runs",
            metavar="N",
            help="Timed runs per statement for --validate (the median is kept).",
        ),
    ] = 5,
) -> None:
    """Recommend indexes for the brief's workload, costed by the planner, within the budget."""
    from dbarchitect import api
    from dbarchitect.report.indexes import advice_sql, index_advice_document, render_index_text
    from dbarchitect.report.json import dumps
    from dbarchitect.report.markdown import render_markdown
    from dbarchitect.report.text import text_console

    if time_limit is not None and time_limit <= 0:
        fail("--time-limit: give a number of seconds greater than 0")
    if work_limit is not None and work_limit < 1:
        fail("--work-limit: give a number of planner calls of at least 1")
    if validate_scale <= 0 or validate_scale > 1:
        fail("--validate-scale: give a share of the rows greater than 0 and at most 1")
    if validate_runs < 1:
        fail("--validate-runs: give at least 1")
    loaded, file = configured_brief(brief)
    with progress("indexes", quiet) as reporter:

        def search_progress(done: int, total: int, best: float) -> None:
            reporter("choosing indexes", done, total, f"best cost {best:,.0f}")

        advice = run(
            lambda: api.recommend_indexes(
                loaded,
                file=file,
                database=database,
                budget_bytes=_budget_bytes(budget),
                algorithm=algorithm.value,
                time_limit_s=time_limit,
                work_limit=work_limit,
                progress=search_progress,
                strict=strict,
                validate=validate,
                validate_scale=validate_scale,
                validate_runs=validate_runs,
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
        render_index_text(doc, text_console())
