"""The rule ids and one-line summaries, read from the rule modules' source without importing them.

Importing the rules loads sqlglot, pydantic and the engines: ``dbarch rules list`` and the MCP
server's resource list need only the ids and summaries, so they read each rule module's class
attributes (``id = "..."``, ``summary = "..."``) with :mod:`ast`. A module whose ``id`` or ``summary``
is not a plain string literal makes this fall back to importing the rules; a test keeps both ways
equal.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Literal

#: the lint rules (``dbarch lint``) and the design guardrails (``dbarch check``)
RulePackage = Literal["guardrails.rules", "guardrails.design.rules"]


def rule_summaries(package: RulePackage) -> list[tuple[str, str]]:
    """``(id, summary)`` of every rule in ``dbarchitect.<package>``, sorted by id."""
    folder = Path(__file__).resolve().parent.parent.joinpath(*package.split("."))
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_module = 0
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            literals = {
                target.id: statement.value.value
                for statement in node.body
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
                for target in statement.targets
                if isinstance(target, ast.Name)
            }
            if isinstance(literals.get("id"), str) and isinstance(literals.get("summary"), str):
                found.append((str(literals["id"]), str(literals["summary"])))
                in_module += 1
        if in_module != 1:
            return imported_rule_summaries(package)
    return sorted(found)


def imported_rule_summaries(package: RulePackage) -> list[tuple[str, str]]:
    """The same list from the imported rules (the slow way, and the reference)."""
    if package == "guardrails.rules":
        from dbarchitect.guardrails.runner import all_rules

        return [(rule.id, rule.summary) for rule in all_rules()]
    from dbarchitect.guardrails.design.runner import all_design_rules

    return [(rule.id, rule.summary) for rule in all_design_rules()]
