"""The HypoPG session on a real PostgreSQL: hypothetical indexes inside a read-only session, generic
plans for parameters, one statement at a time, and clear errors when HypoPG or the server is missing."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.engines.hypopg import PLANNER_SETTINGS, HypoSession, PlanFailed, _missing_hypopg, plan_cost
from dbarchitect.errors import ConnectionFailed, UnsupportedError

SETUP = """
CREATE TABLE t (a integer PRIMARY KEY, b integer NOT NULL, c text NOT NULL);
INSERT INTO t SELECT g, g % 100, md5(g::text) FROM generate_series(1, 20000) AS g;
ANALYZE t;
"""


@pytest.fixture
def small_db(pg_has_hypopg: str) -> str:
    with psycopg.connect(pg_has_hypopg, autocommit=True) as conn:
        conn.execute(SETUP)  # type: ignore[call-overload]
    return pg_has_hypopg


def _scans(plan: dict[str, object]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []

    def walk(node: dict[str, object]) -> None:
        index = node.get("Index Name")
        out.append((str(node["Node Type"]), str(index) if index is not None else None))
        for child in node.get("Plans", []):  # type: ignore[attr-defined]
            walk(child)

    walk(plan["Plan"])  # type: ignore[arg-type]
    return out


def _relations(url: str) -> set[tuple[str, str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        ).fetchall()
    return {(str(r[0]), str(r[1])) for r in rows}


def test_hypothetical_index_is_planned_in_a_read_only_session(small_db: str) -> None:
    before = _relations(small_db)
    with HypoSession(small_db) as session:
        # The session really is read-only, and HypoPG still works in it.
        modes = session.settings(["transaction_read_only", "default_transaction_read_only"])
        assert (modes["transaction_read_only"], modes["default_transaction_read_only"]) == ("on", "on")
        query = "SELECT a FROM t WHERE b = 7"
        without = session.explain(query)
        assert [n for n, _ in _scans(without)] == ["Seq Scan"]

        index = session.create_index("CREATE INDEX ON t (b)")
        assert index.name.startswith(f"<{index.oid}>") and "t_b" in index.name
        with_index = session.explain(query)
        assert index.name in {i for _, i in _scans(with_index)}
        assert plan_cost(with_index) < plan_cost(without)
        # 20 000 entries of one integer: more than a few pages, less than the table itself.
        assert 8192 * 10 < session.index_size(index) < 8192 * 200

        # Other sessions see nothing: the index lives in this backend's memory only.
        assert _relations(small_db) == before
        with HypoSession(small_db) as other:
            assert [n for n, _ in _scans(other.explain(query))] == ["Seq Scan"]

        session.drop_index(index)
        assert plan_cost(session.explain(query)) == pytest.approx(plan_cost(without))
    assert _relations(small_db) == before


def test_several_indexes_are_created_in_order_and_dropped_in_one_call(small_db: str) -> None:
    with HypoSession(small_db) as session:
        made = session.create_indexes(
            ["CREATE INDEX ON t (c)", "CREATE INDEX ON t (b, a)", "CREATE INDEX ON t (a) INCLUDE (c)"]
        )
        assert [m.oid for m in made] == sorted(m.oid for m in made)
        assert [m.name.split(">", 1)[1] for m in made] == ["btree_t_c", "btree_t_b_a", "btree_t_a_c"]
        listed = session._execute("SELECT indexrelid::int FROM hypopg_list_indexes ORDER BY 1")
        assert [r[0] for r in listed] == [m.oid for m in made]
        session.drop_indexes(made[:2])
        listed = session._execute("SELECT indexrelid::int FROM hypopg_list_indexes")
        assert [r[0] for r in listed] == [made[2].oid]
        with pytest.raises(PlanFailed, match="nosuchcolumn"):
            session.create_indexes(["CREATE INDEX ON t (b)", "CREATE INDEX ON t (nosuchcolumn)"])


def test_session_refuses_writes_and_second_statements(small_db: str) -> None:
    with HypoSession(small_db) as session:
        with pytest.raises(PlanFailed, match="read-only transaction"):
            session._execute("CREATE TABLE should_not_exist (a integer)")
        # EXPLAIN of a write plans it without running it.
        plan = session.explain("UPDATE t SET b = 0 WHERE a = 5")
        assert plan["Plan"]["Node Type"] == "ModifyTable"
        with pytest.raises(PlanFailed, match="multiple commands"):
            session.explain("SELECT 1; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        with pytest.raises(PlanFailed, match="multiple commands"):
            session.explain("SELECT 1; DELETE FROM t", parameters=1)
        # The session survives statements that fail.
        assert session.settings(["transaction_read_only"])["transaction_read_only"] == "on"
    with psycopg.connect(small_db, autocommit=True) as conn:
        row = conn.execute("SELECT count(*), sum(b) FROM t").fetchone()
    assert row == (20000, sum(g % 100 for g in range(1, 20001)))
    assert ("should_not_exist", "r") not in _relations(small_db)


def test_parameters_get_a_generic_plan_not_folded_nulls(small_db: str) -> None:
    with HypoSession(small_db) as session:
        # A NULL literal is folded: the planner knows "a = NULL" is never true.
        folded = session.explain("SELECT * FROM t WHERE a = NULL")
        assert folded["Plan"]["Node Type"] == "Result"
        # A parameter planned generically keeps its condition and the index it can use.
        generic = session.explain("SELECT * FROM t WHERE a = $1", parameters=1)
        assert [n for n, _ in _scans(generic)] == ["Index Scan"]
        assert generic["Plan"]["Index Cond"] == "(a = $1)"
        index = session.create_index("CREATE INDEX ON t (b)")
        by_b = session.explain("SELECT a FROM t WHERE b = $1 AND c = $2", parameters=2)
        assert index.name in {i for _, i in _scans(by_b)}
        # Prepared statements are deallocated: the same call again works and plans the same.
        assert plan_cost(
            session.explain("SELECT a FROM t WHERE b = $1 AND c = $2", parameters=2)
        ) == plan_cost(by_b)
        with pytest.raises(PlanFailed, match="could not determine data type of parameter"):
            session.explain("SELECT $1 IS NULL", parameters=1)


def test_settings_name_what_moves_costs(small_db: str) -> None:
    with HypoSession(small_db) as session:
        settings = session.settings()
    assert set(PLANNER_SETTINGS) <= set(settings)
    assert settings["jit"] == "off"
    assert settings["server_version"].split(".")[0].isdigit()
    assert settings["hypopg_version"][0].isdigit()


def test_missing_hypopg_says_how_to_install_and_installs_nothing(pg_scratch_db: str) -> None:
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'").fetchone()
    if available is None:
        pytest.skip("the server has no HypoPG package at all")
    with pytest.raises(UnsupportedError) as caught:
        HypoSession(pg_scratch_db)
    message = str(caught.value)
    assert "available on the server but not installed" in message
    assert "CREATE EXTENSION hypopg" in message
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'").fetchone() == (0,)


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (None, "apt-get install postgresql-15-hypopg"),
        ("1.4.1", "HypoPG 1.4.1 is available on the server but not installed in database 'shop'"),
    ],
)
def test_missing_hypopg_messages(available: str | None, expected: str) -> None:
    message = str(_missing_hypopg("shop", "15", available))
    assert expected in message
    assert "CREATE EXTENSION hypopg" in message


def test_not_postgresql_is_refused_before_connecting() -> None:
    with pytest.raises(UnsupportedError, match="needs PostgreSQL"):
        HypoSession("mysql://root:pw@127.0.0.1:1/shop")


def test_unreachable_server_is_a_connection_error_without_password() -> None:
    with pytest.raises(ConnectionFailed) as caught:
        HypoSession("postgresql://app:s3cret@127.0.0.1:1/shop")
    assert "s3cret" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)
