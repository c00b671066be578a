"""Inline ``entities:`` of a brief -> catalog.

Each entity is a table: columns with types written as SQL (``bigint``, ``numeric(12,2)``,
``varchar(255)``), keys, uniqueness, foreign keys (``references: customers(id)``), checks and
indexes. Types are read in the target engine's dialect, so an entity written for PostgreSQL may
say ``jsonb`` or ``timestamptz``. Every reference is checked: a foreign key to a missing table or
column, or a key over a missing column, is an error naming the entity and field.

A column's type may also be a *domain* (:data:`DOMAINS`): ``money`` is an exact decimal
(``numeric(19,4)``, or ``money(12,2)`` for ``numeric(12,2)``), never a binary float nor PostgreSQL's
locale-dependent ``money``; ``email``, ``url``, ``phone``, ``percent`` and ``enum`` map to portable types
with a CHECK where one is meaningful. ``values`` (an enumeration) and ``min`` / ``max`` (a range)
become CHECK constraints; ``identifiers`` (natural keys) become NOT NULL columns under a UNIQUE
constraint. Relationships and functional dependencies are the schema designer's
(``advisors/schema/designer.py``); this reader only builds what the columns say.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.brief import ColumnSpec, EntitySpec, ForeignKeySpec, IndexSpec
from dbarchitect.engines.expressions import statement_node
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import COMMON_RESERVED
from dbarchitect.errors import BriefError, Diagnostic, did_you_mean
from dbarchitect.ingest.sql_limits import guarded, parse_sql
from dbarchitect.ingest.types import parse_column_type
from dbarchitect.limits import LimitExceeded
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    Default,
    DefaultKind,
    ForeignKey,
    Index,
    IndexKey,
    PrimaryKey,
    ReferentialAction,
    Table,
    UniqueConstraint,
)
from dbarchitect.model.names import EngineName, Name


@dataclass(frozen=True)
class Domain:
    """A named attribute domain: the SQL type it stands for, a CHECK template, and why."""

    sql_type: str
    check: str | None
    reason: str


#: Domains a column's ``type`` may name. ``{col}`` in a check stands for the column.
DOMAINS: dict[str, Domain] = {
    "money": Domain(
        "numeric(19,4)",
        None,
        "money is an exact decimal: binary floats round cents, and PostgreSQL's money type depends on "
        "the server's locale",
    ),
    "email": Domain(
        "varchar(254)", "{col} LIKE '%_@_%'", "254 characters is the longest deliverable address"
    ),
    "url": Domain("varchar(2048)", None, "2048 characters is the practical limit of browsers and proxies"),
    "phone": Domain("varchar(32)", None, "E.164 numbers with formatting fit in 32 characters"),
    "percent": Domain("numeric(5,2)", "{col} BETWEEN 0 AND 100", "0.00 to 100.00, exact"),
}
_ORDERED_KEY = re.compile(r"^\s*(?P<column>.*?\S)\s+(?P<order>asc|desc)\s*$", re.IGNORECASE)
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MONEY_SIZED = re.compile(r"^\s*money\s*\(\s*(?P<p>\d+)\s*,\s*(?P<s>\d+)\s*\)\s*$", re.IGNORECASE)


def domain_type(spec: ColumnSpec) -> tuple[str, str | None, str | None]:
    """The SQL type for a column spec, the domain's CHECK template (``{col}``) and the reason, if the
    type names a domain; otherwise the type as written and ``None``, ``None``."""
    text = spec.type.strip()
    key = text.lower()
    sized = _MONEY_SIZED.match(text)
    if sized:
        return (
            f"numeric({sized['p']},{sized['s']})",
            None,
            f"money as an exact decimal with {sized['s']} decimal places",
        )
    if key in DOMAINS:
        domain = DOMAINS[key]
        return domain.sql_type, domain.check, domain.reason
    if key == "enum":
        values = spec.values or []
        if values and all(isinstance(v, int) for v in values):
            return "integer", None, "an enumeration of integers"
        longest = max((len(str(v)) for v in values), default=1)
        return (
            f"varchar({max(longest, 1)})",
            None,
            f"an enumeration; its longest value has {longest} characters",
        )
    return text, None, None


def _value(value: str | int | float) -> exp.Expr:
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    text = repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))
    return exp.Literal.number(text)


def neutral_column(column: str) -> exp.Column:
    """A reference to ``column`` in the catalog's neutral SQL: quoted when it is not a plain word or
    is reserved on every engine (``group``), as the rendered DDL declares it."""
    quoted = not _PLAIN.match(column) or column.lower() in COMMON_RESERVED
    return exp.column(exp.to_identifier(column, quoted=quoted))


def domain_checks(column: str, spec: ColumnSpec) -> list[str]:
    """CHECK expressions (neutral SQL) for a column's domain, enumeration and range, in that order.
    Built as syntax trees, so a value's quotes and backslashes stay inside its literal and a
    reserved or mixed-case column name is quoted as the DDL declares it."""
    checks: list[exp.Expr] = []
    col = neutral_column(column)
    _, template, _ = domain_type(spec)
    if template is not None:
        checks.append(
            sqlglot.parse_one(template.format(col="dbarch_col")).transform(
                lambda n: col.copy() if isinstance(n, exp.Column) and n.name == "dbarch_col" else n
            )
        )
    if spec.values:
        checks.append(exp.In(this=col.copy(), expressions=[_value(v) for v in spec.values]))
    if spec.min is not None and spec.max is not None:
        checks.append(exp.Between(this=col.copy(), low=_value(spec.min), high=_value(spec.max)))
    elif spec.min is not None:
        checks.append(exp.GTE(this=col.copy(), expression=_value(spec.min)))
    elif spec.max is not None:
        checks.append(exp.LTE(this=col.copy(), expression=_value(spec.max)))
    return [c.sql() for c in checks]


_REFERENCE = re.compile(r"^\s*(?P<table>[A-Za-z_][\w$]*)\s*(?:\((?P<cols>[^)]*)\))?\s*$")
_ACTIONS = {a.value.lower().replace(" ", "_"): a for a in ReferentialAction} | {
    a.value.lower(): a for a in ReferentialAction
}


def _fail(message: str, field: str, file: str | None) -> BriefError:
    return BriefError(Diagnostic(message, file=file, field=field))


def _action(value: str | None, field: str, file: str | None) -> ReferentialAction:
    if value is None:
        return ReferentialAction.NO_ACTION
    action = _ACTIONS.get(value.strip().lower())
    if action is None:
        raise _fail(
            f"unknown referential action {value!r}; "
            "use cascade, restrict, set null, set default or no action",
            field,
            file,
        )
    return action


def _default(value: str | int | float | bool | None, dialect: str) -> Default | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Default(DefaultKind.BOOLEAN, "TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        return Default(DefaultKind.NUMBER, repr(value))
    text = value.strip()
    upper = text.upper()
    if upper in {"CURRENT_TIMESTAMP", "NOW()", "CURRENT_TIMESTAMP()", "LOCALTIMESTAMP"}:
        return Default(DefaultKind.CURRENT_TIMESTAMP)
    if upper in {"CURRENT_DATE", "CURRENT_DATE()"}:
        return Default(DefaultKind.CURRENT_DATE)
    if upper == "NULL":
        return Default(DefaultKind.NULL)
    try:
        trees = [t for t in sqlglot.parse(text, read=dialect) if t is not None]
    except (SqlglotError, RecursionError):
        return Default(DefaultKind.STRING, value)
    if len(trees) != 1 or statement_node(trees[0]) is not None:
        # Text that is not one expression (`a; b`, a statement) is a string value, as a bare word is.
        return Default(DefaultKind.STRING, value)
    parsed = trees[0]
    if isinstance(parsed, exp.Literal):
        return Default(DefaultKind.STRING if parsed.is_string else DefaultKind.NUMBER, parsed.this)
    if isinstance(parsed, exp.RawString | exp.National):  # $$text$$, N'text'
        return Default(DefaultKind.STRING, parsed.name)
    if isinstance(parsed, exp.Boolean):
        return Default(DefaultKind.BOOLEAN, "TRUE" if parsed.this else "FALSE")
    if isinstance(parsed, exp.Column):
        # A bare word such as `pending` is meant as a string, not a column reference.
        return Default(DefaultKind.STRING, value)
    return Default(DefaultKind.EXPRESSION, parsed.sql())


def _neutral(sql: str, dialect: str, field: str, file: str | None) -> str:
    """An expression the brief writes (a CHECK, an index's ``where:``) as the catalog's neutral SQL.
    Exactly one expression: text after a ``;``, or a statement, is refused rather than cut."""
    shown = sql if len(sql) <= 80 else sql[:77] + "..."
    try:
        trees = parse_sql(sql, dialect, what=f"the expression {shown!r}", file=file)
        if len(trees) != 1:
            raise _fail(f"{shown!r} is more than one statement (a ';'); write one expression", field, file)
        node = statement_node(trees[0])
        if node is not None or isinstance(trees[0], exp.Query):
            kind = (node or trees[0]).key.upper()
            raise _fail(f"{shown!r} holds a statement ({kind}); write one expression", field, file)
        return guarded(trees[0].sql, what=f"the expression {shown!r}", file=file)
    except LimitExceeded as exc:
        d = exc.diagnostic
        raise _fail(f"{d.message} ({d.hint})" if d.hint else d.message, field, file) from None
    except SqlglotError as exc:
        raise _fail(f"cannot parse {shown!r}: {str(exc).splitlines()[0]}", field, file) from None


class _EntityReader:
    def __init__(self, entities: dict[str, EntitySpec], engine: EngineName, file: str | None) -> None:
        self.entities = entities
        self.engine = engine
        self.dialect = get_traits(engine).sqlglot_dialect
        self.file = file

    def columns_of(self, entity: str) -> list[str]:
        return list(self.entities[entity].columns)

    def check_columns(self, entity: str, columns: list[str], field: str) -> tuple[Name, ...]:
        known = self.columns_of(entity)
        out: list[Name] = []
        for col in columns:
            if col not in known:
                raise _fail(
                    f"entity '{entity}' has no column '{col}'{did_you_mean(col, known)}", field, self.file
                )
            out.append(Name(col))
        return tuple(out)

    def reference(self, text: str, field: str) -> tuple[Name, tuple[Name, ...]]:
        m = _REFERENCE.match(text)
        if not m:
            raise _fail(f"cannot read reference {text!r}; write 'table(column)' or 'table'", field, self.file)
        table = m["table"]
        if table not in self.entities:
            raise _fail(
                f"references unknown entity '{table}'{did_you_mean(table, list(self.entities))}",
                field,
                self.file,
            )
        if m["cols"]:
            cols = [c.strip() for c in m["cols"].split(",") if c.strip()]
        else:
            target = self.entities[table]
            cols = list(target.primary_key) or [c for c, s in target.columns.items() if s.primary_key]
            if not cols:
                raise _fail(
                    f"'{table}' has no primary key to reference; name the columns: '{table}(column)'",
                    field,
                    self.file,
                )
        return Name(table), self.check_columns(table, cols, field)

    identifier_columns: frozenset[str] = frozenset()

    def column(self, name: str, spec: ColumnSpec, field: str) -> Column:
        try:
            logical, serial = parse_column_type(domain_type(spec)[0], self.engine)
        except Exception as exc:  # the type parser raises SqlError; re-home it on the brief field
            message = getattr(exc, "diagnostic", None)
            text = message.message if message is not None else str(exc)
            raise _fail(f"type {spec.type!r}: {text}", f"{field}.type", self.file) from None
        return Column(
            name=Name(name),
            type=logical,
            nullable=spec.nullable and not spec.primary_key and name not in self.identifier_columns,
            default=_default(spec.default, self.dialect),
            identity=spec.identity or serial,
            comment=spec.comment,
        )

    def index(self, entity: str, spec: IndexSpec, field: str) -> Index:
        keys: list[IndexKey] = []
        known = self.columns_of(entity)
        for raw in spec.columns:
            ordered = _ORDERED_KEY.match(raw)
            if raw in known or ordered is None:
                column, desc = raw, False  # a column named with spaces is taken whole
            else:
                column, desc = ordered["column"], ordered["order"].lower() == "desc"
            if column not in known and len(column.split()) > 1:
                raise _fail(f"index column {raw!r}: write 'column' or 'column desc'", field, self.file)
            (col,) = self.check_columns(entity, [column], field)
            keys.append(IndexKey(column=col, descending=desc))
        name = spec.name or f"{entity}_{'_'.join(k.column.value for k in keys if k.column)}_idx"
        return Index(
            name=Name(name),
            keys=tuple(keys),
            unique=spec.unique,
            where=_neutral(spec.where, self.dialect, f"{field}.where", self.file) if spec.where else None,
            include=self.check_columns(entity, spec.include, f"{field}.include"),
            method=spec.method,
        )

    def foreign_key(self, entity: str, spec: ForeignKeySpec, field: str) -> ForeignKey:
        columns = self.check_columns(entity, spec.columns, f"{field}.columns")
        ref_table, ref_cols = self.reference(spec.references, f"{field}.references")
        if len(ref_cols) != len(columns):
            raise _fail(
                f"{len(columns)} column(s) reference {len(ref_cols)} column(s) of '{ref_table}'",
                field,
                self.file,
            )
        return ForeignKey(
            columns=columns,
            ref_table=ref_table,
            ref_columns=ref_cols,
            name=Name(spec.name) if spec.name else None,
            on_delete=_action(spec.on_delete, f"{field}.on_delete", self.file),
            on_update=_action(spec.on_update, f"{field}.on_update", self.file),
        )

    def table(self, entity: str, spec: EntitySpec) -> Table:
        base = f"schema.entities.{entity}"
        identifiers = [
            self.check_columns(entity, ident, f"{base}.identifiers[{i}]")
            for i, ident in enumerate(spec.identifiers)
        ]
        self.identifier_columns = frozenset(c.value for ident in identifiers for c in ident)
        columns = tuple(self.column(n, c, f"{base}.columns.{n}") for n, c in spec.columns.items())
        inline_pk = [n for n, c in spec.columns.items() if c.primary_key]
        if spec.primary_key and inline_pk:
            raise _fail("give the primary key either as primary_key or on columns, not both", base, self.file)
        pk_cols = spec.primary_key or inline_pk
        pk_names = self.check_columns(entity, pk_cols, f"{base}.primary_key")
        columns = tuple(
            Column(c.name, c.type, False, c.default, c.identity, c.generated, c.comment)
            if any(c.name.matches(p) for p in pk_names)
            else c
            for c in columns
        )
        uniques = [UniqueConstraint(columns=(Name(n),)) for n, c in spec.columns.items() if c.unique]
        uniques += [
            UniqueConstraint(columns=self.check_columns(entity, u, f"{base}.unique[{i}]"))
            for i, u in enumerate(spec.unique)
        ]
        for ident in identifiers:
            same = pk_names and {c.value for c in ident} == {c.value for c in pk_names}
            if not same and all({c.value for c in u.columns} != {c.value for c in ident} for u in uniques):
                uniques.append(UniqueConstraint(columns=ident))
        fks = [
            self.foreign_key(
                entity,
                ForeignKeySpec(columns=[n], references=c.references, on_delete=c.on_delete),
                f"{base}.columns.{n}.references",
            )
            for n, c in spec.columns.items()
            if c.references
        ]
        fks += [
            self.foreign_key(entity, f, f"{base}.foreign_keys[{i}]") for i, f in enumerate(spec.foreign_keys)
        ]
        checks = [
            CheckConstraint(_neutral(c.check, self.dialect, f"{base}.columns.{n}.check", self.file))
            for n, c in spec.columns.items()
            if c.check
        ]
        checks += [
            CheckConstraint(_neutral(c, self.dialect, f"{base}.checks[{i}]", self.file))
            for i, c in enumerate(spec.checks)
        ]
        checks += [CheckConstraint(expr) for n, c in spec.columns.items() for expr in domain_checks(n, c)]
        indexes = tuple(self.index(entity, ix, f"{base}.indexes[{i}]") for i, ix in enumerate(spec.indexes))
        return Table(
            name=Name(entity),
            columns=columns,
            primary_key=PrimaryKey(pk_names) if pk_names else None,
            uniques=tuple(uniques),
            foreign_keys=tuple(fks),
            checks=tuple(checks),
            indexes=indexes,
            comment=spec.comment,
        )


def load_entities(entities: dict[str, EntitySpec], engine: EngineName, *, file: str | None = None) -> Catalog:
    """Build a catalog from a brief's inline entities, in declaration order."""
    reader = _EntityReader(entities, engine, file)
    return Catalog(tables=tuple(reader.table(n, s) for n, s in entities.items()), origin="entities")
