"""Engine-neutral logical column types.

A :class:`LogicalType` says what a column holds (exact decimal of precision 12 and scale 2, a
timestamp with time zone, JSON) and never how one engine spells it; each engine module maps logical
types to its own type names. Exact numerics stay exact everywhere: money is never REAL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TypeKind(StrEnum):
    BOOLEAN = "boolean"
    SMALLINT = "smallint"
    INTEGER = "integer"
    BIGINT = "bigint"
    DECIMAL = "decimal"
    REAL = "real"
    DOUBLE = "double"
    CHAR = "char"
    VARCHAR = "varchar"
    TEXT = "text"
    BINARY = "binary"
    DATE = "date"
    TIME = "time"
    TIMESTAMP = "timestamp"
    TIMESTAMPTZ = "timestamptz"
    INTERVAL = "interval"
    UUID = "uuid"
    JSON = "json"
    ENUM = "enum"
    ARRAY = "array"
    #: A type of one engine with no neutral kind (PostgreSQL ``inet``, ``tstzrange``, a domain;
    #: MariaDB ``inet6``): ``LogicalType.native`` holds its canonical spelling, which only that
    #: engine renders; another engine maps it with a note where the mapping is faithful, or refuses.
    NATIVE = "native"


INTEGER_KINDS = frozenset({TypeKind.SMALLINT, TypeKind.INTEGER, TypeKind.BIGINT})
STRING_KINDS = frozenset({TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT, TypeKind.ENUM})
TEMPORAL_KINDS = frozenset({TypeKind.DATE, TypeKind.TIME, TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ})

#: Largest value an integer kind holds (signed).
INTEGER_MAX = {TypeKind.SMALLINT: 2**15 - 1, TypeKind.INTEGER: 2**31 - 1, TypeKind.BIGINT: 2**63 - 1}

#: Bytes a value of a fixed-width kind takes on disk (typical across engines).
FIXED_WIDTH = {
    TypeKind.BOOLEAN: 1,
    TypeKind.SMALLINT: 2,
    TypeKind.INTEGER: 4,
    TypeKind.BIGINT: 8,
    TypeKind.REAL: 4,
    TypeKind.DOUBLE: 8,
    TypeKind.DATE: 4,
    TypeKind.TIME: 8,
    TypeKind.TIMESTAMP: 8,
    TypeKind.TIMESTAMPTZ: 8,
    TypeKind.INTERVAL: 16,
    TypeKind.UUID: 16,
}


#: Typical bytes a value of an engine type held natively takes (base name, modifiers and array
#: brackets removed): PostgreSQL's storage sizes (chapter 8, "Data Types"), varlena header included.
NATIVE_WIDTH = {
    "postgres:inet": 10,
    "postgres:cidr": 10,
    "postgres:macaddr": 6,
    "postgres:macaddr8": 8,
    "postgres:pg_lsn": 8,
    "postgres:point": 16,
    "postgres:line": 24,
    "postgres:lseg": 32,
    "postgres:box": 32,
    "postgres:circle": 24,
    "postgres:int4range": 14,
    "postgres:int8range": 22,
    "postgres:daterange": 14,
    "postgres:tsrange": 22,
    "postgres:tstzrange": 22,
    "postgres:numrange": 24,
    "postgres:interval": 16,
    "postgres:bit varying": 12,
    "mysql:inet6": 16,
    "mysql:inet4": 4,
    "mysql:point": 25,
}


@dataclass(frozen=True)
class LogicalType:
    """What a column holds. ``length`` for char/varchar/binary, ``precision``/``scale`` for decimal
    (and fractional-second precision for time kinds), ``values`` for enums, ``element`` for arrays."""

    kind: TypeKind
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    values: tuple[str, ...] = ()
    element: LogicalType | None = None
    #: Name of a named type (a PostgreSQL enum type), when the schema gave one.
    type_name: str | None = None
    #: The engine's own type, ``<sqlglot dialect>:<type>`` (``postgres:MONEY``,
    #: ``postgres:TIMETZ``), when ``kind`` does not carry all of it; the same engine writes it back
    #: as it was, and two columns whose native types differ are different.
    native: str | None = None

    @property
    def native_engine(self) -> str | None:
        """The sqlglot dialect whose type ``native`` spells (``postgres``, ``mysql``), if any."""
        return self.native.split(":", 1)[0] if self.native is not None else None

    @property
    def native_spelling(self) -> str | None:
        """``native`` without its dialect (``inet``, ``interval day to second(3)``)."""
        return self.native.split(":", 1)[1] if self.native is not None else None

    @property
    def native_base(self) -> str | None:
        """The native type's name without modifiers or array brackets (``bit varying``, ``inet``)."""
        spelling = self.native_spelling
        if spelling is None:
            return None
        base = spelling.split("(", 1)[0].split("[", 1)[0].strip()
        if base.startswith("interval"):
            return "interval"
        return base

    @property
    def is_integer(self) -> bool:
        return self.kind in INTEGER_KINDS

    @property
    def is_string(self) -> bool:
        return self.kind in STRING_KINDS

    @property
    def is_temporal(self) -> bool:
        return self.kind in TEMPORAL_KINDS

    def estimated_width(self) -> int:
        """Average bytes a value takes, for size estimates when no statistics are given."""
        if self.kind in FIXED_WIDTH:
            return FIXED_WIDTH[self.kind]
        if self.kind == TypeKind.DECIMAL:
            return 4 + ((self.precision or 18) + 3) // 4 * 2 // 2 + 4
        if self.kind in (TypeKind.CHAR,):
            return (self.length or 1) + 1
        if self.kind in (TypeKind.VARCHAR, TypeKind.BINARY):
            return min(self.length or 64, 64) // 2 + 2 if (self.length or 0) > 8 else (self.length or 8) + 1
        if self.kind == TypeKind.ENUM:
            return 4
        if self.kind in (TypeKind.TEXT, TypeKind.JSON):
            return 64
        if self.kind == TypeKind.ARRAY:
            return 64
        if self.kind == TypeKind.NATIVE:
            spelling = self.native_spelling or ""
            if spelling.endswith("]"):
                return 64
            if self.native_base == "bit varying":
                m = spelling.split("(", 1)
                bits = int(m[1].rstrip(")")) if len(m) > 1 and m[1].rstrip(")").isdigit() else 64
                return 5 + (bits + 7) // 8
            # free-length values (xml, tsvector, hstore, polygon, a domain...): like text
            return NATIVE_WIDTH.get(f"{self.native_engine}:{self.native_base}", 64)
        return 8

    def __str__(self) -> str:
        if self.kind == TypeKind.NATIVE and self.native_spelling is not None:
            return self.native_spelling
        if self.kind == TypeKind.DECIMAL and self.precision is not None:
            return f"decimal({self.precision},{self.scale or 0})"
        if self.kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.BINARY) and self.length is not None:
            return f"{self.kind.value}({self.length})"
        if self.kind == TypeKind.ENUM:
            return "enum(" + ", ".join(repr(v) for v in self.values) + ")"
        if self.kind == TypeKind.ARRAY and self.element is not None:
            return f"{self.element}[]"
        return self.kind.value
