"""Helpers that read sqlglot nodes of DDL into catalog pieces (names, defaults, index keys,
foreign keys) and split a DDL script into statements; shared by the DDL reader
(:mod:`dbarchitect.ingest.ddl`) and live introspection, which reads the engine's own text with
the same rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import TokenError

from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import CatalogError, Diagnostic, SqlError
from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.model.catalog import Default, DefaultKind, ForeignKey, IndexKey, ReferentialAction
from dbarchitect.model.names import EngineName, Name


def _dialect(engine: EngineName) -> str:
    return get_traits(engine).sqlglot_dialect


_ACTION = re.compile(r"ON\s+(DELETE|UPDATE)\s+(CASCADE|RESTRICT|SET\s+NULL|SET\s+DEFAULT|NO\s+ACTION)", re.I)


@dataclass(frozen=True)
class SqlStatement:
    """One statement of a script and the 1-based line it starts on."""

    sql: str
    line: int


def split_statements(text: str, dialect: EngineName, *, file: str | None = None) -> list[SqlStatement]:
    """Split a script on the dialect's semicolon tokens (comments and strings are respected)."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(_dialect(dialect)).tokenize(text)
    except TokenError as exc:
        raise SqlError(Diagnostic(f"cannot tokenize the SQL: {exc}", file=file)) from None
    statements: list[SqlStatement] = []
    start: int | None = None
    line = 1
    end = 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                statements.append(SqlStatement(text[start : end + 1], line))
            start = None
            continue
        if start is None:
            start, line = token.start, token.line
            # Comments before the first token belong to no statement.
        end = token.end
    if start is not None:
        statements.append(SqlStatement(text[start : end + 1], line))
    return statements


def node_name(node: exp.Expression | None) -> Name:
    if isinstance(node, exp.Identifier):
        return Name(node.this, bool(node.args.get("quoted")))
    if isinstance(node, exp.Column | exp.Table):
        ident = node.this
        if isinstance(ident, exp.Identifier):
            return Name(ident.this, bool(ident.args.get("quoted")))
    if isinstance(node, exp.Expression) and isinstance(node.this, exp.Expression):
        return node_name(node.this)
    raise CatalogError(Diagnostic(f"expected a name, found {node.sql() if node else 'nothing'}"))


def node_names(nodes: list[exp.Expression]) -> tuple[Name, ...]:
    return tuple(node_name(n) for n in nodes)


def neutral_sql(node: exp.Expression) -> str:
    return node.sql()


