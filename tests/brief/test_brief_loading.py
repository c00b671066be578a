"""The brief: units, validation, and one-line errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect.brief import (
    brief_json_schema,
    load_brief,
    loads_brief,
    parse_days,
    parse_rate,
    parse_size,
)
from dbarchitect.errors import BriefError
from dbarchitect.model.names import EngineName

MINIMAL = """\
engine: postgresql 15
schema:
  ddl: schema.sql
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("500GB", 500 * 10**9), ("2TiB", 2 * 2**40), ("1_000", 1000), (1024, 1024), ("1.5 MB", 1_500_000)],
)
def test_sizes(text: object, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("120/s", 120.0),
        ("600/min", 10.0),
        ("8640/day", 0.1),
        ("36 per hour", 0.01),
        (5, 5.0),
        ({"per_day": 86400}, 1.0),
        ("3/days", 3 / 86400),
    ],
)
def test_rates(text: object, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize(("text", "days"), [("90d", 90.0), ("2y", 730.0), ("18 months", 540.0), (7, 7.0)])
def test_durations(text: object, days: float) -> None:
    assert parse_days(text) == pytest.approx(days)


@pytest.mark.parametrize("bad", ["fast", "12/fortnight", "-5/s", True, [1]])
def test_bad_rates_are_value_errors(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_rate(bad)


def test_minimal_brief_defaults() -> None:
    brief = loads_brief(MINIMAL)
    assert brief.engine.name is EngineName.POSTGRESQL
    assert brief.engine.version == "15"
    assert brief.horizon == 3 * 365
    assert brief.workload.statements == []
    assert [e.name for e in brief.engines] == [EngineName.POSTGRESQL]


def test_full_brief() -> None:
    brief = loads_brief(
        MINIMAL
        + """\
portable_to: [mysql 8.0, sqlite]
tables:
  orders:
    rows: 40M
    growth: 3%/month
    retention: 2y
    columns:
      status: {distinct: 6, hot_values: {delivered: 0.7}}
workload:
  - name: by_customer
    sql: SELECT * FROM orders WHERE customer_id = :c
    rate: 120/s
    slo: {p95_ms: 20}
budgets: {storage: 2TB, index_storage: 500GB, write_amplification: 8}
guardrails: {table-without-primary-key: error}
horizon: 18 months
"""
    )
    orders = brief.tables["orders"]
    assert orders.rows == 40_000_000
    assert orders.growth is not None and orders.growth.rows_per_day_at(orders.rows) == pytest.approx(
        40e6 * 0.03 / 30
    )
    assert orders.retention == 730
    assert brief.workload.statements[0].rate == 120
    assert brief.budgets.storage == 2 * 10**12
    assert brief.horizon == 540
    assert [str(e) for e in brief.engines] == ["postgresql 15", "mysql 8.0", "sqlite"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("engine: [unclosed\nschema: {ddl: a.sql}\n", "b.yaml:2:7: malformed YAML"),
        (
            "engine: oracle\nschema: {ddl: a.sql}\n",
            "b.yaml:1: engine: unknown engine 'oracle' (engines: postgresql (postgres",
        ),
        (
            MINIMAL + "tables:\n  orders:\n    rows: -1\n",
            "b.yaml:6: tables.orders.rows: Input should be greater",
        ),
        (MINIMAL + "colour: blue\n", "b.yaml:4: colour: unknown field 'colour'"),
        ("engine: postgresql\n", "b.yaml: schema: is missing; add it"),
        (
            "engine: postgresql\nschema: {ddl: a.sql, source: 'postgresql://u:pw@h/db'}\n",
            "give exactly one of ddl",
        ),
        (
            MINIMAL + "workload:\n  - {name: a, sql: select 1, rate: lots}\n",
            "b.yaml:5: workload.statements.0.rate: cannot read rate 'lots'",
        ),
        (
            MINIMAL
            + "workload:\n  - {name: a, sql: select 1, rate: 1}\n  - {name: a, sql: select 2, rate: 1}\n",
            "statement name 'a' is used twice",
        ),
        (MINIMAL + "portable_to: [postgresql]\n", "engine postgresql is listed twice"),
        ("- just\n- a list\n", "b.yaml:1: a brief is a mapping"),
        (
            MINIMAL + "tables: {t: {rows: 10, columns: {c: {hot_values: {a: 0.9, b: 0.5}}}}}\n",
            "add up to more than 1",
        ),
    ],
)
def test_bad_briefs_name_file_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(BriefError) as info:
        loads_brief(text, file="b.yaml")
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_passwords_never_echoed() -> None:
    with pytest.raises(BriefError) as info:
        loads_brief(
            "engine: postgresql\nschema: {source: {url: 'postgresql://app:hunter2@db/x', bogus: 1}}\n"
        )
    assert "hunter2" not in str(info.value)


def test_json_brief_errors_have_lines(tmp_path: Path) -> None:
    path = tmp_path / "brief.json"
    path.write_text('{"engine": "postgresql",\n "schema": {"ddl": "a.sql"},,}')
    with pytest.raises(BriefError, match=r"brief.json:2:\d+: malformed JSON"):
        load_brief(path)


def test_missing_file() -> None:
    with pytest.raises(BriefError, match=r"nope\.yaml: no such file"):
        load_brief("nope.yaml")


def test_json_schema_is_published() -> None:
    schema = brief_json_schema()
    assert schema["title"] == "dbarchitect design brief"
    assert {"engine", "schema", "tables", "workload", "budgets"} <= set(schema["properties"])
    assert "base_dir" not in schema["properties"]


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
brief_keys = st.sampled_from(
    ["engine", "portable_to", "schema", "tables", "workload", "budgets", "guardrails", "horizon", "name"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(brief_keys, yaml_values, max_size=8))
def test_random_briefs_fail_cleanly(data: dict[str, object]) -> None:
    from dbarchitect.brief import parse_brief

    try:
        parse_brief(data, file="random.yaml")
    except BriefError as exc:
        assert "\n" not in str(exc)
