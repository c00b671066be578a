"""Execute a design on every engine of its brief, and gather the facts for the design guardrails.

Portability is proven, not assumed: for each engine of the brief (the target and ``portable_to``) the
schema is rendered from the engine-neutral catalog and executed, and every workload statement is
transpiled and compiled with ``EXPLAIN`` (parameters bound to NULL, and to 1 in ``LIMIT``/``OFFSET``):

- SQLite: in memory, always (:func:`dbarchitect.verify.embedded.check_on_sqlite`);
- PostgreSQL: in the scratch database named for it, inside one transaction that is rolled back, so
  the database is left as it was (PostgreSQL's DDL is transactional);
- MySQL / MariaDB: DDL commits on its own, so the scratch database must be empty; what was created
  is dropped afterwards.

An engine with no URL is rendered (its render notes still count) but not executed, and the verdict
says so. :func:`check_design` is the entry point of ``dbarch check``: it computes what the design
rules need from the advisors (sizes at the horizon, access paths, statement costs from the index
advice or the built-in model) and from these runs, then runs the rules of ``guardrails/design``.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.advisors.access_paths import PathKind, access_paths
from dbarchitect.advisors.indexes.advisor import IndexAdvice, with_advised_indexes
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.latency import estimate_latency
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import Brief
from dbarchitect.engines.connection import parse_server_version
from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.scratch import listed, scratch_objects
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError, redact
from dbarchitect.guardrails.design.rule import (
    DesignContext,
    DesignFacts,
    EngineRun,
    FullScan,
    StatementCost,
    TableStorage,
)
from dbarchitect.guardrails.design.runner import DesignVerdict, run_design_rules
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Workload
from dbarchitect.verify.embedded import check_on_sqlite
from dbarchitect.verify.rehearse import open_scratch


def bind_nulls(sql: str, dialect: str) -> str:
    """``sql`` with every parameter replaced by NULL (by 1 in LIMIT / OFFSET), so EXPLAIN needs no
    values and no driver placeholder style."""
    tree = sqlglot.parse_one(sql, read=dialect)

    def bind(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder | exp.Parameter):
            if isinstance(node.parent, exp.Limit | exp.Offset):
                return exp.Literal.number(1)
            return exp.Null()
        return node

    return tree.transform(bind).sql(dialect=dialect)


def _first_line(exc: BaseException) -> str:
    """The driver's message, one line, passwords redacted (PyMySQL's ``(code, message)`` as ``message
    (error code)``)."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return redact(f"{args[1].splitlines()[0] if args[1] else ''} (error {args[0]})")
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def _explain_all(
    db: Any,
    workload: Workload,
    source: EngineName,
    traits: EngineTraits,
    savepoints: bool,
    catalog: Catalog | None = None,
) -> tuple[list[tuple[str, str]], int]:
    errors: list[tuple[str, str]] = []
    explained = 0
    for statement in workload.statements:
        try:
            sql = bind_nulls(
                transpile_statement(statement.sql, source, traits.engine, catalog), traits.sqlglot_dialect
            )
        except (DbarchError, SqlglotError) as exc:
            errors.append((statement.name, f"cannot transpile: {_first_line(exc)}"))
            continue
        try:
            if savepoints:
                with db.conn.transaction():
                    db.query(f"EXPLAIN {sql}")
            else:
                db.query(f"EXPLAIN {sql}")
            explained += 1
        except Exception as exc:  # the engine's own refusal is the finding
            errors.append((statement.name, _first_line(exc)))
    return errors, explained


class _Rollback(Exception):
    """Raised to roll back the PostgreSQL transaction that holds the whole portability run."""


def _run_on_server(
    url: str,
    schema_sql: str,
    workload: Workload,
    source: EngineName,
    traits: EngineTraits,
    catalog: Catalog | None = None,
) -> EngineRun:
    label = str(traits)
    try:
        db = open_scratch(url)
    except DbarchError as exc:
        return EngineRun(label, False, skipped=f"cannot connect: {exc.diagnostic.message}")
    try:
        server, mismatch = _server_identity(db, traits)
        if mismatch is not None:
            return EngineRun(label, False, skipped=f"{redact(url)} is {mismatch}", server=server)
        run = _run_on_scratch(db, url, label, schema_sql, workload, source, traits, catalog)
        return replace(run, server=server)
    finally:
        db.close()