def default_from_node(node: exp.Expression, *, bit_strings: bool = False) -> Default:
    """A column default. With ``bit_strings`` (PostgreSQL), ``B'0101'`` and ``X'1F'`` are bit
    strings, kept as the string of their bits (what the engine reads back); otherwise they are the
    integers MySQL makes of them."""
    if isinstance(node, exp.Paren):
        return default_from_node(node.this, bit_strings=bit_strings)
    if bit_strings and isinstance(node, exp.HexString | exp.BitString):
        digits = str(node.this)
        if isinstance(node, exp.HexString):
            digits = "".join(f"{int(c, 16):04b}" for c in digits)
        return Default(DefaultKind.STRING, digits)
    if isinstance(node, exp.Null):
        return Default(DefaultKind.NULL)
    if isinstance(node, exp.Boolean):
        return Default(DefaultKind.BOOLEAN, "TRUE" if node.this else "FALSE")
    if isinstance(node, exp.Literal):
        return Default(DefaultKind.STRING if node.is_string else DefaultKind.NUMBER, node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return Default(DefaultKind.NUMBER, f"-{node.this.this}")
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return default_from_node(node.this, bit_strings=bit_strings)
    if _spelled_now(node):
        # PostgreSQL keeps now() and CURRENT_TIMESTAMP apart in its catalog: the spelling is kept.
        return Default(DefaultKind.CURRENT_TIMESTAMP, "now()")
    if isinstance(node, exp.CurrentTimestamp | exp.CurrentDatetime) or (
        isinstance(node, exp.Anonymous | exp.Func) and node.sql().upper() == "NOW()"
    ):
        return Default(DefaultKind.CURRENT_TIMESTAMP)
    if isinstance(node, exp.CurrentDate):
        return Default(DefaultKind.CURRENT_DATE)
    return Default(DefaultKind.EXPRESSION, neutral_sql(with_now_spelled(node)))


def with_now_spelled(node: exp.Expression) -> exp.Expression:
    """``node`` with PostgreSQL's ``now()`` kept as written (sqlglot reads it as CURRENT_TIMESTAMP,
    which PostgreSQL keeps apart in a default's text)."""
    if any(_spelled_now(n) for n in node.find_all(exp.CurrentTimestamp)):
        return node.transform(lambda n: exp.Anonymous(this="now") if _spelled_now(n) else n)
    return node


def _spelled_now(node: exp.Expression) -> bool:
    """Whether ``node`` is PostgreSQL's ``now()``, which sqlglot reads as CURRENT_TIMESTAMP (the
    node remembers the three characters of the function's name)."""
    meta = node.meta if isinstance(node, exp.CurrentTimestamp) else {}
    return node.args.get("this") is None and meta.get("end", 0) - meta.get("start", 0) == 2


def referential_actions(reference: exp.Reference) -> tuple[ReferentialAction, ReferentialAction]:
    on_delete = on_update = ReferentialAction.NO_ACTION
    for option in reference.args.get("options") or []:
        text = option if isinstance(option, str) else option.sql()
        for m in _ACTION.finditer(text):
            action = ReferentialAction(" ".join(m.group(2).upper().split()))
            if m.group(1).upper() == "DELETE":
                on_delete = action
            else:
                on_update = action
    return on_delete, on_update


#: The key prefix dbarchitect's own MySQL/MariaDB rendering gives a long text column (an index
#: needs one): implied, not a clause of the user's (:func:`mysql_key_clauses`).
IMPLIED_TEXT_PREFIX = 191
_LONG_TEXT = re.compile(r"^(?:tiny|medium|long)?(?:text|blob)\b|^json\b", re.I)


def mysql_key_clauses(
    keys: list[tuple[str, int | None, str]], comment: str | None, ignored: bool
) -> list[str]:
    """What a MySQL/MariaDB index says that the catalog does not hold, in one text for a DDL file
    and a database: each key's prefix length (``code(5)``; ``keys`` are (column, prefix, column
    type)), its COMMENT and IGNORED. The prefix the tool writes for a long text key is implied."""
    out = [
        f"{column.lower()}({length})"
        for column, length, type_text in keys
        if length is not None and not (length == IMPLIED_TEXT_PREFIX and _LONG_TEXT.match(type_text))
    ]
    if comment:
        out.append("COMMENT '" + comment.replace("'", "''") + "'")
    if ignored:
        out.append("IGNORED")
    return out


def mysql_table_options(engine: str, collation: str, row_format: str, default_collation: str) -> str:
    """A MySQL/MariaDB table's options the catalog does not hold, in one text for a file and a
    database: a storage engine other than InnoDB, a collation other than the default one, a row
    format."""
    parts = []
    if engine and engine.upper() != "INNODB":
        parts.append(f"ENGINE={engine.upper()}")
    if collation and collation.lower() != default_collation.lower():
        parts.append(f"COLLATE={collation.lower()}")
    if row_format:
        parts.append(f"ROW_FORMAT={row_format.upper()}")
    return "; ".join(parts)


def mysql_partition_flavor(method: str) -> str:
    """A MySQL/MariaDB partitioning method the catalog does not tell apart from the one the tool
    writes (``KEY``, ``RANGE COLUMNS``, ``LIST COLUMNS``): ``PARTITION BY HASH``, ``LIST``,
    ``LINEAR KEY``..., in one text for a file and a database; empty for the tool's own."""
    text = " ".join(method.upper().split())
    return "" if text in ("", "KEY", "RANGE COLUMNS", "LIST COLUMNS") else f"PARTITION BY {text}"


def index_extras(params: exp.Expression | None, *, nulls: bool) -> list[str]:
    """What an index's parameters say that the catalog does not hold: key collations, NULLS
    FIRST/LAST other than the default (``nulls``: PostgreSQL's rule), storage parameters
    (``WITH (fillfactor = 70)``), a tablespace."""
    if not isinstance(params, exp.IndexParameters):
        return []
    out = []
    for key in params.args.get("columns") or []:
        node = key.this if isinstance(key, exp.Ordered) else key
        if isinstance(node, exp.Opclass):
            node = node.this  # the operator class is the key's (IndexKey.opclass)
        if isinstance(node, exp.Collate):
            out.append(node.sql(dialect="postgres"))
        if (
            nulls
            and isinstance(key, exp.Ordered)
            and bool(key.args.get("desc")) != bool(key.args.get("nulls_first"))
        ):
            out.append(key.sql(dialect="postgres"))
    storage = params.args.get("with_storage")
    if isinstance(storage, list) and storage:
        # a value as PostgreSQL prints it back (fillfactor='70') or as written (fillfactor = 70): one text
        values = (re.sub(r"=\s*'([\w.]+)'$", r"=\1", p.sql(dialect="postgres")) for p in storage)
        out.append("WITH (" + ", ".join(values) + ")")
    tablespace = params.args.get("tablespace")
    if isinstance(tablespace, exp.Expression):
        out.append(f"TABLESPACE {tablespace.sql(dialect='postgres')}")
    return out


#: Identity options beyond "identity": sequence parameters the catalog does not hold.
IDENTITY_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "on_null")


