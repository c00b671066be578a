"""Normalization: textbook cases (data-driven) and invariants (hypothesis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect.advisors.schema.normalization import (
    Dependency,
    NormalForm,
    candidate_keys,
    closure,
    decompose_4nf,
    decompose_bcnf,
    equivalent,
    is_lossless,
    lost_dependencies,
    minimal_cover,
    normal_form,
    parse_dependencies,
    parse_dependency,
    prime_attributes,
    project,
    synthesize_3nf,
)

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "normalization_cases.yaml").read_text())
LABELS = {form.label: form for form in NormalForm}


def _rels(items: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(tuple(sorted(r)) for r in items))


@pytest.fixture(params=CASES, ids=[c["name"] for c in CASES])
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(request.param)


def test_candidate_keys(case: dict[str, Any]) -> None:
    fds = parse_dependencies(case["fds"])
    assert candidate_keys(case["relation"], fds) == tuple(tuple(k) for k in case["keys"])
    assert prime_attributes(case["relation"], fds) == tuple(sorted({a for k in case["keys"] for a in k}))


def test_normal_form_and_violation(case: dict[str, Any]) -> None:
    report = normal_form(
        case["relation"], parse_dependencies(case["fds"]), parse_dependencies(case.get("mvds", []))
    )
    assert report.form.label == case["form"]
    assert (str(report.violation) if report.violation else None) == case["violation"]
    if report.violation is not None:
        assert str(report.violation) in report.reason


def test_3nf_synthesis(case: dict[str, Any]) -> None:
    fds = parse_dependencies(case["fds"])
    result = synthesize_3nf(case["relation"], fds)
    assert result.relations == _rels(case["synthesis"])
    assert result.lossless
    assert result.lost == ()
    for rel in result.relations:
        assert normal_form(rel, fds).form >= NormalForm.THIRD


def test_bcnf_decomposition(case: dict[str, Any]) -> None:
    fds = parse_dependencies(case["fds"])
    result = decompose_bcnf(case["relation"], fds)
    assert result.relations == _rels(case["bcnf"])
    assert result.lossless
    assert [str(d) for d in result.lost] == case["bcnf_lost"]
    for rel in result.relations:
        assert normal_form(rel, fds).form >= NormalForm.BCNF


@pytest.mark.parametrize("case", [c for c in CASES if "fourth" in c], ids=lambda c: str(c["name"]))
def test_4nf_decomposition(case: dict[str, Any]) -> None:
    fds, mvds = parse_dependencies(case["fds"]), parse_dependencies(case["mvds"])
    result = decompose_4nf(case["relation"], fds, mvds)
    assert result.relations == _rels(case["fourth"])
    assert result.lossless
    assert is_lossless(case["relation"], result.relations, [*fds, *mvds])


def test_chase_with_multivalued_dependency() -> None:
    # without the MVD, splitting ABC into AB and AC loses information; with A ->> B it does not
    assert not is_lossless("ABC", ["AB", "AC"], [])
    assert is_lossless("ABC", ["AB", "AC"], parse_dependencies(["A ->> B"]))
    assert not is_lossless("ABC", ["AB", "BC"], parse_dependencies(["A ->> B"]))


# --- single textbook facts ------------------------------------------------------------------


def test_closure_silberschatz() -> None:
    fds = parse_dependencies(["A -> B", "A -> C", "C, G -> H", "C, G -> I", "B -> H"])
    assert closure({"A", "G"}, fds) == frozenset("ABCGHI")
    assert closure({"A"}, fds) == frozenset("ABCH")


def test_minimal_cover_removes_extraneous_and_redundant() -> None:
    fds = parse_dependencies(["A -> B, C", "B -> C", "A -> B", "A, B -> C"])
    assert [str(d) for d in minimal_cover(fds)] == ["A -> B", "B -> C"]
    fds = parse_dependencies(["A, B -> C", "A -> B"])  # B is extraneous in AB -> C
    assert [str(d) for d in minimal_cover(fds)] == ["A -> B", "A -> C"]


def test_lossy_decomposition_detected_by_chase() -> None:
    fds = parse_dependencies(["A -> B"])
    assert not is_lossless("ABC", ["AB", "BC"], fds)  # the common attribute B is no key of either side
    assert is_lossless("ABC", ["AB", "AC"], fds)


def test_projection_derives_transitive_dependency() -> None:
    fds = parse_dependencies(["A -> B", "B -> C"])
    assert [str(d) for d in project(fds, "AC")] == ["A -> C"]


def test_normal_form_projects_outside_dependencies() -> None:
    fds = parse_dependencies(["A -> B", "B -> C"])
    assert normal_form("AC", fds).form is NormalForm.BCNF


def test_lost_dependency_named() -> None:
    fds = parse_dependencies(["A -> B", "B -> C"])
    assert [str(d) for d in lost_dependencies(["AB", "AC"], fds)] == ["B -> C"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a, b -> c", "a, b -> c"), ("b,a->c,d", "a, b -> c, d"), ("x ->> y", "x ->> y"), ("a → b", "a -> b")],
)
def test_parse_dependency(text: str, expected: str) -> None:
    assert str(parse_dependency(text)) == expected


@pytest.mark.parametrize("text", ["a b c", "-> c", "a ->", "a, b c -> d", "a -> 1x"])
def test_parse_dependency_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="a, b -> c"):
        parse_dependency(text)


# --- invariants ------------------------------------------------------------------------------

ATTRS = "ABCDEF"
attr_sets = st.frozensets(st.sampled_from(ATTRS), min_size=1, max_size=3)
fd_strategy = st.builds(lambda lhs, rhs: Dependency.of(lhs, rhs), attr_sets, attr_sets)
fd_lists = st.lists(fd_strategy, max_size=6)


@given(fd_lists, st.frozensets(st.sampled_from(ATTRS)), st.frozensets(st.sampled_from(ATTRS)))
def test_closure_is_extensive_idempotent_monotone(
    fds: list[Dependency], x: frozenset[str], extra: frozenset[str]
) -> None:
    cx = closure(x, fds)
    assert x <= cx
    assert closure(cx, fds) == cx
    assert cx <= closure(x | extra, fds)


@given(fd_lists)
def test_minimal_cover_is_equivalent_and_minimal(fds: list[Dependency]) -> None:
    cover = minimal_cover(fds)
    assert equivalent(cover, fds)
    for dep in cover:
        assert len(dep.rhs) == 1 and not dep.is_trivial()
        assert not equivalent([d for d in cover if d != dep], cover)


@given(fd_lists)
def test_candidate_keys_are_minimal_superkeys(fds: list[Dependency]) -> None:
    keys = candidate_keys(ATTRS, fds)
    assert keys
    for key in keys:
        assert closure(key, fds) >= frozenset(ATTRS)
        for attr in key:
            assert not closure(set(key) - {attr}, fds) >= frozenset(ATTRS)


@settings(max_examples=60, deadline=None)
@given(fd_lists)
def test_synthesis_is_3nf_lossless_and_preserving(fds: list[Dependency]) -> None:
    result = synthesize_3nf(ATTRS, fds)
    assert frozenset().union(*map(frozenset, result.relations)) == frozenset(ATTRS)
    assert is_lossless(ATTRS, result.relations, fds)
    assert lost_dependencies(result.relations, fds) == ()
    for rel in result.relations:
        assert normal_form(rel, fds).form >= NormalForm.THIRD


@settings(max_examples=60, deadline=None)
@given(fd_lists)
def test_bcnf_split_is_bcnf_and_lossless(fds: list[Dependency]) -> None:
    result = decompose_bcnf(ATTRS, fds)
    assert frozenset().union(*map(frozenset, result.relations)) == frozenset(ATTRS)
    assert is_lossless(ATTRS, result.relations, fds)
    assert set(result.lost) == set(lost_dependencies(result.relations, minimal_cover(fds)))
    for rel in result.relations:
        assert normal_form(rel, fds).form >= NormalForm.BCNF
