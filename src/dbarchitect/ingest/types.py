"""Engine type names -> neutral logical types.

One table per family of sqlglot type tokens, read in the source engine's dialect, so that
``numeric(12,2)`` on PostgreSQL, ``DECIMAL(12,2)`` on MySQL and ``NUMERIC(12,2)`` on SQLite are all
the same exact decimal, and ``serial``/``bigserial`` are integer types that carry identity.
MySQL facts: ``TINYINT(1)`` is its boolean, ``DATETIME`` has no time zone and ``TIMESTAMP`` is
stored in UTC (so it maps to a time-zone-aware timestamp). SQLite declared types are free text:
well-known names keep their meaning; anything else falls back to SQLite's affinity rules.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.errors import Diagnostic, SqlError
from dbarchitect.ingest.native_types import extension_of, native_type
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind

T = exp.DataType.Type

_DIALECT = {
    EngineName.POSTGRESQL: "postgres",
    EngineName.MYSQL: "mysql",
    EngineName.MARIADB: "mysql",
    EngineName.SQLITE: "sqlite",
    EngineName.DUCKDB: "duckdb",
}

_SIMPLE: dict[exp.DType, TypeKind] = {
    T.BOOLEAN: TypeKind.BOOLEAN,
    T.BIT: TypeKind.BOOLEAN,
    T.TINYINT: TypeKind.SMALLINT,
    T.UTINYINT: TypeKind.SMALLINT,
    T.SMALLINT: TypeKind.SMALLINT,
    T.USMALLINT: TypeKind.INTEGER,
    T.MEDIUMINT: TypeKind.INTEGER,
    T.UMEDIUMINT: TypeKind.INTEGER,
    T.INT: TypeKind.INTEGER,
    T.UINT: TypeKind.BIGINT,
    T.BIGINT: TypeKind.BIGINT,
    T.UBIGINT: TypeKind.DECIMAL,
    T.FLOAT: TypeKind.REAL,
    T.DOUBLE: TypeKind.DOUBLE,
    T.TEXT: TypeKind.TEXT,
    T.TINYTEXT: TypeKind.TEXT,
    T.MEDIUMTEXT: TypeKind.TEXT,
    T.LONGTEXT: TypeKind.TEXT,
    T.NAME: TypeKind.TEXT,
    T.BLOB: TypeKind.BINARY,
    T.TINYBLOB: TypeKind.BINARY,
    T.MEDIUMBLOB: TypeKind.BINARY,
    T.LONGBLOB: TypeKind.BINARY,
    T.DATE: TypeKind.DATE,
    T.DATE32: TypeKind.DATE,
    T.TIME: TypeKind.TIME,
    T.TIMETZ: TypeKind.TIME,
    T.DATETIME: TypeKind.TIMESTAMP,
    T.DATETIME2: TypeKind.TIMESTAMP,
    T.TIMESTAMP: TypeKind.TIMESTAMP,
    T.TIMESTAMPNTZ: TypeKind.TIMESTAMP,
    T.TIMESTAMPTZ: TypeKind.TIMESTAMPTZ,
    T.TIMESTAMPLTZ: TypeKind.TIMESTAMPTZ,
    T.INTERVAL: TypeKind.INTERVAL,
    T.UUID: TypeKind.UUID,
    T.JSON: TypeKind.JSON,
    T.JSONB: TypeKind.JSON,
    T.YEAR: TypeKind.SMALLINT,
}
_SERIAL = {T.SERIAL: TypeKind.INTEGER, T.SMALLSERIAL: TypeKind.SMALLINT, T.BIGSERIAL: TypeKind.BIGINT}
_LENGTHED = {
    T.CHAR: TypeKind.CHAR,
    T.NCHAR: TypeKind.CHAR,
    T.VARCHAR: TypeKind.VARCHAR,
    T.NVARCHAR: TypeKind.VARCHAR,
    T.BINARY: TypeKind.BINARY,
    T.VARBINARY: TypeKind.BINARY,
}
_DECIMALS = {T.DECIMAL, T.BIGDECIMAL, T.UDECIMAL, T.DECIMAL32, T.DECIMAL64, T.DECIMAL128}


def _params(dt: exp.DataType) -> list[int]:
    out: list[int] = []
    for e in dt.expressions:
        node = e.this if isinstance(e, exp.DataTypeParam) else e
        if isinstance(node, exp.Literal) and not node.is_string:
            try:
                out.append(int(node.this))
            except ValueError:
                continue
    return out


def _sqlite_affinity(name: str) -> TypeKind:
    """SQLite's rules for a declared type it does not know (datatype3.html, section 3.1)."""
    upper = name.upper()
    if "INT" in upper:
        return TypeKind.BIGINT
    if any(s in upper for s in ("CHAR", "CLOB", "TEXT")):
        return TypeKind.TEXT
    if "BLOB" in upper or not upper:
        return TypeKind.BINARY
    if any(s in upper for s in ("REAL", "FLOA", "DOUB")):
        return TypeKind.DOUBLE
    return TypeKind.DECIMAL


