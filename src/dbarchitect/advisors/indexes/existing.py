"""Existing indexes worth removing: exact duplicates, left prefixes of another index, and indexes no
statement of the workload uses.

Every index costs space and a write on every insert, delete and most updates, so one that a duplicate
or a longer index already serves, or that nothing reads, is proposed for removal — with the bytes it
frees and the engine's online DROP. An index that backs a constraint is never proposed: primary keys
and unique constraints, unique indexes (they enforce uniqueness), and the only index leading with a
foreign key's columns (InnoDB requires one; on PostgreSQL it is what keeps a parent delete from
scanning the child table). "Unused" is judged by the planner when one was asked (``used``), else by
the access-path rule: an index is used when it is the best existing path for some statement's filters
or ORDER BY, or leads with a column some statement joins the table on (only B-trees are judged by
the rule: GIN, GiST and BRIN indexes serve operators it does not model).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.advisors.access_paths import access_path, table_indexes
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Index, Table
from dbarchitect.model.workload import Workload


class FindingKind(StrEnum):
    DUPLICATE = "duplicate"
    PREFIX_REDUNDANT = "prefix_redundant"
    UNUSED = "unused"
    #: A recommended index serves all it serves: the two are one move ("replace X with Y").
    REPLACED = "replaced"


#: Said of every drop: the workload in the brief is not everything that runs on a database.
OUTSIDE_WORKLOAD = (
    "statements outside the brief's workload may still use it: check its scans "
    "(pg_stat_user_indexes.idx_scan, sys.schema_unused_indexes) over a full business cycle first"
)


@dataclass(frozen=True)
class ExistingIndexFinding:
    """An existing index proposed for removal, and why."""

    index: str
    table: str
    kind: FindingKind
    reason: str
    #: Bytes the index takes now (freed by dropping it).
    bytes_saved: float
    #: The engine's statement to drop it without blocking writes where the engine can.
    drop_sql: str
    #: The index that serves what this one did (duplicates, prefixes, replacements).
    covered_by: str | None = None
    #: Write cost per second the workload's writes spend keeping it up to date (planner units),
    #: saved by dropping it.
    write_cost_saved: float = 0.0
    #: Statement-level evidence: for a replaced index, the statements whose plans used it (the
    #: replacing index serves them); for an unused one, the statements on its table, none of whose
    #: plans reads it.
    evidence: tuple[str, ...] = ()
    #: The caveat every drop carries (statements outside the workload).
    caution: str = OUTSIDE_WORKLOAD


def drop_index_sql(table: Table, index: Index, traits: EngineTraits) -> str:
    """``DROP INDEX`` in the engine's online form: ``CONCURRENTLY`` where the engine builds and drops
    indexes concurrently, the online ALTER TABLE options where it has those, a plain drop otherwise."""
    name = traits.quote(index.name)
    qualified = f"{traits.quote(table.schema)}.{name}" if table.schema is not None else name
    if traits.features.concurrent_index_build:
        return f"DROP INDEX CONCURRENTLY IF EXISTS {qualified};"
    if traits.online_index_options:
        options = ", ".join(traits.online_index_options.split())
        return f"ALTER TABLE {traits.quote(table.name)} DROP INDEX {name}, {options};"
    return f"DROP INDEX IF EXISTS {qualified};"


def _is_btree(index: Index) -> bool:
    return index.method in (None, "btree")


def _squeeze(text: str | None) -> str | None:
    return re.sub(r"\s+", "", text).lower() if text is not None else None


def _keys(index: Index) -> tuple[tuple[str, bool], ...]:
    return tuple(
        ((k.column.key if k.column is not None else "expr:" + (_squeeze(k.expression) or "")), k.descending)
        for k in index.keys
    )


def _same_keys(a: Index, b: Index) -> bool:
    return _keys(a) == _keys(b) and (a.method or "btree") == (b.method or "btree")


def _prefix_of(short: Index, long: Index) -> bool:
    """``short``'s keys are a strict left prefix of ``long``'s (same directions or all reversed), both
    B-trees, with ``long`` holding ``short``'s INCLUDE columns and the same partial predicate."""
    if not (_is_btree(short) and _is_btree(long)) or len(short.keys) >= len(long.keys):
        return False
    a, b = _keys(short), _keys(long)
    if any(x[0] != y[0] for x, y in zip(a, b, strict=False)):
        return False
    if len({x[1] != y[1] for x, y in zip(a, b, strict=False)}) > 1:
        return False
    held = {k[0] for k in b} | {c.key for c in long.include}
    if not {c.key for c in short.include} <= held:
        return False
    return _squeeze(short.where) == _squeeze(long.where)


