"""The plan for Citus: the schema changes Citus needs, then ``create_reference_table`` and
``create_distributed_table(..., colocate_with => ...)`` in an order Citus accepts.

Citus's rules, from its source (``src/backend/distributed/commands/foreign_constraint.c``,
``ErrorIfUnsupportedForeignConstraintExists``; ``create_distributed_table``'s constraint checks)
and documentation ("Creating and Modifying Distributed Tables"):

- a distributed table's PRIMARY KEY, UNIQUE constraints and unique indexes must include the
  distribution column ("Distributed relations cannot have UNIQUE, EXCLUDE, or PRIMARY KEY
  constraints that do not include the partition column"): the column is appended, and the report
  says that uniqueness is then per distribution value;
- a foreign key between distributed tables needs both in one co-location group and the
  distribution column at the same position on both sides ("Foreign keys are supported in two
  cases, either in between two colocated tables including partition column in the same ordinal in
  the both tables or from distributed to reference tables"); otherwise it is dropped, named, and
  left to the application;
- from a distributed table to a reference table any foreign key is allowed; from a reference
  table to a distributed table none ("foreign keys from reference tables to distributed tables are
  not supported");
- a foreign key that includes the referencing distribution column cannot ``ON DELETE SET NULL /
  SET DEFAULT`` nor ``ON UPDATE SET NULL / SET DEFAULT / CASCADE``: the action becomes NO ACTION;
- ``shard_count`` may only be given to a table that starts a co-location group
  (``colocate_with => 'none'``); the others name the group's first table, which must be distributed
  before them, and referenced tables must be distributed (or reference tables) before the tables
  that reference them;
- a distribution column cannot hold NULL ("cannot perform an INSERT with NULL in the partition
  column"): a nullable one is made NOT NULL.

Nothing here runs Citus: the plan is checked against these rules in the tests (the emitted script
is read back and every rule re-checked, and its DDL runs on PostgreSQL), see docs/sharding.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from dbarchitect.advisors.sharding.layout import Layout, Placement
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import (
    Catalog,
    ForeignKey,
    Index,
    IndexKey,
    PrimaryKey,
    ReferentialAction,
    Table,
)
from dbarchitect.model.names import Name


class ChangeKind(StrEnum):
    EXTEND_PRIMARY_KEY = "extend primary key"
    EXTEND_UNIQUE = "extend unique constraint"
    EXTEND_UNIQUE_INDEX = "extend unique index"
    DROP_FOREIGN_KEY = "drop foreign key"
    FOREIGN_KEY_ACTION = "change foreign key action"
    SET_NOT_NULL = "set not null"


@dataclass(frozen=True)
class SchemaChange:
    """A change Citus needs before a table can be distributed, and why."""

    table: str
    kind: ChangeKind
    what: str
    reason: str


_SET_ACTIONS = (ReferentialAction.SET_NULL, ReferentialAction.SET_DEFAULT)


def _cols(names: tuple[Name, ...]) -> str:
    return ", ".join(n.value for n in names)


def _has(names: tuple[Name, ...], column: Name) -> bool:
    return any(n.matches(column) for n in names)


def _position(names: tuple[Name, ...], column: Name) -> int:
    return next((i for i, n in enumerate(names) if n.matches(column)), -1)


def _foreign_key(
    table: Table, fk: ForeignKey, mine: Placement, parent: Placement | None, changes: list[SchemaChange]
) -> ForeignKey | None:
    """The foreign key as Citus can keep it, or None when it must be dropped."""
    desc = f"({_cols(fk.columns)}) -> {fk.ref_table}({_cols(fk.ref_columns)})"
    if parent is None:
        return fk
    if not mine.distributed and parent.distributed:
        changes.append(
            SchemaChange(
                table.name.value,
                ChangeKind.DROP_FOREIGN_KEY,
                desc,
                f"reference table {table.name} cannot reference distributed table {fk.ref_table}",
            )
        )
        return None
    if not mine.distributed:
        return fk  # reference -> reference
    dist = mine.columns[0]
    if parent.distributed:
        same_group = mine.group == parent.group
        same_position = _position(fk.columns, dist) == _position(fk.ref_columns, parent.columns[0]) != -1
        if not (same_group and same_position):
            why = (
                f"{table.name} and {fk.ref_table} are in different co-location groups"
                if not same_group
                else f"it does not pair the distribution columns {table.name}.{dist} and "
                f"{fk.ref_table}.{parent.columns[0]} at the same position"
            )
            changes.append(
                SchemaChange(
                    table.name.value,
                    ChangeKind.DROP_FOREIGN_KEY,
                    desc,
                    f"{why}; Citus keeps foreign keys between distributed tables only on their "
                    "distribution columns: check it in the application",
                )
            )
            return None
    if _has(fk.columns, dist):
        on_delete = ReferentialAction.NO_ACTION if fk.on_delete in _SET_ACTIONS else fk.on_delete
        on_update = (
            ReferentialAction.NO_ACTION
            if fk.on_update in (*_SET_ACTIONS, ReferentialAction.CASCADE)
            else fk.on_update
        )
        if (on_delete, on_update) != (fk.on_delete, fk.on_update):
            changed = [
                f"ON {what} {old.value} -> NO ACTION"
                for what, old, new in (
                    ("DELETE", fk.on_delete, on_delete),
                    ("UPDATE", fk.on_update, on_update),
                )
                if old != new
            ]
            changes.append(
                SchemaChange(
                    table.name.value,
                    ChangeKind.FOREIGN_KEY_ACTION,
                    f"{desc} {', '.join(changed)}",
                    "Citus cannot set a distribution column to NULL or its default, nor cascade an "
                    "update of it",
                )
            )
            return replace(fk, on_delete=on_delete, on_update=on_update)
    return fk


def _distributed_table(table: Table, dist: Name, changes: list[SchemaChange]) -> Table:
    name = table.name.value
    why = (
        f"Citus enforces uniqueness only within a shard, so the key must include {name}.{dist}; "
        f"values are then unique per {dist}"
    )
    pk = table.primary_key
    if pk is not None and not _has(pk.columns, dist):
        changes.append(
            SchemaChange(
                name,
                ChangeKind.EXTEND_PRIMARY_KEY,
                f"({_cols(pk.columns)}) -> ({_cols((*pk.columns, dist))})",
                why,
            )
        )
        pk = PrimaryKey((*pk.columns, dist), pk.name)
    uniques = []
    for u in table.uniques:
        if not _has(u.columns, dist):
            changes.append(
                SchemaChange(
                    name,
                    ChangeKind.EXTEND_UNIQUE,
                    f"({_cols(u.columns)}) -> ({_cols((*u.columns, dist))})",
                    why,
                )
            )
            u = replace(u, columns=(*u.columns, dist))
        uniques.append(u)
    indexes: list[Index] = []
    for index in table.indexes:
        if index.unique and not _has(index.columns, dist):
            changes.append(
                SchemaChange(
                    name,
                    ChangeKind.EXTEND_UNIQUE_INDEX,
                    f"{index.name} ({_cols(index.columns)}) -> ({_cols((*index.columns, dist))})",
                    why,
                )
            )
            index = replace(index, keys=(*index.keys, IndexKey(column=dist)))
        indexes.append(index)
    columns = []
    for col in table.columns:
        if col.name.matches(dist) and col.nullable:
            changes.append(
                SchemaChange(
                    name,
                    ChangeKind.SET_NOT_NULL,
                    f"{dist} NOT NULL",
                    "Citus refuses rows whose distribution column is NULL",
                )
            )
            col = replace(col, nullable=False)
        columns.append(col)
    return replace(
        table, primary_key=pk, uniques=tuple(uniques), indexes=tuple(indexes), columns=tuple(columns)
    )


def adapt_catalog(catalog: Catalog, layout: Layout) -> tuple[Catalog, tuple[SchemaChange, ...]]:
    """The schema as Citus accepts it under ``layout``, and every change made (see the module
    docstring)."""
    changes: list[SchemaChange] = []
    tables: list[Table] = []
    for table in catalog.tables:
        mine = layout.placement(table.name)
        if mine is None:
            tables.append(table)
            continue
        adapted = _distributed_table(table, mine.columns[0], changes) if mine.distributed else table
        kept = []
        for fk in adapted.foreign_keys:
            parent = mine if fk.ref_table.matches(table.name) else layout.placement(fk.ref_table)
            new = _foreign_key(table, fk, mine, parent, changes)
            if new is not None:
                kept.append(new)
        tables.append(replace(adapted, foreign_keys=tuple(kept)))
    return replace(catalog, tables=tuple(tables)), tuple(changes)


def citus_calls(catalog: Catalog, layout: Layout, traits: EngineTraits) -> list[str]:
    """``create_reference_table`` for every reference table, then ``create_distributed_table`` for
    every distributed one, referenced tables and group leaders first."""
    order = catalog.dependency_order()
    calls: list[str] = []
    for table in order:
        p = layout.placement(table.name)
        if p is not None and not p.distributed:
            calls.append(f"SELECT create_reference_table({traits.literal(traits.quote(table.name))});")
    started: set[str] = set()
    for table in order:
        p = layout.placement(table.name)
        if p is None or not p.distributed:
            continue
        regclass = traits.literal(traits.quote(table.name))
        column = traits.literal(p.columns[0].value)
        if p.group not in started:
            started.add(p.group)
            calls.append(
                f"SELECT create_distributed_table({regclass}, {column}, "
                f"colocate_with => 'none', shard_count => {layout.shard_count});"
            )
        else:
            leader_table = _group_leader(order, layout, p.group)
            calls.append(
                f"SELECT create_distributed_table({regclass}, {column}, "
                f"colocate_with => {traits.literal(traits.quote(leader_table))});"
            )
    return calls


def _group_leader(order: tuple[Table, ...], layout: Layout, group: str) -> Name:
    for table in order:
        p = layout.placement(table.name)
        if p is not None and p.distributed and p.group == group:
            return table.name
    raise ValueError(f"no table in co-location group {group}")  # pragma: no cover


def citus_script(
    catalog: Catalog, layout: Layout, traits: EngineTraits, header: tuple[str, ...] = ()
) -> tuple[str, tuple[SchemaChange, ...]]:
    """The whole script for a new Citus cluster's coordinator: the adapted schema (PostgreSQL DDL),
    then the Citus calls; and the changes the schema needed."""
    adapted, changes = adapt_catalog(catalog, layout)
    lines = [f"-- {h}" for h in header]
    lines.append("-- Run on the coordinator of a Citus cluster (CREATE EXTENSION citus; workers added with")
    lines.append("-- citus_add_node). Schema first, as Citus needs it:")
    for change in changes:
        lines.append(f"--   {change.table}: {change.kind.value} {change.what} ({change.reason})")
    lines.append("")
    lines.append(render_schema(adapted, traits).rstrip())
    lines.append("")
    lines.append("-- Reference tables (a copy on every node), then distributed tables by co-location group.")
    lines.extend(citus_calls(adapted, layout, traits))
    return "\n".join(lines) + "\n", changes
