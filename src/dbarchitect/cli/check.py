"""``dbarch check``: the guardrail verdict, for CI gates."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from dbarchitect.cli.app import (
    BriefArg,
    CalibrationOpt,
    QuietOpt,
    app,
    configured_brief,
    key_values,
    progress,
    run,
)


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"


@app.command(short_help="The guardrail verdict of a brief's design (exit 1 on errors).")
def check(
    brief: BriefArg = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", "-d", metavar="URL", help="PostgreSQL URL to cost on with HypoPG (read-only)."
        ),
    ] = None,
    engine_url: Annotated[
        list[str] | None,
        typer.Option(
            "--engine-url",
            metavar="ENGINE=URL",
            help="ENGINE=URL of an empty scratch database to prove portability on (emptied after).",
        ),
    ] = None,
    format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format (github: workflow-command annotations for GitHub Actions).",
        ),
    ] = CheckFormat.text,
    calibration: CalibrationOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The guardrail verdict of the brief's design; exit 1 when an error-level guardrail fails."""
    from dbarchitect import api
    from dbarchitect.guardrails.design.runner import verdict_json, verdict_sarif, verdict_text
    from dbarchitect.report.json import dumps

    loaded, file = configured_brief(brief)
    with progress("check", quiet) as reporter:
        verdict = run(
            lambda: api.check_brief(
                loaded,
                file=file,
                database=database,
                engine_urls=key_values(
                    engine_url, "--engine-url", "ENGINE=URL, e.g. postgresql=postgresql://..."
                ),
                calibration=calibration,
                progress=reporter,
            )
        )
    if format in (CheckFormat.sarif, CheckFormat.github):
        from dbarchitect.ingest.locations import BriefLocator

        locator = BriefLocator.load(file)
    if format == CheckFormat.sarif:
        sys.stdout.write(dumps(verdict_sarif(verdict, locator)))
    elif format == CheckFormat.github:
        from dbarchitect.guardrails.github import verdict_annotations

        sys.stdout.write(verdict_annotations(verdict, locator))
    elif format == CheckFormat.markdown:
        import json

        from dbarchitect.report.markdown import verdict_markdown

        sys.stdout.write(verdict_markdown(json.loads(verdict_json(verdict))))
    elif format == CheckFormat.json:
        sys.stdout.write(verdict_json(verdict))
    else:
        sys.stdout.write(verdict_text(verdict))
    raise typer.Exit(0 if verdict.passed else 1)
