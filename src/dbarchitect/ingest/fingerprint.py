"""Statement fingerprints: the same statement with other literals gets the same fingerprint.

Literals become ``?``, IN-lists collapse to a single ``?``, every parameter style (``:name``,
``%(name)s``, ``%s``, ``$1``, ``?``) becomes ``?``, and identifiers and keywords are normalized, so
statements from logs and ``pg_stat_statements`` merge with the brief's own.
"""

from __future__ import annotations

import hashlib
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

#: Comments and quoted strings / identifiers (left alone), then the pyformat tokens: ``%(name)s``,
#: ``%s``, ``%%``.
_PYFORMAT_TOKEN = re.compile(
    r"""--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|%\((\w+)\)s|%%|%s""", re.DOTALL
)


def _pyformat_token(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith(("--", "/*")):
        return text
    if text[0] in "'\"`":
        return text.replace("%%", "%")
    if text == "%%":
        return "%"
    return f":{match.group(1)}" if match.group(1) else "?"


def prepare_parameters(sql: str) -> str:
    """Rewrite driver parameter styles sqlglot does not parse (``%(name)s``, ``%s``) as ``:name`` / ``?``.

    Only outside quoted strings (``LIKE '%son%'`` stays as it is). A statement that uses pyformat
    parameters writes a literal ``%`` as ``%%`` (psycopg, PyMySQL), which becomes ``%`` again.
    """
    tokens = list(_PYFORMAT_TOKEN.finditer(sql))
    if not any(m.group(0)[0] == "%" and m.group(0) != "%%" for m in tokens):
        return sql
    return _PYFORMAT_TOKEN.sub(_pyformat_token, sql)


def normalize_expression(expression: exp.Expr, dialect: str) -> str:
    """Normalized SQL text of a parsed statement (see module docstring)."""

    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
            return exp.Placeholder()  # -5 and 5 are the same statement
        if isinstance(node, exp.In) and node.expressions:
            node = node.copy()
            node.set("expressions", [exp.Placeholder()])
            return node
        if isinstance(node, exp.Tuple) and isinstance(node.parent, exp.Values):
            return exp.Tuple(expressions=[exp.Placeholder() for _ in node.expressions])
        if isinstance(node, exp.Values) and len(node.expressions) > 1:
            first = node.expressions[0]
            return exp.Values(
                expressions=[exp.Tuple(expressions=[exp.Placeholder() for _ in first.expressions])]
            )
        if isinstance(node, exp.Literal | exp.Placeholder | exp.Parameter | exp.Boolean) and not isinstance(
            node.parent,
            exp.DataTypeParam | exp.Limit | exp.Offset | exp.Fetch | exp.Interval | exp.Ordered | exp.Group,
        ):
            return exp.Placeholder()
        return node

    normalized = expression.copy().transform(replace)
    text = normalized.sql(dialect=dialect, normalize=True, comments=False)
    return " ".join(text.split())


def normalize_sql(sql: str, dialect: str) -> str:
    """Normalized text of ``sql``; falls back to whitespace/case folding when it does not parse."""
    try:
        expression = sqlglot.parse_one(prepare_parameters(sql), read=dialect)
    except SqlglotError:
        return " ".join(sql.lower().split())
    return normalize_expression(expression, dialect)


def fingerprint_of(normalized: str) -> str:
    return hashlib.sha1(normalized.encode("utf-8")).hexdigest()[:16]


def fingerprint(sql: str, dialect: str) -> str:
    """A short, stable hex fingerprint of ``sql`` with literals and parameters normalized."""
    return fingerprint_of(normalize_sql(sql, dialect))
