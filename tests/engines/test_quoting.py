"""The engines' quoting helpers: literals read back exactly on the real engines whatever the
session's string mode, identifiers and comments cannot be escaped from, fragments that are not one
expression are refused, and names an engine would refuse, cut or merge are found."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.expressions import expression_sql
from dbarchitect.engines.identifiers import identifier_problems
from dbarchitect.engines.quoting import (
    LiteralStyle,
    dollar_quoted,
    line_comment,
    neutral_literal,
    number_literal,
    string_literal,
)
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError, SqlError, UnsupportedError
from dbarchitect.model.catalog import Catalog, CheckConstraint, Column, Index, IndexKey, Table
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind
from tests.engine_exec import mariadb_connect

PG = get_traits(EngineName.POSTGRESQL, "15")
MARIA = get_traits(EngineName.MARIADB, "10.11")
SQLITE = get_traits(EngineName.SQLITE)

#: Text without NUL, weighted towards the characters that matter to a lexer.
hostile_text = st.lists(
    st.one_of(
        st.sampled_from([*"'\"\\`;-/*$#\n\r\t %_?:", "--", "/*", "*/", "$$", "\\'", "''"]),
        st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    ),
    max_size=30,
).map("".join)


@pytest.mark.parametrize(
    ("style", "text", "expected"),
    [
        (LiteralStyle.STANDARD, "it's", "'it''s'"),
        (LiteralStyle.STANDARD, "a\\b", "'a\\b'"),
        (LiteralStyle.POSTGRES, "a\\'b", "E'a\\\\''b'"),
        (LiteralStyle.POSTGRES, "plain", "'plain'"),
        (LiteralStyle.MYSQL, "a\\'b", "'a\\\\''b'"),
        (LiteralStyle.MYSQL, "x'; DROP TABLE t; --", "'x''; DROP TABLE t; --'"),
    ],
)
def test_string_literal(style: LiteralStyle, text: str, expected: str) -> None:
    assert string_literal(text, style) == expected


def test_nul_is_refused_everywhere() -> None:
    with pytest.raises(UnsupportedError, match="NUL"):
        string_literal("a\x00b", LiteralStyle.STANDARD)
    with pytest.raises(UnsupportedError, match="NUL"):
        PG.quote(Name("a\x00b", quoted=True))


def test_line_comment_cannot_end_the_comment() -> None:
    assert line_comment("a\nDROP TABLE t; --\r\nb\u2028c") == "-- a DROP TABLE t; -- b c"


def test_dollar_quoted_picks_a_tag_the_body_does_not_hold() -> None:
    assert dollar_quoted("BEGIN END") == "$$BEGIN END$$"
    body = "x $$; DROP TABLE t; $$ $dbarch$"
    quoted = dollar_quoted(body)
    tag = quoted[: quoted.index("$", 1) + 1]
    assert tag not in body and quoted == f"{tag}{body}{tag}"


def test_number_literal_refuses_anything_but_a_finite_decimal() -> None:
    assert number_literal("-1.5e3") == "-1.5e3"
    for bad in ("nan", "inf", "1_000", "0x10", "1; DROP TABLE t", ""):
        with pytest.raises(DbarchError):
            number_literal(bad)
    assert neutral_literal("12", numeric=True) == "12"
    assert neutral_literal("nan", numeric=True) == "'nan'"


@pytest.mark.parametrize(
    "fragment",
    [
        "a > 0; DROP TABLE x",
        "a > 0) OR (1 = 1",
        "WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d",
        "a IN (SELECT 1); DELETE FROM t",
    ],
)
def test_expression_sql_refuses_what_is_not_one_expression(fragment: str) -> None:
    with pytest.raises(SqlError):
        expression_sql(fragment, PG)


def test_expression_sql_quotes_names_and_escapes_literals_per_engine() -> None:
    neutral = "\"group\" IN ('a''b', 'c\\') OR MixedCase > 0 AND \"Mixed\" = 1 -- */ DROP TABLE t"
    assert expression_sql(neutral, PG) == "\"group\" IN ('a''b', E'c\\\\') OR MixedCase > 0 AND \"Mixed\" = 1"
    assert expression_sql(neutral, MARIA) == "`group` IN ('a''b', 'c\\\\') OR MixedCase > 0 AND `Mixed` = 1"
    assert (
        expression_sql(neutral, SQLITE) == "\"group\" IN ('a''b', 'c\\') OR MixedCase > 0 AND \"Mixed\" = 1"
    )


def test_mysql_script_sets_backslash_mode_only_when_needed() -> None:
    table = Table(Name("t"), (Column(Name("a"), LogicalType(TypeKind.TEXT), comment="plain"),))
    assert not render_schema_with_notes(Catalog((table,)), MARIA).sql.startswith("SET")
    odd = Table(Name("t"), (Column(Name("a"), LogicalType(TypeKind.TEXT), comment="back\\slash"),))
    assert render_schema_with_notes(Catalog((odd,)), MARIA).sql.startswith("SET SESSION sql_mode")
    assert not render_schema_with_notes(Catalog((odd,)), PG).sql.startswith("SET")


# -- names ------------------------------------------------------------------------------------------


def _table(name: str, *columns: str, indexes: tuple[str, ...] = ()) -> Table:
    return Table(
        Name(name, quoted=True),
        tuple(Column(Name(c, quoted=True), LogicalType(TypeKind.INTEGER)) for c in columns),
        indexes=tuple(Index(Name(i), (IndexKey(column=Name(columns[0], quoted=True)),)) for i in indexes),
    )


def test_names_cut_to_the_same_63_bytes_collide_on_postgres() -> None:
    base = "é" * 31  # 62 bytes
    catalog = Catalog((_table(base + "ab", "id"), _table(base + "ac", "id")))
    errors = [p for p in identifier_problems(catalog, PG) if p.error]
    assert len(errors) == 1 and "same name in the schema" in errors[0].message
    assert not [p for p in identifier_problems(catalog, SQLITE) if p.error]


def test_long_columns_merge_and_long_names_are_refused_on_mariadb() -> None:
    catalog = Catalog((_table("t", "c" * 63 + "x", "c" * 63 + "y"),))
    assert any("same name in table" in p.message for p in identifier_problems(catalog, PG))
    assert all(not p.error for p in identifier_problems(Catalog((_table("t", "c" * 64),)), MARIA))
    refused = identifier_problems(Catalog((_table("t", "c" * 65),)), MARIA)
    assert refused and refused[0].error and "refuses names over 64" in refused[0].message


def test_emoji_and_trailing_space_names_on_mariadb() -> None:
    problems = identifier_problems(Catalog((_table("t\N{GRINNING FACE}", "a "),)), MARIA)
    messages = " | ".join(p.message for p in problems)
    assert "utf8mb3" in messages and "ends with a space" in messages
    assert not identifier_problems(Catalog((_table("t\N{GRINNING FACE}", "a "),)), PG)


def test_index_names_collide_per_schema_on_postgres_but_per_table_on_mariadb() -> None:
    long = "i" * 70
    catalog = Catalog((_table("a", "x", indexes=(long + "1",)), _table("b", "x", indexes=(long + "2",))))
    assert any(p.error for p in identifier_problems(catalog, PG))
    assert [p for p in identifier_problems(catalog, MARIA) if "same name" in p.message] == []


def test_check_on_reserved_word_renders_on_every_engine() -> None:
    table = Table(
        Name("t"),
        (Column(Name("group"), LogicalType(TypeKind.VARCHAR, length=10)),),
        checks=(CheckConstraint("\"group\" IN ('a', 'b')"),),
    )
    for traits in (PG, MARIA, SQLITE):
        sql = render_schema_with_notes(Catalog((table,)), traits).sql
        assert f"CHECK ({traits.quote('group')} IN ('a', 'b'))" in sql
    db = sqlite3.connect(":memory:")
    db.executescript(render_schema_with_notes(Catalog((table,)), SQLITE).sql)


# -- literals read back exactly on the real engines -------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_standard_literal_reads_back_on_sqlite(text: str) -> None:
    db = sqlite3.connect(":memory:")
    assert db.execute(f"SELECT {SQLITE.literal(text)}").fetchone() == (text,)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
def test_postgres_literal_reads_back_with_either_string_mode(pg_server_url: str, text: str) -> None:
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        for mode in ("on", "off"):
            conn.execute(f"SET standard_conforming_strings = {mode}")
            conn.execute("SET escape_string_warning = off")
            row = conn.execute(f"SELECT {PG.literal(text)}, 1").fetchone()  # type: ignore[call-overload]
            assert row == (text, 1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
def test_mariadb_literal_bounds_hold_in_every_sql_mode(mariadb_server_url: str, text: str) -> None:
    """Under the default mode the value reads back exactly; under NO_BACKSLASH_ESCAPES the literal
    still ends where it should (the statement's second column is 1), only backslashes double."""
    conn = mariadb_connect(mariadb_server_url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {MARIA.literal(text)}, 1")
            assert cur.fetchone() == (text, 1)
            cur.execute("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')")
            cur.execute(f"SELECT {MARIA.literal(text)}, 1")
            assert cur.fetchone() == (text.replace("\\", "\\\\"), 1)
    finally:
        conn.close()
