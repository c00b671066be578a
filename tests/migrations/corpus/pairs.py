"""The migration corpus: current/desired schema pairs for PostgreSQL 15 and MariaDB 10.11.

Written from the engines' documentation (PostgreSQL 15: chapter 8 "Data Types", CREATE TABLE,
ALTER TABLE, CREATE INDEX, CREATE VIEW / MATERIALIZED VIEW, CREATE SEQUENCE, CREATE FUNCTION /
PROCEDURE, CREATE TRIGGER, CREATE DOMAIN, CREATE TYPE, CREATE COLLATION, CREATE POLICY, CREATE
EXTENSION, COMMENT, GRANT, "Table Partitioning"; MariaDB 10.11: "Data Types", CREATE TABLE, ALTER
TABLE, CREATE INDEX, CREATE VIEW, CREATE SEQUENCE, CREATE PROCEDURE / FUNCTION, CREATE TRIGGER,
GRANT, "Partitioning Types", "Generated Columns"), one object or property per family, each seen
as added, dropped, unchanged and changed. Not taken from any other tool's test suite.

A pair's name says what it exercises: ``<family>.<object>.<how>`` with ``how`` one of ``add``,
``drop``, ``same``, ``change`` (and ``back``, the change reversed).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

#: Roles (PostgreSQL) and users (MariaDB) the grant pairs name; the harness creates them.
ROLES = ("dbarch_corpus_reader", "dbarch_corpus_writer")


@dataclass(frozen=True)
class Pair:
    name: str
    engine: str  # 'postgresql' or 'mariadb'
    current: str
    desired: str
    renames: dict[str, str] | None = None
    allow_data_loss: bool = True


def _family(
    engine: str,
    family: str,
    base: str,
    variants: Sequence[tuple[str, str]],
    *,
    same: bool = True,
    without: str | None = None,
) -> Iterator[Pair]:
    """add / drop / same for the first variant; change (and back) between consecutive variants.
    ``variants`` are (label, SQL added to ``base``); ``without`` is the schema without the object
    (default: ``base``)."""
    label, first = variants[0]
    absent = base if without is None else without
    yield Pair(f"{family}.{label}.add", engine, absent, base + first)
    yield Pair(f"{family}.{label}.drop", engine, base + first, absent)
    if same:
        yield Pair(f"{family}.{label}.same", engine, base + first, base + first)
    for (la, a), (lb, b) in itertools.pairwise(variants):
        yield Pair(f"{family}.{la}-{lb}.change", engine, base + a, base + b)
        yield Pair(f"{family}.{la}-{lb}.back", engine, base + b, base + a)


# -------------------------------------------------------------------------------------------------
# PostgreSQL 15

PG_BASE = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"

PG_TYPES = (
    "smallint", "integer", "bigint", "numeric(10,2)", "numeric", "real", "double precision", "money",
    "text", "varchar(20)", "character varying", "char(5)", "bytea", "boolean", "date", "time",
    "time(3) without time zone", "time with time zone", "timestamp", "timestamp(0)", "timestamptz",
    "timestamp(3) with time zone", "interval", "interval day to second", "json", "jsonb", "uuid",
    "inet", "cidr", "macaddr", "macaddr8", "bit(8)", "bit varying(16)", "integer[]", "text[]",
    "timestamp[]", "char(2)[]", "tsvector", "tsquery", "xml", "point", "box", "circle", "int4range",
    "int8range", "numrange", "tstzrange", "daterange", "int4multirange", "pg_lsn",
    "interval day to second(3)", "interval(2)", "interval year to month", "varbit(8)", "bit varying",
    "line", "lseg", "path", "polygon", "tsrange", "datemultirange", "inet[]", "tstzrange[]", '"char"',
)  # fmt: skip

PG_TYPE_CHANGES = (
    ("integer", "bigint"), ("smallint", "integer"), ("bigint", "integer"), ("varchar(20)", "varchar(50)"),
    ("varchar(50)", "varchar(20)"), ("varchar(20)", "text"), ("text", "varchar(100)"), ("char(5)", "varchar(5)"),
    ("numeric(10,2)", "numeric(12,2)"), ("numeric(10,2)", "numeric(12,3)"), ("numeric", "numeric(10,2)"),
    ("timestamp", "timestamptz"), ("timestamptz", "timestamp"), ("time", "time with time zone"),
    ("time with time zone", "time"), ("timestamp(0)", "timestamp(6)"), ("json", "jsonb"), ("jsonb", "json"),
    ("integer", "numeric(12,0)"), ("real", "double precision"), ("double precision", "numeric"),
    ("date", "timestamp"), ("integer", "text"), ("money", "numeric(12,2)"), ("bit(8)", "bit(16)"),
    ("varchar(10)[]", "text[]"), ("uuid", "text"), ("inet", "cidr"), ("char(5)", "char(10)"),
    ("interval", "interval day to second"),
    ("bit varying(16)", "bit varying(32)"), ("text", "tsvector"), ("int4range", "int8range"),
    ("inet", "text"), ("interval day to second", "interval"), ("cidr", "inet"),
)  # fmt: skip

PG_DEFAULTS = (
    ("integer", "0"), ("integer", "-1"), ("integer", "(1 + 2)"), ("text", "'x'"), ("text", "''"),
    ("text", "'it''s'"), ("varchar(10)", "'a'"), ("boolean", "true"), ("boolean", "false"),
    ("timestamptz", "now()"), ("timestamptz", "CURRENT_TIMESTAMP"), ("timestamp", "(now() AT TIME ZONE 'utc')"),
    ("timestamp", "LOCALTIMESTAMP"), ("time with time zone", "CURRENT_TIME"), ("time", "LOCALTIME"),
    ("date", "CURRENT_DATE"), ("uuid", "gen_random_uuid()"), ("bit(8)", "B'00011111'"), ("bit(8)", "x'1F'"),
    ("jsonb", "'{}'::jsonb"), ("json", "'[]'"), ("text[]", "'{}'"), ("numeric(10,2)", "0.00"),
    ("interval", "'1 day'"), ("text", "CURRENT_USER"), ("integer", "(random() * 10)::integer"),
    ("double precision", "pi()"), ("text", "md5('a')"), ("date", "'2020-01-01'"), ("timestamptz", "'infinity'"),
    ("integer[]", "ARRAY[1, 2]"), ("text", "lower('ABC')"), ("smallint", "(-5)"), ("money", "0"),
)  # fmt: skip


def _pg_types() -> Iterator[Pair]:
    for t in PG_TYPES:
        slug = t.replace(" ", "_")
        col = f"CREATE TABLE t (id integer PRIMARY KEY, c {t});\n"
        yield Pair(f"type.{slug}.create", "postgresql", PG_BASE, PG_BASE + col)
        yield Pair(f"type.{slug}.same", "postgresql", PG_BASE + col, PG_BASE + col)
        yield Pair(
            f"type.{slug}.add_column",
            "postgresql",
            "CREATE TABLE t (id integer PRIMARY KEY);\n",
            f"CREATE TABLE t (id integer PRIMARY KEY, c {t});\n",
        )
    for a, b in PG_TYPE_CHANGES:
        yield Pair(
            f"type_change.{a}-{b}".replace(" ", "_"),
            "postgresql",
            f"CREATE TABLE t (id integer PRIMARY KEY, c {a});\n",
            f"CREATE TABLE t (id integer PRIMARY KEY, c {b});\n",
        )
    # a column's type becomes a domain, an extension's type, or back (declared on both sides)
    declared = "CREATE DOMAIN email_t AS text CHECK (VALUE LIKE '%@%');\nCREATE EXTENSION hstore;\n"
    for a, b in (("text", "email_t"), ("email_t", "text"), ("text", "hstore"), ("hstore", "text")):
        yield Pair(
            f"type_change.{a}-{b}",
            "postgresql",
            declared + f"CREATE TABLE t (id integer PRIMARY KEY, c {a});\n",
            declared + f"CREATE TABLE t (id integer PRIMARY KEY, c {b});\n",
        )


def _pg_defaults() -> Iterator[Pair]:
    for i, (t, d) in enumerate(PG_DEFAULTS):
        plain = f"CREATE TABLE t (id integer PRIMARY KEY, c {t});\n"
        with_default = f"CREATE TABLE t (id integer PRIMARY KEY, c {t} DEFAULT {d});\n"
        yield Pair(
            f"default.{i:02d}.add_column",
            "postgresql",
            "CREATE TABLE t (id integer PRIMARY KEY);\n",
            with_default,
        )
        yield Pair(f"default.{i:02d}.set", "postgresql", plain, with_default)
        yield Pair(f"default.{i:02d}.same", "postgresql", with_default, with_default)
    yield Pair(
        "default.drop",
        "postgresql",
        "CREATE TABLE t (id integer PRIMARY KEY, c integer DEFAULT 5 NOT NULL);\n",
        "CREATE TABLE t (id integer PRIMARY KEY, c integer NOT NULL);\n",
    )


PG_ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, price numeric(10,2), qty integer, code text, during tstzrange);\n"


def _pg_constraints() -> Iterator[Pair]:
    base = PG_BASE + PG_ORDERS.replace(");\n", "")
    end = ");\n"
    families: dict[str, list[tuple[str, str]]] = {
        "check": [
            ("unnamed", ", CHECK (price > 0)"),
            ("named", ", CONSTRAINT price_positive CHECK (price > 0)"),
            ("named_wider", ", CONSTRAINT price_positive CHECK (price >= 0)"),
        ],
        "check_multi": [
            ("unnamed", ", CHECK (qty > 0 AND price < 1000)"),
            ("two", ", CHECK (qty > 0), CHECK (price < 1000)"),
        ],
        "check_noinherit": [("named", ", CONSTRAINT q CHECK (qty > 0) NO INHERIT")],
        "unique": [
            ("unnamed", ", UNIQUE (code)"),
            ("named", ", CONSTRAINT orders_code_key2 UNIQUE (code)"),
            ("nulls_not_distinct", ", CONSTRAINT orders_code_key2 UNIQUE NULLS NOT DISTINCT (code)"),
            ("deferrable", ", CONSTRAINT orders_code_key2 UNIQUE (code) DEFERRABLE INITIALLY DEFERRED"),
        ],
        "unique_multi": [
            ("unnamed", ", UNIQUE (user_id, code)"),
            ("include", ", UNIQUE (user_id) INCLUDE (code)"),
        ],
        "unique_storage": [
            ("fillfactor", ", CONSTRAINT u1 UNIQUE (code) WITH (fillfactor = 70)"),
            ("fillfactor80", ", CONSTRAINT u1 UNIQUE (code) WITH (fillfactor = 80)"),
        ],
        "fk": [
            ("unnamed", ", FOREIGN KEY (user_id) REFERENCES users (id)"),
            ("named", ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"),
            (
                "cascade",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
            ),
            (
                "set_null",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE",
            ),
            (
                "match_full",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL",
            ),
            (
                "deferrable",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED",
            ),
            (
                "immediate",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE",
            ),
            (
                "restrict",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT",
            ),
        ],
        "fk_inline": [("unnamed", ", CONSTRAINT x CHECK (true)")],
        "exclude": [
            ("gist", ", EXCLUDE USING gist (during WITH &&)"),
            ("named", ", CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)"),
            ("where", ", CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&) WHERE (qty > 0)"),
        ],
        "not_valid": [("named", ";\nALTER TABLE orders ADD CONSTRAINT q CHECK (qty > 0) NOT VALID")],
    }
    for family, variants in families.items():
        if family == "fk_inline":
            continue
        if family == "not_valid":
            yield from _family(
                "postgresql", f"constraint.{family}", base + end, [(lb, v[1:] + ";\n") for lb, v in variants]
            )
            continue
        full = [(label, base + sql + end) for label, sql in variants]
        yield from _family("postgresql", f"constraint.{family}", "", full, without=base + end)
    yield Pair(
        "constraint.fk_column.add",
        "postgresql",
        PG_BASE + "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
        PG_BASE + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n",
    )
    yield Pair(
        "constraint.fk_self.add",
        "postgresql",
        "CREATE TABLE node (id integer PRIMARY KEY, parent integer);\n",
        "CREATE TABLE node (id integer PRIMARY KEY, parent integer REFERENCES node (id) ON DELETE CASCADE);\n",
    )
    yield Pair(
        "constraint.fk_composite.add",
        "postgresql",
        "CREATE TABLE p (a integer, b integer, PRIMARY KEY (a, b));\nCREATE TABLE c (id integer PRIMARY KEY, a integer, b integer);\n",
        "CREATE TABLE p (a integer, b integer, PRIMARY KEY (a, b));\nCREATE TABLE c (id integer PRIMARY KEY, a integer, b integer, FOREIGN KEY (a, b) REFERENCES p (a, b) MATCH FULL);\n",
    )
    yield Pair(
        "constraint.fk_set_null_columns.add",
        "postgresql",
        "CREATE TABLE p (a integer PRIMARY KEY);\nCREATE TABLE c (id integer PRIMARY KEY, a integer, b integer);\n",
        "CREATE TABLE p (a integer PRIMARY KEY);\nCREATE TABLE c (id integer PRIMARY KEY, a integer, b integer, FOREIGN KEY (a) REFERENCES p ON DELETE SET NULL (a));\n",
    )
    pk = [
        ("unnamed", "CREATE TABLE k (a integer NOT NULL, b integer NOT NULL, PRIMARY KEY (a));\n"),
        (
            "named",
            "CREATE TABLE k (a integer NOT NULL, b integer NOT NULL, CONSTRAINT k_pk PRIMARY KEY (a));\n",
        ),
        (
            "composite",
            "CREATE TABLE k (a integer NOT NULL, b integer NOT NULL, CONSTRAINT k_pk PRIMARY KEY (a, b));\n",
        ),
    ]
    yield from _family("postgresql", "constraint.pk", "", pk)
    yield Pair(
        "constraint.pk.add_to_table",
        "postgresql",
        "CREATE TABLE k (a integer NOT NULL, b integer);\n",
        "CREATE TABLE k (a integer NOT NULL, b integer, PRIMARY KEY (a));\n",
    )
    yield Pair(
        "constraint.not_null.set",
        "postgresql",
        "CREATE TABLE k (a integer PRIMARY KEY, b integer);\n",
        "CREATE TABLE k (a integer PRIMARY KEY, b integer NOT NULL);\n",
    )
    yield Pair(
        "constraint.not_null.drop",
        "postgresql",
        "CREATE TABLE k (a integer PRIMARY KEY, b integer NOT NULL);\n",
        "CREATE TABLE k (a integer PRIMARY KEY, b integer);\n",
    )
    yield Pair(
        "constraint.long_names.add",
        "postgresql",
        "CREATE TABLE a_table_with_a_rather_long_name_that_goes_on_and_on_for_a_while (id integer PRIMARY KEY, a_column_with_an_equally_long_name_for_testing integer);\n",
        "CREATE TABLE a_table_with_a_rather_long_name_that_goes_on_and_on_for_a_while (id integer PRIMARY KEY, a_column_with_an_equally_long_name_for_testing integer CHECK (a_column_with_an_equally_long_name_for_testing > 0) UNIQUE);\n",
    )
    yield Pair(
        "constraint.two_checks_same_column.add",
        "postgresql",
        "CREATE TABLE k (a integer PRIMARY KEY, b integer);\n",
        "CREATE TABLE k (a integer PRIMARY KEY, b integer CHECK (b > 0) CHECK (b < 100));\n",
    )


def _pg_indexes() -> Iterator[Pair]:
    base = (
        PG_BASE
        + "CREATE TABLE docs (id bigint PRIMARY KEY, title text, body jsonb, created timestamptz, score integer, during tstzrange, name varchar(40));\n"
    )
    families: dict[str, list[tuple[str, str]]] = {
        "btree": [
            ("plain", "CREATE INDEX docs_title_idx ON docs (title);\n"),
            ("multi", "CREATE INDEX docs_title_idx ON docs (title, score);\n"),
        ],
        "unique": [
            ("plain", "CREATE UNIQUE INDEX docs_title_key ON docs (title);\n"),
            (
                "nulls_not_distinct",
                "CREATE UNIQUE INDEX docs_title_key ON docs (title) NULLS NOT DISTINCT;\n",
            ),
        ],
        "order": [
            ("desc", "CREATE INDEX docs_created_idx ON docs (created DESC);\n"),
            ("desc_nulls_last", "CREATE INDEX docs_created_idx ON docs (created DESC NULLS LAST);\n"),
            ("nulls_first", "CREATE INDEX docs_created_idx ON docs (created NULLS FIRST);\n"),
        ],
        "partial": [
            ("where", "CREATE INDEX docs_score_idx ON docs (score) WHERE score > 10;\n"),
            ("where2", "CREATE INDEX docs_score_idx ON docs (score) WHERE score > 20;\n"),
        ],
        "expression": [
            ("lower", "CREATE INDEX docs_lower_idx ON docs (lower(title));\n"),
            ("coalesce", "CREATE INDEX docs_lower_idx ON docs (coalesce(title, ''));\n"),
        ],
        "include": [
            ("one", "CREATE INDEX docs_score_inc ON docs (score) INCLUDE (title);\n"),
            ("two", "CREATE INDEX docs_score_inc ON docs (score) INCLUDE (title, created);\n"),
        ],
        "hash": [("plain", "CREATE INDEX docs_title_hash ON docs USING hash (title);\n")],
        "gin": [
            ("jsonb_ops", "CREATE INDEX docs_body_gin ON docs USING gin (body);\n"),
            ("path_ops", "CREATE INDEX docs_body_gin ON docs USING gin (body jsonb_path_ops);\n"),
        ],
        "gist": [("range", "CREATE INDEX docs_during_gist ON docs USING gist (during);\n")],
        "brin": [
            ("plain", "CREATE INDEX docs_created_brin ON docs USING brin (created);\n"),
            (
                "pages",
                "CREATE INDEX docs_created_brin ON docs USING brin (created) WITH (pages_per_range = 32);\n",
            ),
        ],
        "opclass": [
            ("text_pattern_ops", "CREATE INDEX docs_title_pat ON docs (title text_pattern_ops);\n"),
            ("varchar_pattern_ops", "CREATE INDEX docs_title_pat ON docs (name varchar_pattern_ops);\n"),
        ],
        "collate": [("c", 'CREATE INDEX docs_title_c ON docs (title COLLATE "C");\n')],
        "fillfactor": [
            ("70", "CREATE INDEX docs_score_ff ON docs (score) WITH (fillfactor = 70);\n"),
            ("90", "CREATE INDEX docs_score_ff ON docs (score) WITH (fillfactor = 90);\n"),
        ],
        "dedup": [("off", "CREATE INDEX docs_score_dd ON docs (score) WITH (deduplicate_items = off);\n")],
        "unnamed": [
            ("plain", "CREATE INDEX ON docs (score);\n"),
            ("two", "CREATE INDEX ON docs (score);\nCREATE INDEX ON docs (score, title);\n"),
        ],
    }
    for family, variants in families.items():
        yield from _family("postgresql", f"index.{family}", base, variants)
    yield Pair(
        "index.rename",
        "postgresql",
        base + "CREATE INDEX docs_a ON docs (score);\n",
        base + "CREATE INDEX docs_b ON docs (score);\n",
    )


def _pg_identity() -> Iterator[Pair]:
    variants = [
        ("serial", "CREATE TABLE s (id serial PRIMARY KEY, v text);\n"),
        ("bigserial", "CREATE TABLE s (id bigserial PRIMARY KEY, v text);\n"),
    ]
    yield from _family("postgresql", "identity.serial", "", variants)
    ident = [
        ("always", "CREATE TABLE s (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);\n"),
        ("by_default", "CREATE TABLE s (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);\n"),
        ("bigint", "CREATE TABLE s (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);\n"),
        (
            "options",
            "CREATE TABLE s (id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10) PRIMARY KEY, v text);\n",
        ),
    ]
    yield from _family("postgresql", "identity.identity", "", ident)
    yield Pair(
        "identity.add_to_column",
        "postgresql",
        "CREATE TABLE s (id integer NOT NULL PRIMARY KEY, v text);\n",
        "CREATE TABLE s (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);\n",
    )
    yield Pair(
        "identity.drop_from_column",
        "postgresql",
        "CREATE TABLE s (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);\n",
        "CREATE TABLE s (id integer NOT NULL PRIMARY KEY, v text);\n",
    )
    generated = [
        (
            "stored",
            "CREATE TABLE g (id integer PRIMARY KEY, price numeric(10,2), qty integer, total numeric GENERATED ALWAYS AS (price * qty) STORED);\n",
        ),
        (
            "stored2",
            "CREATE TABLE g (id integer PRIMARY KEY, price numeric(10,2), qty integer, total numeric GENERATED ALWAYS AS (price * qty * 2) STORED);\n",
        ),
    ]
    yield from _family("postgresql", "generated.numeric", "", generated)
    yield Pair(
        "generated.text.add_column",
        "postgresql",
        "CREATE TABLE g (id integer PRIMARY KEY, first text, last text);\n",
        "CREATE TABLE g (id integer PRIMARY KEY, first text, last text, full_name text GENERATED ALWAYS AS (first || ' ' || last) STORED);\n",
    )
    yield Pair(
        "generated.double.add_column",
        "postgresql",
        "CREATE TABLE g (id integer PRIMARY KEY, w double precision);\n",
        "CREATE TABLE g (id integer PRIMARY KEY, w double precision, w2 double precision GENERATED ALWAYS AS (w * 2) STORED);\n",
    )


def _pg_views() -> Iterator[Pair]:
    base = PG_BASE
    v1 = "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 0;\n"
    v1b = "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 10;\n"
    v2 = "CREATE VIEW active_emails AS SELECT email FROM active_users;\n"
    yield from _family("postgresql", "view.simple", base, [("v1", v1), ("v1b", v1b)])
    yield from _family("postgresql", "view.dependent", base, [("v1v2", v1 + v2)])
    yield Pair("view.dependent.change_base", "postgresql", base + v1 + v2, base + v1b + v2)
    yield from _family(
        "postgresql",
        "view.columns",
        base,
        [
            ("list", "CREATE VIEW u2 (uid, mail) AS SELECT id, email FROM users;\n"),
            ("added", "CREATE VIEW u2 (uid, mail, n) AS SELECT id, email, 1 FROM users;\n"),
        ],
    )
    yield from _family(
        "postgresql",
        "view.options",
        base,
        [
            (
                "security_barrier",
                "CREATE VIEW u3 WITH (security_barrier) AS SELECT id FROM users WHERE id > 0;\n",
            ),
            (
                "check_option",
                "CREATE VIEW u3 AS SELECT id, email FROM users WHERE id > 0 WITH CASCADED CHECK OPTION;\n",
            ),
        ],
    )
    mv = "CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n FROM users;\n"
    yield from _family(
        "postgresql",
        "matview.plain",
        base,
        [
            ("mv", mv),
            (
                "mv2",
                "CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n, max(id) AS top FROM users;\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "matview.index",
        base + mv,
        [("idx", "CREATE UNIQUE INDEX user_counts_n ON user_counts (n);\n")],
    )
    yield Pair(
        "matview.vs_view",
        "postgresql",
        base + "CREATE VIEW user_counts AS SELECT count(*) AS n FROM users;\n",
        base + mv,
    )


def _pg_objects() -> Iterator[Pair]:
    base = PG_BASE
    yield from _family(
        "postgresql",
        "sequence.plain",
        base,
        [
            ("plain", "CREATE SEQUENCE invoice_no;\n"),
            ("as_int", "CREATE SEQUENCE invoice_no AS integer;\n"),
            ("start", "CREATE SEQUENCE invoice_no AS integer START WITH 1000 INCREMENT BY 5;\n"),
            ("cycle", "CREATE SEQUENCE invoice_no AS smallint MINVALUE 1 MAXVALUE 999 CYCLE;\n"),
        ],
    )
    yield from _family(
        "postgresql",
        "sequence.owned",
        base,
        [
            ("owned", "CREATE SEQUENCE users_seq OWNED BY users.id;\n"),
            (
                "default",
                "CREATE SEQUENCE users_seq OWNED BY users.id;\nALTER TABLE users ALTER COLUMN id SET DEFAULT nextval('users_seq');\n",
            ),
        ],
    )
    fn1 = "CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$;\n"
    fn2 = "CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 2 $$;\n"
    yield from _family("postgresql", "function.sql", base, [("v1", fn1), ("v2", fn2)])
    yield from _family(
        "postgresql",
        "function.plpgsql",
        base,
        [
            (
                "v1",
                "CREATE FUNCTION user_count() RETURNS bigint LANGUAGE plpgsql STABLE AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM users);\nEND\n$$;\n",
            ),
            (
                "secdef",
                "CREATE FUNCTION user_count() RETURNS bigint LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM users);\nEND\n$$;\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "function.overload",
        base + fn1,
        [("text", "CREATE FUNCTION add_one(t text) RETURNS text LANGUAGE sql AS $$ SELECT t || '1' $$;\n")],
    )
    yield from _family(
        "postgresql",
        "procedure.plain",
        base,
        [
            (
                "v1",
                "CREATE PROCEDURE purge(keep bigint) LANGUAGE sql AS $$ DELETE FROM users WHERE id > keep $$;\n",
            ),
            (
                "v2",
                "CREATE PROCEDURE purge(keep bigint) LANGUAGE sql AS $$ DELETE FROM users WHERE id >= keep $$;\n",
            ),
        ],
    )
    trig_fn = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.email := lower(NEW.email);\n  RETURN NEW;\nEND\n$$;\n"
    yield from _family(
        "postgresql",
        "trigger.row",
        base + trig_fn,
        [
            (
                "before_insert",
                "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();\n",
            ),
            (
                "before_insert_update",
                "CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE OF email ON users FOR EACH ROW EXECUTE FUNCTION touch();\n",
            ),
            (
                "when",
                "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email) EXECUTE FUNCTION touch();\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "trigger.with_function",
        base,
        [
            (
                "both",
                trig_fn
                + "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();\n",
            )
        ],
    )
    yield from _family(
        "postgresql",
        "domain.plain",
        base,
        [
            ("check", "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);\n"),
            ("named_check", "CREATE DOMAIN posint AS integer CONSTRAINT posint_check CHECK (VALUE >= 0);\n"),
            ("not_null", "CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CHECK (VALUE >= 0);\n"),
        ],
    )
    yield from _family(
        "postgresql",
        "domain.used",
        base,
        [
            (
                "column",
                "CREATE DOMAIN email_t AS text CHECK (VALUE LIKE '%@%');\nCREATE TABLE contacts (id integer PRIMARY KEY, mail email_t);\n",
            )
        ],
    )
    yield from _family(
        "postgresql",
        "enum.unused",
        base,
        [
            ("ab", "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"),
            ("abc", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"),
            ("xbc", "CREATE TYPE mood AS ENUM ('blue', 'sad', 'ok', 'happy');\n"),
        ],
    )
    used = "CREATE TABLE person (id integer PRIMARY KEY, m mood);\n"
    yield from _family(
        "postgresql",
        "enum.used",
        base,
        [
            ("ab", "CREATE TYPE mood AS ENUM ('sad', 'ok');\n" + used),
            ("abc", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n" + used),
            ("insert_before", "CREATE TYPE mood AS ENUM ('sad', 'meh', 'ok', 'happy');\n" + used),
        ],
    )
    yield from _family(
        "postgresql", "type.composite", base, [("ab", "CREATE TYPE pair AS (a integer, b text);\n")]
    )
    yield from _family(
        "postgresql",
        "type.range",
        base,
        [("floatrange", "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);\n")],
    )
    comments = [
        ("table", "COMMENT ON TABLE users IS 'people who log in';\n"),
        ("table2", "COMMENT ON TABLE users IS 'people who sign in';\n"),
    ]
    yield from _family("postgresql", "comment.table", base, comments)
    yield from _family(
        "postgresql",
        "comment.column",
        base,
        [
            ("c1", "COMMENT ON COLUMN users.email IS 'lower case';\n"),
            ("c2", "COMMENT ON COLUMN users.email IS 'lower-case e-mail';\n"),
        ],
    )
    yield from _family(
        "postgresql",
        "comment.index",
        base + "CREATE INDEX users_email_idx ON users (email);\n",
        [("c1", "COMMENT ON INDEX users_email_idx IS 'login lookups';\n")],
    )
    yield from _family(
        "postgresql",
        "comment.view",
        base + "CREATE VIEW v AS SELECT id FROM users;\n",
        [("c1", "COMMENT ON VIEW v IS 'ids';\n")],
    )
    yield from _family(
        "postgresql",
        "comment.function",
        base + fn1,
        [("c1", "COMMENT ON FUNCTION add_one(integer) IS 'adds one';\n")],
    )
    yield from _family(
        "postgresql",
        "comment.constraint",
        base + "ALTER TABLE users ADD CONSTRAINT email_at CHECK (email LIKE '%@%');\n",
        [("c1", "COMMENT ON CONSTRAINT email_at ON users IS 'an address';\n")],
    )
    yield from _family(
        "postgresql",
        "comment.schema",
        base,
        [("c1", "CREATE SCHEMA app;\nCOMMENT ON SCHEMA app IS 'the application';\n")],
    )
    yield from _family(
        "postgresql", "comment.quote", base, [("c1", "COMMENT ON TABLE users IS 'it''s \\ here';\n")]
    )
    r, w = ROLES
    yield from _family(
        "postgresql",
        "grant.table",
        base,
        [
            ("select", f"GRANT SELECT ON users TO {r};\n"),
            ("select_insert", f"GRANT SELECT, INSERT ON users TO {r};\n"),
            ("grant_option", f"GRANT SELECT ON users TO {r} WITH GRANT OPTION;\n"),
        ],
    )
    yield from _family(
        "postgresql", "grant.column", base, [("update", f"GRANT UPDATE (email) ON users TO {w};\n")]
    )
    yield from _family(
        "postgresql",
        "grant.schema",
        base,
        [("usage", f"CREATE SCHEMA app;\nGRANT USAGE ON SCHEMA app TO {r};\n")],
    )
    yield from _family(
        "postgresql",
        "grant.function",
        base + fn1,
        [
            ("revoke_public", "REVOKE EXECUTE ON FUNCTION add_one(integer) FROM PUBLIC;\n"),
            (
                "to_role",
                f"REVOKE EXECUTE ON FUNCTION add_one(integer) FROM PUBLIC;\nGRANT EXECUTE ON FUNCTION add_one(integer) TO {w};\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "grant.sequence",
        base + "CREATE SEQUENCE seq1;\n",
        [("usage", f"GRANT USAGE ON SEQUENCE seq1 TO {w};\n")],
    )
    yield from _family(
        "postgresql",
        "grant.default_privileges",
        base,
        [("select", f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {r};\n")],
    )
    yield from _family(
        "postgresql",
        "rls.policy",
        base,
        [
            ("enable", "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\n"),
            (
                "policy",
                "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON users FOR SELECT USING (email = current_user);\n",
            ),
            (
                "policy_role",
                f"ALTER TABLE users ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON users FOR SELECT TO {r} USING (email = current_user);\n",
            ),
            (
                "policy_insert",
                f"ALTER TABLE users ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON users FOR INSERT TO {r} WITH CHECK (id > 0);\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "rls.force",
        base,
        [
            (
                "force",
                "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\nALTER TABLE users FORCE ROW LEVEL SECURITY;\n",
            )
        ],
    )
    yield from _family(
        "postgresql",
        "extension.citext",
        base,
        [
            ("plain", "CREATE EXTENSION citext;\n"),
            (
                "used",
                "CREATE EXTENSION citext;\nCREATE TABLE tags (id integer PRIMARY KEY, name citext UNIQUE);\n",
            ),
        ],
    )
    yield from _family("postgresql", "extension.pgcrypto", base, [("plain", "CREATE EXTENSION pgcrypto;\n")])
    yield from _family(
        "postgresql",
        "extension.btree_gist",
        base,
        [
            (
                "exclude",
                "CREATE EXTENSION btree_gist;\nCREATE TABLE room (id integer PRIMARY KEY, room integer, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));\n",
            )
        ],
    )
    yield from _family(
        "postgresql",
        "extension.pg_trgm",
        base,
        [
            (
                "index",
                "CREATE EXTENSION pg_trgm;\nCREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops);\n",
            )
        ],
    )
    yield from _family(
        "postgresql",
        "extension.hstore",
        base,
        [("column", "CREATE EXTENSION hstore;\nCREATE TABLE attrs (id integer PRIMARY KEY, kv hstore);\n")],
    )
    yield from _family(
        "postgresql",
        "collation.create",
        base,
        [
            (
                "icu",
                "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n",
            ),
            (
                "used",
                "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\nCREATE TABLE names (id integer PRIMARY KEY, n text COLLATE ci);\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "collation.column",
        "",
        [
            ("default", "CREATE TABLE names (id integer PRIMARY KEY, n text);\n"),
            ("c", 'CREATE TABLE names (id integer PRIMARY KEY, n text COLLATE "C");\n'),
            ("posix", 'CREATE TABLE names (id integer PRIMARY KEY, n text COLLATE "POSIX");\n'),
        ],
        same=False,
    )


def _pg_schemas_and_names() -> Iterator[Pair]:
    base = PG_BASE
    yield from _family("postgresql", "schema.create", base, [("app", "CREATE SCHEMA app;\n")])
    yield from _family(
        "postgresql",
        "schema.table",
        base,
        [
            ("test", "CREATE SCHEMA test;\nCREATE TABLE test.items (id integer PRIMARY KEY, name text);\n"),
            (
                "test2",
                "CREATE SCHEMA test;\nCREATE TABLE test.items (id integer PRIMARY KEY, name text, n integer);\n",
            ),
        ],
    )
    yield from _family(
        "postgresql",
        "schema.same_name",
        base,
        [("two", "CREATE SCHEMA test;\nCREATE TABLE test.users (id integer PRIMARY KEY);\n")],
    )
    yield from _family(
        "postgresql",
        "schema.view",
        base,
        [("app", "CREATE SCHEMA app;\nCREATE VIEW app.user_ids AS SELECT id FROM public.users;\n")],
    )
    yield from _family(
        "postgresql",
        "schema.index_fk",
        "",
        [
            (
                "app",
                "CREATE SCHEMA app;\nCREATE TABLE app.a (id integer PRIMARY KEY);\nCREATE TABLE app.b (id integer PRIMARY KEY, a_id integer REFERENCES app.a);\nCREATE INDEX b_a ON app.b (a_id);\n",
            )
        ],
    )
    yield Pair(
        "schema.move",
        "postgresql",
        "CREATE SCHEMA app;\nCREATE TABLE items (id integer PRIMARY KEY);\n",
        "CREATE SCHEMA app;\nCREATE TABLE app.items (id integer PRIMARY KEY);\n",
    )
    quoted = [
        ("both", 'CREATE TABLE people (id integer PRIMARY KEY, "Name" text, name text);\n'),
        ("upper_only", 'CREATE TABLE people (id integer PRIMARY KEY, "Name" text);\n'),
    ]
    yield from _family("postgresql", "quoted.columns", "", quoted)
    yield from _family(
        "postgresql",
        "quoted.table",
        "",
        [
            (
                "mixed",
                'CREATE TABLE "Users" (id integer PRIMARY KEY);\nCREATE TABLE users (id integer PRIMARY KEY);\n',
            )
        ],
    )
    yield from _family(
        "postgresql",
        "quoted.index",
        "",
        [
            (
                "mixed",
                'CREATE TABLE "T" ("Col" integer PRIMARY KEY, "x y" text);\nCREATE INDEX "T_x y_idx" ON "T" ("x y");\n',
            )
        ],
    )
    yield Pair(
        "quoted.rename_column",
        "postgresql",
        'CREATE TABLE users (id integer PRIMARY KEY, "OldName" text);\n',
        'CREATE TABLE users (id integer PRIMARY KEY, "NewName" text);\n',
        renames={"users.OldName": "NewName"},
        allow_data_loss=False,
    )
    yield Pair(
        "rename.column",
        "postgresql",
        "CREATE TABLE users (id integer PRIMARY KEY, fullname text);\n",
        "CREATE TABLE users (id integer PRIMARY KEY, full_name text);\n",
        renames={"users.fullname": "full_name"},
        allow_data_loss=False,
    )
    yield Pair(
        "rename.table",
        "postgresql",
        "CREATE TABLE person (id integer PRIMARY KEY, name text);\n",
        "CREATE TABLE people (id integer PRIMARY KEY, name text);\n",
        renames={"person": "people"},
        allow_data_loss=False,
    )
    reserved = [
        ("key", "CREATE TABLE settings (id integer PRIMARY KEY, key text NOT NULL, value text);\n"),
        (
            "key_unique",
            "CREATE TABLE settings (id integer PRIMARY KEY, key text NOT NULL UNIQUE, value text);\n",
        ),
    ]
    yield from _family("postgresql", "reserved.key", "", reserved)
    yield from _family(
        "postgresql",
        "reserved.user_order",
        "",
        [("quoted", 'CREATE TABLE "user" (id integer PRIMARY KEY, "order" integer, "group" text);\n')],
    )


def _pg_tables() -> Iterator[Pair]:
    rng = (
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
    )
    more = "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"
    yield from _family("postgresql", "partition.range", "", [("one", rng), ("two", rng + more)])
    yield from _family(
        "postgresql",
        "partition.default",
        rng,
        [("default", "CREATE TABLE events_other PARTITION OF events DEFAULT;\n")],
    )
    yield from _family(
        "postgresql", "partition.index", rng, [("parent", "CREATE INDEX events_v ON events (v);\n")]
    )
    yield from _family(
        "postgresql",
        "partition.index_on_partition",
        rng,
        [("child", "CREATE INDEX events_2025_v ON events_2025 (v);\n")],
    )
    yield from _family(
        "postgresql",
        "partition.list",
        "",
        [
            (
                "list",
                "CREATE TABLE regions (id integer NOT NULL, r text NOT NULL) PARTITION BY LIST (r);\nCREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('eu', 'uk');\n",
            )
        ],
    )
    yield from _family(
        "postgresql",
        "partition.hash",
        "",
        [
            (
                "hash",
                "CREATE TABLE shards (id integer NOT NULL) PARTITION BY HASH (id);\nCREATE TABLE shards_0 PARTITION OF shards FOR VALUES WITH (MODULUS 2, REMAINDER 0);\nCREATE TABLE shards_1 PARTITION OF shards FOR VALUES WITH (MODULUS 2, REMAINDER 1);\n",
            )
        ],
    )
    yield Pair(
        "partition.convert",
        "postgresql",
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at));\n",
        rng,
    )
    base = "CREATE TABLE t (id integer PRIMARY KEY, v text);\n"
    yield from _family(
        "postgresql",
        "table.unlogged",
        "",
        [("unlogged", "CREATE UNLOGGED TABLE t (id integer PRIMARY KEY, v text);\n")],
    )
    yield Pair(
        "table.unlogged.set",
        "postgresql",
        base,
        "CREATE UNLOGGED TABLE t (id integer PRIMARY KEY, v text);\n",
    )
    yield from _family(
        "postgresql",
        "table.fillfactor",
        "",
        [
            ("70", "CREATE TABLE t (id integer PRIMARY KEY, v text) WITH (fillfactor = 70);\n"),
            ("90", "CREATE TABLE t (id integer PRIMARY KEY, v text) WITH (fillfactor = 90);\n"),
        ],
    )
    yield Pair(
        "table.fillfactor.set",
        "postgresql",
        base,
        "CREATE TABLE t (id integer PRIMARY KEY, v text) WITH (fillfactor = 70);\n",
    )
    yield Pair(
        "table.storage.set", "postgresql", base, base + "ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL;\n"
    )
    yield Pair(
        "table.statistics.set",
        "postgresql",
        base,
        base + "ALTER TABLE t ALTER COLUMN v SET STATISTICS 500;\n",
    )
    yield Pair(
        "table.replica_identity.set", "postgresql", base, base + "ALTER TABLE t REPLICA IDENTITY FULL;\n"
    )
    yield from _family(
        "postgresql", "table.inherits", base, [("child", "CREATE TABLE t2 (extra integer) INHERITS (t);\n")]
    )
    yield from _family(
        "postgresql",
        "table.column_order",
        "",
        [
            ("abc", "CREATE TABLE t (a integer, b integer, c integer);\n"),
            ("acb", "CREATE TABLE t (a integer, c integer, b integer);\n"),
        ],
        same=False,
    )
    yield from _family(
        "postgresql", "table.no_pk", "", [("plain", "CREATE TABLE log (at timestamptz, line text);\n")]
    )
    yield from _family(
        "postgresql",
        "table.many",
        "",
        [
            (
                "three",
                "CREATE TABLE a (id integer PRIMARY KEY);\nCREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a);\nCREATE TABLE c (id integer PRIMARY KEY, b_id integer REFERENCES b);\n",
            )
        ],
    )


def pg_pairs() -> list[Pair]:
    out: list[Pair] = []
    for gen in (
        _pg_types,
        _pg_defaults,
        _pg_constraints,
        _pg_indexes,
        _pg_identity,
        _pg_views,
        _pg_objects,
        _pg_schemas_and_names,
        _pg_tables,
    ):
        out.extend(gen())
    return out


# -------------------------------------------------------------------------------------------------
# MariaDB 10.11

MY_BASE = "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, email varchar(200) NOT NULL) ENGINE=InnoDB;\n"

MY_TYPES = (
    "tinyint", "tinyint(1)", "tinyint unsigned", "smallint", "smallint unsigned", "mediumint", "int",
    "int unsigned", "int(5) zerofill", "bigint", "bigint unsigned", "decimal(10,2)", "decimal(10,2) unsigned",
    "float", "double", "bit(1)", "bit(8)", "boolean", "char(10)", "varchar(255)", "tinytext", "text",
    "mediumtext", "longtext", "binary(16)", "varbinary(64)", "tinyblob", "blob", "mediumblob", "longblob",
    "date", "time", "time(3)", "datetime", "datetime(6)", "timestamp NULL", "timestamp(3) NULL", "year",
    "enum('a','b','c')", "set('x','y')", "json", "inet6", "uuid", "varchar(20) CHARACTER SET latin1",
    "varchar(20) COLLATE utf8mb4_bin", "text CHARACTER SET ascii", "char(3) CHARACTER SET utf8mb3",
    "geometry", "point", "inet4", "polygon", "linestring",
)  # fmt: skip

MY_TYPE_CHANGES = (
    ("int", "bigint"), ("int", "int unsigned"), ("int unsigned", "bigint unsigned"), ("bigint unsigned", "bigint"),
    ("tinyint(1)", "tinyint"), ("tinyint", "smallint"), ("varchar(20)", "varchar(50)"), ("varchar(50)", "varchar(20)"),
    ("varchar(255)", "text"), ("text", "mediumtext"), ("mediumtext", "longtext"), ("text", "varchar(100)"),
    ("datetime", "datetime(6)"), ("datetime(6)", "datetime"), ("timestamp NULL", "datetime"), ("time", "time(3)"),
    ("decimal(10,2)", "decimal(12,2)"), ("float", "double"), ("year", "smallint"), ("char(10)", "varchar(10)"),
    ("enum('a','b')", "enum('a','b','c')"), ("enum('a','b','c')", "enum('a','b')"), ("set('x')", "set('x','y')"),
    ("varchar(20) CHARACTER SET latin1", "varchar(20)"), ("varchar(20)", "varchar(20) COLLATE utf8mb4_bin"),
    ("binary(16)", "varbinary(16)"), ("blob", "mediumblob"), ("bit(8)", "bit(16)"), ("date", "datetime"),
    ("json", "longtext"),
)  # fmt: skip

MY_DEFAULTS = (
    ("int", "0"), ("int", "-1"), ("int unsigned", "7"), ("varchar(10)", "'x'"), ("varchar(10)", "''"),
    ("varchar(10)", "'it''s'"), ("tinyint(1)", "1"), ("datetime", "CURRENT_TIMESTAMP"),
    ("datetime(6)", "CURRENT_TIMESTAMP(6)"), ("timestamp", "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
    ("datetime", "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), ("timestamp(3)", "CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)"),
    ("date", "'2020-01-01'"), ("date", "(curdate())"), ("time", "'12:00:00'"), ("decimal(10,2)", "0.00"),
    ("bit(8)", "b'101'"), ("char(36)", "(uuid())"), ("text", "('abc')"), ("int", "(1 + 2)"), ("float", "1.5"),
    ("enum('a','b')", "'b'"), ("year", "2020"), ("json", "('{}')"), ("double", "(rand())"),
)  # fmt: skip


def _my_types() -> Iterator[Pair]:
    for t in MY_TYPES:
        slug = t.replace(" ", "_")
        col = f"CREATE TABLE t (id int NOT NULL PRIMARY KEY, c {t});\n"
        yield Pair(f"type.{slug}.create", "mariadb", MY_BASE, MY_BASE + col)
        yield Pair(f"type.{slug}.same", "mariadb", MY_BASE + col, MY_BASE + col)
        yield Pair(
            f"type.{slug}.add_column", "mariadb", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n", col
        )
    for a, b in MY_TYPE_CHANGES:
        yield Pair(
            f"type_change.{a}-{b}".replace(" ", "_"),
            "mariadb",
            f"CREATE TABLE t (id int NOT NULL PRIMARY KEY, c {a});\n",
            f"CREATE TABLE t (id int NOT NULL PRIMARY KEY, c {b});\n",
        )


def _my_defaults() -> Iterator[Pair]:
    for i, (t, d) in enumerate(MY_DEFAULTS):
        plain = f"CREATE TABLE t (id int NOT NULL PRIMARY KEY, c {t});\n"
        with_default = f"CREATE TABLE t (id int NOT NULL PRIMARY KEY, c {t} DEFAULT {d});\n"
        yield Pair(
            f"default.{i:02d}.add_column",
            "mariadb",
            "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n",
            with_default,
        )
        yield Pair(f"default.{i:02d}.set", "mariadb", plain, with_default)
        yield Pair(f"default.{i:02d}.same", "mariadb", with_default, with_default)


def _my_rest() -> Iterator[Pair]:
    orders = "CREATE TABLE orders (id bigint NOT NULL PRIMARY KEY, user_id bigint, price decimal(10,2), qty int, code varchar(20)"
    base = MY_BASE
    end = ") ENGINE=InnoDB;\n"
    constraints: dict[str, list[tuple[str, str]]] = {
        "check": [
            ("unnamed", ", CHECK (price > 0)"),
            ("named", ", CONSTRAINT price_positive CHECK (price > 0)"),
            ("named_wider", ", CONSTRAINT price_positive CHECK (price >= 0)"),
        ],
        "check_column": [("inline", " CHECK (qty > 0)")],
        "unique": [
            ("unnamed", ", UNIQUE (code)"),
            ("named", ", UNIQUE KEY orders_code (code)"),
            ("multi", ", UNIQUE KEY orders_code (user_id, code)"),
        ],
        "fk": [
            ("unnamed", ", FOREIGN KEY (user_id) REFERENCES users (id)"),
            ("named", ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"),
            (
                "cascade",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
            ),
            (
                "set_null",
                ", CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE",
            ),
        ],
        "fk_two_unnamed": [
            (
                "two",
                ", user2 bigint, FOREIGN KEY (user_id) REFERENCES users (id), FOREIGN KEY (user2) REFERENCES users (id)",
            )
        ],
        "index": [
            ("plain", ", KEY orders_code_idx (code)"),
            ("prefix", ", KEY orders_code_idx (code(5))"),
            ("desc", ", KEY orders_code_idx (code DESC)"),
            ("multi", ", KEY orders_code_idx (code, qty)"),
            ("comment", ", KEY orders_code_idx (code) COMMENT 'lookup'"),
        ],
        "index_unnamed": [("plain", ", INDEX (code)"), ("two", ", INDEX (code), INDEX (qty)")],
        "fulltext": [("plain", ", FULLTEXT KEY orders_code_ft (code)")],
        "index_ignored": [("ignored", ", KEY orders_code_idx (code) IGNORED")],
    }
    for family, variants in constraints.items():
        yield from _family(
            "mariadb",
            f"constraint.{family}",
            "",
            [(lb, base + orders + v + end) for lb, v in variants],
            without=base + orders + end,
        )
    pk = [
        ("single", "CREATE TABLE k (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a));\n"),
        ("composite", "CREATE TABLE k (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b));\n"),
    ]
    yield from _family("mariadb", "constraint.pk", "", pk)
    yield Pair(
        "constraint.not_null.set",
        "mariadb",
        "CREATE TABLE k (a int NOT NULL PRIMARY KEY, b int);\n",
        "CREATE TABLE k (a int NOT NULL PRIMARY KEY, b int NOT NULL);\n",
    )
    yield Pair(
        "constraint.not_null.drop",
        "mariadb",
        "CREATE TABLE k (a int NOT NULL PRIMARY KEY, b int NOT NULL);\n",
        "CREATE TABLE k (a int NOT NULL PRIMARY KEY, b int);\n",
    )
    yield from _family(
        "mariadb",
        "identity.auto_increment",
        "",
        [
            ("int", "CREATE TABLE s (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, v text);\n"),
            (
                "bigint_unsigned",
                "CREATE TABLE s (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, v text);\n",
            ),
        ],
    )
    yield Pair(
        "identity.add_auto_increment",
        "mariadb",
        "CREATE TABLE s (id int NOT NULL PRIMARY KEY, v text);\n",
        "CREATE TABLE s (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, v text);\n",
    )
    yield from _family(
        "mariadb",
        "generated.column",
        "",
        [
            (
                "virtual",
                "CREATE TABLE g (id int NOT NULL PRIMARY KEY, price decimal(10,2), qty int, total decimal(12,2) AS (price * qty) VIRTUAL);\n",
            ),
            (
                "persistent",
                "CREATE TABLE g (id int NOT NULL PRIMARY KEY, price decimal(10,2), qty int, total decimal(12,2) AS (price * qty) PERSISTENT);\n",
            ),
            (
                "expr2",
                "CREATE TABLE g (id int NOT NULL PRIMARY KEY, price decimal(10,2), qty int, total decimal(12,2) AS (price * qty * 2) PERSISTENT);\n",
            ),
        ],
    )
    yield from _family(
        "mariadb",
        "column.invisible",
        "",
        [("invisible", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, secret int INVISIBLE);\n")],
    )
    yield from _family(
        "mariadb",
        "comment.column",
        "",
        [
            ("c1", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int COMMENT 'the value');\n"),
            ("c2", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int COMMENT 'the value''s');\n"),
        ],
    )
    yield from _family(
        "mariadb",
        "comment.table",
        "",
        [
            ("c1", "CREATE TABLE t (id int NOT NULL PRIMARY KEY) COMMENT 'things';\n"),
            ("c2", "CREATE TABLE t (id int NOT NULL PRIMARY KEY) COMMENT 'other things';\n"),
        ],
    )
    yield from _family(
        "mariadb",
        "table.options",
        "",
        [
            (
                "charset",
                "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v varchar(10)) DEFAULT CHARSET=latin1;\n",
            ),
            (
                "collate",
                "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v varchar(10)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n",
            ),
            (
                "row_format",
                "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v varchar(10)) ROW_FORMAT=COMPRESSED;\n",
            ),
        ],
    )
    yield from _family(
        "mariadb",
        "table.engine",
        "",
        [("aria", "CREATE TABLE t (id int NOT NULL PRIMARY KEY) ENGINE=Aria;\n")],
    )
    yield from _family(
        "mariadb",
        "table.column_order",
        "",
        [
            ("abc", "CREATE TABLE t (a int, b int, c int);\n"),
            ("acb", "CREATE TABLE t (a int, c int, b int);\n"),
        ],
        same=False,
    )
    v1 = "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 0;\n"
    v1b = "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 10;\n"
    v2 = "CREATE VIEW active_emails AS SELECT email FROM active_users;\n"
    yield from _family("mariadb", "view.simple", base, [("v1", v1), ("v1b", v1b)])
    yield from _family("mariadb", "view.dependent", base, [("v1v2", v1 + v2)])
    yield Pair("view.dependent.change_base", "mariadb", base + v1 + v2, base + v1b + v2)
    yield from _family(
        "mariadb",
        "view.check_option",
        base,
        [
            (
                "cascaded",
                "CREATE VIEW u3 AS SELECT id, email FROM users WHERE id > 0 WITH CASCADED CHECK OPTION;\n",
            )
        ],
    )
    yield from _family(
        "mariadb",
        "sequence.plain",
        base,
        [
            ("plain", "CREATE SEQUENCE invoice_no;\n"),
            ("start", "CREATE SEQUENCE invoice_no START WITH 1000 INCREMENT BY 5;\n"),
        ],
    )
    yield from _family(
        "mariadb",
        "procedure.plain",
        base,
        [
            (
                "v1",
                "DELIMITER //\nCREATE PROCEDURE purge_users(keep bigint) BEGIN DELETE FROM users WHERE id > keep; END //\nDELIMITER ;\n",
            ),
            (
                "v2",
                "DELIMITER ;;\nCREATE PROCEDURE purge_users(keep bigint) BEGIN DELETE FROM users WHERE id >= keep; SELECT ROW_COUNT(); END ;;\nDELIMITER ;\n",
            ),
        ],
    )
    yield from _family(
        "mariadb",
        "function.plain",
        base,
        [
            ("v1", "CREATE FUNCTION add_one(i int) RETURNS int DETERMINISTIC RETURN i + 1;\n"),
            ("v2", "CREATE FUNCTION add_one(i int) RETURNS int DETERMINISTIC RETURN i + 2;\n"),
        ],
    )
    yield from _family(
        "mariadb",
        "trigger.row",
        base,
        [
            (
                "before_insert",
                "CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = lower(NEW.email);\n",
            ),
            (
                "compound",
                "DELIMITER //\nCREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW BEGIN\n  SET NEW.email = lower(NEW.email);\n  SET NEW.email = trim(NEW.email);\nEND //\nDELIMITER ;\n",
            ),
            (
                "before_update",
                "CREATE TRIGGER users_lower BEFORE UPDATE ON users FOR EACH ROW SET NEW.email = lower(NEW.email);\n",
            ),
        ],
    )
    yield from _family(
        "mariadb",
        "event.plain",
        base,
        [
            (
                "daily",
                "CREATE EVENT purge_daily ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM users WHERE id < 0;\n",
            )
        ],
    )
    r, w = ROLES
    yield from _family(
        "mariadb",
        "grant.table",
        base,
        [
            ("select", f"GRANT SELECT ON users TO '{r}'@'%';\n"),
            ("select_insert", f"GRANT SELECT, INSERT ON users TO '{r}'@'%';\n"),
        ],
    )
    yield from _family(
        "mariadb", "grant.column", base, [("update", f"GRANT UPDATE (email) ON users TO '{w}'@'%';\n")]
    )
    rng = "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE COLUMNS (at) (PARTITION p2025 VALUES LESS THAN ('2026-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE));\n"
    rng2 = "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE COLUMNS (at) (PARTITION p2025 VALUES LESS THAN ('2026-01-01'), PARTITION p2026 VALUES LESS THAN ('2027-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE));\n"
    yield from _family("mariadb", "partition.range", "", [("one", rng), ("two", rng2)])
    yield from _family(
        "mariadb",
        "partition.hash",
        "",
        [
            (
                "hash",
                "CREATE TABLE shards (id int NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 4;\n",
            )
        ],
    )
    yield from _family(
        "mariadb",
        "partition.list",
        "",
        [
            (
                "list",
                "CREATE TABLE regions (id int NOT NULL, r int NOT NULL, PRIMARY KEY (id, r)) PARTITION BY LIST (r) (PARTITION p1 VALUES IN (1, 2), PARTITION p2 VALUES IN (3));\n",
            )
        ],
    )
    yield Pair(
        "partition.convert",
        "mariadb",
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at));\n",
        rng,
    )
    yield from _family(
        "mariadb",
        "quoted.reserved",
        "",
        [
            (
                "key",
                "CREATE TABLE `settings` (id int NOT NULL PRIMARY KEY, `key` varchar(40) NOT NULL, `value` text, `order` int);\n",
            )
        ],
    )
    yield Pair(
        "rename.column",
        "mariadb",
        "CREATE TABLE users (id int NOT NULL PRIMARY KEY, fullname text);\n",
        "CREATE TABLE users (id int NOT NULL PRIMARY KEY, full_name text);\n",
        renames={"users.fullname": "full_name"},
        allow_data_loss=False,
    )
    yield Pair(
        "rename.table",
        "mariadb",
        "CREATE TABLE person (id int NOT NULL PRIMARY KEY, name text);\n",
        "CREATE TABLE people (id int NOT NULL PRIMARY KEY, name text);\n",
        renames={"person": "people"},
        allow_data_loss=False,
    )
    yield from _family(
        "mariadb",
        "table.many",
        "",
        [
            (
                "three",
                "CREATE TABLE a (id int NOT NULL PRIMARY KEY);\nCREATE TABLE b (id int NOT NULL PRIMARY KEY, a_id int, FOREIGN KEY (a_id) REFERENCES a (id));\nCREATE TABLE c (id int NOT NULL PRIMARY KEY, b_id int, FOREIGN KEY (b_id) REFERENCES b (id));\n",
            )
        ],
    )


def mariadb_pairs() -> list[Pair]:
    out: list[Pair] = []
    for gen in (_my_types, _my_defaults, _my_rest):
        out.extend(gen())
    return out


def all_pairs(engine: str) -> list[Pair]:
    """Every pair for ``engine`` ('postgresql' or 'mariadb'); names are unique per engine."""
    pairs = pg_pairs() if engine == "postgresql" else mariadb_pairs()
    names = [p.name for p in pairs]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate pair names: {dup}")
    return pairs