#: Types whose logical kind loses part of what they are, per sqlglot dialect: the engine's own
#: spelling is kept (``LogicalType.native``) so the same engine gets them back exactly.
_NATIVE: dict[str, frozenset[object]] = {
    "postgres": frozenset({T.MONEY, T.TIMETZ, T.JSON, T.BIT}),
    "mysql": frozenset(
        {
            T.TINYINT, T.UTINYINT, T.USMALLINT, T.MEDIUMINT, T.UMEDIUMINT, T.UINT, T.UBIGINT, T.UDECIMAL,
            T.BIT, T.TINYTEXT, T.TEXT, T.MEDIUMTEXT, T.LONGTEXT, T.TINYBLOB, T.BLOB, T.MEDIUMBLOB,
            T.LONGBLOB, T.BINARY, T.YEAR, T.TIME, T.DATETIME, T.TIMESTAMP, T.TIMESTAMPTZ,
        }
    ),
}  # fmt: skip
#: MySQL's integer display widths (``int(11)``, ``year(4)``) change nothing a column holds.
_DISPLAY_WIDTH = re.compile(r"^((?:tiny|small|medium|big)?int|year)\(\d+\)")


def _convert(dt: exp.DataType, engine: EngineName, text: str) -> tuple[LogicalType, bool]:
    logical, identity = _convert_kind(dt, engine, text)
    dialect = _DIALECT[engine]
    if dt.this in _NATIVE.get(dialect, ()) and logical.kind != TypeKind.BOOLEAN:
        native = dt.sql(dialect=dialect).lower().replace(", ", ",")
        if dialect == "mysql":
            native = _DISPLAY_WIDTH.sub(r"\1", native)
        logical = replace(logical, native=f"{dialect}:{native}")
    elif dt.this == T.BIT and dialect != "sqlite":
        logical = replace(logical, native=f"{dialect}:{dt.sql(dialect=dialect).lower()}")
    return logical, identity


def _convert_kind(dt: exp.DataType, engine: EngineName, text: str) -> tuple[LogicalType, bool]:
    kind = dt.this
    params = _params(dt)
    if kind in _SERIAL:
        return LogicalType(_SERIAL[kind]), True
    if kind == T.TINYINT and engine in (EngineName.MYSQL, EngineName.MARIADB) and params == [1]:
        return LogicalType(TypeKind.BOOLEAN), False
    if kind == T.UBIGINT:
        return LogicalType(TypeKind.DECIMAL, precision=20, scale=0), False
    if kind in _SIMPLE:
        logical = LogicalType(_SIMPLE[kind])
        if logical.kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ, TypeKind.TIME) and params:
            logical = LogicalType(logical.kind, precision=params[0])
        return logical, False
    if kind in _LENGTHED:
        return LogicalType(_LENGTHED[kind], length=params[0] if params else None), False
    if kind in _DECIMALS:
        precision = params[0] if params else None
        scale = params[1] if len(params) > 1 else (0 if precision is not None else None)
        return LogicalType(TypeKind.DECIMAL, precision=precision, scale=scale), False
    if kind == T.MONEY:
        return LogicalType(TypeKind.DECIMAL, precision=19, scale=4), False
    if kind == T.SMALLMONEY:
        return LogicalType(TypeKind.DECIMAL, precision=10, scale=4), False
    if kind == T.ENUM:
        values = tuple(e.this for e in dt.expressions if isinstance(e, exp.Literal))
        return LogicalType(TypeKind.ENUM, values=values), False
    if kind == T.ARRAY and dt.expressions and isinstance(dt.expressions[0], exp.DataType):
        element, _ = _convert(dt.expressions[0], engine, text)
        return LogicalType(TypeKind.ARRAY, element=element), False
    if engine == EngineName.SQLITE:
        return LogicalType(_sqlite_affinity(text)), False
    raise SqlError(
        Diagnostic(
            f"type {text!r} is not supported on {engine.value}",
            hint="use a standard type (integer, bigint, numeric(p,s), varchar(n), text, timestamp, json...)",
        )
    )


