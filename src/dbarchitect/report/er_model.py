"""What the ER diagram shows: tables with their columns and keys, the relationships their foreign
keys declare, and those the workload's joins imply where none is declared (SchemaSpy's "implied
relationships"), from the report document (``report.document``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErColumn:
    name: str
    type: str
    nullable: bool
    pk: bool = False
    fk: bool = False
    unique: bool = False


@dataclass(frozen=True)
class ErTable:
    name: str
    columns: tuple[ErColumn, ...]
    rows: float | None = None


@dataclass(frozen=True)
class ErRelation:
    """``child.child_columns`` references ``parent.parent_columns``."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    #: A child row may have no parent (a nullable foreign-key column).
    optional: bool
    #: The foreign key is unique in the child: at most one child per parent.
    one_to_one: bool
    on_delete: str = "NO ACTION"
    #: Not a declared foreign key: the workload joins these columns (``statements`` names them),
    #: drawn dashed, as SchemaSpy draws its implied relationships.
    implied_by: tuple[str, ...] = ()

    @property
    def implied(self) -> bool:
        return bool(self.implied_by)


@dataclass(frozen=True)
class ErModel:
    tables: tuple[ErTable, ...]
    relations: tuple[ErRelation, ...]


def er_model(
    tables: Sequence[Mapping[str, Any]], statements: Sequence[Mapping[str, Any]] | None = None
) -> ErModel:
    """The diagram's model from the report document's ``tables`` (see ``report.document``), and
    the relationships its ``statements`` imply by joining where no foreign key is declared.

    A foreign key to a table the schema does not hold has no edge (there is nothing to point at).
    """
    by_name = {t["name"]: t for t in tables}
    folded = {t["name"].lower(): t["name"] for t in tables}
    out_tables: list[ErTable] = []
    relations: list[ErRelation] = []
    for t in tables:
        pk = set(t["primary_key"] or ())
        fk_cols = {c for fk in t["foreign_keys"] for c in fk["columns"]}
        uniques = {frozenset(u) for u in t["unique"]}
        if pk:
            uniques.add(frozenset(pk))
        single_unique = {next(iter(u)) for u in uniques if len(u) == 1}
        columns = tuple(
            ErColumn(
                c["name"],
                c["type"],
                bool(c["nullable"]),
                pk=c["name"] in pk,
                fk=c["name"] in fk_cols,
                unique=c["name"] in single_unique and c["name"] not in pk,
            )
            for c in t["columns"]
        )
        size = t.get("size") or {}
        rows = None if size.get("unsized", True) else size.get("rows_at_horizon")
        out_tables.append(ErTable(t["name"], columns, rows))
        nullable = {c["name"] for c in t["columns"] if c["nullable"]}
        for fk in t["foreign_keys"]:
            parent = fk["references"] if fk["references"] in by_name else folded.get(fk["references"].lower())
            if parent is None:
                continue
            ref_cols = tuple(fk["ref_columns"]) or tuple(by_name[parent]["primary_key"] or ())
            relations.append(
                ErRelation(
                    child=t["name"],
                    child_columns=tuple(fk["columns"]),
                    parent=parent,
                    parent_columns=ref_cols,
                    optional=any(c in nullable for c in fk["columns"]),
                    one_to_one=frozenset(fk["columns"]) in uniques,
                    on_delete=str(fk.get("on_delete") or "NO ACTION").upper(),
                )
            )
    relations += implied_relations(tables, statements or (), relations)
    return ErModel(tuple(out_tables), tuple(relations))


def _split(qualified: str) -> tuple[str, str]:
    table, _, column = qualified.rpartition(".")
    return table, column


def implied_relations(
    tables: Sequence[Mapping[str, Any]],
    statements: Sequence[Mapping[str, Any]],
    declared: Sequence[ErRelation] = (),
) -> list[ErRelation]:
    """Relationships the workload's joins imply where no foreign key joins the two tables: a join
    whose columns on one side are that table's primary key (or a unique key) makes that table the
    parent, as a foreign key would (``lineitem.l_orderkey = orders.o_orderkey``; a composite key
    joined on all its columns counts). A join on columns that are a key on neither side is not a
    relationship the tool can orient, and is not drawn."""
    by_name = {t["name"]: t for t in tables}
    folded = {t["name"].lower(): t["name"] for t in tables}

    def keys(table: Mapping[str, Any]) -> list[frozenset[str]]:
        out = [frozenset(u) for u in table["unique"]]
        if table["primary_key"]:
            out.append(frozenset(table["primary_key"]))
        return out

    linked = {frozenset((r.child, r.parent)) for r in declared}
    found: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], list[str]] = {}
    for statement in statements:
        pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for join in statement.get("joins") or ():
            (lt, lc), (rt, rc) = _split(str(join["left"])), _split(str(join["right"]))
            lt, rt = folded.get(lt.lower(), lt), folded.get(rt.lower(), rt)
            if lt == rt or lt not in by_name or rt not in by_name or frozenset((lt, rt)) in linked:
                continue
            key = (lt, rt) if lt < rt else (rt, lt)
            pairs.setdefault(key, []).append((lc, rc) if lt < rt else (rc, lc))
        for (a, b), joined in pairs.items():
            columns = sorted(set(joined))  # a pair joined twice (a self-join's) counts once
            a_cols = frozenset(c for c, _ in columns)
            b_cols = frozenset(c for _, c in columns)
            if any(k and k <= b_cols for k in keys(by_name[b])):
                child, parent, order = a, b, [(x, y) for x, y in columns]
            elif any(k and k <= a_cols for k in keys(by_name[a])):
                child, parent, order = b, a, sorted((y, x) for x, y in columns)
            else:
                continue
            ident = (child, tuple(c for c, _ in order), parent, tuple(p for _, p in order))
            found.setdefault(ident, []).append(str(statement["name"]))
    out: list[ErRelation] = []
    for (child, child_cols, parent, parent_cols), names in sorted(found.items()):
        table = by_name[child]
        nullable = {c["name"] for c in table["columns"] if c["nullable"]}
        out.append(
            ErRelation(
                child=child,
                child_columns=child_cols,
                parent=parent,
                parent_columns=parent_cols,
                optional=any(c in nullable for c in child_cols),
                one_to_one=any(k and k <= frozenset(child_cols) for k in keys(table)),
                on_delete="",
                implied_by=tuple(sorted(set(names))),
            )
        )
    return out
