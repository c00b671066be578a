"""``dbarch indexes``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import TextColumn

from dbarchitect import api
from dbarchitect.advisors.indexes.advisor import Progress
from dbarchitect.brief import parse_size
from dbarchitect.cli.app import (
    BriefArg,
    app,
    fail,
    progress_bar,
    run,
)
from dbarchitect.errors import DbarchError
from dbarchitect.report.indexes import advice_sql, index_advice_document, render_index_text
from dbarchitect.report.json import dumps
from dbarchitect.report.markdown import render_markdown


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
def _search_progress(enabled: bool) -> Iterator[Progress | None]:
    """The index search's bar: steps done of expected, and the best workload cost so far."""
    with progress_bar(enabled, TextColumn("best cost {task.fields[best]}")) as bar:
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
        fail("--time-limit: give a number of seconds greater than 0")
    with _search_progress(format == IndexFormat.text) as progress:
        advice = run(
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
