"""The plan for Vitess: a VSchema — a sharded keyspace whose tables name their primary vindex, and
reference tables kept in an unsharded keyspace and copied to every shard.

The format is Vitess's ``vschema.proto`` (``Keyspace``: ``sharded``, ``vindexes``, ``tables``;
``Vindex``: ``type``, ``params``, ``owner``; ``Table``: ``type``, ``column_vindexes``,
``auto_increment``, ``columns``, ``pinned``, ``column_list_authoritative``, ``source``;
``ColumnVindex``: ``column``, ``name``, ``columns``). The rules :func:`check_vschema` applies come
from ``go/vt/vtgate/vindexes/vschema.go`` (``buildTables``) and the VSchema and reference-table
documentation (vitess.io, "VSchema", "Reference Tables"):

- a table of a sharded keyspace needs a column vindex ("missing primary col vindex for table"),
  unless it is a sequence or reference table or is pinned;
- every column vindex names a vindex the keyspace declares ("vindex %s not found for table %s"),
  with ``column`` or ``columns`` but not both;
- the first (primary) vindex must be unique ("primary vindex %s is not Unique"): ``hash`` for
  integers, ``xxhash`` for other values, both unique and functional;
- a reference table's source of truth is in an unsharded keyspace (``"type": "reference"``); its
  copy in the sharded keyspace says ``"type": "reference", "source": "<keyspace>.<table>"`` and is
  kept in sync by a Materialize workflow with ``--reference-tables``.

Co-location needs no declaration in Vitess: rows whose primary vindex columns hold the same value
map to the same keyspace id, hence the same shard, whatever their table. Nothing here runs Vitess.
"""

from __future__ import annotations

import json
from typing import Any

from dbarchitect.advisors.sharding.layout import Layout
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.types import INTEGER_KINDS

#: Vindex types Vitess predefines, and whether each is unique (Vitess docs, "Vindexes": predefined
#: vindexes).
VINDEX_TYPES: dict[str, bool] = {
    "binary": True,
    "binary_md5": True,
    "consistent_lookup": False,
    "consistent_lookup_unique": True,
    "hash": True,
    "lookup": False,
    "lookup_hash": False,
    "lookup_hash_unique": True,
    "lookup_unique": True,
    "numeric": True,
    "numeric_static_map": True,
    "region_experimental": True,
    "region_json": True,
    "reverse_bits": True,
    "unicode_loose_md5": True,
    "unicode_loose_xxhash": True,
    "xxhash": True,
}
_KEYSPACE_FIELDS = {
    "sharded",
    "vindexes",
    "tables",
    "require_explicit_routing",
    "foreign_key_mode",
    "multi_tenant_spec",
}
_VINDEX_FIELDS = {"type", "params", "owner"}
_TABLE_FIELDS = {
    "type",
    "column_vindexes",
    "auto_increment",
    "columns",
    "pinned",
    "column_list_authoritative",
    "source",
}
_COLUMN_VINDEX_FIELDS = {"column", "name", "columns"}


def vschemas(catalog: Catalog, layout: Layout, keyspace: str) -> dict[str, dict[str, Any]]:
    """Keyspace name -> its VSchema: ``keyspace`` (sharded) and ``<keyspace>_reference``
    (unsharded) when there are reference tables."""
    reference_ks = f"{keyspace}_reference"
    vindexes: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    for table in catalog.tables:
        p = layout.placement(table.name)
        if p is None:
            continue
        if not p.distributed:
            reference[table.name.value] = {"type": "reference"}
            tables[table.name.value] = {"type": "reference", "source": f"{reference_ks}.{table.name.value}"}
            continue
        column = table.column(p.columns[0])
        vindex = "hash" if column is not None and column.type.kind in INTEGER_KINDS else "xxhash"
        vindexes[vindex] = {"type": vindex}
        tables[table.name.value] = {"column_vindexes": [{"column": p.columns[0].value, "name": vindex}]}
    out: dict[str, dict[str, Any]] = {keyspace: {"sharded": True, "vindexes": vindexes, "tables": tables}}
    if reference:
        out[reference_ks] = {"sharded": False, "tables": reference}
    return out


