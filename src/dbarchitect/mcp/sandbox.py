"""What an agent may make the server touch: files under one root, databases read-only, and a scratch
database only when the server was started with ``--allow-scratch`` and the call names one.

Every path an agent gives (a brief, a migration file, a DDL file) and every file a brief names in turn
(its DDL, statement files, pg_stat_statements exports, logs) must resolve, symlinks followed, inside
the root; so must the file of a ``sqlite:///`` URL (a relative one is taken relative to the root).
Databases named for reading (a brief's ``source``, HypoPG costing, ``check_url``, a schema to diff)
are opened in read-only sessions by the engines layer; a database the server would write to (a
rehearsal, ``verify``, portability checks) needs the server's ``allow_scratch`` and is still refused
by the layers below when it is not empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.limits import check_path_text, read_input_text
from dbarchitect.mcp.isolation import CallLimits

if TYPE_CHECKING:  # the brief, SQLAlchemy and the engines load on the first call, not at start-up
    from dbarchitect.brief import Brief

#: How ``--allow-scratch`` is spelled in refusals, so the user knows the switch.
SCRATCH_FLAG = "--allow-scratch"


@dataclass(frozen=True)
class Sandbox:
    """The server's limits: ``root`` (absolute, resolved) and whether scratch databases may be written."""

    root: Path
    allow_scratch: bool = False
    #: What one tool call may use (a child process per call: memory, seconds; cancellable).
    call_limits: CallLimits = dataclasses.field(default_factory=CallLimits)

    @classmethod
    def at(
        cls, root: str | Path, *, allow_scratch: bool = False, call_limits: CallLimits | None = None
    ) -> Sandbox:
        path = Path(check_path_text(root, field="--root")).expanduser().resolve()
        if not path.is_dir():
            raise DbarchError(
                Diagnostic(f"{path} is not a directory", field="--root", hint="give the directory to serve")
            )
        return cls(path, allow_scratch, call_limits or CallLimits())

    # -----------------------------------------------------------------------------------------
    # Files

    def path(self, given: str | Path, *, field: str) -> Path:
        """``given`` (relative to the root, or absolute) resolved, provided it lies inside the root."""
        raw = Path(check_path_text(given, field=field)).expanduser()
        resolved = (raw if raw.is_absolute() else self.root / raw).resolve()
        if not resolved.is_relative_to(self.root):
            raise DbarchError(
                Diagnostic(
                    f"{str(given)!r} is outside the server's root {self.root}",
                    field=field,
                    hint="give a path inside the root, or start the server with --root covering it",
                )
            )
        return resolved

    def read_text(self, given: str, *, field: str) -> str:
        path = self.path(given, field=field)
        return read_input_text(path, field=field, missing="no such file")

    # -----------------------------------------------------------------------------------------
    # Database URLs

    def read_url(self, url: str, *, field: str) -> str:
        """A database URL to read from (read-only sessions); a SQLite file must be inside the root."""
        return self._url(url, field)

    def scratch_url(self, url: str, *, field: str) -> str:
        """A database URL the call would write to: only with ``allow_scratch``."""
        if not self.allow_scratch:
            raise DbarchError(
                Diagnostic(
                    f"writing to a scratch database is off on this server, so {redact(url)!r} is not used",
                    field=field,
                    hint=f"leave {field} out for read-only analysis, or restart the server with "
                    f"{SCRATCH_FLAG} and name an EMPTY scratch database",
                )
            )
        return self._url(url, field)

    def _url(self, url: str, field: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        from dbarchitect.engines.connection import expand_env, url_engine
        from dbarchitect.model.names import EngineName

        try:
            family = url_engine(url)
        except DbarchError as exc:
            raise DbarchError(
                Diagnostic(exc.diagnostic.message, field=field, hint=exc.diagnostic.hint)
            ) from None
        if family != EngineName.SQLITE:
            return url
        try:
            parsed = make_url(expand_env(url))
        except (ArgumentError, ValueError):
            raise DbarchError(Diagnostic(f"cannot read database URL {redact(url)!r}", field=field)) from None
        database = parsed.database or ""
        if database in ("", ":memory:"):
            return url
        path = self.path(database, field=field)
        return parsed.set(database=str(path)).render_as_string(hide_password=False)

    # -----------------------------------------------------------------------------------------
    # Briefs

    def brief(self, brief: Mapping[str, Any] | str | None, brief_path: str | None) -> tuple[Brief, str]:
        """The brief an agent gave, inline (an object, or YAML/JSON text; relative paths in it are
        taken from the root) or as a file under the root, with every file it names checked; also the
        name errors and reports use for it."""
        from dbarchitect.brief import load_brief, loads_brief, parse_brief

        if (brief is None) == (brief_path is None):
            raise DbarchError(
                Diagnostic(
                    "give exactly one of brief (the brief as an object or YAML/JSON text) or brief_path "
                    "(a brief file under the server's root)",
                    field="brief",
                )
            )
        if brief_path is not None:
            path = self.path(brief_path, field="brief_path")
            loaded = load_brief(path)
            label = str(path.relative_to(self.root))
        elif isinstance(brief, str):
            label = "<brief>"
            loaded = loads_brief(brief, file=label, base_dir=self.root)
        else:
            label = "<brief>"
            loaded = parse_brief(dict(brief or {}), file=label, base_dir=self.root)
        for field, referenced in _brief_files(loaded):
            self.path(loaded.resolve(referenced), field=field)
        for field, url in _brief_urls(loaded):
            self.read_url(url, field=field)
        source = loaded.schema_.source
        if source is not None:
            # A relative SQLite file is the root's, whatever the process's working directory.
            url = self.read_url(source.url, field="schema.source")
            if url != source.url:
                schema = loaded.schema_.model_copy(update={"source": source.model_copy(update={"url": url})})
                loaded = loaded.model_copy(update={"schema_": schema})
        return loaded, label


def _brief_files(brief: Brief) -> Iterator[tuple[str, Path]]:
    """Every file a brief names, with the field naming it."""
    schema = brief.schema_
    if schema.ddl is not None and schema.ddl.path is not None:
        yield "schema.ddl.path", schema.ddl.path
    for i, statement in enumerate(brief.workload.statements):
        if statement.file is not None:
            yield f"workload.statements[{i}].file", statement.file
    for i, imp in enumerate(brief.workload.imports):
        if imp.pg_stat_statements is not None and imp.pg_stat_statements.file is not None:
            yield f"workload.imports[{i}].pg_stat_statements.file", imp.pg_stat_statements.file
        if imp.log is not None:
            yield f"workload.imports[{i}].log.file", imp.log.file


def _brief_urls(brief: Brief) -> Iterator[tuple[str, str]]:
    """The databases a brief names besides its ``source`` (all read, never written)."""
    for i, imp in enumerate(brief.workload.imports):
        if imp.pg_stat_statements is not None and imp.pg_stat_statements.url is not None:
            yield f"workload.imports[{i}].pg_stat_statements.url", imp.pg_stat_statements.url
