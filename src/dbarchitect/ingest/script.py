"""Split a SQL script into statements the way the engine's own command-line client does.

A migration file is run by a client (``psql -f``, ``mysql < file``, ``sqlite3``), and the client, not
the server, decides where one statement ends: splitting it any other way reads a different migration
than the one that runs. So each family follows its client:

- **psql** (PostgreSQL): ``;`` ends a statement outside quotes (``'...'`` with ``''``, ``E'...'``
  with backslash escapes, ``"..."``), dollar quotes (``$$...$$``, ``$tag$...$tag$``), comments
  (``--``, nested ``/* */``) and parentheses; inside a ``CREATE FUNCTION`` / ``PROCEDURE`` the SQL
  standard body ``BEGIN ATOMIC ... END`` (with its ``CASE ... END``) is one statement. A backslash
  outside quotes starts a psql meta-command (``\\set``, ``\\connect``, ``\\i``) that runs to the end
  of the line; ``\\g`` and its kin also end the statement before them.
- **mysql** (MySQL, MariaDB): the delimiter (``;`` until a ``DELIMITER xx`` line changes it) ends
  a statement outside quotes (``'...'`` and ``"..."`` with backslash escapes, backquoted names) and
  comments (``#``, ``-- `` , ``/* */``); parentheses and ``BEGIN ... END`` do not matter to the client,
  so a trigger body without ``DELIMITER`` is cut at its first ``;`` exactly as ``mysql < file`` cuts
  it. ``\\g`` and ``\\G`` end a statement too.
- **sqlite3**: ``;`` ends a statement once :func:`sqlite3.complete_statement` agrees (a trigger body
  ``BEGIN ... END`` holds several).

Pieces keep their offsets in the file, so findings point at the user's own lines.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.model.names import EngineName


class PieceKind(StrEnum):
    #: A statement for the server.
    SQL = "sql"
    #: A client command, not SQL: a psql meta-command (``\\set``) or a mysql ``DELIMITER`` line.
    CLIENT = "client"


@dataclass(frozen=True)
class Piece:
    """One statement (or client command) of a script: its text without the terminator, and where it
    is in the file (``start`` inclusive, ``end`` exclusive, character offsets)."""

    kind: PieceKind
    text: str
    start: int
    end: int
    #: The terminator that ended it (``;``, the mysql delimiter, ``\\g``); empty at the end of file.
    terminator: str = ""


_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\x80-\U0010ffff]")
_WORD = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
_ROUTINE = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b", re.IGNORECASE)
_PSQL_SEND = re.compile(r"\\(?:g|gx|gexec|gset|gdesc|watch|crosstabview)\b|\\;")
_COPY_FROM_STDIN = re.compile(r"^COPY\b[^;]*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(?P<delim>\S+)[^\n]*", re.IGNORECASE)


def split_script(text: str, engine: EngineName) -> list[Piece]:
    """The statements and client commands of ``text`` as ``engine``'s client reads them, in order;
    empty statements (a lone ``;``, only comments) are left out."""
    if engine == EngineName.POSTGRESQL:
        pieces = _Psql(text).split()
    elif engine in (EngineName.MYSQL, EngineName.MARIADB):
        pieces = _Mysql(text).split()
    else:
        pieces = _Sqlite(text).split()
    return [p for p in pieces if p.kind == PieceKind.CLIENT or p.text.strip()]


def unclosed_at(text: str, engine: EngineName) -> int | None:
    """Where a quote, quoted name, dollar quote or block comment opens that never closes, or None."""
    scanner = _Psql(text) if engine == EngineName.POSTGRESQL else _Mysql(text)
    scanner.split()
    return scanner.unclosed


def code_mask(text: str, engine: EngineName) -> list[bool]:
    """For each character of one statement: True when it is code (not inside a string, quoted name,
    dollar quote or comment), so rewrites of the code never touch literals."""
    scanner = _Psql(text) if engine == EngineName.POSTGRESQL else _Mysql(text)
    return scanner.mask()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.pieces: list[Piece] = []
        #: What each character is: code, a literal (string, quoted name, dollar quote) or a comment.
        self.kinds: list[int] = [_CODE] * len(text)
        #: Where a literal or comment opened that runs to the end of the text, if one does.
        self.unclosed: int | None = None

    def _skip_line(self, i: int) -> int:
        end = self.text.find("\n", i)
        return self.n if end < 0 else end

    def _emit(self, kind: PieceKind, start: int, end: int, terminator: str = "") -> None:
        """A statement from its first to its last character of code (comments around it are not
        part of it); nothing when it holds no code."""
        text, kinds = self.text, self.kinds
        solid = [k for k in range(start, end) if kinds[k] != _COMMENT and not text[k].isspace()]
        if not solid:
            return
        first, last = solid[0], solid[-1]
        self.pieces.append(Piece(kind, text[first : last + 1], first, last + 1, terminator))

    def _quoted(self, i: int, quote: str, *, backslash: bool) -> int:
        """The index just past a quoted run starting at ``i`` (the opening quote)."""
        j = i + 1
        while j < self.n:
            c = self.text[j]
            if backslash and c == "\\":
                j += 2
                continue
            if c == quote:
                if j + 1 < self.n and self.text[j + 1] == quote:
                    j += 2
                    continue
                return j + 1
            j += 1
        self.unclosed = i if self.unclosed is None else self.unclosed
        return self.n

    def _mark(self, start: int, end: int, kind: int = 1) -> None:
        for k in range(start, min(end, self.n)):
            self.kinds[k] = kind

    def _comment(self, start: int, end: int) -> None:
        self._mark(start, end, _COMMENT)

    def mask(self) -> list[bool]:
        self.split()
        return [k == _CODE for k in self.kinds]

    def split(self) -> list[Piece]:
        raise NotImplementedError


_CODE, _LITERAL, _COMMENT = 0, 1, 2


def _has_code(kinds: list[int], start: int, end: int, text: str) -> bool:
    """Whether ``start:end`` holds anything but comments and whitespace."""
    return any(kinds[k] != _COMMENT and not text[k].isspace() for k in range(start, end))


class _Psql(_Scanner):
    def split(self) -> list[Piece]:
        text, n = self.text, self.n
        start = 0
        i = 0
        parens = 0
        begin_depth = 0
        words: list[str] = []
        while i < n:
            c = text[i]
            if c == "-" and text.startswith("--", i):
                end = self._skip_line(i)
                self._comment(i, end)
                i = end
                continue
            if c == "/" and text.startswith("/*", i):
                end = self._block_comment(i)
                self._comment(i, end)
                i = end
                continue
            if c == "'":
                prefix = text[i - 1] if i > 0 else ""
                escaped = prefix in "eE" and (i < 2 or not _IDENT_CHAR.match(text[i - 2]))
                end = self._quoted(i, "'", backslash=escaped)
                self._mark(i, end)
                i = end
                continue
            if c == '"':
                end = self._quoted(i, '"', backslash=False)
                self._mark(i, end)
                i = end
                continue
            if c == "$" and (i == 0 or not _IDENT_CHAR.match(text[i - 1])):
                tag = _DOLLAR_TAG.match(text, i)
                if tag:
                    close = text.find(tag.group(0), tag.end())
                    end = self.n if close < 0 else close + len(tag.group(0))
                    if close < 0 and self.unclosed is None:
                        self.unclosed = i
                    self._mark(i, end)
                    i = end
                    continue
            if c == "\\":
                line_end = self._skip_line(i)
                self._comment(i, line_end)
                send = _PSQL_SEND.match(text, i)
                pending = _has_code(self.kinds, start, i, self.text)
                if pending and send:
                    self._emit(PieceKind.SQL, start, i, send.group(0))
                elif pending:
                    # A meta-command in the middle of a statement runs at once; the statement goes on.
                    self.pieces.append(Piece(PieceKind.CLIENT, text[i:line_end].strip(), i, line_end))
                    i = line_end
                    continue
                self.pieces.append(Piece(PieceKind.CLIENT, text[i:line_end].strip(), i, line_end))
                i = line_end
                start = i
                parens = begin_depth = 0
                words = []
                continue
            if c == "(":
                parens += 1
            elif c == ")":
                parens = max(0, parens - 1)
            elif c == ";" and parens == 0 and begin_depth == 0:
                self._emit(PieceKind.SQL, start, i, ";")
                i += 1
                start = i
                if _COPY_FROM_STDIN.match(self.pieces[-1].text if self.pieces else ""):
                    start = i = self._copy_data(i)
                words = []
                continue
            elif c.isalpha() or c == "_":
                m = _WORD.match(text, i)
                assert m is not None
                word = m.group(0).upper()
                if len(words) < 4:
                    words.append(word)
                if _ROUTINE.match(" ".join(words)):
                    if word in ("BEGIN", "CASE"):
                        begin_depth += 1
                    elif word == "END" and begin_depth:
                        begin_depth -= 1
                i = m.end()
                continue
            i += 1
        self._emit(PieceKind.SQL, start, n)
        return self.pieces

    def _copy_data(self, i: int) -> int:
        """psql sends the lines after ``COPY ... FROM stdin;`` as data, up to a line ``\\.``: one
        client piece, not SQL."""
        line_end = self._skip_line(i)
        data_start = line_end + 1 if line_end < self.n else self.n
        end = self.text.find("\n\\.", line_end)
        stop = self.n if end < 0 else self._skip_line(end + 1)
        self._comment(data_start, stop)
        if stop > data_start:
            self.pieces.append(Piece(PieceKind.CLIENT, "COPY data", data_start, stop))
        return stop

    def _block_comment(self, i: int) -> int:
        depth = 0
        j = i
        while j < self.n:
            if self.text.startswith("/*", j):
                depth += 1
                j += 2
            elif self.text.startswith("*/", j):
                depth -= 1
                j += 2
                if depth == 0:
                    return j
            else:
                j += 1
        if self.unclosed is None:
            self.unclosed = i
        return self.n


class _Mysql(_Scanner):
    def split(self) -> list[Piece]:
        text, n = self.text, self.n
        delimiter = ";"
        start = 0
        i = 0
        while i < n:
            c = text[i]
            if (
                c in "dD"
                and not text[text.rfind("\n", 0, i) + 1 : i].strip()
                and not _has_code(self.kinds, start, i, self.text)
            ):
                m = _DELIMITER.match(text, i)
                if m:
                    self._comment(i, m.end())
                    self.pieces.append(Piece(PieceKind.CLIENT, m.group(0).strip(), i, m.end()))
                    delimiter = m["delim"]
                    i = m.end()
                    start = i
                    continue
            if c == "#" or (
                c == "-" and text.startswith("--", i) and (i + 2 >= n or text[i + 2] in " \t\r\n")
            ):
                end = self._skip_line(i)
                self._comment(i, end)
                i = end
                continue
            if c == "/" and text.startswith("/*", i):
                close = text.find("*/", i + 2)
                end = n if close < 0 else close + 2
                if close < 0 and self.unclosed is None:
                    self.unclosed = i
                self._comment(i, end)
                i = end
                continue
            if c in "'\"":
                end = self._quoted(i, c, backslash=True)
                self._mark(i, end)
                i = end
                continue
            if c == "`":
                end = self._quoted(i, "`", backslash=False)
                self._mark(i, end)
                i = end
                continue
            if text.startswith(delimiter, i):
                self._emit(PieceKind.SQL, start, i, delimiter)
                i += len(delimiter)
                start = i
                continue
            if c == "\\" and i + 1 < n and text[i + 1] in "gG":
                self._emit(PieceKind.SQL, start, i, text[i : i + 2])
                i += 2
                start = i
                continue
            i += 1
        self._emit(PieceKind.SQL, start, n)
        return self.pieces


class _Sqlite(_Scanner):
    def split(self) -> list[Piece]:
        text, n = self.text, self.n
        start = 0
        i = 0
        while i < n:
            c = text[i]
            end = i
            if c == "-" and text.startswith("--", i):
                end = self._skip_line(i)
                self._comment(i, end)
            elif c == "/" and text.startswith("/*", i):
                close = text.find("*/", i + 2)
                end = n if close < 0 else close + 2
                self._comment(i, end)
            elif c in "'\"`":
                end = self._quoted(i, c, backslash=False)
            elif c == "[":
                close = text.find("]", i)
                end = n if close < 0 else close + 1
            if end > i:
                if self.kinds[i] != _COMMENT:
                    self._mark(i, end)
                i = end
                continue
            if c == ";" and sqlite3.complete_statement(text[start : i + 1]):
                self._emit(PieceKind.SQL, start, i, ";")
                start = i + 1
            i += 1
        self._emit(PieceKind.SQL, start, n)
        return self.pieces
