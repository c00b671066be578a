"""What a table's check constraints mean for the generator."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.catalog import Table

# ---------------------------------------------------------------------------------------------
# Check constraints


@dataclass
class Checks:
    """What a table's check constraints mean for generation."""

    lower: dict[str, int] = field(default_factory=dict)
    upper: dict[str, int] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: column -> expression computing it from the other columns of the row
    derived: dict[str, exp.Expr] = field(default_factory=dict)
    #: (a, op, b): clamp ``a`` so that ``a op b`` holds
    clamps: list[tuple[str, str, str]] = field(default_factory=list)
    #: column -> LIKE pattern its values must match (``email LIKE '%_@_%'``)
    patterns: dict[str, str] = field(default_factory=dict)
    not_understood: list[str] = field(default_factory=list)
    #: every check that the row validator can evaluate, with its SQL text (a generated row failing
    #: one is redrawn, never sent to the database to be refused)
    rules: list[tuple[str, exp.Expr]] = field(default_factory=list)


def _literal_number(node: exp.Expr) -> float | None:
    if isinstance(node, exp.Neg):
        inner = _literal_number(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Paren):
        return _literal_number(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        return float(node.this)
    return None


_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _conjuncts(node: exp.Expr) -> Iterator[exp.Expr]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        yield from _conjuncts(node.left)
        yield from _conjuncts(node.right)
    else:
        yield node


def read_checks(table: Table) -> Checks:
    """The generation rules of ``table``'s check constraints (unknown shapes are listed)."""
    out = Checks()
    for check in table.checks:
        try:
            tree = sqlglot.parse_one(check.expression)
        except SqlglotError:
            out.not_understood.append(check.expression)
            continue
        if evaluable(tree):
            out.rules.append((check.expression, tree))
        for part in _conjuncts(tree):
            if not _read_conjunct(part, out):
                out.not_understood.append(part.sql())
    return out


def _read_conjunct(part: exp.Expr, out: Checks) -> bool:
    if (
        isinstance(part, exp.Like)
        and isinstance(part.this, exp.Column)
        and isinstance(part.expression, exp.Literal)
        and part.expression.is_string
    ):
        out.patterns[part.this.name.lower()] = part.expression.this
        return True
    if isinstance(part, exp.In) and isinstance(part.this, exp.Column):
        lits = [e for e in part.expressions if isinstance(e, exp.Literal)]
        if len(lits) == len(part.expressions) and lits:
            out.allowed[part.this.name.lower()] = tuple(lit.this for lit in lits)
            return True
        return False
    if isinstance(part, exp.Between) and isinstance(part.this, exp.Column):
        low, high = _literal_number(part.args["low"]), _literal_number(part.args["high"])
        if low is None or high is None:
            return False
        name = part.this.name.lower()
        out.lower[name], out.upper[name] = math.ceil(low), math.floor(high)
        return True
    if type(part) not in _FLIP:
        return False
    assert isinstance(part, exp.Binary)
    left, right, kind = part.left, part.right, type(part)
    if not isinstance(left, exp.Column) and isinstance(right, exp.Column):
        left, right, kind = right, left, _FLIP[kind]
    if not isinstance(left, exp.Column):
        return False
    name = left.name.lower()
    number = _literal_number(right)
    if number is not None:
        if kind in (exp.GT, exp.GTE):
            out.lower[name] = math.floor(number) + 1 if kind is exp.GT else math.ceil(number)
        elif kind in (exp.LT, exp.LTE):
            out.upper[name] = math.ceil(number) - 1 if kind is exp.LT else math.floor(number)
        else:
            out.allowed[name] = (str(number),)
        return True
    others = {c.name.lower() for c in right.find_all(exp.Column)}
    if not others or name in others:
        return False
    if kind is exp.EQ:
        out.derived[name] = right
        return True
    if isinstance(right, exp.Column) and kind in (exp.LTE, exp.GTE):
        out.clamps.append((name, "<=" if kind is exp.LTE else ">=", right.name.lower()))
        return True
    return False


def evaluate(node: exp.Expr, row: dict[str, Any]) -> Any:
    """The value of a small arithmetic expression over a row's columns (for derived columns)."""
    if isinstance(node, exp.Paren):
        return evaluate(node.this, row)
    if isinstance(node, exp.Column):
        return row.get(node.name.lower())
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else Decimal(node.this)
    if isinstance(node, exp.Neg):
        value = evaluate(node.this, row)
        return None if value is None else -value
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        a, b = evaluate(node.left, row), evaluate(node.right, row)
        if a is None or b is None:
            return None
        if isinstance(a, float) or isinstance(b, float):
            a, b = float(a), float(b)
        elif (isinstance(a, int) and isinstance(b, Decimal)) or (
            isinstance(a, Decimal) and isinstance(b, int)
        ):
            a, b = Decimal(a), Decimal(b)
        if isinstance(node, exp.Add):
            return a + b
        if isinstance(node, exp.Sub):
            return a - b
        return a * b
    raise UnsupportedError(Diagnostic(f"cannot compute {node.sql()} for generated rows"))


# ---------------------------------------------------------------------------------------------
# Patterns


def fit_pattern(pattern: str, text: str, limit: int | None = None) -> str:
    """``text`` made to match the LIKE ``pattern``: kept when it matches already, else the pattern with
    its first ``%`` replaced by ``text`` (shortened to fit ``limit``), each ``_`` by a letter and any
    other ``%`` by nothing (``'%_@_%'`` and ``email-7`` give ``email-7x@x``). Without a ``%`` the
    ``_`` positions spell ``text``'s last characters, so distinct texts stay distinct where they can."""
    if like_matches(pattern, text) and (limit is None or len(text) <= limit):
        return text
    fixed = len(pattern.replace("%", ""))
    if "%" not in pattern:
        blanks = pattern.count("_")
        tail = list(text[-blanks:].rjust(blanks, "x")) if blanks else []
        out = []
        for ch in pattern:
            out.append(tail.pop(0) if ch == "_" else ch)
        return "".join(out)
    room = max(0, limit - fixed) if limit is not None else len(text)
    body = text[-room:] if room < len(text) else text
    first = pattern.index("%")
    head = pattern[:first].replace("_", "x")
    rest = pattern[first + 1 :].replace("%", "").replace("_", "x")
    return head + body + rest


def like_matches(pattern: str, text: str, *, case_insensitive: bool = False) -> bool:
    """SQL LIKE with ``%`` and ``_`` (backslash escapes the next character)."""
    out = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.fullmatch("".join(out), text, flags) is not None


# ---------------------------------------------------------------------------------------------
# Row validation: a check evaluated on a generated row, with SQL's three-valued logic


class _Unknown(Exception):
    """The expression uses something the validator does not evaluate."""


_COMPARE = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_SUPPORTED = (
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    *_COMPARE,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Is,
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Neg,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Length,
    exp.Lower,
    exp.Upper,
    exp.Trim,
    exp.Coalesce,
    exp.Tuple,
)


def evaluable(tree: exp.Expr) -> bool:
    """Whether :func:`check_holds` can evaluate every node of ``tree``."""
    return all(isinstance(node, _SUPPORTED) for node in tree.walk())


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    """Two values made comparable: numbers as Decimal, a string against a date or time parsed."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a, b
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return Decimal(str(a)), Decimal(str(b))
    if isinstance(a, str) and isinstance(b, (int, float, Decimal)):
        return Decimal(a), Decimal(str(b))
    if isinstance(b, str) and isinstance(a, (int, float, Decimal)):
        return Decimal(str(a)), Decimal(b)
    if isinstance(a, (datetime, date)) and isinstance(b, str):
        return a, _parse_time(b, a)
    if isinstance(b, (datetime, date)) and isinstance(a, str):
        return _parse_time(a, b), b
    if isinstance(a, datetime) and isinstance(b, datetime) and (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None), b.replace(tzinfo=None)
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        if isinstance(a, date) and isinstance(b, date):
            return a, b
        raise _Unknown
    return a, b


def _parse_time(text: str, like: date) -> Any:
    try:
        if isinstance(like, datetime):
            value = datetime.fromisoformat(text)
            if like.tzinfo is not None and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value
        return date.fromisoformat(text)
    except ValueError:
        raise _Unknown from None


def _value(node: exp.Expr, row: Mapping[str, Any]) -> Any:
    if isinstance(node, exp.Paren):
        return _value(node.this, row)
    if isinstance(node, exp.Column):
        key = node.name.lower()
        if key not in row:
            raise _Unknown
        return row[key]
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else Decimal(node.this)
    if isinstance(node, exp.Neg):
        v = _value(node.this, row)
        return None if v is None else -Decimal(str(v))
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        a, b = _value(node.left, row), _value(node.right, row)
        if a is None or b is None:
            return None
        if not all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in (a, b)):
            raise _Unknown
        x, y = Decimal(str(a)), Decimal(str(b))
        if isinstance(node, exp.Add):
            return x + y
        if isinstance(node, exp.Sub):
            return x - y
        if isinstance(node, exp.Mul):
            return x * y
        return x / y if y else None
    if isinstance(node, exp.Length):
        v = _value(node.this, row)
        return None if v is None else Decimal(len(str(v)))
    if isinstance(node, (exp.Lower, exp.Upper, exp.Trim)):
        v = _value(node.this, row)
        if v is None:
            return None
        text = str(v)
        return (
            text.lower()
            if isinstance(node, exp.Lower)
            else text.upper()
            if isinstance(node, exp.Upper)
            else text.strip()
        )
    if isinstance(node, exp.Coalesce):
        for part in (node.this, *node.expressions):
            v = _value(part, row)
            if v is not None:
                return v
        return None
    truth = _truth(node, row)
    return truth


def _truth(node: exp.Expr, row: Mapping[str, Any]) -> bool | None:
    """SQL's three-valued result of a boolean expression on ``row`` (None: unknown)."""
    if isinstance(node, exp.Paren):
        return _truth(node.this, row)
    if isinstance(node, exp.And):
        a, b = _truth(node.left, row), _truth(node.right, row)
        if a is False or b is False:
            return False
        return None if a is None or b is None else True
    if isinstance(node, exp.Or):
        a, b = _truth(node.left, row), _truth(node.right, row)
        if a is True or b is True:
            return True
        return None if a is None or b is None else False
    if isinstance(node, exp.Not):
        v = _truth(node.this, row)
        return None if v is None else not v
    if isinstance(node, exp.Is):
        v = _value(node.this, row)
        if isinstance(node.expression, exp.Null):
            return (v is not None) if node.args.get("negate") else (v is None)
        raise _Unknown
    if isinstance(node, _COMPARE):
        a, b = _value(node.left, row), _value(node.right, row)
        if a is None or b is None:
            return None
        x, y = _comparable(a, b)
        if isinstance(node, exp.EQ):
            return bool(x == y)
        if isinstance(node, exp.NEQ):
            return bool(x != y)
        if isinstance(node, exp.GT):
            return bool(x > y)
        if isinstance(node, exp.GTE):
            return bool(x >= y)
        if isinstance(node, exp.LT):
            return bool(x < y)
        return bool(x <= y)
    if isinstance(node, exp.Between):
        v = _value(node.this, row)
        low, high = _value(node.args["low"], row), _value(node.args["high"], row)
        if v is None or low is None or high is None:
            return None
        a, lo = _comparable(v, low)
        b, hi = _comparable(v, high)
        return bool(lo <= a and b <= hi)
    if isinstance(node, exp.In):
        if node.args.get("query") is not None:
            raise _Unknown
        v = _value(node.this, row)
        if v is None:
            return None
        unknown = False
        for option in node.expressions:
            o = _value(option, row)
            if o is None:
                unknown = True
                continue
            x, y = _comparable(v, o)
            if x == y:
                return True
        return None if unknown else False
    if isinstance(node, (exp.Like, exp.ILike)):
        v, pattern = _value(node.this, row), _value(node.expression, row)
        if v is None or pattern is None:
            return None
        return like_matches(str(pattern), str(v), case_insensitive=isinstance(node, exp.ILike))
    if isinstance(node, (exp.Column, exp.Boolean, exp.Null)):
        v = _value(node, row)
        return None if v is None else bool(v)
    raise _Unknown


def check_holds(tree: exp.Expr, row: Mapping[str, Any]) -> bool | None:
    """Whether a CHECK passes on ``row`` (column key -> value): True when its expression is true or
    unknown (NULL), as the database judges it; False when false; None when the validator cannot
    evaluate it (the database decides)."""
    try:
        return _truth(tree, row) is not False
    except (_Unknown, ArithmeticError, ValueError, TypeError):
        return None
