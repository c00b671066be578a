"""Expressions and values as a live database deparses them, made neutral: the server's decorations
that carry no meaning removed (casts of literals, ``= ANY (ARRAY[...])``, outer parentheses), defaults
read into the model, referential actions and numbers from catalog text. Used by :mod:`.live_readers`
and :mod:`.live`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import COMMON_RESERVED
from dbarchitect.ingest.ddl import default_from_node
from dbarchitect.ingest.ddl_nodes import with_now_spelled
from dbarchitect.model.catalog import (
    Default,
    DefaultKind,
    ReferentialAction,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind

logging.getLogger("sqlglot").setLevel(logging.ERROR)

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)
_ACTIONS = {a.value: a for a in ReferentialAction}
#: MySQL / MariaDB ``BIGINT UNSIGNED`` as ``COLUMNS.COLUMN_TYPE`` shows it.
UNSIGNED_BIGINT = re.compile(r"^\s*bigint(\(\d+\))?\s+unsigned\b", re.IGNORECASE)


# -- expressions ------------------------------------------------------------------------------


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _is_literal(node: exp.Expression) -> bool:
    node = _unparen(node)
    if isinstance(node, exp.Neg):
        node = _unparen(node.this)
    return isinstance(node, exp.Literal | exp.Boolean | exp.Null)


_TEXT_TYPES = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}


def tidy_node(node: exp.Expression) -> exp.Expression:
    """Undo a server's deparse decorations that carry no meaning (see the module docstring)."""

    def strip(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Cast):
            inner = _unparen(n.this)
            to = n.args.get("to")
            if _is_literal(inner):
                return inner.copy()
            if isinstance(inner, exp.Column) and isinstance(to, exp.DataType) and to.this in _TEXT_TYPES:
                return inner.copy()
        if isinstance(n, exp.EQ) and isinstance(n.expression, exp.Any):
            array = _unparen(n.expression.this)
            if isinstance(array, exp.Array):
                return exp.In(this=n.this.copy(), expressions=[e.copy() for e in array.expressions])
        if isinstance(n, exp.NEQ) and isinstance(n.expression, exp.All):
            array = _unparen(n.expression.this)
            if isinstance(array, exp.Array):
                return exp.Not(
                    this=exp.In(this=n.this.copy(), expressions=[e.copy() for e in array.expressions])
                )
        if isinstance(n, exp.Paren) and isinstance(_unparen(n.this), exp.Column | exp.Literal):
            return _unparen(n.this).copy()
        if isinstance(n, exp.Where) and isinstance(n.this, exp.Paren):
            n.set("this", _unparen(n.this))
            return n
        if isinstance(n, exp.Identifier) and n.args.get("quoted") and _plain_lower(n.this):
            return exp.Identifier(this=n.this, quoted=False)
        return n

    # Strip inside-out so that casts revealed by a rewrite are stripped too.
    tidy = _unparen(node.transform(strip)).transform(strip)
    assert isinstance(tidy, exp.Expression)
    return tidy


def _plain_lower(value: str) -> bool:
    return bool(_PLAIN.match(value)) and value == value.lower() and value not in COMMON_RESERVED


def parse_expression(sql: str, dialect: str) -> exp.Expression | None:
    try:
        node = sqlglot.parse_one(sql, read=dialect)
    except (SqlglotError, ValueError):
        return None
    return node if isinstance(node, exp.Expression) else None


def neutral_expression(sql: str, engine: EngineName) -> str:
    """A server-deparsed expression as neutral SQL, without its meaningless decorations
    (unparsable text is kept as the server gave it)."""
    node = parse_expression(sql, get_traits(engine).sqlglot_dialect)
    if node is None:
        return sql.strip()
    return tidy_node(node).sql()


def quoted_fact(engine: EngineName) -> Callable[[str], Name]:
    """How to tell, from a stored name, whether it was created quoted on this engine."""
    if engine == EngineName.POSTGRESQL:
        return lambda v: Name(v, quoted=not (_PLAIN.match(v) and v == v.lower()))
    return lambda v: Name(v, quoted=not _PLAIN.match(v))


def read_default(text_: str | None, engine: EngineName, type_: LogicalType) -> tuple[Default | None, bool]:
    """The catalog default for a server's default text, and whether it makes an identity."""
    if text_ is None or not text_.strip():
        return None, False
    raw = text_.strip()
    if "nextval(" in raw.lower():
        return None, True
    if engine == EngineName.MYSQL and type_.is_string and not raw.startswith("'"):
        # MySQL 8 reports string defaults without quotes (MariaDB quotes them).
        return Default(DefaultKind.STRING, raw), False
    node = parse_expression(raw, get_traits(engine).sqlglot_dialect)
    if node is None:
        return Default(DefaultKind.EXPRESSION, raw), False
    if isinstance(_unparen(node), exp.Column) and engine in (EngineName.MYSQL, EngineName.MARIADB):
        # MySQL reports a bare literal for some string defaults (no quotes).
        return Default(DefaultKind.STRING, raw), False
    default = default_from_node(tidy_node(node))
    if default.kind == DefaultKind.NULL:
        return None, False
    if (
        default.kind == DefaultKind.STRING
        and (type_.is_integer or type_.kind in (TypeKind.DECIMAL, TypeKind.REAL, TypeKind.DOUBLE))
        and re.fullmatch(r"-?\d+(?:\.\d+)?", default.value or "")
    ):
        # PostgreSQL writes a negative number's default as a cast string ('-5'::integer)
        default = Default(DefaultKind.NUMBER, default.value)
    if type_.kind == TypeKind.BOOLEAN and default.kind == DefaultKind.NUMBER and default.value in ("0", "1"):
        default = Default(DefaultKind.BOOLEAN, "TRUE" if default.value == "1" else "FALSE")
    if default.kind == DefaultKind.EXPRESSION and default.value is not None:
        default = Default(DefaultKind.EXPRESSION, tidy_node(with_now_spelled(node)).sql())
    return default, False


def referential_action(text_: str | None) -> ReferentialAction:
    if not text_:
        return ReferentialAction.NO_ACTION
    return _ACTIONS.get(" ".join(text_.upper().split()), ReferentialAction.NO_ACTION)


def as_number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
