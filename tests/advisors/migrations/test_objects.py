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
from dbarchitect.ingest.live_expressions import read_default
from dbarchitect.ingest.script import PieceKind, split_script
from dbarchitect.model.catalog import Default, DefaultKind, ObjectSource
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind

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
        # named as the database reader names it (was `CONSTRAINT users_email on users` against the
        # database's `... ON users`: dropped after being set, so the comment was lost)
        (
            "ALTER TABLE users ADD CONSTRAINT e CHECK (email <> '');\ncomment on constraint e on users IS 'x';",
            "comment",
            "CONSTRAINT e ON users",
        ),
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


def test_a_view_that_becomes_a_materialized_view_and_back_frees_its_name_first() -> None:
    view = BASE + "CREATE VIEW n AS SELECT count(*) AS n FROM users;\n"
    mv = BASE + "CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM users;\n"
    for plan in (plan_migration(_pg(view), _pg(mv), PG), plan_migration(_pg(mv), _pg(view), PG)):
        for steps in (plan.steps, plan.down):
            sql = [s.sql[0].split(" AS ")[0] for s in steps]
            drop = next(i for i, x in enumerate(sql) if x.startswith("DROP"))
            create = next(i for i, x in enumerate(sql) if x.startswith("CREATE"))
            assert drop < create, sql


@pytest.mark.parametrize("engine", [EngineName.POSTGRESQL, EngineName.MARIADB])
def test_views_are_dropped_readers_first_and_created_after_what_they_read(engine: EngineName) -> None:
    traits = PG if engine == EngineName.POSTGRESQL else MARIADB
    # declared reader first: the order of the file (or of a database's catalog) is not the
    # order the engine needs
    v1 = "CREATE VIEW b_users AS SELECT id, email FROM users WHERE id > {};\n"
    v2 = "CREATE VIEW a_emails AS SELECT email FROM b_users;\n"
    old = load_ddl(BASE + v1.format(0) + v2, engine)
    old = replace(old, views=tuple(reversed(old.views)))
    new = load_ddl(BASE + v1.format(10) + v2, engine)
    new = replace(new, views=tuple(reversed(new.views)))
    plan = plan_migration(old, new, traits)
    # the base changes: its reader goes and comes back with it
    assert [s.description for s in plan.steps] == [
        "drop view a_emails",
        "drop view b_users",
        "create view b_users",
        "create view a_emails",
    ]
    down = plan_migration(old, load_ddl(BASE, engine), traits, allow_data_loss=True)
    assert [s.description for s in down.steps] == ["drop view a_emails", "drop view b_users"]
    assert [s.description for s in down.down] == ["create view b_users", "create view a_emails"]


def test_mariadb_drops_routines_and_triggers_by_name_only() -> None:
    base = "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, email varchar(200) NOT NULL);\n"
    objects = (
        "CREATE FUNCTION add_one(i int) RETURNS int DETERMINISTIC RETURN i + 1;\n"
        "CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = lower(NEW.email);\n"
    )
    current = load_ddl(base + objects, EngineName.MARIADB)
    plan = plan_migration(current, load_ddl(base, EngineName.MARIADB), MARIADB)
    assert [s.sql for s in plan.steps] == [("DROP TRIGGER users_lower",), ("DROP FUNCTION add_one",)]
    # A routine is one per name (no overloading), as the database lists it: `add_one()`, so the
    # file's and the database's are the same object (was: created again, 'already exists').
    assert ("function", "add_one()") in [(o.kind, o.name) for o in current.objects]
    live = replace(current, objects=tuple(replace(o, source=ObjectSource.DATABASE) for o in current.objects))
    plan = plan_migration(live, current, MARIADB)
    assert not plan.steps and all("exists on both sides" in u for u in plan.unplanned)


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
    assert "DEFAULT (NOW() AT TIME ZONE 'utc')" in sql
    assert "timetz DEFAULT CURRENT_TIME" in sql
    assert "bit(8) DEFAULT '00011111'" in sql
    assert " money" in sql and " json" in sql and "jsonb" not in sql


