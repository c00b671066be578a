"""What a table's check constraints mean for the generator."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    not_understood: list[str] = field(default_factory=list)


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
        for part in _conjuncts(tree):
            if not _read_conjunct(part, out):
                out.not_understood.append(part.sql())
    return out


def _read_conjunct(part: exp.Expr, out: Checks) -> bool:
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
