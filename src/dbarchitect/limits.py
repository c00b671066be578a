"""Limits on what the tool reads, so no input can make it hang or exhaust memory or the stack.

Every limit has a default that no real brief, schema or workload comes near, and a way to raise it;
going past one is a :class:`LimitExceeded` (a one-line error, exit 2) naming the limit, the value and
how to raise it:

=================  ===============  =============================================================
limit              default          raise it with
=================  ===============  =============================================================
input file size    16 MB            ``dbarch --max-input 64MB ...`` or ``DBARCH_MAX_INPUT=64MB``
statement length   1 MB             ``DBARCH_MAX_STATEMENT=4MB``
AND/OR terms       1,000            ``DBARCH_MAX_PREDICATES=10000`` (per statement)
nesting depth      100              ``DBARCH_MAX_NESTING=200`` (parentheses, subqueries, YAML)
YAML aliases       10,000 nodes     ``DBARCH_MAX_ALIAS_NODES=100000`` (nodes aliases add)
=================  ===============  =============================================================

Files are read only when they are regular files (a FIFO, a device such as ``/dev/zero`` or a
directory is refused before it is opened), at most the size limit plus one byte, and must be UTF-8
text without NUL bytes (a byte-order mark is dropped). The limits in force are a context variable,
so a server can give each call its own (:func:`using`).
"""

from __future__ import annotations

import contextvars
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, TextIO

from dbarchitect.errors import DbarchError, Diagnostic

MB = 1024 * 1024


class LimitExceeded(DbarchError):
    """An input is larger, longer or deeper than a limit allows."""


@dataclass(frozen=True)
class Limits:
    max_input_bytes: int = 16 * MB
    max_statement_bytes: int = 1 * MB
    max_predicates: int = 1_000
    max_nesting: int = 100
    max_alias_nodes: int = 10_000


_ENV = {
    "max_input_bytes": "DBARCH_MAX_INPUT",
    "max_statement_bytes": "DBARCH_MAX_STATEMENT",
    "max_predicates": "DBARCH_MAX_PREDICATES",
    "max_nesting": "DBARCH_MAX_NESTING",
    "max_alias_nodes": "DBARCH_MAX_ALIAS_NODES",
}
_SIZE = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": MB, "mb": MB, "mib": MB}
_UNITS |= {"g": 1024 * MB, "gb": 1024 * MB, "gib": 1024 * MB}


def parse_size(text: str, *, field: str) -> int:
    """``16MB``, ``512k``, ``1048576`` -> bytes (powers of 1024)."""
    m = _SIZE.match(text)
    unit = (m["unit"] or "").lower() if m else ""
    if m is None or unit not in _UNITS:
        raise DbarchError(
            Diagnostic(
                f"{text!r} is not a size", field=field, hint="write a size such as 64MB, 512KB or 1048576"
            )
        )
    value = int(float(m["n"]) * _UNITS[unit])
    if value < 1:
        raise DbarchError(Diagnostic(f"{text!r} is not a positive size", field=field))
    return value


def _from_environment() -> Limits:
    limits = Limits()
    for attr, var in _ENV.items():
        raw = os.environ.get(var)
        if raw is None or not raw.strip():
            continue
        if attr.endswith("_bytes"):
            value = parse_size(raw, field=var)
        else:
            if not raw.strip().isdigit() or int(raw) < 1:
                raise DbarchError(Diagnostic(f"{raw!r} is not a positive whole number", field=var))
            value = int(raw)
        limits = replace(limits, **{attr: value})
    return limits


_CURRENT: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("dbarch_limits", default=None)


def current() -> Limits:
    """The limits in force: those set by :func:`using`, else the defaults with the environment's."""
    limits = _CURRENT.get()
    return limits if limits is not None else _from_environment()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Run a block under ``limits``."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.3g} MB"
    if n >= 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n} bytes"


def input_limit_hint() -> str:
    return "raise the limit with --max-input SIZE (e.g. dbarch --max-input 64MB ...) or DBARCH_MAX_INPUT"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def check_path_text(path: str | Path, *, field: str | None = None) -> str:
    """The path as text, refused when it holds a NUL byte (no file system takes one)."""
    text = str(path)
    if "\x00" in text:
        shown = text.replace("\x00", "\\0")[:80]
        raise DbarchError(
            Diagnostic(f"the path {shown!r} holds a NUL byte", field=field, hint="give the path of a file")
        )
    return text


