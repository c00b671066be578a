"""Findings as GitHub Actions workflow commands (``--format github``): one ``::error`` or
``::warning`` line per finding, with the file, line and column it is about, so the Actions runner
shows it as an annotation on the pull request's diff (what squawk's and Atlas's GitHub formats do).

Values are escaped as the runner expects: ``%``, CR and LF in the message; also ``:`` and ``,`` in
the properties. Notes (what was not checked) are ``::notice`` lines without a file. See GitHub's
"Workflow commands for GitHub Actions" (``::error file={name},line={line},...::{message}``). A file
is named relative to the checkout (``GITHUB_WORKSPACE``), as the runner matches it against the diff;
standard input (``<stdin>``) is no file, so its findings carry none (they show on the job's summary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbarchitect.guardrails.sarif import workspace_path

if TYPE_CHECKING:
    from dbarchitect.guardrails.design.runner import DesignVerdict, Locator
    from dbarchitect.guardrails.runner import LintResult


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
) -> str:
    """One workflow command line: ``::error file=f,line=3,col=1,title=rule::message``."""
    command = {"error": "error", "warning": "warning"}.get(level, "notice")
    properties = [
        (name, value)
        for name, value in (
            ("file", workspace_path(file) if file and not file.startswith("<") else None),
            ("line", line),
            ("col", column),
            ("endLine", end_line),
            ("endColumn", end_column),
            ("title", title),
        )
        if value is not None
    ]
    props = ",".join(f"{name}={_property(str(value))}" for name, value in properties)
    return f"::{command}{' ' + props if props else ''}::{_data(message)}"


def lint_annotations(result: LintResult) -> str:
    """A migration lint's findings, each at its statement's span in the migration file."""
    lines = [
        annotation(
            f.level.value,
            f.message + (f" Hint: {f.hint}" if f.hint else ""),
            title=f"dbarch lint: {f.rule_id}",
            file=f.file or None,
            line=f.span.line,
            column=f.span.column,
            end_line=f.span.end_line,
            end_column=f.span.end_column,
        )
        for f in result.findings
    ]
    lines.append(
        annotation(
            "notice",
            f"dbarch lint: {result.errors} error(s), {result.warnings} warning(s)",
        )
    )
    return "\n".join(lines) + "\n"


def verdict_annotations(verdict: DesignVerdict, locator: Locator | None) -> str:
    """A design verdict's findings, each at the line of its column, table, statement or engine in the
    brief or its DDL file (the brief itself, without a line, when no locator knows it)."""
    from dbarchitect.guardrails.design.runner import finding_location

    lines: list[str] = []
    for f in verdict.findings:
        where = finding_location(f, locator)
        lines.append(
            annotation(
                f.level.value,
                f.message + (f" Hint: {f.hint}" if f.hint else ""),
                title=f"dbarch check: {f.rule_id} ({f.where})",
                file=where.file if where else verdict.brief,
                line=where.line if where else None,
                column=where.column if where else None,
            )
        )
    lines += [annotation("notice", f"dbarch check: {note}", file=verdict.brief) for note in verdict.notes]
    outcome = "FAIL" if not verdict.passed else "pass"
    lines.append(
        annotation(
            "notice",
            f"dbarch check {outcome}: {verdict.errors} error(s), {verdict.warnings} warning(s) on "
            f"{verdict.brief} ({verdict.engine})",
        )
    )
    return "\n".join(lines) + "\n"
