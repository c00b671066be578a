"""Lint hand-written migrations against the guardrail rules (with a brief: its schema and sizes)."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from dbarchitect.api.progress import StageProgress, _stage
from dbarchitect.brief import Brief, load_brief
from dbarchitect.engines.registry import traits_for
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.guardrails import LintResult, combine_results, lint_sql, rule_ids
from dbarchitect.ingest.sources import load_catalog
from dbarchitect.limits import check_path_text, read_input_text, read_stream_text
from dbarchitect.model.catalog import Catalog


def lint_migration(
    path: str | Path,
    engine: str,
    *,
    brief: Brief | str | Path | None = None,
    config: dict[str, str] | None = None,
) -> LintResult:
    """Lint a hand-written migration file for ``engine`` (``postgresql 15``...). With ``brief``, the
    rules know the schema, the table sizes and growth, and the brief's ``guardrails:`` levels (which
    ``config`` overrides)."""
    return lint_migrations([path], engine, brief=brief, config=config)


def migration_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files ``dbarch lint`` reads for ``paths``: a file as given, a directory's ``.sql`` files in
    name order (numbers compared as numbers: ``V2__`` before ``V10__``, as migration tools apply
    them), ``-`` for standard input; an error names a path that is neither."""
    files: list[Path] = []
    for given in paths:
        path = Path(check_path_text(given))
        if str(given) == "-":
            files.append(path)
        elif path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".sql"), key=_natural
            )
            if not found:
                raise DbarchError(Diagnostic("the directory holds no .sql file", file=str(path)))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise DbarchError(
                Diagnostic("no such file; give a migration .sql file or a directory", file=str(path))
            )
    return files


def _natural(path: Path) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.split(r"(\d+)", path.name) if p)


def lint_migrations(
    paths: Sequence[str | Path],
    engine: str,
    *,
    brief: Brief | str | Path | None = None,
    config: dict[str, str] | None = None,
    stdin: TextIO | None = None,
    progress: StageProgress | None = None,
) -> LintResult:
    """Lint several migration files, directories (their ``.sql`` files in name order) or ``-``
    (standard input, named ``<stdin>``) one after the other, as :func:`lint_migration` does each;
    the result holds every file's findings, each naming its file."""
    if brief is not None:
        _stage(progress, "reading the brief")
    loaded = brief if isinstance(brief, Brief) or brief is None else load_brief(brief)
    results = []
    files = migration_files(paths)
    for done, file in enumerate(files):
        _stage(progress, f"linting {'<stdin>' if str(file) == '-' else file.name}", done, len(files))
        if str(file) == "-":
            text, name = read_stream_text(stdin or sys.stdin), "<stdin>"
        else:
            text, name = read_input_text(file, what="the migration"), str(file)
        label = str(brief) if brief is not None and not isinstance(brief, Brief) else None
        results.append(
            lint_migration_sql(text, engine, file=name, brief=loaded, config=config, brief_file=label)
        )
    return combine_results(results)


def lint_migration_sql(
    text: str,
    engine: str,
    *,
    file: str | None = None,
    brief: Brief | str | Path | None = None,
    config: dict[str, str] | None = None,
    brief_file: str | None = None,
) -> LintResult:
    """Lint migration SQL text (``file`` names it in findings); otherwise as :func:`lint_migration`."""
    traits = traits_for(engine)
    catalog: Catalog | None = None
    levels: dict[str, str] = {}
    if brief is not None:
        loaded = brief if isinstance(brief, Brief) else load_brief(brief)
        where = brief_file if isinstance(brief, Brief) else str(brief)
        catalog = load_catalog(loaded, file=where)
        levels = {k: v for k, v in loaded.guardrails.items() if k in rule_ids()}
    levels.update(config or {})
    sizes = {t.name.value: t.stats for t in catalog.tables if t.stats is not None} if catalog else None
    return lint_sql(text, traits, file=file, catalog=catalog, sizes=sizes, config=levels or None)
