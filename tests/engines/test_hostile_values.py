"""Hostile values survive rendering on real engines (issue 14, the injection acceptance).

A brief whose comments, defaults, enumeration values, CHECKs, partition bounds and names carry
quotes, backslashes, semicolons, dollar quotes, line breaks and comment markers is designed; its
DDL is run with the engine's own command-line client (``psql``, ``mariadb``) or SQLite's
``executescript``, as a user would apply it, in a database that also holds a ``sentinel`` table
(and, on MariaDB, a sentinel in another database that a payload names). Afterwards exactly the
designed tables exist, the sentinels still hold their row, and every value reads back exactly as the
brief wrote it (comments, defaults, CHECK values, partition bounds). The same for a migration plan's
scripts (whose comments carry the payloads too) and for verify's synthetic data.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
import yaml

from dbarchitect import api
from dbarchitect.advisors.migrations.render import down_sql, plan_sql_by_phase
from dbarchitect.brief import loads_brief
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.model.catalog import Catalog, Column, Partition, Partitioning, PartitionMethod, Table
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind
from tests.conftest import in_ci
from tests.engine_exec import mariadb_connect


def payloads(other_db: str) -> list[str]:
    return [
        "x'; DROP TABLE sentinel; --",
        f"x\\'; DROP TABLE {other_db}.sentinel; -- ",
        "a */ DROP TABLE sentinel; /* b",
        "c\\\\'); DROP TABLE sentinel; --",
        "$$; DROP TABLE sentinel; $$",
        "line1\n; DROP TABLE sentinel; --",
        "\\",
        "'",
        "`; DROP TABLE sentinel; --",
        '"; DROP TABLE sentinel; --',
        "semi; colon -- dash /* star */ # hash",
        "e'\\x27'; DROP TABLE sentinel; --",
    ]


WEIRD_TABLE = 'we\'ird "tab"; --'
WEIRD_COLUMN = 'we\'ird; "col" -- `x`'


def hostile_brief(engine: str, other_db: str) -> dict[str, object]:
    values = payloads(other_db)
    columns: dict[str, object] = {"id": {"type": "integer", "identity": True, "primary_key": True}}
    for i, p in enumerate(values):
        columns[f"c{i}"] = {"type": "varchar(60)", "default": p, "comment": p}
    columns["kind"] = {"type": "varchar(60)", "values": values}
    columns["group"] = {"type": "varchar(60)", "values": ["a", "b'; DROP TABLE sentinel; --"]}
    columns["MixedCase"] = {"type": "integer"}
    columns[WEIRD_COLUMN] = {"type": "integer", "comment": values[5]}
    return {
        "name": "hostile",
        "engine": engine,
        "schema": {
            "entities": {
                "acct": {
                    "comment": values[1],
                    "columns": columns,
                    "indexes": [{"columns": ["MixedCase", "group"]}, {"columns": [WEIRD_COLUMN]}],
                },
                WEIRD_TABLE: {
                    "comment": values[0],
                    "columns": {
                        "id": {"type": "integer", "primary_key": True},
                        "acct_id": {"type": "integer", "references": "acct(id)"},
                    },
                },
            }
        },
        "tables": {"acct": {"rows": 1000, "columns": {"kind": {"distinct": len(values)}}}},
        "workload": {
            "statements": [
                {"name": "by_kind", "sql": "SELECT id FROM acct WHERE kind = :kind", "rate": "1/s"},
            ]
        },
    }


def designed_defaults(design: api.Design, count: int) -> list[str]:
    """The defaults the design gives c0..c<count-1>: the payloads, except where the engine's own
    string syntax reads one differently (PostgreSQL reads ``$$...$$`` as a dollar-quoted string)."""
    acct = design.inspection.catalog.table("acct")
    assert acct is not None
    out = []
    for i in range(count):
        column = acct.column(f"c{i}")
        assert column is not None and column.default is not None and column.default.value is not None
        out.append(column.default.value)
    return out


def write_brief(tmp_path: Path, engine: str, other_db: str) -> Path:
    path = tmp_path / f"hostile-{engine}.yaml"
    path.write_text(yaml.safe_dump(hostile_brief(engine, other_db), allow_unicode=True, sort_keys=False))
    return path


def client(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if in_ci():
            pytest.fail(f"the {name} client is missing (scripts/test.sh installs it)")
        pytest.skip(f"the {name} client is not installed")
    return found


def run_psql(url: str, script: str, *, before: str = "") -> None:
    done = subprocess.run(
        [client("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", url],
        input=before + script,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def run_mariadb(url: str, script: str, *, before: str = "") -> None:
    parts = urlsplit(url)
    args = [
        client("mariadb"),
        "-h",
        parts.hostname or "127.0.0.1",
        "-P",
        str(parts.port or 3306),
        "-u",
        unquote(parts.username or "root"),
        parts.path.lstrip("/"),
    ]
    if parts.password:
        args.insert(1, f"-p{unquote(parts.password)}")
    done = subprocess.run(
        args, input=before + script, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


# -- PostgreSQL -----------------------------------------------------------------------------------


def pg_relations(url: str) -> set[tuple[str, str, str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
            "UNION ALL SELECT n.nspname, t.typname, 'type' FROM pg_type t "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND t.typtype IN ('e', 'd') "
            "UNION ALL SELECT n.nspname, p.proname, 'function' FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return {(str(a), str(b), str(c)) for a, b, c in rows}


def pg_tables(url: str) -> set[str]:
    return {name for schema, name, kind in pg_relations(url) if schema == "public" and kind in ("r", "p")}


def pg_add_sentinel(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE sentinel (x int); INSERT INTO sentinel VALUES (1)")


def pg_sentinel_rows(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM sentinel").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("session", ["", "SET standard_conforming_strings = off;\n"])
def test_postgres_design_ddl_creates_exactly_the_design(
    tmp_path: Path, make_pg_scratch_db: Callable[[], str], session: str
) -> None:
    url = make_pg_scratch_db()
    pg_add_sentinel(url)
    values = payloads("other")
    design = api.design(write_brief(tmp_path, "postgresql", "other"))
    schema = design.schemas[0].sql
    run_psql(url, schema, before=session)
    assert pg_sentinel_rows(url) == 1
    assert pg_tables(url) == {"sentinel", "acct", WEIRD_TABLE}
    with psycopg.connect(url, autocommit=True) as conn:
        comments = dict(
            conn.execute(
                "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                "WHERE a.attrelid = 'acct'::regclass AND a.attnum > 0"
            ).fetchall()
        )
        table_comment = conn.execute("SELECT obj_description('acct'::regclass, 'pg_class')").fetchone()
        conn.execute('INSERT INTO acct ("mixedcase") VALUES (1)')
        row = conn.execute(
            "SELECT " + ", ".join(f"c{i}" for i in range(len(values))) + " FROM acct"
        ).fetchone()
        for v in values:
            conn.execute("INSERT INTO acct (kind) VALUES (%s)", (v,))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO acct (kind) VALUES ('not a value')")
        conn.execute('INSERT INTO acct ("group") VALUES (%s)', ("b'; DROP TABLE sentinel; --",))
    assert [comments[f"c{i}"] for i in range(len(values))] == values
    assert comments[WEIRD_COLUMN] == values[5]
    assert table_comment == (values[1],)
    defaults = designed_defaults(design, len(values))
    assert defaults[:4] + defaults[5:] == values[:4] + values[5:]
    assert list(row or ()) == defaults


def test_postgres_partition_bounds_and_maintenance(make_pg_scratch_db: Callable[[], str]) -> None:
    url = make_pg_scratch_db()
    pg_add_sentinel(url)
    values = payloads("other")
    traits = get_traits(EngineName.POSTGRESQL, "15")
    catalog = _list_partitioned(values, traits.partition_syntax == "declarative")
    run_psql(url, render_schema(catalog, traits))
    assert pg_sentinel_rows(url) == 1
    with psycopg.connect(url, autocommit=True) as conn:
        for v in values:
            conn.execute('INSERT INTO "Events; --" (kind) VALUES (%s)', (v,))
        bounds = conn.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = '\"Events; --\"'::regclass"
        ).fetchone()
    assert bounds == (len(values),)


def _list_partitioned(values: list[str], declarative: bool) -> Catalog:
    from dbarchitect.engines.quoting import neutral_literal

    table = Name("Events; --", quoted=True)
    parts = tuple(
        Partition(Name(f"Events; --_p{i}" if declarative else f"p{i}", quoted=True), (neutral_literal(v),))
        for i, v in enumerate(values)
    )
    return Catalog(
        tables=(
            Table(
                table,
                (
                    Column(Name("id"), LogicalType(TypeKind.INTEGER)),
                    Column(Name("kind"), LogicalType(TypeKind.VARCHAR, length=60)),
                ),
                partitioning=Partitioning(PartitionMethod.LIST, (Name("kind"),), parts),
            ),
        )
    )


def _migration_target(engine: str, other_db: str) -> tuple[Catalog, Catalog]:
    """(current, target): the target adds every hostile default, comment, CHECK and name."""
    inspection = api.inspect_brief(loads_brief(yaml.safe_dump(hostile_brief(engine, other_db))))
    target = inspection.catalog
    acct = target.table("acct")
    assert acct is not None
    key = acct.column("id")
    assert key is not None
    current_acct = Table(acct.name, (key,), primary_key=acct.primary_key)
    return Catalog(tables=(current_acct,)), target


def test_postgres_migration_plan_scripts(make_pg_scratch_db: Callable[[], str]) -> None:
    url = make_pg_scratch_db()
    pg_add_sentinel(url)
    traits = get_traits(EngineName.POSTGRESQL, "15")
    current, target = _migration_target("postgresql", "other")
    run_psql(url, render_schema(current, traits))
    plan = api.plan_schema_migration(current, target, "postgresql 15", allow_data_loss=True)
    for script in plan_sql_by_phase(plan, traits).values():
        run_psql(url, script)
    assert pg_sentinel_rows(url) == 1
    assert pg_tables(url) == {"sentinel", "acct", WEIRD_TABLE}
    run_psql(url, down_sql(plan, traits))
    assert pg_sentinel_rows(url) == 1
    assert pg_tables(url) == {"sentinel", "acct"}


def test_postgres_verify_data(tmp_path: Path, make_pg_scratch_db: Callable[[], str]) -> None:
    """verify builds the design and loads synthetic data holding the hostile values (hot values and
    the CHECK's enumeration) into a scratch database; each value reads back exactly, the sentinel in
    another database survives."""
    url, other = make_pg_scratch_db(), make_pg_scratch_db()
    pg_add_sentinel(other)
    values = payloads("other")
    brief = hostile_brief("postgresql", "other")
    brief["tables"] = {
        "acct": {"rows": 200, "columns": {"kind": {"distinct": len(values), "hot_values": {values[1]: 0.5}}}}
    }
    path = tmp_path / "verify.yaml"
    path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False))
    result = api.verify_brief(path, engine_url=url, scale=1.0, seconds_per_statement=0.2, repetitions=5)
    assert result is not None
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT kind) FROM acct").fetchone()
        hot = conn.execute("SELECT count(*) FROM acct WHERE kind = %s", (values[1],)).fetchone()
        kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM acct WHERE kind IS NOT NULL")}
    assert row is not None and row[0] == 200 and row[1] > 1
    assert hot is not None and hot[0] > 0
    assert kinds <= set(values)  # every loaded value is one of the brief's, byte for byte
    assert pg_tables(url) == {"acct", WEIRD_TABLE}
    assert pg_sentinel_rows(other) == 1


# -- MariaDB --------------------------------------------------------------------------------------


def maria_tables(url: str) -> set[str]:
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
            return {str(r[0]) for r in cur.fetchall()}
    finally:
        conn.close()


def maria_sentinels(url: str, other_url: str) -> tuple[int, int]:
    counts = []
    for u in (url, other_url):
        conn = mariadb_connect(u)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM sentinel")
                counts.append(int(cur.fetchone()[0]))  # type: ignore[index]
        finally:
            conn.close()
    return counts[0], counts[1]


def maria_add_sentinel(url: str) -> None:
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE sentinel (x int)")
            cur.execute("INSERT INTO sentinel VALUES (1)")
    finally:
        conn.close()


def _db(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@pytest.mark.parametrize(
    "session", ["", "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES');\n"]
)
def test_mariadb_design_ddl_creates_exactly_the_design(
    tmp_path: Path, make_mariadb_scratch_db: Callable[[], str], session: str
) -> None:
    url, other = make_mariadb_scratch_db(), make_mariadb_scratch_db()
    maria_add_sentinel(url)
    maria_add_sentinel(other)
    values = payloads(_db(other))
    design = api.design(write_brief(tmp_path, "mariadb", _db(other)))
    run_mariadb(url, design.schemas[0].sql, before=session)
    assert maria_sentinels(url, other) == (1, 1)
    assert maria_tables(url) == {"sentinel", "acct", WEIRD_TABLE}
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT column_name, column_comment FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND table_name = 'acct'"
            )
            comments = {str(a): str(b) for a, b in cur.fetchall()}
            cur.execute(
                "SELECT table_comment FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND table_name = 'acct'"
            )
            table_comment = cur.fetchone()
            cur.execute("INSERT INTO acct (MixedCase) VALUES (1)")
            cur.execute("SELECT " + ", ".join(f"c{i}" for i in range(len(values))) + " FROM acct")
            row = cur.fetchone()
            for v in values:
                cur.execute("INSERT INTO acct (kind) VALUES (%s)", (v,))
            with pytest.raises(Exception, match="CONSTRAINT"):
                cur.execute("INSERT INTO acct (kind) VALUES ('not a value')")
    finally:
        conn.close()
    assert [comments[f"c{i}"] for i in range(len(values))] == values
    assert table_comment == (values[1],)
    assert designed_defaults(design, len(values)) == values
    assert list(row or ()) == values


def test_mariadb_partition_bounds(make_mariadb_scratch_db: Callable[[], str]) -> None:
    url, other = make_mariadb_scratch_db(), make_mariadb_scratch_db()
    maria_add_sentinel(url)
    maria_add_sentinel(other)
    values = payloads(_db(other))
    traits = get_traits(EngineName.MARIADB, "10.11")
    run_mariadb(url, render_schema(_list_partitioned(values, False), traits))
    assert maria_sentinels(url, other) == (1, 1)
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            for v in values:
                cur.execute("INSERT INTO `Events; --` (kind) VALUES (%s)", (v,))
            cur.execute(
                "SELECT count(DISTINCT partition_name) FROM information_schema.partitions "
                "WHERE table_schema = DATABASE() AND table_name = 'Events; --' AND table_rows >= 0"
            )
            assert cur.fetchone() == (len(values),)
    finally:
        conn.close()


def test_mariadb_migration_plan_scripts(make_mariadb_scratch_db: Callable[[], str]) -> None:
    url, other = make_mariadb_scratch_db(), make_mariadb_scratch_db()
    maria_add_sentinel(url)
    maria_add_sentinel(other)
    traits = get_traits(EngineName.MARIADB, "10.11")
    current, target = _migration_target("mariadb", _db(other))
    run_mariadb(url, render_schema(current, traits))
    plan = api.plan_schema_migration(current, target, "mariadb 10.11", allow_data_loss=True)
    for script in plan_sql_by_phase(plan, traits).values():
        run_mariadb(url, script)
    assert maria_sentinels(url, other) == (1, 1)
    assert maria_tables(url) == {"sentinel", "acct", WEIRD_TABLE}
    run_mariadb(url, down_sql(plan, traits))
    assert maria_sentinels(url, other) == (1, 1)
    assert maria_tables(url) == {"sentinel", "acct"}


def test_mariadb_verify_data(tmp_path: Path, make_mariadb_scratch_db: Callable[[], str]) -> None:
    """verify builds the design and loads synthetic data holding the hostile values (hot values and
    the CHECK's enumeration) into a scratch database; the sentinel elsewhere survives."""
    url, other = make_mariadb_scratch_db(), make_mariadb_scratch_db()
    maria_add_sentinel(other)
    values = payloads(_db(other))
    brief = hostile_brief("mariadb", _db(other))
    brief["tables"] = {
        "acct": {"rows": 200, "columns": {"kind": {"distinct": len(values), "hot_values": {values[1]: 0.5}}}}
    }
    path = tmp_path / "verify.yaml"
    path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False))
    result = api.verify_brief(path, engine_url=url, scale=1.0, seconds_per_statement=0.2, repetitions=5)
    assert result is not None
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*), count(DISTINCT kind) FROM acct")
            rows, kinds = cur.fetchone()  # type: ignore[misc]
            cur.execute("SELECT count(*) FROM acct WHERE kind = %s", (values[1],))
            hot = cur.fetchone()[0]  # type: ignore[index]
    finally:
        conn.close()
    assert rows == 200 and kinds > 1 and hot > 0
    conn = mariadb_connect(other)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM sentinel")
            assert cur.fetchone() == (1,)
    finally:
        conn.close()


