"""A statement's example parameter values (``params:``) are checked against what each parameter is
compared with once the schema is known: a value that cannot be of that type, a name the statement
does not use, or something that is not one value is a brief error naming the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.errors import BriefError

SCHEMA = """\
CREATE TYPE state AS ENUM ('open', 'closed');
CREATE TABLE events (
  id bigint PRIMARY KEY,
  device_id int NOT NULL,
  occurred_at timestamptz NOT NULL,
  day date,
  kind text,
  price numeric(10,2),
  state state,
  ok boolean,
  token uuid,
  at_time time
);
"""


def brief_file(tmp_path: Path, statements: str) -> Path:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    path = tmp_path / "brief.yaml"
    path.write_text(
        f"engine: postgresql 15\nschema: {{ddl: schema.sql}}\nworkload:\n  statements:\n{statements}"
    )
    return path


def statement(sql: str, params: str, name: str = "q") -> str:
    return f"    - name: {name}\n      sql: {sql}\n      rate: 1/s\n      params: {params}\n"


def error_of(tmp_path: Path, sql: str, params: str) -> str | None:
    path = brief_file(tmp_path, statement(sql, params))
    try:
        api.inspect_brief(path)
    except BriefError as exc:
        return str(exc)
    return None


ACCEPTED = [
    ("SELECT id FROM events WHERE occurred_at >= :since", "{since: 2026-01-31}"),
    ("SELECT id FROM events WHERE occurred_at >= :since", "{since: '2026-01-31 14:30:00+00'}"),
    ("SELECT id FROM events WHERE occurred_at >= :since", "{since: 2026-01-31 14:30:00}"),
    ("SELECT id FROM events WHERE day BETWEEN :a AND :b", "{a: 2026-01-01, b: '2026-01-31'}"),
    ("SELECT id FROM events WHERE device_id = :d", "{d: 42}"),
    ("SELECT id FROM events WHERE device_id IN (:d)", "{d: '42'}"),
    ("SELECT id FROM events WHERE price > :p", "{p: 19.99}"),
    ("SELECT id FROM events WHERE price > :p", "{p: '1e3'}"),
    ("SELECT id FROM events WHERE kind = :k", "{k: 2026-01-31}"),  # text takes anything
    ("SELECT id FROM events WHERE state = :s", "{s: open}"),
    ("SELECT id FROM events WHERE ok = :b", "{b: false}"),
    ("SELECT id FROM events WHERE token = :t", "{t: 123e4567-e89b-12d3-a456-426614174000}"),
    ("SELECT id FROM events WHERE at_time < :t", "{t: '14:30:00'}"),
    ("SELECT id FROM events ORDER BY id LIMIT :n OFFSET :o", "{n: 20, o: 100000}"),
    ("INSERT INTO events (id, device_id, occurred_at) VALUES (:id, :d, :at)", "{d: 7, at: 2026-01-31}"),
    # inside arithmetic with an interval the value is no longer the column's type; minus one it is
    ("SELECT id FROM events WHERE occurred_at >= now() - :h * interval '1 hour'", "{h: 3}"),
    ("SELECT id FROM events WHERE occurred_at < :until - interval '1 day'", "{until: 2026-01-31}"),
    ("SELECT id FROM events WHERE CAST(occurred_at AS date) = :d", "{d: '2026-01-31 10:00:00'}"),
    ("SELECT id FROM events WHERE device_id = $1", "{$1: 5}"),
    ("SELECT id FROM events WHERE device_id = ?", "{p1: 5}"),
    ("SELECT id FROM events ORDER BY id LIMIT 20 OFFSET :off", "{'off': 100}"),
    ("SELECT id FROM events ORDER BY id LIMIT 20 OFFSET :off", "{off: 100}"),  # a key stays text
]


@pytest.mark.parametrize(("sql", "params"), ACCEPTED)
def test_a_value_of_the_compared_type_is_accepted(tmp_path: Path, sql: str, params: str) -> None:
    assert error_of(tmp_path, sql, params) is None


REFUSED = [
    (
        "SELECT id FROM events WHERE occurred_at >= :since",
        "{since: not a date}",
        "brief.yaml:8: workload.statements[0].params.since: 'not a date' is not a date or timestamp: :since "
        "is compared with events.occurred_at (timestamptz) (give a date such as 2026-01-31 or a timestamp "
        "such as '2026-01-31 14:30:00', or remove it)",
    ),
    (
        "SELECT id FROM events WHERE day = :d",
        "{d: 2026-01-31 10:00:00}",
        "brief.yaml:8: workload.statements[0].params.d: 2026-01-31 10:00:00 is not a date: :d is compared "
        "with events.day (date) (give a date such as 2026-01-31, or remove it)",
    ),
    (
        "SELECT id FROM events WHERE device_id = :d",
        "{d: 1.5}",
        "brief.yaml:8: workload.statements[0].params.d: 1.5 is not a whole number: :d is compared with "
        "events.device_id (integer) (give a whole number such as 42, or remove it)",
    ),
    (
        "SELECT id FROM events WHERE device_id = :d",
        "{d: 99999999999}",
        "99999999999 is not in the integer range (-2,147,483,648 to 2,147,483,647)",
    ),
    ("SELECT id FROM events WHERE price < :p", "{p: cheap}", "'cheap' is not a number: :p is compared"),
    ("SELECT id FROM events WHERE price < :p", "{p: true}", "true is not a number"),
    (
        "SELECT id FROM events WHERE state = :s",
        "{s: opne}",
        "'opne' is not one of the enum's values (open, closed): :s is compared with events.state "
        "(enum('open', 'closed')); did you mean 'open'? (give one of the enum's values, or remove it)",
    ),
    ("SELECT id FROM events WHERE ok = :b", "{b: maybe}", "'maybe' is not true or false"),
    ("SELECT id FROM events WHERE token = :t", "{t: abc}", "'abc' is not a UUID"),
    ("SELECT id FROM events WHERE at_time = :t", "{t: noon}", "'noon' is not a time of day"),
    (
        "SELECT id FROM events ORDER BY id LIMIT 20 OFFSET :o",
        "{o: -1}",
        "-1 is not a row count: :o is the statement's OFFSET (give a whole number such as 100, or remove it)",
    ),
    (
        "INSERT INTO events (id, device_id, occurred_at) VALUES (:id, :d, :at)",
        "{at: yesterday}",
        "'yesterday' is not a date or timestamp: :at is written to events.occurred_at (timestamptz)",
    ),
    # the same parameter compared with a text column and a timestamp: the timestamp decides
    ("SELECT id FROM events WHERE kind = :x OR occurred_at > :x", "{x: soon}", "events.occurred_at"),
    (
        "SELECT id FROM events WHERE occurred_at >= :since AND device_id = :device",
        "{sinse: 2026-01-31}",
        "brief.yaml:8: workload.statements[0].params.sinse: the statement has no parameter :sinse; did you "
        "mean 'since'? (its parameters: :device, :since) (name one of its parameters, or remove it)",
    ),
    (
        "SELECT id FROM events",
        "{since: 2026-01-31}",
        "the statement has no parameter :since (it has no parameters) (remove the example, or write the "
        "parameter into the statement)",
    ),
    ("SELECT id FROM events WHERE kind = :k", "{k: null}", "the example value of :k is null"),
    ("SELECT id FROM events WHERE kind IN (:k)", "{k: [a, b]}", "the example value of :k is a list"),
    (
        "SELECT id FROM events WHERE device_id = :d",
        "{1: 5}",
        "brief.yaml:8: workload.statements.0.params: a parameter name read as '1', not as text: YAML "
        "reads true, false and numbers as such; quote the name ('1': ...)",
    ),
]


@pytest.mark.parametrize(("sql", "params", "expected"), REFUSED)
def test_a_value_that_cannot_be_the_compared_type_is_a_brief_error(
    tmp_path: Path, sql: str, params: str, expected: str
) -> None:
    error = error_of(tmp_path, sql, params)
    assert error is not None, "accepted"
    assert expected in error


def test_every_bad_value_of_the_brief_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    path = brief_file(
        tmp_path,
        statement("SELECT id FROM events WHERE device_id = :d", "{d: 7}")
        + statement("SELECT id FROM events WHERE day > :a AND price < :p", "{a: soon, p: 2}", "q2")
        + "    - name: r\n      sql: SELECT id FROM events WHERE price < :p\n      rate: 1/s\n"
        "      params:\n        p: lots\n",
    )
    with pytest.raises(BriefError) as caught:
        api.inspect_brief(path)
    assert [d.location() for d in caught.value.diagnostics] == [
        f"{path}:12: workload.statements[1].params.a",
        f"{path}:17: workload.statements[2].params.p",
    ]


def test_a_statement_left_out_is_not_checked(tmp_path: Path) -> None:
    """Not strict (the index advice's default), a statement that cannot be analyzed is left out with its
    reason; its examples are not checked against a statement that is not there."""
    path = brief_file(
        tmp_path,
        statement("SELECT id FROM nowhere WHERE at > :since", "{since: soon}")
        + statement("SELECT id FROM events WHERE device_id = :d", "{d: 7}", "q2"),
    )
    inspection = api.inspect_brief(path, strict=False)
    assert [name for name, _ in inspection.workload.left_out] == ["q"]


def test_a_brief_given_as_data_is_checked_without_a_line(tmp_path: Path) -> None:
    from dbarchitect.brief import parse_brief

    (tmp_path / "schema.sql").write_text(SCHEMA)
    data = {
        "engine": "postgresql 15",
        "schema": {"ddl": "schema.sql"},
        "workload": [
            {"name": "q", "sql": "SELECT id FROM events WHERE day = :d", "rate": 1, "params": {"d": 3}}
        ],
    }
    brief = parse_brief(data, base_dir=tmp_path)
    with pytest.raises(BriefError) as caught:
        api.inspect_brief(brief, file="given")
    assert str(caught.value).startswith("given: workload.statements[0].params.d: 3 is not a date")


@pytest.mark.parametrize("name", ["p1", "$1"])
def test_a_numbered_parameters_example_reaches_its_predicate_under_either_name(
    tmp_path: Path, name: str
) -> None:
    """``$1`` is ``p1`` where parameters are tied to columns (pruning, verify) and ``$1`` in the statement's
    analysis: an example under either name is the predicate's example (p1 was dropped there before)."""
    path = brief_file(
        tmp_path, statement("SELECT id FROM events WHERE occurred_at >= $1", f"{{'{name}': 2026-01-31}}")
    )
    (predicate,) = api.inspect_brief(path).workload.statements[0].tables[0].predicates
    assert (predicate.parameter, predicate.example) == ("$1", "2026-01-31")
