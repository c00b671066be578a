"""`dbarch migrate --alembic` in a real Alembic project: each revision is chained to the current
head (one head after two migrations), named `<rev>_<slug>.py`, with Alembic's Create Date header;
several heads are refused; the same plan is not written twice; Alembic itself runs the chain."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from dbarchitect.cli import app
from dbarchitect.ingest.alembic import read_versions, slug

runner = CliRunner()
V1 = "CREATE TABLE items (id integer PRIMARY KEY, name varchar(100) NOT NULL);\n"
V2 = V1.replace("NOT NULL)", "NOT NULL, note text)")
V3 = V2 + "CREATE INDEX items_name_idx ON items (name);\n"


@pytest.fixture
def project(tmp_path: Path) -> Config:
    config = Config(str(tmp_path / "alembic.ini"))
    command.init(config, str(tmp_path / "migrations"))
    config = Config(str(tmp_path / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'app.db'}")
    return config


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Alembic's env.py calls logging.config.fileConfig, which disables every logger that exists
    (dbarchitect.mcp's among them) and replaces the root's handlers: undone after, so the tests that
    run later in this process still see their logs."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = {
        name: (lg.disabled, lg.level, lg.propagate, list(lg.handlers))
        for name, lg in logging.Logger.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (disabled, lvl, propagate, hs) in loggers.items():
            lg = logging.getLogger(name)
            lg.disabled, lg.propagate, lg.handlers[:] = disabled, propagate, hs
            lg.setLevel(lvl)


def _migrate(tmp_path: Path, before: str, after: str, target: Path) -> str:
    (tmp_path / "a.sql").write_text(before)
    (tmp_path / "b.sql").write_text(after)
    result = runner.invoke(
        app,
        ["migrate", "--from", str(tmp_path / "a.sql"), "--to", str(tmp_path / "b.sql"), "-e", "sqlite",
         "--alembic", str(target), "-f", "sql"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stderr


def test_revisions_chain_to_the_head_with_alembics_names_and_header(project: Config, tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    _migrate(tmp_path, "", V1, root)  # the project: its versions/ directory is found
    _migrate(tmp_path, V1, V2, root / "versions")  # or the versions/ directory itself
    _migrate(tmp_path, V2, V3, tmp_path)  # or the directory of alembic.ini
    script = ScriptDirectory.from_config(project)
    heads = script.get_heads()
    assert len(heads) == 1
    chain = [r.revision for r in script.walk_revisions()]
    assert len(chain) == 3 and script.get_revision(chain[-1]).down_revision is None
    for r in script.walk_revisions():
        path = Path(r.path)
        assert path.name.startswith(f"{r.revision}_") and path.name != f"{r.revision}_.py"
        text = path.read_text()
        assert "\nCreate Date: " in text and f"Revises: {r.down_revision or ''}" in text
    newest = script.get_revision(heads[0])
    assert Path(newest.path).name == f"{newest.revision}_{slug('create index items_name_idx on items')}.py"
    # Alembic runs the chain (offline: the SQL it would execute)
    out = io.StringIO()
    with redirect_stdout(out), _logging_kept():
        command.upgrade(project, "head", sql=True)
    assert "CREATE INDEX items_name_idx" in out.getvalue() and "note" in out.getvalue()


def test_several_heads_are_refused(project: Config, tmp_path: Path) -> None:
    versions = tmp_path / "migrations" / "versions"
    for rev in ("aaa", "bbb"):
        (versions / f"{rev}_x.py").write_text(f"revision = '{rev}'\ndown_revision = None\n")
    (tmp_path / "a.sql").write_text(V1)
    (tmp_path / "b.sql").write_text(V2)
    result = runner.invoke(
        app,
        ["migrate", "--from", str(tmp_path / "a.sql"), "--to", str(tmp_path / "b.sql"), "-e", "sqlite",
         "--alembic", str(versions)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "2 heads (aaa, bbb)" in result.stderr and "alembic merge heads" in result.stderr


def test_the_same_plan_is_not_written_twice(project: Config, tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    _migrate(tmp_path, V1, V2, root)
    (tmp_path / "a.sql").write_text(V1)
    again = runner.invoke(
        app,
        ["migrate", "--from", str(tmp_path / "a.sql"), "--to", str(tmp_path / "b.sql"), "-e", "sqlite",
         "--alembic", str(root)],
    )  # fmt: skip
    # the head is this very plan: refused, not chained after itself
    assert again.exit_code == 2
    assert "this plan is already the head revision" in again.stderr
    assert len(read_versions(root / "versions").revisions) == 1


def test_a_file_target_is_the_first_revision(tmp_path: Path) -> None:
    _migrate(tmp_path, V1, V2, tmp_path / "rev.py")
    text = (tmp_path / "rev.py").read_text()
    assert "down_revision = None" in text and "Create Date: " in text
    compile(text, "rev.py", "exec")


def test_slug_is_alembics() -> None:
    assert slug("add column orders.region text; create index orders_region_idx") == (
        "add_column_orders_region_text_create"
    )
