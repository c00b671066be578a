"""Progress on standard error for long work: a rich bar on a terminal, a line every few seconds
otherwise, nothing with --quiet; standard output (the report) is never touched."""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.cli import app
from dbarchitect.cli.app import Reporter

#: the module (the package's ``app`` attribute is the Typer application of the same name)
app_module = importlib.import_module("dbarchitect.cli.app")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOP = str(EXAMPLES / "shop" / "brief.yaml")
IOT = str(EXAMPLES / "iot" / "brief.yaml")
runner = CliRunner()


@pytest.fixture
def fast_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """A progress line every 20 ms instead of every 5 s, so a short run shows several."""
    monkeypatch.setattr(app_module, "PROGRESS_AFTER_S", 0.0)
    monkeypatch.setattr(app_module, "PROGRESS_EVERY_S", 0.02)


def _slow_stages(monkeypatch: pytest.MonkeyPatch, function: str) -> None:
    """Make the api's progress callback sleep a little at each stage, so lines are written while the
    command runs even on a fast machine."""
    from dbarchitect import api
    from dbarchitect.api import progress as stages

    original = stages._stage

    def slow(progress: object, stage: str, done: int = 0, total: int = 0) -> None:
        original(progress, stage, done, total)  # type: ignore[arg-type]
        time.sleep(0.05)

    # every module of the api package that reports stages holds its own reference to _stage
    for found in pkgutil.iter_modules(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(found.name)
        if getattr(module, "_stage", None) is original:
            monkeypatch.setattr(module, "_stage", slow)


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["design", SHOP, "-f", "json"], "design"),
        (["check", SHOP, "-f", "json"], "check"),
        (["partition", IOT, "-f", "json"], "partition"),
        (["indexes", SHOP, "-f", "json"], "indexes"),
        (["inspect", SHOP, "-f", "json"], "inspect"),
        (["lint", "-e", "postgresql 15", str(EXAMPLES / "tpch" / "queries"), "-f", "json"], "lint"),
    ],
)
def test_a_line_on_stderr_while_working_when_not_a_terminal(
    fast_progress: None, monkeypatch: pytest.MonkeyPatch, command: list[str], name: str
) -> None:
    _slow_stages(monkeypatch, name)
    result = runner.invoke(app, command)
    assert result.exit_code in (0, 1), result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"dbarch {name}: ")]
    assert lines, result.stderr
    assert all(line.endswith(" s)") for line in lines)
    json.loads(result.stdout)  # the report itself is untouched


def test_migrate_reports_its_stages(
    fast_progress: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _slow_stages(monkeypatch, "migrate")
    (tmp_path / "a.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, a int);\n")
    (tmp_path / "b.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n")
    result = runner.invoke(
        app,
        [
            "migrate",
            "--from",
            str(tmp_path / "a.sql"),
            "--to",
            str(tmp_path / "b.sql"),
            "-e",
            "postgresql 15",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "dbarch migrate: " in result.stderr


@pytest.mark.parametrize("where", ["global", "command"])
def test_quiet_silences_it(fast_progress: None, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    _slow_stages(monkeypatch, "design")
    args = (
        ["--quiet", "design", SHOP, "-f", "json"]
        if where == "global"
        else ["design", SHOP, "-f", "json", "-q"]
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_nothing_for_short_work() -> None:
    """Under PROGRESS_AFTER_S nothing is written at all."""
    result = runner.invoke(app, ["partition", IOT, "-f", "json"])
    assert result.exit_code == 0 and result.stderr == ""


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_rich_bar_per_stage_on_a_terminal() -> None:
    stream = _Tty()
    reporter = Reporter("verify", stream=stream)
    with reporter.running():
        reporter("generating orders", 10, 100)
        reporter("generating orders", 100, 100)
        reporter("replaying order_history", 3, 0, "p95 2 ms")
        assert reporter._bar is not None
        reporter("building the schema")  # a stage of unknown size
        reporter("replaying order_history", 4, 0, "p95 2 ms")  # a stage seen again: its own bar
        assert [t.description for t in reporter._bar.tasks] == [
            "generating orders",
            "replaying order_history",
            "building the schema",
        ]
        # a stage that is over shows a full bar, whether or not its size was known
        assert reporter._bar.tasks[0].finished and reporter._bar.tasks[2].finished
        assert not reporter._bar.tasks[1].finished
    assert reporter._bar is None


def test_the_line_names_the_stage_count_and_detail() -> None:
    stream = io.StringIO()
    reporter = Reporter("indexes", stream=stream)
    reporter("choosing indexes", 12, 40, "best cost 1,234")
    assert reporter.line().startswith("dbarch indexes: choosing indexes 12/40, best cost 1,234 (")


def test_disabled_reporter_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "PROGRESS_AFTER_S", 0.0)
    monkeypatch.setattr(app_module, "PROGRESS_EVERY_S", 0.01)
    stream = io.StringIO()
    reporter = Reporter("design", enabled=False, stream=stream)
    with reporter.running():
        reporter("x", 1, 2)
        time.sleep(0.05)
    assert stream.getvalue() == ""
