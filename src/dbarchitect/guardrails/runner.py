"""Run the guardrail rules over a migration file: statements in order, with what came before.

The file is split on the dialect's own semicolons (:func:`dbarchitect.ingest.ddl.split_statements`)
and each statement parsed with sqlglot in the engine's dialect. Walking the file, the runner keeps the
state rules need to judge a statement in place: whether a transaction is open (``BEGIN`` /
``START TRANSACTION`` ... ``COMMIT`` / ``ROLLBACK``), session settings (``SET lock_timeout``, ``SET
LOCAL`` ones end with the transaction), tables created earlier in the file, and constraints added
``NOT VALID`` and validated. Each rule sees a statement with the state *before* it runs.

Suppression: ``-- dbarch:disable RULE-ID[, RULE-ID]`` on a line of the statement or the line just
before it; ``-- dbarch:disable-file RULE-ID`` anywhere for the whole file. Unknown rule ids (in a
comment or in the config) are an error with a did-you-mean, so a typo never silently disables
nothing. Config maps a rule id to ``error``, ``warning`` or ``off``.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from pglast.enums.parsenodes import AlterTableType, ConstrType
from sqlglot import exp

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import Diagnostic
from dbarchitect.guardrails import rules as rules_package
from dbarchitect.guardrails.rule import (
    Finding,
    Level,
    LintContext,
    Rule,
    RuleConfigError,
    Span,
    Statement,
    discover_rules,
    ident,
    logical_type,
    not_null_columns,
    table_name,
    type_changes,
)
from dbarchitect.ingest.reading import first_column, pg_object_name, read_statement
from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.ingest.sql_limits import check_sql_text
from dbarchitect.model.catalog import Catalog, TableStats

_SUPPRESS = re.compile(r"(?:--|#)\s*dbarch:(?P<kind>disable-file|disable)\b(?P<ids>[^\n]*)")
_SET_CONFIG = re.compile(
    r"^SELECT (?:PG_CATALOG\.)?SET_CONFIG\s*\(\s*'(?P<name>[A-Z_.]+)'\s*,\s*'(?P<value>[^']*)'\s*,\s*"
    r"(?P<local>TRUE|FALSE)\s*\)$"
)
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_SET = re.compile(
    r"^SET\s+(?P<scope>SESSION\s+|LOCAL\s+)?(?:@@(?:SESSION\.)?)?(?P<name>[A-Z_][A-Z0-9_.]*)\s*(?:=|\bTO\b)\s*"
    r"(?P<value>.+?)\s*$"
)


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, one per module of ``guardrails/rules``, sorted by id."""
    return discover_rules(rules_package, Rule)


def rule_ids() -> tuple[str, ...]:
    return tuple(r.id for r in all_rules())


