"""The project's configuration file: ``dbarch.toml``, or a ``[tool.dbarch]`` table in
``pyproject.toml`` (as squawk, Atlas and ruff users keep theirs), found from the working directory
upwards (the first directory holding either, stopping at a repository's root), or named with
``dbarch --config FILE``.

.. code-block:: toml

    # dbarch.toml (in pyproject.toml: the same keys under [tool.dbarch])
    brief = "db/brief.yaml"            # the brief commands use when none is given
    engine = "postgresql 15"           # lint's and migrate's --engine when none is given

    [rules]                            # rule levels: lint rules and design guardrails
    require-concurrent-index-creation = "error"
    missing-lock-timeout = "off"
    slo-latency = "warning"

    [budgets]                          # over the brief's budgets
    storage = "2TB"
    index_storage = "400GB"
    write_amplification = 8

What the command line says wins over the file (``--engine``, ``--rule``, a BRIEF argument), and the
file wins over the brief (its ``guardrails:`` levels and ``budgets:``). Relative paths are the
file's directory's. An unknown key, rule id or level is an error naming the file and the key, with a
did-you-mean: a typo must not silently leave a rule at its default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbarchitect.errors import DbarchError, Diagnostic, did_you_mean

FILE_NAME = "dbarch.toml"
_KEYS = ("brief", "engine", "rules", "budgets")
_BUDGETS = ("storage", "index_storage", "write_amplification")
_LEVELS = ("error", "warning", "off")


@dataclass(frozen=True)
class Config:
    """What the configuration file says (empty when there is none)."""

    file: Path | None = None
    brief: Path | None = None
    engine: str | None = None
    rules: dict[str, str] = field(default_factory=dict)
    budgets: dict[str, Any] = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    """The nearest ``dbarch.toml``, or ``pyproject.toml`` with a ``[tool.dbarch]`` table, from
    ``start`` upwards; the search stops after a directory holding ``.git`` (a repository's root)."""
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / FILE_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "tool" in _read(pyproject) and "dbarch" in _read(pyproject)["tool"]:
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DbarchError(Diagnostic(f"malformed TOML: {exc}", file=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DbarchError(Diagnostic(f"cannot read it: {exc.__class__.__name__}", file=str(path))) from None


def load_config(path: Path | None) -> Config:
    """The configuration in ``path`` (``dbarch.toml`` or a ``pyproject.toml``), checked."""
    if path is None:
        return Config()
    if not path.is_file():
        raise DbarchError(Diagnostic("no such configuration file", file=str(path), field="--config"))
    data = _read(path)
    table: Any = data.get("tool", {}).get("dbarch", {}) if path.name == "pyproject.toml" else data
    prefix = "tool.dbarch." if path.name == "pyproject.toml" else ""
    if not isinstance(table, dict):
        raise DbarchError(Diagnostic("[tool.dbarch] must be a table", file=str(path)))
    for key in table:
        if key not in _KEYS:
            raise DbarchError(
                Diagnostic(
                    f"unknown key {prefix}{key}{did_you_mean(key, _KEYS)}",
                    file=str(path),
                    hint=f"the keys are {', '.join(_KEYS)}",
                )
            )
    base = path.parent
    brief = table.get("brief")
    if brief is not None and not isinstance(brief, str):
        raise DbarchError(Diagnostic(f"{prefix}brief must be a path (a string)", file=str(path)))
    engine = table.get("engine")
    if engine is not None:
        if not isinstance(engine, str):
            raise DbarchError(
                Diagnostic(f"{prefix}engine must be a string like 'postgresql 15'", file=str(path))
            )
        from dbarchitect.model.names import engine_from_text

        try:
            engine_from_text(engine)
        except ValueError as exc:
            raise DbarchError(Diagnostic(f"{prefix}engine: {exc}", file=str(path))) from None
    rules = _rules(table.get("rules", {}), path, prefix)
    budgets = table.get("budgets", {})
    if not isinstance(budgets, dict):
        raise DbarchError(Diagnostic(f"{prefix}budgets must be a table", file=str(path)))
    for key in budgets:
        if key not in _BUDGETS:
            raise DbarchError(
                Diagnostic(
                    f"unknown key {prefix}budgets.{key}{did_you_mean(key, _BUDGETS)}",
                    file=str(path),
                    hint=f"the budgets are {', '.join(_BUDGETS)}",
                )
            )
    if budgets:
        from pydantic import ValidationError

        from dbarchitect.brief import BudgetSpec

        try:
            BudgetSpec.model_validate(budgets)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            raise DbarchError(Diagnostic(f"{prefix}budgets.{where}: {message}", file=str(path))) from None
    return Config(
        file=path,
        brief=(base / brief) if isinstance(brief, str) else None,
        engine=engine,
        rules=rules,
        budgets=dict(budgets),
    )


def _rules(value: Any, path: Path, prefix: str) -> dict[str, str]:
    from dbarchitect.guardrails.catalog import rule_summaries

    if not isinstance(value, dict):
        raise DbarchError(Diagnostic(f"{prefix}rules must be a table of RULE-ID = level", file=str(path)))
    known = {r for r, _ in (*rule_summaries("guardrails.rules"), *rule_summaries("guardrails.design.rules"))}
    out: dict[str, str] = {}
    for rule, level in value.items():
        if rule not in known:
            raise DbarchError(
                Diagnostic(
                    f"{prefix}rules: no rule {rule!r}{did_you_mean(rule, known)}",
                    file=str(path),
                    hint="`dbarch rules list` prints the rule ids",
                )
            )
        if level not in _LEVELS:
            raise DbarchError(
                Diagnostic(
                    f"{prefix}rules.{rule}: {level!r} is not a level; use error, warning or off",
                    file=str(path),
                )
            )
        out[rule] = level
    return out


def lint_rule_levels(config: Config) -> dict[str, str]:
    """The configuration's levels for migration lint rules (design rules are the verdict's)."""
    from dbarchitect.guardrails.catalog import rule_summaries

    lint = {r for r, _ in rule_summaries("guardrails.rules")}
    return {r: level for r, level in config.rules.items() if r in lint}
