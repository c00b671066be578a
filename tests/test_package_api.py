"""``import dbarchitect``: the operations, result types and errors as one cheap, typed namespace.

The export table, the TYPE_CHECKING imports and ``__all__`` in ``dbarchitect/__init__.py`` must
agree (they are three views of one list: run time, type checkers, star imports), every name must
resolve to the object it names, and ``import dbarchitect`` alone must load none of the pipeline.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dbarchitect
from dbarchitect import api
from dbarchitect.cli import app
from dbarchitect.report.export import to_dict, to_json

ROOT = Path(__file__).resolve().parent.parent
INIT = ROOT / "src" / "dbarchitect" / "__init__.py"
BLOG = ROOT / "examples" / "blog" / "brief.yaml"
IOT = ROOT / "examples" / "iot" / "brief.yaml"
BLOG_V2 = ROOT / "examples" / "blog" / "migrations" / "schema_v2.postgresql.sql"
BLOG_LINT = ROOT / "examples" / "blog" / "migrations" / "0002_titles_views_email.sql"

#: Public functions of the api package that are plumbing for the CLI, not operations of the package.
API_INTERNALS = {"cost_backend", "load_schema_from", "check_against_data"}


def type_checking_imports() -> dict[str, tuple[str, str]]:
    """exported name -> (module, name there), from the ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        n
        for n in tree.body
        if isinstance(n, ast.If) and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING"
    )
    out: dict[str, tuple[str, str]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module, ast.dump(node)
        for alias in node.names:
            assert alias.asname, f"import {alias.name} as {alias.name}: an explicit re-export for mypy"
            out[alias.asname] = (node.module, alias.name)
    return out


def test_the_three_views_of_the_export_list_agree() -> None:
    exports = dbarchitect._EXPORTS
    assert type_checking_imports() == exports, "the TYPE_CHECKING imports and _EXPORTS differ"
    assert sorted(dbarchitect.__all__) == sorted(["__version__", *exports]), "__all__ and _EXPORTS differ"


@pytest.mark.parametrize("name", sorted(dbarchitect._EXPORTS))
def test_every_export_resolves_to_what_it_names(name: str) -> None:
    module, attribute = dbarchitect._EXPORTS[name]
    assert getattr(dbarchitect, name) is getattr(importlib.import_module(module), attribute)
    assert name in dir(dbarchitect)


def test_every_operation_of_the_api_is_exported() -> None:
    functions = {
        name
        for name, value in inspect.getmembers(api, inspect.isfunction)
        if value.__module__.startswith(f"{api.__name__}.") and not name.startswith("_")
    }
    assert {"design", "recommend_indexes", "verify_brief"} <= functions, functions
    exported = {attribute for module, attribute in dbarchitect._EXPORTS.values() if module == api.__name__}
    missing = sorted(functions - exported - API_INTERNALS)
    assert not missing, (
        f"dbarchitect.api operations not exported from dbarchitect: {missing}; add each to _EXPORTS, the "
        "TYPE_CHECKING imports and __all__ in src/dbarchitect/__init__.py, and a section to docs/api.md"
    )


def test_friendly_names_are_the_api_functions() -> None:
    assert dbarchitect.plan_migration is api.plan_schema_migration is dbarchitect.plan_schema_migration
    assert dbarchitect.rehearse_migration is api.rehearse_schema_migration


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'recommend_index'"):
        dbarchitect.recommend_index  # noqa: B018
    assert not hasattr(dbarchitect, "nothing_like_this")


def test_import_is_cheap_and_loads_no_pipeline() -> None:
    code = (
        "import sys, dbarchitect\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlglot', 'sqlalchemy', 'pydantic', 'psycopg', 'pymysql', 'rich', 'typer', 'yaml')"
        " or (m.startswith('dbarchitect.') and m != 'dbarchitect._version'))\n"
        "print(heavy)\n"
        "dbarchitect.DbarchError\n"
        "print('dbarchitect.errors' in sys.modules, 'dbarchitect.api' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "True False"], out


def test_py_typed_ships_with_the_package() -> None:
    assert (ROOT / "src" / "dbarchitect" / "py.typed").is_file()


# --- the types reach user code ---------------------------------------------------------------------

USER_CODE = """\
from typing import Any, assert_type

import dbarchitect

design = dbarchitect.design("examples/shop/brief.yaml")
assert_type(design, dbarchitect.Design)
assert_type(design.index_advice, dbarchitect.IndexAdvice | None)
advice = dbarchitect.recommend_indexes(design.inspection, budget_bytes=1e9, algorithm="exact")
assert_type(advice.recommended[0].size_bytes, float)
plan = dbarchitect.plan_migration("a.sql", "b.sql", "postgresql 15", renames={"t.a": "b"})
assert_type(plan.steps[0].phase, dbarchitect.Phase)
assert_type(dbarchitect.rehearse_migration(plan, "a.sql", "postgresql 15", "postgresql://x/y").ok, bool)
assert_type(dbarchitect.lint_migration("m.sql", "postgresql 15").findings[0], dbarchitect.Finding)
assert_type(dbarchitect.check_brief("b.yaml").passed, bool)
assert_type(dbarchitect.verify_brief("b.yaml").statements[0].p95_ms, float | None)
assert_type(dbarchitect.to_dict(plan), dict[str, Any])
try:
    dbarchitect.inspect_brief("b.yaml")
except dbarchitect.DbarchError as error:
    assert_type(error.diagnostic, dbarchitect.Diagnostic)
name: int = advice.recommended[0].name
design.not_a_field
"""


def test_types_flow_to_user_code(tmp_path: Path) -> None:
    """mypy (strict, the project's settings) on user code: every call and field is typed, so the two
    mistakes at the end are caught and nothing else is reported (results typed Any would pass both)."""
    path = tmp_path / "user_code.py"
    path.write_text(USER_CODE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line.split(": error: ", 1)[1] for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]',
        '"Design" has no attribute "not_a_field"  [attr-defined]',
    ], result.stdout + result.stderr


# --- result types are documented ------------------------------------------------------------------

RESULT_TYPES = sorted(
    name
    for name in dbarchitect._EXPORTS
    if isinstance(getattr(dbarchitect, name), type) and dataclasses.is_dataclass(getattr(dbarchitect, name))
)


def test_the_result_types_are_the_dataclasses_expected() -> None:
    assert {"Design", "IndexAdvice", "MigrationPlan", "LintResult", "DesignVerdict", "Verification"} <= set(
        RESULT_TYPES
    )


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_every_field_of_a_result_type_is_described_in_its_docstring(name: str) -> None:
    cls = getattr(dbarchitect, name)
    doc = inspect.getdoc(cls) or ""
    described = {line.split(":")[0].strip() for line in doc.splitlines() if line.startswith("    ")}
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in described]
    assert not missing, f"{name}'s docstring has no 'Attributes:' entry for {missing}"


