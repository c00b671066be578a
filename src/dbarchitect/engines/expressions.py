"""Neutral SQL fragments (CHECK bodies, defaults, predicates, index expressions, view queries,
partition bounds) written for one engine, with every literal and identifier escaped by that
engine's own rules (:mod:`dbarchitect.engines.quoting`).

sqlglot parses the catalog's neutral text and generates the engine's dialect; the generator used
here is the dialect's own with three changes: string literals come from
:meth:`EngineTraits.literal`, identifiers from :meth:`EngineTraits.quote` (so a reserved word or a
mixed-case quoted name is quoted exactly as the DDL declared it), and comments are dropped. A
fragment that does not parse, or that holds more than one statement or a statement where an
expression belongs, is refused: it is never written out as it came.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.generator import Generator

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import Diagnostic, SqlError
from dbarchitect.model.names import Name

#: Nodes that make a fragment a statement of its own; none belongs inside a CHECK, a default, a
#: predicate or a view's query.
_STATEMENTS: tuple[type[exp.Expr], ...] = (
    exp.Command,
    exp.Block,
    exp.Create,
    exp.Drop,
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Alter,
    exp.Set,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Grant,
    exp.TruncateTable,
    exp.Copy,
    exp.LoadData,
    exp.Pragma,
)


def statement_node(tree: exp.Expr) -> exp.Expr | None:
    """The first node of ``tree`` that is a statement of its own (DDL, DML, a command), or None.
    Walks iteratively: the tree's depth cannot exhaust the stack."""
    stack: list[exp.Expr] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _STATEMENTS):
            return node
        for child in node.iter_expressions():
            stack.append(child)
    return None


@functools.cache
def _generator_class(dialect: str) -> type[Generator]:
    base: type[Generator] = Dialect.get_or_raise(dialect).generator_class

    class _EngineGenerator(base):  # type: ignore[misc, valid-type]
        traits: EngineTraits

        def literal_sql(self, expression: exp.Literal) -> str:
            if expression.is_string:
                return self.traits.literal(expression.this or "")
            return str(super().literal_sql(expression))

        def national_sql(self, expression: exp.National, prefix: str = "N") -> str:
            return self.traits.literal(expression.name)

        def rawstring_sql(self, expression: exp.RawString) -> str:
            return self.traits.literal(expression.name)

        def currenttime_sql(self, expression: exp.CurrentTime) -> str:
            # SQL's CURRENT_TIME takes no parentheses without a precision (PostgreSQL refuses
            # `CURRENT_TIME()`; MySQL, MariaDB and SQLite accept the bare keyword).
            precision = expression.args.get("this")
            return f"CURRENT_TIME({self.sql(precision)})" if precision is not None else "CURRENT_TIME"

        def identifier_sql(self, expression: exp.Identifier) -> str:
            text = expression.name
            quoted = bool(expression.quoted) or text.lower() in self.RESERVED_KEYWORDS
            return self.traits.quote(Name(text, quoted=quoted))

    return _EngineGenerator


def render_tree(tree: exp.Expr, traits: EngineTraits, *, what: str = "fragment") -> str:
    """A parsed fragment as ``traits``' engine must read it (literals and names escaped by its rules,
    comments dropped). Refuses a fragment holding a statement of its own."""
    node = statement_node(tree)
    if node is not None and not (node is tree and isinstance(tree, exp.Query)):
        raise SqlError(
            Diagnostic(
                f"the {what} holds a statement of its own ({node.key.upper()}); "
                "only an expression belongs here",
                hint="remove everything after the expression (`;`, DDL or DML)",
            )
        )
    options: dict[str, Any] = {"dialect": traits.sqlglot_dialect, "comments": False}
    generator: Any = _generator_class(traits.sqlglot_dialect)(**options)
    generator.traits = traits
    return str(generator.generate(tree))


#: Top nodes a column default may be written with bare; anything else (an operator, AT TIME ZONE,
#: COLLATE, a CASE...) is parenthesized, as PostgreSQL's grammar requires (DEFAULT takes a b_expr).
_BARE_DEFAULTS: tuple[type[exp.Expr], ...] = (
    exp.Func,
    exp.Literal,
    exp.Column,
    exp.Paren,
    exp.Boolean,
    exp.Null,
    exp.Array,
)


def default_expression_sql(neutral: str, traits: EngineTraits) -> str:
    """A default expression written for ``traits``' engine, parenthesized unless it is a literal,
    a function call or a cast (``DEFAULT (now() AT TIME ZONE 'utc')``)."""
    sql = expression_sql(neutral, traits, what="default")
    try:
        tree = sqlglot.parse_one(neutral, read=None)
    except (SqlglotError, RecursionError):
        return f"({sql})"
    if isinstance(tree, _BARE_DEFAULTS) or (isinstance(tree, exp.Neg) and isinstance(tree.this, exp.Literal)):
        return sql
    return f"({sql})"


def expression_sql(neutral: str, traits: EngineTraits, *, what: str = "fragment") -> str:
    """Neutral-dialect SQL (as stored in the catalog) written for ``traits``' engine.

    Refuses (``SqlError``) text that does not parse as one expression or query: such text is never
    copied into a script as it came."""
    try:
        trees = [t for t in sqlglot.parse(neutral, read=None) if t is not None]
    except (SqlglotError, RecursionError):
        trees = []
    if len(trees) != 1:
        shown = neutral if len(neutral) <= 80 else neutral[:77] + "..."
        raise SqlError(
            Diagnostic(
                f"cannot render the {what} {shown!r}: it is not one SQL expression",
                hint="write it as a single expression, without `;`",
            )
        )
    return render_tree(trees[0], traits, what=what)
