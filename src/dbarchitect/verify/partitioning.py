"""Measure partition pruning with the engine's own planner: build the partitioned design (empty) on a
scratch database, EXPLAIN every workload statement with its parameters bound to the advice's
values, and count the partitions each plan reads.

Pruning is decided from the partition bounds and the statement's values, not from data, so empty
tables show it: PostgreSQL drops pruned partitions from the plan (plan-time pruning with literals;
a generic plan shows ``Subplans Removed: n`` instead, counted the same way), MariaDB lists the
partitions each table reads in ``EXPLAIN FORMAT=JSON``. What is counted per statement:

- the partitions of the partitioned tables that appear in its plan (scans, and UPDATE/DELETE
  targets); an ``INSERT ... VALUES`` plan names only the parent, and each row is routed to one
  partition: 1;
- on PostgreSQL, a ``Limit`` over a plain ``Append`` (no ``Sort``, no ``Merge Append``) is an ordered
  scan that runs its partitions in bound order and stops when the LIMIT is met: the plan lists them
  all, the executor reads until the LIMIT is met, which takes the number of partitions the advice's
  model gives for it (rows of the statement per partition, from the brief's statistics). Both
  figures are reported. If the planner chose another shape, the partitions listed are what is read.

PostgreSQL: everything runs in one transaction that is rolled back, so the scratch database is left
as it was. MariaDB (DDL commits on its own): the database must be empty, and what was created is
dropped afterwards.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from dbarchitect.advisors.partitioning.model import BoundStatement, PartitionAdvice, Verdict
from dbarchitect.engines.connection import redacted_url
from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.scratch import listed, scratch_objects
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.ingest.parameters import numbered_parameters_sql
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.names import EngineName
from dbarchitect.verify.portability import bind_nulls
from dbarchitect.verify.rehearse import open_scratch

_SCANS = ("Scan",)


@dataclass(frozen=True)
class MeasuredStatement:
    """One statement's plan on the partitioned design.

    Attributes:
        statement: Its name in the brief.
        rate: Executions per second.
        listed: Partitions of partitioned tables the plan lists (None: no plan).
        partitions: Partitions read: ``listed``, or for an ordered scan under LIMIT the model's count.
        within_two: Share of executions reading at most two partitions.
        touches_partitioned: Whether it reads or writes a partitioned table.
        how: How the partitions were counted.
        sql: The statement as EXPLAINed (bound, in the engine's SQL).
        plan: The plan, one node per line.
        error: The engine's error, when the statement could not be EXPLAINed.
        generic_listed: PostgreSQL: the partitions the generic plan (``PREPARE`` with the parameters,
            ``EXPLAIN EXECUTE`` with the values, ``plan_cache_mode = force_generic_plan``) still lists
            after pruning at executor start; None when not measured.
        subplans_removed: PostgreSQL: the partitions that generic plan's ``Subplans Removed`` prunes.
    """

    statement: str
    rate: float
    listed: int | None
    partitions: float
    within_two: float
    touches_partitioned: bool
    how: str
    sql: str
    plan: tuple[str, ...] = ()
    error: str | None = None
    generic_listed: int | None = None
    subplans_removed: int | None = None


@dataclass(frozen=True)
class PruningMeasurement:
    """Every statement EXPLAINed against the partitioned design on one scratch database.

    Attributes:
        engine: The engine and version measured on, e.g. ``PostgreSQL 15``.
        database: The scratch database's URL, without its password.
        statements: Per statement: the partitions its plan lists and reads, how they were counted,
            the plan, or the engine's error.
        notes: What the engine could not express of the design.
    """

    engine: str
    database: str
    statements: tuple[MeasuredStatement, ...]
    notes: tuple[str, ...] = ()

    @property
    def weighted_within_two(self) -> float:
        ok = [s for s in self.statements if s.error is None]
        total = sum(s.rate for s in ok)
        return sum(s.rate * s.within_two for s in ok) / total if total else 1.0

    @property
    def partitioned_within_two(self) -> float | None:
        ok = [s for s in self.statements if s.error is None and s.touches_partitioned]
        total = sum(s.rate for s in ok)
        return sum(s.rate * s.within_two for s in ok) / total if total else None

    @property
    def errors(self) -> tuple[MeasuredStatement, ...]:
        return tuple(s for s in self.statements if s.error is not None)


def _first_line(exc: BaseException) -> str:
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return redact(f"{args[1].splitlines()[0] if args[1] else ''} (error {args[0]})")
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def _children(advice: PartitionAdvice, traits: EngineTraits) -> dict[str, str]:
    """Partition (child table) name -> its partitioned table, lower-cased, for the plan's relations."""
    out: dict[str, str] = {}
    for table in advice.catalog.tables:
        p = table.partitioning
        if p is None:
            continue
        if p.partitions:
            for part in p.partitions:
                out[part.name.value.lower()] = table.name.value.lower()
        elif p.count:
            for i in range(p.count):
                out[f"{table.name.value}_p{i}".lower()] = table.name.value.lower()
    return out


def _pg_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("Plans", []) or []:
        found += _pg_nodes(child)
    return found


def _pg_lines(node: dict[str, Any], depth: int = 0) -> list[str]:
    label = node.get("Node Type", "?")
    if node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    if node.get("Subplans Removed"):
        label += f" (Subplans Removed: {node['Subplans Removed']})"
    lines = ["  " * depth + label]
    for child in node.get("Plans", []) or []:
        lines += _pg_lines(child, depth + 1)
    return lines


def _ordered_append(root: dict[str, Any]) -> bool:
    """A Limit whose input is a plain Append (the ordered scan that stops at the LIMIT)."""
    for node in _pg_nodes(root):
        if node.get("Node Type") != "Limit":
            continue
        below = (node.get("Plans") or [None])[0]
        while isinstance(below, dict) and below.get("Node Type") in ("Result", "Subquery Scan"):
            below = (below.get("Plans") or [None])[0]
        if isinstance(below, dict) and below.get("Node Type") == "Append":
            return True
    return False


def _quoted(value: str | None, traits: EngineTraits) -> str:
    return "NULL" if value is None else traits.literal(value)


def _generic_plan(
    db: Any, bound: BoundStatement, source: EngineName, children: dict[str, str], traits: EngineTraits
) -> tuple[int, int] | None:
    """(partitions listed, Subplans Removed) of the statement's generic plan executed with its values:
    the pruning PostgreSQL does at executor start for a prepared statement (None: not measurable)."""
    if not bound.bindings or not bound.source_sql:
        return None
    try:
        text, order = numbered_parameters_sql(bound.source_sql, source, EngineName.POSTGRESQL)
    except DbarchError:
        return None
    values = {b.name: b.value for b in bound.bindings}
    args = ", ".join(_quoted(values.get(name), traits) for name in order)
    try:
        with db.conn.transaction():
            db.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            db.execute(f"PREPARE dbarch_generic AS {text}")
            try:
                rows = db.query(f"EXPLAIN (FORMAT JSON, COSTS OFF) EXECUTE dbarch_generic({args})")
            finally:
                db.execute("DEALLOCATE dbarch_generic")
    except Exception:  # a statement PREPARE cannot type is measured by its literal plan only
        return None
    raw = rows[0][0]
    nodes = _pg_nodes((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"])
    listed = {str(n.get("Relation Name") or "").lower() for n in nodes} & set(children)
    removed = sum(int(n.get("Subplans Removed") or 0) for n in nodes)
    return len(listed), removed


def _measure_pg(
    db: Any, advice: PartitionAdvice, traits: EngineTraits, source: EngineName
) -> list[MeasuredStatement]:
    children = _children(advice, traits)
    parents = {t.name.value.lower() for t in advice.catalog.tables if t.partitioning is not None}
    model = {s.statement: s for s in advice.statements}
    out: list[MeasuredStatement] = []
    for bound in advice.bound:
        predicted = model.get(bound.name)
        try:
            sql = transpile_statement(bound.sql, source, traits.engine, advice.catalog)
            sql = bind_nulls(sql, traits.sqlglot_dialect)
        except Exception as exc:  # a statement that cannot be written for the engine is reported
            out.append(
                MeasuredStatement(
                    bound.name, bound.rate, None, 0.0, 0.0, False, "", bound.sql, error=_first_line(exc)
                )
            )
            continue
        try:
            with db.conn.transaction():
                rows = db.query(f"EXPLAIN (FORMAT JSON, COSTS OFF) {sql}")
        except Exception as exc:  # the engine's refusal is the finding
            out.append(
                MeasuredStatement(
                    bound.name, bound.rate, None, 0.0, 0.0, False, "", sql, error=_first_line(exc)
                )
            )
            continue
        raw = rows[0][0]
        doc = raw if isinstance(raw, list) else json.loads(raw)
        root = doc[0]["Plan"]
        nodes = _pg_nodes(root)
        touched: dict[str, set[str]] = {}
        for node in nodes:
            relation = str(node.get("Relation Name") or "").lower()
            if relation in children:
                touched.setdefault(children[relation], set()).add(relation)
        insert_into = {
            str(n.get("Relation Name") or "").lower()
            for n in nodes
            if n.get("Node Type") == "ModifyTable" and n.get("Operation") == "Insert"
        } & parents
        listed = sum(len(v) for v in touched.values()) + len(insert_into)
        touches = bool(touched or insert_into)
        how = "plan"
        partitions = float(listed)
        within = 1.0 if listed <= 2 else 0.0
        if insert_into and not touched:
            how = "INSERT: each row is routed to one partition"
        elif (
            _ordered_append(root)
            and len(touched) == 1
            and predicted is not None
            and predicted.partitions < listed
            and "ordered scan" in predicted.reason
        ):
            partitions, within = predicted.partitions, predicted.within_two
            how = (
                f"ordered Append under Limit: the plan lists {listed} partitions in bound order and stops "
                f"at the LIMIT; reads {partitions:.2f} (model)"
            )
        generic = _generic_plan(db, bound, source, children, traits) if touched else None
        out.append(
            MeasuredStatement(
                bound.name,
                bound.rate,
                listed,
                partitions,
                within,
                touches,
                how,
                sql,
                tuple(_pg_lines(root)),
                generic_listed=generic[0] if generic else None,
                subplans_removed=generic[1] if generic else None,
            )
        )
    return out


def _mysql_tables(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "table_name" in node:
            found.append(node)
        for value in node.values():
            found += _mysql_tables(value)
    elif isinstance(node, list):
        for value in node:
            found += _mysql_tables(value)
    return found


def _measure_mysql(
    db: Any, advice: PartitionAdvice, traits: EngineTraits, source: EngineName
) -> list[MeasuredStatement]:
    parents = {t.name.value.lower() for t in advice.catalog.tables if t.partitioning is not None}
    out: list[MeasuredStatement] = []
    for bound in advice.bound:
        try:
            sql = transpile_statement(bound.sql, source, traits.engine, advice.catalog)
            sql = bind_nulls(sql, traits.sqlglot_dialect)
        except Exception as exc:  # a statement that cannot be written for the engine is reported
            out.append(
                MeasuredStatement(
                    bound.name, bound.rate, None, 0.0, 0.0, False, "", bound.sql, error=_first_line(exc)
                )
            )
            continue
        is_insert = sql.lstrip().upper().startswith(("INSERT", "REPLACE"))
        try:
            rows = db.query(f"EXPLAIN FORMAT=JSON {sql}") if not is_insert else db.query(f"EXPLAIN {sql}")
        except Exception as exc:  # the engine's refusal is the finding
            out.append(
                MeasuredStatement(
                    bound.name, bound.rate, None, 0.0, 0.0, False, "", sql, error=_first_line(exc)
                )
            )
            continue
        if is_insert:
            target = str(rows[0][2]).lower() if rows and len(rows[0]) > 2 else ""
            touches = target in parents
            how = "INSERT: each row is routed to one partition" if touches else "plan"
            listed = 1 if touches else 0
            shown = tuple(" ".join(str(v) for v in r) for r in rows)
            out.append(
                MeasuredStatement(
                    bound.name, bound.rate, listed, float(listed), 1.0, touches, how, sql, shown
                )
            )
            continue
        doc = json.loads(rows[0][0])
        listed = 0
        touches = False
        plan: list[str] = []
        for table in _mysql_tables(doc):
            name = str(table.get("table_name", "")).lower()
            partitions = table.get("partitions")
            if name in parents and isinstance(partitions, list):
                touches = True
                listed += len(partitions)
                plan.append(f"{name}: partitions {', '.join(partitions)}")
            else:
                plan.append(f"{name}: {table.get('access_type', '')}")
        out.append(
            MeasuredStatement(
                bound.name,
                bound.rate,
                listed,
                float(listed),
                1.0 if listed <= 2 else 0.0,
                touches,
                "plan (EXPLAIN FORMAT=JSON partitions)",
                sql,
                tuple(plan),
            )
        )
    return out


class _Rollback(Exception):
    """Raised to roll back the PostgreSQL transaction that holds the whole measurement."""


def measure_pruning(
    advice: PartitionAdvice, url: str, source: EngineName, engine: EngineName | None = None
) -> PruningMeasurement:
    """Build ``advice``'s designed catalog on the scratch database at ``url`` and EXPLAIN every bound
    statement (written for ``source``); see the module docstring."""
    db = open_scratch(url)
    shown = redacted_url(db.url)
    try:
        family = db.family
        traits = get_traits(engine if engine is not None else family)
        if (family == EngineName.POSTGRESQL) != (traits.engine == EngineName.POSTGRESQL):
            traits = get_traits(family)
        rendered = render_schema_with_notes(advice.catalog, traits)
        notes = [f"{n.table}: {n.message}" for n in rendered.notes if n.feature == "partitioning"]
        partitioned = [d.table for d in advice.decisions if d.verdict != Verdict.NO]
        if family == EngineName.POSTGRESQL:
            measured: list[MeasuredStatement] = []
            try:
                with db.conn.transaction():
                    try:
                        db.execute(rendered.sql)
                    except Exception as exc:
                        raise DbarchError(
                            Diagnostic(f"the partitioned design does not run on {shown}: {_first_line(exc)}")
                        ) from None
                    measured = _measure_pg(db, advice, traits, source)
                    raise _Rollback
            except _Rollback:
                pass
        else:
            existing = scratch_objects(family, db.query)
            if existing:
                raise DbarchError(
                    Diagnostic(
                        f"{shown} is not empty ({listed(existing)}); measuring creates the design there",
                        field="--engine-url",
                        hint="name an empty scratch database (it is emptied again afterwards)",
                    )
                )
            try:
                try:
                    db.execute(rendered.sql)
                except Exception as exc:
                    raise DbarchError(
                        Diagnostic(f"the partitioned design does not run on {shown}: {_first_line(exc)}")
                    ) from None
                measured = _measure_mysql(db, advice, traits, source)
            finally:
                created = db.query(
                    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = "
                    "DATABASE()"
                )
                with contextlib.suppress(Exception):  # cleanup of a scratch database is best effort
                    db.execute("SET FOREIGN_KEY_CHECKS = 0")
                    for name, kind in created:
                        what = "VIEW" if str(kind).upper() == "VIEW" else "TABLE"
                        db.execute(f"DROP {what} IF EXISTS {traits.quote(str(name))}")
                    db.execute("SET FOREIGN_KEY_CHECKS = 1")
        if not partitioned:
            notes.append("no table is partitioned in the design: every statement touches no partition")
        return PruningMeasurement(str(traits), shown, tuple(measured), tuple(notes))
    finally:
        db.close()
