"""The README cannot drift from the tool: its sample output is checked line for line against what
`dbarch design` prints, its command table against the CLI's commands and options, and every example
is named. (The README is edited by hand by everyone; a check beats a generator that fights edits.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from dbarchitect.cli import app

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
#: Options every long-running command has, documented once in the README rather than in every row.
COMMON = {"--help", "--quiet"}


def _sample() -> tuple[str, list[str]]:
    """The command of the "What it prints" block and its lines."""
    section = README.split("## What it prints", 1)[1]
    command = re.search(r"`(dbarch design [^`]+)`", section)
    block = re.search(r"```\n(.*?)\n```", section, re.DOTALL)
    assert command and block, "README: the 'What it prints' section lost its command or its block"
    return command.group(1), block.group(1).splitlines()


def _normalize(line: str) -> str:
    # SQLite's version is the machine's library, not the tool's output
    return re.sub(r"SQLite \d+(?:\.\d+)+", "SQLite X", line.rstrip())


def test_the_sample_output_is_what_design_prints(tmp_path: Path) -> None:
    command, sample = _sample()
    args = command.split()[1:]
    args = [str(REPO / a) if a.startswith("examples/") else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "dbarchitect.cli", *args, "--quiet"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "100"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = [_normalize(line) for line in done.stdout.splitlines()]
    at = 0
    for line in sample:
        wanted = _normalize(line)
        assert wanted in printed[at:], (
            f"README's sample line is not in `{command}`'s output (in order); update README.md:\n"
            f"  {line}\nThe output is:\n" + "\n".join(printed)
        )
        at = printed.index(wanted, at) + 1


def _commands() -> dict[str, list[tuple[str, ...]]]:
    """Each command (``rules list`` for a group's) and its options, each with all its names."""
    group: Any = typer.main.get_command(app)
    found: dict[str, list[str]] = {}

    def walk(name: str, command: Any, parent: Any) -> None:
        context = type(parent)(command, parent=parent)
        if hasattr(command, "list_commands"):
            for sub in command.list_commands(context):
                walk(f"{name} {sub}".strip(), command.get_command(context, sub), context)
            return
        found[name] = [tuple(p.opts) for p in command.get_params(context) if p.param_type_name == "option"]

    root = typer.main.get_command(app).context_class(group)  # type: ignore[attr-defined]
    for name in group.list_commands(root):
        walk(name, group.get_command(root, name), root)
    return found


def _table_rows() -> list[str]:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `dbarch ")]


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_and_option_is_in_the_command_table(command: str) -> None:
    rows = [r for r in _table_rows() if f"`dbarch {command}" in r]
    assert rows, f"README's command table has no row for `dbarch {command}`"
    row = rows[0]
    missing = [
        names[0]
        for names in _commands()[command]
        if not COMMON & set(names) and not any(re.search(rf"(?<![\w-]){n}(?![\w-])", row) for n in names)
    ]
    assert not missing, f"README's row for `dbarch {command}` does not mention {missing}"


def test_the_command_table_names_no_option_the_cli_lacks() -> None:
    commands = _commands()
    for row in _table_rows():
        usage = row.split("` |", 1)[0]
        name = next(
            (c for c in sorted(commands, key=len, reverse=True) if usage.startswith(f"| `dbarch {c}")), None
        )
        assert name is not None, f"README row names no command: {usage}"
        known = {n for names in commands[name] for n in names}
        for option in re.findall(r"(?<![\w-])--?[a-z][a-z-]*", usage.split(name, 1)[1]):
            assert option in known, f"README: `dbarch {name}` has no option {option}"


def test_every_example_is_named() -> None:
    for example in sorted(p.name for p in (REPO / "examples").iterdir() if (p / "brief.yaml").exists()):
        assert f"examples/{example}" in README, f"README does not mention examples/{example}"


def test_docs_mcp_says_sizes_may_be_strings() -> None:
    text = (REPO / "docs" / "mcp.md").read_text(encoding="utf-8")
    assert "types sizes, rates and row counts as numbers" not in text
    assert '`"50M/year"`' in text
