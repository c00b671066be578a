"""Workload imports: pg_stat_statements exports, the live view, and statement logs.

Each ``import_cases/<case>.*`` input has a ``<case>.expected.json`` beside it: the statements
(name, text, how many executions the source shows, the line they start on) and how many items
were skipped for each reason. Rates are checked as count / period, from those files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbarchitect.errors import BriefError, ConnectionFailed, SqlError
from dbarchitect.ingest.statement_sources import (
    SECONDS_PER_DAY,
    StatementImport,
    read_pg_stat_statements_csv,
    read_pg_stat_statements_live,
    read_statement_log,
)
from dbarchitect.model.names import EngineName

CASES = Path(__file__).parent / "import_cases"
EXPECTED = sorted(CASES.glob("*.expected.json"))


def _input_for(expected_path: Path) -> Path:
    stem = expected_path.name.removesuffix(".expected.json")
    matches = [p for p in CASES.glob(stem + ".*") if not p.name.endswith(".expected.json")]
    assert len(matches) == 1, f"{expected_path.name}: one input file expected, found {matches}"
    return matches[0]


def _run(spec: dict[str, Any], path: Path) -> StatementImport:
    if spec["reader"] == "pg_stat_statements_csv":
        return read_pg_stat_statements_csv(
            path, min_calls=spec.get("min_calls", 1), period_days=spec["period_days"]
        )
    return read_statement_log(path, period_days=spec["period_days"], dialect=EngineName(spec["dialect"]))


@pytest.mark.parametrize(
    "expected_path", EXPECTED, ids=[p.name.removesuffix(".expected.json") for p in EXPECTED]
)
def test_import_case(expected_path: Path) -> None:
    spec = json.loads(expected_path.read_text(encoding="utf-8"))
    path = _input_for(expected_path)
    result = _run(spec, path)
    period_s = spec["period_days"] * SECONDS_PER_DAY
    got = [(s.name, s.sql, round(s.rate * period_s, 6)) for s in result.statements]
    want = [(s["name"], s["sql"], float(s["count"])) for s in spec["statements"]]
    assert got == want
    assert [s.origin.split(" ")[0] if s.origin else None for s in result.statements] == [
        f"{path}:{s['line']}" for s in spec["statements"]
    ]
    assert result.skipped_by_reason() == spec["skipped"]
    assert result.period_seconds == period_s
    assert result.kept_calls == sum(s["count"] for s in spec["statements"])
    dialect = EngineName.POSTGRESQL if spec["reader"].startswith("pg_stat") else EngineName(spec["dialect"])
    assert {s.dialect for s in result.statements} == {dialect}


def test_reading_twice_gives_the_same_names_and_order() -> None:
    for expected_path in EXPECTED:
        spec = json.loads(expected_path.read_text(encoding="utf-8"))
        path = _input_for(expected_path)
        assert _run(spec, path) == _run(spec, path)


def test_pgss_observations_merge_rows_of_one_queryid() -> None:
    result = read_pg_stat_statements_csv(CASES / "pgss_export.csv", min_calls=1, period_days=1)
    first = next(o for o in result.observations if o.name == "pgss_4411592740123")
    # Two rows of 86400 calls and 4320.5 ms each: calls and time add up, the mean is recomputed.
    assert (first.calls, first.total_ms, first.rows) == (172800, 8641.0, 864000)
    assert first.mean_ms == pytest.approx(8641.0 / 172800)


def test_pgss_min_calls_zero_keeps_rare_statements() -> None:
    result = read_pg_stat_statements_csv(CASES / "pgss_export.csv", min_calls=0, period_days=1)
    assert "pgss_99005" in [s.name for s in result.statements]


@pytest.mark.parametrize(
    ("reader", "path"),
    [("csv", CASES / "pgss_export.csv"), ("log", CASES / "plain_lines.sql")],
)
def test_missing_period_names_the_field(reader: str, path: Path) -> None:
    with pytest.raises(BriefError) as info:
        if reader == "csv":
            read_pg_stat_statements_csv(path, min_calls=1, period_days=None)
        else:
            read_statement_log(path, period_days=None, dialect=EngineName.POSTGRESQL)  # type: ignore[arg-type]
    assert info.value.diagnostic.field == "period"
    assert "period: 7d" in str(info.value)


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("SELECT 1,5\n", "no query and no calls column", 1),
        ("query,calls\nSELECT 1,many\n", "calls is not a number", 2),
        ("query,calls\nSELECT 1,3,4\n", "row has 3 fields, the header has 2", 2),
        ("", "the file is empty", None),
    ],
)
def test_bad_csv_is_reported_at_its_line(
    tmp_path: Path, content: str, message: str, line: int | None
) -> None:
    path = tmp_path / "pgss.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SqlError) as info:
        read_pg_stat_statements_csv(path, min_calls=1, period_days=1)
    assert message in info.value.diagnostic.message
    assert info.value.diagnostic.file == str(path)
    assert info.value.diagnostic.line == line


# -- the live view -----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_live_view_missing_extension_says_how_to_enable(pg_scratch_db: str) -> None:
    with pytest.raises(ConnectionFailed) as info:
        read_pg_stat_statements_live(pg_scratch_db, min_calls=1, period_days=1)
    message = str(info.value)
    assert "pg_stat_statements is not installed" in message
    assert "shared_preload_libraries" in message and "CREATE EXTENSION pg_stat_statements" in message


@pytest.mark.mariadb
def test_live_view_on_mariadb_is_refused(mariadb_scratch_db: str) -> None:
    with pytest.raises(ConnectionFailed, match="pg_stat_statements is PostgreSQL's"):
        read_pg_stat_statements_live(mariadb_scratch_db, min_calls=1, period_days=1)


@pytest.mark.postgres
def test_live_view_happy_path(pg_has_pg_stat_statements: str) -> None:
    """Needs a server that preloads pg_stat_statements; the fixture skips (fails under CI) only
    when the server does not (``scripts/test.sh`` starts one that does)."""
    url = pg_has_pg_stat_statements
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table items (id int primary key, label text)")
        conn.execute("select pg_stat_statements_reset()")
        for i in range(7):
            conn.execute("select label from items where id = %s", (i,))
    result = read_pg_stat_statements_live(url, min_calls=5, period_days=1)
    by_sql = {s.sql: s for s in result.statements}
    assert "select label from items where id = $1" in by_sql
    statement = by_sql["select label from items where id = $1"]
    assert statement.rate == pytest.approx(7 / SECONDS_PER_DAY)
    assert statement.name.startswith("pgss_")
    # pg_stat_statements_reset() ran once: below min_calls, and not DML either way.
    assert all("pg_stat_statements_reset" not in s.sql for s in result.statements)
    # Without a period, the time since the reset (pg_stat_statements_info, PostgreSQL 14+) is used.
    measured = read_pg_stat_statements_live(url, min_calls=5, period_days=None)
    assert measured.period_seconds > 0
