"""The HypoPG what-if backend on TPC-H SF 0.01 in real PostgreSQL: costs, used indexes, generic plans,
failures, determinism, parallelism, and proof that nothing is written. Also how well the built-in cost
model ranks candidates against it (Spearman's rank correlation of per-candidate benefits)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import psycopg
import pytest

from dbarchitect.advisors.indexes.candidates import IndexCandidate, generate_candidates
from dbarchitect.advisors.indexes.cost import CostRequest, WhatIfCost
from dbarchitect.advisors.indexes.planner import HypoPGBackend, plan_summary, planner_statement, seq_scanned
from dbarchitect.brief import load_brief
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import UnsupportedError
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.sources import load_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import Statement, StatementKind, Workload
from tests.conftest import describe, engine_unavailable
from tests.tpch_data import ROOT, tpch_database

BRIEF = ROOT / "examples" / "tpch" / "brief.yaml"


def _candidate(
    table: str, *columns: str, include: tuple[str, ...] = (), where: str | None = None
) -> IndexCandidate:
    return IndexCandidate(
        Name(table), tuple(Name(c) for c in columns), include=tuple(Name(c) for c in include), where=where
    )


def _statement(name: str, sql: str, kind: StatementKind = StatementKind.SELECT) -> Statement:
    return Statement(name=name, sql=sql, kind=kind, fingerprint=name, rate=1.0)


SHIPDATE = _candidate("lineitem", "l_shipdate")


# --- without a database ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "dialect", "expected_sql", "parameters"),
    [
        # PostgreSQL without parameters goes to the server exactly as written.
        (
            "SELECT l_tax FROM lineitem WHERE l_orderkey = 1;",
            EngineName.POSTGRESQL,
            "SELECT l_tax FROM lineitem WHERE l_orderkey = 1",
            0,
        ),
        (
            "select x::date from t where a = $2 and b = $1",
            EngineName.POSTGRESQL,
            "select x::date from t where a = $2 and b = $1",
            2,
        ),
        # A name keeps one number wherever it appears.
        (
            "select * from t where a = :x and b = :y and c = :x",
            EngineName.POSTGRESQL,
            "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $1",
            2,
        ),
        (
            "select * from t where a = ? and b = ?",
            EngineName.POSTGRESQL,
            "SELECT * FROM t WHERE a = $1 AND b = $2",
            2,
        ),
        # pyformat: %% is a literal percent sign.
        (
            "select * from t where a = %(n)s and c like 'ab%%'",
            EngineName.POSTGRESQL,
            "SELECT * FROM t WHERE a = $1 AND c LIKE 'ab%'",
            1,
        ),
        (
            "select * from t where a = $1 and b = :n",
            EngineName.POSTGRESQL,
            "SELECT * FROM t WHERE a = $1 AND b = $2",
            2,
        ),
        # Other engines' SQL is written for PostgreSQL first.
        (
            "SELECT * FROM `orders` WHERE o_custkey = ? LIMIT 5",
            EngineName.MYSQL,
            'SELECT * FROM "orders" WHERE o_custkey = $1 LIMIT 5',
            1,
        ),
        ("UPDATE t SET b = :b WHERE a = :a", EngineName.SQLITE, "UPDATE t SET b = $1 WHERE a = $2", 2),
    ],
)
def test_planner_statement(sql: str, dialect: EngineName, expected_sql: str, parameters: int) -> None:
    statement = planner_statement(sql, dialect)
    assert (statement.sql, statement.parameters) == (expected_sql, parameters)


def test_plan_summary_reads_top_down_and_names_candidates() -> None:
    plan = {
        "Node Type": "Limit",
        "Plans": [
            {
                "Node Type": "Hash Join",
                "Plans": [
                    {
                        "Node Type": "Index Scan",
                        "Index Name": "<1>btree_orders_o_custkey",
                        "Relation Name": "orders",
                    },
                    {"Node Type": "Hash", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "customer"}]},
                ],
            }
        ],
    }
    assert plan_summary(plan, {"<1>btree_orders_o_custkey": "orders(o_custkey)"}) == (
        "Limit <- Hash Join <- (Index Scan using orders(o_custkey) on orders; Hash <- Seq Scan on customer)"
    )
    # the tables read whole: the Seq Scan under the Hash, not the Index Scan
    assert set(seq_scanned(plan)) == {"customer"}


# --- on TPC-H in PostgreSQL --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tpch_url(pg_server_url: str) -> Iterator[str]:
    """One TPC-H SF 0.01 database with HypoPG for the whole module (the tests only read it)."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(tpch_database(pg_server_url))
        except psycopg.Error as exc:
            engine_unavailable(
                f"cannot load TPC-H with HypoPG: {describe(exc)} (install postgresql-15-hypopg)"
            )
        yield url


