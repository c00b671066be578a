"""String literals, identifiers and comments as each engine must read them: the one place that
escapes text the tool writes into SQL.

Every value a user can write (a comment, a default, a CHECK or enumeration value, a partition
bound, a hot value, a name) reaches a rendered script only through these functions, so a quote,
backslash, semicolon or comment marker inside it stays inside its literal or identifier:

- **Standard** (SQLite, DuckDB): ``'`` is doubled; a backslash is an ordinary character.
- **PostgreSQL**: standard, and a text holding a backslash is written as an escape string
  ``E'...'`` with the backslash doubled, so it means the same whether ``standard_conforming_strings``
  is on (the default since 9.1) or off.
- **MySQL / MariaDB**: ``'`` is doubled (never ``\\'``) and a backslash is doubled. Where the
  literal ends is then the same with and without ``NO_BACKSLASH_ESCAPES``: no sql_mode can make a
  value close its literal early. The *value* is exact under the default sql_mode; a script that
  holds a backslash therefore starts with :data:`MYSQL_BACKSLASH_MODE_SQL`, which turns
  ``NO_BACKSLASH_ESCAPES`` off for the session that runs it (as ``mysqldump`` pins its sql_mode).

A NUL character cannot travel in SQL text (PostgreSQL cannot store it in text at all, and client
libraries cut statements at it): it is refused with a :class:`~dbarchitect.errors.UnsupportedError`.

Comment lines (``-- note: ...``) that carry user text go through :func:`line_comment`, which folds
line breaks, so the text cannot end the comment and start a statement.
"""

from __future__ import annotations

import re
from enum import StrEnum

from dbarchitect.errors import Diagnostic, UnsupportedError


class LiteralStyle(StrEnum):
    """How an engine reads a quoted string literal."""

    STANDARD = "standard"
    POSTGRES = "postgres"
    MYSQL = "mysql"


#: Run first by a MySQL/MariaDB script whose literals hold a backslash: the session reads them with
#: backslash escapes on, whatever sql_mode the server or user set (the literal boundaries do not
#: depend on it; the values do).
MYSQL_BACKSLASH_MODE_SQL = "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');"

# Line breaks every engine ends a ``--`` comment at, and the other ones a reader may (Unicode).
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def refuse_nul(text: str, what: str) -> str:
    """``text`` unchanged, or an :class:`UnsupportedError` when it holds a NUL character."""
    if "\x00" in text:
        shown = text.replace("\x00", "\\0")
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise UnsupportedError(
            Diagnostic(
                f"{what} {shown!r} holds a NUL character, which SQL text cannot carry",
                hint="remove the \\0 from it",
            )
        )
    return text


def string_literal(text: str, style: LiteralStyle) -> str:
    """``text`` as a quoted string literal that an engine of ``style`` reads back exactly.

    >>> string_literal("it's", LiteralStyle.STANDARD)
    "'it''s'"
    >>> string_literal("a\\\\'b", LiteralStyle.POSTGRES)
    "E'a\\\\\\\\''b'"
    >>> string_literal("a\\\\'b", LiteralStyle.MYSQL)
    "'a\\\\\\\\''b'"
    """
    refuse_nul(text, "the string")
    body = text.replace("'", "''")
    if style == LiteralStyle.STANDARD or "\\" not in text:
        return f"'{body}'"
    body = body.replace("\\", "\\\\")
    return f"E'{body}'" if style == LiteralStyle.POSTGRES else f"'{body}'"


def quoted_identifier(text: str, open_quote: str, close_quote: str) -> str:
    """``text`` between an engine's identifier quotes, the closing quote doubled inside."""
    refuse_nul(text, "the name")
    return f"{open_quote}{text.replace(close_quote, close_quote * 2)}{close_quote}"


def line_comment(text: str) -> str:
    """``-- text`` on one line: line breaks become spaces and control characters are dropped, so
    nothing in ``text`` can end the comment."""
    flat = _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))
    return f"-- {flat}".rstrip()


def comment_text(text: str) -> str:
    """``text`` folded onto one line (for a line inside a ``--`` comment block that adds its own
    prefix)."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))


def dollar_quoted(body: str) -> str:
    """``body`` between PostgreSQL dollar quotes whose tag does not occur in it (``$$`` when it
    holds no ``$$``; otherwise ``$dbarch$``, ``$dbarch1$``...), so nothing in the body can end it."""
    refuse_nul(body, "the function body")
    tag = ""
    n = 0
    while f"${tag}$" in body:
        tag = f"dbarch{n or ''}"
        n += 1
    return f"${tag}${body}${tag}$"


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def is_number_literal(text: str) -> bool:
    """Whether ``text`` is a plain decimal number every engine reads as one (no ``nan``, ``inf``,
    ``0x``, ``1_000`` or spaces)."""
    return bool(_NUMBER.match(text))


def number_literal(text: str, what: str = "the number") -> str:
    """``text`` when it is a plain decimal number (:func:`is_number_literal`); refused otherwise, so
    a value meant as a number is never written into SQL as something else."""
    if not is_number_literal(text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise UnsupportedError(
            Diagnostic(
                f"{what} {shown!r} is not a finite decimal number", hint="write it as digits, e.g. 42 or 1.5"
            )
        )
    return text


def neutral_literal(text: str, *, numeric: bool = False) -> str:
    """A value as the catalog's neutral SQL holds a literal: a number as written when ``numeric`` and
    it is one, otherwise a standard string literal (``'`` doubled; sqlglot's neutral dialect reads a
    backslash as an ordinary character)."""
    if numeric and is_number_literal(text.strip()):
        return text.strip()
    return string_literal(text, LiteralStyle.STANDARD)
