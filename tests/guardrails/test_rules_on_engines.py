"""The rules' engine facts, re-measured on real servers, and their fixes run for real.

- Every good fixture, and every bad fixture with all its findings fixed, executes on the engine
  (PostgreSQL 15 for ``postgresql`` fixtures, MariaDB for ``mariadb``/``mysql`` ones) against the
  fixture's own schema, or ``engine_setup_<server>.sql`` plus the rule folder's ``setup_<server>.sql``.
- Rewrites: the bad fixtures of the rewrite rules change a table's ``relfilenode``; their good
  fixtures do not (measured, not assumed — see the engine facts notes).
- Failures the rules promise: CONCURRENTLY inside a transaction, NOT NULL without default on a table
  with rows, and on MariaDB every ``mysql-algorithm-copy`` / copy-forcing change refused with
  ``ALGORITHM=INPLACE, LOCK=NONE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest

from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.model.names import EngineName
from tests.engine_exec import mariadb_connect
from tests.guardrails.cases_support import Case, case_paths, load_case

HERE = Path(__file__).parent
_SCHEMA = re.compile(r"^--\s*schema:\s*(\S+)", re.MULTILINE)


def _server(case: Case) -> str | None:
    engine = case.traits.engine
    if engine == EngineName.POSTGRESQL:
        return "postgresql"
    if engine in (EngineName.MARIADB, EngineName.MYSQL):
        return "mariadb"
    return None


def _setup(case: Case, server: str) -> str:
    schema = _SCHEMA.search(case.text)
    if schema:
        return (case.path.parent / schema[1]).read_text()
    extra = case.path.parent / f"setup_{server}.sql"
    return (HERE / f"engine_setup_{server}.sql").read_text() + (extra.read_text() if extra.exists() else "")


def _fixed(case: Case) -> str | None:
    """The fixture with every finding of its rule replaced by the fix; None when one has no fix."""
    findings = [f for f in case.lint().findings if f.rule_id == case.rule_id]
    if any(f.fix is None for f in findings):
        return None
    text = case.text
    for f in sorted(
        findings, key=lambda f: (f.fix.span if f.fix and f.fix.span else f.span).start, reverse=True
    ):
        assert f.fix is not None
        region = f.fix.span or f.span
        text = text[: region.start] + f.fix.replacement + text[region.end :]
    return text


def _statements(text: str, case: Case) -> list[str]:
    """The statements as the engine's client sends them (psql meta-commands, DELIMITER lines: not SQL)."""
    return [p.text for p in split_script(text, case.traits.engine) if p.kind == PieceKind.SQL]


class _Pg:
    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("SET TimeZone = 'Europe/Berlin'")

    def run(self, sql: str) -> None:
        self.conn.execute(sql)  # type: ignore[call-overload]

    def filenodes(self) -> dict[str, Any]:
        rows = self.conn.execute(
            "select c.relname, c.relfilenode from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = current_schema() and c.relkind = 'r'"
        ).fetchall()
        return {str(r[0]): r[1] for r in rows}


class _Maria:
    def __init__(self, url: str) -> None:
        self.conn = mariadb_connect(url)

    def run(self, sql: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute(sql)


@contextmanager
def _session(server: str, request: pytest.FixtureRequest) -> Iterator[_Pg | _Maria]:
    if server == "postgresql":
        pg = _Pg(request.getfixturevalue("pg_scratch_db"))
        try:
            yield pg
        finally:
            pg.conn.close()
    else:
        maria = _Maria(request.getfixturevalue("mariadb_scratch_db"))
        try:
            yield maria
        finally:
            maria.conn.close()


def _prepared(case: Case, server: str, session: _Pg | _Maria) -> None:
    for sql in _statements(_setup(case, server), case):
        session.run(sql)


def _runnable(kind: str) -> list[Path]:
    paths = []
    for path in case_paths(kind):
        case = load_case(path)
        if _server(case) is None or (kind == "bad" and _fixed(case) is None):
            continue
        paths.append(path)
    return paths


def _marks(paths: list[Path]) -> list[Any]:
    params = []
    for path in paths:
        server = _server(load_case(path))
        mark = pytest.mark.postgres if server == "postgresql" else pytest.mark.mariadb
        params.append(pytest.param(path, marks=mark, id=f"{path.parent.name}/{path.name}"))
    return params


@pytest.mark.parametrize("path", _marks(_runnable("good")))
def test_good_fixture_runs_on_the_engine(path: Path, request: pytest.FixtureRequest) -> None:
    case = load_case(path)
    server = _server(case)
    assert server is not None
    with _session(server, request) as session:
        _prepared(case, server, session)
        for sql in _statements(case.text, case):
            session.run(sql)


@pytest.mark.parametrize("path", _marks(_runnable("bad")))
def test_fixed_bad_fixture_runs_on_the_engine(path: Path, request: pytest.FixtureRequest) -> None:
    case = load_case(path)
    server = _server(case)
    fixed = _fixed(case)
    assert server is not None and fixed is not None
    with _session(server, request) as session:
        _prepared(case, server, session)
        for sql in _statements(fixed, case):
            session.run(sql)


REWRITE_RULES = ("adding-volatile-default", "changing-column-type", "varchar-length-change")


def _rewrite_cases() -> list[Any]:
    params = []
    for kind in ("bad", "good"):
        for path in case_paths(kind):
            case = load_case(path)
            if case.rule_id in REWRITE_RULES and _server(case) == "postgresql":
                params.append(
                    pytest.param(
                        path, kind == "bad", marks=pytest.mark.postgres, id=f"{case.rule_id}/{path.name}"
                    )
                )
    return params


@pytest.mark.parametrize(("path", "rewrites"), _rewrite_cases())
def test_rewrite_claims_hold_on_postgresql(
    path: Path, rewrites: bool, request: pytest.FixtureRequest
) -> None:
    case = load_case(path)
    with _session("postgresql", request) as session:
        assert isinstance(session, _Pg)
        _prepared(case, "postgresql", session)
        before = session.filenodes()
        for sql in _statements(case.text, case):
            session.run(sql)
        after = session.filenodes()
    changed = sorted(t for t in before if after.get(t) != before[t])
    assert bool(changed) == rewrites, f"rewritten: {changed}"


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["bad_1.sql", "bad_2.sql"])
def test_concurrently_in_a_transaction_fails_on_postgresql(name: str, request: pytest.FixtureRequest) -> None:
    case = load_case(HERE / "cases" / "concurrently-in-transaction" / name)
    with _session("postgresql", request) as session:
        _prepared(case, "postgresql", session)
        with pytest.raises(
            psycopg.errors.ActiveSqlTransaction, match="cannot run inside a transaction block"
        ):
            for sql in _statements(case.text, case):
                session.run(sql)


