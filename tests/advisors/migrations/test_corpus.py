"""The corpus: for every (A, B) schema pair and every engine, applying plan(A -> B) to A yields a
database whose introspected catalog is B, and applying the down-plan gives A back.

Pairs live in ``pairs/NN_name/{a.sql,b.sql}`` (PostgreSQL DDL) with an optional ``meta.json``:
``renames`` (the hint a user would give), ``allow_data_loss``, ``irreversible`` (the down-plan is
expected to say it cannot restore A; then the down check is replaced by that assertion).
"The same" is the live-introspection round trip's comparison (what the render promised for the
engine), with one allowance the plan itself declares: tables in ``plan.reordered_tables`` may end
with their columns in another order (engines that cannot place a column append it).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dbarchitect.advisors.migrations import MigrationPlan, plan_migration
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import TypeKind
from tests.advisors.migrations.plan_exec import apply_mariadb, apply_postgres, apply_sqlite
from tests.engine_exec import execute_script
from tests.ingest.test_live_introspection import assert_round_trip

PAIRS_DIR = Path(__file__).parent / "pairs"
PAIRS = sorted(p for p in PAIRS_DIR.iterdir() if p.is_dir())


def load_pair(directory: Path) -> tuple[Catalog, Catalog, dict[str, Any]]:
    a = load_ddl((directory / "a.sql").read_text(encoding="utf-8"), EngineName.POSTGRESQL)
    b = load_ddl((directory / "b.sql").read_text(encoding="utf-8"), EngineName.POSTGRESQL)
    meta_path = directory / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return a, b, meta


def make_plan(a: Catalog, b: Catalog, meta: dict[str, Any], traits: EngineTraits) -> MigrationPlan:
    return plan_migration(
        a, b, traits, renames=meta.get("renames"), allow_data_loss=bool(meta.get("allow_data_loss"))
    )


def assert_matches(
    expected: Catalog, live: Catalog, traits: EngineTraits, reordered: tuple[str, ...]
) -> None:
    """The round-trip comparison, allowing the column order the plan declared it could not keep."""
    tables = []
    for t in expected.tables:
        found = live.table(t.name)
        pk = t.primary_key
        if traits.features.identity_only_as_rowid and pk is not None and len(pk.columns) == 1:
            # SQLite: a single INTEGER primary key is the rowid alias, which reads back as an identity.
            t = replace(
                t,
                columns=tuple(
                    replace(c, identity=True)
                    if c.name.matches(pk.columns[0]) and c.type.kind == TypeKind.INTEGER
                    else c
                    for c in t.columns
                ),
            )
        if t.name.value in reordered and found is not None:
            order = {c.name.key: i for i, c in enumerate(found.columns)}
            t = replace(t, columns=tuple(sorted(t.columns, key=lambda c: order.get(c.name.key, 999))))
        tables.append(t)
    assert_round_trip(replace(expected, tables=tuple(tables)), live, traits)


def run_pair(directory: Path, traits: EngineTraits, setup: Any, apply: Any, read: Any) -> None:
    a, b, meta = load_pair(directory)
    plan = make_plan(a, b, meta, traits)
    setup(render_schema(a, traits))
    apply(plan.steps)
    assert_matches(b, read(), traits, plan.reordered_tables)
    if meta.get("irreversible"):
        assert plan.irreversible, "the pair is marked irreversible but the plan says nothing"
        return
    apply(plan.down)
    assert_matches(a, read(), traits, plan.down_reordered_tables)


@pytest.mark.parametrize("directory", PAIRS, ids=lambda p: p.name)
def test_pair_sqlite(directory: Path, tmp_path: Path) -> None:
    traits = get_traits(EngineName.SQLITE)
    path = tmp_path / "db.sqlite"

    def setup(script: str) -> None:
        with sqlite3.connect(path) as conn:
            conn.executescript(script)

    run_pair(
        directory,
        traits,
        setup,
        lambda steps: apply_sqlite(path, steps),
        lambda: introspect(f"sqlite:///{path}"),
    )


@pytest.mark.parametrize("directory", PAIRS, ids=lambda p: p.name)
def test_pair_postgresql(directory: Path, pg_scratch_db: str) -> None:
    traits = get_traits(EngineName.POSTGRESQL, "15")
    run_pair(
        directory,
        traits,
        lambda script: execute_script(pg_scratch_db, script),
        lambda steps: apply_postgres(pg_scratch_db, steps),
        lambda: introspect(pg_scratch_db),
    )


@pytest.mark.parametrize("directory", PAIRS, ids=lambda p: p.name)
def test_pair_mariadb(directory: Path, mariadb_scratch_db: str) -> None:
    traits = get_traits(EngineName.MARIADB, "10.11")
    run_pair(
        directory,
        traits,
        lambda script: execute_script(mariadb_scratch_db, script),
        lambda steps: apply_mariadb(mariadb_scratch_db, steps),
        lambda: introspect(mariadb_scratch_db),
    )


def test_corpus_is_big_enough_and_covers_every_operation() -> None:
    from dbarchitect.advisors.migrations import compare

    kinds: set[str] = set()
    for directory in PAIRS:
        a, b, meta = load_pair(directory)
        kinds |= {type(op).__name__ for op in compare(a, b, meta.get("renames"))}
    assert len(PAIRS) >= 40
    expected = {
        "CreateTable", "DropTable", "RenameTable", "AddColumn", "DropColumn", "RenameColumn",
        "AlterColumnType", "SetNotNull", "DropNotNull", "SetDefault", "DropDefault", "AddPrimaryKey",
        "DropPrimaryKey", "AddUnique", "DropUnique", "AddForeignKey", "DropForeignKey", "AddCheck",
        "DropCheck", "CreateIndex", "DropIndex", "CreateView", "DropView", "CreateEnum", "AddEnumValue",
    }  # fmt: skip
    assert expected <= kinds, sorted(expected - kinds)
