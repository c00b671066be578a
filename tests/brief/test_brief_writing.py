"""Writing a brief as a new user does: every problem at once with its line, a hint for a YAML flow
mapping cut at a comma, rates per week or year with k/M/B, units refused rather than guessed, and
engines called by the names people use."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.brief import loads_brief, parse_rate
from dbarchitect.brief.loading import MAX_PROBLEMS
from dbarchitect.cli import app
from dbarchitect.engines.registry import get_traits, traits_for
from dbarchitect.errors import BriefError, UnsupportedError

runner = CliRunner()

FLOW_COMMAS = """\
name: t
engine: postgresql 15
schema:
  entities:
    items:
      columns:
        id: {type: integer, primary_key: true}
        price: {type: numeric(3,2), nullable: false}
        weight: {type: numeric(10,3)}
tables:
  items: {rows: 5M, growth: 3/ms}
"""


def test_every_problem_at_once_each_with_its_line_and_the_comma_hint() -> None:
    with pytest.raises(BriefError) as caught:
        loads_brief(FLOW_COMMAS, file="brief.yaml")
    problems = caught.value.diagnostics
    assert [(d.line, d.field) for d in problems] == [
        (8, "schema.entities.items.columns.price.2)"),
        (9, "schema.entities.items.columns.weight.3)"),
        (11, "tables.items.growth"),
    ]
    assert "quote the value: {type: 'numeric(3,2)'}" in (problems[0].hint or "")
    assert "'ms' is not a rate unit" in problems[2].message
    assert str(caught.value).endswith("(and 2 more problems)")


def test_the_cli_prints_one_line_per_problem(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text(FLOW_COMMAS)
    result = runner.invoke(app, ["inspect", str(brief)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith(f"error: {brief}:") for line in lines)
    assert "Traceback" not in result.output


def test_problems_are_listed_up_to_a_limit() -> None:
    columns = "\n".join(f"        c{i}: {{type: numeric(3,2)}}" for i in range(MAX_PROBLEMS + 5))
    text = FLOW_COMMAS.split("    items:")[0] + "    items:\n      columns:\n" + columns + "\n"
    with pytest.raises(BriefError) as caught:
        loads_brief(text, file="b.yaml")
    assert len(caught.value.diagnostics) == MAX_PROBLEMS + 1
    assert caught.value.diagnostics[-1].message == "... and 5 more problem(s) not listed"


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("50M/year", 50e6 / (365 * 86400)),
        ("1.5k/s", 1500.0),
        ("2B per year", 2e9 / (365 * 86400)),
        ("700/week", 700 / (7 * 86400)),
        ("3 per weeks", 3 / (7 * 86400)),
        ("12/months", 12 / (30 * 86400)),
        ({"per_year": 365 * 86400}, 1.0),
        ("3000/day", 3000 / 86400),
    ],
)
def test_rates_per_week_and_year_with_count_suffixes(text: object, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["3/ms", "3/fortnight", "5/q", "10 per sec2"])
def test_unknown_rate_units_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a rate unit|cannot read rate"):
        parse_rate(text)


def test_growth_takes_the_same_rates() -> None:
    brief = loads_brief(
        "engine: sqlite\nschema: {entities: {t: {columns: {id: {type: integer, primary_key: true}}}}}\n"
        "tables: {t: {rows: 1M, growth: 50M/year}}\n"
    )
    assert brief.tables["t"].growth is not None
    assert brief.tables["t"].growth.rows_per_day == pytest.approx(50e6 / 365)


@pytest.mark.parametrize(
    ("written", "engine", "version"),
    [
        ("postgres", "postgresql", (15,)),
        ("pg", "postgresql", (15,)),
        ("pg15", "postgresql", (15,)),
        ("PostgreSQL 14", "postgresql", (14,)),
        ("mariadb", "mariadb", (10, 11)),
        ("maria 10.6", "mariadb", (10, 6)),
        ("mysql8", "mysql", (8, 0)),
        ("sqlite3", "sqlite", (3, 40)),
    ],
)
def test_engine_aliases(written: str, engine: str, version: tuple[int, ...]) -> None:
    traits = traits_for(written)
    assert (traits.engine.value, traits.version) == (engine, version)
    brief = loads_brief(f"engine: {written}\nschema: {{ddl: x.sql}}\n")
    assert brief.engine.name.value == engine


def test_an_unknown_engine_gets_a_did_you_mean() -> None:
    with pytest.raises(UnsupportedError, match="did you mean 'postgres'"):
        get_traits("postgress")
    result = runner.invoke(app, ["lint", "-", "--engine", "mariadbb 10.11"], input="SELECT 1;\n")
    assert result.exit_code == 2
    assert "did you mean 'mariadb'?" in result.stderr


def test_engine_aliases_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    (tmp_path / "b.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, a int);\n")
    for engine in ("postgres", "pg 15", "mysql8", "mariadb"):
        result = runner.invoke(
            app, ["migrate", "--from", str(tmp_path / "a.sql"), "--to", str(tmp_path / "b.sql"), "-e", engine]
        )
        assert result.exit_code == 0, (engine, result.output)


SLO_BRIEF = """\
name: t
engine: sqlite
schema: {{ddl: "CREATE TABLE t (id integer PRIMARY KEY, v text);"}}
workload:
  - name: q
    sql: SELECT v FROM t WHERE id = :id
    rate: 10/s
    slo: {slo}
