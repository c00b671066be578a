"""Citus's placement as the simulation computes it (PostgreSQL's own hash functions, compared with
the server's), and the VSchema rules."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from dbarchitect import api
from dbarchitect.advisors.sharding.simulate import hashint4, hashint8, placement_counts, shard_index
from dbarchitect.advisors.sharding.vitess import check_vschema, shard_ranges
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName
from tests.advisors.sharding.helpers import TPCC

VALUES = [0, 1, 2, 42, 999, 1000, -1, -7, 2**31 - 1, -(2**31), 123456789]
VALUES8 = [*VALUES, 2**40 + 3, -(2**40), 5_000_000_000, 2**63 - 1, -(2**63)]


@pytest.mark.postgres
def test_hash_functions_match_postgresql(pg_scratch_db: str) -> None:
    with psycopg.connect(pg_scratch_db) as conn:
        for v in VALUES:
            row = conn.execute("SELECT hashint4(%s::int4)", (v,)).fetchone()
            assert row is not None and hashint4(v) == row[0], v
        for v in VALUES8:
            row = conn.execute("SELECT hashint8(%s::int8)", (v,)).fetchone()
            assert row is not None and hashint8(v) == row[0], v


def test_shard_ranges_split_the_hash_space_evenly() -> None:
    assert shard_index(-(2**31), 4) == 0
    assert shard_index(-1, 4) == 1
    assert shard_index(0, 4) == 2
    assert shard_index(2**31 - 1, 4) == 3
    counts = placement_counts(range(1, 100_001), 16)
    assert sum(counts) == 100_000 and max(counts) < 6250 * 1.05


def test_vitess_shard_names() -> None:
    assert shard_ranges(1) == ("0",)
    assert shard_ranges(2) == ("-80", "80-")
    assert shard_ranges(8)[:3] == ("-20", "20-40", "40-60")


@pytest.fixture(scope="module")
def tpcc_vschema() -> dict[str, Any]:
    return json.loads(api.advise_sharding(TPCC).vschema)  # type: ignore[no-any-return]


def test_tpcc_vschema(tpcc_vschema: dict[str, Any]) -> None:
    catalog = load_ddl((TPCC.parent / "schema.sql").read_text(), EngineName.POSTGRESQL)
    assert check_vschema(tpcc_vschema, catalog) == []
    sharded = tpcc_vschema["tpcc"]
    assert sharded["sharded"] is True and sharded["vindexes"] == {"hash": {"type": "hash"}}
    assert sharded["tables"]["stock"] == {"column_vindexes": [{"column": "s_w_id", "name": "hash"}]}
    assert sharded["tables"]["item"] == {"type": "reference", "source": "tpcc_reference.item"}
    assert tpcc_vschema["tpcc_reference"] == {"sharded": False, "tables": {"item": {"type": "reference"}}}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda v: v["tpcc"]["tables"]["stock"].pop("column_vindexes"),
            "tpcc.stock: missing primary col vindex",
        ),
        (
            lambda v: v["tpcc"]["tables"]["stock"]["column_vindexes"][0].update(name="md5"),
            "tpcc.stock: vindex md5 not found",
        ),
        (lambda v: v["tpcc"]["vindexes"]["hash"].update(type="lookup"), "primary vindex hash is not unique"),
        (lambda v: v["tpcc"]["vindexes"]["hash"].update(type="hashh"), "vindex hash: unknown type 'hashh'"),
        (
            lambda v: v["tpcc"]["tables"]["item"].pop("source"),
            "a reference table in a sharded keyspace needs a source",
        ),
        (lambda v: v["tpcc_reference"].update(sharded=True), "source keyspace tpcc_reference is sharded"),
        (lambda v: v["tpcc"]["tables"]["stock"].update(shard_key="s_w_id"), "unknown field 'shard_key'"),
        (
            lambda v: v["tpcc"]["tables"]["stock"]["column_vindexes"][0].update(columns=["s_w_id"]),
            "needs column or columns, not both",
        ),
        (lambda v: v["tpcc"]["tables"].pop("orders"), "table orders is in no sharded keyspace"),
        (
            lambda v: v["tpcc"]["tables"]["stock"]["column_vindexes"][0].update(column="s_wid"),
            "vindex column s_wid is not a column",
        ),
    ],
)
def test_vschema_rules_catch_broken_vschemas(tpcc_vschema: dict[str, Any], edit: Any, expected: str) -> None:
    broken = json.loads(json.dumps(tpcc_vschema))
    edit(broken)
    catalog = load_ddl((TPCC.parent / "schema.sql").read_text(), EngineName.POSTGRESQL)
    problems = check_vschema(broken, catalog)
    assert any(expected in p for p in problems), problems