# -- SQLite ---------------------------------------------------------------------------------------


def test_sqlite_design_ddl_creates_exactly_the_design(tmp_path: Path) -> None:
    values = payloads("other")
    design = api.design(write_brief(tmp_path, "sqlite", "other"))
    db = sqlite3.connect(tmp_path / "h.db")
    db.executescript("CREATE TABLE sentinel (x int); INSERT INTO sentinel VALUES (1);")
    db.executescript(design.schemas[0].sql)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"sentinel", "acct", WEIRD_TABLE}
    assert db.execute("SELECT count(*) FROM sentinel").fetchone() == (1,)
    db.execute("INSERT INTO acct (MixedCase) VALUES (1)")
    row = db.execute("SELECT " + ", ".join(f"c{i}" for i in range(len(values))) + " FROM acct").fetchone()
    assert list(row) == values
    for v in values:
        db.execute("INSERT INTO acct (kind) VALUES (?)", (v,))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO acct (kind) VALUES ('not a value')")
    db.executescript(render_schema(_list_partitioned(values, True), get_traits(EngineName.SQLITE)))
    for v in values:
        db.execute('INSERT INTO "Events; --" (kind) VALUES (?)', (v,))
    assert db.execute("SELECT count(*) FROM sentinel").fetchone() == (1,)