def _server_identity(db: Any, traits: EngineTraits) -> tuple[str, str | None]:
    """The server as it names itself, and why it cannot stand for ``traits`` (None when it can): a
    MariaDB server reached through a ``mysql`` URL does not prove MySQL portability, nor a MySQL 5.7
    server MySQL 8.0's. The server's version must start with the version the brief names (major for
    PostgreSQL, major.minor for MySQL and MariaDB)."""
    if db.family == EngineName.POSTGRESQL:
        text = str(db.query("SHOW server_version")[0][0])
        engine = EngineName.POSTGRESQL
    else:
        text = str(db.query("SELECT VERSION()")[0][0])
        engine = EngineName.MARIADB if "mariadb" in text.lower() else EngineName.MYSQL
    version = parse_server_version(text)
    actual = get_traits(engine, ".".join(map(str, version[:2])) if version else None)
    server = f"{actual.label} {text}"
    if engine != traits.engine:
        return server, (
            f"a {actual.label} server ({text}), not {traits.label}: running there does not prove {traits}; "
            f"give a {traits} scratch database"
        )
    if version[: len(traits.version)] != traits.version:
        return server, (
            f"{actual.label} {text}, not {traits}: running there does not prove {traits}; give a "
            f"{traits} scratch database (or name {actual} in the brief)"
        )
    return server, None


