"""Objects the catalog does not model field by field (functions, triggers, grants, comments,
sequences, extensions, materialized views...): read from DDL, planned as create / drop / replace
with the user's own statements, and everything else listed in ``MigrationPlan.unplanned`` (never a
silent "nothing to do")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbarchitect.advisors.migrations import plan_markdown, plan_migration, plan_sql_by_phase
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.grants import Privilege, grant_objects
from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.model.catalog import ObjectSource
from dbarchitect.model.names import EngineName

PG = get_traits(EngineName.POSTGRESQL, "15")
MARIADB = get_traits(EngineName.MARIADB, "10.11")
BASE = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
FUNCTION = (
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  -- keep e-mails lower case\n"
    "  NEW.email := lower(NEW.email);\n  RETURN NEW;\nEND\n$$;\n"
)
TRIGGER = "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();\n"


def _pg(sql: str):  # type: ignore[no-untyped-def]
    return load_ddl(sql, EngineName.POSTGRESQL)


@pytest.mark.parametrize(
    ("sql", "kind", "name"),
    [
        (FUNCTION, "function", "touch()"),
        (
            "CREATE OR REPLACE FUNCTION app.f(i integer DEFAULT 1, t text) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
            "function",
            "app.f(i integer, t text)",
        ),
        (
            "CREATE PROCEDURE purge(keep bigint) LANGUAGE sql AS $$ DELETE FROM users WHERE id > keep $$;",
            "procedure",
            "purge(keep bigint)",
        ),
        (TRIGGER, "trigger", "users.users_touch"),
        ("CREATE SEQUENCE invoice_no AS integer START WITH 1000;", "sequence", "invoice_no"),
        ("CREATE EXTENSION IF NOT EXISTS citext;", "extension", "citext"),
        ('CREATE SCHEMA "App";', "schema", "App"),
        ("CREATE DOMAIN posint AS integer CHECK (VALUE > 0);", "domain", "posint"),
        ("CREATE TYPE pair AS (a integer, b text);", "type", "pair"),
        ("CREATE TYPE mood AS ENUM ('sad', 'ok');", "type", "mood"),
        (
            "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);",
            "collation",
            "ci",
        ),
        ("CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM users;", "materialized view", "n"),
        ("CREATE POLICY own ON users FOR SELECT USING (email = current_user);", "policy", "users.own"),
        ("ALTER TABLE users ENABLE ROW LEVEL SECURITY;", "row level security", "users"),
        ("GRANT SELECT ON FUNCTION f() TO reader;", "grant", "GRANT SELECT ON FUNCTION f() TO reader"),
        (
            "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader;",
            "default privileges",
            "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader",
        ),
        (
            "CREATE INDEX users_email ON users (email);\nCOMMENT ON INDEX users_email IS 'logins';",
            "comment",
            "INDEX users_email",
        ),
        ("ALTER TABLE users SET (fillfactor = 70);", "table property", "users"),
    ],
)
def test_ddl_objects_are_kept_with_their_identity(sql: str, kind: str, name: str) -> None:
    catalog = _pg(BASE + sql)
    found = [(o.kind, o.name) for o in catalog.objects]
    assert (kind, name) in found
    obj = next(o for o in catalog.objects if (o.kind, o.name) == (kind, name))
    assert obj.source == ObjectSource.DDL and obj.create_sql


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        # one privilege per statement or several in one: the same grant
        ("GRANT SELECT ON users TO reader;\nGRANT INSERT ON users TO reader;", [("table users to reader", "INSERT, SELECT")]),
        ("GRANT SELECT, INSERT ON TABLE public.users TO reader;", [("table users to reader", "INSERT, SELECT")]),
        # REVOKE takes away what an earlier GRANT gave, as the engine applies them
        ("GRANT ALL ON users TO reader;\nREVOKE DELETE, TRUNCATE, TRIGGER, REFERENCES, UPDATE ON users FROM reader;", [("table users to reader", "INSERT, SELECT")]),
        ("GRANT SELECT ON users TO reader WITH GRANT OPTION;", [("table users to reader", "; with grant option: SELECT")]),
        ("GRANT UPDATE (email) ON users TO writer;", [("column users.email to writer", "UPDATE")]),
        ("GRANT SELECT ON users TO reader;\nREVOKE SELECT ON users FROM reader;", []),
    ],
)  # fmt: skip
def test_grants_are_read_as_privileges_per_object_and_grantee(
    statements: str, expected: list[tuple[str, str]]
) -> None:
    grants = [(o.name, o.definition) for o in _pg(BASE + statements).objects if o.kind == "grant"]
    assert grants == expected


def test_grants_read_from_a_database_match_the_file_that_made_them() -> None:
    """A file's GRANT and the database's ACL row are one object: nothing to plan when they agree,
    REVOKE + GRANT of the privileges when they do not (was: GRANT the file's statement, then REVOKE
    the database's grant of the same privilege, leaving none)."""
    file = _pg(BASE + "GRANT SELECT ON users TO reader;\nGRANT UPDATE (email) ON users TO writer;\n")
    rows = [
        Privilege("table", "users", "", "reader", "SELECT"),
        Privilege("table", "users", "email", "writer", "UPDATE"),
    ]
    live = replace(file, objects=tuple(grant_objects(rows, EngineName.POSTGRESQL)))
    assert not plan_migration(live, file, PG).steps
    wider = _pg(BASE + "GRANT SELECT, INSERT ON users TO reader;\nGRANT UPDATE (email) ON users TO writer;\n")
    plan = plan_migration(live, wider, PG)
    assert [s.sql for s in plan.steps] == [
        ('REVOKE SELECT ON TABLE "users" FROM "reader"', 'GRANT INSERT, SELECT ON TABLE "users" TO "reader"')
    ]
    assert [s.sql for s in plan.down] == [
        ('REVOKE INSERT, SELECT ON TABLE "users" FROM "reader"', 'GRANT SELECT ON TABLE "users" TO "reader"')
    ]
    assert not plan.unplanned


def test_mariadb_grant_option_is_revoked_with_the_privileges() -> None:
    current = load_ddl(BASE, EngineName.MARIADB)
    target = load_ddl(BASE + "GRANT SELECT ON users TO 'reader'@'%' WITH GRANT OPTION;\n", EngineName.MARIADB)
    plan = plan_migration(current, target, MARIADB)
    assert [s.sql for s in plan.steps] == [("GRANT SELECT ON `users` TO 'reader'@'%' WITH GRANT OPTION",)]
    assert [s.sql for s in plan.down] == [
        ("REVOKE SELECT ON `users` FROM 'reader'@'%'", "REVOKE GRANT OPTION ON `users` FROM 'reader'@'%'")
    ]


def test_a_used_enum_is_a_column_type_not_an_object() -> None:
    catalog = _pg("CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE p (id int PRIMARY KEY, m mood);\n")
    assert not catalog.objects


def test_new_function_and_trigger_are_created_after_the_tables_and_dropped_by_name() -> None:
    plan = plan_migration(_pg(BASE), _pg(BASE + FUNCTION + TRIGGER), PG)
    assert [s.description for s in plan.steps] == [
        "create function touch()",
        "create trigger users.users_touch",
    ]
    # The body is the user's own text, comments and line breaks kept.
    assert "-- keep e-mails lower case\n" in plan.steps[0].sql[0]
    assert [s.sql for s in plan.down] == [("DROP TRIGGER users_touch ON users",), ("DROP FUNCTION touch()",)]
    assert not plan.unplanned


def test_dropped_objects_come_back_in_the_down_plan_and_types_go_after_tables() -> None:
    current = _pg(
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE SEQUENCE s;\n"
        + BASE
        + "GRANT SELECT ON users TO reader;\n"
    )
    plan = plan_migration(current, _pg(BASE), PG, allow_data_loss=True)
    assert [s.sql for s in plan.steps] == [
        ('REVOKE SELECT ON TABLE "users" FROM "reader"',),
        ("DROP SEQUENCE s",),
        ("DROP TYPE mood",),
    ]
    assert [s.sql[0] for s in plan.down] == [
        "CREATE TYPE mood AS ENUM ('sad', 'ok')",
        "CREATE SEQUENCE s",
        'GRANT SELECT ON TABLE "users" TO "reader"',
    ]


def test_changed_function_is_replaced_in_place_and_restored_by_the_down_plan() -> None:
    old = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
    new = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n"
    plan = plan_migration(_pg(BASE + old), _pg(BASE + new), PG)
    assert plan.steps[0].sql == ("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$",)
    assert plan.down[0].sql == ("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",)


def test_what_cannot_be_compared_or_changed_is_listed_never_nothing_to_do() -> None:
    current = _pg(BASE + "CREATE SEQUENCE s START WITH 1;\nCREATE EXTENSION citext;\n" + FUNCTION)
    target = _pg(BASE + "CREATE SEQUENCE s START WITH 100;\nCREATE EXTENSION citext;\n" + FUNCTION)
    plan = plan_migration(current, target, PG)
    assert plan.unplanned == ("sequence s: its definition changes; changing a sequence is not planned",)
    text = plan_markdown(plan)
    assert "nothing to do" not in text and "Not planned" in text and "sequence s" in text
    # A definition read from a database is not compared with a DDL file's.
    live = replace(current, objects=tuple(replace(o, source=ObjectSource.DATABASE) for o in current.objects))
    plan = plan_migration(live, current, PG)
    assert [u.split(":")[0] for u in plan.unplanned] == ["sequence s", "function touch()"]


def test_a_table_outside_the_default_schema_is_listed_not_created_in_public() -> None:
    plan = plan_migration(
        _pg(BASE), _pg(BASE + "CREATE SCHEMA test;\nCREATE TABLE test.items (id int PRIMARY KEY);\n"), PG
    )
    assert [s.description for s in plan.steps] == ["create schema test"]
    assert plan.unplanned == ("table test.items: tables outside the default schema are not planned",)


def test_a_materialized_view_is_not_planned_as_a_view() -> None:
    mv = "CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM users;\nCREATE UNIQUE INDEX n_n ON n (n);\n"
    plan = plan_migration(_pg(BASE), _pg(BASE + mv), PG)
    assert [s.sql for s in plan.steps] == [
        ("CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM users",),
        ("CREATE UNIQUE INDEX n_n ON n (n)",),
    ]


def test_mariadb_drops_routines_and_triggers_by_name_only() -> None:
    base = "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, email varchar(200) NOT NULL);\n"
    objects = (
        "CREATE FUNCTION add_one(i int) RETURNS int DETERMINISTIC RETURN i + 1;\n"
        "CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = lower(NEW.email);\n"
    )
    current = load_ddl(base + objects, EngineName.MARIADB)
    plan = plan_migration(current, load_ddl(base, EngineName.MARIADB), MARIADB)
    assert [s.sql for s in plan.steps] == [("DROP TRIGGER users_lower",), ("DROP FUNCTION add_one",)]


def test_mariadb_compound_bodies_are_read_with_delimiter_and_written_between_delimiter_lines() -> None:
    base = "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, email varchar(200) NOT NULL);\n"
    trigger = (
        "DELIMITER //\nCREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW BEGIN\n"
        "  SET NEW.email = lower(NEW.email);\n  SET NEW.email = trim(NEW.email);\nEND //\nDELIMITER ;\n"
    )
    target = load_ddl(base + trigger + "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n", EngineName.MARIADB)
    assert [t.name.value for t in target.tables] == ["users", "t"]
    plan = plan_migration(load_ddl(base, EngineName.MARIADB), target, MARIADB)
    script = "".join(plan_sql_by_phase(plan).values())
    assert "DELIMITER //\nCREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW BEGIN\n" in script
    assert "END //\nDELIMITER ;" in script
    # Split as `mysql < file` splits it, the script holds the whole trigger as one statement.
    pieces = [p.text.strip() for p in split_script(script, EngineName.MARIADB) if p.kind == PieceKind.SQL]
    assert any(p.startswith("CREATE TRIGGER") and p.endswith("END") for p in pieces)


def test_postgresql_default_expressions_keep_their_parentheses_and_keywords() -> None:
    target = _pg(
        "CREATE TABLE t (id int PRIMARY KEY, a timestamp DEFAULT (now() AT TIME ZONE 'utc'), "
        "b time with time zone DEFAULT CURRENT_TIME, c bit(8) DEFAULT x'1F', d money, e json);\n"
    )
    plan = plan_migration(_pg("CREATE TABLE t (id int PRIMARY KEY);\n"), target, PG)
    sql = "\n".join(s for step in plan.steps for s in step.sql)
    assert "DEFAULT (CURRENT_TIMESTAMP AT TIME ZONE 'utc')" in sql
    assert "timetz DEFAULT CURRENT_TIME" in sql
    assert "bit(8) DEFAULT '00011111'" in sql
    assert " money" in sql and " json" in sql and "jsonb" not in sql


def test_comment_changes_are_planned_where_the_engine_has_comment_statements_else_listed() -> None:
    old = BASE + "COMMENT ON TABLE users IS 'people';\nCOMMENT ON COLUMN users.email IS 'lower case';\n"
    new = BASE + "COMMENT ON TABLE users IS 'people who log in';\n"
    plan = plan_migration(_pg(old), _pg(new), PG)
    assert [s.sql for s in plan.steps] == [
        ("COMMENT ON TABLE users IS NULL", "COMMENT ON TABLE users IS 'people who log in'"),
        ("COMMENT ON COLUMN users.email IS NULL",),
    ]
    assert plan.down[-1].sql == ("COMMENT ON TABLE users IS NULL", "COMMENT ON TABLE users IS 'people'")
    my_old = "CREATE TABLE t (id int NOT NULL PRIMARY KEY) COMMENT 'things';\n"
    my_new = "CREATE TABLE t (id int NOT NULL PRIMARY KEY) COMMENT 'other things';\n"
    plan = plan_migration(load_ddl(my_old, EngineName.MARIADB), load_ddl(my_new, EngineName.MARIADB), MARIADB)
    assert plan.unplanned == (
        "comment TABLE t: comment changes are not planned on MariaDB 10.11 (set it by hand)",
    )
