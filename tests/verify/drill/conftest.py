"""Drills start real servers from Debian's packages (scripts/test.sh installs them): a missing tool
skips a drill test locally and fails it under CI=true."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import engine_unavailable

PG_TOOLS = ("patroni", "etcd", "pgbackrest", "pgbouncer", "psql")
MARIADB_TOOLS = ("mariadbd", "mariadb-backup", "mariadb-binlog", "mariadb")


def _missing(tools: tuple[str, ...]) -> list[str]:
    return [t for t in tools if shutil.which(t) is None and not Path("/usr/sbin", t).exists()]


@pytest.fixture
def pg_drill_tools() -> None:
    missing = _missing(PG_TOOLS) + ([] if Path("/usr/lib/postgresql/15/bin/initdb").exists() else ["initdb"])
    if missing:
        engine_unavailable(f"the PostgreSQL drill needs {', '.join(missing)} (scripts/test.sh installs them)")


@pytest.fixture
def mariadb_drill_tools() -> None:
    missing = _missing(MARIADB_TOOLS)
    if missing:
        engine_unavailable(f"the MariaDB drill needs {', '.join(missing)} (scripts/test.sh installs them)")


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A scratch directory the service users can traverse: directly under /tmp (pytest's own
    /tmp/pytest-of-<user> is made private again by every pytest session that starts meanwhile)."""
    path = Path(tempfile.mkdtemp(prefix="dbarch-drill-test-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
