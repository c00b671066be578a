"""`dbarch --help` and every command's `--help` say what the code says: every option's help text
appears whole (no markup parser eats a `[tool.dbarch]`), the command list shows each command's
summary uncut, and no repeatable option's metavar is a Python type (`<list[str]>`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from dbarchitect.cli import app


def _commands() -> dict[str, Any]:
    """Every command by its path ("" for dbarch itself), as click sees it."""
    root = typer.main.get_command(app)
    found: dict[str, Any] = {"": root}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            found[f"{prefix}{name}"] = command
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")

    walk(root, "")
    return found


COMMANDS = _commands()


def _help(path: str) -> str:
    done = CliRunner().invoke(app, [*path.split(), "--help"], env={"COLUMNS": "100"})
    assert done.exit_code == 0, done.output
    return done.output


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: p or "dbarch")
def test_every_help_text_is_printed_whole(path: str) -> None:
    shown = _flat(_help(path))
    command = COMMANDS[path]
    for text in [getattr(p, "help", None) for p in command.params]:
        if not text:
            continue
        # wrapping may break a line anywhere a space (or a hyphen) is, nothing may disappear
        assert _flat(text) in shown, f"dbarch {path} --help lost part of: {text}"
    # an option taking text shows what to give (URL, ENGINE, SIZE, DIR, ENGINE=URL...), not the
    # Python type typer derives from its annotation
    options = [p for p in command.params if getattr(p, "param_type_name", "") == "option"]
    lines = _help(path).splitlines()
    for option in options:
        for line in lines:
            if re.match(rf"\s+(-\w, )?{re.escape(option.opts[-1])} <(str|path|list\[str\])>", line):
                raise AssertionError(f"dbarch {path} --help: {line.strip()}")


def test_the_command_list_shows_every_summary_uncut() -> None:
    shown = _help("")
    for name, command in COMMANDS[""].commands.items():
        summary = command.get_short_help_str(limit=1000)
        assert summary and not summary.endswith("..."), name
        assert _flat(f"{name}{summary}") in _flat(shown), f"{name}: {summary!r} not in dbarch --help"
    assert "[tool.dbarch]" in shown


def test_a_bad_choice_is_one_plain_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dbarchitect.cli import main

    monkeypatch.setattr("sys.argv", ["dbarch", "design", "brief.yaml", "-f", "yaml"])
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    assert exited.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "'yaml' is not one of 'text', 'json', 'markdown'" in err and "Value error" not in err, err
