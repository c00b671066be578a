"""Splitting scripts as the engines' clients do (psql, mysql, sqlite3), and reading statements:
what PostgreSQL refuses is invalid, what sqlglot cannot read is listed, never dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbarchitect.ingest.reading import read_statement
from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.model.names import EngineName

PSQL = r"""\set ON_ERROR_STOP on
-- a comment; with a semicolon
BEGIN;
SET lock_timeout = '2s';
DO $$ BEGIN IF true THEN ALTER TABLE a ADD COLUMN b int; END IF; END $$;
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;
SELECT E'it\'s; fine', 'a''b;', "we;ird" /* c; /* nested; */ still */ FROM t;
\connect other
SELECT 1 \gexec
CREATE TABLE x (a int CHECK (a > 0); b int);
COMMIT
"""


def _texts(text: str, engine: EngineName) -> list[tuple[str, str]]:
    return [(p.kind.value, p.text) for p in split_script(text, engine)]


def test_psql_splits_like_psql() -> None:
    assert _texts(PSQL, EngineName.POSTGRESQL) == [
        ("client", r"\set ON_ERROR_STOP on"),
        ("sql", "BEGIN"),
        ("sql", "SET lock_timeout = '2s'"),
        ("sql", "DO $$ BEGIN IF true THEN ALTER TABLE a ADD COLUMN b int; END IF; END $$"),
        (
            "sql",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; "
            "SELECT 2; END",
        ),
        ("sql", "SELECT E'it\\'s; fine', 'a''b;', \"we;ird\" /* c; /* nested; */ still */ FROM t"),
        ("client", r"\connect other"),
        ("sql", "SELECT 1"),
        ("client", r"\gexec"),
        ("sql", "CREATE TABLE x (a int CHECK (a > 0); b int)"),  # psql: no end inside parentheses
        ("sql", "COMMIT"),
    ]


def test_mysql_follows_delimiter_lines_and_cuts_bodies_without_them() -> None:
    script = (
        "DELIMITER //\n"
        "CREATE TRIGGER t BEFORE INSERT ON p FOR EACH ROW BEGIN SET NEW.a = 'x;y'; SET NEW.b = 2; END//\n"
        "DELIMITER ;\n"
        "# hash comment;\n"
        "ALTER TABLE p ADD COLUMN c INT; -- trailing; comment\n"
        "CREATE TRIGGER t2 BEFORE INSERT ON p FOR EACH ROW BEGIN SET NEW.a = 1; END;\n"
        'SELECT "a\\"b;c" FROM `we;ird`\\G\n'
    )
    assert _texts(script, EngineName.MARIADB) == [
        ("client", "DELIMITER //"),
        (
            "sql",
            "CREATE TRIGGER t BEFORE INSERT ON p FOR EACH ROW BEGIN SET NEW.a = 'x;y'; SET NEW.b = 2; END",
        ),
        ("client", "DELIMITER ;"),
        ("sql", "ALTER TABLE p ADD COLUMN c INT"),
        ("sql", "CREATE TRIGGER t2 BEFORE INSERT ON p FOR EACH ROW BEGIN SET NEW.a = 1"),
        ("sql", "END"),
        ("sql", 'SELECT "a\\"b;c" FROM `we;ird`'),
    ]


def test_sqlite_keeps_trigger_bodies_whole() -> None:
    script = (
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END; SELECT 1; -- x;\n"
    )
    assert [t for _, t in _texts(script, EngineName.SQLITE)] == [
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END",
        "SELECT 1",
    ]


@given(st.lists(st.sampled_from(["SELECT 1", "SELECT ';'", "SELECT $$;$$", "-- c;\nSELECT 2"]), max_size=6))
def test_offsets_point_at_the_statement_text(statements: list[str]) -> None:
    script = ";\n".join(statements) + ";\n"
    pieces = [p for p in split_script(script, EngineName.POSTGRESQL) if p.kind == PieceKind.SQL]
    assert len(pieces) == len(statements)
    for piece in pieces:
        assert script[piece.start : piece.end] == piece.text


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("CREAT INDEX x ON y (z)", 'syntax error at or near "CREAT"'),
        ("ALTER TABLE (((", 'syntax error at or near "("'),
        ("ALTER TABLE t ADD COLUMN c int DEFAULT", "syntax error at end of input"),
        ("DO $$ BEGIN ALTR TABLE a; END $$", "the DO block does not compile"),
    ],
)
def test_postgresql_refuses_what_its_parser_refuses(sql: str, problem: str) -> None:
    reading = read_statement(sql, EngineName.POSTGRESQL, "postgres")
    assert reading.problem is not None and problem in reading.problem.message


def test_postgresql_statements_sqlglot_cannot_read_are_read_in_parts_or_listed() -> None:
    reading = read_statement(
        "ALTER TABLE t ALTER COLUMN a SET STATISTICS 100, ADD COLUMN b int NOT NULL, INHERIT p",
        EngineName.POSTGRESQL,
        "postgres",
    )
    assert reading.problem is None and not reading.read
    assert [p.sql for p in reading.parts] == ["ALTER TABLE t ADD COLUMN b int NOT NULL"]
    assert reading.unread == ("INHERIT p",)  # SET STATISTICS: metadata only, not listed
    spelled = read_statement(
        "ALTER TABLE t ADD COLUMN f bit varying NOT NULL", EngineName.POSTGRESQL, "postgres"
    )
    assert spelled.read and spelled.node is not None and "varbit" in spelled.node.sql("postgres").lower()


def test_do_block_statements_are_read_one_by_one() -> None:
    reading = read_statement(
        "DO $$ BEGIN ALTER TABLE a ADD COLUMN b int; EXECUTE 'CREATE INDEX i ON a (b)'; "
        "EXECUTE format('DROP TABLE %I', 'x'); END $$",
        EngineName.POSTGRESQL,
        "postgres",
    )
    assert [p.sql for p in reading.parts] == ["ALTER TABLE a ADD COLUMN b int", "CREATE INDEX i ON a (b)"]
    assert all(p.whole and p.reading.read for p in reading.parts)
    assert reading.unread == ("EXECUTE of a statement built at run time in a DO block",)


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("ALTR TABLE posts ADDD COLUMN x", "'ALTR' does not start any statement"),
        ("ALTER TABLE posts ADDD COLUMN x INT", "'ADDD' is no ALTER TABLE action"),
        ("CREATE TABEL t (a int)", "CREATE TABEL names no kind of object"),
        ("ALTER TABLE t ADD COLUMN (c int", "1 '(' never closed"),
        ("SELECT 'abc", "never closes"),
    ],
)
def test_mysql_invalid_statements(sql: str, problem: str) -> None:
    reading = read_statement(sql, EngineName.MARIADB, "mysql")
    assert reading.problem is not None and problem in reading.problem.message


def test_mysql_valid_syntax_sqlglot_lacks_is_unread_not_invalid() -> None:
    reading = read_statement(
        "ALTER TABLE p ADD COLUMN c INT, DROP PARTITION p0, ALGORITHM=INPLACE", EngineName.MARIADB, "mysql"
    )
    assert reading.problem is None
    assert [p.sql for p in reading.parts] == ["ALTER TABLE p ADD COLUMN c INT"]
    assert reading.unread == ("DROP PARTITION p0",)


def test_psql_copy_data_is_not_sql() -> None:
    script = "COPY t (a, b) FROM stdin;\n1\t\\N\n2\tx;y\n\\.\nSELECT 1;\n"
    assert _texts(script, EngineName.POSTGRESQL) == [
        ("sql", "COPY t (a, b) FROM stdin"),
        ("client", "COPY data"),
        ("sql", "SELECT 1"),
    ]
