"""TPC-H data for tests: generated once per test session with ``tpchgen-cli``, loaded into PostgreSQL.

``tpchgen-cli`` comes with the test extra (a console script beside the venv's Python). The CSV files
of one scale factor are generated once into a temporary directory, removed when the session ends;
:func:`load_tpch` creates the project's TPC-H schema (``examples/tpch/schema.sql``, primary keys only)
in a database, COPYs the rows in and ANALYZEs, so the planner has real statistics.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from tests.conftest import scratch_name, with_database

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "examples" / "tpch" / "schema.sql"
#: Load order (referenced tables first; the schema has no foreign keys, but keep it natural).
TABLES = ("region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem")
#: Scale factor of the planner tests: about 87 000 rows in all, loads in about a second.
SMALL_SCALE = 0.01

_generated: dict[float, Path] = {}


def tpchgen_cli() -> Path:
    """The ``tpchgen-cli`` executable of this Python environment (or on PATH)."""
    beside = Path(sys.executable).parent / "tpchgen-cli"
    if beside.is_file():
        return beside
    found = shutil.which("tpchgen-cli")
    if found is None:
        raise FileNotFoundError("tpchgen-cli is not installed: pip install -e '.[test]'")
    return Path(found)


def tpch_csv_dir(scale: float = SMALL_SCALE) -> Path:
    """A directory holding ``<table>.csv`` (with header) for every TPC-H table at ``scale``; generated
    on first use in this process and removed at exit."""
    if scale not in _generated:
        directory = Path(tempfile.mkdtemp(prefix=f"dbarch_tpch_{scale}_"))
        atexit.register(shutil.rmtree, directory, True)
        subprocess.run(
            [str(tpchgen_cli()), "csv", "-s", str(scale), "--output-dir", str(directory)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        missing = [t for t in TABLES if not (directory / f"{t}.csv").is_file()]
        if missing:
            raise FileNotFoundError(f"tpchgen-cli wrote no {', '.join(missing)} in {directory}")
        _generated[scale] = directory
    return _generated[scale]


def load_tpch(url: str, scale: float = SMALL_SCALE) -> dict[str, int]:
    """Create the TPC-H schema in the (empty) PostgreSQL database at ``url``, load it and ANALYZE.
    Returns the row count of each table."""
    directory = tpch_csv_dir(scale)
    counts: dict[str, int] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA.read_text())  # type: ignore[call-overload]
        for table in TABLES:
            copy = sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)").format(sql.Identifier(table))
            with conn.cursor() as cur, cur.copy(copy) as out, (directory / f"{table}.csv").open("rb") as f:
                while block := f.read(1 << 20):
                    out.write(block)
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
            counts[table] = int(row[0]) if row else 0
        conn.execute("ANALYZE")
        # no autovacuum in the background: tests compare the database's write counters before and
        # after a read-only run, and an autovacuum of the fresh tables writes the catalog in between
        for table in TABLES:
            conn.execute(
                sql.SQL(
                    "ALTER TABLE {} SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)"
                ).format(sql.Identifier(table))
            )
    return counts


@contextmanager
def tpch_database(server_url: str, scale: float = SMALL_SCALE, *, hypopg: bool = True) -> Iterator[str]:
    """A scratch database on ``server_url`` with TPC-H loaded (and HypoPG created when asked); its URL.
    Dropped on exit. For module-scoped fixtures: loading once serves every read-only test."""
    name = scratch_name()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    url = with_database(server_url, name)
    try:
        if hypopg:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION hypopg")
        load_tpch(url, scale)
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
