"""docs/api.md is tested: every ```python block runs as a doctest (ELLIPSIS, NORMALIZE_WHITESPACE)
from the repository root, and the page has a section for every operation naming every field of
what it returns.

Blocks that name ``PG_URL`` get a PostgreSQL database holding TPC-H (SF 0.01, HypoPG installed);
blocks that name ``SCRATCH_URL`` get a fresh, empty PostgreSQL database: both from
DBARCH_TEST_PG_URL, like every engine test (skipped without it, failed under CI=true).
"""

from __future__ import annotations

import dataclasses
import doctest
import re
import typing
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

import dbarchitect
from tests.conftest import describe, engine_unavailable
from tests.tpch_data import tpch_database

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "api.md"
TEXT = DOC.read_text(encoding="utf-8")

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, int, str]]:
    """(section heading, line number, code) of every ```python block."""
    out: list[tuple[str, int, str]] = []
    for match in _BLOCK.finditer(TEXT):
        before = TEXT[: match.start()]
        headings = re.findall(r"^## (.+)$", before, re.M)
        out.append((headings[-1] if headings else "top", before.count("\n") + 2, match.group(1)))
    return out


def _id(block: tuple[str, int, str]) -> str:
    return f"line{block[1]}-{re.sub(r'[^a-z_]+', '', block[0].lower())[:30]}"


LOCAL = [b for b in blocks() if "PG_URL" not in b[2] and "SCRATCH_URL" not in b[2]]
SERVER = [b for b in blocks() if "PG_URL" in b[2] or "SCRATCH_URL" in b[2]]


def run_block(block: tuple[str, int, str], globs: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    heading, line, code = block
    monkeypatch.chdir(ROOT)
    if ">>>" not in code:
        exec(compile(code, f"{DOC}:{line}", "exec"), globs)
        return
    test = doctest.DocTestParser().get_doctest(code, globs, heading, str(DOC), line - 1)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test, out=report.append, clear_globs=False)
    assert result.failed == 0, "".join(report)


@pytest.mark.parametrize("block", LOCAL, ids=_id)
def test_example_runs(block: tuple[str, int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    run_block(block, {}, monkeypatch)


@pytest.fixture(scope="module")
def tpch_url(pg_server_url: str) -> Iterator[str]:
    """TPC-H SF 0.01 with HypoPG, its statistics from every row (a full sample: the planner's numbers,
    and so the advice, are the same on every load)."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(tpch_database(pg_server_url))
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET default_statistics_target = 1000")
                conn.execute("ANALYZE")
        except psycopg.Error as exc:
            engine_unavailable(
                f"cannot load TPC-H with HypoPG: {describe(exc)} (install postgresql-15-hypopg)"
            )
        yield url


@pytest.mark.parametrize("block", SERVER, ids=_id)
def test_example_runs_on_postgresql(
    block: tuple[str, int, str],
    request: pytest.FixtureRequest,
    make_pg_scratch_db: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    globs: dict[str, object] = {}
    if "PG_URL" in block[2]:
        globs["PG_URL"] = request.getfixturevalue("tpch_url")
    if "SCRATCH_URL" in block[2]:
        globs["SCRATCH_URL"] = make_pg_scratch_db()
    run_block(block, globs, monkeypatch)


# --- the page covers the API ------------------------------------------------------------------------


def sections() -> dict[str, str]:
    """Each name in backticks on a ``## `` heading -> the section's text (up to the next ``## ``)."""
    out: dict[str, str] = {}
    for part in re.split(r"^(?=## )", TEXT, flags=re.M):
        if part.startswith("## "):
            heading = part.split("\n", 1)[0]
            for name in re.findall(r"`(\w+)`", heading):
                out[name] = part
    return out


OPERATIONS = sorted(
    name
    for name, (module, attribute) in dbarchitect._EXPORTS.items()
    if module == "dbarchitect.api" and name == attribute
)


def test_there_are_examples_of_both_kinds() -> None:
    assert len(LOCAL) >= 8 and len(SERVER) >= 3


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_operation_has_a_section_naming_each_field_it_returns(name: str) -> None:
    found = sections()
    alias = next((k for k, (_, a) in dbarchitect._EXPORTS.items() if a == name and k != name), None)
    section = found.get(alias or name) or found.get(name)
    assert section is not None, f"docs/api.md has no '## `{alias or name}`' section"
    assert f"`{name}`" in section or f"{name}(" in section, f"the section does not name {name}"
    assert "```python" in section, f"the {name} section has no example"
    returned = typing.get_type_hints(getattr(dbarchitect, name))["return"]
    if not dataclasses.is_dataclass(returned):
        return  # a plain value (``migration_files`` returns paths): the signature above describes it
    missing = [f.name for f in dataclasses.fields(returned) if f"`{f.name}`" not in section]
    assert not missing, f"the {name} section does not describe {returned.__name__} fields {missing}"


@pytest.mark.parametrize(
    "name",
    sorted(n for n in dbarchitect.__all__ if isinstance(getattr(dbarchitect, n), type)),
)
def test_every_exported_type_is_described(name: str) -> None:
    cls = getattr(dbarchitect, name)
    assert f"`{name}`" in TEXT, f"docs/api.md does not mention {name}"
    if dataclasses.is_dataclass(cls):
        missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in TEXT]
        assert not missing, f"docs/api.md does not describe {name} fields {missing}"