def test_sqlite_verify_data(tmp_path: Path) -> None:
    """verify on a SQLite file the user names: the hostile hot value and enumeration load and read
    back exactly, and only the designed tables are there afterwards."""
    values = payloads("other")
    brief = hostile_brief("sqlite", "other")
    brief["tables"] = {
        "acct": {"rows": 200, "columns": {"kind": {"distinct": len(values), "hot_values": {values[1]: 0.5}}}}
    }
    path = tmp_path / "verify.yaml"
    path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False))
    target = tmp_path / "v.db"
    sqlite3.connect(target).close()
    result = api.verify_brief(
        path, engine_url=f"sqlite:///{target}", scale=1.0, seconds_per_statement=0.2, repetitions=5
    )
    assert result is not None
    db = sqlite3.connect(target)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables - {"sqlite_stat1"} == {"acct", WEIRD_TABLE}  # sqlite_stat1: ANALYZE's statistics
    rows, distinct = db.execute("SELECT count(*), count(DISTINCT kind) FROM acct").fetchone()
    hot = db.execute("SELECT count(*) FROM acct WHERE kind = ?", (values[1],)).fetchone()[0]
    kinds = {r[0] for r in db.execute("SELECT DISTINCT kind FROM acct WHERE kind IS NOT NULL")}
    assert rows == 200 and distinct > 1 and hot > 0
    assert kinds <= set(values)
