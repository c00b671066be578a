"""The fixed corpus: every class of hostile input issue 14 found, and the others a tool reading
briefs, DDL and SQL from strangers meets (encodings, NUL bytes, CRLF, BOM, huge identifiers, reserved
words, comments in odd places). Each case names its command, its files, the outcome it must have and
a piece of the one-line message when it is an error."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FIFO = "<fifo>"
DIRECTORY = "<dir>"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    files: dict[str, bytes | str] = field(default_factory=dict)
    #: "user-error" (one line, exit 2), "ok" (exit 0/1), or "either".
    expect: str = "user-error"
    #: A piece of the error line (case-insensitive), for user errors.
    says: str | None = None
    #: Text that must not appear anywhere in the output (a password).
    hides: str | None = None
    #: Pieces the standard output must hold (case-insensitive): the finding a valid run reports.
    shows: tuple[str, ...] = ()
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict)


TABLES = """\
engine: postgresql 15
schema:
  entities:
    accounts:
      columns:
        id: {type: bigint, identity: true, primary_key: true}
        email: {type: varchar(255), nullable: false, unique: true}
        status: {type: varchar(20), nullable: false, default: active}
        balance: {type: "numeric(12,2)", nullable: false, default: 0}
tables:
  accounts: {rows: 100000, growth: 100/day}
"""
WORKLOAD = """\
workload:
  - {name: by_email, sql: "SELECT id FROM accounts WHERE email = :e", rate: 10/s}
