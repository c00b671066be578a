"""``dbarch lint`` and ``dbarch rules``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dbarchitect.cli.app import (
    QuietOpt,
    app,
    configured_engine,
    current_config,
    key_values,
    progress,
    run,
)
from dbarchitect.errors import DbarchError


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


@app.command(short_help="Lint migrations for locks, rewrites and data loss.")
def lint(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Migration files (.sql), directories (their .sql files in name order) or - for standard "
            "input; linted one after the other.",
            show_default=False,
            metavar="FILE",
        ),
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
    brief: Annotated[
        Path | None,
        typer.Option(
            "--brief",
            metavar="BRIEF",
            help="A brief: its schema, sizes, growth and guardrail levels inform the rules.",
        ),
    ] = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule",
            metavar="RULE-ID=LEVEL",
            help="A rule's level, e.g. integer-primary-key=off (error, warning or off).",
        ),
    ] = None,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
    quiet: QuietOpt = False,
) -> None:
    """Lint hand-written migrations for operations that lock, rewrite or lose data (exit 1 on errors,
    2 when a statement does not parse)."""
    from dbarchitect import api
    from dbarchitect.cli.config import lint_rule_levels
    from dbarchitect.guardrails import lint_json, lint_sarif, lint_text
    from dbarchitect.report.json import dumps

    levels = run(
        lambda: {
            **lint_rule_levels(current_config()),
            **(key_values(rule, "--rule", "RULE-ID=error, RULE-ID=warning or RULE-ID=off") or {}),
        }
    )
    on = configured_engine(engine)
    with progress("lint", quiet) as reporter:
        result = run(
            lambda: api.lint_migrations(
                files,
                on,
                brief=brief if brief is not None else current_config().brief,
                config=levels or None,
                progress=reporter,
            )
        )
    if format == LintFormat.sarif:
        sys.stdout.write(dumps(lint_sarif(result)))
    elif format == LintFormat.github:
        from dbarchitect.guardrails.github import lint_annotations

        sys.stdout.write(lint_annotations(result))
    elif format == LintFormat.json:
        sys.stdout.write(lint_json(result))
    else:
        sys.stdout.write(lint_text(result))
    raise typer.Exit(result.exit_code)


rules_app = typer.Typer(
    help="The lint rules: list them, or explain one.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list() -> None:
    """Every rule id with its one-line summary: migration lint rules, then design guardrails."""
    from dbarchitect.guardrails.catalog import rule_summaries

    typer.echo("# migration lint (dbarch lint)")
    for rule_id, summary in rule_summaries("guardrails.rules"):
        typer.echo(f"{rule_id}: {summary}")
    typer.echo("# design guardrails (dbarch check)")
    for rule_id, summary in rule_summaries("guardrails.design.rules"):
        typer.echo(f"{rule_id}: {summary}")


def _explain(rule_id: str) -> str:
    """A lint rule's explanation, else a design rule's (an id may name both: then both are shown)."""
    from dbarchitect.guardrails import explain_rule
    from dbarchitect.guardrails.design.runner import explain_design_rule

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
    rule_id: Annotated[
        str, typer.Argument(help="A rule id, e.g. require-concurrent-index-creation.", metavar="RULE-ID")
    ],
) -> None:
    """What the rule catches, why it matters, and the safe alternative."""
    sys.stdout.write(run(lambda: _explain(rule_id)))