def _run_on_scratch(
    db: Any,
    url: str,
    label: str,
    schema_sql: str,
    workload: Workload,
    source: EngineName,
    traits: EngineTraits,
    catalog: Catalog | None,
) -> EngineRun:
    if db.family == EngineName.POSTGRESQL:
        result: list[EngineRun] = []
        try:
            with db.conn.transaction():
                try:
                    db.execute(schema_sql)
                except Exception as exc:
                    result.append(EngineRun(label, True, schema_error=_first_line(exc)))
                    raise _Rollback from None
                errors, explained = _explain_all(
                    db, workload, source, traits, savepoints=True, catalog=catalog
                )
                result.append(
                    EngineRun(label, True, statement_errors=tuple(errors), statements_explained=explained)
                )
                raise _Rollback
        except _Rollback:
            pass
        return result[0]
    existing = scratch_objects(db.family, db.query)
    if existing:
        return EngineRun(
            label,
            False,
            skipped=f"{redact(url)} is not empty ({listed(existing)}; DDL cannot be rolled back there)",
        )
    try:
        try:
            db.execute(schema_sql)
        except Exception as exc:
            return EngineRun(label, True, schema_error=_first_line(exc))
        errors, explained = _explain_all(db, workload, source, traits, savepoints=False, catalog=catalog)
        return EngineRun(label, True, statement_errors=tuple(errors), statements_explained=explained)
    finally:
        created = db.query(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
        with contextlib.suppress(Exception):  # cleanup of a scratch database is best effort
            db.execute("SET FOREIGN_KEY_CHECKS = 0")
            for name, kind in created:
                what = "VIEW" if str(kind).upper() == "VIEW" else "TABLE"
                db.execute(f"DROP {what} IF EXISTS {traits.quote(str(name))}")
            db.execute("SET FOREIGN_KEY_CHECKS = 1")


def _url_for(urls: Mapping[Any, str], engine: EngineName) -> str | None:
    for key, url in urls.items():
        if str(getattr(key, "value", key)).lower() == engine.value:
            return url
    return None


def _static_errors(
    workload: Workload, source: EngineName, traits: EngineTraits, catalog: Catalog | None = None
) -> tuple[tuple[str, str], ...]:
    """What can be known about the workload on an engine without executing it: statements that do not
    transpile, and features the engine lacks (``RETURNING``)."""
    errors: list[tuple[str, str]] = []
    for statement in workload.statements:
        try:
            sql = transpile_statement(statement.sql, source, traits.engine, catalog)
        except (DbarchError, SqlglotError) as exc:
            errors.append((statement.name, f"cannot transpile: {_first_line(exc)}"))
            continue
        if not traits.features.returning:
            try:
                tree = sqlglot.parse_one(sql, read=traits.sqlglot_dialect)
            except SqlglotError:
                continue
            if tree.find(exp.Returning) is not None:
                errors.append((statement.name, f"uses RETURNING, which {traits} does not have"))
    return tuple(errors)


def run_on_engines(
    brief: Brief, catalog: Catalog, workload: Workload, urls: Mapping[Any, str] | None = None
) -> tuple[EngineRun, ...]:
    """Render ``catalog`` for every engine of ``brief`` and execute it (and EXPLAIN the workload)
    where possible: SQLite always, PostgreSQL / MySQL / MariaDB on the scratch URL given for them."""
    runs: list[EngineRun] = []
    source = brief.engine.name
    for spec in brief.engines:
        traits = get_traits(spec.name, spec.version)
        rendered = render_schema_with_notes(catalog, traits)
        notes = tuple((n.table, n.feature, n.message) for n in rendered.notes if not n.error)
        errors = tuple((n.table, n.feature, n.message) for n in rendered.notes if n.error)
        url = _url_for(urls or {}, traits.engine)
        if traits.engine == EngineName.SQLITE:
            check = check_on_sqlite(rendered.sql, workload, source, catalog)
            run = EngineRun(
                str(traits),
                True,
                schema_error=check.schema_error,
                statement_errors=tuple(
                    (s.statement, "; ".join(s.detail)) for s in check.statements if not s.ok
                ),
                statements_explained=sum(1 for s in check.statements if s.ok),
                server=f"SQLite {sqlite3.sqlite_version} (embedded, a temporary file)",
            )
        elif url is not None:
            run = _run_on_server(url, rendered.sql, workload, source, traits, catalog)
        else:
            run = EngineRun(
                str(traits),
                False,
                skipped=f"no scratch database URL given for {spec.name.value}",
                statement_errors=_static_errors(workload, source, traits, catalog),
            )
        runs.append(replace(run, render_notes=notes, render_errors=errors))
    return tuple(runs)


def _storage(
    sizes: tuple[TableSize, ...], advice: IndexAdvice | None, catalog: Catalog
) -> tuple[TableStorage, ...]:
    extra: dict[str, float] = {}
    if advice is not None:
        for rec in advice.recommended:
            table = catalog.table(rec.candidate.table)
            if table is not None and not any(i.name.matches(rec.name) for i in table.indexes):
                key = table.name.value.lower()
                extra[key] = extra.get(key, 0.0) + rec.size_at_horizon_bytes
    return tuple(
        TableStorage(
            s.table,
            s.rows_at_horizon,
            s.data_bytes_at_horizon,
            s.index_bytes_at_horizon + extra.get(s.table.lower(), 0.0),
            s.unsized,
        )
        for s in sizes
    )


@dataclass(frozen=True)
class _Plan:
    """One statement's plan under the design: its cost, the page-read part of it (built-in model),
    a summary, the tables it reads whole, and where it comes from."""

    cost: float
    io: float | None
    text: str | None
    seq_scans: tuple[str, ...]
    source: str


def _plans(
    workload: Workload, catalog: Catalog, traits: EngineTraits, advice: IndexAdvice | None
) -> tuple[dict[str, _Plan], list[str]]:
    """Every statement's plan under the design: the index advice's plan after its indexes (the
    planner's through HypoPG, or the built-in model's), else the built-in model's on the design."""
    effects = {e.statement: e for e in advice.statements} if advice is not None else {}
    model: BuiltinCostModel | None = None
    plans: dict[str, _Plan] = {}
    notes: list[str] = []
    for statement in workload.statements:
        effect = effects.get(statement.name)
        if effect is not None and effect.error is None and math.isfinite(effect.after):
            backend = advice.backend if advice is not None else "?"
            plans[statement.name] = _Plan(
                effect.after,
                effect.io_after,
                effect.plan_after,
                effect.seq_scans_after,
                f"index advice ({backend})",
            )
            continue
        model = model or BuiltinCostModel(catalog, traits)
        plan = model.plan_cost(statement, frozenset())
        if plan.error is not None or not math.isfinite(plan.cost):
            if statement.slo is not None:
                notes.append(
                    f"no latency estimate for statement {statement.name}: {plan.error or 'not costed'}"
                )
            continue
        plans[statement.name] = _Plan(
            plan.cost, plan.io, plan.plan, tuple(sorted(plan.seq_scans)), "built-in model"
        )
    return plans, notes


def _costs(
    workload: Workload,
    catalog: Catalog,
    traits: EngineTraits,
    plans: Mapping[str, _Plan],
    latency: LatencyModel | None = None,
) -> tuple[StatementCost, ...]:
    """Each statement with an SLO: its plan's cost and the latency the engine's model makes of it
    (a write committing on its own)."""
    costs: list[StatementCost] = []
    for statement in workload.statements:
        plan = plans.get(statement.name)
        if statement.slo is None or plan is None:
            continue
        estimate = estimate_latency(
            statement,
            plan.cost,
            catalog,
            traits,
            io=plan.io,
            cost_source=plan.source,
            commit=True,
            model=latency,
        )
        costs.append(
            StatementCost(
                statement.name,
                plan.cost,
                plan.source,
                plan.text,
                estimate.ms,
                estimate.explain(),
                estimate.calibration,
            )
        )
    return tuple(costs)


def _full_scans(workload: Workload, catalog: Catalog, plans: Mapping[str, _Plan]) -> tuple[FullScan, ...]:
    """Tables each statement's plan reads whole; by the access-path rule where no plan exists."""
    scans: list[FullScan] = []
    for statement in workload.statements:
        paths = {p.table.lower(): p for p in access_paths(statement, catalog)}
        plan = plans.get(statement.name)
        if plan is None:
            scans += [
                FullScan(statement.name, p.table, p.rows_total, statement.rate, p.filtered)
                for p in paths.values()
                if p.kind == PathKind.FULL_SCAN
            ]
            continue
        for key in plan.seq_scans:
            table = catalog.table(key)
            if table is None:
                continue
            path = paths.get(table.name.value.lower())
            rows = table.stats.rows if table.stats is not None else None
            filtered = path.filtered if path is not None else ()
            index = path.index if path is not None and path.kind == PathKind.INDEX else None
            access = statement.access(table.name)
            joined = tuple(dict.fromkeys(c.value for c in access.join_columns)) if access is not None else ()
            scans.append(
                FullScan(statement.name, table.name.value, rows, statement.rate, filtered, index, joined)
            )
    return tuple(scans)


def check_design(
    brief: Brief,
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    sizes: tuple[TableSize, ...],
    index_advice: IndexAdvice | None = None,
    portability_urls: Mapping[Any, str] | None = None,
    *,
    source: str | None = None,
    today: date | None = None,
    only: Collection[str] | None = None,
    latency: LatencyModel | None = None,
    lever_costs: Mapping[str, StatementCost] | None = None,
    lever_bounds: Mapping[str, str] | None = None,
) -> DesignVerdict:
    """The guardrail verdict for a design: every design rule at the brief's levels, errors first.

    ``catalog`` is the design's schema; the index advice's recommended indexes are added to it (the
    design is judged with them). ``portability_urls`` maps an engine (``EngineName`` or its name) to
    a scratch database URL to execute the design on; SQLite needs none. Nothing else is written.
    ``latency`` replaces the target engine's shipped latency model (a ``dbarch calibrate`` result).
    ``lever_costs`` are the estimates of the statements the design's summary tables and rewrites
    serve (or its summaries' triggers tax), which replace the plan's; ``lever_bounds`` the bound of
    each statement no lever brings within its SLO (shown with its slo-latency finding).
    """
    designed = with_advised_indexes(catalog, index_advice, traits)
    plans, notes = _plans(workload, designed, traits, index_advice)
    costs = _costs(workload, designed, traits, plans, latency)
    if lever_costs:
        costs = tuple(lever_costs.get(c.statement, c) for c in costs)
    if lever_bounds:
        costs = tuple(
            replace(c, bound=lever_bounds[c.statement]) if c.statement in lever_bounds else c for c in costs
        )
    scans = _full_scans(workload, designed, plans)
    needs_runs = only is None or "portability" in only
    runs = run_on_engines(brief, designed, workload, portability_urls) if needs_runs else ()
    notes += [f"portability on {r.engine} not executed: {r.skipped}" for r in runs if not r.executed]
    notes += [f"portability on {r.engine} executed on {r.server}" for r in runs if r.executed and r.server]
    facts = DesignFacts(_storage(sizes, index_advice, catalog), costs, scans, runs)
    context = DesignContext(brief, designed, workload, traits, facts, today or date.today())
    return run_design_rules(context, source=source or "<brief>", only=only, notes=tuple(notes))
