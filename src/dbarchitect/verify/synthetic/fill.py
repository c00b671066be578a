"""Filling a scratch database: rows per table at a scale, the schema created, every table loaded."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dbarchitect.engines.ddl import render_schema
from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.model.catalog import Catalog, Column, Table, TableStats
from dbarchitect.verify.synthetic.checks import read_checks
from dbarchitect.verify.synthetic.loaders import Loader, adapt_row
from dbarchitect.verify.synthetic.tables import TableGen
from dbarchitect.verify.synthetic.values import BATCH_ROWS, scaled_distinct, scaled_rows

#: ``progress(phase, done, total)``: phase is ``generate`` (rows) or ``replay`` (statements).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableLoad:
    """What one table got: rows loaded, rows dropped (key collisions or rejected by the database)."""

    table: str
    rows: int
    wanted: int
    rejected: int
    seconds: float


@dataclass(frozen=True)
class Generation:
    """Data generation as a whole: per table, total seconds (schema creation included)."""

    tables: tuple[TableLoad, ...]
    seconds: float
    schema_seconds: float
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        load = self.seconds - self.schema_seconds
        return self.rows / load if load > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# Sizes


def loaded_catalog(catalog: Catalog, data: SyntheticData, scale: float) -> Catalog:
    """``catalog`` at the size the synthetic data has: each table's rows as loaded, its bytes scaled
    with them, the distinct counts the brief gives as the generator made them (scaled, and never more
    than the column's domain or its parent's rows allowed). What the brief does not say stays
    unsaid. A cost estimated on it is comparable with a latency measured on the data; one estimated
    on the brief's sizes is not (a 40M-row scan against a 40k-row table)."""
    loaded = {t.table.lower(): t.rows for t in data.generation.tables}
    for table in catalog.tables:
        rows = loaded.get(table.name.value.lower())
        if rows is None:
            rows = scaled_rows(table, scale)[0]
        gen = data.tables.get(table.name.key)

        def distinct(column: Column, briefed: float, rows: int = rows, gen: TableGen | None = gen) -> int:
            made = gen.distinct(column.name.key) if gen is not None else None
            wanted = scaled_distinct(briefed, scale, rows)
            return min(wanted, made) if made is not None else wanted

        columns = tuple(
            replace(c, stats=replace(c.stats, distinct=distinct(c, c.stats.distinct)))
            if c.stats is not None and c.stats.distinct is not None
            else c
            for c in table.columns
        )
        stats = table.stats or TableStats()
        briefed = stats.rows
        data_bytes = stats.data_bytes * rows / briefed if stats.data_bytes is not None and briefed else None
        catalog = catalog.replace_table(
            replace(table, columns=columns, stats=replace(stats, rows=float(rows), data_bytes=data_bytes))
        )
    return catalog


@dataclass
class SyntheticData:
    """The generators after loading: replay draws parameters from the same distributions."""

    tables: dict[str, TableGen]
    generation: Generation


def _fill_order(catalog: Catalog) -> tuple[list[Table], set[int]]:
    ordered = list(catalog.dependency_order())
    late = {id(fk) for _, fk in catalog.cyclic_foreign_keys()}
    return ordered, late


def _empty(table: Table, tried: int, gen: TableGen, loader: Loader) -> DbarchError:
    """The error that stops generation when none of the first ``tried`` rows of ``table`` loaded: the
    check the generator could not satisfy, or the database's reason."""
    if gen.failed_checks:
        text, count = max(gen.failed_checks.items(), key=lambda kv: kv[1])
        why = f"check ({text}) refused {count:,} draw(s)"
    elif loader.refusal is not None:
        why = f"{loader.traits} refused them: {loader.refusal}"
    else:
        why = "no draw gave unique keys"
    return DbarchError(
        Diagnostic(
            f"synthetic data: none of the first {tried:,} generated row(s) of {table.name} could be loaded "
            f"({why}); stopped rather than measure statements on an empty table",
            hint="give the column statistics (hot_values, min/max) that satisfy the check, or fill the "
            "scratch database yourself",
        )
    )


