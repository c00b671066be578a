"""Configuration hygiene: siblings, dominance, merges and keys of constraints (advisors/indexes/hygiene.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.hygiene import (
    are_siblings,
    candidate_shape,
    constraint_prefix,
    dominated_existing,
    dominates,
    index_shape,
    merged,
)
from dbarchitect.errors import DbarchError
from dbarchitect.model.catalog import Catalog, Index, IndexKey, UniqueConstraint
from dbarchitect.model.names import Name
from tests.advisors.indexes.fake_cost import idx, make_table


def desc(table: str, *keys: tuple[str, bool]) -> IndexCandidate:
    return IndexCandidate(Name(table), tuple(Name(k) for k, _ in keys), tuple(d for _, d in keys))


@pytest.mark.parametrize(
    ("wider", "narrow", "expected"),
    [
        (idx("t", "a", "b"), idx("t", "a"), True),
        (idx("t", "a", include=("b",)), idx("t", "a"), True),
        (idx("t", "a", "b"), idx("t", "a", include=("b",)), True),
        (idx("t", "a", "c"), idx("t", "a", include=("b",)), False),
        (idx("t", "b", "a"), idx("t", "a"), False),
        (idx("u", "a", "b"), idx("t", "a"), False),
        (idx("t", "a"), idx("t", "a"), True),
        (idx("t", "a"), idx("t", "a", "b"), False),
        # all directions reversed is the same index read backwards; mixed is another order
        (desc("t", ("a", True), ("b", True)), idx("t", "a", "b"), True),
        (desc("t", ("a", False), ("b", True)), idx("t", "a", "b"), False),
        (desc("t", ("a", False), ("b", True), ("c", False)), desc("t", ("a", False), ("b", True)), True),
    ],
)
def test_dominates(wider: IndexCandidate, narrow: IndexCandidate, expected: bool) -> None:
    assert dominates(candidate_shape(wider), candidate_shape(narrow)) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (idx("t", "a"), idx("t", "a", include=("x",)), True),  # same key: siblings
        (idx("t", "a", include=("y",)), idx("t", "a", include=("x",)), True),
        (idx("t", "a", "b"), idx("t", "a", include=("x",)), True),  # one key a prefix of the other
        (idx("t", "a", "b"), idx("t", "a", "c"), False),  # neither a prefix of the other
        (idx("t", "b"), idx("t", "a"), False),
        (IndexCandidate(Name("t"), (Name("a"),), where="s = 1"), idx("t", "a"), False),
        (IndexCandidate(Name("t"), (Name("a"),), method="brin"), idx("t", "a"), False),
    ],
)
def test_siblings(a: IndexCandidate, b: IndexCandidate, expected: bool) -> None:
    assert are_siblings(candidate_shape(a), candidate_shape(b)) is expected
    assert are_siblings(candidate_shape(b), candidate_shape(a)) is expected


def test_merge_takes_the_longer_key_and_every_covered_column() -> None:
    m = merged(idx("t", "a", include=("y", "x")), idx("t", "a", "b", include=("z", "x")))
    assert m is not None and m.key == "t(a, b) INCLUDE (x, y, z)"
    assert dominates(candidate_shape(m), candidate_shape(idx("t", "a", include=("y", "x"))))
    assert merged(idx("t", "a", "b"), idx("t", "a")) == idx("t", "a", "b")
    assert merged(idx("t", "a", include=("x",)), idx("t", "a", "b"), include_columns=False) is None
    assert merged(idx("t", "a", "b"), idx("t", "a", "c")) is None


def test_keys_of_constraints() -> None:
    table = make_table("t")
    assert constraint_prefix(idx("t", "id", include=("a",)), table) == "t_pkey"
    unique = table.__class__(**{**table.__dict__, "uniques": (UniqueConstraint((Name("a"), Name("b"))),)})
    assert constraint_prefix(idx("t", "a"), unique) == "t_a_b_key"
    assert constraint_prefix(idx("t", "a", "b", "c"), unique) is None
    assert constraint_prefix(idx("t", "b"), unique) is None


def test_an_existing_index_is_replaced_only_by_one_dominating_it() -> None:
    table = make_table("t", existing=2)  # t_a_idx (a), t_b_idx (b)
    assert [i.name.value for i in dominated_existing(idx("t", "a", "c"), table)] == ["t_a_idx"]
    assert dominated_existing(idx("t", "c", "a"), table) == ()
    unique = Index(Name("t_c_key"), (IndexKey(column=Name("c")),), unique=True)
    table = table.__class__(**{**table.__dict__, "indexes": (*table.indexes, unique)})
    assert dominated_existing(idx("t", "c", "d"), table) == ()  # uniqueness is never given up


# --- the checker: every example, every budget ------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*/brief.yaml"))


def hygiene_faults(advice: IndexAdvice, catalog: Catalog) -> list[str]:
    """What a DBA would send back in ``advice``: a recommended index dominated by another
    recommended one or by an existing index it does not replace, a B-tree with (a prefix of) a primary
    or unique key's key and no index-only benefit shown in numbers (a statement reading it index-only
    that is cheaper with it than without it), or a replaced index that backs uniqueness."""
    faults: list[str] = []
    chosen = [r.candidate for r in advice.recommended]
    replaced = {(f.table.lower(), f.index.lower()) for f in advice.existing if f.kind == "replaced"}
    for rec in advice.recommended:
        mine = candidate_shape(rec.candidate)
        for other in chosen:
            if other != rec.candidate and are_siblings(mine, candidate_shape(other)):
                faults.append(f"{rec.candidate.key} and {other.key} are siblings (one should carry both)")
        table = catalog.table(rec.candidate.table)
        assert table is not None
        for index in table.indexes:
            if (table.name.key, index.name.key) in replaced:
                assert not index.unique, f"{index.name} enforces uniqueness but was replaced"
                continue
            if dominates(index_shape(table, index), mine):
                faults.append(f"{rec.candidate.key} is dominated by the existing {index.name.value}")
        key = constraint_prefix(rec.candidate, table)
        if key is not None and not rec.index_only_gain:
            faults.append(f"{rec.candidate.key} has {key}'s key and no index-only benefit shown")
        for statement, without, with_it in rec.index_only_gain:
            if statement not in rec.index_only or not with_it < without:
                faults.append(
                    f"{rec.candidate.key}: {statement} {without} -> {with_it} is no index-only benefit"
                )
    return faults


@pytest.mark.parametrize("brief", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_no_advice_holds_what_a_dba_would_send_back(brief: Path) -> None:
    """Every example at its own budget and at 10 MB, 1 GB and 100 GB, greedy and exact."""
    inspection = api.inspect_brief(brief)
    for algorithm in ("greedy", "exact"):
        for budget in (None, 10e6, 1e9, 100e9):
            try:
                advice = api.recommend_indexes(inspection, budget_bytes=budget, algorithm=algorithm)
            except DbarchError as exc:
                assert "smaller than every index" in str(exc)
                continue
            assert hygiene_faults(advice, inspection.catalog) == [], (algorithm, budget)
