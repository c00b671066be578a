"""The ``lint_migration`` tool's structured result."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from dbarchitect.mcp.outputs.base import Level, OutModel, redacted

if TYPE_CHECKING:
    from dbarchitect.guardrails import LintResult

# ---------------------------------------------------------------------------------------------
# lint_migration


class Fix(OutModel):
    description: str
    replacement: str
    #: Where the text the replacement replaces (the whole statement) starts and ends.
    line: int
    column: int
    end_line: int
    end_column: int


class LintFinding(OutModel):
    rule: str
    level: Level
    message: str
    file: str | None
    line: int
    column: int
    end_line: int
    end_column: int
    hint: str | None
    fix: Fix | None


class LintFile(OutModel):
    file: str | None
    statements: int
    errors: int
    warnings: int
    invalid: int


class LintReport(OutModel):
    """Findings of the migration linter, in file order; ``errors`` > 0 fails a CI gate, ``invalid``
    > 0 (statements that do not parse, reported as ``invalid-sql`` errors) is bad input (exit 2)."""

    file: str | None
    files: list[LintFile]
    engine: str
    statements: int
    rules: list[str]
    errors: int
    warnings: int
    invalid: int
    exit_code: int
    findings: list[LintFinding]


def lint_report(result: LintResult) -> LintReport:
    from dbarchitect.guardrails import lint_json

    return LintReport.model_validate(redacted(json.loads(lint_json(result))))
