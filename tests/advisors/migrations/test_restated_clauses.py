"""A clause the catalog does not carry (COLLATE, ON UPDATE, ZEROFILL, SQLite's AUTOINCREMENT) that both
sides keep is lost when the plan writes its column out again: MySQL/MariaDB's MODIFY COLUMN restates
the whole column, SQLite rebuilds the whole table. The plan names each as not planned instead of
dropping it silently; where the column is left alone, nothing is said."""

from __future__ import annotations

import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName

CASES = [
    # (engine, before, after, what must be named; None: nothing)
    (
        EngineName.SQLITE,
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT COLLATE NOCASE, n TEXT);",
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT COLLATE NOCASE, n TEXT NOT NULL);",
        ["column property a.id: AUTOINCREMENT: the plan rebuilds table a", "a.email: COLLATE NOCASE"],
    ),
    (
        EngineName.SQLITE,
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT);",
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT, m TEXT);",  # ADD COLUMN: no rebuild
        None,
    ),
    (
        EngineName.MARIADB,
        "CREATE TABLE a (id bigint PRIMARY KEY, email varchar(100) COLLATE utf8mb4_bin) ENGINE=InnoDB;",
        "CREATE TABLE a (id bigint PRIMARY KEY, email varchar(200) COLLATE utf8mb4_bin) ENGINE=InnoDB;",
        ["column property a.email: COLLATE utf8mb4_bin: the plan restates column a.email (MODIFY COLUMN)"],
    ),
    (
        EngineName.MARIADB,
        "CREATE TABLE a (id bigint PRIMARY KEY, u timestamp NULL DEFAULT CURRENT_TIMESTAMP "
        "ON UPDATE CURRENT_TIMESTAMP) ENGINE=InnoDB;",
        "CREATE TABLE a (id bigint PRIMARY KEY, u timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP "
        "ON UPDATE CURRENT_TIMESTAMP) ENGINE=InnoDB;",
        ["a.u: ON UPDATE CURRENT_TIMESTAMP"],
    ),
    (
        EngineName.MARIADB,
        "CREATE TABLE a (id bigint PRIMARY KEY, email varchar(100) COLLATE utf8mb4_bin, n int) ENGINE=InnoDB;",
        "CREATE TABLE a (id bigint PRIMARY KEY, email varchar(100) COLLATE utf8mb4_bin, n bigint) ENGINE=InnoDB;",
        None,  # another column is modified: email's clause stays
    ),
]


@pytest.mark.parametrize(("engine", "before", "after", "named"), CASES)
def test_clauses_a_restated_column_would_lose_are_named(
    engine: EngineName, before: str, after: str, named: list[str] | None
) -> None:
    version = "10.11" if engine == EngineName.MARIADB else None
    plan = plan_migration(load_ddl(before, engine), load_ddl(after, engine), get_traits(engine, version))
    restated = [u for u in plan.unplanned if "which would drop this clause" in u]
    if named is None:
        assert restated == []
    else:
        assert len(restated) == len(named)
        for text in named:
            assert any(text in u for u in restated), (text, restated)