def get_rule(rule_id: str, *, where: Diagnostic | None = None) -> Rule:
    """The rule with this id, or a :class:`RuleConfigError` with a did-you-mean."""
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    close = difflib.get_close_matches(rule_id, rule_ids(), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "see `dbarch rules list` for the rule ids"
    base = where or Diagnostic("")
    raise RuleConfigError(
        Diagnostic(
            f"unknown rule id {rule_id!r}", file=base.file, line=base.line, field=base.field, hint=hint
        )
    )


def explain_rule(rule_id: str) -> str:
    """What ``dbarch rules explain RULE-ID`` prints: the rule module's docstring."""
    rule = get_rule(rule_id)
    doc = importlib.import_module(type(rule).__module__).__doc__ or rule.summary
    return doc.strip() + "\n"


#: The rule that reports statements that do not parse; it cannot be turned off (a statement that
#: does not parse is never skipped silently).
INVALID_SQL = "invalid-sql"


@dataclass(frozen=True)
class FileSummary:
    """One linted file's counts (``LintResult.files``)."""

    file: str | None
    statements: int
    errors: int
    warnings: int
    #: Statements that do not parse (``invalid-sql`` findings).
    invalid: int


@dataclass(frozen=True)
class LintResult:
    """The findings of every lint rule over one migration file, or several linted one after the other
    (``dbarchitect.lint_migration``, ``dbarch lint``).

    Attributes:
        findings: What the rules found, file by file in the order given, each file in line order.
        file: The file linted (``None`` for SQL text given without a name, or for several files).
        engine: The engine the rules judged for, e.g. ``PostgreSQL 15``.
        rules: The ids of the rules that ran (the ones not turned off).
        statements: How many statements the files hold.
        files: Per file: its counts (one entry for one file).
    """

    findings: tuple[Finding, ...]
    file: str | None
    engine: str
    rules: tuple[str, ...]
    statements: int
    files: tuple[FileSummary, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == Level.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.level == Level.WARNING)

    @property
    def invalid(self) -> int:
        """Statements that do not parse."""
        return sum(1 for f in self.findings if f.rule_id == INVALID_SQL)

    @property
    def exit_code(self) -> int:
        """``dbarch lint``'s exit code: 2 when a statement does not parse (bad input: the migration
        fails when it runs), 1 when an error-level finding exists, else 0."""
        if self.invalid:
            return 2
        return 1 if self.errors else 0


def combine_results(results: Sequence[LintResult]) -> LintResult:
    """Several files' results as one (findings in the order the files were given)."""
    if len(results) == 1:
        return results[0]
    rules = tuple(dict.fromkeys(r for result in results for r in result.rules))
    return LintResult(
        tuple(f for r in results for f in r.findings),
        None,
        results[0].engine if results else "",
        rules,
        sum(r.statements for r in results),
        tuple(s for r in results for s in r.files),
    )


def _levels(config: Mapping[str, str | Level] | None) -> dict[str, Level | None]:
    levels: dict[str, Level | None] = {}
    for rule_id, value in (config or {}).items():
        get_rule(rule_id, where=Diagnostic("", field=f"rules.{rule_id}"))
        text = str(value).lower()
        if text == "off" and rule_id == INVALID_SQL:
            raise RuleConfigError(
                Diagnostic(
                    f"{INVALID_SQL} cannot be turned off: a statement that does not parse is never skipped",
                    field=f"rules.{rule_id}",
                    hint="fix the statement, or suppress it on its line with -- dbarch:disable invalid-sql "
                    "if your server accepts it",
                )
            )
        if text == "off":
            levels[rule_id] = None
        elif text in (Level.ERROR, Level.WARNING):
            levels[rule_id] = Level(text)
        else:
            raise RuleConfigError(
                Diagnostic(
                    f"unknown level {value!r} for rule {rule_id!r}",
                    field=f"rules.{rule_id}",
                    hint="use error, warning or off",
                )
            )
    return levels


@dataclass(frozen=True)
class _Suppressions:
    file_wide: frozenset[str]
    #: Rule ids disabled by a comment on each line; ``alone``: on lines holding only the comment,
    #: which also cover the statement on the next line.
    by_line: Mapping[int, frozenset[str]]
    alone: Mapping[int, frozenset[str]]

    def covers(self, rule_id: str, span: Span) -> bool:
        if rule_id in self.file_wide:
            return True
        if rule_id in self.alone.get(span.line - 1, ()):
            return True
        return any(rule_id in self.by_line.get(n, ()) for n in range(span.line, span.end_line + 1))


def _suppressions(text: str, file: str | None) -> _Suppressions:
    file_wide: set[str] = set()
    by_line: dict[int, set[str]] = {}
    alone: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _SUPPRESS.finditer(line):
            ids = [i for i in re.split(r"[\s,]+", m["ids"].strip()) if i]
            if not ids:
                raise RuleConfigError(
                    Diagnostic(
                        f"dbarch:{m['kind']} names no rule",
                        file=file,
                        line=number,
                        hint="name the rule id to disable",
                    )
                )
            for rule_id in ids:
                get_rule(rule_id, where=Diagnostic("", file=file, line=number))
            if m["kind"] == "disable-file":
                file_wide.update(ids)
            else:
                by_line.setdefault(number, set()).update(ids)
                if line.lstrip().startswith(("--", "#")):
                    alone.setdefault(number, set()).update(ids)
    return _Suppressions(
        frozenset(file_wide),
        {k: frozenset(v) for k, v in by_line.items()},
        {k: frozenset(v) for k, v in alone.items()},
    )


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _words(sql: str) -> str:
    return " ".join(_COMMENTS.sub(" ", sql).upper().split())


def _span(text: str, start: int, end: int) -> Span:
    line, column = _position(text, start)
    end_line, end_column = _position(text, max(end - 1, start))
    return Span(line, column, end_line, end_column, start, end)


@dataclass(frozen=True)
class _Read:
    """A statement of the file with the statements read from within it."""

    statement: Statement
    parts: tuple[Statement, ...]
    #: The parts run inside one transaction of their own (a DO block).
    block: bool


def _statements(text: str, traits: EngineTraits) -> Iterator[_Read]:
    """Each statement (and client command) of ``text`` as the engine's client splits it, read."""
    for index, piece in enumerate(split_script(text, traits.engine)):
        span = _span(text, piece.start, piece.end)
        if piece.kind == PieceKind.CLIENT:
            yield _Read(Statement(piece.text, span, None, piece.text, index, client=True), (), False)
            continue
        check_sql_text(piece.text, traits.sqlglot_dialect, what=f"the statement at line {span.line}")
        reading = read_statement(piece.text, traits.engine, traits.sqlglot_dialect)
        statement = Statement(
            piece.text,
            span,
            reading.node,
            _words(piece.text),
            index,
            problem=reading.problem,
            unread=reading.unread,
            pg=reading.pg,
        )
        parts: list[Statement] = []
        for part in reading.parts:
            start = piece.start + part.offset
            part_span = _span(text, start, start + len(part.sql)) if part.whole else span
            parts.append(
                Statement(
                    part.sql,
                    part_span,
                    part.reading.node,
                    _words(part.sql) if part.whole else "",
                    index,
                    problem=part.reading.problem,
                    unread=part.reading.unread,
                    derived=True,
                    pg=part.reading.pg,
                )
            )
        block = any(p.whole for p in reading.parts)
        yield _Read(statement, tuple(parts), block)


def _client_command(statement: Statement, context: LintContext) -> None:
    """What a psql meta-command does to the file's state: ``\\connect`` opens a new session."""
    if re.match(r"^\\(?:c|connect)\b", statement.sql):
        context.in_transaction = False
        context.settings.clear()
        context.local_settings.clear()
        context.not_valid_in_transaction.clear()
        context.enum_values_in_transaction.clear()
        context.altered_in_transaction.clear()


def _advance(statement: Statement, context: LintContext) -> None:
    """Move the file's state past ``statement``."""
    words = statement.words
    node = statement.node
    if type(statement.pg).__name__ == "CreateFunctionStmt":
        name = str(statement.pg.funcname[-1].sval).lower()
        volatility = "volatile"
        for option in statement.pg.options or ():
            if option.defname == "volatility":
                volatility = str(option.arg.sval).lower()
        context.functions[name] = volatility
        return
    if re.match(r"^(BEGIN|START TRANSACTION)\b", words) and not words.startswith("BEGIN ATOMIC"):
        context.in_transaction = True
        return
    if re.match(r"^(COMMIT|END|ROLLBACK)\b", words) and not re.match(r"^ROLLBACK\s+TO\b", words):
        context.in_transaction = False
        for name in context.local_settings:
            context.settings.pop(name, None)
        context.local_settings.clear()
        context.not_valid_in_transaction.clear()
        context.enum_values_in_transaction.clear()
        context.altered_in_transaction.clear()
        return
    config = _SET_CONFIG.match(words)
    if config:
        name = config["name"].lower()
        context.settings[name] = config["value"].lower()
        if config["local"] == "TRUE":
            context.local_settings.add(name)
        return
    m = _SET.match(words)
    if m:
        name = m["name"].lower()
        context.settings[name] = m["value"].strip("'\"").lower()
        if m["scope"] and m["scope"].strip() == "LOCAL":
            context.local_settings.add(name)
        return
    if isinstance(node, exp.Create) and (node.args.get("kind") or "").upper() == "TABLE":
        created = table_name(node.this)
        if created:
            context.created_tables.add(created.lower())
        return
    if type(statement.pg).__name__ == "AlterTableStmt":
        _track_pg_checks(statement.pg, context)
    alter = statement.alter_table()
    if alter is not None:
        table = table_name(alter.this) or ""
        if context.in_transaction:
            context.altered_in_transaction.add(table.lower())
        for change in type_changes(statement, context):
            if change.new is not None:
                context.column_types[(change.table.lower(), change.column.lower())] = change.new
        for action in alter.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef) and isinstance(action.args.get("kind"), exp.DataType):
                declared = logical_type(action.args["kind"], context)
                if declared is not None:
                    context.column_types[(table.lower(), ident(action.this).lower())] = declared
            if isinstance(action, exp.AlterRename) and context.is_new(table):
                context.created_tables.add((table_name(action.this) or "").lower())
            for constraint in (
                action.find_all(exp.Constraint) if isinstance(action, exp.AddConstraint) else ()
            ):
                _track_constraint(constraint, table, bool(alter.args.get("not_valid")), context)
        return
    added = re.match(r"^ALTER TYPE (\S+) ADD VALUE (?:IF NOT EXISTS )?'((?:[^']|'')*)'", words)
    if added and context.in_transaction:
        value = re.search(r"ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'", statement.sql, re.I)
        if value:
            context.enum_values_in_transaction.setdefault(added[1].strip('"').lower(), set()).add(value[1])
        return
    v = re.match(r"^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+) VALIDATE CONSTRAINT (\S+)$", words)
    if v:
        name = v[2].strip('"`').lower()
        context.not_valid_in_transaction.pop(name, None)
        context.prove_not_null(name)


