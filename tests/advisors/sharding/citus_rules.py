"""An independent reading of an emitted Citus script: the DDL is loaded back with dbarchitect's DDL
reader, the ``create_*`` calls are parsed, and Citus's rules are checked again on what was read —
not on the advisor's own data. The rules (Citus source, ``foreign_constraint.c``,
``create_distributed_table``; docs "Creating and Modifying Distributed Tables"):

1. every table is made distributed or a reference table exactly once;
2. a distribution column exists and is NOT NULL;
3. ``shard_count`` only starts a group (``colocate_with => 'none'``); ``colocate_with`` names a table
   distributed earlier, whose distribution column has the same type;
4. a table referenced by a foreign key is distributed (or a reference table) before the table that
   references it;
5. a distributed table's primary key, unique constraints and unique indexes include its
   distribution column;
6. foreign keys: reference -> distributed is refused; distributed -> distributed needs one group and
   both distribution columns at the same position; one that includes the referencing distribution
   column cannot ON DELETE SET NULL / SET DEFAULT nor ON UPDATE SET NULL / SET DEFAULT / CASCADE.
"""

from __future__ import annotations

import re

from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import ReferentialAction
from dbarchitect.model.names import EngineName

_REFERENCE = re.compile(r"^SELECT create_reference_table\('(?P<table>[^']+)'\);$")
_DISTRIBUTED = re.compile(
    r"^SELECT create_distributed_table\('(?P<table>[^']+)', '(?P<column>[^']+)'"
    r"(?:, colocate_with => '(?P<colocate>[^']+)')?(?:, shard_count => (?P<shards>\d+))?\);$"
)


def check_citus_script(script: str) -> list[str]:
    """Every rule the script breaks (empty when it follows them all)."""
    ddl_lines, calls = [], []
    for line in script.splitlines():
        (calls if line.startswith("SELECT create_") else ddl_lines).append(line)
    catalog = load_ddl("\n".join(ddl_lines), EngineName.POSTGRESQL)
    problems: list[str] = []
    kind: dict[str, str] = {}
    column_of: dict[str, str] = {}
    group: dict[str, str] = {}
    for call in calls:
        ref, dist = _REFERENCE.match(call), _DISTRIBUTED.match(call)
        if ref is None and dist is None:
            problems.append(f"unreadable call: {call}")
            continue
        name = (ref or dist).group("table").strip('"')  # type: ignore[union-attr]
        table = catalog.table(name)
        if table is None:
            problems.append(f"{name}: no such table")
            continue
        if name in kind:
            problems.append(f"{name}: placed twice")
        for fk in table.foreign_keys:
            parent = fk.ref_table.value
            if parent != name and parent not in kind:
                problems.append(f"{name}: references {parent}, which is not placed before it")
        if ref is not None:
            kind[name] = "reference"
            continue
        assert dist is not None
        kind[name] = "distributed"
        column = dist.group("column")
        col = table.column(column)
        if col is None:
            problems.append(f"{name}: no column {column}")
            continue
        column_of[name] = column
        if col.nullable:
            problems.append(f"{name}.{column}: a distribution column must be NOT NULL")
        colocate, shards = dist.group("colocate"), dist.group("shards")
        if shards is not None and colocate not in (None, "none", "default"):
            problems.append(f"{name}: shard_count with colocate_with {colocate}")
        if colocate in (None, "none", "default"):
            group[name] = name
        else:
            leader = colocate.strip('"')
            if kind.get(leader) != "distributed":
                problems.append(f"{name}: colocate_with {leader}, which is not distributed before it")
                group[name] = name
            else:
                group[name] = group[leader]
                leader_col = catalog.table(leader).column(column_of[leader])  # type: ignore[union-attr]
                if leader_col is None or leader_col.type != col.type:
                    problems.append(f"{name}.{column}: type differs from {leader}'s distribution column")
        keys = [("primary key", table.primary_key.columns)] if table.primary_key else []
        keys += [("unique constraint", u.columns) for u in table.uniques]
        keys += [(f"unique index {i.name}", i.columns) for i in table.indexes if i.unique]
        for what, columns in keys:
            if not any(c.matches(column) for c in columns):
                problems.append(f"{name}: {what} ({', '.join(c.value for c in columns)}) lacks {column}")
    for table in catalog.tables:
        name = table.name.value
        if name not in kind:
            problems.append(f"{name}: neither distributed nor a reference table")
            continue
        for fk in table.foreign_keys:
            parent = fk.ref_table.value
            if kind.get(parent) is None:
                continue
            if kind[name] == "reference":
                if kind[parent] == "distributed":
                    problems.append(f"{name} -> {parent}: reference table referencing a distributed one")
                continue
            mine = column_of.get(name, "")
            position = [i for i, c in enumerate(fk.columns) if c.matches(mine)]
            if kind[parent] == "distributed":
                theirs = [i for i, c in enumerate(fk.ref_columns) if c.matches(column_of.get(parent, ""))]
                if group.get(name) != group.get(parent) or not position or position != theirs:
                    problems.append(f"{name} -> {parent}: not on both distribution columns in one group")
            if position:
                bad_delete = fk.on_delete in (ReferentialAction.SET_NULL, ReferentialAction.SET_DEFAULT)
                bad_update = fk.on_update in (
                    ReferentialAction.SET_NULL,
                    ReferentialAction.SET_DEFAULT,
                    ReferentialAction.CASCADE,
                )
                if bad_delete or bad_update:
                    problems.append(f"{name} -> {parent}: action on the distribution column")
    return problems
