"""What-if costing: one interface, several backends.

A :class:`WhatIfBackend` answers "what would the planner's cost of this statement be if these
hypothetical indexes existed?" — PostgreSQL + HypoPG (the reference: the engine's own planner) or the
built-in model (greenfield designs with no database). Costs are in PostgreSQL planner units
(``seq_page_cost = 1``), so both backends can be compared and ranked against each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from dbarchitect.advisors.access_paths import access_path
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.hygiene import dominated_existing
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Index, Table
from dbarchitect.model.workload import Statement, StatementKind, Workload


@dataclass(frozen=True)
class PlanCost:
    """The planner's answer for one statement under one index configuration."""

    #: Total estimated cost of the statement's plan, in PostgreSQL planner units.
    cost: float
    #: The hypothetical indexes the chosen plan actually uses (a subset of the configuration).
    used: frozenset[IndexCandidate] = frozenset()
    #: A short plan summary, e.g. ``Limit <- Index Scan using orders_customer_id_idx on orders``.
    plan: str | None = None
    #: Set when the statement could not be planned (the cost is then ``inf``); the reason.
    error: str | None = None
    #: The part of ``cost`` charged for reading pages (the rest is CPU), when the backend can say
    #: (the built-in model); None from a planner that reports only the total.
    io: float | None = None
    #: Tables (name keys) the plan reads whole with a sequential scan; a table a nested loop probes
    #: through an index is not among them.
    seq_scans: frozenset[str] = frozenset()
    #: The hypothetical indexes of ``used`` the plan reads without visiting the table (index-only).
    index_only: frozenset[IndexCandidate] = frozenset()
    #: Names (as the catalog spells them) of the existing indexes the plan uses.
    existing_used: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CostRequest:
    statement: Statement
    #: Hypothetical indexes to assume (only those on tables the statement touches matter).
    indexes: frozenset[IndexCandidate]
    #: Existing indexes (name keys) to plan as if dropped: those the hypothetical ones replace. A
    #: backend that cannot hide a real index plans with them (see ``WhatIfBackend.hides_existing``).
    hidden: frozenset[str] = frozenset()


class WhatIfBackend(Protocol):
    """What a costing backend provides. Implementations must never create a real index or write to
    a user's database."""

    #: ``hypopg`` or ``builtin``: named in every figure the advisor reports.
    name: str

    def plan_costs(self, requests: Sequence[CostRequest]) -> list[PlanCost]:
        """Cost each request (a backend may work on several at once); same order as ``requests``."""
        ...

    def index_size(self, candidate: IndexCandidate) -> float:
        """Estimated bytes of ``candidate`` once built (now; growth is the advisor's concern)."""
        ...

    def settings(self) -> Mapping[str, str]:
        """Planner settings that move the figures (``work_mem``, ``random_page_cost``...)."""
        ...

    def caveats(self, tables: Sequence[str]) -> tuple[str, ...]:
        """What makes this backend's figures for ``tables`` weaker than usual (no statistics, no row
        count), one sentence each, for the report."""
        ...


@runtime_checkable
class ExistingIndexes(Protocol):
    """What a backend may add about the indexes that already exist: their real size, and whether it
    can plan as if one were dropped (``CostRequest.hidden``)."""

    #: Whether ``CostRequest.hidden`` is honoured.
    hides_existing: bool

    def existing_index_size(self, table: Table, index: Index) -> float | None:
        """Bytes ``index`` takes now, or ``None`` when the backend cannot tell."""
        ...


#: Cost of maintaining one index entry for one written row, in planner units: one B-tree descent
#: and leaf write (about one random page, ``random_page_cost = 4``) plus its WAL record. A model
#: estimate — the planner does not cost index maintenance — and labelled so in reports.
INDEX_ENTRY_WRITE_COST = 5.0
#: Maintenance of other access methods relative to a B-tree entry (model estimates): a BRIN index is
#: touched only when a row lands in an already summarized range (appended rows land in the last,
#: unsummarized one); a GIN index writes one posting per key of the row (through its pending list).
METHOD_WRITE_FACTOR = {"brin": 0.05, "gin": 3.0}


