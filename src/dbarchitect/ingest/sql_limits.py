"""Limits on SQL text before sqlglot parses it, and parsing that cannot exhaust the stack.

sqlglot's parser and generator recurse once per nesting level (about 40 levels of parentheses
fit Python's default stack), and a statement can be made arbitrarily long or wide. So every SQL text
a user gives (workload statements, DDL, migrations, CHECKs and predicates in a brief) is checked
first, from its tokens (the tokenizer is iterative):

- its length against the statement limit;
- its parenthesis depth (subqueries, expressions) against the nesting limit;
- its AND/OR terms against the predicate limit;

and is parsed with a deeper stack than Python's default (enough for the nesting limit), a
``RecursionError`` from any other deep shape (``NOT NOT NOT ...``) becoming the same limit error.
Every refusal names the statement and the limit, and how to raise it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import SqlglotError

from dbarchitect.errors import Diagnostic
from dbarchitect.limits import LimitExceeded, current, human_size, nesting_exceeded

#: Python frames sqlglot needs per nesting level (measured: 40 levels of parentheses fill the
#: default 1000; 25 per level leaves room for the caller's own frames).
_FRAMES_PER_LEVEL = 25

T = TypeVar("T")


def check_sql_text(sql: str, dialect: str | None, *, what: str, file: str | None = None) -> None:
    """Refuse ``sql`` (named ``what`` in the message, e.g. "statement 'q1'") when it is longer,
    deeper or has more AND/OR terms than the limits allow. Text that does not tokenize is left to the
    parser's own error."""
    limits = current()
    size = len(sql.encode("utf-8", "surrogatepass"))
    if size > limits.max_statement_bytes:
        raise LimitExceeded(
            Diagnostic(
                f"{what} is {human_size(size)}, over the statement limit of "
                f"{human_size(limits.max_statement_bytes)}",
                file=file,
                hint="split it, or raise the limit with DBARCH_MAX_STATEMENT",
            )
        )
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except SqlglotError:
        return
    depth = deepest = terms = 0
    for token in tokens:
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limits.max_nesting:
                    raise nesting_exceeded(deepest, what=f"{what} (parentheses)", file=file)
        elif kind == TokenType.R_PAREN:
            depth -= 1
        elif kind in (TokenType.AND, TokenType.OR):
            terms += 1
    if terms + 1 > limits.max_predicates:
        raise LimitExceeded(
            Diagnostic(
                f"{what} has {terms + 1:,} AND/OR terms, over the limit of {limits.max_predicates:,}",
                file=file,
                hint="use IN (...) or a join to a table of values, or raise the limit with "
                "DBARCH_MAX_PREDICATES",
            )
        )


@contextmanager
def deep_stack() -> Iterator[None]:
    """Room on the stack for sqlglot to parse and generate up to the nesting limit. The recursion
    limit is raised and never lowered again (lowering it under another thread's parse would break
    that parse)."""
    wanted = 1000 + current().max_nesting * _FRAMES_PER_LEVEL
    if wanted > sys.getrecursionlimit():
        sys.setrecursionlimit(wanted)
    yield


def guarded(call: Callable[[], T], *, what: str, file: str | None = None) -> T:
    """``call()`` (a sqlglot parse, transform or generation) with :func:`deep_stack`; a
    ``RecursionError`` is the nesting limit's error naming ``what``."""
    try:
        with deep_stack():
            return call()
    except RecursionError:
        raise LimitExceeded(
            Diagnostic(
                f"{what} is nested too deeply to analyze (over the limit of {current().max_nesting} levels)",
                file=file,
                hint="flatten it, or raise the limit with DBARCH_MAX_NESTING",
            )
        ) from None


def parse_sql(sql: str, dialect: str | None, *, what: str, file: str | None = None) -> list[exp.Expr]:
    """Every statement of ``sql`` after :func:`check_sql_text`, parsed with :func:`guarded`. sqlglot's
    own errors propagate (callers word them)."""
    check_sql_text(sql, dialect, what=what, file=file)
    return guarded(
        lambda: [t for t in sqlglot.parse(sql, read=dialect) if t is not None], what=what, file=file
    )


def tree_depth(tree: exp.Expr) -> int:
    """How deep ``tree`` is, counted iteratively."""
    deepest = 0
    stack: list[tuple[exp.Expr, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_expressions())
    return deepest
