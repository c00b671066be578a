"""How lint results are shown: text for people, JSON for machines, Markdown for the rule pages.

Every shape is built from :class:`~dbarchitect.guardrails.runner.LintResult` alone (one file or
several: each finding names its file), so a new output format is one more function here.
"""

from __future__ import annotations

import json
from typing import Any

from dbarchitect.guardrails.rule import Finding, Fix, Span
from dbarchitect.guardrails.runner import LintResult, all_rules, explain_rule, get_rule


def finding_text(finding: Finding) -> str:
    """One finding as the text report prints it (location, level, rule, message; hint and fix below)."""
    where = f"{finding.file or '<sql>'}:{finding.span.line}:{finding.span.column}"
    lines = [f"{where}: {finding.level.value} [{finding.rule_id}] {finding.message}"]
    if finding.hint:
        lines.append(f"  hint: {finding.hint}")
    if finding.fix:
        lines.append(f"  fix: {finding.fix.description}")
        lines.extend(f"    {line}" for line in finding.fix.replacement.splitlines())
    return "\n".join(lines)


def lint_text(result: LintResult) -> str:
    """The human-readable report: one block per finding, then a count (per file when several)."""
    blocks = [finding_text(f) for f in result.findings]
    where = f" in {len(result.files)} files" if len(result.files) > 1 else ""
    invalid = f", {result.invalid} of them not parsing" if result.invalid else ""
    summary = (
        f"{result.errors} error(s), {result.warnings} warning(s) in {result.statements} statement(s)"
        f"{where}{invalid} ({result.engine})"
    )
    return "\n".join([*blocks, summary]) + "\n"


def lint_json(result: LintResult) -> str:
    """The machine-readable report (stable key order)."""
    data: dict[str, Any] = {
        "file": result.file,
        "files": [
            {
                "file": f.file,
                "statements": f.statements,
                "errors": f.errors,
                "warnings": f.warnings,
                "invalid": f.invalid,
            }
            for f in result.files
        ],
        "engine": result.engine,
        "statements": result.statements,
        "rules": list(result.rules),
        "errors": result.errors,
        "warnings": result.warnings,
        "invalid": result.invalid,
        "exit_code": result.exit_code,
        "findings": [
            {
                "rule": f.rule_id,
                "level": f.level.value,
                "message": f.message,
                "file": f.file,
                "line": f.span.line,
                "column": f.span.column,
                "end_line": f.span.end_line,
                "end_column": f.span.end_column,
                "hint": f.hint,
                "fix": _fix_json(f.fix, f.span) if f.fix else None,
            }
            for f in result.findings
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def docstring_markdown(doc: str) -> str:
    """A rule docstring as Markdown: reST literal blocks (``Bad::`` + indented lines) become fenced SQL
    and double backquotes single ones."""
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            out.extend([line.rstrip()[:-1], "", "```sql"])
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                out.append(lines[i][4:])
                i += 1
            while out[-1] == "":
                out.pop()
            out.extend(["```", ""])
            continue
        out.append(line.replace("``", "`"))
        i += 1
    return "\n".join(out).strip()


def rule_doc_markdown(rule_id: str) -> str:
    """The ``docs/rules/<id>.md`` page: summary, engines, default level, then the rule's docstring
    (problem, bad, good, fix) and how to suppress it."""
    rule = get_rule(rule_id)
    engines = ", ".join(sorted(e.value for e in rule.engines))
    return (
        f"# {rule.id}\n\n{rule.summary}\n\n- Engines: {engines}\n- Default level: {rule.level.value}\n\n"
        f"{docstring_markdown(explain_rule(rule_id).strip())}\n\n## Suppress\n\n"
        f"On the statement or the line before it: `-- dbarch:disable {rule.id}`; for the whole file:\n"
        f"`-- dbarch:disable-file {rule.id}`.\n\n## Configure\n\n"
        f"Set its level (`error`, `warning` or `off`) for a project in `dbarch.toml`:\n\n"
        f'```toml\n[rules]\n{rule.id} = "warning"\n```\n\n'
        f"(in `pyproject.toml`: under `[tool.dbarch.rules]`); for one brief in its `guardrails:` map; "
        f"for one run with `dbarch lint --rule {rule.id}=off`. The command line wins over the file, the "
        f"file over the brief.\n"
    )


def rules_index_markdown() -> str:
    """The ``docs/rules/README.md`` index: every rule with its engines, default level and summary."""
    lines = [
        "# Migration lint rules",
        "",
        "`dbarch lint FILE.sql --engine ...` checks a hand-written migration against these rules; an",
        "error-level finding makes it exit 1. `dbarch rules explain ID` prints a rule's page.",
        "",
        "| rule | engines | level | what it catches |",
        "| --- | --- | --- | --- |",
    ]
    for rule in all_rules():
        engines = ", ".join(sorted(e.value for e in rule.engines))
        lines.append(f"| [{rule.id}]({rule.id}.md) | {engines} | {rule.level.value} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def _fix_json(fix: Fix, where: Span) -> dict[str, object]:
    """A fix with the place its replacement replaces (the whole statement: the finding's own line and
    column may point inside it)."""
    span = fix.span or where
    return {
        "description": fix.description,
        "replacement": fix.replacement,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }
