"""Every summary the advisor proposes, built on a real engine, answers as the statement as written does
- the same rows and the same result column names - on loaded data, after random inserts, updates and
deletes, and after time passes (a window on the statement's time); every statement it does not
summarize gets a reason.

The statements are hand-written (global aggregates, GROUP BY, a dimension joined, HAVING, a range on
a parameter and on ``now()``, refusals) plus ones generated from a seed (aggregate lists x groupings
x filters). SQLite always; PostgreSQL and MariaDB from DBARCH_TEST_PG_URL / DBARCH_TEST_MARIADB_URL.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from dbarchitect.advisors.summaries.advisor import ProposedSummary, SummaryAdvice, recommend_summaries
from dbarchitect.api import inspect_brief
from dbarchitect.engines.ddl import create_table_sql
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.names import EngineName
from dbarchitect.results import Inspection
from dbarchitect.verify.equivalence import normalize
from dbarchitect.verify.parameters import rewrite_params
from tests.engine_exec import mariadb_connect

SCHEMA = """
CREATE TABLE stores (
  id integer PRIMARY KEY,
  region varchar(20) NOT NULL
);
CREATE TABLE sales (
  id integer PRIMARY KEY,
  store_id integer NOT NULL,
  qty integer NOT NULL,
  amount numeric(12,2),
  sold_at timestamp NOT NULL,
  CONSTRAINT sales_store_fk FOREIGN KEY (store_id) REFERENCES stores (id)
);
"""

HAND_WRITTEN = {
    "total": "SELECT count(*) FROM sales",
    "totals": "SELECT sum(amount), avg(qty), min(sold_at), max(amount), count(amount) FROM sales WHERE qty > 1",
    "per_store": "SELECT store_id, count(*) AS n, sum(amount) FROM sales GROUP BY store_id",
    "per_region": (
        "SELECT s.region, count(*), max(x.amount) AS top FROM sales x JOIN stores s ON s.id = x.store_id "
        "GROUP BY s.region"
    ),
    "busy_stores": "SELECT store_id, count(*) FROM sales GROUP BY store_id HAVING count(*) > 20",
    "since": "SELECT count(*), sum(qty) FROM sales WHERE sold_at >= :since",
    "between": (
        "SELECT store_id, sum(amount) AS revenue, min(amount) FROM sales WHERE sold_at BETWEEN :a AND :b "
        "GROUP BY store_id"
    ),
    "last_hour": "SELECT count(*) FROM sales WHERE sold_at >= now() - interval '1 hour'",
    "last_days": (
        "SELECT store_id, sum(qty) FROM sales WHERE sold_at > CURRENT_TIMESTAMP - interval '2 days' "
        "GROUP BY store_id"
    ),
    "per_day": (
        "SELECT CAST(sold_at AS date) AS day, count(*) AS n, avg(amount) FROM sales "
        "WHERE sold_at >= :since GROUP BY CAST(sold_at AS date)"
    ),
    # refused, each with its reason
    "random": "SELECT count(*) FROM sales WHERE amount > random() * 100",
    "clock": "SELECT count(*) FROM sales WHERE sold_at > clock_timestamp() - interval '1 day'",
    "distinct": "SELECT count(DISTINCT store_id) FROM sales",
}
REFUSED = {
    "random": "new value per row",
    "clock": "new value per row",
    "distinct": "cannot be added up",
}


def generated(seed: int, count: int) -> dict[str, str]:
    """Aggregate lists x groupings x filters, ``count`` of them drawn with ``seed``."""
    aggregates = [
        "count(*)",
        "sum(qty)",
        "count(amount), sum(amount)",
        "min(amount), max(sold_at)",
        "avg(qty) AS mean_qty",
        "max(qty), count(*) AS rows_seen",
    ]
    groupings = ["", "store_id"]
    filters = [
        "",
        "qty >= 2",
        "sold_at >= :since",
        "sold_at < now() - interval '1 day'",
        "amount IS NOT NULL AND qty < 5",
    ]
    combos = list(itertools.product(aggregates, groupings, filters))
    rng = random.Random(seed)
    out = {}
    for agg, group, where in rng.sample(combos, len(combos)):
        select = f"{group}, {agg}" if group else agg
        sql = f"SELECT {select} FROM sales" + (f" WHERE {where}" if where else "")
        sql += f" GROUP BY {group}" if group else ""
        if sql not in HAND_WRITTEN.values() and len(out) < count:
            out[f"gen_{len(out)}"] = sql
    return out


STATEMENTS = {**HAND_WRITTEN, **generated(15, 12)}


def inspection(tmp_path: Path) -> Inspection:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    brief = {
        "name": "sales",
        "engine": "postgresql 15",
        "schema": {"ddl": "schema.sql"},
        "tables": {"stores": {"rows": 200}, "sales": {"rows": "50M", "growth": "100k/day"}},
        "workload": {
            "statements": [
                {"name": name, "sql": sql, "rate": "1/s", "slo": {"p95_ms": 100}}
                for name, sql in STATEMENTS.items()
            ]
            + [
                {
                    "name": "sell",
                    "sql": "INSERT INTO sales (id, store_id, qty, amount, sold_at) VALUES (:i, :s, :q, :a, :t)",
                    "rate": "10/s",
                }
            ]
        },
    }
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(brief, sort_keys=False))
    return inspect_brief(tmp_path / "brief.yaml")


class Engine:
    """A connection to one engine: run SQL with named parameters, get names and rows."""

    def __init__(
        self, traits: EngineTraits, run: Callable[[str, dict[str, Any]], tuple[list[str], list[Any]]]
    ):
        self.traits = traits
        self.run = run

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[Any]]:
        text, names = rewrite_params(sql, self.traits.engine)
        return self.run(text, {n: (params or {})[n] for n in names})


def sqlite_engine() -> Iterator[Engine]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")

    def run(sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        cur = conn.execute(sql, params)
        return [d[0] for d in cur.description or ()], cur.fetchall()

    yield Engine(get_traits("sqlite"), run)
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield from sqlite_engine()
        return
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_scratch_db")
        with psycopg.connect(url, autocommit=True) as conn:

            def run_pg(sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
                cur = conn.execute(sql, params or None)  # type: ignore[call-overload]
                if cur.description is None:
                    return [], []
                return [d.name for d in cur.description], cur.fetchall()

            yield Engine(get_traits("postgresql", "15"), run_pg)
        return
    url = request.getfixturevalue("mariadb_scratch_db")
    conn2 = mariadb_connect(url)
    try:

        def run_my(sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
            with conn2.cursor() as cur:
                cur.execute(sql, params or None)
                if cur.description is None:
                    return [], []
                return [d[0] for d in cur.description], list(cur.fetchall())

        yield Engine(get_traits("mariadb", "10.11"), run_my)
    finally:
        conn2.close()


def now_sql(traits: EngineTraits, seconds_ago: int) -> str:
    """The engine's own clock (as ``now()`` compares with a timestamp column), ``seconds_ago`` back."""
    if traits.engine == EngineName.POSTGRESQL:
        return f"LOCALTIMESTAMP - interval '{seconds_ago} seconds'"
    if traits.engine == EngineName.SQLITE:
        return f"datetime('now', '-{seconds_ago} seconds')"
    return f"NOW() - INTERVAL {seconds_ago} SECOND"


def draw(rng: random.Random, base: datetime) -> dict[str, Any]:
    a = base - timedelta(hours=rng.uniform(0, 96))
    b = a + timedelta(hours=rng.uniform(0, 72))
    return {"since": a.replace(microsecond=0), "a": a.replace(microsecond=0), "b": b.replace(microsecond=0)}


def answer(engine: Engine, sql: str, params: dict[str, Any]) -> tuple[list[str], Counter[tuple[Any, ...]]]:
    names, rows = engine.execute(sql, params)
    return names, Counter(tuple(normalize(v) for v in row) for row in rows)


def fill(engine: Engine, rng: random.Random, base: datetime) -> int:
    for i in range(1, 6):
        engine.execute(
            f"INSERT INTO stores (id, region) VALUES ({i}, '{rng.choice(['north', 'south', 'east'])}')"
        )
    next_id = 1
    for _ in range(300):
        when = base - timedelta(seconds=rng.randint(0, 4 * 86400))
        amount = "NULL" if rng.random() < 0.15 else f"{rng.uniform(0, 200):.2f}"
        engine.execute(
            "INSERT INTO sales (id, store_id, qty, amount, sold_at) VALUES "
            f"({next_id}, {rng.randint(1, 5)}, {rng.randint(1, 6)}, {amount}, '{when:%Y-%m-%d %H:%M:%S}')"
        )
        next_id += 1
    return next_id


def writes(engine: Engine, rng: random.Random, base: datetime, next_id: int, count: int) -> int:
    """Random inserts, updates (moving rows between groups, days and in/out of filters) and deletes."""
    for _ in range(count):
        kind = rng.random()
        target = rng.randint(1, next_id - 1)
        if kind < 0.4:
            when = base - timedelta(seconds=rng.randint(0, 4 * 86400))
            amount = "NULL" if rng.random() < 0.2 else f"{rng.uniform(0, 200):.2f}"
            engine.execute(
                "INSERT INTO sales (id, store_id, qty, amount, sold_at) VALUES "
                f"({next_id}, {rng.randint(1, 5)}, {rng.randint(1, 6)}, {amount}, '{when:%Y-%m-%d %H:%M:%S}')"
            )
            next_id += 1
        elif kind < 0.55:
            engine.execute(
                f"UPDATE sales SET store_id = {rng.randint(1, 5)}, qty = {rng.randint(1, 6)} WHERE id = {target}"
            )
        elif kind < 0.7:
            amount = "NULL" if rng.random() < 0.3 else f"{rng.uniform(0, 200):.2f}"
            engine.execute(f"UPDATE sales SET amount = {amount} WHERE id = {target}")
        elif kind < 0.8:
            when = base - timedelta(seconds=rng.randint(0, 4 * 86400))
            engine.execute(f"UPDATE sales SET sold_at = '{when:%Y-%m-%d %H:%M:%S}' WHERE id = {target}")
        elif kind < 0.85:
            engine.execute(
                f"UPDATE stores SET region = '{rng.choice(['north', 'south', 'west'])}' WHERE id = {rng.randint(1, 5)}"
            )
        else:
            engine.execute(f"DELETE FROM sales WHERE id = {target}")
    return next_id


def original_on(engine: Engine, sql: str, source: EngineTraits, catalog: Any) -> str:
    if engine.traits.engine == source.engine:
        return sql
    return transpile_statement(sql, source.engine, engine.traits.engine, catalog)


def compare(
    engine: Engine, pairs: Sequence[tuple[str, str, str]], rng: random.Random, base: datetime, phase: str
) -> list[str]:
    failures = []
    for name, original, rewritten in pairs:
        for _ in range(4):
            params = draw(rng, base)
            names_a, rows_a = answer(engine, original, params)
            names_b, rows_b = answer(engine, rewritten, params)
            if names_a != names_b:
                failures.append(f"{phase}: {name}: columns {names_a} as written, {names_b} rewritten")
                break
            if rows_a != rows_b:
                failures.append(
                    f"{phase}: {name} {params}: {sorted(rows_a.items())} != {sorted(rows_b.items())}"
                )
                break
    return failures


def test_every_proposed_summary_answers_as_written_and_every_refusal_has_a_reason(
    engine: Engine, tmp_path: Path
) -> None:
    found = inspection(tmp_path)
    source = found.traits
    advice: SummaryAdvice = recommend_summaries(
        found.catalog, found.workload, source, engines=[engine.traits]
    )
    decided = {p.statement for p in advice.proposed} | {r.statement for r in advice.rejected}
    assert decided >= set(STATEMENTS), f"no decision for {set(STATEMENTS) - decided}"
    for rejected in advice.rejected:
        assert rejected.reason.strip(), rejected.statement
    for name, words in REFUSED.items():
        reason = next(r.reason for r in advice.rejected if r.statement == name)
        assert words in reason, (name, reason)
    assert {"total", "per_store", "per_region", "since", "last_hour", "totals", "per_day"} <= {
        p.statement for p in advice.proposed
    }
    for table in found.catalog.tables:
        engine.execute(create_table_sql(table, engine.traits).rstrip().rstrip(";"))
    rng = random.Random(7)
    base = datetime.now().replace(microsecond=0)
    next_id = fill(engine, rng, base)
    pairs: list[tuple[str, str, str]] = []
    unbuilt: list[str] = []
    for proposal in advice.proposed:
        sql = proposal.per_engine[0]
        if sql.note is not None:
            unbuilt.append(f"{proposal.statement}: {sql.note}")
            continue
        for ddl in (*sql.create, *sql.backfill, *sql.maintain):
            engine.execute(ddl)
        original = original_on(engine, STATEMENTS[proposal.statement], source, found.catalog)
        try:
            engine.execute(original, draw(rng, base))
        except Exception as exc:  # the statement itself does not run here (SQLite and INTERVAL)
            unbuilt.append(f"{proposal.statement}: as written: {exc}")
            continue
        pairs.append((proposal.statement, original, dict(sql.rewritten)[proposal.statement]))
    # SQLite cannot run PostgreSQL's interval arithmetic: those statements carry the note, nothing else
    assert engine.traits.engine == EngineName.SQLITE or not unbuilt, unbuilt
    assert len(pairs) >= 7
    failures = compare(engine, pairs, rng, base, "loaded data")
    for burst in range(3):
        next_id = writes(engine, rng, base, next_id, 40)
        failures += compare(engine, pairs, rng, base, f"after write burst {burst + 1}")
    # rows written just inside a moving window leave it as time passes
    for _ in range(3):
        engine.execute(
            f"INSERT INTO sales (id, store_id, qty, amount, sold_at) VALUES ({next_id}, 1, 1, 1.00, "
            f"{now_sql(engine.traits, 3599)})"
        )
        next_id += 1
    time.sleep(2.5)
    failures += compare(engine, pairs, rng, base, "after time passed")
    assert not failures, "\n".join(failures)


def test_the_repro_brief_gets_no_moving_window_in_a_trigger_and_valid_sql() -> None:
    """devenv repro: ``count(*) ... WHERE created_at >= now() - interval '1 hour'`` was kept by triggers
    as a one-row summary whose count only grew, its upsert read ``ON CONFLICT ()`` and its rewrite
    returned a column named ``*``."""
    repro = Path(__file__).parent / "cases" / "now_window"
    found = inspect_brief(repro / "brief.yaml")
    engines = [get_traits("postgresql", "15"), get_traits("mariadb", "10.11"), get_traits("sqlite")]
    advice = recommend_summaries(found.catalog, found.workload, found.traits, engines=engines)
    proposal: ProposedSummary | None = advice.for_statement("last_hour_count")
    if proposal is None:
        reason = next(r.reason for r in advice.rejected if r.statement == "last_hour_count")
        assert "new value at every statement" in reason
        return
    assert (
        "CURRENT_TIMESTAMP" not in proposal.definition.upper() and "NOW(" not in proposal.definition.upper()
    )
    for sql in proposal.per_engine:
        assert "ON CONFLICT ()" not in " ".join(sql.maintain)
        for _, rewritten in sql.rewritten:
            assert 'AS "*"' not in rewritten and "AS `*`" not in rewritten
    assert proposal.rewritten.startswith('SELECT dbarch_a.dbarch_a1 AS "count" ')
