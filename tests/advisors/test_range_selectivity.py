"""Range filters keep the rows between their bounds over the column's extent, read from what the brief
knows (literals, the statement's example params, the column's min/max or the table's time span), and
fall back to the planner's default only when it knows nothing, saying which."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.advisors.access_paths import access_path, filters_selectivity
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.range_selectivity import range_estimate
from dbarchitect.ingest.statement_parts import example_text
from dbarchitect.model.catalog import (
    Column,
    ColumnStats,
    Default,
    DefaultKind,
    PrimaryKey,
    Table,
    TableStats,
)
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind
from dbarchitect.model.workload import ColumnRef, Predicate, PredicateKind

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def table(
    kind: TypeKind,
    low: str | None,
    high: str | None,
    *,
    null: float | None = None,
    distinct: float | None = None,
    **stats: float,
) -> Table:
    return Table(
        name=Name("t"),
        columns=(
            Column(Name("id"), LogicalType(TypeKind.BIGINT), nullable=False),
            Column(
                Name("x"),
                LogicalType(kind),
                stats=ColumnStats(minimum=low, maximum=high, null_fraction=null, distinct=distinct),
            ),
        ),
        primary_key=PrimaryKey((Name("id"),)),
        stats=TableStats(rows=1_000_000, **stats),  # type: ignore[arg-type]
    )


def rng(
    operator: str, value: str | None, *, example: str | None = None, parameter: str | None = None
) -> Predicate:
    return Predicate(
        ColumnRef(Name("t"), Name("x")),
        PredicateKind.RANGE,
        operator,
        value,
        parameter=parameter,
        example=example,
    )


INTEGERS = table(TypeKind.INTEGER, "1", "100")
DECIMALS = table(TypeKind.DECIMAL, "1", "100")
DATES = table(TypeKind.DATE, "2024-01-01", "2024-12-31")
TIMES_LOW, TIMES_HIGH = "2025-09-04 10:00:00+00", "2025-12-03 10:00:00+00"
TIMES = table(TypeKind.TIMESTAMPTZ, TIMES_LOW, TIMES_HIGH)


@pytest.mark.parametrize(
    ("t", "predicates", "expected"),
    [
        # integers are counted as values: 1..100 holds 100
        (INTEGERS, [rng("<", "10")], 9 / 100),
        (INTEGERS, [rng("<=", "10")], 10 / 100),
        (INTEGERS, [rng(">", "90")], 10 / 100),
        (INTEGERS, [rng(">=", "90")], 11 / 100),
        (INTEGERS, [rng("BETWEEN", "11 AND 20")], 10 / 100),
        (INTEGERS, [rng(">=", "11"), rng("<", "21")], 10 / 100),  # read together, not 0.9 x 0.2
        (INTEGERS, [rng(">", "500")], 0.0),
        (INTEGERS, [rng("<", "500")], 1.0),
        # other numbers are continuous
        (DECIMALS, [rng("<", "10")], 9 / 99),
        (DECIMALS, [rng("BETWEEN", "? AND ?", example="25.5 AND 50")], 24.5 / 99),
        # other numbers with a distinct count: that many evenly spaced values (0.00, 0.01, ... 0.10)
        (
            table(TypeKind.DECIMAL, "0.00", "0.10", distinct=11),
            [rng("BETWEEN", None, example="0.05 AND 0.07")],
            3 / 11,
        ),
        (table(TypeKind.DECIMAL, "1", "50", distinct=50), [rng("<", "24")], 23 / 50),
        # dates are counted in days, both bounds of a BETWEEN included (2024 has 366 days)
        (DATES, [rng("BETWEEN", "2024-01-01 AND 2024-01-31")], 31 / 366),
        (DATES, [rng(">=", "2024-12-01")], 31 / 366),
        # a timestamp parameter placed by the brief's example: the last hour of 90 days
        (TIMES, [rng(">=", "?", example="2025-12-03 09:00:00+00", parameter="since")], 1 / 2160),
        (
            TIMES,
            [
                rng(">=", "?", example="2025-12-02 10:00:00+00", parameter="from_ts"),
                rng("<", "?", example="2025-12-03 10:00:00+00", parameter="to_ts"),
            ],
            1 / 90,
        ),
        # NULL is in no range
        (table(TypeKind.INTEGER, "1", "100", null=0.5), [rng("<=", "50")], 0.25),
        # no min/max, but a 30-day retention: a window of two known bounds over the span
        (
            table(TypeKind.TIMESTAMP, None, None, retention_days=30.0),
            [rng("BETWEEN", "2025-01-01 00:00:00 AND 2025-01-02 00:00:00")],
            1 / 30,
        ),
        # ... or the rows over the growth per day (1M rows at 100k a day: 10 days)
        (
            table(TypeKind.DATE, None, None, growth_rows_per_day=100_000.0),
            [rng(">=", "2025-01-01"), rng("<", "2025-01-06")],
            5 / 10,
        ),
    ],
)
def test_range_share_from_bounds_and_extent(t: Table, predicates: list[Predicate], expected: float) -> None:
    found = range_estimate(t, predicates)
    assert found.value == pytest.approx(expected), found.basis


@pytest.mark.parametrize(
    ("t", "predicates", "missing"),
    [
        (TIMES, [rng(">=", "?", parameter="since")], "no example value for :since"),
        (TIMES, [rng("<", None)], "an expression"),
        (INTEGERS, [rng("BETWEEN", "? AND ?")], "no example values for both bounds"),
        (table(TypeKind.INTEGER, None, None), [rng("<", "10")], "no min/max of t.x"),
        # a span of time places a window, not a single bound ("now" is unknown without a max)
        (
            table(TypeKind.TIMESTAMP, None, None, retention_days=30.0),
            [rng(">=", "2025-01-01")],
            "single bound",
        ),
        (table(TypeKind.VARCHAR, "a", "z"), [rng("<", "m")], "only numbers, dates, timestamps"),
        (INTEGERS, [rng("<", "ten")], "not a value of integer x"),
    ],
)
def test_unknown_ranges_say_what_is_missing(t: Table, predicates: list[Predicate], missing: str) -> None:
    found = range_estimate(t, predicates)
    assert found.value is None
    assert missing in found.basis


def arrival(kind: TypeKind, low: str | None, high: str | None, **stats: float) -> Table:
    """``t.x`` defaults to the time of insert: its newest value is now."""
    base = table(kind, low, high, **stats)
    default = Default(DefaultKind.CURRENT_DATE if kind == TypeKind.DATE else DefaultKind.CURRENT_TIMESTAMP)
    columns = tuple(replace(c, default=default) if c.name.value == "x" else c for c in base.columns)
    return replace(base, columns=columns)


@pytest.mark.parametrize(
    ("t", "predicates", "expected"),
    [
        # a week back from the newest value of 90 days
        (
            arrival(TypeKind.TIMESTAMPTZ, TIMES_LOW, TIMES_HIGH),
            [rng(">", None, example="now-604800s")],
            7 / 90,
        ),
        # older than a week: the rest
        (
            arrival(TypeKind.TIMESTAMPTZ, TIMES_LOW, TIMES_HIGH),
            [rng("<", None, example="now-604800s")],
            83 / 90,
        ),
        # a window of two bounds relative to now
        (
            arrival(TypeKind.TIMESTAMPTZ, TIMES_LOW, TIMES_HIGH),
            [rng(">=", None, example="now-172800s"), rng("<", None, example="now-86400s")],
            1 / 90,
        ),
        # the future holds none
        (arrival(TypeKind.TIMESTAMPTZ, TIMES_LOW, TIMES_HIGH), [rng(">", None, example="now+0s")], 0.0),
        # no min/max: the table's 30-day retention back from now, or its rows over its growth
        (
            arrival(TypeKind.TIMESTAMP, None, None, retention_days=30.0),
            [rng(">=", None, example="now-86400s")],
            1 / 30,
        ),
        (
            arrival(TypeKind.TIMESTAMP, None, None, growth_rows_per_day=100_000.0),
            [rng(">=", None, example="now-172800s")],
            2 / 10,
        ),
        # dates count days: today and the 7 before it, of 2024's 366
        (
            arrival(TypeKind.DATE, "2024-01-01", "2024-12-31"),
            [rng(">=", None, example="now-604800s")],
            8 / 366,
        ),
        (
            arrival(TypeKind.DATE, None, None, retention_days=100.0),
            [rng(">=", None, example="now-864000s")],
            11 / 101,
        ),
    ],
)
def test_bounds_relative_to_now_on_a_column_of_insert_times(
    t: Table, predicates: list[Predicate], expected: float
) -> None:
    found = range_estimate(t, predicates)
    assert found.value == pytest.approx(expected), found.basis
    assert "defaults to the time of insert" in found.basis


@pytest.mark.parametrize(
    ("t", "predicates", "missing"),
    [
        # not a column of insert times: where now falls is unknown (an expiry date, a due date...)
        (TIMES, [rng(">", None, example="now-604800s")], "does not default to the time of insert"),
        # a fixed bound beside a relative one
        (
            arrival(TypeKind.TIMESTAMPTZ, TIMES_LOW, TIMES_HIGH),
            [rng(">", None, example="now-604800s"), rng("<", "2025-12-01")],
            "beside a fixed one",
        ),
        # nothing says how far back the rows go
        (arrival(TypeKind.TIMESTAMPTZ, None, None), [rng(">", None, example="now-3600s")], "time span"),
    ],
)
def test_bounds_relative_to_now_that_cannot_be_placed_say_why(
    t: Table, predicates: list[Predicate], missing: str
) -> None:
    found = range_estimate(t, predicates)
    assert found.value is None
    assert missing in found.basis, found.basis


def test_one_unknown_bound_puts_the_column_at_the_default() -> None:
    """``>= 50`` is placed but ``< :to`` is not: both at 1/3 (as before), labelled default."""
    value, sources, bases = filters_selectivity(INTEGERS, [rng(">=", "50"), rng("<", "?", parameter="to")])
    assert value == pytest.approx(1 / 9)
    assert sources == {"default"}
    assert "no example value for :to" in bases[0]


BRIEF = """\
name: r
engine: postgresql 15
schema: {ddl: {path: s.sql}}
tables:
  readings:
    rows: 4.1B
    retention: 90d
    columns:
      device_id: {distinct: 480000}
      recorded_at: {correlation: 0.98, min: '2025-09-04 10:00:00+00', max: '2025-12-03 10:00:00+00'}
