"""DDL text in each dialect -> catalog facts, and DDL errors that name the file, line and dialect.

Each case is DDL in, a few expected facts out. :func:`facts` flattens a catalog into
``"table.column.type" -> "decimal(12,2)"`` style entries, so a case lists only the facts it is about.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect.errors import SqlError
from dbarchitect.ingest.ddl import load_ddl, load_ddl_file, split_statements
from dbarchitect.model.catalog import Catalog, Default, Index
from dbarchitect.model.names import EngineName

PG, MY, MARIA, LITE = EngineName.POSTGRESQL, EngineName.MYSQL, EngineName.MARIADB, EngineName.SQLITE


def _default(d: Default | None) -> str | None:
    if d is None:
        return None
    return d.kind.value if d.value is None else f"{d.kind.value}:{d.value}"


def _index(ix: Index) -> str:
    keys = ", ".join(
        (k.column.value if k.column else f"({k.expression})") + (" DESC" if k.descending else "")
        for k in ix.keys
    )
    text = ("unique " if ix.unique else "") + f"({keys})"
    text += f" include({', '.join(c.value for c in ix.include)})" if ix.include else ""
    text += f" where {ix.where}" if ix.where else ""
    text += f" using {ix.method}" if ix.method else ""
    return text


def facts(catalog: Catalog) -> dict[str, object]:
    """Every fact of the catalog as ``path -> text``; quoted names keep their case, others are lowered."""
    out: dict[str, object] = {}
    for t in catalog.tables:
        tn = t.name.key
        out[f"{tn}.quoted"] = t.name.quoted
        out[f"{tn}.columns"] = ", ".join(c.name.value for c in t.columns)
        for c in t.columns:
            p = f"{tn}.{c.name.key}"
            out[f"{p}.type"] = str(c.type)
            out[f"{p}.nullable"] = c.nullable
            out[f"{p}.identity"] = c.identity
            out[f"{p}.default"] = _default(c.default)
            out[f"{p}.generated"] = c.generated
            out[f"{p}.comment"] = c.comment
            if c.type.type_name:
                out[f"{p}.type_name"] = c.type.type_name
        out[f"{tn}.pk"] = ", ".join(c.value for c in t.primary_key.columns) if t.primary_key else None
        if t.primary_key and t.primary_key.name:
            out[f"{tn}.pk.name"] = t.primary_key.name.value
        out[f"{tn}.uniques"] = [", ".join(c.value for c in u.columns) for u in t.uniques]
        for i, fk in enumerate(t.foreign_keys):
            out[f"{tn}.fk{i}"] = (
                f"({', '.join(c.value for c in fk.columns)}) -> {fk.ref_table.value}"
                f"({', '.join(c.value for c in fk.ref_columns)}) delete {fk.on_delete.value} update {fk.on_update.value}"
            )
            if fk.name:
                out[f"{tn}.fk{i}.name"] = fk.name.value
        out[f"{tn}.checks"] = [ck.expression for ck in t.checks]
        for ix in t.indexes:
            out[f"{tn}.index.{ix.name.key}"] = _index(ix)
        out[f"{tn}.comment"] = t.comment
        if t.partitioning:
            p_ = t.partitioning
            parts = "; ".join(
                f"{part.name.value}" + (" default" if part.is_default else "") + f" {list(part.bounds)}"
                for part in p_.partitions
            )
            count = f" x{p_.count}" if p_.count else ""
            out[f"{tn}.partitioning"] = (
                f"{p_.method.value}({', '.join(c.value for c in p_.columns)}){count}"
                + (f": {parts}" if parts else "")
            )
    for v in catalog.views:
        out[f"view.{v.name.key}"] = v.query
        if v.columns:
            out[f"view.{v.name.key}.columns"] = ", ".join(c.value for c in v.columns)
    return out


CASES: list[tuple[str, EngineName, str, dict[str, object]]] = [
    # --- types --------------------------------------------------------------------------------
    (
        "pg-types",
        PG,
        """CREATE TABLE t (a numeric(12,2), b timestamptz, c timestamp(3), d jsonb, e json, f uuid, g bytea,
        h text[], i double precision, j real, k boolean, l varchar(40), m char(2), n interval, o date,
        p time, q money, r smallint, s citext);""",
        {
            "t.a.type": "decimal(12,2)",
            "t.b.type": "timestamptz",
            "t.c.type": "timestamp",
            "t.d.type": "json",
            "t.e.type": "json",
            "t.f.type": "uuid",
            "t.g.type": "binary",
            "t.h.type": "text[]",
            "t.i.type": "double",
            "t.j.type": "real",
            "t.k.type": "boolean",
            "t.l.type": "varchar(40)",
            "t.m.type": "char(2)",
            "t.n.type": "interval",
            "t.o.type": "date",
            "t.p.type": "time",
            "t.q.type": "decimal(19,4)",
            "t.r.type": "smallint",
            "t.s.type": "text",
        },
    ),
    (
        "mysql-types",
        MY,
        """CREATE TABLE t (a DECIMAL(12,2), b DATETIME(6), c TIMESTAMP, d JSON, e TINYINT(1), f TINYINT,
        g INT UNSIGNED, h BIGINT UNSIGNED, i MEDIUMTEXT, j LONGBLOB, k VARBINARY(16), l ENUM('x','y'),
        m DOUBLE, n YEAR, o MEDIUMINT);""",
        {
            "t.a.type": "decimal(12,2)",
            "t.b.type": "timestamp",
            "t.c.type": "timestamptz",  # MySQL TIMESTAMP is stored as UTC
            "t.d.type": "json",
            "t.e.type": "boolean",
            "t.f.type": "smallint",
            "t.g.type": "bigint",
            "t.h.type": "decimal(20,0)",
            "t.i.type": "text",
            "t.j.type": "binary",
            "t.k.type": "binary(16)",
            "t.l.type": "enum('x', 'y')",
            "t.m.type": "double",
            "t.n.type": "smallint",
            "t.o.type": "integer",
        },
    ),
    (
        "sqlite-types-and-affinity",
        LITE,
        """CREATE TABLE t (a INTEGER PRIMARY KEY, b NUMERIC(12,2), c TEXT, d BLOB, e REAL, f VARCHAR(10),
        g DATETIME, h BOOLEAN, i "unsigned big int", j nothing_known, k);""",
        {
            "t.a.type": "bigint",  # INTEGER PRIMARY KEY is the rowid: 64-bit, as the database reads it back
            "t.a.identity": True,
            "t.b.type": "decimal(12,2)",
            "t.c.type": "text",
            "t.d.type": "binary",
            "t.e.type": "double",  # SQLite's REAL is an 8-byte float
            "t.f.type": "varchar(10)",
            "t.g.type": "timestamp",
            "t.h.type": "boolean",
            "t.j.type": "decimal",
            "t.k.type": "binary",
        },
    ),
    # --- identity ------------------------------------------------------------------------------
    (
        "pg-identity-serial",
        PG,
        """CREATE TABLE t (a bigserial PRIMARY KEY, b serial, c bigint GENERATED ALWAYS AS IDENTITY,
        d integer GENERATED BY DEFAULT AS IDENTITY, e bigint DEFAULT nextval('t_e_seq'), f bigint);""",
        {
            "t.a.type": "bigint",
            "t.a.identity": True,
            "t.b.type": "integer",
            "t.b.identity": True,
            "t.c.identity": True,
            "t.d.identity": True,
            "t.e.identity": True,
            "t.e.default": None,
            "t.f.identity": False,
            "t.a.nullable": False,
        },
    ),
    (
        "mysql-auto-increment",
        MY,
        "CREATE TABLE t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, x INT, PRIMARY KEY (id)) ENGINE=InnoDB;",
        {"t.id.identity": True, "t.id.type": "bigint", "t.pk": "id", "t.x.identity": False},
    ),
    (
        "sqlite-autoincrement",
        LITE,
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);",
        {"t.id.identity": True, "t.pk": "id"},
    ),
    # --- defaults ------------------------------------------------------------------------------
    (
        "pg-defaults",
        PG,
        """CREATE TABLE t (a text DEFAULT 'it''s', b int DEFAULT -5, c boolean DEFAULT true,
        d timestamptz DEFAULT now(), e date DEFAULT CURRENT_DATE, f jsonb DEFAULT '{}'::jsonb,
        g int DEFAULT NULL, h numeric(5,1) DEFAULT 1.5, i timestamptz DEFAULT CURRENT_TIMESTAMP,
        j text DEFAULT lower('X'));""",
        {
            "t.a.default": "string:it's",
            "t.b.default": "number:-5",
            "t.c.default": "boolean:TRUE",
            "t.d.default": "current_timestamp:now()",  # the spelling is kept (PostgreSQL keeps it)
            "t.e.default": "current_date",
            "t.f.default": "string:{}",
            "t.g.default": "null",
            "t.h.default": "number:1.5",
            "t.i.default": "current_timestamp",
            "t.j.default": "expression:LOWER('X')",
        },
    ),
    (
        "mysql-defaults",
        MY,
        """CREATE TABLE t (a TINYINT(1) NOT NULL DEFAULT 1, b DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)
        ON UPDATE CURRENT_TIMESTAMP(6), c VARCHAR(5) DEFAULT 'x', d INT DEFAULT 0);""",
        {
            "t.a.default": "boolean:TRUE",
            "t.a.nullable": False,
            "t.b.default": "current_timestamp",
            "t.c.default": "string:x",
            "t.d.default": "number:0",
        },
    ),
    # --- keys, constraints --------------------------------------------------------------------
    (
        "pg-keys-and-actions",
        PG,
        """CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE c (
          id int,
          p_id int REFERENCES p ON DELETE CASCADE,
          p_code text,
          k1 int, k2 int,
          CONSTRAINT c_pk PRIMARY KEY (id),
          CONSTRAINT c_code_fk FOREIGN KEY (p_code) REFERENCES p (code) ON DELETE SET NULL ON UPDATE CASCADE,
          CONSTRAINT c_k_uq UNIQUE (k1, k2),
          CONSTRAINT c_k_check CHECK (k1 < k2),
          CHECK (k1 > 0)
        );""",
        {
            "p.pk": "id",
            "p.uniques": ["code"],
            "c.pk": "id",
            "c.pk.name": "c_pk",
            "c.id.nullable": False,
            "c.fk0": "(p_id) -> p(id) delete CASCADE update NO ACTION",
            "c.fk1": "(p_code) -> p(code) delete SET NULL update CASCADE",
            "c.fk1.name": "c_code_fk",
            "c.uniques": ["k1, k2"],
            "c.checks": ["k1 < k2", "k1 > 0"],
        },
    ),
    (
        "pg-alter-table-add-constraint",
        PG,
        """CREATE TABLE a (id int NOT NULL, b_id int);
        CREATE TABLE b (id int NOT NULL, a_id int);
        ALTER TABLE a ADD CONSTRAINT a_pkey PRIMARY KEY (id);
        ALTER TABLE b ADD CONSTRAINT b_pkey PRIMARY KEY (id);
        ALTER TABLE ONLY a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id) ON DELETE RESTRICT;
        ALTER TABLE b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES a(id);
        ALTER TABLE b ADD COLUMN note text;
        ALTER TABLE b ADD CONSTRAINT b_note_uq UNIQUE (note);""",
        {
            "a.pk": "id",
            "b.pk": "id",
            "a.fk0": "(b_id) -> b(id) delete RESTRICT update NO ACTION",
            "a.fk0.name": "a_b_fk",
            "b.fk0": "(a_id) -> a(id) delete NO ACTION update NO ACTION",
            "b.columns": "id, a_id, note",
            "b.uniques": ["note"],
        },
    ),
    (
        "mysql-inline-keys",
        MY,
        """CREATE TABLE `p` (`id` INT NOT NULL, PRIMARY KEY (`id`));
        CREATE TABLE `c` (
          `id` INT NOT NULL AUTO_INCREMENT,
          `p_id` INT NOT NULL,
          `email` VARCHAR(200) NOT NULL,
          `bio` TEXT,
          PRIMARY KEY (`id`),
          UNIQUE KEY `c_email_uq` (`email`),
          KEY `c_p_idx` (`p_id`, `id` DESC),
          KEY `c_email_prefix` (`email`(20)),
          FULLTEXT KEY `c_bio_ft` (`bio`),
          CONSTRAINT `c_p_fk` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT,
          CONSTRAINT `c_ck` CHECK (`p_id` > 0)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='children';""",
        {
            "c.quoted": True,
            "c.pk": "id",
            "c.uniques": ["email"],
            "c.index.c_p_idx": "(p_id, id DESC)",
            "c.index.c_email_prefix": "(email)",
            "c.index.c_bio_ft": "(bio) using fulltext",
            "c.fk0": "(p_id) -> p(id) delete CASCADE update RESTRICT",
            "c.fk0.name": "c_p_fk",
            "c.checks": ['"p_id" > 0'],  # neutral SQL quotes as the source did
            "c.comment": "children",
        },
    ),
    (
        "sqlite-keys",
        LITE,
        """CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE c (id INTEGER NOT NULL, p_id INTEGER REFERENCES p(id) ON DELETE CASCADE,
          UNIQUE (p_id, id), PRIMARY KEY (id)) WITHOUT ROWID;
        CREATE TABLE s (a TEXT, b TEXT) STRICT;""",
        {"c.pk": "id", "c.uniques": ["p_id, id"], "c.fk0": "(p_id) -> p(id) delete CASCADE update NO ACTION"},
    ),
    # --- indexes -------------------------------------------------------------------------------
    (
        "pg-indexes",
        PG,
        """CREATE TABLE t (a int, b text, c timestamptz, d jsonb, status text);
        CREATE INDEX t_partial ON t (a) WHERE status = 'open';
        CREATE UNIQUE INDEX t_expr ON t (lower(b));
        CREATE INDEX t_cover ON t (a) INCLUDE (b, c);
        CREATE INDEX t_desc ON t (a, c DESC);
        CREATE INDEX t_gin ON t USING gin (d);
        CREATE INDEX t_btree ON t USING btree (c);
        CREATE INDEX CONCURRENTLY IF NOT EXISTS t_conc ON public.t (b);""",
        {
            "t.index.t_partial": "(a) where status = 'open'",
            "t.index.t_expr": "unique ((LOWER(b)))",
            "t.index.t_cover": "(a) include(b, c)",
            "t.index.t_desc": "(a, c DESC)",
            "t.index.t_gin": "(d) using gin",
            "t.index.t_btree": "(c)",
            "t.index.t_conc": "(b)",
        },
    ),
    (
        "sqlite-indexes",
        LITE,
        """CREATE TABLE t (a INTEGER, b TEXT, done INTEGER);
        CREATE INDEX t_partial ON t (a) WHERE done = 0;
        CREATE UNIQUE INDEX IF NOT EXISTS t_b ON t (b COLLATE NOCASE);""",
        {"t.index.t_partial": "(a) where done = 0"},
    ),
    # --- enums, views, comments -----------------------------------------------------------------
    (
        "pg-enum-view-comments",
        PG,
        """CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TYPE public."Colour" AS ENUM ('red');
        CREATE TABLE person (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'ok', c public."Colour");
        CREATE VIEW happy_people (person_id) AS SELECT id FROM person WHERE m = 'happy';
        COMMENT ON TABLE person IS 'People';
        COMMENT ON COLUMN person.m IS 'How they feel';""",
        {
            "person.m.type": "enum('sad', 'ok', 'happy')",
            "person.m.type_name": "mood",
            "person.m.default": "string:ok",
            "person.c.type": "enum('red')",
            "view.happy_people": "SELECT id FROM person WHERE m = 'happy'",
            "view.happy_people.columns": "person_id",
            "person.comment": "People",
            "person.m.comment": "How they feel",
        },
    ),
    (
        "mysql-column-comment-view",
        MY,
        """CREATE TABLE t (a INT COMMENT 'the a');
        CREATE VIEW v AS SELECT a FROM t;""",
        {"t.a.comment": "the a", "view.v": "SELECT a FROM t"},
    ),
    # --- partitioning --------------------------------------------------------------------------
    (
        "pg-range-partitions",
        PG,
        """CREATE TABLE m (id bigint, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE m_old PARTITION OF m FOR VALUES FROM (MINVALUE) TO ('2025-01-01');
        CREATE TABLE m_rest PARTITION OF m DEFAULT;""",
        {
            "m.partitioning": "range(at): m_2025 [\"'2025-01-01'\", \"'2026-01-01'\"]; "
            "m_old ['MINVALUE', \"'2025-01-01'\"]; m_rest default []"
        },
    ),
    (
        "pg-list-and-hash-partitions",
        PG,
        """CREATE TABLE l (region text, x int) PARTITION BY LIST (region);
        CREATE TABLE l_eu PARTITION OF l FOR VALUES IN ('de', 'fr');
        CREATE TABLE h (id bigint PRIMARY KEY) PARTITION BY HASH (id);
        CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 1);""",
        {
            "l.partitioning": "list(region): l_eu [\"'de'\", \"'fr'\"]",
            "h.partitioning": "hash(id) x2: h0 []; h1 []",
        },
    ),
    (
        "mysql-range-columns-partitions",
        MY,
        """CREATE TABLE `log` (`id` BIGINT NOT NULL, `at` DATETIME NOT NULL, PRIMARY KEY (`id`, `at`))
        ENGINE=InnoDB
        PARTITION BY RANGE COLUMNS(`at`) (
          PARTITION p2024 VALUES LESS THAN ('2025-01-01'),
          PARTITION p2025 VALUES LESS THAN ('2026-01-01'),
          PARTITION pmax VALUES LESS THAN (MAXVALUE)
        );""",
        {
            "log.partitioning": "range(at): p2024 ['MINVALUE', \"'2025-01-01'\"]; "
            "p2025 [\"'2025-01-01'\", \"'2026-01-01'\"]; pmax default [\"'2026-01-01'\", 'MAXVALUE']"
        },
    ),
    (
        "mysql-hash-and-list-partitions",
        MY,
        """CREATE TABLE h (id INT NOT NULL, PRIMARY KEY (id)) PARTITION BY HASH (id) PARTITIONS 8;
        CREATE TABLE k (id INT NOT NULL) PARTITION BY KEY (id) PARTITIONS 4;
        CREATE TABLE l (r INT NOT NULL) PARTITION BY LIST (r) (PARTITION p1 VALUES IN (1, 2), PARTITION p2 VALUES IN (3));""",
        {
            "h.partitioning": "hash(id) x8",
            "k.partitioning": "hash(id) x4",
            "l.partitioning": "list(r): p1 ['1', '2']; p2 ['3']",
        },
    ),
    # --- quoting and case ----------------------------------------------------------------------
    (
        "pg-quoted-identifiers",
        PG,
        """CREATE TABLE "OrderItems" ("Id" int PRIMARY KEY, "order" int, plain int);
        CREATE INDEX "OrderItems_order_idx" ON "OrderItems" ("order");""",
        {
            "OrderItems.quoted": True,
            "OrderItems.columns": "Id, order, plain",
            "OrderItems.pk": "Id",
            "OrderItems.index.OrderItems_order_idx": "(order)",
        },
    ),
    (
        "pg-skips-session-statements",
        PG,
        """SET statement_timeout = 0;
        SELECT pg_catalog.set_config('search_path', '', false);
        CREATE EXTENSION IF NOT EXISTS pgcrypto;
        CREATE SEQUENCE s START 1;
        BEGIN;
        CREATE TABLE public.t (id int);
        GRANT SELECT ON t TO reader;
        COMMIT;""",
        {"t.columns": "id"},
    ),
]


@pytest.mark.parametrize(("dialect", "ddl", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ddl_facts(dialect: EngineName, ddl: str, expected: dict[str, object]) -> None:
    got = facts(load_ddl(ddl, dialect, file="schema.sql"))
    assert {k: got.get(k, "<missing>") for k in expected} == expected


def test_mariadb_reads_like_mysql() -> None:
    ddl = next(c[2] for c in CASES if c[0] == "mysql-inline-keys")
    assert facts(load_ddl(ddl, MARIA)) == facts(load_ddl(ddl, MY))


# --- wrong dialect ---------------------------------------------------------------------------------

WRONG_DIALECT = [
    (
        "mysql-as-postgresql",
        "CREATE TABLE `t` (`id` INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;",
        PG,
        "MySQL",
    ),
    (
        "postgresql-as-mysql",
        "CREATE TABLE t (id bigserial PRIMARY KEY, doc jsonb, at timestamptz);",
        MY,
        "PostgreSQL",
    ),
    (
        "postgresql-as-sqlite",
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, doc jsonb);",
        LITE,
        "PostgreSQL",
    ),
    (
        "sqlite-as-postgresql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT) WITHOUT ROWID;",
        PG,
        "SQLite",
    ),
    (
        "mysql-as-sqlite",
        "CREATE TABLE `t` (`id` INT UNSIGNED AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;",
        LITE,
        "MySQL",
    ),
]


@pytest.mark.parametrize(
    ("ddl", "dialect", "named"), [c[1:] for c in WRONG_DIALECT], ids=[c[0] for c in WRONG_DIALECT]
)
def test_wrong_dialect_is_named(ddl: str, dialect: EngineName, named: str) -> None:
    with pytest.raises(SqlError) as info:
        load_ddl(ddl, dialect, file="schema.sql")
    message = str(info.value)
    assert message.startswith("schema.sql")
    assert f"looks like {named} DDL" in message
    assert "schema.ddl.dialect" in message


# --- errors carry file and line -------------------------------------------------------------------

ERRORS = [
    (
        "syntax",
        PG,
        "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int x y);",
        4,
        "cannot parse: Expecting )",
    ),
    (
        "unknown-fk-table",
        PG,
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES aa(id));",
        2,
        "references table 'aa', which is not defined (did you mean 'a'?)",
    ),
    (
        "unknown-fk-column",
        PG,
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES a(idd));",
        2,
        "names column 'idd', which table 'a' does not have (did you mean 'id'?)",
    ),
    (
        "index-unknown-table",
        PG,
        "CREATE TABLE orders (id int);\n\n\nCREATE INDEX i ON order (id);",
        4,
        "table 'order' does not exist (did you mean 'orders'?)",
    ),
    (
        "index-unknown-column",
        PG,
        "CREATE TABLE t (name text);\nCREATE INDEX i ON t (nmae);",
        2,
        "index names column 'nmae', which table 't' does not have (did you mean 'name'?)",
    ),
    (
        "duplicate-table",
        PG,
        "CREATE TABLE t (a int);\nCREATE TABLE t (b int);",
        2,
        "table 't' is created twice (first on line 1)",
    ),
    ("duplicate-column", MY, "CREATE TABLE t (a INT,\n a INT);", 1, "column 'a' appears twice in table 't'"),
    (
        "two-primary-keys",
        PG,
        "CREATE TABLE t (a int PRIMARY KEY, b int, PRIMARY KEY (b));",
        1,
        "table 't' has two primary keys",
    ),
    (
        "unknown-type",
        PG,
        "CREATE TABLE t (a int);\nCREATE TABLE u (m moodd);",
        2,
        "type 'moodd' is not a known type",
    ),
    (
        "query-in-ddl",
        PG,
        "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);",
        2,
        "DDL files hold schema statements only",
    ),
    (
        "fk-arity",
        PG,
        "CREATE TABLE a (x int, y int, PRIMARY KEY (x, y));\nCREATE TABLE b (x int REFERENCES a);",
        2,
        "has 1 column(s) but references 2",
    ),
    (
        "partition-of-unpartitioned",
        PG,
        "CREATE TABLE t (a int);\nCREATE TABLE t1 PARTITION OF t DEFAULT;",
        2,
        "table 't' is not partitioned",
    ),
    ("ctas", PG, "CREATE TABLE t AS SELECT 1 AS a;", 1, "CREATE TABLE ... AS SELECT has no declared columns"),
]


@pytest.mark.parametrize(
    ("dialect", "ddl", "line", "message"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS]
)
def test_errors_name_file_and_line(dialect: EngineName, ddl: str, line: int, message: str) -> None:
    with pytest.raises(SqlError) as info:
        load_ddl(ddl, dialect, file="schema.sql")
    assert (info.value.diagnostic.file, info.value.diagnostic.line) == ("schema.sql", line)
    assert message in str(info.value)
    assert str(info.value).startswith(f"schema.sql:{line}")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SqlError, match="no such DDL file"):
        load_ddl_file(tmp_path / "nope.sql", PG)


def test_statements_split_on_real_semicolons_only() -> None:
    text = "-- a; comment\nCREATE TABLE t (a text DEFAULT ';');\n\n/* x; */ CREATE INDEX i ON t (a);"
    statements = split_statements(text, PG)
    assert [(s.line, s.sql.split()[1]) for s in statements] == [(2, "TABLE"), (4, "INDEX")]


def test_ddl_file_is_read_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "s.sql"
    path.write_text("CREATE TABLE t (id int PRIMARY KEY);\n", encoding="utf-8")
    catalog = load_ddl_file(path, PG)
    assert catalog.origin == str(path) and catalog.table("T") is not None
