"""Every example brief designs end to end, and its DDL runs on every engine it names."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.model.names import EngineName
from tests.engine_exec import execute_script

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*/brief.yaml"))


def test_there_are_examples() -> None:
    names = {p.parent.name for p in EXAMPLES}
    assert {"shop", "saas", "iot", "tpch"} <= names


@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_designs(brief: Path) -> None:
    design = api.design(brief)
    inspection = design.inspection
    assert inspection.catalog.tables
    assert inspection.workload.statements
    # every table the brief sizes is sized
    for name in inspection.brief.tables:
        size = next(s for s in inspection.sizes if s.table.lower() == name.lower())
        assert not size.unsized and size.data_bytes_now > 0
    engines = {s.engine.name for s in design.schemas}
    assert engines == {e.name for e in inspection.brief.engines}
    # the operations half: topology from the brief's goals, configuration files, runbooks, capacity
    ops = design.operations
    assert inspection.brief.availability is not None and ops is not None
    assert ops.topology.nodes >= 1 and ops.runbooks
    assert {r.name for r in ops.capacity.resources} >= {"storage", "memory", "cpu", "iops", "throughput"}
    files = {name for name, content in ops.files if content.strip()}
    wanted = {
        "postgresql": {"postgresql.conf", "pgbackrest.conf", "patroni-db1.yml", "pgbouncer-db1.ini"},
        "mariadb": {"my-db1.cnf", "failover.sh", "rebuild-replica.sh", "backup.crontab"},
        "sqlite": {"backup.crontab"},
    }[ops.engine.split()[0]]
    assert wanted <= files, sorted(files)
    if ops.topology.nodes > 1:
        assert {"Failover", "Point-in-time restore", "Replica rebuild"} <= {r.title for r in ops.runbooks}
    if design.embedded_check is not None:
        assert design.embedded_check.schema_ok, design.embedded_check.schema_error
        failed = [(s.statement, s.detail) for s in design.embedded_check.statements if not s.ok]
        assert not failed


@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_ddl_runs_on_sqlite(brief: Path) -> None:
    catalog = api.inspect_brief(brief).catalog
    conn = sqlite3.connect(":memory:")
    conn.executescript(render_schema(catalog, get_traits(EngineName.SQLITE)))
    tables = {r[0].lower() for r in conn.execute("select name from sqlite_master where type = 'table'")}
    assert {t.name.value.lower() for t in catalog.tables} <= tables


@pytest.mark.postgres
@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_ddl_runs_on_postgresql(brief: Path, pg_scratch_db: str) -> None:
    catalog = api.inspect_brief(brief).catalog
    created = execute_script(pg_scratch_db, render_schema(catalog, get_traits(EngineName.POSTGRESQL, "15")))
    assert {t.name.value.lower() for t in catalog.tables} <= created


@pytest.mark.mariadb
@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_ddl_runs_on_mariadb(brief: Path, mariadb_scratch_db: str) -> None:
    catalog = api.inspect_brief(brief).catalog
    created = execute_script(
        mariadb_scratch_db, render_schema(catalog, get_traits(EngineName.MARIADB, "10.11"))
    )
    assert {t.name.value.lower() for t in catalog.tables} <= created


SHARED_TPCH = Path(__file__).resolve().parent.parent / ".." / "shared" / "workloads" / "tpch"


def test_tpch_example_is_the_shared_workload() -> None:
    """examples/tpch carries copies of the shared TPC-H schema and 22 queries (so a checkout without
    shared/ still has the example); they must not drift from the originals."""
    if not SHARED_TPCH.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared TPC-H workload not found at {SHARED_TPCH}")
        pytest.skip("shared/ is not beside this checkout")
    example = Path(__file__).resolve().parent.parent / "examples" / "tpch"
    originals = sorted(p.relative_to(SHARED_TPCH) for p in SHARED_TPCH.rglob("*.sql"))
    copies = sorted(p.relative_to(example) for p in example.rglob("*.sql"))
    assert copies == originals and len(originals) == 23
    for rel in originals:
        assert (example / rel).read_bytes() == (SHARED_TPCH / rel).read_bytes(), rel


@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_design_carries_its_guardrail_verdict(brief: Path, tmp_path: Path) -> None:
    from dbarchitect.report.document import design_document
    from dbarchitect.report.markdown import render_markdown

    design = api.design(brief)
    assert design.verdict is not None and design.verdict.rules
    report = render_markdown(design_document(design))
    assert "## Guardrail verdict: " in report
    errors = [f for f in design.verdict.findings if f.level.value == "error"]
    assert (design.verdict.passed, len(errors)) == (not errors, design.verdict.errors)
