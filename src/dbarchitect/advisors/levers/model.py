"""The levers a design pulls beyond its indexes, as ``dbarch verify`` builds and proves them."""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.advisors.denormalization import ProposedDenormalization
from dbarchitect.advisors.rewrites import ProposedRewrite
from dbarchitect.advisors.summaries.advisor import ProposedSummary


@dataclass(frozen=True)
class LeverSet:
    """Rewrites and summaries a design uses, one per statement at most.

    Attributes:
        rewrites: Statements rewritten (keyset pagination, UNION ALL, NOT EXISTS...).
        summaries: Summary tables (or materialized views) and the statements they serve.
        denormalizations: Parent columns copied into children, and the statements that drop a join.
    """

    rewrites: tuple[ProposedRewrite, ...] = ()
    summaries: tuple[ProposedSummary, ...] = ()
    denormalizations: tuple[ProposedDenormalization, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rewrites or self.summaries or self.denormalizations)

    def served(self) -> dict[str, str]:
        """Statement name -> the lever serving it (``rewrite offset-to-keyset``, ``summary x``)."""
        out = {r.statement: f"rewrite {r.rule}" for r in self.rewrites}
        out.update({s.statement: f"summary {s.name}" for s in self.summaries})
        out.update({d.statement: f"copies {d.name}" for d in self.denormalizations})
        return out
