"""Engine types with no neutral kind, kept as the engine's own spelling (``TypeKind.NATIVE``).

A PostgreSQL ``inet``, ``tstzrange``, ``interval day to second(3)``, ``bit varying(16)``, a domain,
an extension's ``hstore``, or a MariaDB ``inet6`` or ``point``, holds values no other kind describes.
Such a column is read as ``LogicalType(TypeKind.NATIVE, native="<dialect>:<spelling>")`` so the same
engine writes it back exactly and two different spellings are two different types.

The spelling is canonical: the one the engine itself prints for the column, so a DDL file and the
database it built compare equal.

- PostgreSQL: ``format_type()`` (``varbit(16)`` -> ``bit varying(16)``, ``INTERVAL DAY TO SECOND``
  -> ``interval day to second``, ``inet[][]`` -> ``inet[]`` since array dimensions are not stored,
  ``public.hstore`` -> ``hstore``, ``"char"`` kept quoted).
- MariaDB: ``information_schema.COLUMNS.COLUMN_TYPE`` (``INET6`` -> ``inet6``, ``SET('a', 'b')`` ->
  ``set('a','b')``).

Which names are types: the engine's built-in types listed here; in a DDL file also the types the
file declares before the column (``CREATE DOMAIN``, ``CREATE TYPE``, and the types of an extension
it creates with ``CREATE EXTENSION``: an extension type the file never declares is refused, since
the file would fail on a database without it); in a live database every type the server reports
(it exists there).

sqlglot reads ``bit varying(n)`` and ``interval <fields>(p)`` only partly (it fails on them inside
CREATE TABLE, and ``exp.DataType.build`` drops the length and precision), so a PostgreSQL DDL
statement has them replaced by a quoted placeholder type before it is parsed
(:func:`protect_types`; MariaDB's ``inet6`` and geometry types too), which :func:`native_type` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from dbarchitect.model.types import LogicalType, TypeKind

#: PostgreSQL built-in types with no neutral kind (PostgreSQL 15, chapter 8, "Data Types").
PG_BUILTIN = frozenset(
    {
        "inet", "cidr", "macaddr", "macaddr8",
        "xml", "tsvector", "tsquery", "pg_lsn", "pg_snapshot", "txid_snapshot", "jsonpath",
        "point", "line", "lseg", "box", "path", "polygon", "circle",
        "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
        "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
        "datemultirange",
        "bit varying", "interval",
        "oid", "regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regconfig",
        '"char"',
    }
)  # fmt: skip

#: Types an extension brings (the extension's own documentation): usable once it is created.
PG_EXTENSION_TYPES: dict[str, tuple[str, ...]] = {
    "hstore": ("hstore",),
    "ltree": ("ltree", "lquery", "ltxtquery"),
    "cube": ("cube",),
    "seg": ("seg",),
    "isn": ("ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc"),
    "postgis": ("geometry", "geography", "box2d", "box3d"),
    "vector": ("vector", "halfvec", "sparsevec"),
}

#: MariaDB types with no neutral kind (MariaDB 10.11, "Data Types": INET4/INET6, geometry types, SET).
MYSQL_BUILTIN = frozenset(
    {
        "inet6", "inet4", "set", "geometry", "point", "linestring", "polygon", "multipoint",
        "multilinestring", "multipolygon", "geometrycollection",
    }
)  # fmt: skip

#: PostGIS prints a geometry's subtype in its own case (``geometry(Point,4326)``).
_POSTGIS_SUBTYPES = {
    s.lower(): s
    for base in (
        "Geometry", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
        "GeometryCollection", "CircularString", "CompoundCurve", "CurvePolygon", "MultiCurve",
        "MultiSurface", "PolyhedralSurface", "Triangle", "Tin",
    )
    for s in (base, base + "Z", base + "M", base + "ZM")
}  # fmt: skip

_PLACEHOLDER = "dbarch_native:"
#: The placeholder: a quoted type name on PostgreSQL, a one-value ENUM on MySQL (whose parser takes
#: no user-defined type names).
_PLACEHOLDER_RE = re.compile(r"\"dbarch_native:([^\"]*)\"|ENUM\('dbarch_native:([^']*)'\)", re.IGNORECASE)
_FIELDS = r"(?:year|month|day|hour|minute|second)"
_SKIPPED = r"(?P<skip>'(?:[^'\\]|''|\\.)*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|--[^\n]*|#[^\n]*|/\*.*?\*/"
#: PostgreSQL spellings sqlglot reads wrongly, outside strings and comments.
_PG_PROTECT = re.compile(
    r"(?P<skip>'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\$(?P<tag>\w*)\$.*?\$(?P=tag)\$)"
    rf"|\b(?P<type>bit\s+varying(?:\s*\(\s*\d+\s*\))?|varbit(?:\s*\(\s*\d+\s*\))?"
    rf"|interval\s+{_FIELDS}(?:\s+to\s+{_FIELDS})?(?:\s*\(\s*\d+\s*\))?|interval\s*\(\s*\d+\s*\))"
    r"(?![\w$])",
    re.IGNORECASE | re.DOTALL,
)
#: MariaDB types sqlglot's MySQL parser refuses in a column definition: a name after the column's
#: name, followed by the end of the definition or a column attribute.
_MYSQL_PROTECT = re.compile(
    _SKIPPED
    + r")|(?<=[\w`])(?P<space>\s+)(?P<type>inet6|inet4|point|linestring|polygon|multipoint|multilinestring"
    r"|multipolygon|geometrycollection)(?=\s*(?:,|\)|NOT\b|NULL\b|DEFAULT\b|PRIMARY\b|UNIQUE\b|KEY\b|COMMENT\b"
    r"|INVISIBLE\b|CHECK\b|REFERENCES\b|REF_SYSTEM_ID\b|SRID\b|$))",
    re.IGNORECASE | re.DOTALL,
)


def protect_types(sql: str, dialect: str) -> str:
    """``sql`` with the type spellings sqlglot cannot read in ``dialect`` (PostgreSQL ``bit
    varying(16)``, ``interval day to second(3)``; MariaDB ``inet6``, ``point``) replaced by a
    placeholder type :func:`native_type` reads back."""
    if dialect == "postgres":

        def pg(m: re.Match[str]) -> str:
            if m.group("type") is None:
                return m.group(0)
            return f'"{_PLACEHOLDER}{" ".join(m.group("type").split()).lower()}"'

        return _PG_PROTECT.sub(pg, sql)
    if dialect == "mysql":

        def mysql(m: re.Match[str]) -> str:
            if m.group("type") is None:
                return m.group(0)
            return f"{m.group('space')}ENUM('{_PLACEHOLDER}{m.group('type').lower()}')"

        return _MYSQL_PROTECT.sub(mysql, sql)
    return sql


def placeholder_in(sql: str) -> str | None:
    """The protected type spelling still in ``sql`` (an expression that casts to one), if any."""
    m = _PLACEHOLDER_RE.search(sql)
    return (m.group(1) or m.group(2)) if m else None


def _unprotected(text: str) -> str:
    return _PLACEHOLDER_RE.sub(lambda m: m.group(1) or m.group(2), text)


_SHAPE = re.compile(
    r"^(?P<base>.*?)\s*(?P<mods>\((?:[^()']|'(?:[^']|'')*')*\))?\s*(?P<dims>(?:\[\s*\d*\s*\]\s*)*)$", re.S
)


def _plain_name(base: str, *, fold: bool) -> str:
    base = " ".join(base.split())
    if base.startswith('"') and base.endswith('"') and base.count('"') == 2:
        inner = base[1:-1]
        # a quoted name that needs no quotes is the plain name ("inet" is inet; "char" is not char)
        return inner if re.fullmatch(r"[a-z_][a-z0-9_$]*", inner) and inner != "char" else base
    base = base.lower() if fold else base
    for schema in ("public.", "pg_catalog."):
        if base.startswith(schema):
            base = base[len(schema) :]
    return base


def _pg_modifiers(base: str, mods: str) -> str:
    inner = [p.strip() for p in mods[1:-1].split(",")]
    if base in ("geometry", "geography") and inner:
        inner[0] = _POSTGIS_SUBTYPES.get(inner[0].lower(), inner[0])
        return "(" + ",".join(inner) + ")"
    return "(" + ",".join(p.lower() for p in inner) + ")"


def _pg_spelling(text: str) -> tuple[str, str] | None:
    """(base name, canonical spelling) of a PostgreSQL type written ``text``."""
    m = _SHAPE.match(_unprotected(text.strip()))
    if m is None:
        return None
    base = _plain_name(m.group("base"), fold=True)
    if base == "varbit":
        base = "bit varying"
    mods = _pg_modifiers(base, m.group("mods")) if m.group("mods") else ""
    dims = "[]" if m.group("dims") else ""
    return base, f"{base}{mods}{dims}"


def native_type(
    text: str,
    dialect: str,
    *,
    declared: Collection[str] | None = None,
) -> LogicalType | None:
    """The native logical type of a type written ``text`` in sqlglot ``dialect``, or ``None`` when it
    is not one (a neutral kind reads it, or the name is unknown).

    ``declared``: the user-declared type names usable here (domains, composite and range types,
    extension types); ``None`` means every name is a type (a live database, which has them all)."""
    if dialect == "postgres":
        found = _pg_spelling(text)
        if found is None:
            return None
        base, spelling = found
        if base.startswith("interval"):
            # plain `interval` is the neutral kind; fields or a precision are PostgreSQL's own
            if spelling.rstrip("[]") == "interval":
                return None
        elif (
            base not in PG_BUILTIN
            and (declared is None or base not in declared)
            and (declared is not None or not _is_name(base))
        ):
            return None
        return LogicalType(TypeKind.NATIVE, native=f"postgres:{spelling}")
    if dialect == "mysql":
        m = _SHAPE.match(_unprotected(text.strip()))
        if m is None or m.group("dims"):
            return None
        base = " ".join(m.group("base").split()).lower()
        if base not in MYSQL_BUILTIN:
            return None
        mods = m.group("mods") or ""
        if base == "set":
            if not mods:
                return None
            mods = "(" + ",".join(re.findall(r"'(?:[^']|'')*'", mods)) + ")"
        elif mods:
            return None
        return LogicalType(TypeKind.NATIVE, native=f"mysql:{base}{mods}")
    return None


def _is_name(base: str) -> bool:
    """A type name as format_type prints a user type: an identifier, maybe quoted or qualified."""
    part = r'(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")'
    return re.fullmatch(rf"{part}(?:\.{part})?", base) is not None


def declared_pg_types(objects: Collection[tuple[str, str]]) -> frozenset[str]:
    """Type names a DDL file makes usable: (kind, name) of its domains, types and extensions."""
    names: set[str] = set()
    for kind, name in objects:
        if kind in ("domain", "type"):
            names.add(name.removeprefix("public."))
        elif kind == "extension":
            names.update(PG_EXTENSION_TYPES.get(name.lower(), ()))
    return frozenset(names)


def extension_of(base: str) -> str | None:
    """The extension that brings PostgreSQL type ``base``, if it is a known one."""
    return next((ext for ext, types in PG_EXTENSION_TYPES.items() if base in types), None)


__all__ = [
    "MYSQL_BUILTIN",
    "PG_BUILTIN",
    "PG_EXTENSION_TYPES",
    "declared_pg_types",
    "extension_of",
    "native_type",
    "placeholder_in",
    "protect_types",
]
