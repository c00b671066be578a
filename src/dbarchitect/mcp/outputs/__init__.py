"""The MCP tools' structured results: typed models of the documents the reports already produce
(``report/document.py``, ``report/indexes.py``, the migration, lint, verdict and verification JSON),
one module per tool.

Each tool publishes its model's JSON Schema as its ``outputSchema``, and every result is validated
against it before it leaves the server. A key a document gains before its model here does is passed
through untyped (``extra="allow"``) rather than failing the call; the tests fail on it instead
(:func:`untyped_keys`), so the models keep up. Field order is declaration order, which follows the
documents, so output is stable.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Exported name -> module, imported on first use: the MCP server registers its tools with the light
# models (``summary``, ``lint``) before anything heavy loads.
_EXPORTS = {
    **dict.fromkeys(("Level", "OutModel", "redacted", "untyped_keys"), "base"),
    **dict.fromkeys(("DesignResult", "design_result"), "design"),
    **dict.fromkeys(("IndexAdviceResult", "index_advice_result"), "indexes"),
    **dict.fromkeys(("InspectionResult", "inspection_result"), "inspection"),
    **dict.fromkeys(("LintReport", "lint_report"), "lint"),
    **dict.fromkeys(("MigrationResult", "migration_result"), "migration"),
    **dict.fromkeys(("VerdictResult", "verdict_result"), "verdict"),
    **dict.fromkeys(("VerificationResult", "verification_result"), "verification"),
}

if TYPE_CHECKING:
    from dbarchitect.mcp.outputs.base import Level, OutModel, redacted, untyped_keys
    from dbarchitect.mcp.outputs.design import DesignResult, design_result
    from dbarchitect.mcp.outputs.indexes import IndexAdviceResult, index_advice_result
    from dbarchitect.mcp.outputs.inspection import InspectionResult, inspection_result
    from dbarchitect.mcp.outputs.lint import LintReport, lint_report
    from dbarchitect.mcp.outputs.migration import MigrationResult, migration_result
    from dbarchitect.mcp.outputs.verdict import VerdictResult, verdict_result
    from dbarchitect.mcp.outputs.verification import VerificationResult, verification_result

__all__ = [
    "DesignResult",
    "IndexAdviceResult",
    "InspectionResult",
    "Level",
    "LintReport",
    "MigrationResult",
    "OutModel",
    "VerdictResult",
    "VerificationResult",
    "design_result",
    "index_advice_result",
    "inspection_result",
    "lint_report",
    "migration_result",
    "redacted",
    "untyped_keys",
    "verdict_result",
    "verification_result",
]


def __getattr__(name: str) -> object:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dbarchitect.mcp.outputs' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"dbarchitect.mcp.outputs.{module}"), name)
    globals()[name] = value
    return value
