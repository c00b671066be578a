"""Workload imports: pg_stat_statements (a CSV export or the live view) and statement logs ->
:class:`StatementInput` items with rates, and an account of everything left out.

Rates are executions per second: a statement's calls (or occurrences in a log) divided by the
seconds the counters cover. That period is never assumed: a CSV export and a log must be given
one (``period``); the live view without one uses PostgreSQL's own record of when its counters
started (``pg_stat_statements_info.stats_reset``, PostgreSQL 14+), and is an error otherwise.

- pg_stat_statements CSV: a header row naming at least ``query`` and ``calls`` (``queryid``,
  ``total_exec_time``, ``mean_exec_time`` and ``rows`` are read when present; ``psql --csv`` or
  ``COPY ... TO ... CSV HEADER`` both write one). Constants are already ``$1..$n`` parameters there
  and stay so. Rows of one queryid (one per user or database) are merged by adding their calls.
- Statement logs: plain SQL, one statement per line or statements separated by ``;``; PostgreSQL
  server logs (``LOG:  statement: ...``, ``LOG:  duration: 0.1 ms  statement: ...``,
  ``LOG:  execute <name>: ...``); MySQL/MariaDB general logs (``... Query<TAB>SELECT ...``).
  Only DML is kept (SELECT, WITH, INSERT, UPDATE, DELETE, REPLACE, MERGE); transaction control,
  SET, DDL, other log lines and other general-log commands are skipped and counted with a reason.
  Statements with the same text (whitespace aside) become one item whose rate counts every
  occurrence; statements that differ only in literals are merged later, by fingerprint, in
  :func:`dbarchitect.ingest.workload.build_workload`.

Names are stable: ``pgss_<queryid>`` (``pgss_m<n>`` for a negative queryid, ``pgss_line<n>``
without one) and ``log_<n>`` numbered by first appearance. Origins name ``file:line``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dbarchitect.engines.connection import (
    connect_readonly,
    connection_failed,
    detect_server,
    expand_env,
    redacted_url,
)
from dbarchitect.errors import BriefError, ConnectionFailed, Diagnostic, SqlError
from dbarchitect.ingest.ddl import split_statements
from dbarchitect.ingest.workload import StatementInput
from dbarchitect.limits import read_input_bytes, read_input_text
from dbarchitect.model.names import EngineName

SECONDS_PER_DAY = 86_400.0

_DML = re.compile(r"^\s*\(*\s*(SELECT|WITH|INSERT|UPDATE|DELETE|REPLACE|MERGE|VALUES|TABLE)\b", re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\s*([A-Za-z_]+(?:\s+[A-Za-z_]+)?)")
_COMMENT_ONLY = re.compile(r"^\s*(--[^\n]*\n?\s*|/\*.*?\*/\s*)*$", re.DOTALL)
_LEADING_COMMENTS = re.compile(r"^\s*(--[^\n]*\n\s*|/\*.*?\*/\s*)*", re.DOTALL)

#: A PostgreSQL server log line that carries a statement (any log_line_prefix before LOG:).
_PG_STATEMENT = re.compile(
    r"\bLOG:\s+(?:duration:\s*[\d.]+\s*ms\s+)?(?:statement|execute\s+[^:]*|execute):\s?(?P<sql>.*)$"
)
#: Any other PostgreSQL server log line (it ends the statement before it).
_PG_OTHER = re.compile(
    r"\b(?:LOG|ERROR|STATEMENT|DETAIL|HINT|CONTEXT|WARNING|NOTICE|FATAL|PANIC|INFO|DEBUG\d?):\s"
)
#: A MySQL / MariaDB general-log line: optional time, thread id, command, tab, argument.
_MYSQL_LINE = re.compile(
    r"^(?:\d{4}-\d\d-\d\dT\S+|\d{6}\s+\d{1,2}:\d\d:\d\d)?\s+\d+\s+"
    r"(?P<command>Query|Execute|Connect|Quit|Init DB|Prepare|Close stmt|Reset stmt|Field List|Statistics|"
    r"Ping|Change user|Long Data|Fetch|Set option|Kill|Refresh|Shutdown|Processlist|Debug|Binlog Dump|"
    r"Table Dump|Register Slave|Daemon|Error)(?:\t(?P<arg>.*))?$"
)
_MYSQL_HEADER = re.compile(r"^(\S+, Version: .*|Tcp port: .*|Time\s+Id\s+Command\s+Argument\s*)$")


@dataclass(frozen=True)
class SkippedStatement:
    """Something in the source that did not become a workload statement, and why."""

    origin: str
    reason: str
    #: The start of the text, for messages.
    text: str = ""


@dataclass(frozen=True)
class Observation:
    """What the source measured about one imported statement, besides its rate."""

    name: str
    calls: float
    total_ms: float | None = None
    mean_ms: float | None = None
    rows: float | None = None


@dataclass(frozen=True)
class StatementImport:
    """The statements one import yields, what it left out and the totals behind the rates."""

    source: str
    statements: tuple[StatementInput, ...]
    skipped: tuple[SkippedStatement, ...] = ()
    observations: tuple[Observation, ...] = ()
    #: Seconds the counts cover (the rates' denominator).
    period_seconds: float = 0.0
    #: Executions (or log occurrences) of the kept statements, and of everything read.
    kept_calls: float = 0.0
    total_calls: float = 0.0

    def skipped_by_reason(self) -> dict[str, int]:
        """How many items were skipped for each reason, in first-seen order."""
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.reason] = counts.get(s.reason, 0) + 1
        return counts


def _period_seconds(period_days: float | None, what: str, file: str | None) -> float:
    if period_days is None:
        raise BriefError(
            Diagnostic(
                f"{what} counts executions but not over what time; the rates need it",
                file=file,
                field="period",
                hint="set period to the time the counters cover, e.g. period: 7d "
                "(since pg_stat_statements_reset() or the server's start)",
            )
        )
    if period_days <= 0:
        raise BriefError(
            Diagnostic(f"period must be more than 0 days (got {period_days})", file=file, field="period")
        )
    return period_days * SECONDS_PER_DAY


def _excerpt(sql: str, limit: int = 60) -> str:
    one_line = " ".join(sql.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _non_dml_reason(sql: str) -> str | None:
    """Why ``sql`` is not a workload statement, or None when it is DML."""
    body = _LEADING_COMMENTS.sub("", sql)
    if not body.strip():
        return "empty or comment only"
    if body.lstrip().startswith("<"):
        return "query text not visible (<insufficient privilege>)"
    if _DML.match(body):
        return None
    m = _FIRST_WORD.match(body)
    word = m.group(1).split()[0].upper() if m else body.strip()[:10]
    return f"not DML ({word})"


def _clean(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


# -- pg_stat_statements ---------------------------------------------------------------------------------


@dataclass
class _PgssRow:
    queryid: str | None
    query: str
    calls: float
    origin: str
    total_ms: float | None = None
    mean_ms: float | None = None
    rows: float | None = None


def _pgss_name(row: _PgssRow, line: int) -> str:
    if row.queryid is None or not row.queryid.strip():
        return f"pgss_line{line}"
    qid = row.queryid.strip()
    return f"pgss_m{qid[1:]}" if qid.startswith("-") else f"pgss_{qid}"


def _pgss_import(
    source: str, rows: Iterable[tuple[int, _PgssRow]], *, min_calls: int, period_s: float
) -> StatementImport:
    merged: dict[str, tuple[_PgssRow, int]] = {}
    skipped: list[SkippedStatement] = []
    total = 0.0
    for line, row in rows:
        total += row.calls
        reason = _non_dml_reason(row.query)
        if reason is not None:
            skipped.append(SkippedStatement(row.origin, reason, _excerpt(row.query)))
            continue
        name = _pgss_name(row, line)
        if name in merged:
            first, _ = merged[name]
            first.calls += row.calls
            first.total_ms = (
                None if first.total_ms is None or row.total_ms is None else first.total_ms + row.total_ms
            )
            first.rows = None if first.rows is None or row.rows is None else first.rows + row.rows
            if first.total_ms is not None and first.calls:
                first.mean_ms = first.total_ms / first.calls
        else:
            merged[name] = (row, line)
    statements: list[StatementInput] = []
    observations: list[Observation] = []
    kept = 0.0
    for name, (row, _line) in merged.items():
        if row.calls < min_calls:
            skipped.append(
                SkippedStatement(row.origin, f"fewer calls than min_calls ({min_calls})", _excerpt(row.query))
            )
            continue
        kept += row.calls
        statements.append(
            StatementInput(
                name=name,
                sql=_clean(row.query),
                rate=row.calls / period_s,
                origin=row.origin,
                dialect=EngineName.POSTGRESQL,
            )
        )
        observations.append(Observation(name, row.calls, row.total_ms, row.mean_ms, row.rows))
    return StatementImport(
        source=source,
        statements=tuple(statements),
        skipped=tuple(skipped),
        observations=tuple(observations),
        period_seconds=period_s,
        kept_calls=kept,
        total_calls=total,
    )


def _number(value: Any, *, what: str, origin: str, file: str, line: int) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SqlError(
            Diagnostic(
                f"{what} is not a number: {str(value)[:30]!r}", file=file, line=line, hint=f"in {origin}"
            )
        ) from None
    if number < 0 and what == "calls":
        raise SqlError(Diagnostic(f"calls is negative ({number:g})", file=file, line=line))
    return number


def _csv_rows(path: Path) -> Iterator[tuple[int, _PgssRow]]:
    file = str(path)
    handle = io.StringIO(read_input_text(path, what="the CSV file", error=SqlError), newline="")
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise SqlError(Diagnostic(f"not a CSV file: {exc}", file=file, line=1)) from None
        if header is None:
            raise SqlError(
                Diagnostic("the file is empty", file=file, hint="export with a header row: query,calls,...")
            )
        columns = [h.strip().lower() for h in header]
        missing = [c for c in ("query", "calls") if c not in columns]
        if missing:
            raise SqlError(
                Diagnostic(
                    f"the header row has no {' and no '.join(missing)} column "
                    f"(found: {', '.join(columns)[:80]})",
                    file=file,
                    line=1,
                    hint="export pg_stat_statements with a header, e.g. "
                    "\\copy (select queryid, query, calls, total_exec_time, mean_exec_time, rows "
                    "from pg_stat_statements) to 'pgss.csv' csv header",
                )
            )
        index = {c: i for i, c in enumerate(columns)}
        # total_time / mean_time: the names before PostgreSQL 13.
        total_col = "total_exec_time" if "total_exec_time" in index else "total_time"
        mean_col = "mean_exec_time" if "mean_exec_time" in index else "mean_time"
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise SqlError(Diagnostic(f"cannot read the CSV: {exc}", file=file, line=line)) from None
            if not any(field.strip() for field in record):
                continue
            if len(record) != len(columns):
                raise SqlError(
                    Diagnostic(
                        f"row has {len(record)} fields, the header has {len(columns)}",
                        file=file,
                        line=line,
                        hint="quote fields that hold commas or newlines",
                    )
                )
            values: Mapping[str, str] = dict(zip(columns, record, strict=True))
            origin = f"{file}:{line}"
            qid = values.get("queryid")
            if qid is not None and qid.strip():
                origin += f" (queryid {qid.strip()})"

            def number(
                column: str, row: Mapping[str, str] = values, where: str = origin, at: int = line
            ) -> float | None:
                return _number(row.get(column), what=column, origin=where, file=file, line=at)

            calls = number("calls")
            if calls is None:
                raise SqlError(Diagnostic("calls is empty", file=file, line=line))
            yield (
                line,
                _PgssRow(
                    queryid=qid,
                    query=values["query"],
                    calls=calls,
                    origin=origin,
                    total_ms=number(total_col),
                    mean_ms=number(mean_col),
                    rows=number("rows"),
                ),
            )


def read_pg_stat_statements_csv(
    path: Path, *, min_calls: int = 1, period_days: float | None
) -> StatementImport:
    """Statements from a CSV export of ``pg_stat_statements`` (see the module docstring)."""
    period_s = _period_seconds(period_days, "a pg_stat_statements export", str(path))
    return _pgss_import(str(path), _csv_rows(path), min_calls=min_calls, period_s=period_s)


_ENABLE_PGSS = (
    "add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server, then run "
    "CREATE EXTENSION pg_stat_statements in this database"
)


def read_pg_stat_statements_live(
    url: str, *, min_calls: int = 1, period_days: float | None
) -> StatementImport:
    """Statements from the ``pg_stat_statements`` view of the database at ``url`` (read-only),
    this database's rows only. Without ``period_days`` the period is the time since the view's
    counters were reset, as PostgreSQL records it (14+)."""
    expanded = expand_env(url)
    shown = redacted_url(expanded)
    with connect_readonly(url) as (connection, family):
        server = detect_server(connection)
        if server.engine != EngineName.POSTGRESQL:
            raise ConnectionFailed(
                Diagnostic(
                    f"{shown} is {server.engine.value}, and pg_stat_statements is PostgreSQL's",
                    hint="import a statement log for this engine instead (workload.imports: log)",
                )
            )
        try:
            installed = connection.execute(
                text("select 1 from pg_extension where extname = 'pg_stat_statements'")
            ).first()
            if installed is None:
                raise ConnectionFailed(
                    Diagnostic(f"pg_stat_statements is not installed in {shown}", hint=_ENABLE_PGSS)
                )
            schema = connection.execute(
                text(
                    "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace "
                    "where e.extname = 'pg_stat_statements'"
                )
            ).scalar_one()
            view = f'"{schema}".pg_stat_statements'
            available = set(connection.execute(text(f"select * from {view} limit 0")).keys())
            period_s = _live_period(connection, schema, period_days, shown) if period_days is None else None
            if period_s is None:
                period_s = _period_seconds(period_days, "pg_stat_statements", None)
            total_col = "total_exec_time" if "total_exec_time" in available else "total_time"
            mean_col = "mean_exec_time" if "mean_exec_time" in available else "mean_time"
            toplevel = " and toplevel" if "toplevel" in available else ""
            result = connection.execute(
                text(
                    f"select queryid::text, query, calls, {total_col}, {mean_col}, rows from {view} "
                    "where dbid = (select oid from pg_database where datname = current_database())"
                    f"{toplevel} order by calls desc, queryid"
                )
            ).fetchall()
        except SQLAlchemyError as exc:
            message = str(getattr(exc, "orig", exc))
            if "shared_preload_libraries" in message:
                raise ConnectionFailed(
                    Diagnostic(
                        f"pg_stat_statements is installed in {shown} but not loaded", hint=_ENABLE_PGSS
                    )
                ) from None
            raise connection_failed(expanded, family, exc, doing="read pg_stat_statements from") from None

    def rows() -> Iterator[tuple[int, _PgssRow]]:
        for i, (qid, query, calls, total_ms, mean_ms, n_rows) in enumerate(result, start=1):
            yield (
                i,
                _PgssRow(
                    queryid=qid,
                    query=str(query or ""),
                    calls=float(calls or 0),
                    origin=f"pg_stat_statements on {shown} (queryid {qid})",
                    total_ms=None if total_ms is None else float(total_ms),
                    mean_ms=None if mean_ms is None else float(mean_ms),
                    rows=None if n_rows is None else float(n_rows),
                ),
            )

    return _pgss_import(f"pg_stat_statements on {shown}", rows(), min_calls=min_calls, period_s=period_s)


def _live_period(connection: Any, schema: str, period_days: float | None, shown: str) -> float | None:
    """Seconds since pg_stat_statements was reset, when PostgreSQL records it (14+)."""
    try:
        row = connection.execute(
            text(f'select stats_reset, now() from "{schema}".pg_stat_statements_info')
        ).first()
    except SQLAlchemyError:
        connection.rollback()
        row = None
    if row is None or not isinstance(row[0], datetime) or not isinstance(row[1], datetime):
        raise BriefError(
            Diagnostic(
                f"{shown} does not record when pg_stat_statements was reset, so the rates need a period",
                field="period",
                hint="set period to the time since pg_stat_statements_reset(), e.g. period: 7d",
            )
        )
    seconds = (row[1] - row[0]).total_seconds()
    return seconds if seconds > 0 else None


# -- statement logs ------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One statement-carrying piece of a log: its text and the line it starts on."""

    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def sql(self) -> str:
        return "\n".join(self.lines)


