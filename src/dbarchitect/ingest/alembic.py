"""An Alembic project's revisions, read from its ``versions/`` directory without importing them.

``dbarch migrate --alembic DIR`` writes its revision into an existing project: the new file must
name the project's current head as its ``down_revision`` (else ``alembic upgrade head`` meets two
heads), be named as Alembic names files (``<rev>_<slug>.py``) and carry the ``Create Date`` header
Alembic's template writes. The revisions are read with :mod:`ast` (``revision = '...'``,
``down_revision = ...``, a string, ``None`` or a tuple for a merge), so no project code runs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from dbarchitect.errors import DbarchError, Diagnostic


@dataclass(frozen=True)
class AlembicRevision:
    revision: str
    down_revisions: tuple[str, ...]
    file: Path


@dataclass(frozen=True)
class AlembicVersions:
    """The ``versions/`` directory of an Alembic project and the revisions in it."""

    directory: Path
    revisions: tuple[AlembicRevision, ...]

    @property
    def heads(self) -> tuple[str, ...]:
        """Revisions no other revision revises, in file order."""
        revised = {d for r in self.revisions for d in r.down_revisions}
        return tuple(r.revision for r in self.revisions if r.revision not in revised)


def versions_directory(path: Path) -> Path | None:
    """The directory revisions go in when ``path`` is an Alembic project (``alembic.ini`` beside a
    script directory, or a script directory with ``env.py``) or its ``versions/`` directory itself;
    None when ``path`` is not a directory."""
    if not path.is_dir():
        return None
    if (path / "versions").is_dir() and ((path / "env.py").exists() or (path / "script.py.mako").exists()):
        return path / "versions"
    ini = path / "alembic.ini"
    if ini.exists():
        m = re.search(r"^\s*script_location\s*=\s*(\S+)", ini.read_text(encoding="utf-8"), re.MULTILINE)
        location = path / (m.group(1).replace("%(here)s/", "") if m else "alembic")
        if (location / "versions").is_dir():
            return location / "versions"
    return path


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ...


def read_revision(path: Path) -> AlembicRevision | None:
    """The revision a file declares, or None when it declares none (not a revision file)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        raise DbarchError(
            Diagnostic(f"cannot read this Alembic revision: {exc.__class__.__name__}", file=str(path))
        ) from None
    values: dict[str, object] = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = _literal(value)
    revision = values.get("revision")
    if not isinstance(revision, str):
        return None
    down = values.get("down_revision")
    if down is None:
        downs: tuple[str, ...] = ()
    elif isinstance(down, str):
        downs = (down,)
    elif isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        downs = tuple(str(d) for d in down)
    else:
        raise DbarchError(
            Diagnostic(
                "down_revision is not a revision id, a tuple of them or None",
                file=str(path),
                hint="write it as Alembic does: down_revision = 'abc123'",
            )
        )
    return AlembicRevision(revision, downs, path)


def read_versions(directory: Path) -> AlembicVersions:
    """Every revision in ``directory`` (its ``*.py`` files, sorted by name)."""
    revisions = [r for f in sorted(directory.glob("*.py")) if (r := read_revision(f)) is not None]
    seen: dict[str, Path] = {}
    for r in revisions:
        if r.revision in seen:
            raise DbarchError(
                Diagnostic(
                    f"revision {r.revision!r} is declared twice (also in {seen[r.revision].name})",
                    file=str(r.file),
                )
            )
        seen[r.revision] = r.file
    return AlembicVersions(directory, tuple(revisions))


def slug(message: str, length: int = 40) -> str:
    """Alembic's file-name slug of a message: words of letters and digits joined by ``_``, cut at a
    word boundary within ``length`` characters (Alembic's ``truncate_slug_length``)."""
    words = re.findall(r"[A-Za-z0-9]+", message.lower())
    out = ""
    for word in words:
        candidate = f"{out}_{word}" if out else word
        if len(candidate) > length:
            break
        out = candidate
    return out or (words[0][:length] if words else "revision")
