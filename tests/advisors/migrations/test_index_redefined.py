"""An index defined again under its own name on MariaDB (InnoDB): the plan drops and adds it in one
ALTER TABLE. Creating the new one first failed ("Duplicate key name"), and dropping the old one first
is refused while a foreign key uses it. Applied up and down on real MariaDB 10.11, with rows."""

from __future__ import annotations

import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import apply_mariadb
from tests.engine_exec import execute_script

MARIADB = EngineName.MARIADB
PARENT = "CREATE TABLE accounts (id bigint PRIMARY KEY) ENGINE=InnoDB;\n"
CASES = {
    "an index a foreign key uses gains a column": (
        "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL, placed_at datetime NOT NULL, "
        "KEY orders_account_idx (account_id), CONSTRAINT orders_account_fk FOREIGN KEY (account_id) "
        "REFERENCES accounts (id)) ENGINE=InnoDB;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL, placed_at datetime NOT NULL, "
        "KEY orders_account_idx (account_id, placed_at), CONSTRAINT orders_account_fk FOREIGN KEY (account_id) "
        "REFERENCES accounts (id)) ENGINE=InnoDB;",
    ),
    "an index's columns change": (
        "CREATE TABLE orders (id bigint PRIMARY KEY, placed_at datetime NOT NULL, KEY orders_placed (placed_at)) "
        "ENGINE=InnoDB;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, placed_at datetime NOT NULL, "
        "KEY orders_placed (placed_at DESC, id)) ENGINE=InnoDB;",
    ),
    "an index becomes unique": (
        "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(20) NOT NULL, KEY orders_code (code)) ENGINE=InnoDB;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(20) NOT NULL, UNIQUE KEY orders_code (code)) "
        "ENGINE=InnoDB;",
    ),
}
ROWS = {
    "an index a foreign key uses gains a column": "INSERT INTO accounts VALUES (1); "
    "INSERT INTO orders VALUES (1, 1, '2026-01-01 00:00:00');",
    "an index's columns change": "INSERT INTO orders VALUES (1, '2026-01-01 00:00:00');",
    "an index becomes unique": "INSERT INTO orders VALUES (1, 'a'), (2, 'b');",
}


def _indexes(url: str) -> list[tuple[str, tuple[str, ...], bool]]:
    table = introspect(url).table("orders")
    assert table is not None
    return sorted(
        (i.name.value, tuple(c.value for c in i.columns), i.unique) for i in table.indexes
    ) + sorted(("unique", tuple(c.value for c in u.columns), True) for u in table.uniques)


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_index_redefined_under_its_name_applies_up_and_down(case: str, mariadb_scratch_db: str) -> None:
    traits = get_traits(MARIADB, "10.11")
    before_sql, after_sql = CASES[case]
    before, after = load_ddl(PARENT + before_sql, MARIADB), load_ddl(PARENT + after_sql, MARIADB)
    plan = plan_migration(before, after, traits)
    if case != "an index becomes unique":  # that one is a unique constraint, added by its own step
        (step,) = [s for s in plan.steps if "redefine index" in s.description]
        assert step.sql[0].startswith("ALTER TABLE orders DROP INDEX ") and ", ADD " in step.sql[0]
    execute_script(mariadb_scratch_db, render_schema(before, traits) + "\n" + ROWS[case])
    start = _indexes(mariadb_scratch_db)
    apply_mariadb(mariadb_scratch_db, plan.steps)
    target = load_ddl(PARENT + after_sql, MARIADB)
    assert _indexes(mariadb_scratch_db) != start
    assert plan_migration(introspect(mariadb_scratch_db), target, traits).steps == ()
    apply_mariadb(mariadb_scratch_db, plan_migration(after, before, traits).steps)
    assert _indexes(mariadb_scratch_db) == start