@pytest.mark.parametrize(
    ("engine", "column", "rendered"),
    [
        # PostgreSQL keeps now() and CURRENT_TIMESTAMP apart, and a number as written
        (EngineName.POSTGRESQL, "timestamptz DEFAULT now()", "DEFAULT now()"),
        (EngineName.POSTGRESQL, "timestamptz DEFAULT CURRENT_TIMESTAMP", "DEFAULT CURRENT_TIMESTAMP"),
        (EngineName.POSTGRESQL, "numeric(10,2) DEFAULT 0.00", "DEFAULT 0.00"),
        # MariaDB: a `datetime` without fractional seconds takes CURRENT_TIMESTAMP without them
        (EngineName.MARIADB, "datetime DEFAULT current_timestamp()", "DEFAULT CURRENT_TIMESTAMP(0)"),
        (EngineName.MARIADB, "datetime(3) DEFAULT current_timestamp(3)", "DEFAULT CURRENT_TIMESTAMP(3)"),
    ],
)
def test_defaults_are_planned_as_the_engine_keeps_them(
    engine: EngineName, column: str, rendered: str
) -> None:
    traits = PG if engine == EngineName.POSTGRESQL else MARIADB
    before = load_ddl("CREATE TABLE t (id int PRIMARY KEY);\n", engine)
    after = load_ddl(f"CREATE TABLE t (id int PRIMARY KEY, c {column});\n", engine)
    sql = "\n".join(s for step in plan_migration(before, after, traits).steps for s in step.sql)
    assert rendered in sql


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


def test_an_index_operator_class_is_part_of_the_index() -> None:
    """`USING gin (email gin_trgm_ops)`: created with its operator class (was: without it, which
    fails, 'no default operator class for access method gin'), and a changed class is a new index."""
    trgm = (
        BASE
        + "CREATE EXTENSION pg_trgm;\nCREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops);\n"
    )
    plan = plan_migration(_pg(BASE + "CREATE EXTENSION pg_trgm;\n"), _pg(trgm), PG)
    assert [s.sql[0] for s in plan.steps if "INDEX" in s.sql[0]] == [
        "CREATE INDEX CONCURRENTLY users_email_trgm ON users USING gin (email gin_trgm_ops)"
    ]
    assert not plan.unplanned
    pattern = BASE + "CREATE INDEX users_email_p ON users ((lower(email)) text_pattern_ops);\n"
    plain = BASE + "CREATE INDEX users_email_p ON users ((lower(email)));\n"
    assert plan_migration(_pg(pattern), _pg(pattern), PG).steps == ()
    assert [s.description for s in plan_migration(_pg(plain), _pg(pattern), PG).steps] == [
        "drop index users_email_p on users",
        "create index users_email_p on users",
    ]


@pytest.mark.parametrize(
    ("text", "type_", "expected"),
    [
        # a negative number comes back as a cast string; it is the number the file wrote
        ("'-5'::integer", LogicalType(TypeKind.SMALLINT), Default(DefaultKind.NUMBER, "-5")),
        ("'-5'::text", LogicalType(TypeKind.TEXT), Default(DefaultKind.STRING, "-5")),
        # now() keeps its spelling inside an expression (PostgreSQL keeps it apart from CURRENT_TIMESTAMP)
        ("(now() AT TIME ZONE 'utc'::text)", LogicalType(TypeKind.TIMESTAMP), None),
    ],
)
def test_database_defaults_read_as_the_file_wrote_them(
    text: str, type_: LogicalType, expected: Default | None
) -> None:
    default, _ = read_default(text, EngineName.POSTGRESQL, type_)
    if expected is not None:
        assert default == expected
    else:
        assert default is not None and default.value is not None and "NOW()" in default.value


def test_enable_and_force_row_level_security_are_one_setting_both_planned() -> None:
    rls = BASE + "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\nALTER TABLE users FORCE ROW LEVEL SECURITY;\n"
    plan = plan_migration(_pg(BASE), _pg(rls), PG)
    # was: the FORCE statement replaced the ENABLE one, so the plan only forced it
    assert [s.sql for s in plan.steps] == [
        ("ALTER TABLE users ENABLE ROW LEVEL SECURITY", "ALTER TABLE users FORCE ROW LEVEL SECURITY")
    ]


def test_a_view_outside_the_default_schema_is_listed_not_created_in_public() -> None:
    view = BASE + "CREATE SCHEMA app;\nCREATE VIEW app.user_ids AS SELECT id FROM users;\n"
    plan = plan_migration(_pg(BASE), _pg(view), PG)
    assert [s.sql for s in plan.steps] == [("CREATE SCHEMA app",)]
    assert plan.unplanned == ("table app.user_ids: tables outside the default schema are not planned",)


def test_an_index_of_one_partition_is_an_object_of_its_own() -> None:
    """The catalog holds the partitioned parent's indexes only: an index of one partition is
    created and dropped with its own statement (was: 'table events_2025 does not exist')."""
    rng = (
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at)) "
        "PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
    )
    child = rng + "CREATE INDEX events_2025_v ON events_2025 (v);\n"
    plan = plan_migration(_pg(child), _pg(rng), PG)
    assert [s.sql for s in plan.steps] == [("DROP INDEX events_2025_v",)]
    assert [s.sql for s in plan.down] == [("CREATE INDEX events_2025_v ON events_2025 (v)",)]