def parse_column_type(
    type_sql: str | exp.DataType,
    dialect: EngineName,
    enums: dict[str, tuple[str, ...]] | None = None,
    *,
    declared: Collection[str] | None = (),
) -> tuple[LogicalType, bool]:
    """The logical type of a column type written for ``dialect``, and whether it implies identity
    (``serial``). ``enums`` maps named enum types (PostgreSQL ``CREATE TYPE ... AS ENUM``) to values.

    A type with no neutral kind is kept as the engine's own (:mod:`dbarchitect.ingest.native_types`):
    a built-in one always; a user-declared one (domain, composite type, extension type) when its name
    is in ``declared`` (a DDL file's declarations so far), or whatever its name when ``declared`` is
    ``None`` (read from a live database, where every type it reports exists)."""
    sqlglot_dialect = _DIALECT[dialect]
    if isinstance(type_sql, exp.DataType):
        text = type_sql.sql(dialect=sqlglot_dialect)
    else:
        text = type_sql.strip()
        if not text:
            raise SqlError(Diagnostic("empty type name"))
    builtin = native_type(text, sqlglot_dialect, declared=())
    if builtin is not None:
        return builtin, False
    try:
        return _parse_neutral(type_sql, text, dialect, enums)
    except SqlError:
        native = native_type(text, sqlglot_dialect, declared=declared)
        if native is not None:
            return native, False
        base = (LogicalType(TypeKind.NATIVE, native=f"x:{text}").native_base or "").lower()
        extension = extension_of(base.removeprefix("public.")) if dialect == EngineName.POSTGRESQL else None
        if extension is not None:
            raise SqlError(
                Diagnostic(
                    f"type {text!r} belongs to extension {extension}, which the schema does not create",
                    hint=f"add CREATE EXTENSION {extension}; before the tables that use it",
                )
            ) from None
        raise


def _parse_neutral(
    type_sql: str | exp.DataType, text: str, dialect: EngineName, enums: dict[str, tuple[str, ...]] | None
) -> tuple[LogicalType, bool]:
    if isinstance(type_sql, exp.DataType):
        dt = type_sql
    else:
        try:
            dt = exp.DataType.build(text, dialect=_DIALECT[dialect], udt=True)
        except (SqlglotError, ValueError):
            if dialect == EngineName.SQLITE:
                return LogicalType(_sqlite_affinity(text)), False
            raise SqlError(Diagnostic(f"cannot read type {text!r} for {dialect.value}")) from None
    if dt.this == T.USERDEFINED:
        kind = dt.args.get("kind")
        # sqlglot gives the name as text, an Identifier, or a Dot (schema-qualified).
        if isinstance(kind, exp.Expression):
            name = ".".join(i.this for i in kind.find_all(exp.Identifier)).lower() or kind.sql().lower()
        else:
            name = str(kind or text).strip().strip('"').lower()
        if enums and name.split(".")[-1] in enums:
            short = name.split(".")[-1]
            return LogicalType(TypeKind.ENUM, values=enums[short], type_name=short), False
        if dialect == EngineName.SQLITE:
            return LogicalType(_sqlite_affinity(text)), False
        if name == "citext":
            return LogicalType(TypeKind.TEXT, native="postgres:citext"), False
        raise SqlError(
            Diagnostic(
                f"type {text!r} is not a known type on {dialect.value}",
                hint="declare it before use (CREATE TYPE, DOMAIN or EXTENSION), or use a standard type",
            )
        )
    return _convert(dt, dialect, text)


def parse_type(type_sql: str | exp.DataType, dialect: EngineName) -> LogicalType:
    """The logical type of ``type_sql`` (see :func:`parse_column_type`)."""
    return parse_column_type(type_sql, dialect)[0]


def narrow_unsigned_keys(catalog: Catalog, unsigned: Mapping[str, set[str]]) -> Catalog:
    """``BIGINT UNSIGNED`` key columns (``unsigned``: table key -> column keys) become BIGINT:
    identities, primary, foreign and unique keys and indexed columns hold surrogate ids, which never
    pass 2**63, and every engine joins BIGINT keys natively. Other unsigned bigints (hashes,
    counters) stay exact decimal(20,0), which holds their whole range. A DDL file and the database
    it built are read by this one rule."""
    keys: dict[str, set[str]] = {t.name.key: set() for t in catalog.tables}
    for t in catalog.tables:
        k = t.name.key
        keys[k] |= {c.name.key for c in t.columns if c.identity}
        keys[k] |= {c.key for c in t.primary_key.columns} if t.primary_key else set()
        for fk in t.foreign_keys:
            keys[k] |= {c.key for c in fk.columns}
            if fk.ref_table.key in keys:
                keys[fk.ref_table.key] |= {c.key for c in fk.ref_columns}
        for unique in t.uniques:
            keys[k] |= {c.key for c in unique.columns}
        for index in t.indexes:
            keys[k] |= {c.key for c in index.columns}
    tables = []
    for t in catalog.tables:
        narrowed = unsigned.get(t.name.key, set()) & keys[t.name.key]
        if narrowed:
            t = replace(
                t,
                columns=tuple(
                    replace(c, type=LogicalType(TypeKind.BIGINT, native=c.type.native))
                    if c.name.key in narrowed
                    else c
                    for c in t.columns
                ),
            )
        tables.append(t)
    return replace(catalog, tables=tuple(tables))
