"""What a guardrail rule is, what it sees, and what it reports.

A rule is one class in ``guardrails/rules/<rule_id>.py``: a kebab-case ``id`` (the same in the file
name, the docs page, config keys, suppression comments and JSON output), the ``engines`` it applies
to, a one-line ``summary``, a default ``level``, and ``check()``, which looks at one statement of a
migration file with its :class:`LintContext` (engine traits, transaction state, session settings,
tables created earlier in the file, the catalog and table sizes when given) and yields
:class:`Draft` findings. The runner turns drafts into :class:`Finding` objects with the rule id, the
level and the statement's span, and applies suppressions and the user's level overrides.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from sqlglot import exp

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.reading import Problem
from dbarchitect.ingest.types import parse_column_type
from dbarchitect.model.catalog import Catalog, Table, TableStats
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind

#: A table at or above this many rows is "big": a full scan or rewrite under a lock that blocks writes
#: stalls them for about a second or more. Measured on PostgreSQL 15: ``SET NOT NULL`` scanned 3M rows
#: in 284 ms, and a rewrite costs several times a scan, so 1M rows is where a rewrite passes a second.
BIG_TABLE_ROWS = 1_000_000

POSTGRES = frozenset({EngineName.POSTGRESQL})
MYSQL_FAMILY = frozenset({EngineName.MYSQL, EngineName.MARIADB})
ALL_ENGINES = frozenset(EngineName)


class Level(StrEnum):
    """How much a finding matters: an ``error`` fails the check (exit 1), a ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"


class RuleConfigError(DbarchError):
    """A rule id in a config or a suppression comment is unknown, or a level is not one we know."""


@dataclass(frozen=True)
class Fix:
    """Text that replaces the whole statement (without its closing semicolon); it may hold several
    statements separated by ``;``. ``span`` is the statement's place in the file, the text the
    replacement replaces (set by the runner: a finding's own span may point inside the statement)."""

    description: str
    replacement: str
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Draft:
    """What a rule says about a statement; the runner adds the rule id, level and span."""

    message: str
    hint: str | None = None
    fix: Fix | None = None
    #: A softer level than the rule's own when the rule cannot be sure (e.g. no catalog to compare).
    level: Level | None = None
    #: Where in the statement the finding points (a character offset), when not at its start.
    offset: int | None = None


@dataclass(frozen=True)
class Span:
    """1-based lines and columns; the end is inclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    #: Character offsets in the file (end exclusive), for fixes.
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Finding:
    """What one lint rule found in one statement of a migration file.

    Attributes:
        rule_id: The rule, e.g. ``require-concurrent-index-creation`` (``docs/rules/<id>.md``).
        level: ``error`` or ``warning``.
        message: What breaks, why, and the safe alternative, in the file's own names.
        span: Where: 1-based ``line``, ``column``, ``end_line``, ``end_column``.
        file: The file linted (``None`` for SQL text given without a name).
        hint: More on what to do, when there is more.
        fix: A replacement for the whole statement (``fix.description``, ``fix.replacement``),
            when the rule knows the safe form.
    """

    rule_id: str
    level: Level
    message: str
    span: Span
    file: str | None = None
    hint: str | None = None
    fix: Fix | None = None


@dataclass(frozen=True)
class Statement:
    """One statement of the migration file: its text, where it is, and its parse tree.

    ``node`` is sqlglot's tree (``exp.Command`` when sqlglot kept it opaque, None when it could not
    parse it); ``words`` is the text without comments, upper-cased with whitespace collapsed, for the
    statements sqlglot keeps as opaque commands (``VACUUM FULL``, ``ALTER TYPE ... ADD VALUE``).

    ``problem`` says why the engine would refuse it as SQL (``invalid-sql``); ``unread`` lists what no
    rule could read of it (``statement-not-checked``). A ``derived`` statement was read from within
    another: one action of an ``ALTER TABLE`` sqlglot could not read whole (its ``words`` are empty:
    word rules read the whole statement) or a statement of a DO block; fixes do not apply to it.
    ``client`` marks a client command (a psql meta-command, a mysql ``DELIMITER`` line). ``pg`` is
    PostgreSQL's own parse of it (a ``pglast`` node), on PostgreSQL.
    """

    sql: str
    span: Span
    node: exp.Expr | None
    words: str
    index: int
    problem: Problem | None = None
    unread: tuple[str, ...] = ()
    derived: bool = False
    client: bool = False
    pg: Any = None

    def alter_table(self) -> exp.Alter | None:
        if isinstance(self.node, exp.Alter) and (self.node.args.get("kind") or "").upper() == "TABLE":
            return self.node
        return None


def table_name(node: exp.Expr | None) -> str | None:
    """The table's name as written (no schema), or None."""
    if isinstance(node, exp.Table):
        return node.name or None
    if isinstance(node, exp.Schema):
        return table_name(node.this)
    return None