@pytest.fixture(scope="module")
def tpch(tpch_url: str) -> tuple[Catalog, Workload]:
    """The loaded database's catalog (its real statistics) and the 22 queries resolved against it."""
    brief = load_brief(BRIEF)
    catalog = introspect(tpch_url)
    return catalog, load_workload(brief, catalog, file=str(BRIEF))


def _costs(
    backend: HypoPGBackend, requests: list[CostRequest]
) -> list[tuple[float, frozenset[IndexCandidate]]]:
    return [(a.cost, a.used) for a in backend.plan_costs(requests)]


def _requests(workload: Workload, configs: list[frozenset[IndexCandidate]]) -> list[CostRequest]:
    return [CostRequest(s, config) for config in configs for s in workload.statements]


def test_shipdate_index_lowers_q6_and_is_the_one_used(tpch_url: str, tpch: tuple[Catalog, Workload]) -> None:
    catalog, workload = tpch
    q6 = workload.statement("q06_forecasting_revenue_change")
    assert q6 is not None
    unrelated = _candidate("lineitem", "l_comment")
    with HypoPGBackend(tpch_url, catalog, connections=1) as backend:
        bare, indexed = backend.plan_costs(
            [CostRequest(q6, frozenset()), CostRequest(q6, frozenset({SHIPDATE, unrelated}))]
        )
    print(f"\nQ6 cost without / with lineitem(l_shipdate): {bare.cost} / {indexed.cost}")
    assert bare.error is None and indexed.error is None
    assert bare.used == frozenset() and "Seq Scan on lineitem" in (bare.plan or "")
    assert indexed.cost < 0.9 * bare.cost
    assert indexed.used == frozenset({SHIPDATE})
    assert "Index Scan using lineitem(l_shipdate)" in (indexed.plan or "")


def test_index_sizes_follow_the_data(tpch_url: str, tpch: tuple[Catalog, Workload]) -> None:
    catalog, _ = tpch
    with HypoPGBackend(tpch_url, catalog, connections=1) as backend:
        one = backend.index_size(SHIPDATE)
        two = backend.index_size(_candidate("lineitem", "l_shipdate", "l_discount"))
        small = backend.index_size(_candidate("orders", "o_orderdate"))
        partial = backend.index_size(_candidate("lineitem", "l_shipdate", where="l_returnflag = 'R'"))
        settings = backend.settings()
    print(
        f"\nHypoPG sizes (bytes): lineitem(l_shipdate) {one:.0f}, +l_discount {two:.0f}, orders(o_orderdate) {small:.0f}"
    )
    rows = next(t for t in catalog.tables if t.name.value == "lineitem").stats
    assert rows is not None and rows.rows is not None
    # About 2,500 dates: deduplicated, a TID per row plus a little (between 6 and 40 bytes per row).
    assert 6 * rows.rows < one < 40 * rows.rows
    assert two > one > small
    assert partial < one
    assert settings["jit"] == "off" and "work_mem" in settings and "hypopg_version" in settings


def test_costs_are_deterministic_and_parallel_equals_sequential(
    tpch_url: str, tpch: tuple[Catalog, Workload]
) -> None:
    catalog, workload = tpch
    candidates = [i.candidate for i in generate_candidates(workload, catalog, get_traits("postgresql", "15"))]
    # Configurations sharing and not sharing indexes, in an order that makes sessions swap them.
    configs = [
        frozenset(),
        frozenset(candidates[:12]),
        frozenset({SHIPDATE}),
        frozenset(candidates[6:30]),
        frozenset(),
    ]
    requests = _requests(workload, configs)
    timings: dict[str, float] = {}
    answers: dict[str, list[tuple[float, frozenset[IndexCandidate]]]] = {}
    for label, connections, reuse in [
        ("sequential", 1, True),
        ("parallel", 3, True),
        ("reset", 2, False),
        ("again", 1, True),
    ]:
        with HypoPGBackend(tpch_url, catalog, connections=connections, reuse=reuse) as backend:
            start = time.perf_counter()
            answers[label] = _costs(backend, requests)
            timings[label] = time.perf_counter() - start
    print(
        f"\n{len(requests)} plans: "
        + ", ".join(f"{k} {v:.2f}s ({len(requests) / v:.0f}/s)" for k, v in timings.items())
    )
    assert all(math.isfinite(c) for c, _ in answers["sequential"])
    assert answers["parallel"] == answers["sequential"]
    assert answers["reset"] == answers["sequential"]
    assert answers["again"] == answers["sequential"]
    # The same statement under the same configuration costs the same wherever it came in the batch.
    n = len(workload.statements)
    assert answers["sequential"][:n] == answers["sequential"][-n:]


