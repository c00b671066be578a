"""The design brief: what the user hands the architect, validated once by pydantic.

A brief names the target engine (and the engines to stay portable to), the schema (a DDL file,
inline entities, or a live database to introspect), the data size per table, the workload with its
rates and SLOs, the budgets and the guardrail levels. :func:`load_brief` reads YAML or JSON and turns
every problem into a one-line :class:`~dbarchitect.errors.BriefError` naming the file, line and field.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from dbarchitect.errors import BriefError, Diagnostic, did_you_mean, redact
from dbarchitect.model.names import EngineName

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
    "month": 86400.0 * 30,
}
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
_NUMBER = r"(?P<num>\d+(?:_\d+)*(?:\.\d+)?(?:e\d+)?)"


def _to_number(text: str) -> float:
    return float(text.replace("_", ""))


def parse_size(value: Any) -> int:
    """Bytes from ``500GB``, ``1.5 TiB``, ``1048576`` (decimal units are powers of 1000)."""
    if isinstance(value, bool):
        raise ValueError("a size is a number of bytes or a string such as '500GB'")
    if isinstance(value, int | float):
        size = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(_NUMBER + r"\s*(?P<unit>[a-zA-Z]*)", value.strip())
        if not m or m["unit"].lower() not in _SIZE_UNITS:
            raise ValueError(f"cannot read size {value!r}; write e.g. '500GB', '2TiB' or a number of bytes")
        size = _to_number(m["num"]) * _SIZE_UNITS[m["unit"].lower()]
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


def parse_rate(value: Any) -> float:
    """Executions per second from ``120/s``, ``3000/day``, ``10 per minute``, ``{per_day: 3000}``
    or a plain number (per second)."""
    if isinstance(value, bool):
        raise ValueError("a rate is a number per second or a string such as '120/s' or '3000/day'")
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("a rate mapping has one key: per_second, per_minute, per_hour or per_day")
        ((key, amount),) = value.items()
        unit = str(key).removeprefix("per_")
        if unit not in _RATE_UNITS or isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ValueError("a rate mapping is e.g. {per_day: 3000}")
        rate = float(amount) / _RATE_UNITS[unit]
    elif isinstance(value, int | float):
        rate = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(_NUMBER + r"\s*(?:/|per)\s*(?P<unit>[a-zA-Z]+)", value.strip())
        if not m or m["unit"].lower().rstrip("s") not in {u.rstrip("s") for u in _RATE_UNITS}:
            raise ValueError(f"cannot read rate {value!r}; write e.g. '120/s', '500/min' or '3000/day'")
        unit = m["unit"].lower()
        unit = unit if unit in _RATE_UNITS else unit.rstrip("s")
        rate = _to_number(m["num"]) / _RATE_UNITS[unit]
    else:
        raise ValueError("a rate is a number per second or a string such as '120/s' or '3000/day'")
    if rate < 0 or rate > 1e8:
        raise ValueError(f"rate {value!r} is out of range (0 to 100 million per second)")
    return rate


def parse_days(value: Any) -> float:
    """Days from ``90d``, ``2y``, ``18 months``, or a plain number of days."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of days or a string such as '90d' or '2y'")
    if isinstance(value, int | float):
        days = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(_NUMBER + r"\s*(?P<unit>[a-zA-Z]+)", value.strip())
        if not m or m["unit"].lower() not in _DURATION_UNITS:
            raise ValueError(f"cannot read duration {value!r}; write e.g. '90d', '18 months' or '2y'")
        days = _to_number(m["num"]) * _DURATION_UNITS[m["unit"].lower()]
    else:
        raise ValueError("a duration is a number of days or a string such as '90d' or '2y'")
    if days <= 0 or days > 365 * 200:
        raise ValueError(f"duration {value!r} is out of range (more than 0, at most 200 years)")
    return days


# JSON Schema for the unit strings (ECMA-262 patterns: no flags, so letters match either case).
_JSON_NUMBER = r"\d+(?:_\d+)*(?:\.\d+)?(?:e\d+)?"


def _any_case(word: str) -> str:
    return "".join(
        f"[{c.lower()}{c.upper()}]" if c.isalpha() else "\\" + c if c in r".^$*+?()[]{}|\/" else c
        for c in word
    )