workload:
  statements:
    - name: last_hour
      sql: SELECT device_id, temperature_c FROM readings WHERE recorded_at >= :since
      rate: 1/s
      slo: {p95_ms: 500}
"""


def _inspect(tmp_path: Path, params: str) -> api.Inspection:
    (tmp_path / "s.sql").write_text(
        "CREATE TABLE readings (device_id bigint NOT NULL, recorded_at timestamptz NOT NULL, "
        "temperature_c real, PRIMARY KEY (device_id, recorded_at));\n",
        encoding="utf-8",
    )
    (tmp_path / "brief.yaml").write_text(BRIEF + params, encoding="utf-8")
    return api.inspect_brief(tmp_path / "brief.yaml")


def test_a_briefs_example_parameter_places_the_range(tmp_path: Path) -> None:
    """The statement's params reach its predicates; the access path and the built-in model read them,
    and both say where the estimate came from."""
    placed = _inspect(tmp_path, "      params: {since: '2025-12-03 09:00:00+00'}\n")
    statement = placed.workload.statements[0]
    assert statement.params == (("since", "2025-12-03 09:00:00+00"),)
    (predicate,) = statement.tables[0].predicates
    assert (predicate.value, predicate.example) == ("?", "2025-12-03 09:00:00+00")
    readings = placed.catalog.tables[0]
    path = access_path(statement, readings, statement.tables[0])
    assert path.selectivity == pytest.approx(1 / 2160)
    assert path.selectivity_source == "statistics"
    assert (
        "the brief's example for :since" in path.reason and "min/max of readings.recorded_at" in path.reason
    )
    plan = BuiltinCostModel(placed.catalog, placed.traits).plan_cost(statement, frozenset())
    assert plan.plan is not None and "1/2,160 of the rows" in plan.plan

    unplaced = _inspect(tmp_path, "")
    bare = unplaced.workload.statements[0]
    default = access_path(bare, unplaced.catalog.tables[0], bare.tables[0])
    assert default.selectivity == pytest.approx(1 / 3) and default.selectivity_source == "default"
    assert "no example value for :since" in default.reason
    bare_plan = BuiltinCostModel(unplaced.catalog, unplaced.traits).plan_cost(bare, frozenset())
    assert bare_plan.plan is not None and "planner's default" in bare_plan.plan


def test_yaml_dates_and_numbers_are_example_values(tmp_path: Path) -> None:
    """An unquoted YAML timestamp (a datetime) and a number are example values too (a name the statement
    does not use is a brief error: tests/ingest/test_example_values.py)."""
    inspected = _inspect(tmp_path, "      params: {since: 2025-12-03 09:00:00}\n")
    statement = inspected.workload.statements[0]
    assert dict(statement.params) == {"since": "2025-12-03 09:00:00"}
    assert example_text(5) == "5" and example_text(0.25) == "0.25"
    (predicate,) = statement.tables[0].predicates
    path = access_path(statement, inspected.catalog.tables[0], statement.tables[0])
    assert predicate.example == "2025-12-03 09:00:00"
    assert path.selectivity == pytest.approx(1 / 2160)


def test_tpch_q6_folds_its_date_and_discount_arithmetic() -> None:
    """Q6 bounds l_shipdate with ``date '1994-01-01' + interval '1' year`` and l_discount with
    ``0.06 - 0.01`` / ``0.06 + 0.01``: folded, each range is read over the brief's min/max (a year of
    2,526 days of shipments; 3 of l_discount's 11 values; 23 of l_quantity's 50)."""
    inspected = api.inspect_brief(EXAMPLES / "tpch" / "brief.yaml")
    q6 = inspected.workload.statement("q06_forecasting_revenue_change")
    assert q6 is not None
    lineitem = inspected.catalog.table("lineitem")
    assert lineitem is not None
    path = access_path(q6, lineitem, q6.tables[0])
    assert path.selectivity_source == "statistics"
    assert path.selectivity == pytest.approx(365 / 2526 * 3 / 11 * 23 / 50, rel=1e-3)
    assert "l_shipdate < 1995-01-01 (the expression's value)" in path.reason


def test_iot_site_summary_is_estimated_from_its_last_hour() -> None:
    """iot's console summary reads the last hour (params: since) of 90 days of readings: about four
    readings per device, not a third of them (683 ms against its 500 ms SLO with the 1/3 default)."""
    design = api.design(EXAMPLES / "iot" / "brief.yaml")
    assert design.index_advice is not None and design.verdict is not None
    effect = next(e for e in design.index_advice.statements if e.statement == "site_summary")
    assert effect.plan_after is not None and "the brief's example for :since" in effect.plan_after
    assert not [f for f in design.verdict.findings if f.rule_id == "slo-latency"]


NOW_BRIEF = """\
name: events
engine: {engine}
schema: {{ddl: {{path: s.sql}}}}
tables:
  events: {{rows: 500M, growth: 2M/day}}
