"""Where a brief's statements, tables, columns and engines are written: file and line, for reports
that point at source (SARIF regions, GitHub annotations).

A table or column is found where it is defined: the brief's DDL file (``CREATE TABLE`` and the
column's line in it, read with sqlglot's tokenizer for the DDL's dialect) or its ``entities``; else
where the brief sizes it (``tables: <name>:``). A statement is its entry under ``workload``
(``- name: ...``, or its key when the workload is a mapping); an engine is its ``portable_to`` entry
or ``engine:``. Names compare case-insensitively unless quoted in the DDL. What cannot be found
falls back to the nearest enclosing place (a column to its table, a table to ``schema:``), never
silently to line 1 unless the brief has nothing else to point at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dbarchitect.brief.schema import INLINE_SQL


@dataclass(frozen=True)
class Location:
    """A 1-based line (and column) in a file named as the user would (relative to the working
    directory when it is under it)."""

    file: str
    line: int
    column: int = 1


def _display(path: Path) -> str:
    resolved = path.resolve()
    try:
        return os.path.relpath(resolved, Path.cwd()) if resolved.is_relative_to(Path.cwd()) else str(resolved)
    except ValueError:
        return str(resolved)


def _fold(name: str) -> str:
    return name.lower()


@dataclass
class _Ddl:
    file: str
    tables: dict[str, Location] = field(default_factory=dict)
    columns: dict[tuple[str, str], Location] = field(default_factory=dict)


def _scan_ddl_file(path: Path, dialect: str) -> _Ddl:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return _Ddl(_display(path))
    return _scan_ddl(text, _display(path), dialect)


def _scan_ddl(text: str, file: str, dialect: str, first_line: int = 1) -> _Ddl:
    """The lines of every ``CREATE TABLE`` and of each column definition in it (``text``'s first line
    is line ``first_line`` of ``file``: DDL written in the brief)."""
    from sqlglot import Dialect, TokenType
    from sqlglot.errors import SqlglotError

    found = _Ddl(file)
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text)
    except (SqlglotError, ValueError):
        return found
    name_types = {TokenType.VAR, TokenType.IDENTIFIER}
    skip = {"IF", "NOT", "EXISTS", "ONLY"}
    clauses = {"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE", "KEY", "INDEX", "LIKE"}

    def location(i: int) -> Location:
        t = tokens[i]
        return Location(found.file, t.line + first_line - 1, max(1, t.col - len(t.text) + 1))

    i = 0
    while i < len(tokens):
        if tokens[i].token_type != TokenType.CREATE:
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and j < i + 6 and tokens[j].token_type != TokenType.TABLE:
            j += 1
        if j >= len(tokens) or tokens[j].token_type != TokenType.TABLE:
            i += 1
            continue
        j += 1
        while j < len(tokens) and tokens[j].text.upper() in skip:
            j += 1
        name_at = j
        while j + 2 < len(tokens) and tokens[j + 1].token_type == TokenType.DOT:
            j += 2  # schema.table: the table is the last part
            name_at = j
        if name_at >= len(tokens) or tokens[name_at].token_type not in name_types:
            i = j
            continue
        token = tokens[name_at]
        table = token.text if token.token_type == TokenType.IDENTIFIER else _fold(token.text)
        found.tables.setdefault(table, location(i))
        j = name_at + 1
        if j < len(tokens) and tokens[j].token_type == TokenType.L_PAREN:
            depth, expect = 0, True
            while j < len(tokens):
                kind = tokens[j].token_type
                if kind == TokenType.L_PAREN:
                    depth += 1
                    expect = depth == 1
                elif kind == TokenType.R_PAREN:
                    depth -= 1
                    if depth == 0:
                        break
                elif kind == TokenType.COMMA and depth == 1:
                    expect = True
                elif expect:
                    expect = False
                    t = tokens[j]
                    if t.text.upper() not in clauses:
                        column = t.text if t.token_type == TokenType.IDENTIFIER else _fold(t.text)
                        found.columns.setdefault((table, column), location(j))
                j += 1
        i = j
    return found


class BriefLocator:
    """Lines of a brief's parts, from its YAML/JSON text (and its DDL file, when it has one)."""

    def __init__(self, file: str, text: str, base_dir: Path) -> None:
        self.file = file
        self._root: yaml.Node | None
        try:
            self._root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self._root = None
        self._ddl: _Ddl | None = None
        ddl = self._at(("schema", "ddl"))
        if ddl is not None:
            path = ddl.value if isinstance(ddl, yaml.ScalarNode) else _scalar(self._child(ddl, "path"))
            dialect = None if isinstance(ddl, yaml.ScalarNode) else _scalar(self._child(ddl, "dialect"))
            engine = _scalar(self._at(("engine",)))
            if isinstance(engine, dict):
                engine = engine.get("name")
            sql = None if isinstance(ddl, yaml.ScalarNode) else self._child(ddl, "sql")
            if isinstance(ddl, yaml.ScalarNode) and INLINE_SQL.search(ddl.value):
                path, sql = None, ddl
            name = _sqlglot_dialect(str(dialect or engine or "postgresql").split()[0])
            if isinstance(path, str):
                self._ddl = _scan_ddl_file(base_dir / path, name)
            elif isinstance(sql, yaml.ScalarNode) and sql.style == "|":
                # a literal block: its text starts on the line after the '|', lines kept as written
                self._ddl = _scan_ddl(sql.value, self.file, name, sql.start_mark.line + 2)

    @classmethod
    def load(cls, path: str | Path) -> BriefLocator | None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return cls(str(path), text, p.resolve().parent)

    # -----------------------------------------------------------------------------------------

    def _child(self, node: yaml.Node | None, key: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and (k.value == key or _fold(k.value) == _fold(str(key))):
                    found: yaml.Node = v
                    return found
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            item: yaml.Node = node.value[key]
            return item
        return None

    def _key(self, node: yaml.Node | None, key: str) -> yaml.Node | None:
        """The key node itself (the line a mapping entry starts on)."""
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode) and _fold(k.value) == _fold(key):
                    return k
        return None

    def _at(self, path: tuple[str | int, ...]) -> yaml.Node | None:
        node = self._root
        for part in path:
            node = self._child(node, part)
        return node

    def _here(self, node: yaml.Node | None) -> Location | None:
        if node is None:
            return None
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    # -----------------------------------------------------------------------------------------

    def schema(self) -> Location:
        return self._here(self._key(self._root, "schema")) or Location(self.file, 1)

    def statement(self, name: str) -> Location | None:
        workload = self._at(("workload",))
        statements = self._child(workload, "statements") if isinstance(workload, yaml.MappingNode) else None
        if statements is None:
            statements = workload
        if isinstance(statements, yaml.SequenceNode):
            for item in statements.value:
                if _scalar(self._child(item, "name")) == name:
                    return self._here(item)
        if isinstance(statements, yaml.MappingNode):
            return self._here(self._key(statements, name))
        return self._here(self._key(workload, "workload")) if workload is not None else None

    def table(self, name: str) -> Location | None:
        if self._ddl is not None:
            found = self._ddl.tables.get(name) or self._ddl.tables.get(_fold(name))
            if found is not None:
                return found
        entity = self._key(self._at(("schema", "entities")), name)
        return self._here(entity) or self._here(self._key(self._at(("tables",)), name))

    def column(self, table: str, column: str) -> Location | None:
        if self._ddl is not None:
            for key in ((table, column), (_fold(table), _fold(column))):
                if key in self._ddl.columns:
                    return self._ddl.columns[key]
        for base in (("schema", "entities", table, "columns"), ("tables", table, "columns")):
            found = self._here(self._key(self._at(base), column))
            if found is not None:
                return found
        return self.table(table)

    def engine(self, name: str) -> Location | None:
        wanted = _fold(name).split()[0]
        portable = self._at(("portable_to",))
        if isinstance(portable, yaml.SequenceNode):
            for item in portable.value:
                text = _scalar(item)
                if isinstance(text, dict):
                    text = text.get("name")
                if isinstance(text, str) and _fold(text).split()[0] == wanted:
                    return self._here(item)
        return self._here(self._key(self._root, "engine"))

    def of(
        self,
        *,
        table: str | None = None,
        column: str | None = None,
        statement: str | None = None,
        engine: str | None = None,
    ) -> Location:
        """The most precise place for a finding about these (column, table, statement, engine)."""
        found: Location | None = None
        if table and column:
            found = self.column(table, column)
        if found is None and table:
            found = self.table(table)
        if found is None and statement:
            found = self.statement(statement)
        if found is None and engine:
            found = self.engine(engine)
        return found or self.schema()


def _scalar(node: yaml.Node | None) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return {k.value: _scalar(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return None


def _sqlglot_dialect(engine: str) -> str:
    from dbarchitect.engines.registry import get_traits
    from dbarchitect.errors import DbarchError

    try:
        return get_traits(engine).sqlglot_dialect
    except DbarchError:
        return "postgres"