def vschema_json(catalog: Catalog, layout: Layout, keyspace: str) -> str:
    return json.dumps(vschemas(catalog, layout, keyspace), indent=2, sort_keys=False) + "\n"


def shard_ranges(shards: int) -> tuple[str, ...]:
    """Vitess shard names for ``shards`` equal keyspace-id ranges (a power of two up to 256)."""
    if shards <= 1:
        return ("0",)
    step = 256 // shards
    bounds = [f"{i * step:02x}" for i in range(1, shards)]
    return tuple(f"{lo}-{hi}" for lo, hi in zip(["", *bounds], [*bounds, ""], strict=True))


def check_vschema(keyspaces: dict[str, Any], catalog: Catalog | None = None) -> list[str]:
    """Every rule of the module docstring the keyspaces break (empty when none); with ``catalog``,
    also every table the VSchema misses and every vindex column that is not a column."""
    problems: list[str] = []
    for name, ks in keyspaces.items():
        if not isinstance(ks, dict):
            problems.append(f"keyspace {name}: not an object")
            continue
        problems += [f"keyspace {name}: unknown field {k!r}" for k in ks if k not in _KEYSPACE_FIELDS]
        sharded = bool(ks.get("sharded", False))
        declared: dict[str, Any] = ks.get("vindexes") or {}
        for vname, vindex in declared.items():
            problems += [f"vindex {vname}: unknown field {k!r}" for k in vindex if k not in _VINDEX_FIELDS]
            if vindex.get("type") not in VINDEX_TYPES:
                problems.append(f"vindex {vname}: unknown type {vindex.get('type')!r}")
        for tname, table in (ks.get("tables") or {}).items():
            where = f"{name}.{tname}"
            problems += [f"table {where}: unknown field {k!r}" for k in table if k not in _TABLE_FIELDS]
            kind = table.get("type", "")
            if kind not in ("", "sequence", "reference"):
                problems.append(f"table {where}: type {kind!r} is neither empty, sequence nor reference")
            column_vindexes = table.get("column_vindexes") or []
            if kind == "reference":
                if column_vindexes:
                    problems.append(f"table {where}: a reference table has no column vindexes")
                source = table.get("source")
                if source is not None:
                    source_ks, _, source_table = str(source).partition(".")
                    target = keyspaces.get(source_ks)
                    if not source_table or target is None:
                        problems.append(f"table {where}: source {source!r} names no keyspace of the VSchema")
                    elif target.get("sharded"):
                        problems.append(f"table {where}: source keyspace {source_ks} is sharded")
                    elif (target.get("tables") or {}).get(source_table, {}).get("type") != "reference":
                        problems.append(f"table {where}: source {source!r} is not a reference table")
                elif sharded:
                    problems.append(f"table {where}: a reference table in a sharded keyspace needs a source")
                continue
            if sharded and kind == "" and not column_vindexes and not table.get("pinned"):
                problems.append(f"table {where}: missing primary col vindex")
            for i, cv in enumerate(column_vindexes):
                problems += [
                    f"table {where}: column_vindexes[{i}]: unknown field {k!r}"
                    for k in cv
                    if k not in _COLUMN_VINDEX_FIELDS
                ]
                if cv.get("name") not in declared:
                    problems.append(f"table {where}: vindex {cv.get('name')} not found")
                    continue
                if bool(cv.get("column")) == bool(cv.get("columns")):
                    problems.append(f"table {where}: column_vindexes[{i}] needs column or columns, not both")
                if i == 0 and not VINDEX_TYPES.get(declared[cv["name"]].get("type"), False):
                    problems.append(f"table {where}: primary vindex {cv['name']} is not unique")
                if catalog is not None and sharded:
                    t = catalog.table(tname)
                    for col in [cv.get("column")] if cv.get("column") else list(cv.get("columns") or []):
                        if t is not None and t.column(col) is None:
                            problems.append(f"table {where}: vindex column {col} is not a column")
    if catalog is not None:
        sharded_ks = [ks for ks in keyspaces.values() if isinstance(ks, dict) and ks.get("sharded")]
        for table in catalog.tables:
            if sharded_ks and not any(table.name.value in (ks.get("tables") or {}) for ks in sharded_ks):
                problems.append(f"table {table.name} is in no sharded keyspace: queries cannot route to it")
    return problems
