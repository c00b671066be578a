"""One root error for everything a user can get wrong, and the Diagnostic that says where.

Every error a user can cause (bad brief, bad SQL, unreachable database) is a :class:`DbarchError`
carrying a :class:`Diagnostic`: where (file, line, column, or a field path) and what to do. The CLI
prints ``str(error)`` as one line and exits with code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: A URL's ``scheme://user:password@``. The scheme starts where no scheme character precedes it and
#: is short: a long run of letters (a 100,000-character identifier) is then not re-scanned from every
#: position (which made redacting a message quadratic).
_URL_PASSWORD = re.compile(
    r"(?<![a-zA-Z0-9+.\-])(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]{0,31}://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]*)@"
)
#: Longest word a message shows whole; a longer one (a huge identifier or value) keeps its ends.
_LONGEST_WORD = 160
#: ``password=x`` anywhere (a libpq keyword string, a URL query, a database name), also URL-encoded
#: (``password%3Dx``, as a URL library writes ``=`` inside a database name).
_KV_PASSWORD = re.compile(
    r"(?i)(?:(?<![a-z])|(?<=%[0-9a-f]{2}))(password|passwd|pwd)(\s*(?:=|%3D)\s*)('[^']*'|\"[^\"]*\"|[^\s&;]+)"
)


def redact(text: str) -> str:
    """Hide passwords in database URLs and ``password=...`` pairs inside ``text``.

    >>> redact("postgresql://app:s3cret@db:5432/shop failed")
    'postgresql://app:***@db:5432/shop failed'
    """
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    return _KV_PASSWORD.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


@dataclass(frozen=True)
class Diagnostic:
    """Where a problem is and what to do about it; ``str()`` is the one line the CLI prints.

    Attributes:
        message: What is wrong.
        file: The file it is in (a brief, a DDL or migration file), if any.
        line: The 1-based line in that file, if known.
        column: The 1-based column on that line, if known.
        field: The brief field or command-line option, e.g. ``tables.orders.rows`` or ``--budget``.
        hint: What to do about it.
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" ({self.hint})" if not self.hint.startswith("—") else f" {self.hint}"
        return redact(" ".join(_shortened(w) for w in text.split()))


def _shortened(word: str) -> str:
    if len(word) <= _LONGEST_WORD:
        return word
    return f"{word[:100]}...({len(word) - 130:,} characters)...{word[-30:]}"


class DbarchError(Exception):
    """Root of every error the user can cause. ``str()`` is one line, safe to print.

    ``more`` holds further problems found in the same input (a brief with several mistakes is
    reported whole, not one fix-and-rerun at a time): ``str()`` counts them, ``diagnostics`` lists
    them all, and the CLI prints one line each."""

    def __init__(self, diagnostic: Diagnostic | str, *, more: Iterable[Diagnostic] = ()) -> None:
        if isinstance(diagnostic, str):
            diagnostic = Diagnostic(diagnostic)
        self.diagnostic = diagnostic
        self.more = tuple(more)
        super().__init__(str(diagnostic))

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return (self.diagnostic, *self.more)

    def __str__(self) -> str:
        n = len(self.more)
        return str(self.diagnostic) + (f" (and {n} more problem{'s' if n > 1 else ''})" if n else "")


class BriefError(DbarchError):
    """The design brief is malformed or inconsistent."""


class SqlError(DbarchError):
    """A SQL statement or DDL file does not parse, or names something that does not exist."""


class CatalogError(DbarchError):
    """A schema cannot be turned into a consistent catalog."""


class ConnectionFailed(DbarchError):
    """A database named by the user cannot be reached or read."""


class UnsupportedError(DbarchError):
    """The request names an engine, version or feature the tool does not support."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the option closest to ``word``, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
