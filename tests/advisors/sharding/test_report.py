"""The sharding advice rendered as JSON, Markdown and terminal text."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from dbarchitect import api
from dbarchitect.report.json import dumps
from dbarchitect.report.sharding import render_sharding_markdown, render_sharding_text, sharding_document
from tests.advisors.sharding.helpers import TPCC


@pytest.fixture(scope="module")
def doc() -> dict[str, object]:
    return sharding_document(api.advise_sharding(TPCC, simulate_executions=500), "tpcc")


def test_json_document(doc: dict[str, object]) -> None:
    data = json.loads(dumps(doc))
    assert data["shard_count"] == 32
    assert data["capacity"]["nodes"] == 3
    assert [b["name"] for b in data["baselines"]] == [
        "hash by primary key",
        "first primary-key column",
        "no reference tables",
    ]
    chosen = data["chosen"]["distributed_transactions"]
    pk = data["baselines"][0]
    assert pk["chosen_vs_baseline"] == pytest.approx(chosen / pk["distributed_transactions"], abs=1e-6)
    item = next(t for t in data["tables"] if t["table"] == "item")
    assert item["placement"] == "reference" and item["colocation_group"] is None
    assert data["vitess"]["vschema"]["tpcc"]["sharded"] is True
    assert data["simulation"]["executions"] >= 500
    assert dumps(doc) == dumps(sharding_document(api.advise_sharding(TPCC, simulate_executions=500), "tpcc"))


def test_markdown(doc: dict[str, object]) -> None:
    text = render_sharding_markdown(doc)  # type: ignore[arg-type]
    assert text.startswith("# Sharding — tpcc\n\n**one node is not enough (3 nodes)")
    assert "| `item` | reference | — |" in text
    assert "| **chosen** | 10.4% | 100.0% | |" in text
    assert (
        "| hash by primary key: every table hashed by its whole primary key, no co-location | 100.0% |"
        in text
    )
    assert "SELECT create_reference_table('item');" in text
    assert '"source": "tpcc_reference.item"' in text


def test_text(doc: dict[str, object]) -> None:
    out = io.StringIO()
    render_sharding_text(doc, Console(file=out, width=200))  # type: ignore[arg-type]
    text = out.getvalue()
    assert "one node is not enough (3 nodes)" in text
    assert "10.4%" in text and "hash by primary key" in text
    assert "drop foreign key (ol_supply_w_id, ol_i_id) -> stock(s_w_id, s_i_id)" in text