def _log_entries(text_: str, file: str) -> tuple[list[_Entry], list[SkippedStatement], bool]:
    """Split a log into statement-carrying entries; also what was skipped, and whether it is a
    server log (PostgreSQL or MySQL general log) rather than plain SQL."""
    lines = text_.splitlines()
    server_log = any(_PG_STATEMENT.search(ln) or _MYSQL_LINE.match(ln) for ln in lines)
    if not server_log:
        return [_Entry(1, lines)], [], False
    entries: list[_Entry] = []
    skipped: list[SkippedStatement] = []
    current: _Entry | None = None
    for number, line in enumerate(lines, start=1):
        pg = _PG_STATEMENT.search(line)
        my = _MYSQL_LINE.match(line)
        if pg:
            current = _Entry(number, [pg["sql"]])
            entries.append(current)
        elif my:
            current = None
            if my["command"] in ("Query", "Execute"):
                current = _Entry(number, [my["arg"] or ""])
                entries.append(current)
            else:
                skipped.append(
                    SkippedStatement(f"{file}:{number}", f"not a query ({my['command']})", line.strip())
                )
        elif _PG_OTHER.search(line) or _MYSQL_HEADER.match(line):
            current = None
            if line.strip():
                skipped.append(
                    SkippedStatement(f"{file}:{number}", "not a statement (log line)", _excerpt(line))
                )
        elif current is not None:
            current.lines.append(line)
        elif line.strip():
            skipped.append(SkippedStatement(f"{file}:{number}", "not a statement (log line)", _excerpt(line)))
    return entries, skipped, True


