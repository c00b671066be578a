"""Read one statement of a migration: does the engine accept it, and what can the rules see of it.

Two parsers, because neither alone is enough:

- **Whether the statement parses at all** is the engine's grammar's question. On PostgreSQL it is
  asked of PostgreSQL's own parser (libpg_query, through ``pglast``): a syntax error is reported
  with the server's message and position, and nothing PostgreSQL accepts is called invalid. On
  MySQL and MariaDB, which have no such library, a statement is invalid when its leading keywords
  are no statement's (``ALTR TABLE``, ``CREATE TABEL``), an ``ALTER TABLE`` action starts with no
  action keyword (``ADDD COLUMN``), or its parentheses or quotes do not close; other statements
  sqlglot cannot read are *unread*, not invalid.
- **What the rules see** is sqlglot's tree (every rule is written against it). sqlglot reads most
  migrations but falls back to an opaque ``Command`` on syntax it does not model. When it does:
  spellings it lacks are rewritten (``bit varying`` -> ``varbit``) and the statement read again;
  an ``ALTER TABLE`` it still cannot read is read one action at a time (``ALTER TABLE t <action>``
  each), so one unusual action does not hide the others from the rules; what remains unread is
  listed, except statement kinds and actions that are known to hold no lock worth a rule
  (``GRANT``, ``COMMENT``, ``CREATE FUNCTION``, ``SET STATISTICS``...), so a statement is never
  passed silently because it could not be read. On PostgreSQL the number of actions sqlglot read is
  checked against the server's parse, so an action sqlglot dropped is caught as well.
- **DO blocks** (PL/pgSQL) run their statements at once, inside one transaction: the static
  statements of the body (and ``EXECUTE`` of a constant string) are read as statements of their own;
  a body that does not compile is invalid, an ``EXECUTE`` of a built string is unread.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pglast
import sqlglot
from pglast import ast as pg_ast
from pglast.enums.parsenodes import AlterTableType
from pglast.parser import ParseError as PgParseError
from sqlglot import Token, TokenType, exp
from sqlglot.errors import SqlglotError

from dbarchitect.ingest.script import code_mask, unclosed_at
from dbarchitect.ingest.sql_limits import guarded
from dbarchitect.model.names import EngineName

_LOG = logging.getLogger("sqlglot")

#: PostgreSQL statements that hold no table lock worth a rule (or are checked from their words):
#: when sqlglot cannot read one, nothing is lost.
PG_KNOWN_STATEMENTS = frozenset(
    {
        "TransactionStmt", "VariableSetStmt", "VariableShowStmt", "DiscardStmt", "GrantStmt",
        "GrantRoleStmt", "AlterDefaultPrivilegesStmt", "CommentStmt", "SecLabelStmt",
        "CreateExtensionStmt", "AlterExtensionStmt", "AlterExtensionContentsStmt", "CreateSchemaStmt",
        "CreateFunctionStmt", "AlterFunctionStmt", "CreateTrigStmt", "CreatePolicyStmt",
        "AlterPolicyStmt", "CreateSeqStmt", "AlterSeqStmt", "CreateEnumStmt", "AlterEnumStmt",
        "CreateRangeStmt", "CompositeTypeStmt", "CreateDomainStmt", "CreateRoleStmt", "AlterRoleStmt",
        "AlterRoleSetStmt", "DropRoleStmt", "DropOwnedStmt", "ReassignOwnedStmt", "ViewStmt",
        "CreateTableAsStmt", "RefreshMatViewStmt", "CreateStatsStmt", "AlterStatsStmt", "CallStmt",
        "NotifyStmt", "ListenStmt", "UnlistenStmt", "CheckPointStmt", "LoadStmt", "PrepareStmt",
        "ExecuteStmt", "DeallocateStmt", "ExplainStmt", "SelectStmt", "CopyStmt", "CreateCastStmt",
        "CreateConversionStmt", "DefineStmt", "CreateOpClassStmt", "CreateOpFamilyStmt",
        "AlterOpFamilyStmt", "RuleStmt", "CreateEventTrigStmt", "AlterEventTrigStmt", "CreateFdwStmt",
        "AlterFdwStmt", "CreateForeignServerStmt", "AlterForeignServerStmt", "CreateUserMappingStmt",
        "AlterUserMappingStmt", "DropUserMappingStmt", "CreateForeignTableStmt",
        "ImportForeignSchemaStmt", "CreatePublicationStmt", "AlterPublicationStmt",
        "CreateSubscriptionStmt", "AlterSubscriptionStmt", "DropSubscriptionStmt", "AlterOwnerStmt",
        "AlterObjectSchemaStmt", "AlterObjectDependsStmt", "AlterTSConfigurationStmt",
        "AlterTSDictionaryStmt", "CreateTransformStmt", "CreateAmStmt", "CreatePLangStmt",
        "AlterCollationStmt", "AlterDatabaseStmt", "AlterDatabaseSetStmt", "AlterDatabaseRefreshCollStmt",
        "AlterSystemStmt", "CreatedbStmt", "DropdbStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt",
        "AlterTableSpaceOptionsStmt", "AlterTypeStmt", "ConstraintsSetStmt", "ClosePortalStmt",
        "DeclareCursorStmt", "FetchStmt", "LockStmt", "VacuumStmt", "ClusterStmt", "ReindexStmt",
        "DoStmt", "DropStmt", "RenameStmt", "InsertStmt",
        "UpdateStmt", "DeleteStmt", "MergeStmt", "TruncateStmt",
    }
)  # fmt: skip
#: ALTER TABLE actions that change only the catalog under a brief lock (or are checked from the
#: statement's words, like VALIDATE CONSTRAINT): reading them through sqlglot adds nothing.
PG_KNOWN_ACTIONS = frozenset(
    {
        AlterTableType.AT_SetStatistics, AlterTableType.AT_SetOptions, AlterTableType.AT_ResetOptions,
        AlterTableType.AT_SetStorage, AlterTableType.AT_SetCompression, AlterTableType.AT_SetRelOptions,
        AlterTableType.AT_ResetRelOptions, AlterTableType.AT_ReplaceRelOptions,
        AlterTableType.AT_ChangeOwner, AlterTableType.AT_ClusterOn, AlterTableType.AT_DropCluster,
        AlterTableType.AT_EnableTrig, AlterTableType.AT_EnableAlwaysTrig,
        AlterTableType.AT_EnableReplicaTrig, AlterTableType.AT_DisableTrig,
        AlterTableType.AT_EnableTrigAll, AlterTableType.AT_DisableTrigAll,
        AlterTableType.AT_EnableTrigUser, AlterTableType.AT_DisableTrigUser,
        AlterTableType.AT_EnableRule, AlterTableType.AT_EnableAlwaysRule,
        AlterTableType.AT_EnableReplicaRule, AlterTableType.AT_DisableRule,
        AlterTableType.AT_EnableRowSecurity, AlterTableType.AT_DisableRowSecurity,
        AlterTableType.AT_ForceRowSecurity, AlterTableType.AT_NoForceRowSecurity,
        AlterTableType.AT_ReplicaIdentity, AlterTableType.AT_DropInherit, AlterTableType.AT_AddOf,
        AlterTableType.AT_DropOf, AlterTableType.AT_GenericOptions, AlterTableType.AT_ValidateConstraint,
        AlterTableType.AT_AddIdentity, AlterTableType.AT_SetIdentity, AlterTableType.AT_DropIdentity,
        AlterTableType.AT_AlterConstraint, AlterTableType.AT_DropExpression,
        AlterTableType.AT_DetachPartitionFinalize,
    }
)  # fmt: skip

#: Statements MySQL and MariaDB know, by their first word, and the objects after CREATE/ALTER/DROP.
MYSQL_STATEMENTS = frozenset(
    {
        "ALTER", "ANALYZE", "BACKUP", "BEGIN", "BINLOG", "CACHE", "CALL", "CHANGE", "CHECK", "CHECKSUM",
        "COMMIT", "CREATE", "DEALLOCATE", "DELETE", "DESC", "DESCRIBE", "DO", "DROP", "EXECUTE", "EXPLAIN",
        "FLUSH", "GET", "GRANT", "HANDLER", "HELP", "INSERT", "INSTALL", "KILL", "LOAD", "LOCK", "OPTIMIZE",
        "PREPARE", "PURGE", "RELEASE", "RENAME", "REPAIR", "REPLACE", "RESET", "RESIGNAL", "REVOKE",
        "ROLLBACK", "SAVEPOINT", "SELECT", "SET", "SHOW", "SHUTDOWN", "SIGNAL", "START", "STOP", "TABLE",
        "TRUNCATE", "UNINSTALL", "UNLOCK", "UPDATE", "USE", "VALUES", "WITH", "XA",
    }
)  # fmt: skip
MYSQL_OBJECTS = frozenset(
    {
        "AGGREGATE", "ALGORITHM", "DATABASE", "DEFINER", "EVENT", "FULLTEXT", "FUNCTION", "IF", "IGNORE",
        "INDEX", "INSTANCE", "LOGFILE", "OFFLINE", "ONLINE", "OR", "PACKAGE", "PROCEDURE", "RESOURCE",
        "ROLE", "SCHEMA", "SEQUENCE", "SERVER", "SPATIAL", "SQL", "TABLE", "TABLESPACE", "TEMPORARY",
        "TRIGGER", "UNIQUE", "USER", "VIEW",
    }
)  # fmt: skip
#: Words that can start an ALTER TABLE action on MySQL/MariaDB (table options included).
MYSQL_ACTIONS = frozenset(
    {
        "ADD", "ADD_COLUMN", "ALGORITHM", "ALTER", "ANALYZE", "AUTOEXTEND_SIZE", "AUTO_INCREMENT",
        "AVG_ROW_LENGTH", "CHANGE", "CHARACTER", "CHARSET", "CHECK", "CHECKSUM", "COALESCE", "COLLATE",
        "COMMENT", "COMPRESSION", "CONNECTION", "CONVERT", "DATA", "DEFAULT", "DELAY_KEY_WRITE", "DISABLE",
        "DISCARD", "DROP", "ENABLE", "ENCRYPTED", "ENCRYPTION", "ENCRYPTION_KEY_ID", "ENGINE",
        "ENGINE_ATTRIBUTE", "EXCHANGE", "FORCE", "IETF_QUOTES", "IMPORT", "INDEX", "INSERT_METHOD",
        "KEY_BLOCK_SIZE", "LOCK", "MAX_ROWS", "MIN_ROWS", "MODIFY", "OPTIMIZE", "ORDER", "PACK_KEYS",
        "PAGE_CHECKSUM", "PAGE_COMPRESSED", "PAGE_COMPRESSION_LEVEL", "PARTITION", "PASSWORD", "REBUILD",
        "REMOVE", "RENAME", "REORGANIZE", "REPAIR", "ROW_FORMAT", "SECONDARY_ENGINE_ATTRIBUTE", "SEQUENCE",
        "STATS_AUTO_RECALC", "STATS_PERSISTENT", "STATS_SAMPLE_PAGES", "TABLESPACE", "TRANSACTIONAL",
        "TRUNCATE", "UNION", "WITH", "WITHOUT",
    }
)  # fmt: skip
#: ALTER TABLE actions (MySQL, MariaDB) that need no tree: clauses the rules read from the statement's
#: words (ALGORITHM, LOCK) and table options that only change metadata.
MYSQL_KNOWN_ACTIONS = frozenset(
    {
        "ALGORITHM", "LOCK", "COMMENT", "AUTO_INCREMENT", "STATS_AUTO_RECALC", "STATS_PERSISTENT",
        "STATS_SAMPLE_PAGES", "ANALYZE", "CHECK", "OPTIMIZE", "REPAIR", "DISABLE", "ENABLE",
        "CONVERT",  # CONVERT TO CHARACTER SET: read from the words (mysql-algorithm-copy: a copy)
    }
)  # fmt: skip
#: Statements (MySQL, MariaDB) by first word that hold no lock a rule checks from a tree (renames are
#: read from their words); everything but creating, altering, dropping and truncating tables.
MYSQL_KNOWN_STATEMENTS = MYSQL_STATEMENTS - {"ALTER", "CREATE", "DROP", "TRUNCATE"}
#: Spellings PostgreSQL accepts that sqlglot does not, and the equivalent it reads.
_PG_SPELLINGS = ((re.compile(r"\bbit\s+varying\b", re.IGNORECASE), "varbit"),)
_WORDS = re.compile(r"[A-Za-z_]+")


@dataclass(frozen=True)
class Problem:
    """Why a statement does not parse, and where (an offset in the statement, when known)."""

    message: str
    offset: int | None = None


@dataclass(frozen=True)
class Part:
    """A statement within a statement that the rules read on its own: one action of an ``ALTER
    TABLE`` sqlglot could not read whole (``whole`` False), or a statement of a DO block."""

    sql: str
    #: Where the part starts in the outer statement's text.
    offset: int
    reading: Reading
    whole: bool


@dataclass(frozen=True)
class Reading:
    """What the parsers made of one statement.

    Attributes:
        node: sqlglot's tree (an ``exp.Command`` when sqlglot fell back; None when it failed).
        read: True when sqlglot read all of it.
        problem: Why the engine would refuse it as SQL, or None.
        unread: What no rule could check: the statement, or some of its actions, described.
        parts: Statements read from within it (actions one at a time, or a DO block's statements).
        pg: PostgreSQL's own parse of it (a ``pglast`` statement node), on PostgreSQL.
    """

    node: exp.Expr | None
    read: bool
    problem: Problem | None = None
    unread: tuple[str, ...] = ()
    parts: tuple[Part, ...] = field(default=())
    pg: Any = None


def read_statement(sql: str, engine: EngineName, dialect: str, *, depth: int = 0) -> Reading:
    """Read one statement (no terminator) of a migration for ``engine`` (see the module text)."""
    if engine == EngineName.POSTGRESQL:
        return _read_postgres(sql, dialect, depth)
    if engine in (EngineName.MYSQL, EngineName.MARIADB):
        return _read_mysql(sql, dialect)
    node, read = _sqlglot(sql, dialect)
    if node is None:
        return Reading(None, False, Problem("not SQL the linter can read"))
    return Reading(node, read, unread=() if read else (_summary(sql),))


# ---------------------------------------------------------------------------------------------
# sqlglot


def _sqlglot(sql: str, dialect: str) -> tuple[exp.Expr | None, bool]:
    """sqlglot's tree of ``sql`` and whether it read all of it (not a ``Command`` fallback)."""
    level = _LOG.level
    _LOG.setLevel(logging.ERROR)  # "contains unsupported syntax" is our business, not the user's
    try:
        node = guarded(functools.partial(sqlglot.parse_one, sql, read=dialect), what="the statement")
    except SqlglotError:
        return None, False
    finally:
        _LOG.setLevel(level)
    return node, not isinstance(node, exp.Command)


def _summary(sql: str, limit: int = 80) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _respelled(sql: str, engine: EngineName) -> str:
    """``sql`` with spellings sqlglot lacks replaced, in code only (never inside a literal)."""
    mask = code_mask(sql, engine)
    out = sql
    for pattern, replacement in _PG_SPELLINGS:
        for m in reversed(list(pattern.finditer(out))):
            if all(mask[m.start() : m.end()]) and len(out) == len(sql):
                out = out[: m.start()] + replacement.ljust(m.end() - m.start()) + out[m.end() :]
    return out


@dataclass(frozen=True)
class _AlterTable:
    #: ``ALTER TABLE [IF EXISTS] [ONLY] name`` as sqlglot reads it (no ONLINE, IGNORE or WAIT n).
    header: str
    actions: tuple[tuple[str, int], ...]


def _split_alter_table(sql: str, dialect: str) -> _AlterTable | None:
    """An ``ALTER TABLE`` as its header (up to the table name) and its actions with their offsets,
    split on top-level commas; None when it is not one."""
    try:
        tokens: list[Token] = list(sqlglot.Dialect.get_or_raise(dialect).tokenize(sql))
    except SqlglotError:
        return None
    words = [t.text.upper() for t in tokens]
    i = 0
    if not words or words[0] != "ALTER":
        return None
    i = 1
    while i < len(words) and words[i] in ("ONLINE", "IGNORE"):
        i += 1
    if i >= len(words) or words[i] != "TABLE":
        return None
    i += 1
    name_from = tokens[i].start if i < len(tokens) else len(sql)
    if words[i : i + 2] == ["IF", "EXISTS"]:
        i += 2
    if i < len(words) and words[i] == "ONLY":
        i += 1
    # The name: identifiers joined by dots, then an optional * (PostgreSQL: and descendants).
    if i >= len(tokens):
        return None
    i += 1
    while i + 1 < len(tokens) and tokens[i].token_type == TokenType.DOT:
        i += 2
    if i < len(tokens) and tokens[i].token_type == TokenType.STAR:
        i += 1
    header = "ALTER TABLE " + sql[name_from : tokens[i - 1].end + 1]
    if i < len(words) and words[i] == "NOWAIT":
        i += 1
    elif i + 1 < len(words) and words[i] == "WAIT":
        i += 2
    if i >= len(tokens):
        return None
    actions: list[tuple[str, int]] = []
    depth = 0
    start = tokens[i].start
    for token in tokens[i:]:
        if token.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif token.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
        elif token.token_type == TokenType.COMMA and depth == 0:
            actions.append((sql[start : token.start].strip(), start))
            start = token.end + 1
    actions.append((sql[start:].strip(), start))
    return _AlterTable(header, tuple((a, o) for a, o in actions if a))


_UNNAMED_CHECK = re.compile(r"^ADD\s+CHECK\b", re.IGNORECASE)


def _read_actions(
    sql: str, dialect: str, split: _AlterTable, engine: EngineName, names: list[str | None] | None = None
) -> list[Part]:
    """Each action read on its own; ``names`` gives an unnamed ``ADD CHECK`` the name the engine will
    give it (sqlglot reads only named ones)."""
    parts: list[Part] = []
    for i, (action, offset) in enumerate(split.actions):
        text = f"{split.header} {action}"
        readable = action
        name = names[i] if names is not None else None
        if name and _UNNAMED_CHECK.match(action):
            readable = _UNNAMED_CHECK.sub(f"ADD CONSTRAINT {_quoted(name)} CHECK", action, count=1)
        node, read = _sqlglot(_respelled(f"{split.header} {readable}", engine), dialect)
        if read and isinstance(node, exp.Alter) and len(node.args.get("actions") or []) == 1:
            parts.append(Part(text, offset, Reading(node, True), whole=False))
        else:
            parts.append(Part(text, offset, Reading(node, False, unread=(_summary(action),)), whole=False))
    return parts


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_position(sql: str, message: str, location: int | None) -> Problem:
    return Problem(message, location if location is not None and 0 <= location <= len(sql) else None)


def _read_postgres(sql: str, dialect: str, depth: int) -> Reading:
    try:
        parsed = pglast.parse_sql(sql)
    except PgParseError as exc:
        args = exc.args
        message = str(args[0]) if args else "syntax error"
        location = args[1] if len(args) > 1 and isinstance(args[1], int) else None
        return Reading(None, False, _pg_position(sql, message, location))
    if len(parsed) != 1:
        return Reading(None, False, Problem(f"{len(parsed)} statements where one was expected"))
    stmt = parsed[0].stmt
    kind = type(stmt).__name__
    node, read = _sqlglot(sql, dialect)
    if not read:
        respelled = _respelled(sql, EngineName.POSTGRESQL)
        if respelled != sql:
            node, read = _sqlglot(respelled, dialect)
    if read and isinstance(stmt, pg_ast.AlterTableStmt) and not _faithful(node, dialect, stmt.cmds or ()):
        read = False  # sqlglot dropped, merged or misread an action: read them one at a time
    if read:
        return Reading(node, True, pg=stmt)
    if isinstance(stmt, pg_ast.AlterTableStmt):
        return _pg_alter_table(sql, dialect, node, stmt)
    if isinstance(stmt, pg_ast.DoStmt):
        return _pg_do_block(sql, dialect, node, stmt, depth)
    if kind in PG_KNOWN_STATEMENTS:
        return Reading(node, False, pg=stmt)
    return Reading(node, False, unread=(_summary(sql),), pg=stmt)


def _shape(cmd: Any) -> tuple[Any, ...]:
    """What kind of action an ALTER TABLE command is, as PostgreSQL parsed it."""
    constraint = getattr(cmd.def_, "contype", None) if getattr(cmd, "def_", None) is not None else None
    return (cmd.subtype, constraint)


def _faithful(node: exp.Expr | None, dialect: str, cmds: Any) -> bool:
    """Whether sqlglot's tree of an ALTER TABLE says what PostgreSQL read: its SQL, parsed by
    PostgreSQL again, has the same actions of the same kinds (an action dropped, merged or misread,
    like ``SET TABLESPACE x`` read as a bare ``SET``, fails this)."""
    if node is None:
        return False
    try:
        again = pglast.parse_sql(node.sql(dialect))
    except (PgParseError, SqlglotError):
        return False
    if len(again) != 1 or not isinstance(again[0].stmt, pg_ast.AlterTableStmt):
        return False
    return [_shape(c) for c in again[0].stmt.cmds or ()] == [_shape(c) for c in cmds]


def _pg_alter_table(sql: str, dialect: str, node: exp.Expr | None, stmt: pg_ast.AlterTableStmt) -> Reading:
    split = _split_alter_table(sql, dialect)
    cmds = list(stmt.cmds or ())
    if split is None or len(split.actions) != len(cmds):
        return Reading(node, False, unread=(_summary(sql),), pg=stmt)
    names = [_pg_check_name(stmt, cmd) for cmd in cmds]
    parts = _read_actions(sql, dialect, split, EngineName.POSTGRESQL, names)
    kept: list[Part] = []
    unread: list[str] = []
    for part, cmd in zip(parts, cmds, strict=True):
        if part.reading.read and _faithful(part.reading.node, dialect, (cmd,)):
            kept.append(part)
        elif part.reading.read and not _pg_known_action(cmd):
            unread.append(_summary(part.sql[len(split.header) :]))
        elif not _pg_known_action(cmd):
            unread.extend(part.reading.unread)
    return Reading(node, False, unread=tuple(unread), parts=tuple(kept), pg=stmt)


def _pg_check_name(stmt: pg_ast.AlterTableStmt, cmd: Any) -> str | None:
    """The name PostgreSQL gives an unnamed CHECK added by ``cmd`` (``<table>_<first column>_check``)."""
    definition: Any = getattr(cmd, "def_", None)
    if type(definition).__name__ != "Constraint" or definition.conname or stmt.relation is None:
        return None
    return pg_object_name(str(stmt.relation.relname), first_column(definition.raw_expr), "check")


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


def _pg_known_action(cmd: Any) -> bool:
    subtype = getattr(cmd, "subtype", None)
    if subtype in PG_KNOWN_ACTIONS:
        return True
    if subtype == AlterTableType.AT_AddConstraint:
        # ADD CONSTRAINT ... USING INDEX: the index exists; only a brief lock to attach it.
        return bool(getattr(cmd.def_, "indexname", None))
    return False


def _pg_do_block(sql: str, dialect: str, node: exp.Expr | None, stmt: pg_ast.DoStmt, depth: int) -> Reading:
    body, language, at = "", "plpgsql", None
    for arg in stmt.args or ():
        if arg.defname == "as":
            body, at = str(arg.arg.sval), getattr(arg, "arg_location", None)
        elif arg.defname == "language":
            language = str(arg.arg.sval).lower()
    if language != "plpgsql":
        return Reading(node, False, unread=(f"a DO block in {language}",), pg=stmt)
    wrapper = f"CREATE FUNCTION dbarch_do() RETURNS void LANGUAGE plpgsql AS $dbarch_do${body}$dbarch_do$"
    try:
        tree = pglast.parse_plpgsql(wrapper)
    except PgParseError as exc:
        message = str(exc.args[0]) if exc.args else "syntax error"
        return Reading(node, False, Problem(f"the DO block does not compile: {message}", at), pg=stmt)
    body_at = _body_offset(sql, body, at)
    parts: list[Part] = []
    unread: list[str] = []
    cursor = 0
    for query, literal in _plpgsql_statements(tree):
        if query is None:
            unread.append("EXECUTE of a statement built at run time in a DO block")
            continue
        found = body.find(query, cursor) if not literal else -1
        if found >= 0:
            cursor = found + len(query)
        offset = body_at + found if body_at is not None and found >= 0 else 0
        if depth > 0:
            unread.append(_summary(query))
            continue
        inner = read_statement(query, EngineName.POSTGRESQL, dialect, depth=depth + 1)
        parts.append(Part(query, offset, inner, whole=True))
    return Reading(node, False, unread=tuple(unread), parts=tuple(parts), pg=stmt)


def _body_offset(sql: str, body: str, at: int | None) -> int | None:
    """Where the body's text starts in the statement (inside its quotes), when it is there as is."""
    if at is None or at >= len(sql):
        found = sql.find(body)
        return found if found >= 0 else None
    tag = re.match(r"\$[^$]*\$", sql[at:])
    start = at + (len(tag.group(0)) if tag else 1)
    return start if sql.startswith(body, start) else (sql.find(body) if sql.find(body) >= 0 else None)


def _plpgsql_statements(tree: Any) -> Iterator[tuple[str | None, bool]]:
    """The SQL a PL/pgSQL body runs, in order: (query, from a string literal); (None, False) for an
    EXECUTE whose statement is built at run time."""
    if isinstance(tree, list):
        for item in tree:
            yield from _plpgsql_statements(item)
        return
    if not isinstance(tree, dict):
        return
    for key, value in tree.items():
        if key == "PLpgSQL_stmt_execsql":
            query = value.get("sqlstmt", {}).get("PLpgSQL_expr", {}).get("query")
            if isinstance(query, str):
                yield query, False
            continue
        if key == "PLpgSQL_stmt_dynexecute":
            query = value.get("query", {}).get("PLpgSQL_expr", {}).get("query", "")
            m = re.fullmatch(r"\s*'((?:[^']|'')*)'\s*", query or "")
            yield (m.group(1).replace("''", "'"), True) if m else (None, False)
            continue
        yield from _plpgsql_statements(value)


# ---------------------------------------------------------------------------------------------
# MySQL, MariaDB


def _read_mysql(sql: str, dialect: str) -> Reading:
    words = [w.upper() for w in _WORDS.findall(_code_only(sql, EngineName.MARIADB))[:3]]
    if not words or words[0] not in MYSQL_STATEMENTS:
        first = words[0] if words else sql.split()[0] if sql.split() else ""
        return Reading(None, False, Problem(f"{first!r} does not start any statement"))
    if words[0] in ("CREATE", "ALTER", "DROP") and (len(words) < 2 or words[1] not in MYSQL_OBJECTS):
        second = words[1] if len(words) > 1 else "nothing"
        return Reading(None, False, Problem(f"{words[0]} {second} names no kind of object"))
    balance = _unbalanced(sql)
    if balance is not None:
        return Reading(None, False, balance)
    node, read = _sqlglot(sql, dialect)
    if not read and words[0] in ("CREATE", "DROP") and "INDEX" in words:
        # CREATE / DROP INDEX ... ALGORITHM=... LOCK=...: the clauses are read from the words.
        bare = _MYSQL_INDEX_OPTIONS.sub(lambda m: " " * len(m.group(0)), sql)
        node, read = _sqlglot(bare, dialect)
    if read:
        return Reading(node, True)
    split = _split_alter_table(sql, dialect)
    if split is not None:
        parts = _read_actions(sql, dialect, split, EngineName.MARIADB)
        for action, offset in split.actions:
            keyword = (_WORDS.findall(action) or [""])[0].upper()
            if keyword not in MYSQL_ACTIONS:
                return Reading(
                    node, False, Problem(f"{keyword or action!r} is no ALTER TABLE action", offset)
                )
        kept = tuple(p for p in parts if p.reading.read)
        unread = tuple(
            u
            for (action, _), p in zip(split.actions, parts, strict=True)
            if not p.reading.read and (_WORDS.findall(action) or [""])[0].upper() not in MYSQL_KNOWN_ACTIONS
            for u in p.reading.unread
        )
        return Reading(node, False, unread=unread, parts=kept)
    routine = words[0] in ("CREATE", "DROP") and any(
        w in words[1:] for w in ("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "DEFINER", "PACKAGE")
    )
    if routine and words[0] == "CREATE":
        cut = _cut_compound(sql)
        if cut is not None:
            return Reading(node, False, cut)
    if routine or words[0] in MYSQL_KNOWN_STATEMENTS:
        return Reading(node, False)  # stored programs run later, not during the migration
    if words[0] in ("CREATE", "DROP") and words[1] not in ("TABLE", "TEMPORARY", "INDEX", "UNIQUE"):
        return Reading(node, False)  # views, users, databases, sequences: no table lock to check
    return Reading(node, False, unread=(_summary(sql),))


_MYSQL_INDEX_OPTIONS = re.compile(r"\s+(?:ALGORITHM|LOCK)\s*=?\s*\w+", re.IGNORECASE)
_BLOCK_END = re.compile(r"\bEND\b(?!\s+(?:IF|LOOP|WHILE|REPEAT|CASE|FOR)\b)", re.IGNORECASE)


def _cut_compound(sql: str) -> Problem | None:
    """A stored program whose ``BEGIN`` has no ``END``: the client cut it at its first ``;``."""
    code = _code_only(sql, EngineName.MARIADB)
    begins = len(re.findall(r"\bBEGIN\b", code, re.IGNORECASE))
    if begins > len(_BLOCK_END.findall(code)):
        return Problem(
            "the compound statement is cut at its first ';' (the mysql client ends statements at the "
            "delimiter): put DELIMITER // before it and end it with //",
            len(sql),
        )
    return None


def _code_only(sql: str, engine: EngineName) -> str:
    mask = code_mask(sql, engine)
    return "".join(c if keep else " " for c, keep in zip(sql, mask, strict=True))


def _unbalanced(sql: str) -> Problem | None:
    """A parenthesis, quote or comment that does not close (parentheses counted in code only)."""
    unclosed = unclosed_at(sql, EngineName.MARIADB)
    if unclosed is not None:
        return Problem(f"the {sql[unclosed]} opened here never closes", unclosed)
    mask = code_mask(sql, EngineName.MARIADB)
    depth = 0
    for i, (c, code) in enumerate(zip(sql, mask, strict=True)):
        if not code:
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return Problem("this ')' closes nothing", i)
    if depth > 0:
        return Problem(f"{depth} '(' never closed")
    return None


# ---------------------------------------------------------------------------------------------
# PostgreSQL's names for unnamed objects


def pg_object_name(name1: str, name2: str | None, label: str) -> str:
    """The name PostgreSQL makes up for an unnamed object (``makeObjectName``): ``name1_name2_label``
    with the longer of the two names shortened until it fits 63 bytes."""
    overhead = len(label) + 1 + (1 if name2 else 0)
    available = 63 - overhead
    one, two = len(name1.encode()), len((name2 or "").encode())
    while one + two > available:
        if one > two:
            one -= 1
        else:
            two -= 1
    first = name1.encode()[:one].decode(errors="ignore")
    second = (name2 or "").encode()[:two].decode(errors="ignore")
    return f"{first}_{second}_{label}" if name2 else f"{first}_{label}"


def first_column(expr: Any) -> str | None:
    """The first column an expression (pglast) names, in PostgreSQL's walk order."""
    if type(expr).__name__ == "ColumnRef":
        last = expr.fields[-1]
        return str(last.sval) if hasattr(last, "sval") else None
    for name in getattr(expr, "__slots__", ()):
        value = getattr(expr, name, None)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if hasattr(item, "__slots__"):
                found = first_column(item)
                if found is not None:
                    return found
    return None
