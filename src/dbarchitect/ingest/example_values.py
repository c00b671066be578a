"""The brief's example parameter values (a statement's ``params:``), checked once the schema is known.

An example value places a range filter in the built-in estimate, binds a partition key for pruning,
sets the OFFSET a keyset rewrite is weighed at and the window ``verify`` replays. A value that
cannot be one of the type the parameter is compared with (``since: "not a date"`` against a
timestamp) would be read as no value at all, and the estimate would quietly fall back to a default
selectivity; so it is an error here, one line per value naming the brief's file, the line and the
field (``workload.statements[3].params.since``) and what to give instead. Checked per place the
parameter stands (:func:`~dbarchitect.ingest.parameters.every_parameter_use`), when it stands alone
against a column (compared with it, in a list of it, written to it) or as a LIMIT or OFFSET:

- integer columns take whole numbers, other number columns numbers (YAML numbers or their text);
- date columns take a date (``2026-01-31``); timestamp columns a date or a timestamp;
- time columns a time of day, boolean columns true or false, uuid columns a UUID;
- enum columns one of the enum's values;
- LIMIT and OFFSET a whole number, 0 or more;
- text columns, and parameters inside a function, a cast or arithmetic, anything.

An example is one value: a list, a mapping or null is refused; and a name the statement does not use
is refused with a did-you-mean (it would be ignored: a misspelt name leaves the real parameter
without its example).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from dbarchitect.brief import Brief, field_lines
from dbarchitect.errors import BriefError, DbarchError, Diagnostic, did_you_mean
from dbarchitect.ingest.parameters import ParameterRole, ParameterUse, every_parameter_use
from dbarchitect.ingest.workload import StatementInput
from dbarchitect.model.catalog import Catalog, Column
from dbarchitect.model.intervals import parse_instant
from dbarchitect.model.types import INTEGER_MAX, STRING_KINDS, TypeKind

#: Roles whose column's type the value must have.
_COMPARED = frozenset(
    {ParameterRole.EQ, ParameterRole.LOWER, ParameterRole.UPPER, ParameterRole.IN, ParameterRole.VALUE}
)
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0"})


def check_example_values(
    brief: Brief,
    items: Sequence[StatementInput],
    catalog: Catalog,
    *,
    file: str | None = None,
    skip: Collection[str] = (),
) -> None:
    """Refuse every example value of the brief's statements (``items``: their analyzed inputs, in
    the brief's order) that cannot be what its parameter is compared with, and every name a statement
    does not use. Statements named in ``skip`` (left out of the workload) and statements that do not
    parse are not checked. Raises :class:`BriefError` listing every problem found."""
    line_of: Callable[[tuple[str | int, ...]], int | None] | None = None
    problems: list[Diagnostic] = []
    for i, (spec, item) in enumerate(zip(brief.workload.statements, items, strict=False)):
        if not spec.params or spec.name in skip:
            continue
        try:
            uses = every_parameter_use(item.sql, brief.engine.name, catalog)
        except DbarchError:
            continue  # the statement's own error is reported by its analysis
        for name, value in spec.params.items():
            found = _problem(str(name), value, uses, catalog)
            if found is None:
                continue
            if line_of is None:
                line_of = field_lines(brief)
            message, hint = found
            problems.append(
                Diagnostic(
                    message,
                    file=file,
                    line=line_of(("workload", "statements", i, "params", name)),
                    field=f"workload.statements[{i}].params.{name}",
                    hint=hint,
                )
            )
    if problems:
        raise BriefError(problems[0], more=problems[1:])


def _problem(
    name: str, value: object, uses: Sequence[ParameterUse], catalog: Catalog
) -> tuple[str, str] | None:
    """(what is wrong, what to do) with the example ``value`` of parameter ``name``, or None."""
    names = _names(uses)
    if name not in names:
        if not names:
            return (
                f"the statement has no parameter {_parameter(name)} (it has no parameters)",
                "remove the example, or write the parameter into the statement",
            )
        listed = ", ".join(_parameter(n) for n in sorted(names) if not n.startswith("$"))
        return (
            f"the statement has no parameter {_parameter(name)}{did_you_mean(name, names)} "
            f"(its parameters: {listed})",
            "name one of its parameters, or remove it",
        )
    if value is None:
        return (
            f"the example value of {_parameter(name)} is null, which no comparison matches",
            "give a value the application sends, or remove it",
        )
    if isinstance(value, list | tuple | dict | set):
        shape = "a mapping" if isinstance(value, dict) else "a list"
        return (
            f"the example value of {_parameter(name)} is {shape}; an example is one value (a parameter in "
            "an IN list takes one member)",
            "give one value, or remove it",
        )
    for use in uses:
        if _names((use,)) & {name} and use.typed:
            found = _wrong_for_use(name, value, use, catalog)
            if found is not None:
                return found
    return None


def _names(uses: Sequence[ParameterUse]) -> set[str]:
    """The names a brief may give examples for: each parameter's name, and ``$n`` for ``pn``."""
    out: set[str] = set()
    for use in uses:
        out.add(use.name)
        if re.fullmatch(r"p\d+", use.name):
            out.add("$" + use.name[1:])
    return out