def generate(
    catalog: Catalog,
    loader: Loader,
    *,
    scale: float,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    named: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> SyntheticData:
    """Create ``catalog``'s schema through ``loader`` and fill every table (see the module docstring).
    ``named`` maps (table key, column key) to literal values the data must hold
    (:func:`workload_values`)."""
    if scale <= 0:
        raise DbarchError(Diagnostic(f"scale must be positive, not {scale}", field="--scale"))
    started = time.perf_counter()
    try:
        loader.execute_script(render_schema(catalog, loader.traits))
    except Exception as exc:  # the driver's error: the design does not run on this engine
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        why = redact(lines[0] if lines else type(exc).__name__)
        raise DbarchError(
            Diagnostic(
                f"the schema does not run on {loader.traits}: {why}",
                hint="run `dbarch design` to see the schema rendered for this engine and its notes",
            )
        ) from None
    schema_seconds = time.perf_counter() - started
    ordered, late = _fill_order(catalog)
    notes: list[str] = []
    sizes: dict[str, int] = {}
    for table in ordered:
        rows, briefed = scaled_rows(table, scale)
        sizes[table.name.key] = rows
        if not briefed:
            notes.append(f"{table.name}: no row count in the brief; generated {rows} rows")
    total = sum(sizes.values())
    # which column tuples of each table are referenced by a foreign key
    referenced: dict[str, list[tuple[str, ...]]] = {}
    for table in catalog.tables:
        for fk in table.foreign_keys:
            referenced.setdefault(fk.ref_table.key, []).append(tuple(n.key for n in fk.ref_columns))
    gens: dict[str, TableGen] = {}
    loads: list[TableLoad] = []
    done = 0
    for table in ordered:
        t0 = time.perf_counter()
        mine = {c: v for (t, c), v in (named or {}).items() if t == table.name.key}
        gen = TableGen(table, sizes[table.name.key], scale, gens, late, seed, mine)
        for ref in referenced.get(table.name.key, []):
            gen.track(ref)
        for c in gen.columns:
            gen_c = gen.gens.get(c.name.key)
            if gen_c is not None and c.stats is not None and c.stats.most_common and gen_c.fixed is not None:
                missing = [v for v, _ in c.stats.most_common if gen_c._hot_value(v) is None]
                if missing:
                    notes.append(
                        f"{table.name}.{c.name}: hot value(s) {', '.join(missing)} not among its values"
                    )
        notes.extend(gen.notes)
        rejected = 0
        loader.refusal = None
        loader.begin()
        batch: list[list[Any]] = []
        raw: list[list[Any]] = []
        for i in range(gen.rows):
            row = gen.make_row(i)
            if row is None:
                rejected += 1
            else:
                raw.append(row)
                batch.append(adapt_row(loader.family, row))
            if len(batch) >= BATCH_ROWS or (i == gen.rows - 1 and batch):
                refused = loader.load(table, gen.columns, batch)
                rejected += len(refused)
                for n in refused:
                    gen.forget(raw[n])
                batch, raw = [], []
            if not batch and ((i + 1) % BATCH_ROWS == 0 or i == gen.rows - 1) and i + 1 == rejected:
                # nothing of this table loaded: its children and statements would measure nothing
                loader.commit()
                raise _empty(table, i + 1, gen, loader)
            done += 1
            if progress is not None and done % BATCH_ROWS == 0:
                progress("generate", done, total)
        loader.after_load(table, gen.columns)
        loader.commit()
        gens[table.name.key] = gen
        loads.append(
            TableLoad(table.name.value, gen.rows - rejected, gen.rows, rejected, time.perf_counter() - t0)
        )
        if rejected:
            notes.append(f"{table.name}: {rejected} generated row(s) dropped (unique keys or checks)")
    if progress is not None:
        progress("generate", total, total)
    for table in catalog.tables:
        for text in read_checks(table).not_understood:
            notes.append(f"{table.name}: check ({text}) is not used to shape the data; violations dropped")
    generation = Generation(tuple(loads), time.perf_counter() - started, schema_seconds, tuple(notes))
    return SyntheticData(gens, generation)