"""


@pytest.mark.parametrize(
    ("slo", "p95", "p99"),
    [
        ("{p95_ms: 50}", 50.0, None),
        ("50ms", 50.0, None),  # the p95
        ("'1.5s'", 1500.0, None),
        ("{p95: 20ms, p99: 2s}", 20.0, 2000.0),
        ("{p99: 250 ms}", None, 250.0),
    ],
)
def test_latency_goals_are_written_with_their_units(slo: str, p95: float | None, p99: float | None) -> None:
    statement = loads_brief(SLO_BRIEF.format(slo=slo), file="brief.yaml").workload.statements[0]
    assert statement.slo is not None and (statement.slo.p95_ms, statement.slo.p99_ms) == (p95, p99)


@pytest.mark.parametrize(
    ("slo", "problem"),
    [
        ("50", "50 has no unit"),  # milliseconds or seconds? refused, not guessed
        ("{p95: 50}", "p95: 50 has no unit"),
        ("{p95: fast}", "p95: cannot read 'fast'"),
        ("{p95: 50ms, p95_ms: 50}", "give p95 or p95_ms, not both"),
        ("3/s", "cannot read '3/s'"),
    ],
)
def test_latency_goals_without_a_unit_are_refused(slo: str, problem: str) -> None:
    with pytest.raises(BriefError) as caught:
        loads_brief(SLO_BRIEF.format(slo=slo), file="brief.yaml")
    (found,) = caught.value.diagnostics
    assert found.line == 8 and found.field == "workload.statements.0.slo"
    assert problem in found.message


INLINE_DDL = """\
name: t
engine: postgresql 15
schema:
  ddl: |
    CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
    CREATE TABLE events (
      id bigint PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts (id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE audit (at timestamptz, what text);
workload:
  - name: recent
    sql: SELECT id FROM events WHERE account_id = :a ORDER BY created_at DESC LIMIT 10
    rate: 10/s
"""


def test_the_ddl_can_be_written_in_the_brief(tmp_path: Path) -> None:
    """An agent or a quick experiment writes the DDL in the brief itself; findings about its tables point
    at the brief's own lines."""
    from dbarchitect import api

    brief = tmp_path / "brief.yaml"
    brief.write_text(INLINE_DDL)
    inspection = api.inspect_brief(brief)
    assert [t.name.value for t in inspection.catalog.tables] == ["accounts", "events", "audit"]
    assert str(inspection.brief.schema_.ddl) == "inline SQL (7 lines)"
    result = runner.invoke(app, ["check", str(brief), "-f", "sarif"])
    import json

    sarif = json.loads(result.stdout)
    located = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in sarif["runs"][0]["results"]
    }
    assert located["table-without-primary-key"] == 11  # the table's line in the brief


@pytest.mark.parametrize(
    ("ddl", "problem"),
    [
        ("  ddl: {sql: '', dialect: postgresql}\n", "sql is empty"),
        ("  ddl: {sql: 'CREATE TABLE t (id int);', path: s.sql}\n", "give either path (a DDL file) or sql"),
    ],
)
def test_inline_ddl_mistakes_are_named(ddl: str, problem: str) -> None:
    text = INLINE_DDL.split("  ddl: |")[0] + ddl + "workload:" + INLINE_DDL.split("workload:")[1]
    with pytest.raises(BriefError) as caught:
        loads_brief(text, file="brief.yaml")
    assert problem in str(caught.value)


def test_inline_ddl_that_does_not_parse_names_the_brief_and_the_sql_line(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text(INLINE_DDL.replace("name text NOT NULL", "name frobnicate NOT NULL"))
    result = runner.invoke(app, ["inspect", str(brief)])
    assert result.exit_code == 2
    assert f"{brief}: schema.ddl.sql:1: column 'accounts.name': type 'frobnicate'" in result.stderr
    assert "Traceback" not in result.output


def test_yaml_words_that_read_as_booleans_are_names_as_keys() -> None:
    """YAML 1.1 reads off/on/yes/no as booleans; as keys they are a parameter (:off), a hot value: the
    brief keeps them as text, as YAML 1.2 does. As values they stay booleans (nullable: no)."""
    text = """\
name: t
engine: sqlite
schema:
  entities:
    t:
      columns:
        id: {type: integer, primary_key: true}
        answer: {type: text, nullable: no}
tables:
  t: {rows: 1000, columns: {answer: {hot_values: {yes: 0.6, no: 0.3}}}}
workload:
  - name: page
    sql: SELECT id FROM t WHERE answer = :on ORDER BY id LIMIT 20 OFFSET :off
    params: {off: 40, on: 'yes'}
    rate: 1/s
"""
    brief = loads_brief(text, file="brief.yaml")
    assert brief.workload.statements[0].params == {"off": 40, "on": "yes"}
    assert brief.tables["t"].columns["answer"].hot_values == {"yes": 0.6, "no": 0.3}
    assert brief.schema_.entities is not None
    assert brief.schema_.entities["t"].columns["answer"].nullable is False
