"""A schema compares equal to the database it built: for every example, its shipped DDL and the
tool's own rendering for PostgreSQL 15, MariaDB 10.11 and SQLite are loaded into an empty database,
and ``dbarch migrate --from <that database> --to <that DDL>`` plans nothing and exits 0 (the
engine names what the file leaves unnamed, rewrites CHECK expressions, reads ``0`` back as
``0.00``...). A file diffed against itself re-rendered is empty too."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.brief.loading import load_brief
from dbarchitect.cli import app
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import traits_for
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.sources import load_catalog
from dbarchitect.model.names import EngineName
from tests.engine_exec import execute_script

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ENGINES = {"postgresql": "postgresql 15", "mariadb": "mariadb 10.11", "sqlite": "sqlite 3.40"}
runner = CliRunner()


def _shipped() -> list[tuple[str, str, Path]]:
    """(id, engine, file) of every DDL file an example ships."""
    out = []
    for brief_path in sorted(EXAMPLES.glob("*/brief.yaml")):
        brief = load_brief(brief_path)
        engine = brief.engine.name.value
        for path in sorted(brief_path.parent.rglob("*.sql")):
            if path.name == "schema.sql" or path.name.startswith("schema_"):
                named = [e for e in ENGINES if f".{e}." in path.name]  # schema_v2.postgresql.sql
                out.append((f"{brief_path.parent.name}/{path.name}", named[0] if named else engine, path))
    return out


def _rendered() -> list[tuple[str, str, str]]:
    """(id, engine, DDL) of the tool's rendering of every example for every engine."""
    out = []
    for brief_path in sorted(EXAMPLES.glob("*/brief.yaml")):
        catalog = load_catalog(load_brief(brief_path), file=str(brief_path))
        for engine, spec in ENGINES.items():
            out.append(
                (
                    f"{brief_path.parent.name}/schema.{engine}.sql",
                    engine,
                    render_schema(catalog, traits_for(spec)),
                )
            )
    return out


NAMING = Path(__file__).resolve().parent / "naming"
CASES = [pytest.param(e, p.read_text(), id=i) for i, e, p in _shipped()]
CASES += [pytest.param(e, sql, id=i) for i, e, sql in _rendered()]
RENDERED = list(CASES)
# What the engines name by themselves, at its edges (63-byte cuts, numbering, column-level checks).
CASES += [pytest.param(p.stem, p.read_text(), id=f"naming/{p.name}") for p in sorted(NAMING.glob("*.sql"))]


def _load(engine: str, sql: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if engine == "sqlite":
        path = tmp_path / "db.sqlite"
        with sqlite3.connect(path) as db:
            db.executescript(sql)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_scratch_db" if engine == "postgresql" else "mariadb_scratch_db")
    execute_script(url, sql)
    return url


@pytest.mark.parametrize(("engine", "sql"), CASES)
def test_migrate_from_the_database_a_file_built_to_that_file_is_empty(
    engine: str, sql: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = _load(engine, sql, request, tmp_path)
    ddl = tmp_path / f"schema.{engine}.sql"
    ddl.write_text(sql)
    result = runner.invoke(
        app, ["migrate", "--from", url, "--to", str(ddl), "--engine", ENGINES[engine], "-f", "json", "-q"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["operations"] == [] and plan["steps"] == [], plan["operations"]


@pytest.mark.parametrize(("engine", "sql"), RENDERED)
def test_a_file_diffed_against_itself_re_rendered_is_empty(engine: str, sql: str) -> None:
    traits = traits_for(ENGINES[engine])
    written = load_ddl(sql, EngineName(engine))
    again = load_ddl(render_schema(written, traits), EngineName(engine))
    plan = plan_migration(written, again, traits)
    assert plan.operations == () and plan.steps == (), plan.operations
