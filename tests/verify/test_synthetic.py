"""Synthetic data follows the brief: measured on the loaded SQLite data with SQL, not by trusting the
generator's own bookkeeping."""

from __future__ import annotations

import hashlib
import math
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dbarchitect.api import inspect_brief
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import TypeKind
from dbarchitect.results import Inspection
from dbarchitect.verify.synthetic import (
    SqliteLoader,
    SyntheticData,
    adapt_row,
    generate,
    parse_value,
    read_checks,
    scaled_distinct,
    scaled_rows,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: example -> scale small enough for a fast test, large enough for frequencies to be measurable
SCALES = {"shop": 0.0002, "blog": 0.05, "saas": 0.00005}


@dataclass
class Loaded:
    inspection: Inspection
    conn: sqlite3.Connection
    data: SyntheticData
    scale: float


def load(example: str, scale: float, path: Path, seed: int = 7) -> Loaded:
    inspection = inspect_brief(EXAMPLES / example / "brief.yaml")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    data = generate(inspection.catalog, SqliteLoader(conn, get_traits("sqlite")), scale=scale, seed=seed)
    return Loaded(inspection, conn, data, scale)


@pytest.fixture(scope="module", params=sorted(SCALES))
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    example = str(request.param)
    result = load(example, SCALES[example], tmp_path_factory.mktemp(example) / "data.db")
    yield result
    result.conn.close()


def count(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def in_composite_key(table: Table, column: Column) -> bool:
    keys = [table.primary_key.columns] if table.primary_key else []
    keys += [u.columns for u in table.uniques]
    return any(len(k) > 1 and any(n.matches(column.name) for n in k) for k in keys)


def tolerance(p: float, n: int) -> float:
    """Four binomial standard deviations plus a little: a correct generator stays inside."""
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / max(n, 1)) + 0.01


#: Tables smaller than this are too small for frequencies to be measured.
MIN_ROWS = 100


def stat_columns(catalog: Catalog, scale: float) -> Iterator[tuple[Table, Column]]:
    for table in catalog.tables:
        if scaled_rows(table, scale)[0] < MIN_ROWS:
            continue
        for column in table.columns:
            if column.stats is not None and not in_composite_key(table, column):
                yield table, column


def test_row_counts_follow_the_brief_times_scale(loaded: Loaded) -> None:
    for table in loaded.inspection.catalog.tables:
        wanted, _ = scaled_rows(table, loaded.scale)
        got = count(loaded.conn, f'SELECT count(*) FROM "{table.name.value}"')
        load = next(t for t in loaded.data.generation.tables if t.table == table.name.value)
        assert got == load.rows == wanted - load.rejected
        assert load.rejected <= 0.1 * wanted, f"{table.name}: {load.rejected} of {wanted} rows dropped"


def test_no_orphans(loaded: Loaded) -> None:
    for table in loaded.inspection.catalog.tables:
        for fk in table.foreign_keys:
            cond = " AND ".join(
                f'p."{r.value}" = c."{c.value}"' for c, r in zip(fk.columns, fk.ref_columns, strict=True)
            )
            notnull = " AND ".join(f'c."{c.value}" IS NOT NULL' for c in fk.columns)
            orphans = count(
                loaded.conn,
                f'SELECT count(*) FROM "{table.name.value}" c WHERE {notnull} AND NOT EXISTS '
                f'(SELECT 1 FROM "{fk.ref_table.value}" p WHERE {cond})',
            )
            assert orphans == 0, f"{table.name} -> {fk.ref_table}"
    assert loaded.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_unique_keys_hold(loaded: Loaded) -> None:
    for table in loaded.inspection.catalog.tables:
        keys = [table.primary_key.columns] if table.primary_key else []
        keys += [u.columns for u in table.uniques]
        for key in keys:
            cols = ", ".join(f'"{c.value}"' for c in key)
            dupes = count(
                loaded.conn,
                f'SELECT count(*) FROM (SELECT {cols} FROM "{table.name.value}" '
                f"GROUP BY {cols} HAVING count(*) > 1)",
            )
            assert dupes == 0, f"{table.name} ({cols})"


def expected_distinct(loaded: Loaded, table: Table, column: Column) -> int:
    assert column.stats is not None and column.stats.distinct is not None
    rows = count(loaded.conn, f'SELECT count(*) FROM "{table.name.value}"')
    wanted = scaled_distinct(column.stats.distinct, loaded.scale, rows)
    for fk in table.foreign_keys:
        if fk.columns[0].matches(column.name):
            wanted = min(wanted, count(loaded.conn, f'SELECT count(*) FROM "{fk.ref_table.value}"'))
    if column.type.kind == TypeKind.BOOLEAN:
        wanted = min(wanted, 2)
    if column.type.kind == TypeKind.ENUM:
        wanted = min(wanted, len(column.type.values))
    rule = read_checks(table).allowed.get(column.name.key)
    if rule is not None:
        wanted = min(wanted, len(rule))
    return wanted


def test_distinct_counts_follow_the_stats(loaded: Loaded) -> None:
    checked = 0
    for table, column in stat_columns(loaded.inspection.catalog, loaded.scale):
        if column.stats is None or column.stats.distinct is None:
            continue
        wanted = expected_distinct(loaded, table, column)
        got = count(loaded.conn, f'SELECT count(DISTINCT "{column.name.value}") FROM "{table.name.value}"')
        assert 0.9 * wanted <= got <= wanted, f"{table.name}.{column.name}: {got} distinct, wanted {wanted}"
        checked += 1
    assert checked > 0


def test_null_fractions_and_hot_values_follow_the_stats(loaded: Loaded) -> None:
    checked = 0
    for table, column in stat_columns(loaded.inspection.catalog, loaded.scale):
        stats = column.stats
        assert stats is not None
        n = count(loaded.conn, f'SELECT count(*) FROM "{table.name.value}"')
        if stats.null_fraction is not None and column.nullable:
            nulls = count(
                loaded.conn, f'SELECT count(*) FROM "{table.name.value}" WHERE "{column.name.value}" IS NULL'
            )
            p = stats.null_fraction
            assert abs(nulls / n - p) <= tolerance(p, n), f"{table.name}.{column.name} nulls {nulls}/{n}"
            checked += 1
        truncated = stats.distinct is not None and expected_distinct(loaded, table, column) < min(
            stats.distinct, 2 * len(stats.most_common)
        )
        for text, freq in stats.most_common if not truncated else ():
            (value,) = adapt_row(EngineName.SQLITE, [parse_value(column, text)])
            hits = count(
                loaded.conn,
                f'SELECT count(*) FROM "{table.name.value}" WHERE "{column.name.value}" = ?',
                (value,),
            )
            if any(fk.columns[0].matches(column.name) for fk in table.foreign_keys) and hits == 0:
                continue  # a hot parent key the scaled-down parent table does not have (noted)
            assert abs(hits / n - freq) <= tolerance(freq, n), (
                f"{table.name}.{column.name}={text}: {hits}/{n}"
            )
            checked += 1
    assert checked > 0


def table_digest(conn: sqlite3.Connection, catalog: Catalog) -> str:
    h = hashlib.sha256()
    for table in catalog.tables:
        for row in conn.execute(f'SELECT * FROM "{table.name.value}" ORDER BY 1'):
            h.update(repr(row).encode())
    return h.hexdigest()


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    a = load("blog", 0.01, tmp_path / "a.db", seed=3)
    b = load("blog", 0.01, tmp_path / "b.db", seed=3)
    c = load("blog", 0.01, tmp_path / "c.db", seed=4)
    catalog = a.inspection.catalog
    assert table_digest(a.conn, catalog) == table_digest(b.conn, catalog)
    assert table_digest(a.conn, catalog) != table_digest(c.conn, catalog)


def test_check_constraints_shape_the_data(tmp_path: Path) -> None:
    """``total = subtotal + shipping_fee`` is computed, ``reserved <= quantity`` clamped,
    ``rating BETWEEN 1 AND 5`` bounds: no order, stock or review row is dropped for a check."""
    shop = load("shop", 0.0002, tmp_path / "shop.db")
    rows = {t.table: t for t in shop.data.generation.tables}
    assert rows["orders"].rejected == 0 and rows["reviews"].rejected == 0
    assert count(shop.conn, "SELECT count(*) FROM orders WHERE total <> subtotal + shipping_fee") == 0
    assert count(shop.conn, "SELECT count(*) FROM inventory WHERE reserved > quantity") == 0
    assert count(shop.conn, "SELECT count(*) FROM reviews WHERE rating NOT BETWEEN 1 AND 5") == 0
    assert count(shop.conn, "SELECT count(DISTINCT rating) FROM reviews") == 5


@pytest.mark.parametrize(
    ("distinct", "scale", "rows", "expected"),
    [
        (7, 0.001, 40_000, 7),  # a small domain is kept
        (7, 0.001, 3, 3),  # ... but never above the rows
        (1_900_000, 0.001, 40_000, 1_900),  # a large one scales with the table
        (1_200, 0.0001, 40_000, 1_000),  # ... and never below the small-domain size
        (2_500_000, 1.0, 2_500_000, 2_500_000),
    ],
)
def test_scaled_distinct(distinct: float, scale: float, rows: int, expected: int) -> None:
    assert scaled_distinct(distinct, scale, rows) == expected


def test_read_checks_shapes() -> None:
    from dbarchitect.model.catalog import CheckConstraint
    from dbarchitect.model.names import Name
    from dbarchitect.model.types import LogicalType

    table = Table(
        Name("t"),
        (Column(Name("a"), LogicalType(TypeKind.INTEGER)),),
        checks=(
            CheckConstraint("a BETWEEN 1 AND 5"),
            CheckConstraint("b IN ('x', 'y')"),
            CheckConstraint("c > 0 AND d <= c AND 10 >= e"),
            CheckConstraint("total = sub + fee"),
            CheckConstraint("lower(f) = f"),
        ),
    )
    checks = read_checks(table)
    assert (checks.lower["a"], checks.upper["a"]) == (1, 5)
    assert checks.allowed["b"] == ("x", "y")
    assert checks.lower["c"] == 1 and checks.upper["e"] == 10
    assert checks.clamps == [("d", "<=", "c")]
    assert set(checks.derived) == {"total"}
    assert checks.not_understood == ["LOWER(f) = f"]


def test_a_schema_the_engine_rejects_is_a_clear_error(tmp_path: Path) -> None:
    class Refusing(SqliteLoader):
        def execute_script(self, sql: str) -> None:
            raise sqlite3.OperationalError('near "GENERATED": syntax error')

    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    catalog = inspect_brief(EXAMPLES / "blog" / "brief.yaml").catalog
    with pytest.raises(
        DbarchError, match=r'schema does not run on SQLite .*: near "GENERATED": syntax error'
    ):
        generate(catalog, Refusing(conn, get_traits("sqlite")), scale=0.01)
    conn.close()


def test_briefed_ranges_place_the_values(tmp_path: Path) -> None:
    """``min`` / ``max`` statistics place dates, timestamps and fractional numbers inside the range
    (TPC-H's order dates are 1992-1998, not the default 2021-2024); a correlated timestamp's fresh
    row (an INSERT's new reading) comes after the newest loaded one."""
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE t (id bigint PRIMARY KEY, d date NOT NULL, ts timestamptz NOT NULL, "
        "discount numeric(4,2) NOT NULL, ratio double precision NOT NULL, qty integer NOT NULL);"
    )
    (tmp_path / "brief.yaml").write_text(
        """
engine: postgresql 15
schema: {ddl: schema.sql}
tables:
  t:
    rows: 2000
    columns:
      d: {distinct: 300, min: '1992-01-01', max: '1998-08-02'}
      ts: {correlation: 1.0, min: '2025-01-01 00:00:00+00', max: '2025-03-01 00:00:00+00'}
      discount: {distinct: 11, min: 0.0, max: 0.10}
      ratio: {distinct: 5, min: -1, max: 1}
      qty: {distinct: 50, min: 1, max: 50}
"""
    )
    catalog = inspect_brief(tmp_path / "brief.yaml").catalog
    conn = sqlite3.connect(tmp_path / "r.db", isolation_level=None)
    data = generate(catalog, SqliteLoader(conn, get_traits("sqlite")), scale=1.0)
    lo, hi, n = conn.execute("SELECT min(d), max(d), count(DISTINCT d) FROM t").fetchone()
    assert lo >= "1992-01-01" and hi <= "1998-08-02" and n == 300
    lo, hi = conn.execute("SELECT min(ts), max(ts) FROM t").fetchone()
    assert lo.startswith("2025-01-01") and hi <= "2025-03-01"
    values = [r[0] for r in conn.execute("SELECT DISTINCT discount FROM t ORDER BY 1")]
    assert values == pytest.approx([i / 100 for i in range(11)])
    assert [r[0] for r in conn.execute("SELECT DISTINCT ratio FROM t ORDER BY 1")] == [-1, -0.5, 0, 0.5, 1]
    assert conn.execute("SELECT min(qty), max(qty) FROM t").fetchone() == (1, 50)
    fresh = data.tables["t"].fresh_row(1)["ts"]
    assert adapt_row(EngineName.SQLITE, [fresh])[0] > hi
    conn.close()


def test_a_bound_that_is_not_the_columns_type_is_named() -> None:
    from dbarchitect.model.catalog import ColumnStats
    from dbarchitect.model.names import Name
    from dbarchitect.model.types import LogicalType
    from dbarchitect.verify.synthetic import briefed_bounds

    column = Column(Name("d"), LogicalType(TypeKind.DATE), stats=ColumnStats(minimum="last tuesday"))
    with pytest.raises(DbarchError, match="bound 'last tuesday' of column d is not a date"):
        briefed_bounds(column)


def test_values_the_workload_names_are_in_the_data(tmp_path: Path) -> None:
    """TPC-H's queries name ``p_brand = 'Brand#23'``, ``l_shipmode IN ('MAIL', 'SHIP')``, ``r_name =
    'ASIA'``: each is one of its column's values, at an ordinary value's frequency, so the query finds
    rows as it does on real TPC-H data."""
    from dbarchitect.verify.synthetic import workload_values

    inspection = inspect_brief(EXAMPLES / "tpch" / "brief.yaml")
    named = workload_values(inspection.workload)

    def texts(table: str, column: str) -> set[str]:
        return {t.strip("'") for t in named[(table, column)]}

    assert "Brand#23" in texts("part", "p_brand")
    assert {"MAIL", "SHIP"} <= texts("lineitem", "l_shipmode")
    conn = sqlite3.connect(tmp_path / "tpch.db", isolation_level=None)
    catalog = inspection.catalog
    generate(catalog, SqliteLoader(conn, get_traits("sqlite")), scale=0.001, named=named)
    parts = count(conn, "SELECT count(*) FROM part")
    brand23 = count(conn, "SELECT count(*) FROM part WHERE p_brand = 'Brand#23'")
    assert 0 < brand23 <= 3 * parts / 25  # one of 25 brands
    assert count(conn, "SELECT count(DISTINCT p_brand) FROM part") == 25
    for mode in ("MAIL", "SHIP"):
        assert count(conn, "SELECT count(*) FROM lineitem WHERE l_shipmode = ?", (mode,)) > 0
    assert count(conn, "SELECT count(*) FROM region WHERE r_name = 'ASIA'") == 1
    conn.close()


# ---------------------------------------------------------------------------------------------
# Checks the data must satisfy, and tables that would end up empty


def _brief(tmp_path: Path, text: str) -> Inspection:
    path = tmp_path / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    return inspect_brief(path)


EMAIL_BRIEF = """
name: mail
engine: postgresql 15
schema:
  entities:
    customer:
      columns:
        email: {type: email, nullable: false}
        name: {type: varchar(100), nullable: false}
      identifiers: [[email]]
    order:
      columns:
        placed_at: {type: timestamptz, nullable: false}
      relationships:
        - {to: customer}
tables:
  customer: {rows: 2000, columns: {email: {avg_width: 24}}}
  order: {rows: 6000}
workload:
  - {name: by_email, sql: "SELECT id FROM customer WHERE email = :email", rate: 10/s}
"""


def test_the_email_domain_check_is_satisfied_by_every_row(tmp_path: Path) -> None:
    """The designer's ``email LIKE '%_@_%'`` once made the generator drop every customer (and every
    order after them); each generated address now matches the pattern and stays unique."""
    inspection = _brief(tmp_path, EMAIL_BRIEF)
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    data = generate(inspection.catalog, SqliteLoader(conn, get_traits("sqlite")), scale=1.0)
    loads = {t.table: t for t in data.generation.tables}
    assert loads["customer"].rows == 2000 and loads["customer"].rejected == 0
    assert loads["order"].rows == 6000
    assert count(conn, "SELECT count(*) FROM customer WHERE email NOT LIKE '%_@_%'") == 0
    assert count(conn, "SELECT count(DISTINCT email) FROM customer") == 2000
    assert max(len(r[0]) for r in conn.execute("SELECT email FROM customer")) <= 254


def test_a_check_the_generator_cannot_satisfy_stops_it_early(tmp_path: Path) -> None:
    """No row can satisfy ``length(code) > 40`` for a varchar(8): generation stops at once with the
    check named, instead of dropping every row and measuring statements on empty tables."""
    (tmp_path / "s.sql").write_text(
        "CREATE TABLE items (id bigint PRIMARY KEY, code varchar(8) NOT NULL CHECK (length(code) > 40));\n"
        "CREATE TABLE notes (id bigint PRIMARY KEY, item_id bigint NOT NULL REFERENCES items (id));\n",
        encoding="utf-8",
    )
    inspection = _brief(
        tmp_path,
        "name: x\nengine: sqlite\nschema: {ddl: {path: s.sql}}\ntables: {items: {rows: 200000}, notes: {rows: 10}}\n"
        "workload:\n  - {name: q, sql: 'SELECT id FROM notes WHERE item_id = :i', rate: 1/s}\n",
    )
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    with pytest.raises(DbarchError) as err:
        generate(inspection.catalog, SqliteLoader(conn, get_traits("sqlite")), scale=1.0)
    message = str(err.value)
    assert "items" in message and "LENGTH(code) > 40" in message and "stopped" in message
    assert "5,000" in message  # one batch's worth of rows tried, not 200,000


def test_a_check_the_database_alone_refuses_stops_it_early(tmp_path: Path) -> None:
    """A check the row validator cannot evaluate (a function it does not know) is the database's to
    judge: when it refuses every row, generation stops with the engine's reason."""
    (tmp_path / "s.sql").write_text(
        "CREATE TABLE items (id bigint PRIMARY KEY, code varchar(8) NOT NULL CHECK (instr(code, '#') > 0));\n",
        encoding="utf-8",
    )
    inspection = _brief(
        tmp_path,
        "name: x\nengine: sqlite\nschema: {ddl: {path: s.sql}}\ntables: {items: {rows: 20000}}\n"
        "workload:\n  - {name: q, sql: 'SELECT id FROM items WHERE id = :i', rate: 1/s}\n",
    )
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    with pytest.raises(DbarchError) as err:
        generate(inspection.catalog, SqliteLoader(conn, get_traits("sqlite")), scale=1.0)
    assert "items" in str(err.value) and "CHECK constraint failed" in str(err.value)


@pytest.mark.parametrize(
    ("pattern", "text", "limit", "expected"),
    [
        ("%_@_%", "email-7", None, "email-7x@x"),
        ("%_@_%", "a@b", None, "a@b"),
        ("%_@_%", "0123456789", 8, "56789x@x"),
        ("ID-%", "k12", None, "ID-k12"),
        ("AB__", "k12", None, "AB12"),
        ("%.com", "site", None, "site.com"),
    ],
)
def test_fit_pattern(pattern: str, text: str, limit: int | None, expected: str) -> None:
    from dbarchitect.verify.synthetic.checks import fit_pattern, like_matches

    assert fit_pattern(pattern, text, limit) == expected
    assert like_matches(pattern, expected)


def test_check_holds_uses_three_valued_logic() -> None:
    import sqlglot

    from dbarchitect.verify.synthetic.checks import check_holds

    tree = sqlglot.parse_one("total = subtotal + fee AND status IN ('a', 'b') AND code LIKE 'X%'")
    row = {"total": 3, "subtotal": 1, "fee": 2, "status": "a", "code": "X1"}
    assert check_holds(tree, row) is True
    assert check_holds(tree, {**row, "status": "c"}) is False
    assert check_holds(tree, {**row, "code": None}) is True  # NULL passes a CHECK
    assert check_holds(tree, {**row, "fee": 5}) is False
    assert check_holds(sqlglot.parse_one("myfunc(code) > 1"), row) is None


EMPTY_SCHEMA = (
    "CREATE TABLE archive (id bigint PRIMARY KEY, created_at timestamp NOT NULL, note varchar(40));\n"
    "CREATE TABLE items (id bigint PRIMARY KEY, archive_id bigint REFERENCES archive (id), price integer);\n"
)
EMPTY_BRIEF = (
    "name: x\nengine: postgresql 15\nschema: {ddl: {path: s.sql}}\n"
    "tables: {archive: {rows: 0, growth: 100/day}, items: {rows: 4000}}\n"
    "workload:\n"
    "  - {name: one, sql: 'SELECT note FROM archive WHERE id = :id', rate: 1/s, slo: {p95_ms: 10}}\n"
    "  - {name: cheap, sql: 'SELECT id FROM items WHERE price < :p', rate: 1/s, slo: {p95_ms: 10}}\n"
)


@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_a_table_the_brief_says_is_empty_stays_empty(tmp_path: Path, scale: float) -> None:
    """``rows: 0`` is 0 at every scale (it was 1), the others keep at least one row; a child's
    nullable key to it is left NULL, and a parameter drawn from its unique key is still a value."""
    (tmp_path / "s.sql").write_text(EMPTY_SCHEMA, encoding="utf-8")
    inspection = _brief(tmp_path, EMPTY_BRIEF)
    archive, items = (inspection.catalog.table(n) for n in ("archive", "items"))
    assert archive is not None and items is not None
    assert scaled_rows(archive, scale) == (0, True)
    assert scaled_rows(items, scale)[0] == round(4000 * scale)
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    data = generate(inspection.catalog, SqliteLoader(conn, get_traits("sqlite")), scale=scale)
    assert count(conn, "SELECT count(*) FROM archive") == 0
    assert count(conn, "SELECT count(*) FROM items") == round(4000 * scale)
    assert count(conn, "SELECT count(*) FROM items WHERE archive_id IS NOT NULL") == 0
    assert {t.table: (t.rows, t.wanted) for t in data.generation.tables}["archive"] == (0, 0)
    assert data.tables["archive"].sample("id", random.Random(1)) is not None


def test_a_not_null_key_to_an_empty_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "s.sql").write_text(
        EMPTY_SCHEMA.replace("archive_id bigint REFERENCES", "archive_id bigint NOT NULL REFERENCES"),
        encoding="utf-8",
    )
    inspection = _brief(tmp_path, EMPTY_BRIEF)
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    with pytest.raises(DbarchError) as err:
        generate(inspection.catalog, SqliteLoader(conn, get_traits("sqlite")), scale=1.0)
    assert "items" in str(err.value) and "archive has no rows" in str(err.value)


def test_verify_says_a_statement_on_a_briefed_empty_table_is_not_measured(tmp_path: Path) -> None:
    """The replay and the estimates at the loaded size cope with a 0-row table: the statement reading
    it is "not measured", naming the brief's rows: 0; the other is measured."""
    from dbarchitect.verify.replay import verify_design

    (tmp_path / "s.sql").write_text(EMPTY_SCHEMA, encoding="utf-8")
    inspection = _brief(tmp_path, EMPTY_BRIEF)
    v = verify_design(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        scale=1.0,
        seconds_per_statement=0.05,
        repetitions=5,
        seed=1,
    )
    by_name = {s.name: s for s in v.statements}
    assert by_name["one"].empty_tables == ("archive",)
    assert not by_name["cheap"].empty_tables and by_name["cheap"].error is None
    assert any("one: not measured" in n and "rows: 0" in n for n in v.notes)
