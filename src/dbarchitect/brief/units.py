"""Units in a brief: sizes, rates, durations, row counts; each a number or a string with a unit,
and the JSON Schema patterns that publish them."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

# ---------------------------------------------------------------------------------------------
# Units: sizes, rates, durations. Each accepts a number or a string with a unit.

_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "pb": 10**15,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
    "pib": 2**50,
}
#: Seconds per rate unit. Each is written singular or plural (``/s``, ``per second``, ``/days``);
#: any other unit is refused, never guessed (``3/ms`` once read as 3 per minute).
_RATE_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "w": 86400.0 * 7,
    "wk": 86400.0 * 7,
    "week": 86400.0 * 7,
    "month": 86400.0 * 30,
    "y": 86400.0 * 365,
    "yr": 86400.0 * 365,
    "year": 86400.0 * 365,
}
_RATE_WORDS = {u: u for u in _RATE_UNITS} | {
    u + "s": u
    for u in ("sec", "second", "min", "minute", "hr", "hour", "day", "wk", "week", "month", "yr", "year")
}
#: Multipliers of a rate's or a row count's number: ``50M/year``, ``1.5k/s``, ``2B``.
_COUNT_SUFFIXES = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}
_DURATION_UNITS = {
    "d": 1.0,
    "day": 1.0,
    "days": 1.0,
    "w": 7.0,
    "week": 7.0,
    "weeks": 7.0,
    "m": 30.0,
    "month": 30.0,
    "months": 30.0,
    "y": 365.0,
    "year": 365.0,
    "years": 365.0,
}
NUMBER = r"(?P<num>\d+(?:_\d+)*(?:\.\d+)?(?:e\d+)?)"


def to_number(text: str) -> float:
    return float(text.replace("_", ""))


def parse_size(value: Any) -> int:
    """Bytes from ``500GB``, ``1.5 TiB``, ``1048576`` (decimal units are powers of 1000)."""
    if isinstance(value, bool):
        raise ValueError("a size is a number of bytes or a string such as '500GB'")
    if isinstance(value, int | float):
        size = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(NUMBER + r"\s*(?P<unit>[a-zA-Z]*)", value.strip())
        if not m or m["unit"].lower() not in _SIZE_UNITS:
            raise ValueError(f"cannot read size {value!r}; write e.g. '500GB', '2TiB' or a number of bytes")
        size = to_number(m["num"]) * _SIZE_UNITS[m["unit"].lower()]
    else:
        raise ValueError("a size is a number of bytes or a string such as '500GB'")
    if size < 0 or size > 10**18:
        raise ValueError(f"size {value!r} is out of range (0 to 1 EB)")
    return int(size)


def format_size(value: float) -> str:
    """Bytes as a person reads them, in the decimal units budgets are written in: ``6.7 MB``."""
    size = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(size) < 1000 or unit == "PB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} PB"  # pragma: no cover


_RATE_HELP = "write e.g. '120/s', '500/min', '3000/day', '50M/year' or '10 per hour'"


def rate_unit_seconds(unit: str) -> float | None:
    """Seconds in one rate unit (``s``, ``min``, ``day``, ``weeks``...), or None when it is not one."""
    word = _RATE_WORDS.get(unit.lower())
    return _RATE_UNITS[word] if word is not None else None


def parse_rate(value: Any) -> float:
    """Executions per second from ``120/s``, ``3000/day``, ``50M/year``, ``1.5k per hour``,
    ``{per_day: 3000}`` or a plain number (per second). Units: s, min, h, day, week, month (30 days),
    year (365 days), singular or plural; the number may carry k, M or B. An unknown unit is refused
    with the units there are, never guessed."""
    if isinstance(value, bool):
        raise ValueError("a rate is a number per second or a string such as '120/s' or '3000/day'")
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError(
                "a rate mapping has one key: per_second, per_minute, per_hour, per_day, per_week, "
                "per_month or per_year"
            )
        ((key, amount),) = value.items()
        unit = str(key).removeprefix("per_")
        seconds = rate_unit_seconds(unit) if str(key).startswith("per_") else None
        if seconds is None or isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ValueError(
                f"a rate mapping is e.g. {{per_day: 3000}} or {{per_year: 50000000}}, not {key!r}"
            )
        rate = float(amount) / seconds
    elif isinstance(value, int | float):
        rate = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(
            NUMBER + r"\s*(?P<suffix>[kKmMbB]?)\s*(?:/|per)\s*(?P<unit>[a-zA-Z]+)", value.strip()
        )
        if not m:
            raise ValueError(f"cannot read rate {value!r}; {_RATE_HELP}")
        seconds = rate_unit_seconds(m["unit"])
        if seconds is None:
            known = "s, min, h, day, week, month, year"
            raise ValueError(
                f"cannot read rate {value!r}: {m['unit']!r} is not a rate unit ({known}); {_RATE_HELP}"
            )
        rate = to_number(m["num"]) * _COUNT_SUFFIXES[m["suffix"].lower()] / seconds
    else:
        raise ValueError("a rate is a number per second or a string such as '120/s' or '3000/day'")
    if not math.isfinite(rate) or rate < 0 or rate > 1e8:
        raise ValueError(f"rate {value!r} is out of range (0 to 100 million per second)")
    return rate


def parse_days(value: Any) -> float:
    """Days from ``90d``, ``2y``, ``18 months``, or a plain number of days."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of days or a string such as '90d' or '2y'")
    if isinstance(value, int | float):
        days = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(NUMBER + r"\s*(?P<unit>[a-zA-Z]+)", value.strip())
        if not m or m["unit"].lower() not in _DURATION_UNITS:
            raise ValueError(f"cannot read duration {value!r}; write e.g. '90d', '18 months' or '2y'")
        days = to_number(m["num"]) * _DURATION_UNITS[m["unit"].lower()]
    else:
        raise ValueError("a duration is a number of days or a string such as '90d' or '2y'")
    if days <= 0 or days > 365 * 200:
        raise ValueError(f"duration {value!r} is out of range (more than 0, at most 200 years)")
    return days