_NOT_CODE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$", re.DOTALL)


def column_offset(statement: Statement, column: str) -> int | None:
    """Where in ``statement`` the column ``column`` is declared or acted on (``ADD COLUMN x``,
    ``ALTER COLUMN x``, ``MODIFY x``, ``DROP COLUMN x``, or its definition in a ``CREATE TABLE``), as
    a character offset for :attr:`Draft.offset`; None when not found as written, or for an action read
    on its own (its text is not the file's)."""
    if statement.derived and not statement.words:
        return None
    code = _NOT_CODE.sub(lambda m: " " * len(m.group(0)), statement.sql)
    name = rf"(?P<name>\"{re.escape(column)}\"|`{re.escape(column)}`|\b{re.escape(column)}\b)"
    for pattern in (
        rf"\b(?:ALTER|MODIFY|CHANGE|DROP|RENAME)\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{name}",
        rf"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{name}",
        rf"[(,]\s*{name}\s",
    ):
        m = re.search(pattern, code, re.IGNORECASE)
        if m:
            return m.start("name")
    return None


def as_written(sql: str, name: str) -> str:
    """``name`` (found upper-cased in a statement's ``words``) as the user wrote it in ``sql``."""
    m = re.search(re.escape(name), sql, re.IGNORECASE)
    return m.group(0) if m else name


def ident(node: exp.Expr | None) -> str:
    """An identifier or column's name as written."""
    if node is None:
        return "?"
    if isinstance(node, exp.Identifier | exp.Column | exp.ColumnDef):
        return str(node.name)
    if isinstance(node.this, exp.Identifier):
        return str(node.this.name)
    return node.sql()