def _statements_of(entry: _Entry, dialect: EngineName, file: str, plain: bool) -> list[tuple[int, str]]:
    """(line, sql) of each statement in an entry: split on ``;`` tokens, or one per line in a
    plain file that has no ``;`` at all."""
    sql = entry.sql
    try:
        parts = split_statements(sql, dialect, file=file)
    except SqlError:
        return [(entry.line, sql)]
    has_semicolon = any(p.sql.rstrip().endswith(";") for p in parts) or len(parts) > 1
    if plain and not has_semicolon:
        return [
            (entry.line + i, ln)
            for i, ln in enumerate(sql.splitlines())
            if ln.strip() and not _COMMENT_ONLY.match(ln)
        ]
    return [(entry.line + p.line - 1, p.sql) for p in parts]


def read_statement_log(path: Path, *, period_days: float, dialect: EngineName | str) -> StatementImport:
    """Statements from a log file (plain SQL, PostgreSQL server log or MySQL general log), each
    distinct text once with its occurrences divided by the period as its rate."""
    file = str(path)
    engine = EngineName(dialect)
    period_s = _period_seconds(period_days, "a statement log", file)
    content = read_input_bytes(path, what="the log", error=SqlError).decode("utf-8", errors="replace")
    entries, skipped, server_log = _log_entries(content, file)
    counts: dict[str, int] = {}
    first_line: dict[str, int] = {}
    texts: dict[str, str] = {}
    total = 0
    for entry in entries:
        for line, sql in _statements_of(entry, engine, file, plain=not server_log):
            cleaned = _clean(_LEADING_COMMENTS.sub("", sql)) or _clean(sql)
            if not cleaned and _COMMENT_ONLY.match(sql):
                continue
            total += 1
            reason = _non_dml_reason(cleaned)
            if reason is not None:
                skipped.append(SkippedStatement(f"{file}:{line}", reason, _excerpt(cleaned)))
                continue
            key = " ".join(cleaned.split())
            if key not in counts:
                counts[key] = 0
                first_line[key] = line
                texts[key] = cleaned
            counts[key] += 1
    statements: list[StatementInput] = []
    observations: list[Observation] = []
    for n, key in enumerate(counts, start=1):
        name = f"log_{n}"
        occurrences = counts[key]
        origin = f"{file}:{first_line[key]}"
        if occurrences > 1:
            origin += f" (and {occurrences - 1} more)"
        statements.append(
            StatementInput(
                name=name, sql=texts[key], rate=occurrences / period_s, origin=origin, dialect=engine
            )
        )
        observations.append(Observation(name, float(occurrences)))
    return StatementImport(
        source=file,
        statements=tuple(statements),
        skipped=tuple(skipped),
        observations=tuple(observations),
        period_seconds=period_s,
        kept_calls=float(sum(counts.values())),
        total_calls=float(total),
    )


__all__ = [
    "Observation",
    "SkippedStatement",
    "StatementImport",
    "read_pg_stat_statements_csv",
    "read_pg_stat_statements_live",
    "read_statement_log",
]
