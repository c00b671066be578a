"""Index sizes against what PostgreSQL really builds: the B-tree model over live statistics is
checked shape by shape against ``pg_relation_size`` of the built index, next to HypoPG's own estimate
(which ignores deduplication)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import psycopg
import pytest

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.planner import HypoPGBackend
from dbarchitect.engines.postgres import BtreeColumn, btree_index_bytes
from dbarchitect.ingest.live import introspect
from dbarchitect.model.names import Name
from tests.conftest import describe, engine_unavailable
from tests.tpch_data import tpch_database

#: (table, key columns, include columns, partial predicate)
SHAPES: list[tuple[str, tuple[str, ...], tuple[str, ...], str | None]] = [
    ("lineitem", ("l_shipdate",), (), None),
    ("lineitem", ("l_orderkey",), (), None),
    ("lineitem", ("l_partkey", "l_suppkey"), (), None),
    ("lineitem", ("l_shipdate", "l_discount", "l_quantity"), (), None),
    ("lineitem", ("l_comment",), (), None),
    ("lineitem", ("l_returnflag", "l_linestatus"), (), None),
    ("lineitem", ("l_shipdate",), ("l_extendedprice", "l_discount"), None),
    ("lineitem", ("l_extendedprice",), (), None),
    ("lineitem", ("l_shipdate",), (), "l_returnflag = 'R'"),
    ("orders", ("o_orderdate",), (), None),
    ("orders", ("o_custkey",), (), None),
    ("orders", ("o_comment",), (), None),
    ("orders", ("o_totalprice",), (), None),
    ("customer", ("c_mktsegment",), (), None),
    ("part", ("p_type",), (), None),
    ("partsupp", ("ps_suppkey",), (), None),
]


@pytest.fixture(scope="module")
def tpch_url(pg_server_url: str) -> Iterator[str]:
    """TPC-H at scale 0.05 (300k lineitem rows), vacuumed like a settled database; real indexes are
    built in it, so it is this module's own."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(tpch_database(pg_server_url, 0.05))
        except psycopg.Error as exc:
            engine_unavailable(
                f"cannot load TPC-H with HypoPG: {describe(exc)} (install postgresql-15-hypopg)"
            )
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        yield url


def _candidate(
    table: str, keys: tuple[str, ...], include: tuple[str, ...], where: str | None
) -> IndexCandidate:
    return IndexCandidate(Name(table), tuple(map(Name, keys)), include=tuple(map(Name, include)), where=where)


def test_modelled_sizes_match_the_built_indexes(tpch_url: str) -> None:
    catalog = introspect(tpch_url)
    with HypoPGBackend(tpch_url, catalog, connections=1) as backend:
        modelled = [backend.index_size(_candidate(*shape)) for shape in SHAPES]
        hypopg = [backend._hypopg_size(backend._workers_for(1)[0], _candidate(*shape)) for shape in SHAPES]
    real: list[float] = []
    with psycopg.connect(tpch_url, autocommit=True) as conn:
        for i, (table, keys, include, where) in enumerate(SHAPES):
            sql = f"CREATE INDEX size_{i} ON {table} ({', '.join(keys)})"
            sql += f" INCLUDE ({', '.join(include)})" if include else ""
            sql += f" WHERE {where}" if where else ""
            conn.execute(sql)  # type: ignore[call-overload]
            row = conn.execute(f"SELECT pg_relation_size('size_{i}')").fetchone()  # type: ignore[call-overload]
            assert row is not None
            real.append(float(row[0]))
    lines = []
    for shape, m, h, r in zip(SHAPES, modelled, hypopg, real, strict=True):
        lines.append(
            f"{shape[0]}{shape[1]}{' INCLUDE' + str(shape[2]) if shape[2] else ''}: real {r / 1e6:.2f} MB, "
            f"model {m / r:.2f}x, hypopg {h / r:.2f}x"
        )
    print("\n" + "\n".join(lines))
    model_error = sum(abs(m / r - 1) for m, r in zip(modelled, real, strict=True)) / len(real)
    hypopg_error = sum(abs(h / r - 1) for h, r in zip(hypopg, real, strict=True)) / len(real)
    print(f"mean |error|: model {model_error:.1%}, HypoPG {hypopg_error:.1%}")
    assert model_error < hypopg_error / 3
    for m, r, line in zip(modelled, real, lines, strict=True):
        assert 0.85 <= m / r <= 1.2, line


def test_deduplication_shrinks_repeated_keys_only() -> None:
    date = BtreeColumn(width=4, align=4, distinct=2500)
    rows = 6_000_000
    deduplicated = btree_index_bytes(rows, (date,))
    plain = btree_index_bytes(rows, (date,), deduplication=False)
    assert plain / deduplicated > 2.5
    assert btree_index_bytes(rows, (date,), unique=True) == plain
    assert btree_index_bytes(rows, (date,), (BtreeColumn(width=8, align=8),)) > plain  # INCLUDE: no dedup
    distinct = BtreeColumn(width=4, align=4, distinct=rows)
    assert btree_index_bytes(rows, (distinct,)) == btree_index_bytes(rows, (distinct,), deduplication=False)