@pytest.mark.postgres
def test_not_null_column_without_default_fails_on_a_table_with_rows(request: pytest.FixtureRequest) -> None:
    case = load_case(HERE / "cases" / "adding-not-null-column" / "bad_1.sql")
    with _session("postgresql", request) as session:
        _prepared(case, "postgresql", session)
        session.run("INSERT INTO orders (id) VALUES (1)")
        with pytest.raises(psycopg.errors.NotNullViolation):
            session.run(_statements(case.text, case)[0])


COPY_CASES = [
    ("mysql-algorithm-copy", "bad_1.sql"),
    ("mysql-algorithm-copy", "bad_2.sql"),
    ("mysql-algorithm-copy", "bad_3.sql"),
    ("mysql-algorithm-copy", "bad_4.sql"),
    ("mysql-algorithm-copy", "bad_5.sql"),
    ("varchar-length-change", "bad_3.sql"),
    ("enum-value-change", "bad_3.sql"),
    ("enum-value-change", "bad_4.sql"),
]


@pytest.mark.mariadb
@pytest.mark.parametrize(("rule", "name"), COPY_CASES, ids=[f"{r}/{n}" for r, n in COPY_CASES])
def test_copy_changes_are_refused_online_on_mariadb(
    rule: str, name: str, request: pytest.FixtureRequest
) -> None:
    case = load_case(HERE / "cases" / rule / name)
    with _session("mariadb", request) as session:
        _prepared(case, "mariadb", session)
        statements = _statements(case.text, case)
        for sql in statements[:-1]:
            session.run(sql)
        with pytest.raises(pymysql.err.MySQLError, match=r"(?i)LOCK=|ALGORITHM="):
            session.run(statements[-1] + ", ALGORITHM=INPLACE, LOCK=NONE")


@pytest.mark.postgres
def test_new_enum_value_cannot_be_used_in_its_own_transaction(request: pytest.FixtureRequest) -> None:
    case = load_case(HERE / "cases" / "enum-value-change" / "bad_5.sql")
    with _session("postgresql", request) as session:
        _prepared(case, "postgresql", session)
        with pytest.raises(psycopg.errors.UnsafeNewEnumValueUsage, match="unsafe use of new value"):
            for sql in _statements(case.text, case):
                session.run(sql)


def _invalid_cases() -> list[Any]:
    params = []
    for path in sorted((HERE / "cases" / "invalid-sql").glob("bad_*.sql")):
        server = _server(load_case(path))
        mark = pytest.mark.postgres if server == "postgresql" else pytest.mark.mariadb
        params.append(pytest.param(path, marks=mark, id=path.name))
    return params


@pytest.mark.parametrize("path", _invalid_cases())
def test_statements_called_invalid_are_refused_by_the_engine_and_the_others_run(
    path: Path, request: pytest.FixtureRequest
) -> None:
    """What invalid-sql reports is what the server refuses as a syntax error; nothing else is."""
    case = load_case(path)
    server = _server(case)
    assert server is not None
    invalid_at = {f.span.start for f in case.lint().findings if f.rule_id == "invalid-sql"}
    pieces = [p for p in split_script(case.text, case.traits.engine) if p.kind == PieceKind.SQL]
    assert invalid_at
    with _session(server, request) as session:
        _prepared(case, server, session)
        for piece in pieces:
            flagged = any(piece.start <= at <= piece.end for at in invalid_at)
            if not flagged:
                session.run(piece.text)
                continue
            if server == "postgresql":
                with pytest.raises(psycopg.errors.SyntaxError):
                    session.run(piece.text)
            else:
                with pytest.raises(pymysql.err.ProgrammingError, match="1064"):
                    session.run(piece.text)