_SECONDS_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
}


def parse_seconds(value: Any) -> float:
    """Seconds from ``500ms``, ``5s``, ``2min``, ``1h``, ``1d`` or a plain number of seconds (for
    staleness, recovery objectives and other short durations; ``m`` is refused as ambiguous)."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string such as '5s', '2min' or '1h'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(NUMBER + r"\s*(?P<unit>[a-zA-Z]+)", value.strip())
        if not m or m["unit"].lower() not in _SECONDS_UNITS:
            raise ValueError(f"cannot read duration {value!r}; write e.g. '500ms', '5s', '2min' or '1h'")
        seconds = to_number(m["num"]) * _SECONDS_UNITS[m["unit"].lower()]
    else:
        raise ValueError("a duration is a number of seconds or a string such as '5s', '2min' or '1h'")
    if not 0 <= seconds <= 86400.0 * 366 * 10:
        raise ValueError(f"duration {value!r} is out of range (0 to 10 years)")
    return seconds


# JSON Schema for the unit strings (ECMA-262 patterns: no flags, so letters match either case).
_JSON_NUMBER = r"\d+(?:_\d+)*(?:\.\d+)?(?:e\d+)?"


def _any_case(word: str) -> str:
    return "".join(
        f"[{c.lower()}{c.upper()}]" if c.isalpha() else "\\" + c if c in r".^$*+?()[]{}|\/" else c
        for c in word
    )


def one_of_words(words: Any) -> str:
    return "(?:" + "|".join(_any_case(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"


def unit_string(pattern: str, *examples: str) -> dict[str, Any]:
    return {"type": "string", "pattern": f"^\\s*{_JSON_NUMBER}\\s*{pattern}\\s*$", "examples": list(examples)}


_SIZE_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        unit_string(one_of_words(u for u in _SIZE_UNITS if u) + "?", "500GB", "2TiB"),
    ]
}
RATE_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0, "description": "per second"},
        unit_string(
            r"[kKmMbB]?\s*(?:/|[pP][eE][rR])\s*" + one_of_words(_RATE_WORDS),
            "120/s",
            "3000/day",
            "50M/year",
            "10 per minute",
        ),
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
            "properties": {
                f"per_{u}": {"type": "number", "minimum": 0}
                for u in ("second", "minute", "hour", "day", "week", "month", "year")
            },
        },
    ]
}
_DAYS_JSON = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "description": "days"},
        unit_string(one_of_words(_DURATION_UNITS), "90d", "18 months", "2y"),
    ]
}
ROWS_JSON = {"anyOf": [{"type": "number", "minimum": 0}, unit_string("[kKmMbB]?", "5M", "200k")]}

Size = Annotated[int, BeforeValidator(parse_size), WithJsonSchema(_SIZE_JSON)]
Rate = Annotated[float, BeforeValidator(parse_rate), WithJsonSchema(RATE_JSON)]
SECONDS_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0, "description": "seconds"},
        unit_string(one_of_words(_SECONDS_UNITS), "500ms", "5s", "2min", "1h"),
    ]
}
Days = Annotated[float, BeforeValidator(parse_days), WithJsonSchema(_DAYS_JSON)]
Seconds = Annotated[float, BeforeValidator(parse_seconds), WithJsonSchema(SECONDS_JSON)]
