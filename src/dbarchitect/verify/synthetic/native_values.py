"""Values of engine-native types (``TypeKind.NATIVE``) for generated rows, as the engine's literal text.

The ``k``-th value (``k`` >= 0) of a type, distinct for distinct ``k`` where the type has that many
values, written as the engine's input syntax (PostgreSQL 15 chapter 8: ``inet`` '10.0.1.2', ``point``
'(x,y)', ``tstzrange`` '[a,b)', ``tsvector`` of words, ``xml`` '<v>1</v>'...; MariaDB ``inet6``
'2001:db8::1', ``set`` members). Drivers pass text and the server reads it as the column's type
(PostgreSQL's COPY and untyped parameters; MariaDB converts strings on insert).

A type with no generator here (a domain, an extension type the tool cannot see into, an array of a
native type, a MariaDB geometry, which needs a function to build) has none: :func:`native_value`
returns ``None`` and the caller fills the column with NULL, or refuses when it is NOT NULL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from dbarchitect.model.types import LogicalType, TypeKind

_BASE = datetime(2021, 1, 1)


def _ipv4(k: int) -> str:
    return f"10.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}"


def _mac(k: int, size: int) -> str:
    """A locally administered address (first byte 02), ``k`` in the other bytes."""
    value = k % 256 ** (size - 1) + 0x02 * 256 ** (size - 1)
    return ":".join(f"{b:02x}" for b in value.to_bytes(size, "big"))


def _multirange(one: Callable[[int], str]) -> Callable[[int], str]:
    return lambda k: "{" + one(k) + "}"


def _ts(k: int, *, zone: bool, hours: int = 0) -> str:
    value = _BASE + timedelta(hours=k + hours)
    return value.replace(tzinfo=UTC).isoformat(sep=" ") if zone else value.isoformat(sep=" ")


def _day(k: int) -> str:
    return (_BASE + timedelta(days=k % 100_000)).date().isoformat()


_RANGE: dict[str, Callable[[int], str]] = {
    "int4range": lambda k: f"[{k},{k + 10})",
    "int8range": lambda k: f"[{k},{k + 10})",
    "numrange": lambda k: f"[{k},{k}.5)",
    "daterange": lambda k: f"[{_day(k)},{_day(k + 1)})",
    "tsrange": lambda k: f"[{_ts(k, zone=False)},{_ts(k, zone=False, hours=1)})",
    "tstzrange": lambda k: f"[{_ts(k, zone=True)},{_ts(k, zone=True, hours=1)})",
}

_PG: dict[str, Callable[[int], str]] = {
    "inet": _ipv4,
    "cidr": lambda k: f"{_ipv4(k)}/32",
    "macaddr": lambda k: _mac(k, 6),
    "macaddr8": lambda k: _mac(k, 8),
    "pg_lsn": lambda k: f"{k >> 32:X}/{k & 0xFFFFFFFF:X}",
    "point": lambda k: f"({k},{k % 1000})",
    "line": lambda k: f"{{1,-1,{k}}}",
    "lseg": lambda k: f"[({k},0),({k + 1},1)]",
    "box": lambda k: f"({k + 1},1),({k},0)",
    "path": lambda k: f"[({k},0),({k + 1},1)]",
    "polygon": lambda k: f"(({k},0),({k + 1},0),({k},1))",
    "circle": lambda k: f"<({k},0),1>",
    "tsvector": lambda k: f"w{k} word",
    "tsquery": lambda k: f"w{k} & word",
    "xml": lambda k: f"<v>{k}</v>",
    "hstore": lambda k: f'"k"=>"{k}"',
    "oid": lambda k: str(k + 1),
    **_RANGE,
    **{name.replace("range", "multirange"): _multirange(one) for name, one in _RANGE.items()},
}

_INTERVAL_UNIT = {"year": "years", "month": "months", "day": "days", "hour": "hours", "minute": "minutes"}


def _interval(spelling: str) -> Callable[[int], str]:
    """``interval <fields>(p)``: ``k`` of the smallest unit its fields keep (so values stay distinct)."""
    fields = re.findall(r"\b(year|month|day|hour|minute|second)\b", spelling)
    unit = _INTERVAL_UNIT.get(fields[-1], "seconds") if fields else "seconds"
    return lambda k: f"{k} {unit}"


def _bits(spelling: str) -> Callable[[int], str]:
    m = re.search(r"\((\d+)\)", spelling)
    width = int(m.group(1)) if m else None
    if width is None:
        return lambda k: format(k, "b")
    return lambda k: format(k % 2**width, "b")


def native_maker(t: LogicalType) -> Callable[[int], str] | None:
    """The ``k`` -> value text function for native type ``t``, or ``None`` when there is none."""
    if t.kind != TypeKind.NATIVE or t.native_spelling is None:
        return None
    spelling = t.native_spelling
    if spelling.endswith("]"):
        return None
    base = t.native_base or ""
    if t.native_engine == "postgres":
        if base == "interval":
            return _interval(spelling)
        if base == "bit varying":
            return _bits(spelling)
        if base == '"char"':
            return lambda k: chr(ord("a") + k % 26)
        return _PG.get(base)
    if t.native_engine == "mysql":
        if base == "inet6":
            return lambda k: f"2001:db8::{(k >> 16) & 0xFFFF:x}:{k & 0xFFFF:x}"
        if base == "inet4":
            return _ipv4
        if base == "set":
            members = [m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", spelling)]
            return (lambda k: members[k % len(members)]) if members else None
    return None


def native_domain_size(t: LogicalType) -> int | None:
    """How many distinct values :func:`native_maker` makes for ``t``, when fewer than 2**31."""
    spelling = t.native_spelling or ""
    if t.native_base == '"char"':
        return 26
    if t.native_base == "set":
        return max(1, len(re.findall(r"'((?:[^']|'')*)'", spelling)))
    if t.native_base == "bit varying":
        m = re.search(r"\((\d+)\)", spelling)
        if m and int(m.group(1)) < 31:
            return int(2 ** int(m.group(1)))
    return None


def native_value(t: LogicalType, k: int) -> str | None:
    """The ``k``-th value of native type ``t`` (see :func:`native_maker`)."""
    maker = native_maker(t)
    return None if maker is None else maker(k)


__all__ = ["native_domain_size", "native_maker", "native_value"]