def test_parameterized_statements_are_planned_generically(
    tpch_url: str, tpch: tuple[Catalog, Workload]
) -> None:
    catalog, _ = tpch
    custkey = _candidate("orders", "o_custkey")
    statements = [
        _statement(
            "named",
            "SELECT o_orderkey, o_totalprice FROM orders WHERE o_custkey = :customer ORDER BY o_orderdate",
        ),
        _statement(
            "pyformat",
            "SELECT o_orderkey, o_totalprice FROM orders WHERE o_custkey = %(customer)s ORDER BY o_orderdate",
        ),
        _statement(
            "dollar", "SELECT o_orderkey, o_totalprice FROM orders WHERE o_custkey = $1 ORDER BY o_orderdate"
        ),
        _statement(
            "update", "UPDATE orders SET o_comment = :c WHERE o_custkey = :customer", StatementKind.UPDATE
        ),
    ]
    literal = _statement(
        "literal", "SELECT o_orderkey, o_totalprice FROM orders WHERE o_custkey = 42 ORDER BY o_orderdate"
    )
    with HypoPGBackend(tpch_url, catalog, connections=1) as backend:
        bare = backend.plan_costs([CostRequest(s, frozenset()) for s in statements])
        indexed = backend.plan_costs([CostRequest(s, frozenset({custkey})) for s in [*statements, literal]])
    for before, after in zip(bare, indexed, strict=False):
        assert before.error is None and after.error is None
        # A folded NULL would give a zero-cost "Result" plan; a generic plan scans orders.
        assert "on orders" in (before.plan or "") and before.cost > 100
        assert after.used == frozenset({custkey}) and after.cost < before.cost / 5
    # The three parameter styles are one statement; the generic plan costs about what a typical literal does.
    assert indexed[0].cost == indexed[1].cost == indexed[2].cost
    assert indexed[4].cost == pytest.approx(indexed[0].cost, rel=0.5)


def test_a_statement_that_fails_to_plan_is_reported_and_the_others_cost(
    tpch_url: str, tpch: tuple[Catalog, Workload]
) -> None:
    catalog, workload = tpch
    q1, q6 = workload.statements[0], workload.statement("q06_forecasting_revenue_change")
    assert q6 is not None
    broken = _statement("broken", "SELECT l_nosuchcolumn FROM lineitem")
    unparsable = _statement("mysql_only", "SELECT * FROM lineitem WHERE l_orderkey = 1 LOCK IN SHARE MODE")
    with HypoPGBackend(tpch_url, catalog, connections=2) as backend:
        alone = backend.plan_costs([CostRequest(q1, frozenset()), CostRequest(q6, frozenset({SHIPDATE}))])
        mixed = backend.plan_costs(
            [
                CostRequest(q1, frozenset()),
                CostRequest(broken, frozenset({SHIPDATE})),
                CostRequest(q6, frozenset({SHIPDATE})),
                CostRequest(unparsable, frozenset()),
            ]
        )
        cost = WhatIfCost(backend, Workload((q1, broken, q6)), catalog)
        total = cost.query_cost(frozenset())
        q6_bare = backend.plan_costs([CostRequest(q6, frozenset())])[0].cost
    assert mixed[1].cost == math.inf and 'column "l_nosuchcolumn" does not exist' in (mixed[1].error or "")
    assert mixed[3].cost == math.inf and mixed[3].error
    assert [mixed[0], mixed[2]] == alone
    # The workload cost leaves the failed statement out rather than becoming infinite.
    assert total == pytest.approx(q1.rate * alone[0].cost + q6.rate * q6_bare)


def _snapshot(url: str) -> dict[str, Any]:
    """Everything a write or a real index would change: relations, indexes, row counts and checksums,
    and the database's tuple counters."""
    with psycopg.connect(url, autocommit=True) as conn:
        relations = conn.execute(
            "SELECT c.oid::int, c.relname, c.relkind::text, c.relfilenode::int FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexrelid::int, indrelid::int, indkey::text FROM pg_index ORDER BY 1"
        ).fetchall()
        named = conn.execute(
            "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes ORDER BY 1, 2, 3"
        ).fetchall()
        data = {
            t: conn.execute(
                f"SELECT count(*), md5(string_agg(x::text, '|' ORDER BY x::text)) FROM {t} AS x"
            ).fetchone()
            for t in ("region", "nation", "supplier", "orders", "lineitem")
        }
        conn.execute("SELECT pg_stat_clear_snapshot()")
        counters = conn.execute(
            "SELECT tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        table_counters = conn.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables ORDER BY relname"
        ).fetchall()
    return {
        "relations": relations,
        "indexes": indexes,
        "pg_indexes": named,
        "data": data,
        "counters": counters,
        "table_counters": table_counters,
    }


