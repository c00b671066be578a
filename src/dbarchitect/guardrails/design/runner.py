"""Run the design guardrail rules over a design and render the verdict.

Every rule of ``guardrails/design/rules`` (one module per rule) looks at the whole design through a
:class:`DesignContext`. Levels come from the brief's ``guardrails:`` map (rule id -> ``error``,
``warning`` or ``off``), else each rule's default. The map is shared with the migration linter, so a
key may name a rule of either kind; a key that names neither is reported in the verdict's notes with a
did-you-mean (the examples' briefs were written before some ids existed, so it is not fatal). Findings
are sorted errors first, then by rule, table, column and statement: the order is stable.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from dbarchitect._version import __version__
from dbarchitect.errors import Diagnostic
from dbarchitect.guardrails import rule_ids as migration_rule_ids
from dbarchitect.guardrails.design import rules as rules_package
from dbarchitect.guardrails.design.rule import DesignContext, DesignFinding, DesignRule
from dbarchitect.guardrails.output import docstring_markdown
from dbarchitect.guardrails.rule import Level, RuleConfigError, discover_rules
from dbarchitect.guardrails.sarif import SARIF_SCHEMA, SARIF_VERSION, artifact_uri

if TYPE_CHECKING:
    from dbarchitect.ingest.locations import Location


@cache
def all_design_rules() -> tuple[DesignRule, ...]:
    """Every design rule, one per module of ``guardrails/design/rules``, sorted by id."""
    return discover_rules(rules_package, DesignRule)


def design_rule_ids() -> tuple[str, ...]:
    return tuple(r.id for r in all_design_rules())


def get_design_rule(rule_id: str) -> DesignRule:
    for rule in all_design_rules():
        if rule.id == rule_id:
            return rule
    close = difflib.get_close_matches(rule_id, design_rule_ids(), n=1)
    raise RuleConfigError(
        Diagnostic(
            f"no design rule {rule_id!r}" + (f"; did you mean {close[0]!r}?" if close else ""),
            hint="`dbarch rules list` names every rule",
        )
    )


def explain_design_rule(rule_id: str) -> str:
    rule = get_design_rule(rule_id)
    return inspect.getdoc(importlib.import_module(type(rule).__module__)) or rule.summary


@dataclass(frozen=True)
class DesignVerdict:
    """The guardrail verdict for a design: findings (errors first), the rules that ran, and notes on
    what was not checked and why (``dbarchitect.check_brief``, ``dbarch check``).

    Attributes:
        brief: The brief's file name.
        engine: The target engine, e.g. ``PostgreSQL 15``.
        findings: What the rules found: errors first, then by rule, table, column, statement.
        rules: The ids of the design rules that ran.
        notes: What was not checked, and why (an engine without a scratch database to run on...).
    """

    brief: str
    engine: str
    findings: tuple[DesignFinding, ...]
    rules: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == Level.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.level == Level.WARNING)

    @property
    def passed(self) -> bool:
        """No error-level finding: ``dbarch check`` exits 0."""
        return self.errors == 0


_ORDER = {Level.ERROR: 0, Level.WARNING: 1}


def _sort_key(f: DesignFinding) -> tuple[int, str, str, str, str, str, str]:
    return (
        _ORDER[f.level],
        f.rule_id,
        (f.table or "").lower(),
        (f.column or "").lower(),
        f.statement or "",
        f.engine or "",
        f.message,
    )


def rule_levels(config: Mapping[str, str]) -> tuple[dict[str, Level | None], tuple[str, ...]]:
    """Levels set by a brief's ``guardrails:`` map for design rules (None: off), and notes for keys
    that name no rule at all (with a did-you-mean)."""
    design = set(design_rule_ids())
    known = design | set(migration_rule_ids())
    levels: dict[str, Level | None] = {}
    notes: list[str] = []
    for key, value in sorted(config.items()):
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            notes.append(
                f"guardrails: {key!r} names no rule" + (f"; did you mean {close[0]!r}?" if close else "")
            )
            continue
        if key in design:
            levels[key] = None if value == "off" else Level(value)
    return levels, tuple(notes)


def run_design_rules(
    context: DesignContext,
    *,
    source: str = "<brief>",
    only: Collection[str] | None = None,
    notes: tuple[str, ...] = (),
) -> DesignVerdict:
    """Run every design rule (or those in ``only``) at the brief's levels over ``context``."""
    levels, config_notes = rule_levels(context.brief.guardrails)
    findings: list[DesignFinding] = []
    ran: list[str] = []
    for rule in all_design_rules():
        if only is not None and rule.id not in only:
            continue
        level = levels.get(rule.id, rule.level)
        if level is None:
            continue
        ran.append(rule.id)
        for d in rule.check(context):
            # A draft's softer level (a limitation named, not a failure) wins over an error level.
            final = Level.WARNING if d.level == Level.WARNING else level
            findings.append(
                DesignFinding(
                    rule.id, final, d.message, d.table, d.column, d.statement, d.engine, d.hint, d.details
                )
            )
    findings.sort(key=_sort_key)
    return DesignVerdict(source, str(context.traits), tuple(findings), tuple(ran), (*config_notes, *notes))


# ---------------------------------------------------------------------------------------------
# Rendering


def design_finding_text(finding: DesignFinding) -> str:
    lines = [f"{finding.level.value} [{finding.rule_id}] {finding.where}: {finding.message}"]
    if finding.hint:
        lines.append(f"  hint: {finding.hint}")
    return "\n".join(lines)