"""
BRIEF = TABLES + WORKLOAD


def _brief(extra: str = "", workload: str = WORKLOAD, tables: str = TABLES) -> str:
    return tables + workload + extra


def _billion_laughs(where: str) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    anchors = "\n".join("  " + ln for ln in lines) if where == "guardrails" else "\n".join(lines)
    if where == "guardrails":
        return BRIEF + "guardrails:\n" + anchors + "\n  x: *a9\n"
    return anchors + "\n" + BRIEF


def _or_chain(n: int) -> str:
    terms = " OR ".join(f"balance = {i}" for i in range(n))
    return f'workload:\n  - {{name: or_chain, sql: "SELECT id FROM accounts WHERE {terms}", rate: 1/s}}\n'


def _deep_check(depth: int) -> str:
    check = "(" * depth + "balance >= 0" + ")" * depth
    return TABLES.replace(
        'balance: {type: "numeric(12,2)", nullable: false, default: 0}',
        f'balance: {{type: "numeric(12,2)", nullable: false, check: "{check}"}}',
    )


CASES: list[Case] = [
    # -- YAML and JSON ------------------------------------------------------------------------------
    Case(
        "billion laughs at the top", ("inspect", "b.yaml"), {"b.yaml": _billion_laughs("top")}, says="aliases"
    ),
    Case(
        "billion laughs inside guardrails",
        ("check", "b.yaml"),
        {"b.yaml": _billion_laughs("guardrails")},
        says="aliases",
    ),
    Case(
        "flow mapping nested 1,000 deep",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF + "description: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"},
        says="nested",
    ),
    Case(
        "JSON nested 100,000 deep",
        ("inspect", "b.json"),
        {"b.json": '{"engine": "sqlite", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"},
        says="nested",
    ),
    Case(
        "duplicate key loses a column's constraints",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("        status:", "        email: varchar(255)\n        status:")},
        says="duplicate key 'email'",
    ),
    Case(
        "duplicate JSON key",
        ("inspect", "b.json"),
        {"b.json": '{"engine": "sqlite", "engine": "postgresql"}'},
        says="duplicate key",
    ),
    Case(
        "NUL escape in a value",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF + 'description: "a\\0b"\n'},
        says="NUL",
    ),
    Case(
        "NUL byte in the file", ("inspect", "b.yaml"), {"b.yaml": BRIEF.encode() + b"\x00\n"}, says="binary"
    ),
    Case(
        "Latin-1 bytes",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.encode() + b"description: caf\xe9\n"},
        says="not UTF-8",
    ),
    Case(
        "BOM and CRLF", ("inspect", "b.yaml"), {"b.yaml": "\ufeff" + BRIEF.replace("\n", "\r\n")}, expect="ok"
    ),
    Case(
        "tabs for indentation",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("  accounts:", "\taccounts:")},
        says="YAML",
    ),
    Case("empty file", ("inspect", "b.yaml"), {"b.yaml": ""}, says="brief"),
    Case("a brief that is a list", ("inspect", "b.yaml"), {"b.yaml": "- 1\n- 2\n"}, says="mapping"),
    Case("brief is a FIFO", ("inspect", "b.yaml"), {"b.yaml": FIFO}, says="FIFO"),
    Case("brief is a directory", ("inspect", "b.yaml"), {"b.yaml": DIRECTORY}, says="directory"),
    Case("brief is /dev/zero", ("inspect", "/dev/zero"), says="character device"),
    Case(
        "brief over the input limit",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF},
        says="input limit",
        env={"DBARCH_MAX_INPUT": "200"},
    ),
    Case(
        "--max-input that is no size",
        ("--max-input", "lots", "inspect", "b.yaml"),
        {"b.yaml": BRIEF},
        says="not a size",
    ),
    # -- numbers --------------------------------------------------------------------------------------
    Case(
        "rate .nan",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("rate: 10/s", "rate: .nan")},
        says="rate",
    ),
    Case(
        "rate .inf", ("inspect", "b.yaml"), {"b.yaml": BRIEF.replace("rate: 10/s", "rate: .inf")}, says="rate"
    ),
    Case(
        "rate nan/day",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("rate: 10/s", "rate: nan/day")},
        says="rate",
    ),
    Case(
        "growth .nan",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("growth: 100/day", "growth: .nan")},
        says="finite",
    ),
    Case(
        "retention .nan",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("growth: 100/day", "growth: 100/day, retention: .nan")},
        says="finite",
    ),
    Case("horizon .nan", ("design", "b.yaml"), {"b.yaml": BRIEF + "horizon: .nan\n"}, says="finite"),
    Case("horizon .inf", ("design", "b.yaml"), {"b.yaml": BRIEF + "horizon: .inf\n"}, says="horizon"),
    Case(
        "rows 1e400",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("rows: 100000", "rows: 1e400")},
        says="rows",
    ),
    Case(
        "distinct: true",
        ("inspect", "b.yaml"),
        {
            "b.yaml": BRIEF.replace(
                "growth: 100/day}", "growth: 100/day, columns: {status: {distinct: true}}}"
            )
        },
        says="not true",
    ),
    Case(
        "hot value frequency .nan",
        ("inspect", "b.yaml"),
        {
            "b.yaml": BRIEF.replace(
                "growth: 100/day}", "growth: 100/day, columns: {status: {hot_values: {a: .nan}}}}"
            )
        },
        says="finite",
    ),
    Case(
        "engine string of 10 MB",
        ("inspect", "b.yaml"),
        {"b.yaml": 'engine: "postgresql ' + "9" * 10_000_000 + '"\n'},
        says="engine",
    ),
    Case(
        "engine version of 100,000 digits",
        ("inspect", "b.yaml"),
        {"b.yaml": BRIEF.replace("postgresql 15", "postgresql " + "9" * 100_000)},
        says="engine",
    ),
    # -- SQL ------------------------------------------------------------------------------------------
    Case(
        "index where: with a second statement",
        ("inspect", "b.yaml"),
        {
            "b.yaml": BRIEF.replace("        balance:", "        note: text\n        balance:").replace(
                "    accounts:\n",
                '    accounts:\n      indexes: [{columns: [status], where: "balance > 0; DROP TABLE x; --"}]\n',
                1,
            )
        },
        says="one expression",
    ),
    Case(
        "check: with a second statement",
        ("inspect", "b.yaml"),
        {
            "b.yaml": BRIEF.replace(
                "default: active}", "default: active, check: \"status <> ''); DROP TABLE x; --\"}"
            )
        },
        says="",
    ),
    Case(
        "data-modifying CTE",
        ("inspect", "b.yaml"),
        {
            "b.yaml": _brief(
                workload='workload:\n  - {name: purge, sql: "WITH d AS (DELETE FROM accounts WHERE balance < 0 RETURNING id) SELECT count(*) FROM d", rate: 1/s}\n'
            )
        },
        says="changes data inside WITH",
    ),
    Case(
        "OR chain of 20,000 terms (inspect)",
        ("inspect", "b.yaml"),
        {"b.yaml": _brief(workload=_or_chain(20_000))},
        says="AND/OR terms",
    ),
    Case(
        "OR chain of 20,000 terms (indexes)",
        ("indexes", "b.yaml"),
        {"b.yaml": _brief(workload=_or_chain(20_000))},
        says="AND/OR terms",
    ),
    Case(
        "OR chain of 500 terms",
        ("inspect", "b.yaml"),
        {"b.yaml": _brief(workload=_or_chain(500))},
        expect="ok",
    ),
    Case(
        "CHECK nested 300 deep (entities)",
        ("inspect", "b.yaml"),
        {"b.yaml": _deep_check(300) + WORKLOAD},
        says="nested",
    ),
    Case(
        "CHECK nested 300 deep (DDL file)",
        ("inspect", "b.yaml"),
        {
            "b.yaml": "engine: postgresql\nschema: {ddl: s.sql}\n",
            "s.sql": "CREATE TABLE t (n int CHECK " + "(" * 300 + "n > 0" + ")" * 300 + ");\n",
        },
        says="nested",
    ),
    Case(
        "NOT chain 500 long",
        ("inspect", "b.yaml"),
        {
            "b.yaml": _brief(
                workload='workload:\n  - {name: nots, sql: "SELECT id FROM accounts WHERE '
                + "NOT " * 500
                + 'balance > 0", rate: 1/s}\n'
            )
        },
        expect="either",
    ),
    Case(
        "statement over the length limit",
        ("inspect", "b.yaml"),
        {
            "b.yaml": _brief(
                workload='workload:\n  - {name: long, sql: "SELECT id FROM accounts WHERE email IN ('
                + ", ".join(["'x'"] * 300_000)
                + ')", rate: 1/s}\n'
            )
        },
        says="statement limit",
    ),
    Case(
        "statement file that is binary",
        ("inspect", "b.yaml"),
        {
            "b.yaml": _brief(workload="workload:\n  - {name: q, file: q.sql, rate: 1/s}\n"),
            "q.sql": bytes(range(256)) * 10,
        },
        says="binary",
    ),
    Case(
        "statement file /dev/zero",
        ("inspect", "b.yaml"),
        {"b.yaml": _brief(workload="workload:\n  - {name: q, file: /dev/zero, rate: 1/s}\n")},
        says="character device",
    ),
    Case(
        "statement file is a FIFO",
        ("inspect", "b.yaml"),
        {"b.yaml": _brief(workload="workload:\n  - {name: q, file: q.sql, rate: 1/s}\n"), "q.sql": FIFO},
        says="FIFO",
    ),
    Case(
        "DDL file that is binary",
        ("inspect", "b.yaml"),
        {"b.yaml": "engine: postgresql\nschema: {ddl: s.sql}\n", "s.sql": b"\x00\x01\x02CREATE"},
        says="binary",
    ),
    Case(
        "comments in odd places",
        ("inspect", "b.yaml"),
        {
            "b.yaml": _brief(
                workload='workload:\n  - {name: odd, sql: "SELECT /* a */ id -- b\\n FROM /* ; */ accounts WHERE email = /*x*/ :e", rate: 1/s}\n'
            )
        },
        expect="ok",
    ),
    Case(
        "a 100,000-character identifier",
        ("inspect", "b.yaml"),
        {
            "b.yaml": _brief(
                workload='workload:\n  - {name: huge, sql: "SELECT '
                + "x" * 100_000
                + ' FROM accounts", rate: 1/s}\n'
            )
        },
        expect="either",
    ),
    # -- names ------------------------------------------------------------------------------------------
    Case(
        "reserved words, quotes, emoji and 70-byte names",
        ("check", "b.yaml"),
        {
            "b.yaml": json.dumps(
                {
                    "engine": "postgresql",
                    "portable_to": ["mariadb", "sqlite"],
                    "schema": {
                        "entities": {
                            "group": {
                                "columns": {
                                    "order": {"type": "integer", "primary_key": True},
                                    "select": "text",
                                }
                            },
                            "x" * 70 + "1": {
                                "columns": {
                                    "id": {"type": "integer", "primary_key": True},
                                    "\N{GRINNING FACE}": "integer",
                                }
                            },
                            "x" * 70 + "2": {
                                "columns": {"id": {"type": "integer", "primary_key": True}, 'we"ird': "text"}
                            },
                        }
                    },
                },
                ensure_ascii=False,
            )
        },
        expect="ok",
        shows=(
            "are the same name in the schema on PostgreSQL, which keeps the first 63 bytes",
            "which MariaDB cannot hold in a name (names are utf8mb3",
        ),
    ),
    Case(
        "quoted mixed-case names in tables: and statements",
        ("inspect", "b.yaml"),
        {
            "b.yaml": 'engine: postgresql\nschema: {ddl: s.sql}\ntables: {Acct: {rows: 10}, "My Table": {rows: 5}}\n'
            'workload:\n  - {name: q, sql: \'SELECT "Name" FROM "Acct" JOIN "My Table" m ON m.id = "Acct".id\', rate: 1/s}\n',
            "s.sql": 'CREATE TABLE "Acct" (id int PRIMARY KEY, "Name" text); CREATE TABLE "My Table" (id int PRIMARY KEY);',
        },
        expect="ok",
    ),
    # -- command line and output ------------------------------------------------------------------------
    Case(
        "--time-limit abc",
        ("indexes", "b.yaml", "--time-limit", "abc"),
        {"b.yaml": BRIEF},
        says="--time-limit",
    ),
    Case("unknown option", ("design", "b.yaml", "--frobnicate"), {"b.yaml": BRIEF}, says="No such option"),
    Case(
        "design -o where a schema file is a directory",
        ("design", "b.yaml", "-o", "out"),
        {"b.yaml": BRIEF, "out/schema.postgresql.sql": DIRECTORY},
        says="is a directory",
    ),
    Case(
        "design -o that is a file",
        ("design", "b.yaml", "-o", "out"),
        {"b.yaml": BRIEF, "out": "x"},
        says="is a file",
    ),
    Case(
        "password written inside the database name",
        (
            "migrate",
            "--from",
            "postgresql://u@127.0.0.1:1/db password=sekrit",
            "--to",
            "b.yaml",
            "-e",
            "postgresql 15",
        ),
        {"b.yaml": BRIEF},
        says="cannot connect",
        hides="sekrit",
    ),
    Case(
        "password in the URL",
        (
            "migrate",
            "--from",
            "postgresql://u:sekrit@127.0.0.1:1/db",
            "--to",
            "b.yaml",
            "-e",
            "postgresql 15",
        ),
        {"b.yaml": BRIEF},
        says="cannot connect",
        hides="sekrit",
    ),
    # -- lint and migrate ---------------------------------------------------------------------------------
    Case("lint /dev/zero", ("lint", "/dev/zero", "-e", "postgresql"), says="character device"),
    Case(
        "lint of a typo'd statement",
        ("lint", "m.sql", "-e", "postgresql"),
        {"m.sql": "ALTR TABLE posts ADDD COLUMN x;\n"},
        expect="either",
        shows=("does not parse on PostgreSQL",),
    ),
    Case(
        "lint of nested parentheses",
        ("lint", "m.sql", "-e", "postgresql"),
        {"m.sql": "ALTER TABLE t ADD CONSTRAINT c CHECK " + "(" * 500 + "n > 0" + ")" * 500 + ";\n"},
        says="nested",
    ),
    Case(
        "lint from standard input",
        ("lint", "-", "-e", "mariadb"),
        stdin=b"ALTER TABLE t ADD COLUMN x int NOT NULL;\n",
        expect="ok",
    ),
    Case("lint of binary input", ("lint", "-", "-e", "postgresql"), stdin=b"\x00\xff\xfe", says="binary"),
    Case(
        "migrate between hostile schemas",
        ("migrate", "--from", "a.sql", "--to", "b.sql", "-e", "postgresql 15", "-f", "sql"),
        {
            "a.sql": 'CREATE TABLE "we\'ird" (id int PRIMARY KEY);\n',
            "b.sql": "CREATE TABLE \"we'ird\" (id int PRIMARY KEY, \"x;--\" text DEFAULT 'a''; DROP TABLE t; --' "
            'CHECK ("x;--" <> \'\\\'));\nCOMMENT ON COLUMN "we\'ird"."x;--" IS \'line */ DROP TABLE t; --\';\n',
        },
        expect="ok",
    ),
    Case(
        "migrate from a binary file",
        ("migrate", "--from", "a.sql", "--to", "a.sql", "-e", "mariadb"),
        {"a.sql": b"\xff\xfe\x00"},
        says="binary",
    ),
    # -- the other commands on a good brief, so every command runs at least once ---------------------------
    Case("design", ("design", "b.yaml", "-o", "out"), {"b.yaml": BRIEF}, expect="ok"),
    Case("check", ("check", "b.yaml"), {"b.yaml": BRIEF}, expect="ok"),
    Case("indexes", ("indexes", "b.yaml"), {"b.yaml": BRIEF}, expect="ok"),
    Case("partition", ("partition", "b.yaml"), {"b.yaml": BRIEF}, expect="ok"),
    Case("brief-schema", ("brief-schema",), expect="ok"),
    Case("verify on SQLite", ("verify", "b.yaml", "--scale", "0.001"), {"b.yaml": BRIEF}, expect="ok"),
]