@dataclass
class LintContext:
    """What a rule may know besides the statement: engine, catalog, sizes, and the file so far.

    The runner updates it as it walks the file: ``BEGIN``/``COMMIT`` move ``in_transaction``,
    ``SET`` and ``set_config()`` record ``settings`` (``SET LOCAL`` ones are dropped at the end of the
    transaction), ``CREATE TABLE`` adds to ``created_tables`` (a table created in the same file holds no
    rows yet, so locking it harms nobody).
    """

    traits: EngineTraits
    catalog: Catalog | None = None
    sizes: Mapping[str, TableStats] = field(default_factory=dict)
    in_transaction: bool = False
    settings: dict[str, str] = field(default_factory=dict)
    local_settings: set[str] = field(default_factory=set)
    created_tables: set[str] = field(default_factory=set)
    #: Constraints added NOT VALID in the open transaction (name -> table), for the VALIDATE check.
    not_valid_in_transaction: dict[str, str] = field(default_factory=dict)
    #: ``(table, column)`` pairs with a validated ``CHECK (column IS NOT NULL)`` seen in the file.
    #: (table, column) -> names of the validated ``CHECK (column IS NOT NULL)`` constraints proving it
    #: (a dropped constraint proves nothing any more).
    not_null_proofs: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: Check constraints added in the file: name -> (table, column) when the check is ``col IS NOT NULL``.
    not_null_checks: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Tables altered (ALTER TABLE) in the open transaction: their strong lock lasts until COMMIT.
    altered_in_transaction: set[str] = field(default_factory=set)
    #: Enum values added (``ALTER TYPE ... ADD VALUE``) in the open transaction: type -> values.
    enum_values_in_transaction: dict[str, set[str]] = field(default_factory=dict)
    #: Column types this file declared for existing tables (``ADD COLUMN``, an earlier ``TYPE``
    #: change): (table, column) lower-cased -> type, the proof of an old type when there is no catalog.
    column_types: dict[tuple[str, str], LogicalType] = field(default_factory=dict)
    #: Functions created earlier in the file: name (lower case) -> volatility (``volatile``,
    #: ``stable``, ``immutable``; CREATE FUNCTION's default is volatile).
    functions: dict[str, str] = field(default_factory=dict)
    #: Rules that report once per file note here that they did.
    reported: set[str] = field(default_factory=set)

    @property
    def engine(self) -> EngineName:
        return self.traits.engine

    @property
    def dialect(self) -> str:
        return self.traits.sqlglot_dialect

    def prove_not_null(self, name: str) -> None:
        """The check constraint ``name`` is validated: its column is proven NOT NULL."""
        pair = self.not_null_checks.get(name)
        if pair is not None:
            self.not_null_proofs.setdefault(pair, set()).add(name)

    def drop_constraint(self, name: str) -> None:
        for names in self.not_null_proofs.values():
            names.discard(name)

    def proven_not_null(
        self, table: str, column: str, dropped: set[str] | frozenset[str] = frozenset()
    ) -> bool:
        """Whether a validated check still in place proves ``table.column`` NOT NULL (ignoring the
        constraints in ``dropped``: a statement that drops the proof while setting NOT NULL scans)."""
        return bool(self.not_null_proofs.get((table.lower(), column.lower()), set()) - set(dropped))

    def is_new(self, table: str | None) -> bool:
        """Whether ``table`` (``name``, ``schema.name``, quoted or not) was created earlier in the file."""
        if table is None:
            return False
        bare = table.rsplit(".", 1)[-1].strip('"`')
        return table.lower() in self.created_tables or bare.lower() in self.created_tables

    def table(self, table: str | None) -> Table | None:
        if table is None or self.catalog is None:
            return None
        return self.catalog.table(table)

    def stats(self, table: str | None) -> TableStats | None:
        if table is None:
            return None
        for key, value in self.sizes.items():
            if key.lower() == table.lower():
                return value
        known = self.table(table)
        return known.stats if known is not None else None

    def rows(self, table: str | None) -> float | None:
        stats = self.stats(table)
        return stats.rows if stats is not None else None

    def may_be_big(self, table: str | None) -> bool:
        """True unless the table was created in this file or its known size is below
        :data:`BIG_TABLE_ROWS` (an unknown size is treated as big: nothing is guessed)."""
        if self.is_new(table):
            return False
        rows = self.rows(table)
        return rows is None or rows >= BIG_TABLE_ROWS

    def has_rows(self, table: str | None) -> bool:
        """True unless the table was created in this file or is known to be empty."""
        if self.is_new(table):
            return False
        rows = self.rows(table)
        return rows is None or rows > 0

    def size_note(self, table: str | None) -> str:
        rows = self.rows(table)
        if rows is None:
            return "its size is not known"
        return f"it holds about {rows:,.0f} rows"


class Rule:
    """Base class of every rule; subclasses set the class variables and implement ``check``."""

    id: ClassVar[str]
    engines: ClassVar[frozenset[EngineName]]
    summary: ClassVar[str]
    level: ClassVar[Level] = Level.ERROR

    def applies_to(self, engine: EngineName) -> bool:
        return engine in self.engines

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        raise NotImplementedError


