"""Whether an expression has the same value every time it is evaluated: what may go into a summary's
definition, and what may only be evaluated when the summary is read.

A summary kept by row triggers evaluates its definition once per write, for the rows written; its
answer is right later only if every value the definition computes is a function of those rows
alone (*immutable*). Three other kinds are told apart:

- **statement-stable**: the same value for every row of one statement, another one later - the
  statement's time (``now()``, ``CURRENT_TIMESTAMP``/``DATE``/``TIME``, ``LOCALTIMESTAMP``,
  ``statement_timestamp()``; ``NOW()``, ``CURDATE()``, ``UTC_TIMESTAMP()`` on MySQL/MariaDB; SQLite's
  ``datetime('now')``) or the session (``current_user``). Such a value is a *parameter the engine
  supplies at read time*: the summary can answer a condition comparing it with a key or a time
  column (the condition is evaluated when the summary is read), never hold it;
- **volatile**: a new value per row or per call (``random()``, ``clock_timestamp()``,
  ``SYSDATE()``, ``uuid()``, ``nextval()``): no summary can reproduce the statement's answer;
- **unknown**: a function dbarch does not know (a user-defined one): treated as volatile, and the
  reason names it.
"""

from __future__ import annotations

from enum import IntEnum

from sqlglot import exp


class Volatility(IntEnum):
    """Ordered: the most volatile part of an expression decides."""

    IMMUTABLE = 0
    STABLE = 1
    VOLATILE = 2
    UNKNOWN = 3


_STABLE_NODES: tuple[type[exp.Expr], ...] = tuple(
    getattr(exp, name)
    for name in (
        "CurrentTimestamp",
        "CurrentDate",
        "CurrentTime",
        "CurrentDatetime",
        "Localtimestamp",
        "Localtime",
        "UtcTimestamp",
        "UtcDate",
        "UtcTime",
        "CurrentUser",
        "CurrentSchema",
        "CurrentRole",
        "CurrentCatalog",
        "CurrentTimestampLTZ",
    )
    if hasattr(exp, name)
)
_VOLATILE_NODES: tuple[type[exp.Expr], ...] = tuple(
    getattr(exp, name) for name in ("Rand", "Randn", "Uuid") if hasattr(exp, name)
)

#: Functions (by name, lower case) that sqlglot keeps as anonymous calls.
_STABLE_NAMES = frozenset(
    {
        "now",
        "statement_timestamp",
        "transaction_timestamp",
        "current_timestamp",
        "localtimestamp",
        "localtime",
        "curdate",
        "curtime",
        "current_date",
        "current_time",
        "utc_timestamp",
        "utc_date",
        "utc_time",
        "session_user",
        "current_user",
        "user",
        "system_user",
        "current_role",
        "current_schema",
        "current_database",
        "database",
        "schema",
    }
)
_VOLATILE_NAMES = frozenset(
    {
        "clock_timestamp",
        "timeofday",
        "sysdate",
        "random",
        "rand",
        "setseed",
        "uuid",
        "uuid_short",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v4",
        "random_bytes",
        "randomblob",
        "nextval",
        "currval",
        "lastval",
        "setval",
        "last_insert_id",
        "last_insert_rowid",
        "changes",
        "txid_current",
        "pg_current_xact_id",
        "pg_backend_pid",
        "connection_id",
        "current_setting",
        "found_rows",
        "row_count",
        "sleep",
        "pg_sleep",
    }
)
#: Anonymous functions known to be a function of their arguments alone (SQLite's date functions
#: are, unless an argument is ``'now'``: see :func:`volatility`).
_IMMUTABLE_NAMES = frozenset(
    {
        "date_part",
        "abs",
        "round",
        "floor",
        "ceil",
        "ceiling",
        "lower",
        "upper",
        "length",
        "char_length",
        "substr",
        "substring",
        "trim",
        "ltrim",
        "rtrim",
        "concat",
        "greatest",
        "least",
        "ifnull",
        "nullif",
        "coalesce",
        "date",
        "time",
        "datetime",
        "julianday",
        "strftime",
        "unixepoch",
        "year",
        "month",
        "day",
        "dayofmonth",
        "hour",
        "minute",
        "second",
        "date_format",
        "to_days",
        "md5",
        "sign",
        "mod",
        "power",
        "sqrt",
    }
)
_SQLITE_DATE_NAMES = frozenset({"date", "time", "datetime", "julianday", "strftime", "unixepoch"})
_SQLITE_NOW = frozenset({"now"})


def _reads_now(node: exp.Expr) -> bool:
    """SQLite's ``date('now')``, ``strftime('%s', 'now')``: a date function given the text 'now'."""
    return any(
        isinstance(lit, exp.Literal) and lit.is_string and lit.this.strip().lower() in _SQLITE_NOW
        for lit in node.find_all(exp.Literal)
    )


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else node.key


def volatility(expr: exp.Expr) -> tuple[Volatility, str | None]:
    """The most volatile part of ``expr`` and its SQL (None when immutable)."""
    worst, what = Volatility.IMMUTABLE, None
    for node in expr.walk():
        if not isinstance(node, exp.Expr):
            continue
        level = Volatility.IMMUTABLE
        if isinstance(node, _VOLATILE_NODES):
            level = Volatility.VOLATILE
        elif isinstance(node, _STABLE_NODES):
            level = Volatility.STABLE
        elif isinstance(node, (exp.Subquery, exp.Select)) and node is not expr:
            level = Volatility.UNKNOWN  # reads other rows: not a function of the row
        elif isinstance(node, exp.Func) and not isinstance(node, exp.AggFunc):
            name = _function_name(node)
            if name in _VOLATILE_NAMES:
                level = Volatility.VOLATILE
            elif name in _STABLE_NAMES or (
                (
                    name in _SQLITE_DATE_NAMES
                    or isinstance(node, (exp.TimeToStr, exp.TsOrDsToTimestamp, exp.TsOrDsToDate))
                )
                and _reads_now(node)
            ):
                level = Volatility.STABLE
            elif isinstance(node, exp.Anonymous) and name not in _IMMUTABLE_NAMES:
                level = Volatility.UNKNOWN
        if level > worst:
            worst, what = level, node.sql()
    return worst, what


def explain(level: Volatility, what: str | None) -> str:
    """Why ``what`` cannot be held by a summary, in words."""
    if level == Volatility.STABLE:
        return (
            f"{what} takes a new value at every statement (the time or the session): a summary kept by "
            "triggers would evaluate it once per write, so rows would never leave (or enter) the "
            "condition as time passes; it can only be compared with a summary's key or time column when "
            "the summary is read"
        )
    if level == Volatility.VOLATILE:
        return f"{what} takes a new value per row or per call: no summary reproduces it"
    return (
        f"{what}: dbarch cannot tell that it is a function of the row alone (a user-defined function or "
        "a subquery), so it is not put into a summary"
    )


__all__ = ["Volatility", "explain", "volatility"]
