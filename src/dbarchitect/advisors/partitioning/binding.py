"""Values for a statement's parameters, so that the partitions it touches can be counted (by the
model, and by the planner: pruning is decided from the values).

A parameter takes, in this order: the example value the brief gives for it (``params:`` of the
statement); else a value from the brief's statistics for the column it is compared with; else a
value of the column's type. For a time column, a lower bound takes the oldest row kept (the
column's ``min``, else now minus the table's retention, else the age of its rows at its growth rate)
and anything else the newest (``max``, else the day the advice is made for), so that a range without
example values reads the whole time range kept: the conservative reading; give ``params`` for the
windows the application really asks for. Other columns take their most common value (``min``/
``max`` for bounds). ``LIMIT`` takes 10 and ``OFFSET`` 0 when the brief gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from dbarchitect.advisors.partitioning.layout import time_span
from dbarchitect.advisors.partitioning.model import Binding, BindingSource, BoundStatement
from dbarchitect.engines.partition_sql import bound_text, engine_bound_sql, is_time_type
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.parameters import ParameterRole, ParameterUse, bind_parameters_sql, parameter_uses
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.intervals import parse_instant
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import Statement


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'") if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _time_text(instant: datetime, column: Column, traits: EngineTraits) -> str:
    return _unquote(engine_bound_sql(bound_text(instant, column.type), column.type, traits))


def _type_default(column: Column, anchor: datetime, traits: EngineTraits) -> object:
    kind = column.type.kind
    if is_time_type(column.type):
        return _time_text(anchor, column, traits)
    if kind == TypeKind.BOOLEAN:
        return True
    if column.type.is_integer or kind in (TypeKind.DECIMAL, TypeKind.REAL, TypeKind.DOUBLE):
        return 1
    if kind == TypeKind.UUID:
        return "00000000-0000-0000-0000-000000000001"
    if kind == TypeKind.JSON:
        return "{}"
    if kind == TypeKind.ENUM and column.type.values:
        return column.type.values[0]
    if kind == TypeKind.TIME:
        return "00:00:00"
    if kind == TypeKind.INTERVAL:
        return None
    return "x"


def _statistic(
    use: ParameterUse, table: Table, column: Column, traits: EngineTraits, anchor: datetime
) -> object | None:
    if is_time_type(column.type):
        # The oldest row kept for a lower bound, the newest for anything else: from the column's
        # min/max, else from the table's retention or age at its growth rate (layout.time_span).
        span = time_span(table, column, anchor)
        return _time_text(span.start if use.role == ParameterRole.LOWER else span.anchor, column, traits)
    stats = column.stats
    if stats is None:
        return None
    if use.role == ParameterRole.LOWER and stats.minimum is not None:
        return _number_or_text(stats.minimum)
    if use.role == ParameterRole.UPPER and stats.maximum is not None:
        return _number_or_text(stats.maximum)
    if stats.most_common:
        return _number_or_text(stats.most_common[0][0])
    return None


def _number_or_text(text: str) -> object:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _given(value: object, column: Column | None, traits: EngineTraits) -> object:
    """A brief's example value, written for the engine (a time in the column's literal form)."""
    if column is not None and is_time_type(column.type) and isinstance(value, str | datetime):
        instant = value if isinstance(value, datetime) else parse_instant(value)
        if instant is not None:
            return _time_text(instant, column, traits)
    return value


def bind_statement(
    statement: Statement,
    catalog: Catalog,
    traits: EngineTraits,
    engine: EngineName,
    params: Mapping[str, object],
    anchor: datetime,
) -> tuple[BoundStatement, Statement]:
    """The statement with every parameter bound (see module docstring), and its analysis with those
    literals (the predicates the pruning model reads). A statement that cannot be bound keeps its
    parameters: they count as unknown values, and ``error`` says why."""
    if not statement.parameters:
        return BoundStatement(
            statement.name, statement.rate, statement.sql, (), source_sql=statement.sql
        ), statement
    try:
        uses = parameter_uses(statement.sql, engine, catalog)
    except DbarchError as exc:
        failed = BoundStatement(
            statement.name, statement.rate, statement.sql, (), error=str(exc), source_sql=statement.sql
        )
        return failed, statement
    values: dict[str, object] = {}
    bindings: list[Binding] = []
    for use in uses:
        table = catalog.table(use.column.table) if use.column is not None else None
        column = table.column(use.column.column) if table is not None and use.column is not None else None
        label = str(use.column) if use.column is not None else None
        value: object
        if use.name in params:
            value, source = _given(params[use.name], column, traits), BindingSource.BRIEF
        elif use.role == ParameterRole.LIMIT:
            value, source = 10, BindingSource.TYPE_DEFAULT
        elif use.role == ParameterRole.OFFSET:
            value, source = 0, BindingSource.TYPE_DEFAULT
        elif column is None:
            value, source = None, BindingSource.UNBOUND
        else:
            found = _statistic(use, table, column, traits, anchor) if table is not None else None
            if found is not None:
                value, source = found, BindingSource.STATISTICS
            else:
                value, source = _type_default(column, anchor, traits), BindingSource.TYPE_DEFAULT
        values[use.name] = value
        bindings.append(Binding(use.name, None if value is None else str(value), source, label))
    try:
        sql = bind_parameters_sql(statement.sql, engine, values)
        analyzed = analyze_statement(
            StatementInput(statement.name, sql, statement.rate, origin=statement.origin), catalog, engine
        )
    except DbarchError as exc:
        bound = BoundStatement(
            statement.name, statement.rate, statement.sql, tuple(bindings), str(exc), statement.sql
        )
        return bound, statement
    return BoundStatement(statement.name, statement.rate, sql, tuple(bindings), None, statement.sql), replace(
        analyzed, rate=statement.rate, slo=statement.slo
    )
