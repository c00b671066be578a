"""The Citus script follows Citus's rules, read back independently (``citus_rules``), and its DDL
runs on PostgreSQL 15. Citus itself cannot be installed here (no Debian or PyPI package, no
container registry): see docs/sharding.md."""

from __future__ import annotations

import pytest

from dbarchitect import api
from dbarchitect.advisors.sharding.citus import ChangeKind, adapt_catalog, citus_script
from dbarchitect.advisors.sharding.layout import Layout, Placement, PlacementKind
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName, Name
from tests.advisors.sharding.citus_rules import check_citus_script
from tests.advisors.sharding.helpers import TPCC
from tests.engine_exec import execute_script

PG = get_traits(EngineName.POSTGRESQL, "15")

SAAS_DDL = """\
CREATE TABLE plans (id integer PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    plan_id integer REFERENCES plans (id),
    slug text NOT NULL UNIQUE
);
CREATE TABLE projects (
    id bigint PRIMARY KEY,
    account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
    name text NOT NULL
);
CREATE UNIQUE INDEX projects_name_idx ON projects (name);
CREATE TABLE logs (account_id bigint, line text);
CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id),
    title text
);
"""


def saas_layout(shards: int = 8) -> Layout:
    def d(table: str, column: str, group: str = "accounts") -> Placement:
        return Placement(Name(table), PlacementKind.DISTRIBUTED, (Name(column),), group)

    return Layout(
        (
            Placement(Name("plans"), PlacementKind.REFERENCE),
            d("accounts", "id"),
            d("projects", "account_id"),
            d("tasks", "account_id"),
            d("logs", "account_id"),
        ),
        shards,
    )


def script_for(ddl: str, layout: Layout) -> str:
    return citus_script(load_ddl(ddl, EngineName.POSTGRESQL), layout, PG)[0]


def test_tpcc_script_follows_the_rules() -> None:
    advice = api.advise_sharding(TPCC)
    assert check_citus_script(advice.citus_sql) == []


def test_schema_changes_citus_needs() -> None:
    catalog = load_ddl(SAAS_DDL, EngineName.POSTGRESQL)
    adapted, changes = adapt_catalog(catalog, saas_layout())
    found = {(c.table, c.kind, c.what) for c in changes}
    assert ("accounts", ChangeKind.EXTEND_UNIQUE, "(slug) -> (slug, id)") in found
    assert ("projects", ChangeKind.EXTEND_PRIMARY_KEY, "(id) -> (id, account_id)") in found
    assert ("projects", ChangeKind.SET_NOT_NULL, "account_id NOT NULL") in found
    assert (
        "projects",
        ChangeKind.EXTEND_UNIQUE_INDEX,
        "projects_name_idx (name) -> (name, account_id)",
    ) in found
    assert ("tasks", ChangeKind.EXTEND_PRIMARY_KEY, "(id) -> (id, account_id)") in found
    assert ("logs", ChangeKind.SET_NOT_NULL, "account_id NOT NULL") in found
    # projects.account_id -> accounts.id pairs the distribution columns: kept, its SET NULL becomes NO ACTION
    assert (
        "projects",
        ChangeKind.FOREIGN_KEY_ACTION,
        "(account_id) -> accounts(id) ON DELETE SET NULL -> NO ACTION",
    ) in found
    # tasks.project_id -> projects(id) does not carry the distribution column: dropped
    assert ("tasks", ChangeKind.DROP_FOREIGN_KEY, "(project_id) -> projects(id)") in found
    # the distributed -> reference foreign key stays
    accounts = adapted.table("accounts")
    assert accounts is not None and [fk.ref_table.value for fk in accounts.foreign_keys] == ["plans"]
    assert check_citus_script(script_for(SAAS_DDL, saas_layout())) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s.replace("PRIMARY KEY (id, account_id)", "PRIMARY KEY (id)"), "primary key (id) lacks"),
        (
            lambda s: s.replace("colocate_with => 'accounts');", "colocate_with => 'none');", 1),
            "not on both distribution columns in one group",
        ),
        (
            lambda s: s.replace("SELECT create_reference_table('plans');\n", "").replace(
                "colocate_with => 'none', shard_count => 8);",
                "colocate_with => 'none', shard_count => 8);\nSELECT create_reference_table('plans');",
            ),
            "references plans, which is not placed before it",
        ),
        (
            lambda s: s.replace("account_id bigint NOT NULL,\n  line", "account_id bigint,\n  line"),
            "logs.account_id: a distribution column must be NOT NULL",
        ),
        (
            lambda s: s.replace(
                "'tasks', 'account_id', colocate_with => 'accounts'",
                "'tasks', 'account_id', colocate_with => 'accounts', shard_count => 8",
            ),
            "shard_count with colocate_with",
        ),
        (
            lambda s: s.replace(
                "SELECT create_distributed_table('tasks'", "SELECT create_reference_table('tasks'); --"
            ),
            "tasks",
        ),
    ],
)
def test_the_rule_checker_catches_broken_scripts(edit: object, expected: str) -> None:
    script = script_for(SAAS_DDL, saas_layout())
    broken = edit(script)  # type: ignore[operator]
    assert broken != script
    problems = check_citus_script(broken)
    assert any(expected in p for p in problems), problems


def test_a_reference_table_referencing_a_distributed_one_loses_the_key() -> None:
    ddl = "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE r (id int PRIMARY KEY, a_id bigint REFERENCES a (id));\n"
    layout = Layout(
        (
            Placement(Name("a"), PlacementKind.DISTRIBUTED, (Name("id"),), "a"),
            Placement(Name("r"), PlacementKind.REFERENCE),
        ),
        4,
    )
    _, changes = adapt_catalog(load_ddl(ddl, EngineName.POSTGRESQL), layout)
    assert [(c.table, c.kind) for c in changes] == [("r", ChangeKind.DROP_FOREIGN_KEY)]
    assert check_citus_script(script_for(ddl, layout)) == []


@pytest.mark.postgres
@pytest.mark.parametrize("source", ["tpcc", "saas"])
def test_the_schema_part_runs_on_postgresql(source: str, pg_scratch_db: str) -> None:
    script = api.advise_sharding(TPCC).citus_sql if source == "tpcc" else script_for(SAAS_DDL, saas_layout())
    ddl = "\n".join(line for line in script.splitlines() if not line.startswith("SELECT create_"))
    created = execute_script(pg_scratch_db, ddl)
    expected = (
        {"warehouse", "order_line", "item"}
        if source == "tpcc"
        else {"plans", "accounts", "projects", "tasks", "logs"}
    )
    assert expected <= created