def test_a_full_advisor_run_writes_nothing(tpch_url: str, tpch: tuple[Catalog, Workload]) -> None:
    from dbarchitect.advisors.indexes.greedy import select_greedy
    from dbarchitect.advisors.indexes.selection import Budget

    catalog, workload = tpch
    # Writes among the statements, planned (never run) with hypothetical indexes.
    writes = (
        _statement(
            "upd",
            "UPDATE lineitem SET l_comment = 'x' WHERE l_shipdate = DATE '1995-01-01'",
            StatementKind.UPDATE,
        ),
        _statement("del", "DELETE FROM orders WHERE o_orderdate < DATE '1992-02-01'", StatementKind.DELETE),
        _statement("ins", "INSERT INTO region VALUES (9, 'X', 'y')", StatementKind.INSERT),
    )
    candidates = generate_candidates(workload, catalog, get_traits("postgresql", "15"))
    before = _snapshot(tpch_url)
    with HypoPGBackend(tpch_url, catalog) as backend:
        cost = WhatIfCost(backend, workload, catalog)
        selection = select_greedy(cost, candidates, Budget(storage_bytes=5e6, time_limit_s=60))
        assert backend.plan_costs([CostRequest(s, frozenset({SHIPDATE})) for s in writes])[0].error is None
        for info in candidates[:10]:
            backend.index_size(info.candidate)
        backend.settings()
    print(
        f"\nadvisor run: {cost.calls} planner calls, {cost.hits} cache hits, {len(selection.indexes)} chosen, relative cost {selection.relative_cost:.3f}"
    )
    assert cost.calls > len(workload.statements)
    time.sleep(0.6)  # let the closed sessions' statistics reach the shared counters
    after = _snapshot(tpch_url)
    for key in before:
        assert after[key] == before[key], key


def test_not_postgresql_or_no_hypopg_is_a_clear_error(pg_scratch_db: str) -> None:
    with pytest.raises(UnsupportedError, match="CREATE EXTENSION hypopg"):
        HypoPGBackend(pg_scratch_db, Catalog())
    with pytest.raises(UnsupportedError, match="needs PostgreSQL"):
        HypoPGBackend("mysql://root@127.0.0.1:1/x", Catalog())


# --- the built-in model against the planner ------------------------------------------------------------


def _ranks(values: list[float]) -> list[float]:
    """Ranks 1..n, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the (tie-averaged) ranks."""
    rx, ry = _ranks(x), _ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy) if sx and sy else 0.0


def test_spearman() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert _ranks([5, 1, 5, 0]) == [3.5, 2.0, 3.5, 1.0]
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)


#: Measured 0.70-0.71 on PostgreSQL 15 + HypoPG 1.3.1, TPC-H SF 0.01 (the test prints it); the floor leaves
#: room for planner version differences, not for a model that ranks at random.
SPEARMAN_FLOOR = 0.6


def test_builtin_model_ranks_candidates_like_the_planner(
    tpch_url: str, tpch: tuple[Catalog, Workload]
) -> None:
    builtin = pytest.importorskip("dbarchitect.advisors.indexes.builtin")
    catalog, workload = tpch
    traits = get_traits("postgresql", "15")
    candidates = [i.candidate for i in generate_candidates(workload, catalog, traits)]
    with HypoPGBackend(tpch_url, catalog) as backend:
        start = time.perf_counter()
        planner = WhatIfCost(backend, workload, catalog)
        base = planner.query_cost(frozenset())
        hypo = [base - planner.query_cost(frozenset({c})) for c in candidates]
        seconds = time.perf_counter() - start
    model = WhatIfCost(builtin.BuiltinCostModel(catalog, traits), workload, catalog)
    model_base = model.query_cost(frozenset())
    est = [model_base - model.query_cost(frozenset({c})) for c in candidates]
    rho = spearman(hypo, est)
    helped = [i for i, b in enumerate(hypo) if b > 1e-6 * base]
    rho_helped = (
        spearman([hypo[i] for i in helped], [est[i] for i in helped]) if len(helped) > 2 else float("nan")
    )
    print(
        f"\n{len(candidates)} candidates, {planner.calls} HypoPG plans in {seconds:.1f}s; Spearman rho of "
        f"single-candidate benefits (built-in vs HypoPG): {rho:.3f} over all, {rho_helped:.3f} over the "
        f"{len(helped)} the planner sees helping"
    )
    assert rho >= SPEARMAN_FLOOR