def _track_pg_checks(stmt: Any, context: LintContext) -> None:
    """CHECK constraints proving columns NOT NULL, and their validation, as PostgreSQL parsed them:
    ``col IS NOT NULL`` or ``NOT (col IS NULL)``, alone or ANDed with other terms, named or named the
    way PostgreSQL names an unnamed check (``<table>_<first column>_check``); a VALIDATE CONSTRAINT
    of one (in a statement with other actions too) makes the proof hold."""
    if stmt.relation is None:
        return
    table = str(stmt.relation.relname).lower()
    for cmd in stmt.cmds or ():
        subtype = int(cmd.subtype)
        definition: Any = getattr(cmd, "def_", None)
        if subtype == int(AlterTableType.AT_AddConstraint) and int(getattr(definition, "contype", -1)) == int(
            ConstrType.CONSTR_CHECK
        ):
            columns = not_null_columns(definition.raw_expr)
            if not columns:
                continue
            name = definition.conname or pg_object_name(
                str(stmt.relation.relname), first_column(definition.raw_expr), "check"
            )
            for column in columns:
                pair = (table, column.lower())
                context.not_null_checks[str(name).lower()] = pair
                if not definition.skip_validation:
                    context.prove_not_null(str(name).lower())
        elif subtype == int(AlterTableType.AT_ValidateConstraint) and cmd.name:
            context.prove_not_null(str(cmd.name).lower())
        elif subtype == int(AlterTableType.AT_DropConstraint) and cmd.name:
            context.drop_constraint(str(cmd.name).lower())


