"""Query rewrites: one rule per module, each with good/bad fixtures in
``tests/advisors/rewrites/cases/<rule id>/``; :func:`recommend_rewrites` runs them over a workload and
keeps the ones the cost model shows a gain for (``dbarch verify`` proves them)."""

from __future__ import annotations

from dbarchitect.advisors.rewrites.advisor import (
    MIN_GAIN,
    RULES,
    ProposedRewrite,
    RejectedRewrite,
    RewriteAdvice,
    recommend_rewrites,
    rule_ids,
)
from dbarchitect.advisors.rewrites.rule import Draft, Proof, Protocol, Refusal, RewriteContext, RewriteRule

__all__ = [
    "MIN_GAIN",
    "RULES",
    "Draft",
    "Proof",
    "ProposedRewrite",
    "Protocol",
    "Refusal",
    "RejectedRewrite",
    "RewriteAdvice",
    "RewriteContext",
    "RewriteRule",
    "recommend_rewrites",
    "rule_ids",
]
