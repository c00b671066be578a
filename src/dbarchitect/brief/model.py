"""The brief itself: engines, schema, sizes, workload, budgets, node capacity and guardrail levels."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.operations import AvailabilitySpec, BackupSpec, ConnectionsSpec, HardwareSpec
from dbarchitect.brief.schema import EngineSpec, SchemaSpec
from dbarchitect.brief.sizes import TableSizeSpec
from dbarchitect.brief.units import Days, Rate, Size
from dbarchitect.brief.workload import WorkloadSpec

# ---------------------------------------------------------------------------------------------
# Budgets, guardrails


class BudgetSpec(BriefModel):
    storage: Size | None = Field(default=None, description="data + indexes at the horizon")
    index_storage: Size | None = None
    write_amplification: float | None = Field(
        default=None, ge=1, le=1000, description="most index entries maintained per row written"
    )


class NodeSpec(BriefModel):
    """The capacity of one database node, which the sharding advisor checks the brief against (is
    one node enough?). Every field has a default — a mid-size server — that the report marks as
    such: give your own hardware's figures."""

    memory: Size = Field(default=64 * 10**9, description="RAM of one node (default 64GB)")
    storage: Size = Field(default=2 * 10**12, description="disk for data and indexes (default 2TB)")
    write_rate: Rate = Field(
        default=5000.0, description="write statements per second one node sustains (default 5000/s)"
    )

    @property
    def defaults_used(self) -> tuple[str, ...]:
        """The fields the brief did not give."""
        return tuple(f for f in ("memory", "storage", "write_rate") if f not in self.model_fields_set)


GuardrailLevel = Literal["error", "warning", "off"]


class Brief(BriefModel):
    """A design brief. See ``examples/`` and ``dbarch brief-schema``."""

    name: str = Field(default="design", min_length=1, max_length=200)
    description: str | None = None
    engine: EngineSpec
    portable_to: list[EngineSpec] = Field(default_factory=list)
    schema_: SchemaSpec = Field(alias="schema")
    tables: dict[str, TableSizeSpec] = Field(default_factory=dict)
    workload: WorkloadSpec = Field(default_factory=WorkloadSpec)
    budgets: BudgetSpec = Field(default_factory=BudgetSpec)
    node: NodeSpec = Field(default_factory=NodeSpec, description="capacity of one database node")
    guardrails: dict[str, GuardrailLevel] = Field(default_factory=dict)
    availability: AvailabilitySpec | None = Field(
        default=None,
        description="uptime, rpo, rto, regions, maintenance window; default: no goal (a single primary, "
        "daily backups)",
    )
    backup: BackupSpec = Field(
        default_factory=BackupSpec, description="backup retention and point-in-time recovery"
    )
    hardware: HardwareSpec | None = Field(
        default=None, description="one database node: cores, memory, disk, or an instance class"
    )
    connections: ConnectionsSpec | None = Field(
        default=None, description="application instances x pool size, or a client count"
    )
    horizon: Days = Field(default=3 * 365.0, description="how far ahead to plan sizes, e.g. '3y'")

    #: Directory relative paths are resolved against (the brief file's directory).
    base_dir: Path = Field(default=Path("."), exclude=True)
    #: The YAML or JSON text the brief was read from (None when built from data): an error found once
    #: the schema is known names the line of its field in it (:func:`~dbarchitect.brief.field_line`).
    _text: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _portable_differs(self) -> Brief:
        seen = {self.engine.name}
        for e in self.portable_to:
            if e.name in seen:
                raise ValueError(f"engine {e.name.value} is listed twice (target and portable_to)")
            seen.add(e.name)
        return self

    @property
    def engines(self) -> list[EngineSpec]:
        """The target engine first, then every engine to stay portable to."""
        return [self.engine, *self.portable_to]

    @property
    def source_text(self) -> str | None:
        """The YAML or JSON text the brief was read from, if it was read from text."""
        return self._text

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.base_dir / path
