"""One parse per statement text: every advisor reads the same statements (index terms, summaries,
rewrites, copies, bounds, parameters), and parsing them again each time was most of a large design's
CPU. :func:`parse_statement` parses a (text, dialect) pair once per process and gives every caller its
own copy, since callers may change the tree (qualify, replace nodes). A text that does not parse is
not remembered: each call raises sqlglot's error again, exactly as ``sqlglot.parse_one`` does."""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

#: Distinct statement texts kept (a 1,000-table brief has 5,000 statements).
CACHED_TEXTS = 8192


@lru_cache(maxsize=CACHED_TEXTS)
def _parsed(sql: str, dialect: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=dialect)


def parse_statement(sql: str, dialect: str) -> exp.Expr:
    """``sqlglot.parse_one(sql, read=dialect)``, parsed once per text and dialect; a fresh copy."""
    return _parsed(sql, dialect).copy()
