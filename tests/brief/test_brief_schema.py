"""The published JSON Schema (``dbarch brief-schema``) accepts what the brief loader accepts.

Editors and MCP clients check a brief against the schema before the loader sees it, so every
shorthand the loader takes ('40M' rows, '120/s', '2TB', 'postgresql 15', a column given by its type
alone...) must be in the schema, and a spelling the loader refuses should not pass the schema.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dbarchitect.brief import brief_json_schema, load_brief, parse_days, parse_rate, parse_size

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = brief_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _briefs() -> list[Path]:
    found = sorted(ROOT.glob("examples/*/brief.yaml"))
    found += sorted(p for p in (ROOT / "tests").rglob("*.yaml") if _loads(p))
    found += sorted((ROOT / "src").rglob("brief.yaml"))
    return found


def _loads(path: Path) -> bool:
    text = path.read_text()
    if "workload" not in text or "schema" not in text:
        return False
    try:
        load_brief(path)
    except Exception:
        return False
    return True


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", _briefs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_brief_the_loader_takes_passes_the_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in VALIDATOR.iter_errors(data)
    ]
    assert errors == []


def test_the_examples_are_covered() -> None:
    names = {p.parent.name for p in _briefs() if p.parent.parent.name == "examples"}
    assert {"shop", "saas", "iot", "tpch", "blog"} <= names


def _definition(name: str) -> dict[str, Any]:
    return {"$defs": SCHEMA["$defs"], **SCHEMA["$defs"][name]}


def _property(model: str, field: str) -> dict[str, Any]:
    definition = SCHEMA["$defs"][model]
    body = next((d for d in definition.get("anyOf", [definition]) if "properties" in d), definition)
    return {"$defs": SCHEMA["$defs"], **body["properties"][field]}


def _schema_accepts(schema: dict[str, Any], value: object) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def _loader_accepts(parse: Any, value: object) -> bool:
    """Whether the loader reads the spelling (a value out of the loader's range is still spelled right:
    ranges are the loader's to check, the schema publishes spellings)."""
    try:
        parse(value)
    except ValueError as exc:
        return "out of range" in str(exc)
    return True


numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]}"),
)
spaces = st.sampled_from(["", " "])


@given(numbers, spaces, st.sampled_from(["", "b", "kB", "MB", "gb", "TB", "GiB", "tib", "xb", "K", "bytes"]))
def test_size_strings_agree_with_the_loader(number: str, space: str, unit: str) -> None:
    text = f"{number}{space}{unit}"
    assert _schema_accepts(_property("BudgetSpec", "storage"), text) == _loader_accepts(parse_size, text)


@given(
    numbers,
    st.sampled_from(["/", " per ", "/ ", "per"]),
    st.sampled_from(
        [
            "s",
            "sec",
            "min",
            "minute",
            "minutes",
            "h",
            "hour",
            "hours",
            "day",
            "d",
            "fortnight",
            "yr",
            "ms",
            "week",
            "weeks",
            "year",
            "years",
            "months",
        ]
    ),
)
def test_rate_strings_agree_with_the_loader(number: str, sep: str, unit: str) -> None:
    text = f"{number}{sep}{unit}"
    assert _schema_accepts(_property("StatementSpec", "rate"), text) == _loader_accepts(parse_rate, text)
    text = f"{number}M{sep}{unit}"  # a count suffix: 50M/year
    assert _schema_accepts(_property("StatementSpec", "rate"), text) == _loader_accepts(parse_rate, text)


@given(
    numbers, spaces, st.sampled_from(["d", "days", "w", "weeks", "m", "months", "y", "year", "h", "decade"])
)
def test_duration_strings_agree_with_the_loader(number: str, space: str, unit: str) -> None:
    text = f"{number}{space}{unit}"
    assert _schema_accepts(_property("TableSizeSpec", "retention"), text) == _loader_accepts(parse_days, text)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("5M", True),
        ("200k", True),
        ("4.1B", True),
        (5000, True),
        ("5 M", True),
        ("5MB", False),
        ("lots", False),
    ],
)
def test_row_counts(value: object, ok: bool) -> None:
    assert _schema_accepts(_property("TableSizeSpec", "rows"), value) is ok


@pytest.mark.parametrize(
    ("model", "value", "ok"),
    [
        ("EngineSpec", "postgresql 15", True),
        ("EngineSpec", {"name": "mariadb", "version": "10.11"}, True),
        ("EngineSpec", "postgresql 15 extra", False),
        ("ColumnSpec", "varchar(255)", True),
        ("Growth", "3%/month", True),
        ("Growth", "300/day", True),
        ("Growth", 1200, True),
        ("Growth", "fast", False),
        ("RepeatSpec", 10, True),
        ("RepeatSpec", 0, False),
        ("TransactionStepSpec", "get_item", True),
        ("TransactionStepSpec", {"statement": "get_item", "repeat": 10}, True),
        ("TransactionStepSpec", {"statements": ["a"], "statement": "b"}, False),
        ("RelationshipSpec", {"to": "posts", "mandatory": True}, True),
        ("RelationshipSpec", {"to": "posts", "mandatory": True, "optional": False}, False),
        ("RelationshipSpec", {"to": "posts", "cardinality": "one-to-many"}, True),
        ("RelationshipSpec", {"to": "posts", "cardinality": "many"}, False),
        ("SloSpec", "50ms", True),
        ("SloSpec", {"p95": "50ms", "p99": "2s"}, True),
        ("SloSpec", {"p95_ms": 50}, True),
        ("SloSpec", {"p95": "fast"}, False),
        ("SloSpec", {"p50": "3ms"}, False),
        ("DdlSource", "schema.sql", True),
        ("DdlSource", {"sql": "CREATE TABLE t (id int);"}, True),
        ("DdlSource", {"path": "schema.sql", "dialect": "mariadb"}, True),
    ],
)
def test_shorthands(model: str, value: object, ok: bool) -> None:
    assert _schema_accepts(_definition(model), value) is ok


def test_patterns_are_ecma_compatible() -> None:
    """No Python-only syntax (named groups, inline flags) in any pattern an editor will compile."""
    patterns: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(SCHEMA)
    assert patterns
    for pattern in patterns:
        assert "(?P<" not in pattern and not re.search(r"\(\?[aiLmsux]", pattern), pattern
        re.compile(pattern)
