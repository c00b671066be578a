"""Estimated latency of a statement: its planner cost and the writes it makes, through the engine's
latency model.

A cost model (PostgreSQL's planner through HypoPG, or the built-in model) says how much work a plan
does in planner units; it says nothing of the fixed price every statement pays (a round trip, parsing,
planning) nor of what a write does besides finding its rows (writing them, their index entries, the
foreign-key checks, the commit). :func:`estimate_latency` adds those up with the coefficients of the
engine's :class:`~dbarchitect.engines.traits.LatencyModel`, fitted per engine by ``dbarch calibrate``:

- rows written: one per INSERT (a multi-row VALUES list or INSERT ... SELECT counts as one), and the
  access path's row estimate for an UPDATE or DELETE;
- index entries: per row, every index of the table for an INSERT; for an UPDATE the indexes holding
  a column it changes (every index when the engine cannot update in place, PostgreSQL's non-HOT
  update); for a DELETE every index where the engine removes entries at once (InnoDB, SQLite), none on
  PostgreSQL; plus one parent lookup per foreign key whose columns the write sets (a DELETE's lookups
  of referencing rows are in the built-in model's cost already).

Every estimate keeps its parts and names its sources (the cost's, and the calibration's), so a report
can show how the figure was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import access_path
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.workload import Statement, StatementKind

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class WriteWork:
    """What a statement writes, as the latency model counts it."""

    write: bool
    rows: float
    index_entries: float


@dataclass(frozen=True)
class LatencyEstimate:
    """One statement's estimated latency and how it was made.

    Attributes:
        statement: The statement's name.
        ms: The estimated p95, milliseconds (the median x the model's ``p95_factor``).
        median_ms: The estimated median, milliseconds.
        cost: The plan's cost in PostgreSQL planner units.
        io: The part of ``cost`` spent reading pages (None: the cost model gave only a total).
        cost_source: Where the cost comes from (``built-in model``, ``index advice (hypopg)``...).
        work: Rows written and index entries written or probed.
        commit: Whether the estimate includes the write's own commit.
        calibration: Where the latency model's coefficients come from.
        model: The latency model used.
    """

    statement: str
    ms: float
    median_ms: float
    cost: float
    io: float | None
    cost_source: str
    work: WriteWork
    commit: bool
    calibration: str
    model: LatencyModel

    def explain(self) -> str:
        """The sum behind ``ms``, e.g. ``(0.07 ms per statement + 12 page-read units x 0.0005 ms + 3
        CPU units x 0.014 ms) x p95/p50 1.9; cost 15 from the built-in model``."""
        m = self.model
        parts = [f"{m.statement_ms:.3g} ms per statement"]
        if self.work.write:
            parts.append(f"{m.write_ms:.3g} ms per write")
            if self.work.rows:
                parts.append(f"{self.work.rows:,.0f} row(s) x {m.row_write_ms:.3g} ms")
            if self.work.index_entries:
                parts.append(f"{self.work.index_entries:,.0f} index entries x {m.index_entry_ms:.3g} ms")
            if self.commit:
                parts.append(f"commit {m.commit_ms:.3g} ms")
        if self.io is None:
            parts.append(f"{self.cost:,.0f} cost units x {m.ms_per_cost_unit:.3g} ms")
        else:
            io = min(max(self.io, 0.0), self.cost)
            parts.append(f"{io:,.0f} page-read units x {m.ms_per_io_unit:.3g} ms")
            parts.append(f"{self.cost - io:,.0f} CPU units x {m.ms_per_cpu_unit:.3g} ms")
        return (
            f"({' + '.join(parts)}) x p95/p50 {m.p95_factor:.3g}; cost {self.cost:,.0f} from the "
            f"{self.cost_source}"
        )


def _index_columns(table: Table) -> list[set[str]]:
    """Column keys of every index the table keeps (primary key, unique constraints, indexes), each
    with its INCLUDE columns and the columns its predicate names."""
    out: list[set[str]] = []
    if table.primary_key is not None:
        out.append({c.key for c in table.primary_key.columns})
    out += [{c.key for c in u.columns} for u in table.uniques]
    for index in table.indexes:
        cols = {c.key for c in index.columns} | {c.key for c in index.include}
        for key in index.keys:
            if key.column is None and key.expression:
                cols |= {w.lower() for w in _WORD.findall(key.expression)}
        if index.where:
            cols |= {w.lower() for w in _WORD.findall(index.where)}
        out.append(cols)
    return out


def write_work(statement: Statement, catalog: Catalog, model: LatencyModel) -> WriteWork:
    """Rows ``statement`` writes and the index entries that costs under the engine's ``model`` (which
    says how its updates and deletes maintain indexes; see the module docstring)."""
    target = statement.write_target
    table = catalog.table(target.table) if target is not None else None
    if target is None or table is None or not statement.is_write:
        return WriteWork(False, 0.0, 0.0)
    indexes = _index_columns(table)
    written = {c.key for c in target.columns_written}
    if statement.kind in (StatementKind.INSERT, StatementKind.UPSERT):
        rows = 1.0
        entries = float(len(indexes))
        probes = len(table.foreign_keys)
    else:
        path = access_path(statement, table, target)
        rows = max(1.0, path.rows_estimated) if path.rows_estimated is not None else 1.0
        if statement.kind == StatementKind.DELETE:
            entries = float(len(indexes)) if model.delete_removes_index_entries else 0.0
            probes = 0
        else:
            touched = sum(1 for cols in indexes if cols & written)
            entries = float(len(indexes) if touched and model.update_writes_every_index else touched)
            probes = sum(1 for fk in table.foreign_keys if {c.key for c in fk.columns} & written)
    return WriteWork(True, rows, rows * (entries + probes))


def estimate_latency(
    statement: Statement,
    cost: float,
    catalog: Catalog,
    traits: EngineTraits,
    *,
    io: float | None = None,
    cost_source: str,
    commit: bool,
    model: LatencyModel | None = None,
) -> LatencyEstimate:
    """``statement``'s latency on ``traits``' engine with plan cost ``cost`` (planner units; ``io`` of
    it spent reading pages, when the cost model says) over ``catalog`` (the design, with its indexes);
    ``commit`` adds a write's own commit; ``model`` replaces the engine's shipped calibration (a
    ``dbarch calibrate`` result)."""
    used = model or traits.latency
    work = write_work(statement, catalog, used)
    median = used.milliseconds(
        cost,
        io=io,
        write=work.write,
        rows_written=work.rows,
        index_entries=work.index_entries,
        commit=commit,
    )
    return LatencyEstimate(
        statement.name,
        median * used.p95_factor,
        median,
        cost,
        io,
        cost_source,
        work,
        commit,
        used.source,
        used,
    )
