"""Guardrails: lint hand-written migration files for operations that lock, rewrite or lose data.

``lint_sql(text, traits, ...)`` runs every rule of ``guardrails/rules`` (one module per rule) over a
migration file and returns a :class:`LintResult`; ``lint_text``, ``lint_json`` and ``lint_sarif``
render it, and ``explain_rule(id)`` returns a rule's explanation. An error-level finding means exit 1.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Exported name -> module. Imported on first use (module ``__getattr__``), so that importing a light
# submodule (``guardrails.catalog``) does not load sqlglot and every rule.
_EXPORTS = {
    **dict.fromkeys(
        ("finding_text", "lint_json", "lint_text", "rule_doc_markdown", "rules_index_markdown"),
        "dbarchitect.guardrails.output",
    ),
    **dict.fromkeys(("Finding", "Fix", "Level", "RuleConfigError", "Span"), "dbarchitect.guardrails.rule"),
    **dict.fromkeys(
        (
            "FileSummary",
            "LintResult",
            "all_rules",
            "combine_results",
            "explain_rule",
            "get_rule",
            "lint_sql",
            "rule_ids",
        ),
        "dbarchitect.guardrails.runner",
    ),
    "lint_sarif": "dbarchitect.guardrails.sarif",
}

if TYPE_CHECKING:
    from dbarchitect.guardrails.output import (
        finding_text,
        lint_json,
        lint_text,
        rule_doc_markdown,
        rules_index_markdown,
    )
    from dbarchitect.guardrails.rule import Finding, Fix, Level, RuleConfigError, Span
    from dbarchitect.guardrails.runner import (
        FileSummary,
        LintResult,
        all_rules,
        combine_results,
        explain_rule,
        get_rule,
        lint_sql,
        rule_ids,
    )
    from dbarchitect.guardrails.sarif import lint_sarif

__all__ = [
    "FileSummary",
    "Finding",
    "Fix",
    "Level",
    "LintResult",
    "RuleConfigError",
    "Span",
    "all_rules",
    "combine_results",
    "explain_rule",
    "finding_text",
    "get_rule",
    "lint_json",
    "lint_sarif",
    "lint_sql",
    "lint_text",
    "rule_doc_markdown",
    "rule_ids",
    "rules_index_markdown",
]


def __getattr__(name: str) -> object:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dbarchitect.guardrails' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
