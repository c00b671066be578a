"""The brief's data and workload as a drill runs them: synthetic data at the drill's scale, the write
mix for the writer, the reads for the replay, and the estimates the measurements are set beside."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.advisors.operations.capacity import log_volume
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog, TableStats
from dbarchitect.model.workload import StatementKind, Workload
from dbarchitect.verify.drill.writer import WriteOp, write_ops
from dbarchitect.verify.parameters import Binding, bind_parameters, draw_value, rewrite_params
from dbarchitect.verify.scratch import open_target
from dbarchitect.verify.synthetic import SyntheticData, adapt_row, generate, scaled_rows, workload_values

#: Replica lag expected on one machine's loopback: the apply of a commit, milliseconds.
LOOPBACK_LAG_S = 0.01


def table_names(catalog: Catalog) -> list[str]:
    return [t.name.value for t in catalog.tables]


def scaled_catalog(catalog: Catalog, scale: float) -> Catalog:
    """``catalog`` with each table's rows (and growth) as the drill loads them at ``scale``."""
    tables = []
    for t in catalog.tables:
        rows, _ = scaled_rows(t, scale)
        stats = t.stats or TableStats()
        growth = stats.growth_rows_per_day * scale if stats.growth_rows_per_day else stats.growth_rows_per_day
        tables.append(
            replace(t, stats=replace(stats, rows=float(rows), data_bytes=None, growth_rows_per_day=growth))
        )
    return replace(catalog, tables=tuple(tables))


@dataclass(frozen=True)
class ReadOp:
    name: str
    sql: str
    names: tuple[str, ...]
    bindings: dict[str, Binding]


@dataclass
class DrillWorkload:
    catalog: Catalog
    workload: Workload
    source: EngineTraits
    target: EngineTraits
    scale: float
    rate: float
    seed: int = 0
    ops: list[WriteOp] = field(default_factory=list)
    reads: list[ReadOp] = field(default_factory=list)
    data: SyntheticData | None = None

    def __post_init__(self) -> None:
        self.ops = write_ops(self.workload, self.catalog, self.source, self.target)
        for s in self.workload.statements:
            if s.kind != StatementKind.SELECT:
                continue
            with contextlib.suppress(Exception):  # a statement the target cannot run is left out
                sql = transpile_statement(s.sql, self.source.engine, self.target.engine, self.catalog)
                sql, names = rewrite_params(sql, self.target.engine)
                bindings = bind_parameters(s, self.source, self.catalog)
                self.reads.append(ReadOp(s.name, sql, tuple(names), bindings))

    @property
    def estimated_lag_s(self) -> float:
        return LOOPBACK_LAG_S

    def load(self, url: str, *, seed: int | None = None) -> SyntheticData:
        """Create the schema in the empty database at ``url`` and fill it at the drill's scale."""
        with open_target(url, self.target) as target:
            data = generate(
                self.catalog,
                target.loader,
                scale=self.scale,
                seed=self.seed if seed is None else seed,
                named=workload_values(self.workload),
            )
            target.analyze(self.catalog)
        if self.data is None:
            self.data = data
        return data

    def estimated_log_bytes(
        self, plan: OperationsPlan, executions: dict[str, int], seconds: float, *, commits: int
    ) -> float:
        """The capacity model's log bytes for these executions in ``seconds`` on the data as loaded
        (one checkpoint at the start: every page's first change is logged whole)."""
        if seconds <= 0:
            return 0.0
        rates = {name: n / seconds for name, n in executions.items()}
        statements = tuple(replace(s, rate=rates.get(s.name, 0.0)) for s in self.workload.statements)
        workload = Workload(statements=statements, transactions=())
        loaded = scaled_catalog(self.catalog, self.scale)
        sizes = tuple(estimate_table_size(t, self.target, 0.0) for t in loaded.tables)
        volume = log_volume(loaded, workload, self.target, sizes, plan.profile.log, checkpoint_s=seconds)
        return volume.bytes_per_s * seconds

    def replay_reads(
        self,
        connect: Callable[[], Any],
        *,
        threads: int,
        repetitions: int,
        run_one: Callable[[Any, str, dict[str, Any]], float],
    ) -> tuple[float, int, list[str]]:
        """Every read statement ``repetitions`` times on each of ``threads`` connections at once, each
        execution in its own transaction through ``run_one`` (which returns the temporary-file bytes
        it wrote); (bytes in all, executions, statements that wrote any)."""
        assert self.data is not None
        total = [0.0]
        count = [0]
        spilled: set[str] = set()
        lock = threading.Lock()
        data = self.data

        def worker(index: int) -> None:
            rng = random.Random(self.seed * 7919 + index)
            conn = connect()
            try:
                for _ in range(repetitions):
                    for op in self.reads:
                        values = [
                            draw_value(op.bindings.get(n, Binding()), data.tables, rng, {}) for n in op.names
                        ]
                        params = dict(zip(op.names, adapt_row(self.target.engine, values), strict=True))
                        cur = conn.cursor()
                        try:
                            written = run_one(cur, op.sql, params)
                            conn.commit()
                        except Exception:
                            with contextlib.suppress(Exception):
                                conn.rollback()
                            continue
                        finally:
                            cur.close()
                        with lock:
                            total[0] += written
                            count[0] += 1
                            if written > 0:
                                spilled.add(op.name)
            finally:
                with contextlib.suppress(Exception):
                    conn.close()

        workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
        for t in workers:
            t.start()
        for t in workers:
            t.join(timeout=600)
        return total[0], count[0], sorted(spilled)