@dataclass(frozen=True)
class TypeChange:
    """A column's type restated by ``ALTER COLUMN ... TYPE`` (PostgreSQL) or ``MODIFY`` / ``CHANGE``
    (MySQL, MariaDB), with the old type when the catalog knows it."""

    table: str
    column: str
    new_sql: str
    new: LogicalType | None
    old: LogicalType | None
    action: exp.Expr


def type_changes(statement: Statement, context: LintContext) -> list[TypeChange]:
    alter = statement.alter_table()
    if alter is None:
        return []
    table = table_name(alter.this) or "?"
    changes: list[TypeChange] = []
    for action in alter.args.get("actions") or []:
        if isinstance(action, exp.AlterColumn) and isinstance(action.args.get("dtype"), exp.DataType):
            column, dtype = ident(action.this), action.args["dtype"]
        elif isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
            definition = action.this
            dtype = definition.args.get("kind")
            if not isinstance(dtype, exp.DataType):
                continue
            column = (
                ident(action.args["rename_from"])
                if action.args.get("rename_from")
                else ident(definition.this)
            )
        else:
            continue
        known = context.table(table)
        old_column = known.column(column) if known is not None else None
        old = context.column_types.get((table.lower(), column.lower()))
        if old_column is not None:
            old = old_column.type
        changes.append(
            TypeChange(
                table,
                column,
                written_type(dtype, context),
                logical_type(dtype, context),
                old,
                action,
            )
        )
    return changes


def written_type(dtype: exp.DataType, context: LintContext) -> str:
    """A column type as the engine writes it, lower-cased unless it carries values or a user's name."""
    text = str(dtype.sql(context.dialect))
    if dtype.this in (exp.DType.ENUM, exp.DType.SET, exp.DType.USERDEFINED):
        return text
    return text.lower()


def old_type_sql(change: TypeChange, context: LintContext) -> str:
    """The old type in the engine's own spelling (``numeric(10,2)``, ``varchar(255)``)."""
    if change.old is None:
        return "?"
    try:
        return context.traits.type_sql(change.old)
    except ValueError:
        return change.old.kind.value


def logical_type(dtype: exp.DataType, context: LintContext) -> LogicalType | None:
    """The logical type of a written column type, or None when it is not one we know (a named enum)."""
    try:
        return parse_column_type(dtype, context.engine)[0]
    except DbarchError:
        return None


STRING_KINDS = frozenset({TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT})


def retype_sql(sql: str, column: str, old_type: str, new_type: str) -> str | None:
    """``sql`` with ``column``'s declared type (matching the regex ``old_type``) replaced by ``new_type``,
    keeping the user's own formatting; None when the declaration is not found as written."""
    name = rf"(?:\"{re.escape(column)}\"|`{re.escape(column)}`|\b{re.escape(column)}\b)"
    pattern = re.compile(
        rf"({name}\s+(?:AS\s+)?(?:SET\s+DATA\s+)?(?:TYPE\s+)?)(?:{old_type})(?![\w(])", re.IGNORECASE
    )
    fixed, count = pattern.subn(lambda m: m.group(1) + new_type, sql, count=1)
    return fixed if count else None


R = TypeVar("R")


def discover_rules(package: ModuleType, base: type[R]) -> tuple[R, ...]:
    """One instance of every subclass of ``base`` defined in the modules of ``package`` (one rule per
    module), sorted by rule id: lint rules and design rules are found the same way."""
    found: list[Any] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, base)
                and value is not base
                and value.__module__ == module.__name__
            ):
                found.append(value())
    return tuple(sorted(found, key=lambda r: str(r.id)))