def _not_null_cases() -> list[Any]:
    params = []
    for kind in ("good", "bad"):
        for path in sorted((HERE / "cases" / "setting-not-null").glob(f"{kind}_*.sql")):
            text = path.read_text()
            if "SET NOT NULL" in text.upper() and "-- sizes:" not in text:  # small tables are exempt
                params.append(pytest.param(path, kind == "good", marks=pytest.mark.postgres, id=path.name))
    return params


@pytest.mark.parametrize(("path", "proven"), _not_null_cases())
def test_set_not_null_is_proven_without_a_scan_exactly_when_the_rule_says(
    path: Path, proven: bool, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL says at DEBUG1 when existing constraints prove a column NOT NULL (no scan): that
    happens for every SET NOT NULL of the good fixtures and for none the rule reports."""
    case = load_case(path)
    reported = {f.span.start for f in case.lint().findings if f.rule_id == "setting-not-null"}
    with _session("postgresql", request) as session:
        assert isinstance(session, _Pg)
        _prepared(case, "postgresql", session)
        notices: list[str] = []
        session.conn.add_notice_handler(lambda d: notices.append(str(d.message_primary)))
        session.run("SET client_min_messages = debug1")
        for piece in split_script(case.text, case.traits.engine):
            if piece.kind != PieceKind.SQL:
                continue
            notices.clear()
            session.run(piece.text)
            sets = re.findall(
                r"ALTER\s+(?:COLUMN\s+)?\"?(\w+)\"?\s+SET\s+NOT\s+NULL", piece.text, re.IGNORECASE
            )
            for column in sets:
                said = any("sufficient to prove" in n and f'.{column}"' in n for n in notices)
                flagged = any(piece.start <= at < piece.end for at in reported)
                assert said == (not flagged), (piece.text, column, notices)
                if proven:
                    assert said, (piece.text, notices)


LOCK_CLAIMS = [
    # (rule, fixture, the statement's index among the fixture's SQL statements, relation, lock mode)
    ("adding-unique-constraint", "bad_4.sql", 1, "customers", "AccessExclusiveLock"),
    ("adding-unique-constraint", "bad_6.sql", 2, "orders", "AccessExclusiveLock"),
    ("require-concurrent-reindex", "bad_1.sql", 0, "orders", "ShareLock"),
    ("require-concurrent-reindex", "bad_1.sql", 0, "orders_pkey", "AccessExclusiveLock"),
    ("require-concurrent-reindex", "good_1.sql", 1, "orders", "ShareUpdateExclusiveLock"),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("rule", "name", "index", "relation", "mode"), LOCK_CLAIMS)
def test_lock_claims_hold_on_postgresql(
    rule: str, name: str, index: int, relation: str, mode: str, request: pytest.FixtureRequest
) -> None:
    """The lock a rule's message names is the strongest one PostgreSQL takes on that relation."""
    case = load_case(HERE / "cases" / rule / name)
    statements = _statements(case.text, case)
    with _session("postgresql", request) as session:
        assert isinstance(session, _Pg)
        _prepared(case, "postgresql", session)
        for sql in statements[:index]:
            session.run(sql)
        if "CONCURRENTLY" in statements[index].upper():
            # Concurrent forms cannot run in a transaction: watch them from a second session.
            watcher = psycopg.connect(request.getfixturevalue("pg_scratch_db"), autocommit=True)
            try:
                seen = _locks_while_running(session, watcher, statements[index], relation)
            finally:
                watcher.close()
        else:
            session.run("BEGIN")
            session.run(statements[index])
            rows = session.conn.execute(
                "SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = pg_backend_pid() AND c.relname = %s",
                (relation,),
            ).fetchall()
            session.run("ROLLBACK")
            seen = {str(r[0]) for r in rows}
    assert mode in seen, seen


def _locks_while_running(session: _Pg, watcher: psycopg.Connection, sql: str, relation: str) -> set[str]:
    """The lock modes ``sql`` holds on ``relation``, seen by ``watcher`` while ``sql`` waits for a
    transaction the watcher keeps open on the table (a concurrent build waits for older snapshots)."""
    import threading

    pid = session.conn.execute("SELECT pg_backend_pid()").fetchone()
    assert pid is not None
    blocker = psycopg.connect(str(watcher.info.dsn), autocommit=False)
    blocker.execute("SELECT 1 FROM orders LIMIT 1")  # an open snapshot the build must wait for
    runner = threading.Thread(target=lambda: session.run(sql))
    runner.start()
    seen: set[str] = set()
    try:
        for _ in range(50):
            rows = watcher.execute(
                "SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = %s AND c.relname = %s AND l.granted",
                (pid[0], relation),
            ).fetchall()
            seen |= {str(r[0]) for r in rows}
            if seen:
                break
            threading.Event().wait(0.05)
    finally:
        blocker.rollback()
        blocker.close()
        runner.join(timeout=30)
    return seen
