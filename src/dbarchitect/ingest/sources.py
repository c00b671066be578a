"""Brief -> catalog and workload: read the schema from wherever the brief says, attach the
brief's sizes and statistics to it, and analyze the workload against it.

The brief's ``tables:`` section is checked against the schema: a size for a table or a statistic
for a column that does not exist is an error with a did-you-mean, because a typo there would
silently leave a table unsized.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dbarchitect.brief import Brief, TableSizeSpec
from dbarchitect.errors import BriefError, Diagnostic, SqlError, did_you_mean
from dbarchitect.ingest.ddl import load_ddl, load_ddl_file
from dbarchitect.ingest.entities import load_entities
from dbarchitect.ingest.example_values import check_example_values
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.statement_parts import example_text
from dbarchitect.ingest.statement_sources import (
    read_pg_stat_statements_csv,
    read_pg_stat_statements_live,
    read_statement_log,
)
from dbarchitect.ingest.transactions import build_transactions
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.limits import read_input_text
from dbarchitect.model.catalog import Catalog, Column, ColumnStats, Table, TableStats
from dbarchitect.model.workload import Slo, Workload


def load_schema(brief: Brief, *, file: str | None = None) -> Catalog:
    """The brief's schema as a catalog, without sizes."""
    spec = brief.schema_
    if spec.ddl is not None and spec.ddl.sql is not None:
        where = f"{file or 'the brief'}: schema.ddl.sql"
        return load_ddl(spec.ddl.sql, spec.ddl.dialect or brief.engine.name, file=where)
    if spec.ddl is not None and spec.ddl.path is not None:
        path = brief.resolve(spec.ddl.path)
        if not path.is_file():
            raise BriefError(
                Diagnostic(
                    f"DDL file {str(spec.ddl.path)!r} not found (looked in {path.parent})",
                    file=file,
                    field="schema.ddl.path",
                    hint="paths are relative to the brief's directory",
                )
            )
        return load_ddl_file(path, spec.ddl.dialect or brief.engine.name)
    if spec.entities is not None:
        return load_entities(spec.entities, brief.engine.name, file=file)
    assert spec.source is not None
    return introspect(spec.source.url, schema=spec.source.schema_name)


def _column_stats(table: Table, spec: TableSizeSpec, field: str, file: str | None) -> tuple[Column, ...]:
    known = [c.name.value for c in table.columns]
    for col in spec.columns:
        if table.column(col) is None:
            raise BriefError(
                Diagnostic(
                    f"table '{table.name}' has no column '{col}'{did_you_mean(col, known)}",
                    file=file,
                    field=f"{field}.columns.{col}",
                )
            )
    columns: list[Column] = []
    for column in table.columns:
        given = next((s for n, s in spec.columns.items() if column.name.matches(n)), None)
        if given is None:
            columns.append(column)
            continue
        if given.distinct is not None and given.distinct > max(spec.rows, 1):
            raise BriefError(
                Diagnostic(
                    f"{given.distinct:.0f} distinct values is more than the table's {spec.rows:.0f} rows",
                    file=file,
                    field=f"{field}.columns.{column.name}.distinct",
                )
            )
        most_common = tuple(sorted(given.hot_values.items(), key=lambda kv: (-kv[1], kv[0])))
        stats = ColumnStats(
            distinct=given.distinct,
            null_fraction=given.null_fraction,
            avg_width=given.avg_width,
            most_common=most_common,
            correlation=given.correlation,
            minimum=None if given.min is None else str(given.min),
            maximum=None if given.max is None else str(given.max),
        )
        columns.append(replace(column, stats=stats))
    return tuple(columns)


def apply_sizes(catalog: Catalog, brief: Brief, *, file: str | None = None) -> Catalog:
    """Attach the brief's row counts, growth, retention and column statistics to the catalog."""
    known = [t.name.value for t in catalog.tables]
    for name in brief.tables:
        if catalog.table(name) is None:
            raise BriefError(
                Diagnostic(
                    f"no table '{name}' in the schema{did_you_mean(name, known)}",
                    file=file,
                    field=f"tables.{name}",
                )
            )
    tables: list[Table] = []
    for table in catalog.tables:
        spec = next((s for n, s in brief.tables.items() if table.name.matches(n)), None)
        if spec is None:
            tables.append(table)
            continue
        field = f"tables.{table.name}"
        growth = spec.growth.rows_per_day_at(spec.rows) if spec.growth else None
        old = table.stats or TableStats()
        stats = TableStats(
            rows=spec.rows,
            data_bytes=old.data_bytes,
            growth_rows_per_day=growth,
            retention_days=spec.retention,
        )
        tables.append(replace(table, stats=stats, columns=_column_stats(table, spec, field, file)))
    return _referenced_rows(replace(catalog, tables=tuple(tables)))