workload:
  statements:
    - name: recent
      sql: SELECT id FROM events WHERE account_id = :a AND created_at > {bound}
      rate: 50/s
"""


@pytest.mark.parametrize(
    ("engine", "bound"),
    [
        ("postgresql 15", "now() - interval '7 days'"),
        ("mariadb 10.11", "NOW() - INTERVAL 7 DAY"),
        ("sqlite", "datetime('now', '-7 days')"),
    ],
)
def test_a_statement_bounded_by_now_is_placed_on_a_column_of_insert_times(
    tmp_path: Path, engine: str, bound: str
) -> None:
    """``created_at > now() - interval '7 days'`` over 250 days of rows (500M at 2M a day) keeps 7/250
    of them, not the planner's fixed 1/3, and the reason says what was assumed."""
    default = "CURRENT_TIMESTAMP"
    (tmp_path / "s.sql").write_text(
        "CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint NOT NULL, "
        f"created_at timestamp NOT NULL DEFAULT {default});\n",
        encoding="utf-8",
    )
    (tmp_path / "brief.yaml").write_text(NOW_BRIEF.format(engine=engine, bound=bound), encoding="utf-8")
    placed = api.inspect_brief(tmp_path / "brief.yaml")
    statement = placed.workload.statements[0]
    events = placed.catalog.tables[0]
    filters = [p for p in statement.tables[0].predicates if p.kind == PredicateKind.RANGE]
    value, sources, bases = filters_selectivity(events, filters)
    assert value == pytest.approx(7 / 250)
    assert sources == {"statistics"}
    assert "now() - 7 days" in bases[0] and "defaults to the time of insert" in bases[0]