def _backs_constraint(table: Table, index: Index, others: tuple[Index, ...]) -> str | None:
    """Why ``index`` must stay, or ``None``."""
    if index.unique:
        return "it enforces uniqueness"
    for fk in table.foreign_keys:
        cols = tuple(c.key for c in fk.columns)
        lead = tuple(k[0] for k in _keys(index))[: len(cols)]
        if lead != cols or index.where is not None:
            continue
        alternatives = [
            o
            for o in others
            if o is not index
            and o.where is None
            and _is_btree(o)
            and tuple(k[0] for k in _keys(o))[: len(cols)] == cols
        ]
        if not alternatives:
            return f"it is the only index on foreign key ({', '.join(c.value for c in fk.columns)})"
    return None


def _used_by_rule(table: Table, index: Index, workload: Workload) -> bool:
    lead = index.keys[0].column if index.keys else None
    for statement in workload.statements:
        access = statement.access(table.name)
        if access is None:
            continue
        path = access_path(statement, table, access)
        if path.index is not None and index.name.matches(path.index):
            return True
        if lead is not None and any(lead.matches(c) for c in access.join_columns):
            return True
    return False


def analyze_existing(
    catalog: Catalog,
    workload: Workload,
    used: Mapping[str, bool] | None = None,
    traits: EngineTraits | None = None,
    *,
    skip: frozenset[tuple[str, str]] = frozenset(),
    sizes: Callable[[Table, Index], float] | None = None,
    upkeep: Callable[[Table, Index], float] | None = None,
    judge: str = "the planner's plans",
) -> tuple[ExistingIndexFinding, ...]:
    """Existing secondary indexes to drop: duplicates, left prefixes of another index, and (when the
    workload touches the table) indexes no statement uses. ``used`` maps index names to whether
    plans (``judge`` says whose) used them; names it lacks are judged by the access-path rule.
    ``traits`` picks the DROP syntax and sizes (PostgreSQL's when not given); ``skip`` (table key,
    index name key) pairs are already accounted for (replaced by a recommended index); ``sizes`` and
    ``upkeep`` give an index's bytes and write cost when the caller knows better than the model."""
    traits = traits if traits is not None else get_traits("postgresql")
    findings: list[ExistingIndexFinding] = []
    touched = {a.table.key for s in workload.statements for a in s.tables}
    for table in catalog.tables:
        if not table.indexes:
            continue
        every = table_indexes(table) + tuple(i for i in table.indexes if not _is_btree(i))
        modelled = {i.name: i.bytes_now for i in estimate_table_size(table, traits, 0.0).indexes}
        on_table = sorted(s.name for s in workload.statements if s.access(table.name) is not None)
        dropped: set[str] = {name for t, name in skip if t == table.name.key}
        mine: list[ExistingIndexFinding] = []
        # Latest first: of two duplicates the one declared first stays.
        for index in reversed(table.indexes):
            if index.unique or (table.name.key, index.name.key) in skip:
                continue
            others = tuple(o for o in every if o is not index and o.name.key not in dropped)
            kind: FindingKind | None = None
            cover: Index | None = None
            reason = ""
            twin = next((o for o in others if _same_keys(index, o) and _same_extras(index, o)), None)
            if twin is not None:
                kind, cover = FindingKind.DUPLICATE, twin
                reason = f"same keys as {twin.name.value}"
            else:
                longer = next((o for o in others if _prefix_of(index, o)), None)
                if longer is not None:
                    kind, cover = FindingKind.PREFIX_REDUNDANT, longer
                    reason = (
                        f"its keys are a left prefix of {longer.name.value}, which serves the same lookups"
                    )
                elif table.name.key in touched and workload.statements:
                    planned = used.get(index.name.value) if used is not None else None
                    if planned is None and not _is_btree(index):
                        # The rule knows B-trees only; a GIN / BRIN / GiST serves operators it cannot see.
                        is_used = True
                    else:
                        is_used = planned if planned is not None else _used_by_rule(table, index, workload)
                    if not is_used:
                        kind = FindingKind.UNUSED
                        by = judge if planned is not None else "the access-path rule"
                        reason = (
                            f"none of the {len(on_table)} statement(s) on {table.name.value} uses it "
                            f"(by {by})"
                        )
            if kind is None:
                continue
            keep = _backs_constraint(table, index, others)
            if keep is not None:
                continue
            dropped.add(index.name.key)
            mine.append(
                ExistingIndexFinding(
                    index=index.name.value,
                    table=table.name.value,
                    kind=kind,
                    reason=reason,
                    bytes_saved=sizes(table, index) if sizes else modelled.get(index.name.value, 0.0),
                    drop_sql=drop_index_sql(table, index, traits),
                    covered_by=cover.name.value if cover is not None else None,
                    write_cost_saved=upkeep(table, index) if upkeep else 0.0,
                    evidence=tuple(on_table) if kind == FindingKind.UNUSED else (),
                )
            )
        findings += reversed(mine)
    return tuple(findings)


def _same_extras(a: Index, b: Index) -> bool:
    """Same INCLUDE set and partial predicate (or ``b`` covers the INCLUDE columns)."""
    held = {k.column.key for k in b.keys if k.column is not None} | {c.key for c in b.include}
    return {c.key for c in a.include} <= held and _squeeze(a.where) == _squeeze(b.where)