def _index_columns(columns: Iterable[str], where: str | None) -> set[str]:
    cols = set(columns)
    if where:
        # A partial index's predicate columns decide whether a row enters or leaves it.
        cols |= {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", where)}
    return cols


def _candidate_columns(candidate: IndexCandidate) -> set[str]:
    return _index_columns([c.key for c in (*candidate.columns, *candidate.include)], candidate.where)


_NO_COLUMNS: frozenset[str] = frozenset()


class _Grouped:
    """A configuration grouped by table key, to take the part relevant to a statement quickly."""

    def __init__(self, config: Iterable[IndexCandidate]) -> None:
        self.by_table: dict[str, list[IndexCandidate]] = {}
        for c in config:
            self.by_table.setdefault(c.table.key, []).append(c)

    def relevant(self, tables: frozenset[str]) -> frozenset[IndexCandidate]:
        if len(self.by_table) == 1 or len(tables) == 1:
            found: list[IndexCandidate] = []
            for table in tables:
                found.extend(self.by_table.get(table, ()))
            return frozenset(found)
        return frozenset(c for table in tables for c in self.by_table.get(table, ()))


class WhatIfCost:
    """Costs of the workload under index configurations, over one backend, with a cache.

    A statement's cost depends only on the candidates on tables it touches, so the cache key is
    ``(statement fingerprint, relevant candidates)``: configurations that differ elsewhere share the
    entry. Misses are sent to the backend in one batch (which may plan them in parallel).
    """

    def __init__(
        self,
        backend: WhatIfBackend,
        workload: Workload,
        catalog: Catalog,
        traits: EngineTraits | None = None,
    ) -> None:
        self.backend = backend
        self.workload = workload
        self.catalog = catalog
        #: The engine whose sizes existing indexes are estimated for when the backend cannot say.
        self.traits = traits if traits is not None else get_traits("postgresql")
        self._replaces: dict[IndexCandidate, tuple[Index, ...]] = {}
        self._hidden: dict[frozenset[IndexCandidate], frozenset[str]] = {}
        self._existing_sizes: dict[tuple[str, str], float] = {}
        self._existing_upkeep: dict[tuple[str, str], float] = {}
        self._referrers: dict[str, list[tuple[Table, tuple[str, ...]]]] | None = None
        self._columns: dict[str, dict[str, frozenset[str] | None]] = {}
        self._held: dict[IndexCandidate, frozenset[str]] = {}
        self._cache: dict[tuple[str, frozenset[IndexCandidate]], PlanCost] = {}
        self._sizes: dict[IndexCandidate, float] = {}
        self._maintenance: dict[IndexCandidate, float] = {}
        self._tables = {s.fingerprint: self._touched(s) for s in workload.statements}
        #: Statements writing each table (by key): the only ones an index's maintenance depends on.
        self._writers: dict[str, list[Statement]] = {}
        for statement in workload.statements:
            target = statement.write_target
            if target is not None:
                self._writers.setdefault(target.table.key, []).append(statement)
        #: Plans asked of the backend, and answers served from the cache.
        self.calls = 0
        self.hits = 0

    def _referencing(self, table: str) -> list[tuple[Table, tuple[str, ...]]]:
        """The tables whose foreign keys reference ``table`` (by key), each with those keys' columns."""
        if self._referrers is None:
            self._referrers = {}
            for t in self.catalog.tables:
                for fk in t.foreign_keys:
                    self._referrers.setdefault(fk.ref_table.key, []).append(
                        (t, tuple(c.key for c in fk.columns))
                    )
        return self._referrers.get(table, [])

    def _touched(self, statement: Statement) -> frozenset[str]:
        """Tables whose indexes can change ``statement``'s cost: those it names, and — for a DELETE
        or UPDATE — the tables whose foreign keys reference its target (each row's referential
        check looks them up)."""
        return frozenset(self.columns_of(statement))

    def columns_of(self, statement: Statement) -> dict[str, frozenset[str] | None]:
        """Per table whose indexes can change ``statement``'s cost (by key), the columns of it the
        statement refers to (filters, joins, grouping, ordering, reads, writes; for a table looked up
        by a foreign-key check, that key's columns); ``None`` when it refers to none in particular
        (``count(*)``: any index may then be scanned in place of the table)."""
        found = self._columns.get(statement.fingerprint)
        if found is not None:
            return found
        refs: dict[str, set[str] | None] = {}
        for a in statement.tables:
            cols = {p.column.column.key for p in a.predicates if p.column.table.matches(a.table)}
            cols |= {c.key for c in (*a.join_columns, *a.group_by, *a.columns_read, *a.columns_written)}
            cols |= {o.column.column.key for o in a.order_by}
            for j in statement.joins:
                for side in (j.left, j.right):
                    if side.table.matches(a.table):
                        cols.add(side.column.key)
            mine = refs.get(a.table.key, set())
            refs[a.table.key] = None if not cols or mine is None else mine | cols
        target = statement.write_target
        if target is not None and statement.kind in (StatementKind.DELETE, StatementKind.UPDATE):
            for child, columns in self._referencing(target.table.key):
                mine = refs.get(child.name.key, set())
                refs[child.name.key] = None if mine is None else mine | set(columns)
        out = {t: (frozenset(c) if c is not None else None) for t, c in refs.items()}
        self._columns[statement.fingerprint] = out
        return out

    def narrow(self, statement: Statement, config: frozenset[IndexCandidate]) -> frozenset[IndexCandidate]:
        """The indexes of ``config`` the planner can use for ``statement``: on a table it touches and
        holding a column of it the statement refers to. An index holding none of them gives no path
        (neither a search, an order nor an index-only read), so leaving it out changes no plan and
        lets configurations that differ only in such indexes share one cached plan."""
        columns = self.columns_of(statement)
        kept: list[IndexCandidate] = []
        narrowed = False
        for c in config:
            refs = columns.get(c.table.key, _NO_COLUMNS)
            if refs is None or (refs and not refs.isdisjoint(self.candidate_columns(c))):
                kept.append(c)
            else:
                narrowed = True
        return frozenset(kept) if narrowed else config

    def candidate_columns(self, candidate: IndexCandidate) -> frozenset[str]:
        """Every column ``candidate`` holds or filters on (keys, INCLUDE, partial predicate)."""
        found = self._held.get(candidate)
        if found is None:
            found = self._held[candidate] = frozenset(_candidate_columns(candidate))
        return found

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.workload.statements

    def tables_of(self, statement: Statement) -> frozenset[str]:
        """Keys of the tables whose indexes can change ``statement``'s cost."""
        tables = self._tables.get(statement.fingerprint)
        if tables is None:
            tables = self._tables[statement.fingerprint] = self._touched(statement)
        return tables

    def relevant(self, statement: Statement, config: Iterable[IndexCandidate]) -> frozenset[IndexCandidate]:
        """The candidates of ``config`` on tables ``statement`` touches."""
        return _Grouped(config).relevant(self.tables_of(statement))

    def costs(self, pairs: Sequence[tuple[Statement, Iterable[IndexCandidate]]]) -> list[PlanCost]:
        """Plan costs of many (statement, configuration) pairs; cache misses go out as one batch."""
        # Pairs usually share a few configurations: group each by table once, not once per pair.
        grouped: dict[int, _Grouped] = {}
        relevant: list[tuple[Statement, frozenset[IndexCandidate]]] = []
        for s, config in pairs:
            group = grouped.get(id(config))
            if group is None:
                group = grouped[id(config)] = _Grouped(config)
            relevant.append((s, group.relevant(self.tables_of(s))))
        return self.relevant_costs(relevant)

    def relevant_costs(self, pairs: Sequence[tuple[Statement, frozenset[IndexCandidate]]]) -> list[PlanCost]:
        """Like :meth:`costs`, for configurations already cut to the statement's relevant indexes
        (:meth:`relevant`): a search that keeps them per statement skips regrouping whole sets."""
        keys = [(s.fingerprint, self.narrow(s, config)) for s, config in pairs]
        missing: dict[tuple[str, frozenset[IndexCandidate]], CostRequest] = {}
        for (statement, _), key in zip(pairs, keys, strict=True):
            if key in self._cache:
                self.hits += 1
            elif key not in missing:
                # The existing indexes a set replaces follow from the set: the key stays the set.
                missing[key] = CostRequest(statement, key[1], self.hidden_for(key[1]))
        if missing:
            answers = self.backend.plan_costs(list(missing.values()))
            self.calls += len(answers)
            for key, answer in zip(missing, answers, strict=True):
                self._cache[key] = answer
        return [self._cache[key] for key in keys]

    def cost(self, statement: Statement, config: Iterable[IndexCandidate]) -> PlanCost:
        return self.costs([(statement, config)])[0]

    def statement_costs(self, config: Iterable[IndexCandidate]) -> dict[str, PlanCost]:
        """Each statement's plan cost under ``config``, by statement name."""
        config = frozenset(config)
        answers = self.costs([(s, config) for s in self.statements])
        return {s.name: a for s, a in zip(self.statements, answers, strict=True)}

    def query_cost(self, config: Iterable[IndexCandidate]) -> float:
        """Σ rate × plan cost over the workload (statements that fail to plan are left out)."""
        config = frozenset(config)
        answers = self.costs([(s, config) for s in self.statements])
        return sum(s.rate * a.cost for s, a in zip(self.statements, answers, strict=True) if a.error is None)

    def workload_cost(self, config: Iterable[IndexCandidate]) -> float:
        """Query cost plus the maintenance the configuration's indexes add to the workload's writes,
        less the maintenance of the existing indexes they replace."""
        config = frozenset(config)
        replaced = self.replaced(config)
        return (
            self.query_cost(config)
            + sum(self.maintenance(c) for c in config)
            - sum(self.existing_maintenance(t, i) for t, i in replaced)
        )

    # --- existing indexes the configuration replaces ----------------------------------------------

    def replaces(self, candidate: IndexCandidate) -> tuple[Index, ...]:
        """Existing indexes ``candidate`` dominates (it serves every lookup they serve and holds every
        column they hold; see :mod:`.hygiene`): building it lets them go. Never one that enforces
        uniqueness."""
        found = self._replaces.get(candidate)
        if found is None:
            found = self._replaces[candidate] = dominated_existing(
                candidate, self.catalog.table(candidate.table)
            )
        return found

    def replaced(self, config: Iterable[IndexCandidate]) -> list[tuple[Table, Index]]:
        """The existing indexes ``config`` replaces, once each, in catalog order."""
        names: set[tuple[str, str]] = set()
        for c in config:
            for index in self.replaces(c):
                names.add((c.table.key, index.name.key))
        if not names:
            return []
        out: list[tuple[Table, Index]] = []
        for table in self.catalog.tables:
            for index in table.indexes:
                if (table.name.key, index.name.key) in names:
                    out.append((table, index))
        return out

    def hidden_for(self, relevant: frozenset[IndexCandidate]) -> frozenset[str]:
        """Name keys of the existing indexes a statement's relevant set replaces."""
        found = self._hidden.get(relevant)
        if found is None:
            found = self._hidden[relevant] = frozenset(
                index.name.key for c in relevant for index in self.replaces(c)
            )
        return found

    def existing_size(self, table: Table, index: Index) -> float:
        """Bytes an existing index takes now: the backend's figure where it has one (the live
        database), else the sizing model's."""
        key = (table.name.key, index.name.key)
        if key not in self._existing_sizes:
            size: float | None = None
            if isinstance(self.backend, ExistingIndexes):
                size = self.backend.existing_index_size(table, index)
            if size is None:
                sizes = estimate_table_size(table, self.traits, 0.0).indexes
                size = next((i.bytes_now for i in sizes if i.name == index.name.value), 0.0)
            self._existing_sizes[key] = size
        return self._existing_sizes[key]

    def existing_maintenance(self, table: Table, index: Index) -> float:
        """Like :meth:`maintenance`, for an existing index."""
        key = (table.name.key, index.name.key)
        if key not in self._existing_upkeep:
            columns = [k.column.key for k in index.keys if k.column is not None]
            for k in index.keys:
                if k.expression is not None:
                    columns += [w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", k.expression)]
            columns += [c.key for c in index.include]
            self._existing_upkeep[key] = self._upkeep(table, _index_columns(columns, index.where))
        return self._existing_upkeep[key]

    def net_bytes(self, config: Iterable[IndexCandidate]) -> float:
        """Bytes the configuration adds, less those of the existing indexes it replaces."""
        config = frozenset(config)
        return sum(self.size(c) for c in config) - sum(
            self.existing_size(t, i) for t, i in self.replaced(config)
        )

    def size(self, candidate: IndexCandidate) -> float:
        if candidate not in self._sizes:
            self._sizes[candidate] = self.backend.index_size(candidate)
        return self._sizes[candidate]

    def maintenance(self, candidate: IndexCandidate) -> float:
        """Cost per second the workload's writes spend keeping ``candidate`` up to date: every inserted
        or deleted row adds or marks an entry; an update touches it when it writes one of its columns
        (which also ends heap-only updates on PostgreSQL)."""
        if candidate in self._maintenance:
            return self._maintenance[candidate]
        table = self.catalog.table(candidate.table)
        total = self._upkeep(table, _candidate_columns(candidate)) if table is not None else 0.0
        total *= METHOD_WRITE_FACTOR.get(candidate.method or "", 1.0)
        self._maintenance[candidate] = total
        return total

    def _upkeep(self, table: Table, columns: set[str]) -> float:
        total = 0.0
        for statement in self._writers.get(table.name.key, ()):
            target = statement.write_target
            if target is None:  # pragma: no cover - writers have a target
                continue
            if statement.kind == StatementKind.UPDATE and not (
                {c.key for c in target.columns_written} & columns
            ):
                continue
            rows = 1.0
            if statement.kind in (StatementKind.UPDATE, StatementKind.DELETE):
                path = access_path(statement, table, target)
                rows = path.rows_estimated if path.rows_estimated is not None else 1.0
            total += statement.rate * rows * INDEX_ENTRY_WRITE_COST
        return total