def _one_of_words(words: Any) -> str:
    return "(?:" + "|".join(_any_case(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"


def _unit_string(pattern: str, *examples: str) -> dict[str, Any]:
    return {"type": "string", "pattern": f"^\\s*{_JSON_NUMBER}\\s*{pattern}\\s*$", "examples": list(examples)}


_SIZE_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        _unit_string(_one_of_words(u for u in _SIZE_UNITS if u) + "?", "500GB", "2TiB"),
    ]
}
_RATE_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0, "description": "per second"},
        _unit_string(
            r"(?:/|[pP][eE][rR])\s*"
            + _one_of_words({u for u in _RATE_UNITS} | {u + "s" for u in _RATE_UNITS}),
            "120/s",
            "3000/day",
            "10 per minute",
        ),
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
            "properties": {
                f"per_{u}": {"type": "number", "minimum": 0} for u in ("second", "minute", "hour", "day")
            },
        },
    ]
}
_DAYS_JSON = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "description": "days"},
        _unit_string(_one_of_words(_DURATION_UNITS), "90d", "18 months", "2y"),
    ]
}
_ROWS_JSON = {"anyOf": [{"type": "number", "minimum": 0}, _unit_string("[kKmMbB]?", "5M", "200k")]}

Size = Annotated[int, BeforeValidator(parse_size), WithJsonSchema(_SIZE_JSON)]
Rate = Annotated[float, BeforeValidator(parse_rate), WithJsonSchema(_RATE_JSON)]
Days = Annotated[float, BeforeValidator(parse_days), WithJsonSchema(_DAYS_JSON)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    #: Other spellings a "before" validator turns into this model (a string, a count, a list...),
    #: published as alternatives in the brief's JSON Schema (see :func:`brief_json_schema`).
    json_shorthands: ClassVar[tuple[dict[str, Any], ...]] = ()


# ---------------------------------------------------------------------------------------------
# Engine


class EngineSpec(_Model):
    """An engine and, optionally, its major version (``postgresql`` / ``{name: mariadb, version: '10.11'}``
    / the string ``'postgresql 15'``)."""

    json_shorthands = (
        {"type": "string", "pattern": r"^\s*\S+(?:\s+\S+)?\s*$", "examples": ["postgresql 15", "sqlite"]},
    )

    name: EngineName
    version: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.strip().split()
            if not parts or len(parts) > 2:
                raise ValueError("an engine is written 'postgresql' or 'postgresql 15'")
            name = parts[0].lower()
            aliases = {"postgres": "postgresql", "pg": "postgresql", "sqlite3": "sqlite"}
            return {"name": aliases.get(name, name), "version": parts[1] if len(parts) == 2 else None}
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    def __str__(self) -> str:
        return f"{self.name.value} {self.version}" if self.version else self.name.value


# ---------------------------------------------------------------------------------------------
# Schema: DDL file, inline entities, or a live database


class DdlSource(_Model):
    """A DDL file, read with the given dialect (defaults to the target engine's)."""

    json_shorthands = ({"type": "string", "description": "the DDL file's path"},)

    path: Path
    dialect: EngineName | None = None


class SourceDatabase(_Model):
    """A live database to introspect, read-only. The URL may use ``${ENV_VAR}`` for secrets."""

    json_shorthands = ({"type": "string", "description": "the database URL"},)

    url: str
    schema_name: str | None = Field(default=None, alias="schema")

    def __repr__(self) -> str:
        return f"SourceDatabase(url={redact(self.url)!r})"


class ColumnSpec(_Model):
    json_shorthands = ({"type": "string", "description": "the column's type alone"},)

    type: str
    nullable: bool = True
    default: str | int | float | bool | None = None
    identity: bool = False
    unique: bool = False
    primary_key: bool = False
    references: str | None = Field(default=None, description="'table(column)' or 'table'")
    on_delete: str | None = None
    check: str | None = None
    comment: str | None = None
    values: list[str | int] | None = Field(
        default=None, min_length=1, description="the allowed values (an enumeration -> CHECK ... IN)"
    )
    min: float | None = Field(default=None, description="smallest allowed value (-> CHECK)")
    max: float | None = Field(default=None, description="largest allowed value (-> CHECK)")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        return value

    @model_validator(mode="after")
    def _domain(self) -> ColumnSpec:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        if self.type.strip().lower() == "enum" and not self.values:
            raise ValueError("type enum needs values: [a, b, ...]")
        if self.values is not None and len(set(self.values)) != len(self.values):
            raise ValueError("values lists the same value twice")
        return self


#: Cardinalities of a relationship, read from the declaring entity's side (``N:1``: many of this
#: entity belong to one of ``to``). Spelled-out aliases are accepted.
_CARDINALITIES = {
    "1:1": "1:1",
    "one-to-one": "1:1",
    "1:n": "1:N",
    "one-to-many": "1:N",
    "n:1": "N:1",
    "many-to-one": "N:1",
    "m:n": "M:N",
    "n:m": "M:N",
    "m:m": "M:N",
    "many-to-many": "M:N",
}
Cardinality = Literal["1:1", "1:N", "N:1", "M:N"]


def _step_statement_alias(schema: dict[str, Any]) -> None:
    schema["properties"]["statement"] = {"type": "string", "description": "one statement name"}
    schema.pop("required", None)
    schema["oneOf"] = [{"required": ["statements"]}, {"required": ["statement"]}]


def _relationship_mandatory(schema: dict[str, Any]) -> None:
    schema["properties"]["mandatory"] = {"type": "boolean", "description": "the opposite of optional"}
    schema["not"] = {"required": ["optional", "mandatory"]}


_CARDINALITY_JSON = {
    "anyOf": [
        {"enum": ["1:1", "1:N", "N:1", "M:N"]},
        {
            "type": "string",
            "pattern": "^" + _one_of_words(_CARDINALITIES) + "$",
            "description": "other spellings",
        },
    ]
}


class RelationshipSpec(_Model):
    """A relationship from the declaring entity to ``to``.

    ``N:1`` (the default) puts a foreign key on the declaring entity, ``1:N`` on ``to``, ``1:1`` a
    unique foreign key on the declaring entity, and ``M:N`` a junction table. ``optional: false``
    (the default) makes the foreign key NOT NULL. ``name`` is the role: it names the foreign-key
    column (``<name>_id``) or, for M:N, the junction table.
    """

    model_config = ConfigDict(json_schema_extra=_relationship_mandatory)

    to: str = Field(min_length=1)
    cardinality: Annotated[Cardinality, WithJsonSchema(_CARDINALITY_JSON)] = "N:1"
    optional: bool = False
    on_delete: str | None = None
    name: str | None = Field(default=None, min_length=1, max_length=63)
    attributes: dict[str, ColumnSpec] = Field(
        default_factory=dict, description="columns of an M:N relationship's junction table"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict) and "mandatory" in value:
            value = dict(value)
            mandatory = value.pop("mandatory")
            if "optional" in value:
                raise ValueError("give optional or mandatory, not both")
            if not isinstance(mandatory, bool):
                raise ValueError("mandatory is true or false")
            value["optional"] = not mandatory
        return value

    @field_validator("cardinality", mode="before")
    @classmethod
    def _cardinality(cls, value: Any) -> Any:
        if value == 61 and not isinstance(value, bool):
            return "1:1"  # YAML 1.1 reads an unquoted 1:1 as the base-60 integer 61
        if isinstance(value, str):
            key = value.strip().lower().replace(" ", "")
            if key in _CARDINALITIES:
                return _CARDINALITIES[key]
            raise ValueError(f"unknown cardinality {value!r}; use 1:1, 1:N, N:1 or M:N")
        return value

    @model_validator(mode="after")
    def _junction_only(self) -> RelationshipSpec:
        if self.attributes and self.cardinality != "M:N":
            raise ValueError("attributes belong to an M:N relationship's junction table")
        return self


_DEPENDENCY = re.compile(r"^\s*[\w$]+(\s*,\s*[\w$]+)*\s*(->>|->|→)\s*[\w$]+(\s*,\s*[\w$]+)*\s*$")


def dependency_attributes(text: str) -> list[str]:
    """The attribute names a dependency text (``'a, b -> c'``) mentions, left side first."""
    return [part.strip() for part in re.split(r"->>|->|→|,", text) if part.strip()]


def _check_dependency(text: str) -> str:
    if not _DEPENDENCY.match(text):
        raise ValueError(
            f"cannot read dependency {text!r}; write 'a, b -> c' (or 'a ->> b' for a multivalued one)"
        )
    return text


class DenormalizationSpec(_Model):
    """A dependency kept inside a table on purpose, with why and how the copy stays in sync."""

    dependency: str = Field(description="'a -> b': b is a copy determined by a")
    reason: str = Field(min_length=1, description="the workload or SLO that needs the copy")
    sync: str | None = Field(default=None, description="what keeps the copy right: trigger, job, application")

    @field_validator("dependency")
    @classmethod
    def _dependency(cls, value: str) -> str:
        return _check_dependency(value)


class ForeignKeySpec(_Model):
    columns: list[str] = Field(min_length=1)
    references: str = Field(description="'table(col, ...)' or 'table' (its primary key)")
    on_delete: str | None = None
    on_update: str | None = None
    name: str | None = None


class IndexSpec(_Model):
    columns: list[str] = Field(min_length=1, description="column names, optionally followed by DESC")
    unique: bool = False
    where: str | None = None
    include: list[str] = []
    name: str | None = None
    method: str | None = None


class EntitySpec(_Model):
    columns: dict[str, ColumnSpec] = Field(min_length=1)
    primary_key: list[str] = []
    unique: list[list[str]] = []
    foreign_keys: list[ForeignKeySpec] = []
    checks: list[str] = []
    indexes: list[IndexSpec] = []
    comment: str | None = None
    identifiers: list[list[str]] = Field(
        default_factory=list, description="natural keys: each a list of columns (-> UNIQUE NOT NULL)"
    )
    key: Literal["surrogate", "natural"] | None = Field(
        default=None, description="primary key policy when none is declared (default: the designer decides)"
    )
    relationships: list[RelationshipSpec] = Field(default_factory=list)
    functional_dependencies: list[str] = Field(
        default_factory=list, description="'a, b -> c' (or 'a ->> b'): analysed for the table's normal form"
    )
    denormalized: list[DenormalizationSpec] = Field(
        default_factory=list, description="dependencies deliberately kept in this table"
    )

    @field_validator("identifiers")
    @classmethod
    def _identifiers(cls, value: list[list[str]]) -> list[list[str]]:
        for i, ident in enumerate(value):
            if not ident:
                raise ValueError(f"identifiers[{i}] is empty; list the columns of the natural key")
        return value

    @field_validator("functional_dependencies")
    @classmethod
    def _dependencies(cls, value: list[str]) -> list[str]:
        return [_check_dependency(v) for v in value]


class NamingSpec(_Model):
    """Naming conventions for what the designer adds (tables, key and foreign-key columns, constraints)."""

    tables: Literal["as_declared", "plural", "singular"] = "as_declared"
    primary_key: Literal["id", "table_id"] = Field(
        default="id", description="surrogate key column: 'id' or '<singular table>_id'"
    )
    foreign_key_suffix: str = Field(default="_id", min_length=1, max_length=16)


class SchemaSpec(_Model):
    """Exactly one of ``ddl``, ``entities`` or ``source``."""

    ddl: DdlSource | None = None
    entities: dict[str, EntitySpec] | None = None
    source: SourceDatabase | None = None
    naming: NamingSpec = Field(default_factory=NamingSpec)

    @field_validator("ddl", mode="before")
    @classmethod
    def _ddl_path(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value

    @field_validator("source", mode="before")
    @classmethod
    def _source_url(cls, value: Any) -> Any:
        return {"url": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> SchemaSpec:
        given = [k for k in ("ddl", "entities", "source") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of ddl (a DDL file), entities (inline tables) or source (a database URL)"
                + (f"; got {', '.join(given)}" if given else "")
            )
        if self.entities is not None:
            _check_entity_references(self.entities)
        return self


def _check_entity_references(entities: dict[str, EntitySpec]) -> None:
    """Relationship targets name declared entities (column names are checked by the designer, which
    knows the columns relationships add)."""
    for name, entity in entities.items():
        for i, rel in enumerate(entity.relationships):
            if rel.to not in entities:
                raise ValueError(
                    f"entities.{name}.relationships[{i}].to: unknown entity '{rel.to}'"
                    + did_you_mean(rel.to, entities)
                )


# ---------------------------------------------------------------------------------------------
# Sizes and statistics


class ColumnStatsSpec(_Model):
    distinct: float | None = Field(default=None, ge=0, description="number of distinct values")
    null_fraction: float | None = Field(default=None, ge=0, le=1)
    avg_width: float | None = Field(default=None, gt=0, le=1e9, description="average bytes per value")
    hot_values: dict[str, float] = Field(default_factory=dict, description="value -> frequency (0..1)")
    correlation: float | None = Field(default=None, ge=-1, le=1)
    min: str | int | float | None = Field(
        default=None, description="smallest value now (e.g. the oldest timestamp kept: '2025-09-03')"
    )
    max: str | int | float | None = Field(
        default=None, description="largest value now (e.g. the newest timestamp: '2025-12-01 00:00:00+00')"
    )

    @field_validator("min", "max", mode="before")
    @classmethod
    def _bound_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a bound is a number or a value's text, e.g. '2025-09-03'")
        if isinstance(value, datetime | date):
            return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
        return value

    @model_validator(mode="after")
    def _ordered_bounds(self) -> ColumnStatsSpec:
        numbers = (int, float)
        if isinstance(self.min, numbers) and isinstance(self.max, numbers) and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        if isinstance(self.min, str) and isinstance(self.max, str):
            try:
                low, high = datetime.fromisoformat(self.min), datetime.fromisoformat(self.max)
            except ValueError:
                return self
            if (low.tzinfo is None) == (high.tzinfo is None) and low > high:
                raise ValueError(f"min {self.min} is after max {self.max}")
        return self

    @field_validator("hot_values")
    @classmethod
    def _frequencies(cls, value: dict[str, float]) -> dict[str, float]:
        for k, f in value.items():
            if not 0 <= f <= 1:
                raise ValueError(f"frequency of hot value {k!r} must be between 0 and 1, got {f}")
        if sum(value.values()) > 1.0000001:
            raise ValueError("hot value frequencies add up to more than 1")
        return value


class Growth(_Model):
    json_shorthands = (
        {"type": "number", "minimum": 0, "description": "rows per day"},
        _unit_string(r"%\s*(?:/|per)\s*month", "3%/month"),
        _RATE_JSON["anyOf"][1],
    )

    rows_per_day: float | None = Field(default=None, ge=0, le=1e12)
    percent_per_month: float | None = Field(default=None, ge=-100, le=1000)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"rows_per_day": value}
        if isinstance(value, str):
            text = value.strip()
            m = re.fullmatch(_NUMBER + r"\s*%\s*(?:/|per)\s*month", text)
            if m:
                return {"percent_per_month": _to_number(m["num"])}
            return {"rows_per_day": parse_rate(text) * 86400.0}
        return value

    @model_validator(mode="after")
    def _one(self) -> Growth:
        if (self.rows_per_day is None) == (self.percent_per_month is None):
            raise ValueError("growth is either rows per day ('20000/day') or a percentage ('3%/month')")
        return self

    def rows_per_day_at(self, rows: float) -> float:
        """Rows added per day, given the current row count."""
        if self.rows_per_day is not None:
            return self.rows_per_day
        return rows * (self.percent_per_month or 0.0) / 100.0 / 30.0


class TableSizeSpec(_Model):
    rows: Annotated[float, WithJsonSchema(_ROWS_JSON)] = Field(ge=0, le=1e13, description="rows now")
    growth: Growth | None = None
    retention: Days | None = Field(default=None, description="how long rows are kept")
    columns: dict[str, ColumnStatsSpec] = Field(default_factory=dict)

    @field_validator("rows", mode="before")
    @classmethod
    def _rows(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = re.fullmatch(_NUMBER + r"\s*(?P<unit>[kKmMbB]?)", value.strip())
            if not m:
                raise ValueError(f"cannot read row count {value!r}; write e.g. 5000000, 5M or 200k")
            mult = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9}[m["unit"].lower()]
            return _to_number(m["num"]) * mult
        return value


# ---------------------------------------------------------------------------------------------
# Workload


class SloSpec(_Model):
    p95_ms: float | None = Field(default=None, gt=0, le=3.6e6)
    p99_ms: float | None = Field(default=None, gt=0, le=3.6e6)


class StatementSpec(_Model):
    name: str = Field(min_length=1, max_length=200)
    sql: str | None = None
    file: Path | None = Field(default=None, description="a file holding the statement, relative to the brief")
    rate: Rate | None = Field(
        default=None,
        description="executions: '120/s', '3000/day', or a number per second; may be left out for a "
        "statement of a transaction (then derived from the transactions' rates)",
    )
    slo: SloSpec | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="example parameter values")

    @model_validator(mode="after")
    def _sql_or_file(self) -> StatementSpec:
        if (self.sql is None) == (self.file is None):
            raise ValueError("give either sql or file for each statement")
        if self.sql is not None and not self.sql.strip():
            raise ValueError("sql is empty")
        return self


class PgStatStatementsImport(_Model):
    """Statements from ``pg_stat_statements``: a CSV export (``file``) or the live view (``url``)."""

    file: Path | None = None
    url: str | None = None
    min_calls: int = Field(default=1, ge=0)
    #: Seconds the counters cover; calls are divided by it to get a rate.
    period: Days | None = Field(default=None, description="time the counters cover, e.g. '7d'")

    @model_validator(mode="after")
    def _one(self) -> PgStatStatementsImport:
        if (self.file is None) == (self.url is None):
            raise ValueError("pg_stat_statements import needs either file or url")
        return self


class LogImport(_Model):
    """A plain log of statements, one per line or separated by ``;``; each occurrence counts once."""

    file: Path
    dialect: EngineName | None = None
    period: Days = Field(description="time the log covers, e.g. '1d'")


class WorkloadImportSpec(_Model):
    pg_stat_statements: PgStatStatementsImport | None = None
    log: LogImport | None = None

    @model_validator(mode="after")
    def _one(self) -> WorkloadImportSpec:
        if (self.pg_stat_statements is None) == (self.log is None):
            raise ValueError("each import is either pg_stat_statements or log")
        return self


class RepeatSpec(_Model):
    """How often a step runs in one transaction: a count (``10``) or a uniform range
    (``{min: 5, max: 15}``, TPC-C's order lines)."""

    json_shorthands = ({"type": "integer", "minimum": 1, "maximum": 100_000},)

    min: int = Field(ge=1, le=100_000)
    max: int = Field(ge=1, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _from_count(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"min": value, "max": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> RepeatSpec:
        if self.min > self.max:
            raise ValueError(f"repeat min {self.min} is above max {self.max}")
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2.0


class TransactionStepSpec(_Model):
    """One step of a transaction: a statement (``get_item``), or a loop over several
    (``{statements: [get_stock, update_stock], repeat: {min: 5, max: 15}}``), run ``repeat`` times in
    the fraction ``probability`` of the transactions."""

    model_config = ConfigDict(json_schema_extra=_step_statement_alias)
    json_shorthands = ({"type": "string", "description": "one statement name"},)

    statements: list[str] = Field(min_length=1, description="statement names, in order")
    repeat: RepeatSpec = Field(default_factory=lambda: RepeatSpec(min=1, max=1))
    probability: float = Field(default=1.0, gt=0, le=1, description="fraction of transactions running it")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"statements": [value]}
        if isinstance(value, dict) and "statement" in value:
            value = dict(value)
            if "statements" in value:
                raise ValueError("give statement or statements, not both")
            value["statements"] = [value.pop("statement")]
        return value


class TransactionParamSpec(_Model):
    """How a parameter's value relates to another's within one transaction: TPC-C's order line
    supply warehouse ``{equals: w_id, probability: 0.99}`` is the home warehouse in 99% of lines and
    another one otherwise. ``per: iteration`` gives the parameter a new value in every repetition of
    its step (the default for a parameter only repeated steps use)."""

    equals: str | None = Field(default=None, min_length=1, description="the parameter it usually equals")
    probability: float = Field(default=1.0, ge=0, le=1, description="how often it equals it")
    per: Literal["transaction", "iteration"] | None = None

    @model_validator(mode="after")
    def _probability_needs_equals(self) -> TransactionParamSpec:
        if self.equals is None and "probability" in self.model_fields_set:
            raise ValueError("probability says how often the parameter equals another: give equals too")
        return self


class TransactionSpec(_Model):
    """Statements that run together in one transaction, at ``rate``. Statements naming the same
    parameter (``:w_id``) see the same value; ``params`` says how other parameters relate."""

    name: str = Field(min_length=1, max_length=200)
    rate: Rate = Field(description="transactions per second: '450/s', '12860/min'")
    statements: list[TransactionStepSpec] = Field(min_length=1)
    params: dict[str, TransactionParamSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params(self) -> TransactionSpec:
        for name, spec in self.params.items():
            seen = [name]
            current = spec.equals
            while current is not None:
                if current in seen:
                    raise ValueError(f"params: {' -> '.join([*seen, current])} is a cycle of equals")
                seen.append(current)
                nxt = self.params.get(current)
                current = nxt.equals if nxt is not None else None
        return self

    def executions(self) -> dict[str, float]:
        """Executions of each statement per transaction (mean over repeat ranges and probabilities)."""
        out: dict[str, float] = {}
        for step in self.statements:
            for statement in step.statements:
                out[statement] = out.get(statement, 0.0) + step.probability * step.repeat.mean
        return out


class WorkloadSpec(_Model):
    json_shorthands = (
        {"type": "array", "items": {"$ref": "#/$defs/StatementSpec"}, "description": "the statements alone"},
    )

    statements: list[StatementSpec] = Field(default_factory=list)
    imports: list[WorkloadImportSpec] = Field(default_factory=list)
    transactions: list[TransactionSpec] = Field(
        default_factory=list, description="statements that run together, with their rates"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        return {"statements": value} if isinstance(value, list) else value

    @model_validator(mode="after")
    def _unique_names(self) -> WorkloadSpec:
        seen: set[str] = set()
        for s in self.statements:
            if s.name in seen:
                raise ValueError(f"statement name {s.name!r} is used twice; names must be unique")
            seen.add(s.name)
        return self._with_transaction_rates()

    def _with_transaction_rates(self) -> WorkloadSpec:
        """Check the transactions' statement names and derive each statement's rate from them: a
        statement's rate is its transactions' rates times its executions per transaction, plus the
        executions outside transactions when its own ``rate`` says more."""
        names = [s.name for s in self.statements]
        in_transactions: dict[str, float] = {}
        seen: set[str] = set()
        for i, txn in enumerate(self.transactions):
            if txn.name in seen:
                raise ValueError(f"transaction name {txn.name!r} is used twice; names must be unique")
            seen.add(txn.name)
            for j, step in enumerate(txn.statements):
                for name in step.statements:
                    if name not in names:
                        raise ValueError(
                            f"transactions[{i}] ({txn.name}).statements[{j}]: unknown statement "
                            f"'{name}'{did_you_mean(name, names)}"
                        )
            for name, per_transaction in txn.executions().items():
                in_transactions[name] = in_transactions.get(name, 0.0) + txn.rate * per_transaction
        statements: list[StatementSpec] = []
        for s in self.statements:
            derived = in_transactions.get(s.name)
            if s.rate is None:
                if derived is None:
                    raise ValueError(
                        f"statement {s.name!r} has no rate; give rate: (e.g. '120/s') "
                        "or list it in a transaction"
                    )
                statements.append(s.model_copy(update={"rate": derived}))
            elif derived is not None and s.rate < derived * (1 - 1e-9):
                raise ValueError(
                    f"statement {s.name!r} runs {derived:g}/s inside transactions but its rate says "
                    f"{s.rate:g}/s; leave its rate out to derive it, or raise it"
                )
            else:
                statements.append(s)
        return self.model_copy(update={"statements": statements}) if in_transactions else self


# ---------------------------------------------------------------------------------------------
# Budgets, guardrails


class BudgetSpec(_Model):
    storage: Size | None = Field(default=None, description="data + indexes at the horizon")
    index_storage: Size | None = None
    write_amplification: float | None = Field(
        default=None, ge=1, le=1000, description="most index entries maintained per row written"
    )


class NodeSpec(_Model):
    """The capacity of one database node, which the sharding advisor checks the brief against (is
    one node enough?). Every field has a default — a mid-size server — that the report marks as
    such: give your own hardware's figures."""

    memory: Size = Field(default=64 * 10**9, description="RAM of one node (default 64GB)")
    storage: Size = Field(default=2 * 10**12, description="disk for data and indexes (default 2TB)")
    write_rate: Rate = Field(
        default=5000.0, description="write statements per second one node sustains (default 5000/s)"
    )

    @property
    def defaults_used(self) -> tuple[str, ...]:
        """The fields the brief did not give."""
        return tuple(f for f in ("memory", "storage", "write_rate") if f not in self.model_fields_set)


GuardrailLevel = Literal["error", "warning", "off"]


class Brief(_Model):
    """A design brief. See ``examples/`` and ``dbarch brief-schema``."""

    name: str = Field(default="design", min_length=1, max_length=200)
    description: str | None = None
    engine: EngineSpec
    portable_to: list[EngineSpec] = Field(default_factory=list)
    schema_: SchemaSpec = Field(alias="schema")
    tables: dict[str, TableSizeSpec] = Field(default_factory=dict)
    workload: WorkloadSpec = Field(default_factory=WorkloadSpec)
    budgets: BudgetSpec = Field(default_factory=BudgetSpec)
    node: NodeSpec = Field(default_factory=NodeSpec, description="capacity of one database node")
    guardrails: dict[str, GuardrailLevel] = Field(default_factory=dict)
    horizon: Days = Field(default=3 * 365.0, description="how far ahead to plan sizes, e.g. '3y'")

    #: Directory relative paths are resolved against (the brief file's directory).
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _portable_differs(self) -> Brief:
        seen = {self.engine.name}
        for e in self.portable_to:
            if e.name in seen:
                raise ValueError(f"engine {e.name.value} is listed twice (target and portable_to)")
            seen.add(e.name)
        return self

    @property
    def engines(self) -> list[EngineSpec]:
        """The target engine first, then every engine to stay portable to."""
        return [self.engine, *self.portable_to]

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.base_dir / path


# ---------------------------------------------------------------------------------------------
# Loading with locations


def _subclasses(cls: type[_Model]) -> list[type[_Model]]:
    out: list[type[_Model]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def brief_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the brief (for editors: ``dbarch brief-schema``)."""
    schema = Brief.model_json_schema(by_alias=True)
    schema["properties"].pop("base_dir", None)
    models = {m.__name__: m for m in _subclasses(_Model)}
    for name, definition in schema.get("$defs", {}).items():
        shorthands = models[name].json_shorthands if name in models else ()
        if shorthands:
            outer = {k: definition.pop(k) for k in ("title", "description") if k in definition}
            schema["$defs"][name] = {**outer, "anyOf": [definition, *shorthands]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dbarchitect design brief"
    return schema


def _yaml_locations(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each mapping key / sequence item path to its 1-based line in the YAML text."""
    locations: dict[tuple[str | int, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return locations

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        locations[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, child in node.value:
                k = key.value if isinstance(key, yaml.ScalarNode) else str(key)
                locations[(*path, k)] = key.start_mark.line + 1
                walk(child, (*path, k))
                locations[(*path, k)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                walk(child, (*path, i))

    if root is not None:
        walk(root, ())
    return locations


def _error_location(loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int | None:
    """Line of the deepest YAML node along ``loc``; path elements the validators added (such as
    ``statements`` for a workload written as a plain list) are skipped."""
    path: tuple[str | int, ...] = ()
    for element in loc:
        if (*path, element) in lines:
            path = (*path, element)
    return lines.get(path) if path else None


def parse_brief(
    data: Any, *, file: str = "<brief>", text: str | None = None, base_dir: Path | None = None
) -> Brief:
    """Validate already-parsed brief data; errors name ``file``, the line (when ``text`` is YAML/JSON
    text) and the field path."""
    if not isinstance(data, dict):
        raise BriefError(
            Diagnostic("a brief is a mapping with at least 'engine' and 'schema'", file=file, line=1)
        )
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        fields = ".".join(str(p) for p in loc if not (isinstance(p, str) and ("[" in p or "function-" in p)))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field '{loc[-1]}'; see `dbarch brief-schema` for the fields a brief takes"
        elif err["type"] == "missing":
            msg = "is missing; add it (see `dbarch brief-schema`)"
        elif err["type"] == "enum" and "ctx" in err:
            msg = f"{err['input']!r} is not supported; use one of {err['ctx'].get('expected', '')}"
        line = _error_location(loc, _yaml_locations(text)) if text is not None else None
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise BriefError(Diagnostic(msg + suffix, file=file, line=line, field=fields or None)) from None
    if base_dir is not None:
        brief = brief.model_copy(update={"base_dir": base_dir})
    return brief


def load_brief(path: str | Path) -> Brief:
    """Read a brief from a YAML or JSON file. Raises :class:`BriefError` with file and line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BriefError(
            Diagnostic("no such file; give the path of a brief (YAML or JSON)", file=str(p))
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefError(
            Diagnostic(f"cannot read the brief: {exc.__class__.__name__}", file=str(p))
        ) from None
    return loads_brief(text, file=str(p), base_dir=p.resolve().parent)


def loads_brief(text: str, *, file: str = "<brief>", base_dir: Path | None = None) -> Brief:
    """Parse brief text (YAML, of which JSON is a subset)."""
    if file.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BriefError(
                Diagnostic(f"malformed JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno)
            ) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise BriefError(
                Diagnostic(
                    f"malformed YAML: {problem}",
                    file=file,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint="check indentation and quoting",
                )
            ) from None
    return parse_brief(data, file=file, text=text, base_dir=base_dir or Path("."))