def reference_options(reference: exp.Reference) -> list[str]:
    """A foreign key's options other than its ON DELETE / ON UPDATE actions (MATCH FULL,
    DEFERRABLE, INITIALLY DEFERRED), which the catalog does not hold."""
    out = []
    for option in reference.args.get("options") or []:
        text = option if isinstance(option, str) else option.sql()
        rest = _ACTION.sub("", text).strip()
        if rest and rest.upper() not in ("NOT DEFERRABLE", "INITIALLY IMMEDIATE", "MATCH SIMPLE"):
            out.append(rest)
    return out


def foreign_key(columns: tuple[Name, ...], reference: exp.Reference, name: Name | None) -> ForeignKey:
    schema = reference.this
    if isinstance(schema, exp.Schema):
        ref_table = node_name(schema.this)
        ref_cols = node_names(schema.expressions)
    else:
        ref_table, ref_cols = node_name(schema), ()
    on_delete, on_update = referential_actions(reference)
    return ForeignKey(columns, ref_table, ref_cols, name, on_delete, on_update)


def index_key_from_node(node: exp.Expression) -> IndexKey:
    desc = False
    if isinstance(node, exp.Ordered):
        desc = bool(node.args.get("desc"))
        node = node.this
    opclass = None
    if isinstance(node, exp.Opclass):
        opclass = node.expression.sql(dialect="postgres").lower()
        node = node.this
    if isinstance(node, exp.Collate):
        # The key itself; the collation is an unmodeled clause (index_extras).
        node = node.this
    if isinstance(node, exp.ColumnPrefix):  # MySQL prefix index `col(10)`: the column is the key
        node = node.this
    if isinstance(node, exp.Column | exp.Identifier):
        return IndexKey(column=node_name(node), descending=desc, opclass=opclass)
    if isinstance(node, exp.Paren):
        node = node.this
    return IndexKey(expression=neutral_sql(node), descending=desc, opclass=opclass)


_LEADING_COMMENTS = re.compile(r"^(?:\s*(?:--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|/\*(?!!).*?\*/))*", re.S)


def script_statements(text: str, dialect: EngineName, *, file: str | None = None) -> list[SqlStatement]:
    """The script's statements; a MySQL/MariaDB script with ``DELIMITER`` lines (a dump with
    triggers and routines) is split as the ``mysql`` client splits it, so a compound body stays
    one statement."""
    if dialect in (EngineName.MYSQL, EngineName.MARIADB) and re.search(r"^\s*DELIMITER\s", text, re.I | re.M):
        pieces = split_script(text, dialect)
        out = []
        for p in pieces:
            body = _LEADING_COMMENTS.sub("", p.text).strip()
            if p.kind == PieceKind.SQL and body:
                out.append(SqlStatement(body, text.count("\n", 0, p.start) + 1))
        return out
    return split_statements(text, dialect, file=file)
