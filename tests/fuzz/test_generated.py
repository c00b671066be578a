"""Generated hostile input (hypothesis), run through the commands in process, in forked children held
to a memory limit and a timeout (tests/fuzz/harness.py): every case ends as valid output or one
``error:`` line with exit 2; none is an internal error, a traceback, a hang, or over 1 GB.

Four families, about 1,050 cases in CI (``DBARCH_FUZZ_SCALE=10`` runs ten times as many):

- brief text: a valid brief with hostile tokens inserted and pieces cut (YAML syntax, anchors and
  aliases, tags, NUL, BOM, CRLF, odd numbers and booleans, quotes, emoji) -> ``inspect``;
- brief structure: briefs built from hostile names (reserved words, quotes, mixed case, emoji, very
  long), types, defaults, comments, value lists, CHECKs and statements -> ``inspect`` / ``check`` /
  ``design`` / ``indexes``;
- migrations: hostile DDL and garbage between statements -> ``lint`` on every engine;
- schema pairs: two hostile DDL scripts -> ``migrate``.

Examples are derandomized (the same cases on every run, no example database written).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dbarchitect.api
import dbarchitect.cli  # noqa: F401
from tests.fuzz.corpus import BRIEF
from tests.fuzz.harness import Outcome, run_cli

SCALE = float(os.environ.get("DBARCH_FUZZ_SCALE", "1"))
PEAK_LIMIT_MB = 1024.0


def _settings(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _check(outcome: Outcome) -> None:
    assert outcome.kind in ("ok", "user-error"), outcome.describe()
    assert outcome.peak_mb < PEAK_LIMIT_MB, outcome.describe()
    if outcome.kind == "user-error":
        assert len(outcome.message) < 2000, outcome.describe()


def _run(files: dict[str, str | bytes], args: list[str], stdin: bytes = b"") -> Outcome:
    with tempfile.TemporaryDirectory(prefix="dbarch-case-") as folder:
        root = Path(folder)
        for name, content in files.items():
            (root / name).write_bytes(
                content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
            )
        return run_cli(args, cwd=root, stdin=stdin)


# -- pools ----------------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "'",
    '"',
    "\\",
    "`",
    ";",
    "--",
    "/*",
    "*/",
    "$$",
    "\\'",
    "''",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\ufeff",
    "\u2028",
    "😀",
    "𝕏",
    "é",
    "%",
    "_",
    "?",
    ":",
    "{",
    "}",
    "[",
    "]",
    "#",
    " ",
    "DROP TABLE t; --",
    "'); DROP TABLE t; --",
    "x\\'; DROP TABLE other.t; -- ",
]
NAMES = [
    "id",
    "group",
    "order",
    "select",
    "user",
    "MixedCase",
    "with space",
    'qu"ote',
    "ap'os",
    "back`tick",
    "semi;colon",
    "dash--dash",
    "😀",
    "ü",
    "x" * 64,
    "y" * 70,
    "a" * 300,
    "t1",
    "T1",
    "null",
    "table",
]
TYPES = [
    "integer",
    "bigint",
    "text",
    "varchar(20)",
    "varchar(0)",
    "numeric(12,2)",
    "numeric(99,98)",
    "boolean",
    "timestamp",
    "timestamptz",
    "date",
    "json",
    "uuid",
    "email",
    "money",
    "percent",
    "enum",
    "bytea",
    "varchar(99999999)",
    "notatype",
    "integer[]",
    "",
    "float",
]
NUMBERS = [
    0,
    -1,
    1,
    1.5,
    1e12,
    1e308,
    2**63,
    -(2**63),
    "1e400",
    ".nan",
    ".inf",
    "-.inf",
    True,
    False,
    None,
    "10/s",
    "1M",
]
RATES = [
    "1/s",
    "10/min",
    "0/s",
    "-1/s",
    "nan/s",
    "1e400/s",
    "abc",
    "1 per second",
    5,
    0,
    -3,
    True,
    "1/fortnight",
]
PREDICATES = [
    "{c} = :p",
    "{c} = 1",
    "{c} IN (1, 2, 3)",
    "{c} LIKE 'x%'",
    "{c} IS NULL",
    "{c} BETWEEN 1 AND 2",
    "{c} > 0 OR {c} < 0",
    "NOT ({c} = 1)",
    "{c} = 'a''b'",
    "{c} = E'\\\\'",
    "lower({c}) = 'x'",
    "{c} IN (SELECT {c} FROM {t})",
    "EXISTS (SELECT 1 FROM {t} x WHERE x.{c} = {t}.{c})",
    "{c} = /* ; */ 1",
    "{c} = 1 -- trailing",
    "((((({c} = 1)))))",
    "{c} = $1",
    "{c} = ?",
    "{c}",
]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=6)), max_size=6).map(
    "".join
)


# -- 1. brief text ------------------------------------------------------------------------------------------

mutation = st.tuples(
    st.floats(min_value=0, max_value=1),
    st.one_of(
        st.sampled_from(
            [
                *HOSTILE_TEXT,
                "&a ",
                "*a",
                "<<: *a",
                "!!python/object:os.system",
                "!!binary",
                "---\n",
                "...\n",
                "? ",
                "- ",
                "|\n",
                ">\n",
                ".nan",
                ".inf",
                "1e400",
                "true",
                "~",
                "null",
                "{a: 1, a: 2}",
                "[" * 60,
                "{x: " * 30,
                "\n  extra: 1\n",
                "\nworkload: []\n",
                "\ntables: {}\n",
            ]
        ),
        st.text(max_size=8),
    ),
    st.integers(min_value=0, max_value=12),
)


@pytest.mark.long
@_settings(400)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_brief_text(mutations: list[tuple[float, str, int]]) -> None:
    text = BRIEF
    for where, insert, cut in mutations:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    _check(_run({"b.yaml": text}, ["inspect", "b.yaml"]))


# -- 2. brief structure -----------------------------------------------------------------------------------


@st.composite
def briefs(draw: st.DrawFn) -> dict[str, object]:
    tables: dict[str, object] = {}
    sizes: dict[str, object] = {}
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        table = draw(st.sampled_from(NAMES))
        columns: dict[str, object] = {"id": {"type": "integer", "primary_key": True}}
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            spec: dict[str, object] = {"type": draw(st.sampled_from(TYPES))}
            for key, values in (
                ("default", st.one_of(hostile_text, st.sampled_from(NUMBERS))),
                ("comment", hostile_text),
                ("values", st.lists(st.one_of(hostile_text, st.integers()), max_size=4)),
                ("check", st.sampled_from(PREDICATES).map(lambda p, c="n": p.format(c=c, t="t"))),
                ("min", st.sampled_from(NUMBERS)),
                ("nullable", st.sampled_from([True, False, "no", 0])),
                ("references", st.sampled_from([None, "t1(id)", "nowhere", f"{table}(id)"])),
            ):
                if draw(st.booleans()):
                    spec[key] = draw(values)
            columns[draw(st.sampled_from(NAMES))] = spec
        entity: dict[str, object] = {"columns": columns}
        if draw(st.booleans()):
            entity["comment"] = draw(hostile_text)
        if draw(st.booleans()):
            entity["indexes"] = [
                {
                    "columns": [draw(st.sampled_from(list(columns)))],
                    "where": draw(st.sampled_from(PREDICATES)).format(c="id", t=table),
                }
            ]
        tables[table] = entity
        sizes[table] = {"rows": draw(st.sampled_from(NUMBERS)), "growth": draw(st.sampled_from(RATES))}
        if draw(st.booleans()):
            sizes[table] = {"rows": 1000, "columns": {"id": {"distinct": draw(st.sampled_from(NUMBERS))}}}
    names = list(tables)
    statements = []
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        t = draw(st.sampled_from(names))
        c = draw(st.sampled_from(["id", "n", *NAMES[:6]]))
        joined = draw(st.sampled_from([" AND ", " OR "])).join(
            draw(st.sampled_from(PREDICATES)).format(c=_ident(c), t=_ident(t))
            for _ in range(draw(st.integers(1, 4)))
        )
        sql = draw(
            st.sampled_from(
                [
                    f"SELECT * FROM {_ident(t)} WHERE {joined}",
                    f"UPDATE {_ident(t)} SET {_ident(c)} = 1 WHERE {joined}",
                    f"DELETE FROM {_ident(t)} WHERE {joined}",
                    f"INSERT INTO {_ident(t)} ({_ident(c)}) VALUES (:v)",
                    f"WITH d AS (DELETE FROM {_ident(t)} RETURNING id) SELECT * FROM d",
                    f"SELECT {c} FROM {t} WHERE {joined}",
                    draw(hostile_text),
                ]
            )
        )
        statements.append(
            {
                "name": draw(st.sampled_from([f"q{i}", "", "q;--", "😀", f"q{i}"])),
                "sql": sql,
                "rate": draw(st.sampled_from(RATES)),
            }
        )
    brief: dict[str, object] = {
        "engine": draw(
            st.sampled_from(["postgresql", "mariadb", "sqlite", "mysql 8.0", "postgresql 99", "oracle"])
        ),
        "schema": {"entities": tables},
        "tables": sizes,
        "workload": {"statements": statements},
    }
    if draw(st.booleans()):
        brief["portable_to"] = draw(
            st.lists(st.sampled_from(["postgresql", "mariadb", "sqlite"]), max_size=2)
        )
    if draw(st.booleans()):
        brief["horizon"] = draw(st.sampled_from([*NUMBERS, "3y", "nan days", "10000y"]))
    return brief


def _dump(brief: dict[str, object], as_json: bool) -> str:
    def clean(value: object) -> object:  # YAML spellings of odd numbers are strings in the draw
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(brief), ensure_ascii=as_json)


@pytest.mark.long
@_settings(350)
@given(briefs(), st.sampled_from(["inspect", "inspect", "check", "design", "indexes"]), st.booleans())
def test_generated_briefs(brief: dict[str, object], command: str, as_json: bool) -> None:
    name = "b.json" if as_json else "b.yaml"
    _check(_run({name: _dump(brief, as_json)}, [command, name]))


# -- 3. migrations -------------------------------------------------------------------------------------------

DDL = [
    "ALTER TABLE {t} ADD COLUMN {c} integer NOT NULL DEFAULT 0",
    "ALTER TABLE {t} ADD COLUMN {c} text DEFAULT {v}",
    "ALTER TABLE {t} ALTER COLUMN {c} TYPE bigint",
    "ALTER TABLE {t} DROP COLUMN {c}",
    "CREATE INDEX {i} ON {t} ({c})",
    "CREATE UNIQUE INDEX CONCURRENTLY {i} ON {t} ({c}) WHERE {c} > 0",
    "ALTER TABLE {t} ADD CONSTRAINT {i} CHECK ({c} <> {v})",
    "COMMENT ON COLUMN {t}.{c} IS {v}",
    "CREATE TABLE {t} ({c} int PRIMARY KEY, x text DEFAULT {v})",
    "DROP TABLE {t}",
    "UPDATE {t} SET {c} = {v}",
    "BEGIN",
    "COMMIT",
    "SET lock_timeout = '1s'",
    "ALTR TABLE {t} ADDD COLUMN {c}",
    "DO $$ BEGIN UPDATE {t} SET {c} = 1; END $$",
    "\\connect other",
    "DELIMITER //",
]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def migrations(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        template = draw(st.sampled_from(DDL))
        parts.append(
            template.format(
                t=_ident(draw(st.sampled_from(NAMES))),
                c=_ident(draw(st.sampled_from(NAMES))),
                i=_ident(draw(st.sampled_from(NAMES))),
                v=_literal(draw(hostile_text).replace("\x00", "")),
            )
        )
        parts.append(
            draw(
                st.sampled_from([";\n", ";", "; -- x\n", ";/* ; */\n", "\n;\n", ";\r\n", draw(hostile_text)])
            )
        )
    return "".join(parts)


@pytest.mark.long
@_settings(250)
@given(migrations(), st.sampled_from(["postgresql", "mariadb", "sqlite", "mysql"]), st.booleans())
def test_generated_migrations(sql: str, engine: str, through_stdin: bool) -> None:
    if through_stdin:
        outcome = _run({}, ["lint", "-", "-e", engine], stdin=sql.encode("utf-8", "surrogatepass"))
    else:
        outcome = _run({"m.sql": sql}, ["lint", "m.sql", "-e", engine])
    _check(outcome)


# -- 4. schema pairs ------------------------------------------------------------------------------------------


@st.composite
def schemas(draw: st.DrawFn) -> str:
    tables = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        columns = [f"{_ident('id')} integer PRIMARY KEY"]
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            columns.append(
                f"{_ident(draw(st.sampled_from(NAMES)))} {draw(st.sampled_from(['int', 'text', 'varchar(10)', 'bigint']))}"
                + draw(
                    st.sampled_from(
                        [
                            "",
                            " NOT NULL",
                            f" DEFAULT {_literal(draw(hostile_text).replace(chr(0), ''))}",
                            " UNIQUE",
                        ]
                    )
                )
            )
        tables.append(f"CREATE TABLE {_ident(draw(st.sampled_from(NAMES)))} ({', '.join(columns)});")
    return "\n".join(tables)


@_settings(50)
@given(schemas(), schemas(), st.sampled_from(["postgresql 15", "mariadb 10.11", "sqlite"]))
def test_generated_schema_pairs(current: str, target: str, engine: str) -> None:
    _check(
        _run(
            {"a.sql": current, "b.sql": target},
            ["migrate", "--from", "a.sql", "--to", "b.sql", "-e", engine, "-f", "sql"],
        )
    )