def verdict_details(verdict: DesignVerdict) -> list[tuple[str, list[str]]]:
    """The details section: each distinct group of supporting lines once, with the findings it belongs
    to (``slo-latency daily_revenue, top_sellers``): the latency model's provenance, shared by every
    latency finding, is printed once."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for f in verdict.findings:
        if f.details:
            groups.setdefault(f.details, []).append(f"{f.rule_id} {f.where}")
    return [(", ".join(owners), list(lines)) for lines, owners in groups.items()]


def verdict_text(verdict: DesignVerdict) -> str:
    """The human-readable verdict: one block per finding, notes, the details (provenance, the items
    grouped findings count), then the count and the outcome."""
    blocks = [design_finding_text(f) for f in verdict.findings]
    blocks += [f"note: {n}" for n in verdict.notes]
    for owners, lines in verdict_details(verdict):
        blocks.append(f"details for {owners}:\n" + "\n".join(f"  - {line}" for line in lines))
    outcome = "FAIL" if not verdict.passed else "pass"
    blocks.append(
        f"{outcome}: {verdict.errors} error(s), {verdict.warnings} warning(s) from {len(verdict.rules)} "
        f"design rule(s) on {verdict.brief} ({verdict.engine})"
    )
    return "\n".join(blocks) + "\n"


def verdict_json(verdict: DesignVerdict) -> str:
    data = {
        "brief": verdict.brief,
        "engine": verdict.engine,
        "passed": verdict.passed,
        "errors": verdict.errors,
        "warnings": verdict.warnings,
        "rules": list(verdict.rules),
        "notes": list(verdict.notes),
        "findings": [
            {
                "rule": f.rule_id,
                "level": f.level.value,
                "table": f.table,
                "column": f.column,
                "statement": f.statement,
                "engine": f.engine,
                "message": f.message,
                "hint": f.hint,
                "details": list(f.details),
            }
            for f in verdict.findings
        ],
    }
    return json.dumps(data, indent=2) + "\n"


_DOCS = "docs/rules/design/{id}.md"


class Locator(Protocol):
    """Where a finding's table, column, statement or engine is written (``ingest.locations``)."""

    def of(
        self,
        *,
        table: str | None = None,
        column: str | None = None,
        statement: str | None = None,
        engine: str | None = None,
    ) -> Location: ...


def finding_location(f: DesignFinding, locator: Locator | None) -> Location | None:
    if locator is None:
        return None
    return locator.of(table=f.table, column=f.column, statement=f.statement, engine=f.engine)


def verdict_sarif(verdict: DesignVerdict, locator: Locator | None = None) -> dict[str, Any]:
    """The verdict as a SARIF 2.1.0 log (a dict ready for ``json.dumps``). Each finding points at the
    line where its column, table, statement or engine is written (``locator``: the brief, or its DDL
    file), and names them as logical locations; without a locator (a brief given as data) the brief
    is the artifact with no region, rather than a made-up line 1."""
    rules = [r for r in all_design_rules() if r.id in verdict.rules]
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = [
        {
            "id": r.id,
            "name": "".join(part.capitalize() for part in r.id.split("-")),
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": explain_design_rule(r.id).strip()},
            "defaultConfiguration": {"level": r.level.value},
            "properties": {"category": r.category.value},
            "help": {"text": f"See {_DOCS.format(id=r.id)}; set `{r.id}: off` under guardrails: to disable"},
        }
        for r in rules
    ]
    results: list[dict[str, Any]] = []
    for f in verdict.findings:
        logical: list[dict[str, str]] = []
        if f.table:
            name = f"{f.table}.{f.column}" if f.column else f.table
            logical.append({"fullyQualifiedName": name, "kind": "column" if f.column else "table"})
        if f.statement:
            logical.append({"fullyQualifiedName": f.statement, "kind": "statement"})
        if f.engine:
            logical.append({"fullyQualifiedName": f.engine, "kind": "engine"})
        where = finding_location(f, locator)
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(where.file if where else verdict.brief)}
        }
        if where is not None:
            physical["region"] = {"startLine": where.line, "startColumn": where.column}
        location: dict[str, Any] = {"physicalLocation": physical}
        if logical:
            location["logicalLocations"] = logical
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": f.level.value,
            "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")},
            "locations": [location],
        }
        if f.details:
            result["properties"] = {"details": list(f.details)}
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": {"name": "dbarch check", "version": __version__, "rules": descriptors}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def design_rule_doc_markdown(rule_id: str) -> str:
    """The ``docs/rules/design/<id>.md`` page: summary, category, default level, explanation, and how
    to turn it down or off."""
    rule = get_design_rule(rule_id)
    return (
        f"# {rule.id}\n\n{rule.summary}\n\n- Category: {rule.category.value}\n"
        f"- Default level: {rule.level.value}\n\n"
        f"{docstring_markdown(explain_design_rule(rule_id).strip())}\n\n"
        "## Configure\n\nFor a project, in `dbarch.toml`:\n\n"
        f'```toml\n[rules]\n{rule.id} = "warning"\n```\n\n'
        f"(in `pyproject.toml`: under `[tool.dbarch.rules]`; levels are `error`, `warning` and `off`); "
        f"for one brief: `guardrails: {{{rule.id}: warning}}`. The file wins over the brief.\n"
    )


def design_rules_index_markdown() -> str:
    lines = [
        "# Design guardrail rules",
        "",
        "`dbarch check BRIEF` judges a whole design (schema, workload, budgets, engines) against these",
        "rules; an error-level finding makes it exit 1. Levels are set in the brief's `guardrails:` map.",
        "",
        "| rule | category | level | what it catches |",
        "| --- | --- | --- | --- |",
    ]
    for rule in all_design_rules():
        lines.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.category.value} | {rule.level.value} | {rule.summary} |"
        )
    return "\n".join(lines) + "\n"