def _referenced_rows(catalog: Catalog) -> Catalog:
    """Each single-column foreign key's column learns its parent's row count (ColumnStats.referenced_rows)
    when the brief gives no distinct count for it: ``comments.ticket_id = :t`` then keeps a ticket's
    share of the comments, not the planner's fixed 0.5%."""
    rows = {t.name.key: t.stats.rows for t in catalog.tables if t.stats is not None and t.stats.rows}
    tables: list[Table] = []
    for table in catalog.tables:
        parents = {
            fk.columns[0].key: fk.ref_table
            for fk in table.foreign_keys
            if len(fk.columns) == 1 and rows.get(fk.ref_table.key)
        }
        if not parents:
            tables.append(table)
            continue
        columns = []
        for column in table.columns:
            parent = parents.get(column.name.key)
            stats = column.stats or ColumnStats()
            if parent is not None and stats.distinct is None:
                stats = replace(stats, referenced_rows=rows[parent.key], referenced_table=parent.value)
                column = replace(column, stats=stats)
            columns.append(column)
        tables.append(replace(table, columns=tuple(columns)))
    return replace(catalog, tables=tuple(tables))


def load_catalog(brief: Brief, *, file: str | None = None) -> Catalog:
    """The brief's schema with its sizes and statistics attached."""
    return apply_sizes(load_schema(brief, file=file), brief, file=file)


def _statement_inputs(brief: Brief, file: str | None) -> list[StatementInput]:
    items: list[StatementInput] = []
    for i, s in enumerate(brief.workload.statements):
        field = f"workload.statements[{i}]"
        if s.file is not None:
            path = brief.resolve(s.file)
            sql = read_input_text(
                path,
                what=f"the statement file {str(s.file)!r}",
                field=f"{field}.file",
                error=BriefError,
                missing=f"statement file {str(s.file)!r} not found (looked in {path.parent})",
            )
            origin = f"{path} ({s.name})"
        else:
            sql = s.sql or ""
            origin = f"{file or 'brief'}: {field} ({s.name})"
        slo = Slo(p95_ms=s.slo.p95_ms, p99_ms=s.slo.p99_ms) if s.slo else None
        rate = s.rate if s.rate is not None else 0.0  # the brief derives it from the transactions
        examples = ((name, example_text(value)) for name, value in s.params.items())
        params = tuple(sorted((name, text) for name, text in examples if text is not None))
        items.append(StatementInput(name=s.name, sql=sql, rate=rate, slo=slo, origin=origin, params=params))
    for i, imp in enumerate(brief.workload.imports):
        field = f"workload.imports[{i}]"
        if imp.pg_stat_statements is not None:
            pss = imp.pg_stat_statements
            if pss.file is not None:
                path = brief.resolve(pss.file)
                if not path.is_file():
                    raise BriefError(
                        Diagnostic(f"file {str(pss.file)!r} not found", file=file, field=f"{field}.file")
                    )
                result = read_pg_stat_statements_csv(path, min_calls=pss.min_calls, period_days=pss.period)
            else:
                assert pss.url is not None
                result = read_pg_stat_statements_live(
                    pss.url, min_calls=pss.min_calls, period_days=pss.period
                )
        else:
            assert imp.log is not None
            path = brief.resolve(imp.log.file)
            if not path.is_file():
                raise BriefError(
                    Diagnostic(f"file {str(imp.log.file)!r} not found", file=file, field=f"{field}.file")
                )
            result = read_statement_log(
                path, period_days=imp.log.period, dialect=imp.log.dialect or brief.engine.name
            )
        items.extend(result.statements)
    return items


def load_workload(
    brief: Brief, catalog: Catalog, *, file: str | None = None, strict: bool = True
) -> Workload:
    """Every statement of the brief (inline, from files and imports), analyzed against the catalog.
    Not ``strict``: a statement that cannot be analyzed is left out (``Workload.left_out`` says why),
    and so is a transaction that runs one."""
    items = _statement_inputs(brief, file)
    try:
        workload = build_workload(items, catalog, brief.engine.name, strict=strict)
        bad = {name for name, _ in workload.left_out}
        check_example_values(brief, items, catalog, file=file, skip=bad)
        if not brief.workload.transactions:
            return workload
        by_name = {
            item.name: item for item in items[: len(brief.workload.statements)] if item.name not in bad
        }
        specs = [
            t
            for t in brief.workload.transactions
            if not bad & {n for s in t.statements for n in s.statements}
        ]
        dropped = tuple(
            (f"transaction {t.name}", "runs a statement left out")
            for t in brief.workload.transactions
            if t not in specs
        )
        transactions = build_transactions(specs, by_name, catalog, brief.engine.name, file=file)
        return replace(workload, transactions=transactions, left_out=workload.left_out + dropped)
    except SqlError as exc:
        if exc.diagnostic.file is None and file is not None:
            raise SqlError(replace(exc.diagnostic, file=file)) from None
        raise


__all__ = ["Path", "apply_sizes", "load_catalog", "load_schema", "load_workload"]
