"""Design guardrails: judge a whole design (schema, workload, budgets, engines), not a migration.

``run_design_rules(context)`` runs every rule of ``guardrails/design/rules`` and returns a
:class:`DesignVerdict`; ``verdict_text``, ``verdict_json`` and ``verdict_sarif`` render it. The facts
that need the advisors or a database (sizes, access paths, costs, execution on each engine) are
computed by :func:`dbarchitect.verify.portability.check_design`, which is what callers use.
"""

from dbarchitect.guardrails.design.privileges import least_privilege_sql
from dbarchitect.guardrails.design.rule import (
    Category,
    DesignContext,
    DesignDraft,
    DesignFacts,
    DesignFinding,
    DesignRule,
    EngineRun,
    FullScan,
    StatementCost,
    TableStorage,
)
from dbarchitect.guardrails.design.runner import (
    DesignVerdict,
    all_design_rules,
    design_rule_doc_markdown,
    design_rule_ids,
    design_rules_index_markdown,
    explain_design_rule,
    get_design_rule,
    run_design_rules,
    verdict_json,
    verdict_sarif,
    verdict_text,
)

__all__ = [
    "Category",
    "DesignContext",
    "DesignDraft",
    "DesignFacts",
    "DesignFinding",
    "DesignRule",
    "DesignVerdict",
    "EngineRun",
    "FullScan",
    "StatementCost",
    "TableStorage",
    "all_design_rules",
    "design_rule_doc_markdown",
    "design_rule_ids",
    "design_rules_index_markdown",
    "explain_design_rule",
    "get_design_rule",
    "least_privilege_sql",
    "run_design_rules",
    "verdict_json",
    "verdict_sarif",
    "verdict_text",
]