def _track_constraint(constraint: exp.Constraint, table: str, not_valid: bool, context: LintContext) -> None:
    name = ident(constraint.this).lower()
    if not_valid and context.in_transaction:
        context.not_valid_in_transaction[name] = table
    for check in constraint.find_all(exp.CheckColumnConstraint):
        body = check.this
        if isinstance(body, exp.Paren):
            body = body.this
        if isinstance(body, exp.Not) and isinstance(body.this, exp.Is):
            body = exp.Is(this=body.this.this, expression=body.this.expression, negate=True)
        if (
            isinstance(body, exp.Is)
            and body.args.get("negate")
            and isinstance(body.expression, exp.Null)
            and isinstance(body.this, exp.Column)
        ):
            pair = (table.lower(), body.this.name.lower())
            context.not_null_checks[name] = pair
            if not not_valid:
                context.prove_not_null(name)


def lint_sql(
    text: str,
    traits: EngineTraits,
    *,
    file: str | None = None,
    catalog: Catalog | None = None,
    sizes: Mapping[str, TableStats] | None = None,
    config: Mapping[str, str | Level] | None = None,
) -> LintResult:
    """Lint a migration file for ``traits``' engine and version.

    ``catalog`` (the schema the migration runs against) lets rules compare old and new column types
    and know a table exists; ``sizes`` (table name -> stats with rows and growth, e.g. from a brief)
    let them tell a big table from a small one and project key overflow. ``config`` maps rule ids to
    ``error`` / ``warning`` / ``off``.
    """
    levels = _levels(config)
    suppress = _suppressions(text, file)
    active = [r for r in all_rules() if r.applies_to(traits.engine) and levels.get(r.id, r.level) is not None]
    context = LintContext(traits=traits, catalog=catalog, sizes=dict(sizes or {}))
    findings: list[Finding] = []
    count = 0

    def check(statement: Statement) -> None:
        for rule in active:
            if statement.problem is not None and rule.id != INVALID_SQL:
                continue  # nothing else can be said of a statement that does not parse
            for draft in rule.check(statement, context):
                if suppress.covers(rule.id, statement.span):
                    continue
                level = levels.get(rule.id) or draft.level or rule.level
                span = statement.span
                if draft.offset is not None:
                    at = statement.span.start + draft.offset
                    span = _span(text, at, max(at + 1, statement.span.end))
                fix = None
                if draft.fix is not None and not statement.derived:
                    fix = replace(draft.fix, span=statement.span)
                findings.append(Finding(rule.id, level, draft.message, span, file, draft.hint, fix))

    for read in _statements(text, traits):
        statement = read.statement
        if statement.client:
            check(statement)
            _client_command(statement, context)
            continue
        count += 1
        check(statement)
        if read.block:
            outer = context.in_transaction
            context.in_transaction = True
            for part in read.parts:
                check(part)
                _advance(part, context)
            if not outer:
                _advance(Statement("COMMIT", statement.span, None, "COMMIT", statement.index), context)
            continue
        for part in read.parts:
            check(part)
        _advance(statement, context)
        for part in read.parts:
            _advance(part, context)
    findings.sort(key=lambda f: (f.span.line, f.span.column, f.rule_id, f.message))
    summary = FileSummary(
        file,
        count,
        sum(1 for f in findings if f.level == Level.ERROR),
        sum(1 for f in findings if f.level == Level.WARNING),
        sum(1 for f in findings if f.rule_id == INVALID_SQL),
    )
    return LintResult(tuple(findings), file, str(traits), tuple(r.id for r in active), count, (summary,))