# --- to_json is what the command prints -------------------------------------------------------------

runner = CliRunner()


def cli_json(*args: str) -> object:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def without(doc: object, key: str) -> object:
    """``doc`` with every ``key`` removed at any depth (a measured time differs between runs)."""
    if isinstance(doc, dict):
        return {k: without(v, key) for k, v in doc.items() if k != key}
    if isinstance(doc, list):
        return [without(v, key) for v in doc]
    return doc


def test_to_json_is_what_each_command_prints() -> None:
    brief = str(BLOG)
    cases = [
        (api.inspect_brief(brief), ["inspect", brief]),
        (api.design(brief), ["design", brief]),
        (api.recommend_indexes(brief), ["indexes", brief]),
        (api.check_brief(brief), ["check", brief]),
        (api.advise_partitioning(str(IOT)), ["partition", str(IOT)]),
        (
            api.plan_schema_migration(brief, str(BLOG_V2), "postgresql 15"),
            ["migrate", "--from", brief, "--to", str(BLOG_V2), "--engine", "postgresql 15"],
        ),
        (
            api.lint_migration(BLOG_LINT, "postgresql 15", brief=brief),
            ["lint", str(BLOG_LINT), "--engine", "postgresql 15", "--brief", brief],
        ),
    ]
    for result, args in cases:
        printed = cli_json(*args, "--format", "json")
        assert without(to_dict(result), "seconds") == without(printed, "seconds"), args[0]


def test_to_json_of_a_record_inside_a_result_and_of_a_non_result() -> None:
    advice = api.recommend_indexes(str(BLOG))
    first = to_dict(advice.recommended[0])
    assert first["name"] == advice.recommended[0].name
    assert first["ddl"].startswith("CREATE INDEX")
    with pytest.raises(TypeError, match="takes a dbarchitect result, not dict"):
        to_json({"a": 1})