def _wrong_for_use(name: str, value: object, use: ParameterUse, catalog: Catalog) -> tuple[str, str] | None:
    if use.role in (ParameterRole.LIMIT, ParameterRole.OFFSET):
        number = _whole(value)
        if number is None or number < 0:
            clause = use.role.value.upper()
            return (
                f"{_shown(value)} is not a row count: {_parameter(name)} is the statement's {clause}",
                "give a whole number such as 100, or remove it",
            )
        return None
    if use.role not in _COMPARED or use.column is None:
        return None
    table = catalog.table(use.column.table)
    column = table.column(use.column.column) if table is not None else None
    if column is None:
        return None
    wanted = _wanted(value, column)
    if wanted is None:
        return None
    what, example = wanted
    verb = "written to" if use.role == ParameterRole.VALUE else "compared with"
    close = did_you_mean(str(value), column.type.values) if column.type.kind == TypeKind.ENUM else ""
    return (
        f"{_shown(value)} is not {what}: {_parameter(name)} is {verb} {use.column} ({column.type}){close}",
        f"give {example}, or remove it",
    )


def _shown(value: object) -> str:
    """An example value as the brief writes it: text quoted, dates and booleans as YAML reads them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return repr(value)


def _parameter(name: str) -> str:
    return name if name.startswith("$") else f":{name}"


def _wanted(value: object, column: Column) -> tuple[str, str] | None:
    """(what a value of ``column`` is, an example of one) when ``value`` cannot be one, else None."""
    kind = column.type.kind
    if kind in STRING_KINDS and kind != TypeKind.ENUM:
        return None
    if column.type.is_integer:
        number = _whole(value)
        if number is None:
            return "a whole number", "a whole number such as 42"
        limit = INTEGER_MAX[kind]
        if not -limit - 1 <= number <= limit:
            return f"in the {kind.value} range (-{limit + 1:,} to {limit:,})", "a whole number in that range"
        return None
    if kind in (TypeKind.DECIMAL, TypeKind.REAL, TypeKind.DOUBLE):
        return None if _number(value) else ("a number", "a number such as 19.99")
    if kind == TypeKind.DATE:
        if isinstance(value, date) and not isinstance(value, datetime):
            return None
        if isinstance(value, str) and _is_date(value):
            return None
        return "a date", "a date such as 2026-01-31"
    if kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        if isinstance(value, date) or (isinstance(value, str) and _is_timestamp(value)):
            return None
        return "a date or timestamp", "a date such as 2026-01-31 or a timestamp such as '2026-01-31 14:30:00'"
    if kind == TypeKind.TIME:
        if isinstance(value, time) or (isinstance(value, str) and _is_time(value)):
            return None
        return "a time of day", "a time of day in quotes, such as '14:30:00'"
    if kind == TypeKind.BOOLEAN:
        text = str(value).strip().lower() if not isinstance(value, float) else ""
        return None if text in _TRUE or text in _FALSE else ("true or false", "true or false")
    if kind == TypeKind.UUID:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return "a UUID", "a UUID such as '123e4567-e89b-12d3-a456-426614174000'"
        return None
    if kind == TypeKind.ENUM and column.type.values:
        if str(value) in column.type.values:
            return None
        return f"one of the enum's values ({', '.join(column.type.values)})", "one of the enum's values"
    return None


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip()).is_finite()
        except InvalidOperation:
            return False
    return False


# ISO 8601 as Python reads it: what every reader of an example takes (the range estimate, partition
# pruning, verify's replay), so a value accepted here is a value for each of them.


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_timestamp(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return parse_instant(text) is not None


def _is_time(text: str) -> bool:
    try:
        time.fromisoformat(text)
    except ValueError:
        return False
    return True