@dataclass(frozen=True)
class DeclaredType:
    """A type a statement declares (PostgreSQL, from its own parser): a column's type in CREATE TABLE,
    ADD COLUMN or ALTER COLUMN ... TYPE, a composite type's attribute, a domain's base type.

    ``base`` is PostgreSQL's internal name of the element type (``bpchar`` for ``char(n)``,
    ``character(n)`` and ``bpchar``; ``timestamp`` for ``timestamp(3) without time zone``), whatever
    the spelling; ``array`` tells an array of it (``char(2)[]``, ``timestamp ARRAY``)."""

    owner: str
    base: str
    qualified: bool
    array: bool
    modifiers: tuple[int, ...]


def declared_types(statement: Statement) -> list[DeclaredType]:
    """Every type ``statement`` declares, in order (see :class:`DeclaredType`); none off PostgreSQL
    or for a statement read from within another as one action (its whole statement has them)."""
    pg = statement.pg
    if pg is None:
        return []
    found: list[DeclaredType] = []

    def add(owner: str, type_name: Any) -> None:
        if type_name is None or not type_name.names:
            return
        names = [str(getattr(n, "sval", "")) for n in type_name.names]
        modifiers = tuple(
            int(m.val.ival) for m in type_name.typmods or () if hasattr(m, "val") and hasattr(m.val, "ival")
        )
        found.append(
            DeclaredType(owner, names[-1].lower(), len(names) > 1, bool(type_name.arrayBounds), modifiers)
        )

    def column(definition: Any) -> None:
        add(str(definition.colname), definition.typeName)

    kind = type(pg).__name__
    if kind in ("CreateStmt", "CreateForeignTableStmt"):
        for element in pg.tableElts or ():
            if type(element).__name__ == "ColumnDef":
                column(element)
    elif kind == "AlterTableStmt":
        for cmd in pg.cmds or ():
            definition: Any = getattr(cmd, "def_", None)
            if type(definition).__name__ == "ColumnDef":
                if definition.colname is None:  # ALTER COLUMN ... TYPE: the command names the column
                    add(str(cmd.name), definition.typeName)
                else:
                    column(definition)
    elif kind == "CompositeTypeStmt":
        for element in pg.coldeflist or ():
            column(element)
    elif kind == "CreateDomainStmt":
        add(".".join(str(n.sval) for n in pg.domainname), pg.typeName)
    return found


def option_on(options: Any, name: str) -> bool:
    """Whether a PostgreSQL option list (``VACUUM (FULL false)``, ``REINDEX (CONCURRENTLY)``) turns
    ``name`` on: named with no value, or with true/on/1 (PostgreSQL's defGetBoolean)."""
    for option in options or ():
        if str(getattr(option, "defname", "")).lower() != name:
            continue
        arg = getattr(option, "arg", None)
        if arg is None:
            return True
        value = getattr(arg, "sval", None)
        if value is None:
            value = getattr(arg, "ival", None)
        if value is None:
            value = getattr(arg, "boolval", None)
        return str(value).lower() in ("true", "on", "1", "t", "yes", "y")
    return False


def not_null_columns(expr: Any) -> list[str]:
    """The columns a PostgreSQL CHECK expression (pglast) proves NOT NULL, as PostgreSQL's
    ``SET NOT NULL`` proof sees them: ``col IS NOT NULL``, ``NOT (col IS NULL)``, either as one of the
    terms of a top-level AND."""
    kind = type(expr).__name__
    if kind == "NullTest" and type(expr.arg).__name__ == "ColumnRef" and int(expr.nulltesttype) == 1:
        return [str(expr.arg.fields[-1].sval)]
    if kind == "BoolExpr" and int(expr.boolop) == 0:  # AND
        return [c for arg in expr.args for c in not_null_columns(arg)]
    if kind == "BoolExpr" and int(expr.boolop) == 2:  # NOT
        inner = expr.args[0]
        if (
            type(inner).__name__ == "NullTest"
            and type(inner.arg).__name__ == "ColumnRef"
            and int(inner.nulltesttype) == 0
        ):
            return [str(inner.arg.fields[-1].sval)]
    return []
