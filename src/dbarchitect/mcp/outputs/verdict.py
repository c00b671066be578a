"""The ``check_design`` tool's structured result."""

from __future__ import annotations

import json

from pydantic import Field

from dbarchitect.guardrails.design.runner import DesignVerdict, verdict_json
from dbarchitect.mcp.outputs.base import Level, OutModel, redacted

# ---------------------------------------------------------------------------------------------
# check_design


class DesignFinding(OutModel):
    rule: str
    level: Level
    table: str | None
    column: str | None
    statement: str | None
    engine: str | None
    message: str
    hint: str | None
    details: list[str] = Field(
        default_factory=list, description="supporting lines: the latency model's provenance, grouped items"
    )


class VerdictResult(OutModel):
    """The guardrail verdict of a design: findings errors first; ``passed`` when none is an error."""

    brief: str
    engine: str
    passed: bool
    errors: int
    warnings: int
    rules: list[str]
    notes: list[str]
    findings: list[DesignFinding]


def verdict_result(verdict: DesignVerdict) -> VerdictResult:
    return VerdictResult.model_validate(redacted(json.loads(verdict_json(verdict))))
