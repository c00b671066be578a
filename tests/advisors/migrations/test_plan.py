"""Unit tests of the planner: order, lock annotations read from the engine facts, safe patterns per
engine version, refusals, rename hints, durations, and the renderers."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from dbarchitect.advisors.migrations import (
    DataLossError,
    Phase,
    compare,
    likely_renames,
    plan_json,
    plan_markdown,
    plan_migration,
    plan_sql_by_phase,
)
from dbarchitect.advisors.migrations.render import alembic_revision
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import DdlKind, EngineTraits
from dbarchitect.errors import CatalogError, UnsupportedError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import Catalog, Partition
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.ops import CreateTable, DropForeignKey, DropTable
from tests.advisors.migrations.test_corpus import PAIRS, load_pair

PG = get_traits(EngineName.POSTGRESQL, "15")
MARIADB = get_traits(EngineName.MARIADB, "10.11")
SQLITE = get_traits(EngineName.SQLITE)
PAIR = {p.name.split("_", 1)[1]: p for p in PAIRS}


def _pair(name: str) -> tuple[Catalog, Catalog, dict[str, object]]:
    return load_pair(PAIR[name])


def _ddl(text: str) -> Catalog:
    return load_ddl(text, EngineName.POSTGRESQL)


# -- compare ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("directory", PAIRS, ids=lambda p: p.name)
def test_compare_with_itself_is_empty(directory: Path) -> None:
    a, b, _ = load_pair(directory)
    assert compare(a, a) == ()
    assert compare(b, b) == ()


def test_tables_are_created_parents_first_and_dropped_children_first() -> None:
    a, b, _ = _pair("two_new_tables_dependency")
    created = [op.table.name.value for op in compare(a, b) if isinstance(op, CreateTable)]
    assert created == ["orders", "order_lines"]
    dropped = [op.name.value for op in compare(b, a) if isinstance(op, DropTable)]
    assert dropped == ["order_lines", "orders"]


def test_foreign_keys_are_dropped_before_the_tables_they_point_to() -> None:
    a = _ddl(
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id int, "
        "CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id));"
    )
    b = _ddl("CREATE TABLE c (id int PRIMARY KEY, p_id int);")
    ops = compare(a, b)
    kinds = [type(op) for op in ops]
    assert kinds.index(DropForeignKey) < kinds.index(DropTable)


def test_likely_renames_are_reported_and_a_hint_resolves_them() -> None:
    a, b, meta = _pair("rename_column")
    hints = likely_renames(a, b)
    assert [(h.kind, h.key, h.new) for h in hints] == [("column", "users.name", "full_name")]
    assert hints[0].entry == "users.name: full_name"
    assert likely_renames(a, b, meta["renames"]) == ()  # type: ignore[arg-type]
    a, b, meta = _pair("rename_table")
    assert [(h.kind, h.key, h.new) for h in likely_renames(a, b)] == [("table", "users", "members")]


def test_a_rename_without_a_hint_is_refused_and_the_message_gives_the_hint() -> None:
    a, b, _ = _pair("rename_column")
    with pytest.raises(DataLossError) as info:
        plan_migration(a, b, PG)
    message = str(info.value)
    assert "drop column users.name" in message and "renames: (users.name: full_name)" in message
    plan = plan_migration(a, b, PG, allow_data_loss=True)
    assert plan.rename_hints and any("looks like a rename" in n for n in plan.notes)


def test_unknown_rename_names_get_a_did_you_mean() -> None:
    a, b, _ = _pair("rename_column")
    with pytest.raises(CatalogError, match="did you mean 'name'"):
        plan_migration(a, b, PG, renames={"users.nmae": "full_name"})
    with pytest.raises(CatalogError, match="did you mean 'users'"):
        plan_migration(a, b, PG, renames={"usres": "members"})


@pytest.mark.parametrize(
    ("pair", "lost"),
    [
        ("drop_column", "drop column users.age"),
        ("drop_table", "drop table orders"),
        ("varchar_narrow", "change events.label from varchar(50) to varchar(20)"),
    ],
)
def test_data_losing_steps_are_refused_unless_allowed(pair: str, lost: str) -> None:
    a, b, _ = _pair(pair)
    with pytest.raises(DataLossError, match="would lose data") as info:
        plan_migration(a, b, PG)
    assert lost in str(info.value)
    plan = plan_migration(a, b, PG, allow_data_loss=True)
    assert any(lost in x for x in plan.data_loss)
    if pair != "varchar_narrow":
        assert any("the dropped data is gone" in x for x in plan.irreversible)


def test_widening_is_not_data_loss() -> None:
    for pair in ("int_to_bigint", "varchar_widen", "varchar_to_text", "decimal_widen"):
        a, b, _ = _pair(pair)
        assert plan_migration(a, b, PG).data_loss == ()


def test_enum_append_is_planned_and_its_rollback_is_declared_irreversible() -> None:
    a, b, _ = _pair("add_enum_value")
    plan = plan_migration(a, b, PG)
    step = next(s for s in plan.steps if s.kind == DdlKind.ENUM_ADD_VALUE)
    assert step.sql == ("ALTER TYPE ticket_state ADD VALUE 'archived' AFTER 'closed'",)
    assert any("DROP VALUE" in r for r in plan.irreversible)
    with pytest.raises(UnsupportedError, match="removed or reordered"):
        plan_migration(b, a, PG)


def test_partitioning_changes_copy_the_table_and_need_a_primary_key() -> None:
    a = _ddl("CREATE TABLE m (id int NOT NULL, at date NOT NULL);")
    b = _ddl("CREATE TABLE m (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);")
    with pytest.raises(UnsupportedError, match="partitioning of m changes, and it has no primary key"):
        plan_migration(a, b, PG)
    a = _ddl("CREATE TABLE m (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at));")
    b = _ddl(
        "CREATE TABLE m (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);"
    )
    steps = [s.description for s in plan_migration(a, b, PG).steps]
    assert steps[0].startswith("expand: create m__new, m partitioned by RANGE (at)")
    assert steps[-2:] == [
        "switch: m__new becomes m (renames in one short transaction)",
        "contract: drop the old m (now m__old) and the progress table",
    ]


# -- lock annotations from the facts ----------------------------------------------------------------


def _fact(traits: EngineTraits, kind: DdlKind) -> tuple[str, bool, bool]:
    f = traits.migration.locks[kind]
    return f.lock, f.rewrites, f.scans


def test_postgres_index_is_built_concurrently_outside_a_transaction_and_checked() -> None:
    a, b, _ = _pair("create_index")
    (step,) = plan_migration(a, b, PG).steps
    assert step.sql[0].startswith("CREATE INDEX CONCURRENTLY users_name_idx")
    assert not step.transactional
    assert (step.lock, step.rewrites, step.scans) == _fact(PG, DdlKind.CREATE_INDEX_ONLINE)
    assert not PG.migration.locks[DdlKind.CREATE_INDEX_ONLINE].blocks_writes
    assert step.check_sql is not None and "indisvalid" in step.check_sql
    assert step.on_failure_sql == ("DROP INDEX CONCURRENTLY IF EXISTS users_name_idx",)
    assert step.session_sql == PG.migration.no_lock_timeout_sql


def test_postgres_foreign_key_and_check_are_added_not_valid_then_validated() -> None:
    for pair, validate in (
        ("add_foreign_key", DdlKind.VALIDATE_FOREIGN_KEY),
        ("add_check", DdlKind.VALIDATE_CHECK),
    ):
        a, b, _ = _pair(pair)
        first, second = plan_migration(a, b, PG).steps
        assert first.sql[0].endswith("NOT VALID") and not first.scans
        assert second.kind == validate and "VALIDATE CONSTRAINT" in second.sql[0]
        assert second.scans and not second.blocks_writes
        assert first.transactional and second.transactional  # two transactions, not one


def test_set_not_null_uses_a_validated_check_from_postgres_12() -> None:
    a, b, _ = _pair("set_not_null")
    steps = plan_migration(a, b, PG).steps
    assert [s.kind for s in steps] == [
        DdlKind.ADD_CHECK_NOT_VALID,
        DdlKind.VALIDATE_CHECK,
        DdlKind.SET_NOT_NULL_PROVEN,
        DdlKind.DROP_CONSTRAINT,
    ]
    assert not steps[2].scans  # proven by the check: no scan under ACCESS EXCLUSIVE
    old = get_traits(EngineName.POSTGRESQL, "11")
    (step,) = plan_migration(a, b, old).steps
    assert step.kind == DdlKind.SET_NOT_NULL and step.scans


def test_unique_is_built_concurrently_then_attached_using_the_index() -> None:
    a, b, _ = _pair("add_unique")
    build, attach = plan_migration(a, b, PG).steps
    assert build.sql == ("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email)",)
    assert attach.sql == (
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key",
    )


def test_int_to_bigint_is_expanded_backfilled_switched_and_contracted() -> None:
    a, b, _ = _pair("int_to_bigint_not_null")
    plan = plan_migration(a, b, PG, sizes={"events": 5_000_000})
    phases = [s.phase for s in plan.steps]
    assert phases == sorted(phases, key=[Phase.EXPAND, Phase.BACKFILL, Phase.CONTRACT].index)
    backfill = next(s for s in plan.steps if s.kind == DdlKind.BACKFILL)
    # one DO block walking key ranges of the primary key, committing each batch (backfill.py)
    assert not backfill.repeat_until_no_rows and not backfill.transactional
    assert backfill.sql[0].startswith("DO $dbarch_backfill$") and "COMMIT;" in backfill.sql[0]
    assert "WHERE id >= lo_0 AND id <= hi_0" in backfill.sql[0]
    assert backfill.estimated_seconds == pytest.approx(5_000_000 / PG.migration.rates.backfill)
    assert any(s.kind == DdlKind.CREATE_TRIGGER for s in plan.steps)
    assert not any(s.rewrites for s in plan.steps), "no step may rewrite the table under its lock"
    assert plan.reordered_tables == ("events",)


def test_type_change_of_a_key_column_is_a_direct_rewrite_with_the_reason() -> None:
    a = _ddl("CREATE TABLE t (id int PRIMARY KEY);")
    b = _ddl("CREATE TABLE t (id bigint PRIMARY KEY);")
    (step,) = plan_migration(a, b, PG).steps
    assert step.rewrites and "not expanded because id is in the primary key" in step.notes[0]


def test_mariadb_steps_assert_algorithm_and_lock_and_say_when_only_copy_exists() -> None:
    a, b, _ = _pair("int_to_bigint")
    (step,) = plan_migration(a, b, MARIADB).steps
    fact = MARIADB.migration.locks[DdlKind.ALTER_TYPE_REWRITE]
    assert step.sql[0].endswith(f"ALGORITHM={fact.algorithm}, LOCK={fact.online_lock}")
    assert fact.algorithm == "COPY" and any("only ALGORITHM=COPY is possible" in n for n in step.notes)
    a, b, _ = _pair("add_column_nullable")
    (step,) = plan_migration(a, b, MARIADB).steps
    add = MARIADB.migration.locks[DdlKind.ADD_COLUMN]
    assert step.sql[0].endswith(f"ALGORITHM={add.algorithm}, LOCK={add.online_lock}")
    assert "AFTER created_at" in step.sql[0]


def test_sqlite_rebuilds_what_alter_table_cannot_do() -> None:
    a, b, _ = _pair("set_not_null")
    (step,) = plan_migration(a, b, SQLITE).steps
    assert step.kind == DdlKind.TABLE_REBUILD and step.rewrites
    assert [s.split(" ", 2)[:2] for s in step.sql[:4]] == [
        ["CREATE", "TABLE"],
        ["INSERT", "INTO"],
        ["DROP", "TABLE"],
        ["ALTER", "TABLE"],
    ]
    a, b, _ = _pair("add_column_nullable")
    (step,) = plan_migration(a, b, SQLITE).steps
    assert step.kind == DdlKind.ADD_COLUMN


def test_every_step_bounds_its_lock_wait_and_the_advice_explains_deadlock_timeout() -> None:
    a, b, _ = _pair("many_changes")
    plan = plan_migration(a, b, PG)
    for s in plan.steps:
        assert s.session_sql in (PG.migration.lock_timeout_sql, PG.migration.no_lock_timeout_sql)
    assert "deadlock_timeout" in plan.lock_timeout_advice


def test_durations_follow_the_rows_per_second_model() -> None:
    a, b, _ = _pair("create_index")
    (step,) = plan_migration(a, b, PG, sizes={"users": 2_000_000}).steps
    assert step.estimated_seconds == pytest.approx(2_000_000 / PG.migration.rates.index_build)
    (step,) = plan_migration(a, b, PG).steps
    assert step.estimated_seconds is None  # no row count: no guess
    a, b, _ = _pair("set_default")
    (step,) = plan_migration(a, b, PG, sizes={"users": 2_000_000}).steps
    assert step.estimated_seconds == 0.0  # metadata only


# -- renderers ----------------------------------------------------------------------------------------


def test_sql_per_phase_wraps_transactional_steps_only() -> None:
    a, b, _ = _pair("int_to_bigint")
    plan = plan_migration(a, b, PG)
    scripts = plan_sql_by_phase(plan, PG)
    assert list(scripts) == [Phase.EXPAND, Phase.BACKFILL, Phase.CONTRACT]
    assert "RENAME COLUMN counter__new TO counter" in scripts[Phase.CONTRACT]
    a, b, _ = _pair("create_index")
    text = plan_sql_by_phase(plan_migration(a, b, PG), PG)[Phase.EXPAND]
    assert "BEGIN" not in text and "CREATE INDEX CONCURRENTLY" in text


def test_json_markdown_and_alembic() -> None:
    a, b, _ = _pair("many_changes")
    plan = plan_migration(a, b, PG)
    data = json.loads(json.dumps(plan_json(plan)))
    assert len(data["steps"]) == len(plan.steps) and len(data["down"]) == len(plan.down)
    assert data["steps"][0]["lock"] == plan.steps[0].lock
    md = plan_markdown(plan)
    assert "## Expand" in md and "## Down-plan" in md
    a2, b2, _ = _pair("create_index")
    revision = alembic_revision(plan_migration(a2, b2, PG), revision="abc123", down_revision="000")
    compile(revision, "revision.py", "exec")
    assert "autocommit_block" in revision and "op.execute('CREATE INDEX CONCURRENTLY" in revision
    assert "def downgrade() -> None:" in revision
    same = plan_migration(a, a, PG)
    assert same.steps == () and "nothing to do" in plan_markdown(same)


def test_a_per_row_default_is_added_bare_then_backfilled_without_a_rewrite() -> None:
    a, b, _ = _pair("add_column_volatile_default")
    plan = plan_migration(a, b, PG, sizes={"users": 1_000_000})
    assert PG.migration.locks[DdlKind.ADD_COLUMN_REWRITE].rewrites  # what the naive statement would do
    assert not any(s.rewrites for s in plan.steps)
    backfill = next(s for s in plan.steps if s.kind == DdlKind.BACKFILL)
    assert "random()" in backfill.sql[0].lower() and backfill.sql[0].startswith("DO $dbarch_backfill$")
    assert plan.steps[-2].kind == DdlKind.SET_NOT_NULL_PROVEN


def test_mysql_uses_its_own_algorithms_by_version() -> None:
    a, b, _ = _pair("drop_column")
    for version, algorithm in (("8.0.28", "INPLACE"), ("8.0.29", "INSTANT")):
        traits = get_traits(EngineName.MYSQL, version)
        (step,) = plan_migration(a, b, traits, allow_data_loss=True).steps
        assert step.algorithm == algorithm
    a, b, _ = _pair("drop_index")
    (step,) = plan_migration(a, b, get_traits(EngineName.MYSQL, "8.0")).steps
    assert "ALGORITHM=INPLACE" in step.sql[0]  # MySQL has no NOCOPY


def test_identity_changes_are_not_silently_ignored() -> None:
    a = _ddl("CREATE TABLE t (id bigint PRIMARY KEY, x int);")
    b = _ddl("CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x int);")
    with pytest.raises(UnsupportedError, match=r"t\.id becomes an identity column"):
        plan_migration(a, b, PG)


def test_views_reading_a_retyped_table_are_recreated_around_the_change() -> None:
    a, b, _ = _pair("retype_column_read_by_view")
    kinds = [type(op).__name__ for op in compare(a, b)]
    assert kinds == ["DropView", "AlterColumnType", "CreateView"]


def test_a_type_change_backfill_compares_values_as_text() -> None:
    """json has no equality operator: the backfill and its check compare the copy as text (was
    `c__new IS DISTINCT FROM c::json`: 'operator does not exist: json = json')."""
    old = load_ddl("CREATE TABLE t (id integer PRIMARY KEY, c jsonb);\n", EngineName.POSTGRESQL)
    new = load_ddl("CREATE TABLE t (id integer PRIMARY KEY, c json);\n", EngineName.POSTGRESQL)
    for plan in (
        plan_migration(old, new, PG, allow_data_loss=True),
        plan_migration(new, old, PG, allow_data_loss=True),
    ):
        backfill = next(s for s in plan.steps if s.kind == DdlKind.BACKFILL)
        text = " ".join([*backfill.sql, backfill.check_sql or ""])
        assert text.count("c__new::text IS DISTINCT FROM (c::") == 2
        assert "c__new IS DISTINCT FROM" not in text


def test_mariadb_fulltext_index_is_built_with_the_lock_it_needs_and_prefix_changes_are_named() -> None:
    mariadb = get_traits(EngineName.MARIADB, "10.11")
    table = "CREATE TABLE orders (id int PRIMARY KEY, code varchar(20){});\n"
    plain = load_ddl(table.format(""), EngineName.MARIADB)
    fulltext = load_ddl(table.format(", FULLTEXT KEY orders_code_ft (code)"), EngineName.MARIADB)
    step = plan_migration(plain, fulltext, mariadb).steps[0]
    # InnoDB refuses LOCK=NONE for a full-text index (was: the step failed to apply)
    assert step.sql[0].endswith("ALGORITHM=INPLACE LOCK=SHARED") and step.blocks_writes
    prefix = load_ddl(table.format(", KEY orders_code_idx (code(5))"), EngineName.MARIADB)
    whole = load_ddl(table.format(", KEY orders_code_idx (code)"), EngineName.MARIADB)
    for a, b in ((whole, prefix), (prefix, whole)):
        plan = plan_migration(a, b, mariadb)
        assert [u.split(":")[0] for u in plan.unplanned] == ["index property orders.orders_code_idx"]


def test_widening_a_serial_widens_its_sequence() -> None:
    """serial -> bigserial: the column becomes bigint and so does its sequence (was: the sequence
    stayed integer and still stopped at 2,147,483,647, the overflow the change was for)."""
    old = load_ddl("CREATE TABLE s (id serial PRIMARY KEY, v text);\n", EngineName.POSTGRESQL)
    new = load_ddl("CREATE TABLE s (id bigserial PRIMARY KEY, v text);\n", EngineName.POSTGRESQL)
    plan = plan_migration(old, new, PG)
    sql = [s for step in plan.steps for s in step.sql]
    assert "ALTER SEQUENCE %s AS bigint', pg_get_serial_sequence('s', 'id')" in "\n".join(sql)
    down = [s for step in plan.down for s in step.sql]
    assert "ALTER SEQUENCE %s AS integer', pg_get_serial_sequence('s', 'id')" in "\n".join(down)


def test_partitions_added_to_or_removed_from_a_partitioned_table_are_created_or_detached() -> None:
    """Adding a partition was planned as a re-partition whose new partitions took the current ones'
    names ('relation "events_2025" already exists'); it is CREATE TABLE ... PARTITION OF, and a
    removed partition is detached and dropped (its rows lost: allow_data_loss). A partition whose
    bounds change still needs a re-partition: refused, naming the partitions."""
    rng = (
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
    )
    more = "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"
    one, two = (load_ddl(sql, EngineName.POSTGRESQL) for sql in (rng, rng + more))
    plan = plan_migration(one, two, PG)
    assert [s.sql for s in plan.steps] == [
        ("CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",)
    ]
    assert plan.steps[0].blocks_writes
    assert [s.sql for s in plan.down] == [
        ("ALTER TABLE events DETACH PARTITION events_2026", "DROP TABLE events_2026")
    ]
    with pytest.raises(DataLossError, match="drop partition events_2026 of events: its rows"):
        plan_migration(two, one, PG)
    wider = load_ddl(rng.replace("2026-01-01", "2026-06-01"), EngineName.POSTGRESQL)
    with pytest.raises(UnsupportedError, match=r"partitions of events.*\(events_2025\)"):
        plan_migration(one, wider, PG)


def test_an_explicit_timestamp_precision_of_6_is_kept() -> None:
    old = load_ddl("CREATE TABLE t (id integer PRIMARY KEY, c timestamp(0));\n", EngineName.POSTGRESQL)
    new = load_ddl("CREATE TABLE t (id integer PRIMARY KEY, c timestamp(6));\n", EngineName.POSTGRESQL)
    sql = "\n".join(s for step in plan_migration(old, new, PG, allow_data_loss=True).steps for s in step.sql)
    assert "ADD COLUMN c__new timestamp(6)" in sql


def test_a_mariadb_column_check_is_refused_by_name_not_planned_as_a_table_check() -> None:
    """MariaDB keeps `code varchar(20) CHECK (...)` as the column's check: ADD CONSTRAINT made a table
    check instead (silently different), DROP CONSTRAINT code failed ('check that it exists')."""
    mariadb = get_traits(EngineName.MARIADB, "10.11")
    plain = load_ddl("CREATE TABLE o (id int PRIMARY KEY, qty int, code varchar(20));\n", EngineName.MARIADB)
    inline = load_ddl(
        "CREATE TABLE o (id int PRIMARY KEY, qty int, code varchar(20) CHECK (qty > 0));\n",
        EngineName.MARIADB,
    )
    for a, b in ((plain, inline), (inline, plain)):
        with pytest.raises(UnsupportedError, match=r"check code \(qty > 0\) of column o\.code"):
            plan_migration(a, b, mariadb)
    # on PostgreSQL a column's CHECK is a table constraint like any other
    pg = [load_ddl(x, EngineName.POSTGRESQL) for x in (
        "CREATE TABLE o (id int PRIMARY KEY, qty int, code varchar(20));\n",
        "CREATE TABLE o (id int PRIMARY KEY, qty int, code varchar(20) CHECK (qty > 0));\n",
    )]  # fmt: skip
    assert plan_migration(pg[0], pg[1], PG).steps


def test_mariadb_hash_partitions_compare_as_their_count_and_the_method_is_named() -> None:
    mariadb = get_traits(EngineName.MARIADB, "10.11")
    table = "CREATE TABLE shards (id int NOT NULL PRIMARY KEY) PARTITION BY {}"
    counted = load_ddl(table.format("HASH (id) PARTITIONS 2;"), EngineName.MARIADB)
    # as the database lists them (p0, p1): the same partitioning, nothing to re-create
    t = counted.tables[0]
    assert t.partitioning is not None
    parts = (Partition(Name("p0")), Partition(Name("p1")))
    listed = dataclasses.replace(
        counted,
        tables=(dataclasses.replace(t, partitioning=dataclasses.replace(t.partitioning, partitions=parts)),),
    )
    plan = plan_migration(listed, counted, mariadb)
    assert not plan.steps and not plan.unplanned
    # HASH is not the KEY the tool writes: a new HASH table is named, not made KEY silently
    plan = plan_migration(load_ddl("", EngineName.MARIADB), counted, mariadb)
    assert plan.unplanned == (
        "table property shards partitioning: PARTITION BY HASH: this clause is not planned (the catalog "
        "does not carry it); apply it by hand",
    )
    # a dropped table's clauses go with it
    plan = plan_migration(counted, load_ddl("", EngineName.MARIADB), mariadb, allow_data_loss=True)
    assert not plan.unplanned


def test_changes_to_a_table_with_inheritance_are_refused_by_name() -> None:
    """A database lists a child's inherited columns as its own, a file does not: the plan dropped
    them (failed: 'cannot drop inherited column')."""
    parent = "CREATE TABLE t (id integer PRIMARY KEY, v text);\n"
    live_like = load_ddl(
        parent + "CREATE TABLE t2 (id integer, v text, extra integer) INHERITS (t);\n", EngineName.POSTGRESQL
    )
    file = load_ddl(parent + "CREATE TABLE t2 (extra integer) INHERITS (t);\n", EngineName.POSTGRESQL)
    with pytest.raises(UnsupportedError, match=r"not planned: t2: the table inherits from another"):
        plan_migration(live_like, file, PG, allow_data_loss=True)
    # dropping the child is planned
    assert plan_migration(file, load_ddl(parent, EngineName.POSTGRESQL), PG, allow_data_loss=True).steps
