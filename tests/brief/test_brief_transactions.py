"""The brief's node capacity and workload transactions: defaults, derived statement rates, and
one-line errors for every inconsistency."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect.brief import Brief, brief_json_schema, loads_brief
from dbarchitect.errors import BriefError

HEAD = "engine: postgresql 15\nschema: {ddl: schema.sql}\n"


def brief_with(workload: str, extra: str = "") -> Brief:
    return loads_brief(HEAD + extra + "workload:\n" + workload, file="b.yaml")


STATEMENTS = """\
  statements:
    - {name: get_item, sql: 'SELECT i_price FROM item WHERE i_id = :i_id'}
    - {name: update_stock, sql: 'UPDATE stock SET s_quantity = 1 WHERE s_i_id = :i_id'}
    - {name: report, sql: 'SELECT 1', rate: 3/s}
"""


def test_node_defaults_are_marked() -> None:
    brief = loads_brief(HEAD + "node: {memory: 128GB}\n")
    assert brief.node.memory == 128 * 10**9
    assert brief.node.storage == 2 * 10**12 and brief.node.write_rate == 5000
    assert brief.node.defaults_used == ("storage", "write_rate")
    assert loads_brief(HEAD).node.defaults_used == ("memory", "storage", "write_rate")


def test_statement_rates_are_derived_from_transactions() -> None:
    brief = brief_with(
        STATEMENTS
        + """\
  transactions:
    - name: new_order
      rate: 600/min
      statements:
        - {statements: [get_item, update_stock], repeat: {min: 5, max: 15}}
        - {statement: get_item, probability: 0.5}
"""
    )
    rates = {s.name: s.rate for s in brief.workload.statements}
    assert rates == {"get_item": pytest.approx(10 * 10.5), "update_stock": pytest.approx(100), "report": 3}
    step = brief.workload.transactions[0].statements[0]
    assert (step.repeat.min, step.repeat.max, step.probability) == (5, 15, 1.0)


def test_a_statement_rate_above_its_transactions_adds_standalone_runs() -> None:
    brief = brief_with(
        STATEMENTS.replace("'SELECT i_price FROM item WHERE i_id = :i_id'}", "'SELECT 2', rate: 50/s}")
        + "  transactions:\n    - {name: t, rate: 10/s, statements: [get_item, update_stock]}\n"
    )
    assert {s.name: s.rate for s in brief.workload.statements}["get_item"] == 50


@pytest.mark.parametrize(
    ("transactions", "expected"),
    [
        (
            "    - {name: t, rate: 1/s, statements: [get_itme]}\n",
            "b.yaml:3: workload: transactions[0] (t).statements[0]: unknown statement 'get_itme'; "
            "did you mean 'get_item'?",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [get_item]}\n",
            "statement 'update_stock' has no rate; give rate: (e.g. '120/s') or list it in a transaction",
        ),
        (
            "    - {name: t, rate: 10/s, statements: [get_item, update_stock, report]}\n",
            "statement 'report' runs 10/s inside transactions but its rate says 3/s",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [get_item, update_stock]}\n"
            "    - {name: t, rate: 1/s, statements: [get_item]}\n",
            "transaction name 't' is used twice",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [{statement: get_item, repeat: {min: 9, max: 2}}]}\n",
            "repeat min 9 is above max 2",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [{statement: get_item, statements: [get_item]}]}\n",
            "give statement or statements, not both",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [get_item], params: {a: {equals: b}, b: {equals: a}}}\n",
            "params: a -> b -> a is a cycle of equals",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [get_item], params: {a: {probability: 0.5}}}\n",
            "probability says how often the parameter equals another: give equals too",
        ),
        (
            "    - {name: t, rate: 1/s, statements: [get_item], params: {a: {per: loop}}}\n",
            "transactions.0.params.a.per",
        ),
        ("    - {name: t, rate: 1/s, statements: []}\n", "transactions.0.statements"),
    ],
)
def test_bad_transactions_are_one_line_errors(transactions: str, expected: str) -> None:
    with pytest.raises(BriefError) as raised:
        brief_with(STATEMENTS + "  transactions:\n" + transactions)
    text = str(raised.value)
    assert expected in text
    assert "\n" not in text


def test_json_schema_describes_node_and_transactions() -> None:
    schema = brief_json_schema()
    assert "node" in schema["properties"]
    defs = schema["$defs"]
    assert {"TransactionSpec", "TransactionStepSpec", "TransactionParamSpec", "NodeSpec"} <= set(defs)
    assert "rate" not in defs["StatementSpec"].get("required", [])
    assert set(defs["TransactionSpec"]["required"]) == {"name", "rate", "statements"}


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(min_value=0.001, max_value=1e5),
    low=st.integers(min_value=1, max_value=20),
    extra=st.integers(min_value=0, max_value=20),
    probability=st.floats(min_value=0.01, max_value=1.0),
)
def test_derived_rate_is_rate_times_mean_executions(
    rate: float, low: int, extra: int, probability: float
) -> None:
    brief = brief_with(
        STATEMENTS
        + f"""\
  transactions:
    - name: t
      rate: {rate!r}
      statements:
        - update_stock
        - {{statement: get_item, repeat: {{min: {low}, max: {low + extra}}}, probability: {probability!r}}}
"""
    )
    rates = {s.name: s.rate for s in brief.workload.statements}
    assert rates["get_item"] == pytest.approx(rate * probability * (low + low + extra) / 2)
    assert rates["update_stock"] == pytest.approx(rate)
