"""The server's resources: the rules (an index and one page per rule), the brief's JSON Schema, the
full results of recent calls and their schemas."""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.server.mcpserver.resources import FunctionResource

from dbarchitect.errors import DbarchError, Diagnostic, did_you_mean
from dbarchitect.mcp.results import ResultStore, full_result_schema


def _rule_page(rule_id: str) -> str:
    """A rule's documentation page (lint rule, design rule, or both when an id names both)."""
    from dbarchitect.guardrails import rule_doc_markdown, rule_ids
    from dbarchitect.guardrails.design.runner import design_rule_doc_markdown, design_rule_ids

    pages = []
    if rule_id in rule_ids():
        pages.append(rule_doc_markdown(rule_id).rstrip())
    if rule_id in design_rule_ids():
        pages.append(design_rule_doc_markdown(rule_id).rstrip())
    if not pages:
        known = sorted({*rule_ids(), *design_rule_ids()})
        raise DbarchError(
            Diagnostic(f"no rule {rule_id!r}{did_you_mean(rule_id, known)}", hint="read dbarch://rules")
        )
    return "\n\n".join(pages) + "\n"


def _rules_index() -> str:
    from dbarchitect.guardrails.catalog import rule_summaries

    rules = [
        {"id": r, "kind": "lint", "summary": summary, "uri": f"dbarch://rules/{r}"}
        for r, summary in rule_summaries("guardrails.rules")
    ]
    rules += [
        {"id": r, "kind": "design", "summary": summary, "uri": f"dbarch://rules/{r}"}
        for r, summary in rule_summaries("guardrails.design.rules")
    ]
    return json.dumps({"rules": rules}, indent=2) + "\n"


def _brief_schema() -> str:
    from dbarchitect.brief import brief_json_schema

    return json.dumps(brief_json_schema(), indent=2, sort_keys=True) + "\n"


def _add_resources(server: MCPServer[Any], store: ResultStore) -> None:
    from dbarchitect.guardrails.catalog import rule_summaries

    server.add_resource(
        FunctionResource(
            uri="dbarch://rules",
            name="rules",
            title="Every rule",
            description="Every rule id: migration lint rules (lint_migration) and design guardrails "
            "(check_design), each with its summary and the URI of its page.",
            mime_type="application/json",
            fn=_rules_index,
        )
    )
    ids = sorted(
        {r for r, _ in (*rule_summaries("guardrails.rules"), *rule_summaries("guardrails.design.rules"))}
    )
    for rule_id in ids:
        server.add_resource(
            FunctionResource(
                uri=f"dbarch://rules/{rule_id}",
                name=rule_id,
                title=f"Rule {rule_id}",
                description="What the rule catches, why it matters, the safe alternative, how to turn it "
                "off.",
                mime_type="text/markdown",
                fn=lambda rule_id=rule_id: _rule_page(rule_id),
            )
        )
    server.add_resource(
        FunctionResource(
            uri="dbarch://brief-schema",
            name="brief-schema",
            title="The design brief's JSON Schema",
            description="Every field of a design brief (what `dbarch brief-schema` prints).",
            mime_type="application/schema+json",
            fn=_brief_schema,
        )
    )

    @server.resource(
        "dbarch://rules/{rule_id}",
        name="rule",
        title="A rule's page",
        description="What a rule catches, why it matters, and the safe alternative.",
        mime_type="text/markdown",
    )
    def rule(rule_id: str) -> str:
        try:
            return _rule_page(rule_id)
        except DbarchError as exc:
            raise ResourceNotFoundError(str(exc)) from None

    @server.resource(
        "dbarch://schemas/{tool}",
        name="result-schema",
        title="A tool's full result schema",
        description="The JSON Schema of the full document a tool's result links to (inspect_brief, design, "
        "recommend_indexes, plan_migration, check_design, verify_design).",
        mime_type="application/schema+json",
    )
    def result_schema(tool: str) -> str:
        return json.dumps(full_result_schema(tool), indent=2) + "\n"

    @server.resource(
        "dbarch://results/{result_id}",
        name="result",
        title="A call's full result",
        description="The full JSON document of a recent tool call (its result links here).",
        mime_type="application/json",
    )
    def result(result_id: str) -> str:
        return store.get(f"dbarch://results/{result_id}")[1]

    @server.resource(
        "dbarch://results/{result_id}/ddl/{engine}",
        name="result-ddl",
        title="A design's DDL for one engine",
        description="The schema DDL a recent design call rendered for an engine (its summary links here).",
        mime_type="application/sql",
    )
    def result_ddl(result_id: str, engine: str) -> str:
        return store.get(f"dbarch://results/{result_id}/ddl/{engine}")[1]
