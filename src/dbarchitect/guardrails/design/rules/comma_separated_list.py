"""comma-separated-list: a list stored as comma-separated text in one column.

Problem: ``tag_ids = '3,17,42'`` breaks first normal form: the database cannot check the ids
(no foreign key), cannot index a member ("which rows have tag 17?" scans every row with
``LIKE`` or ``FIND_IN_SET``), cannot count or join without string splitting, and two writers
appending at once lose one append.

The rule flags text columns named like lists (``*_ids``, ``*_list``, ``*_csv``, ``tags``) and text
columns the workload treats as lists: an UPDATE that appends with ``','``, or ``FIND_IN_SET``,
``string_to_array``, ``split_part``, ``SUBSTRING_INDEX`` with ``','`` over the column.

Bad::

    CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids text);
    -- UPDATE posts SET tag_ids = tag_ids || ',' || :tag WHERE id = :id

Good::

    CREATE TABLE post_tags (post_id bigint REFERENCES posts (id), tag_id bigint REFERENCES tags (id),
                            PRIMARY KEY (post_id, tag_id));

Fix: a junction table with foreign keys (or an array/JSON column with a GIN index where the engine
has one, if the members need no integrity).
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule, words
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.catalog import Column, Table

_LIST_FUNCTIONS = frozenset({"FIND_IN_SET", "STRING_TO_ARRAY", "SPLIT_PART", "SUBSTRING_INDEX", "SPLIT"})


def _named_like_list(column: Column) -> bool:
    joined = "_".join(words(column.name))
    return joined == "tags" or joined.endswith(("_ids", "_list", "_csv"))


def _has_comma(node: exp.Expr) -> bool:
    return any(lit.is_string and lit.this == "," for lit in node.find_all(exp.Literal))


def _columns_used_as_lists(sql: str, dialect: str) -> set[str]:
    """Column names (lower case) a statement appends to with ',' or splits on ','."""
    try:
        trees = sqlglot.parse(sql, read=dialect)
    except SqlglotError:
        return set()
    found: set[str] = set()
    for tree in trees:
        if tree is None:
            continue
        if isinstance(tree, exp.Update):
            for assignment in tree.expressions:
                if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                    target = assignment.this.name.lower()
                    value = assignment.expression
                    used = {c.name.lower() for c in value.find_all(exp.Column)}
                    if target in used and _has_comma(value):
                        found.add(target)
        for func in tree.find_all(exp.Func):
            name = (func.sql_name() if not isinstance(func, exp.Anonymous) else str(func.this)).upper()
            is_split = name in _LIST_FUNCTIONS or isinstance(func, exp.StringToArray | exp.SplitPart)
            if is_split and _has_comma(func):
                found |= {c.name.lower() for c in func.find_all(exp.Column)}
    return found


class CommaSeparatedList(DesignRule):
    id = "comma-separated-list"
    category = Category.INTEGRITY
    summary = "A text column holds a comma-separated list: no integrity, no index on members."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        used: dict[str, list[str]] = {}
        for statement in context.workload.statements:
            for name in sorted(_columns_used_as_lists(statement.sql, context.traits.sqlglot_dialect)):
                for access in statement.tables:
                    used.setdefault(f"{access.table.key}.{name}", []).append(statement.name)
        for table in context.catalog.tables:
            for column in table.columns:
                if not column.type.is_string:
                    continue
                statements = used.get(f"{table.name.key}.{column.name.key}", [])
                if not statements and not _named_like_list(column):
                    continue
                yield _draft(table, column, statements)


def _draft(table: Table, column: Column, statements: list[str]) -> DesignDraft:
    why = (
        f"the workload treats it as one ({', '.join(sorted(set(statements)))})"
        if statements
        else "its name says it holds a list"
    )
    return DesignDraft(
        f"`{table.name}.{column.name}` looks like a comma-separated list ({why}): its members cannot "
        "have a foreign key or an index, finding rows by one member scans the table, and concurrent "
        "appends lose updates.",
        hint="store the members as rows of a junction table with foreign keys (or an array/JSON column "
        "with a GIN index where the engine has one)",
        table=table.name.value,
        column=column.name.value,
    )