def read_input_bytes(
    path: str | Path,
    *,
    what: str = "the file",
    field: str | None = None,
    error: type[DbarchError] = DbarchError,
    missing: str | None = None,
) -> bytes:
    """The bytes of a regular file, refused (before it is opened) when it is not one or is over the
    input size limit."""
    shown = check_path_text(path, field=field)
    limit = current().max_input_bytes
    try:
        info = os.stat(shown)
    except FileNotFoundError:
        message = missing or f"no such file; give the path of {what}"
        raise error(Diagnostic(message, file=shown, field=field)) from None
    except OSError as exc:
        raise error(Diagnostic(f"cannot read {what}: {exc.strerror}", file=shown, field=field)) from None
    if not stat.S_ISREG(info.st_mode):
        raise error(
            Diagnostic(f"{what} is {_kind(info.st_mode)}, not a regular file", file=shown, field=field)
        )
    if info.st_size > limit:
        raise LimitExceeded(
            Diagnostic(
                f"{what} is {human_size(info.st_size)}, over the input limit of {human_size(limit)}",
                file=shown,
                field=field,
                hint=input_limit_hint(),
            )
        )
    try:
        with open(shown, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(Diagnostic(f"cannot read {what}: {exc.strerror}", file=shown, field=field)) from None
    if len(data) > limit:
        raise LimitExceeded(
            Diagnostic(
                f"{what} grew past the input limit of {human_size(limit)} while it was read",
                file=shown,
                field=field,
                hint=input_limit_hint(),
            )
        )
    return data


def decode_text(
    data: bytes,
    *,
    what: str = "the file",
    file: str | None = None,
    field: str | None = None,
    error: type[DbarchError] = DbarchError,
) -> str:
    """UTF-8 text of ``data`` (a byte-order mark dropped), refused when it is binary or not UTF-8."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise error(
            Diagnostic(
                f"{what} is binary (it holds a NUL byte at offset {nul})",
                file=file,
                field=field,
                hint="give a UTF-8 text file",
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            Diagnostic(
                f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                file=file,
                field=field,
                hint="save it as UTF-8",
            )
        ) from None


def read_input_text(
    path: str | Path,
    *,
    what: str = "the file",
    field: str | None = None,
    error: type[DbarchError] = DbarchError,
    missing: str | None = None,
) -> str:
    """A regular UTF-8 text file within the input size limit (see :func:`read_input_bytes`)."""
    data = read_input_bytes(path, what=what, field=field, error=error, missing=missing)
    return decode_text(data, what=what, file=str(path), field=field, error=error)


def read_stream_text(stream: BinaryIO | TextIO, *, what: str = "standard input") -> str:
    """Text from a stream (standard input), read with the input size limit."""
    limit = current().max_input_bytes
    raw = getattr(stream, "buffer", stream)  # a text stream's bytes: its encoding is not trusted
    data = raw.read(limit + 1)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > limit:
        raise LimitExceeded(
            Diagnostic(f"{what} is over the input limit of {human_size(limit)}", hint=input_limit_hint())
        )
    return decode_text(data, what=what)


def check_text_size(text: str, *, what: str, file: str | None = None, field: str | None = None) -> str:
    """``text`` given inline (an MCP argument, a string in a brief) held to the input size limit."""
    limit = current().max_input_bytes
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise LimitExceeded(
            Diagnostic(
                f"{what} is over the input limit of {human_size(limit)}",
                file=file,
                field=field,
                hint=input_limit_hint(),
            )
        )
    return text


def nesting_exceeded(
    depth: int, *, what: str, file: str | None = None, line: int | None = None, field: str | None = None
) -> LimitExceeded:
    """The error for ``what`` nested ``depth`` levels, past the nesting limit."""
    limit = current().max_nesting
    return LimitExceeded(
        Diagnostic(
            f"{what} is nested {depth} levels deep, over the limit of {limit}",
            file=file,
            line=line,
            field=field,
            hint="flatten it, or raise the limit with DBARCH_MAX_NESTING",
        )
    )
