"""A sharding layout: where each table lives — distributed by a column (hash-sharded, in a
co-location group) or a reference table (a full copy on every node) — and the shard count.

The advisor's candidate plans and the baselines it is compared with are layouts. A layout whose
tables are distributed by more than one column is a baseline only (hash of the whole primary key):
Citus and Vitess plans distribute by one column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.model.names import Name


class PlacementKind(StrEnum):
    DISTRIBUTED = "distributed"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Placement:
    """Where one table lives. ``columns`` is the distribution key (one column in a plan; the whole
    primary key in a hash-by-primary-key baseline); ``group`` names its co-location group (the
    group's first table): equal key values of tables in one group are on the same shard."""

    table: Name
    kind: PlacementKind
    columns: tuple[Name, ...] = ()
    group: str = ""

    @property
    def distributed(self) -> bool:
        return self.kind == PlacementKind.DISTRIBUTED

    def describe(self) -> str:
        if not self.distributed:
            return f"{self.table}: reference"
        key = ", ".join(c.value for c in self.columns)
        return f"{self.table}: distributed by ({key})" + (f" with {self.group}" if self.group else "")


@dataclass(frozen=True)
class Layout:
    """A placement for every table, and the number of shards of every distributed table."""

    placements: tuple[Placement, ...]
    shard_count: int

    def placement(self, table: Name | str) -> Placement | None:
        for p in self.placements:
            if p.table.matches(table):
                return p
        return None

    def group_of(self, table: Name | str) -> str:
        p = self.placement(table)
        return p.group if p is not None else ""
