"""Plan the objects the catalog does not model field by field (functions, triggers, sequences,
grants, comments, policies, extensions, materialized views...; see
:class:`~dbarchitect.model.catalog.SchemaObject`).

Objects are matched by kind and identity. One only the target has is created with its own
statements (the DDL file's, or the engine's rendering when read from a database); one only the
current schema has is dropped (the down-plan re-creates it from its current definition); one
both have is compared by definition when both definitions come from the same kind of source, and
replaced when they differ and the engine can replace it safely. Everything else is listed in
:attr:`MigrationPlan.unplanned` with the reason, and the plan is then not complete: the CLI exits
non-zero. A definition read from a database is not compared with one written in a DDL file (the
engine rewrites the text); compare two databases for that (load the file into a scratch one).

Order: schemas, extensions, collations, types, domains and sequences before the tables' steps
(columns may use them); functions, procedures, materialized views, triggers, policies, row-level
security, rules, comments and grants after them, in the target's declaration order; drops in the
reverse order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from dbarchitect.advisors.migrations.steps import Phase, Step
from dbarchitect.engines.objects import drop_object_sql, replace_object_sql
from dbarchitect.engines.traits import DdlKind, EngineTraits, LockFact
from dbarchitect.model.catalog import Catalog, SchemaObject

#: Kinds created before the tables' steps (and dropped after them).
FIRST_KINDS = ("schema", "extension", "collation", "type", "domain", "sequence")
#: Kinds created after the tables' steps, in this order (then any other kind).
LAST_KINDS = (
    "function",
    "procedure",
    "aggregate",
    "materialized view",
    "index",
    "trigger",
    "event",
    "policy",
    "row level security",
    "rule",
    "comment",
    "grant",
    "default privileges",
)
#: Kinds whose identity is their whole definition, as far as a migration goes.
_IDENTITY_ONLY = ("extension", "schema")
#: Kinds a changed definition may be replaced for (drop + create, or CREATE OR REPLACE): nothing
#: else depends on them by data. Sequences (their position), types, domains, collations and
#: extensions (columns use them) are never dropped to be re-created.
_REPLACEABLE = (
    "function",
    "procedure",
    "trigger",
    "policy",
    "row level security",
    "rule",
    "comment",
    "grant",
    "materialized view",
    "index",
    "event",
)
_OUTSIDE = "tables outside the default schema are not planned"
#: Clauses of tables, columns, constraints and indexes the catalog does not hold (recorded by the
#: DDL reader so they are named, never dropped silently).
_CLAUSES = ("column property", "constraint property", "index property", "table property")
_CLAUSE_REASON = "this clause is not planned (the catalog does not carry it); apply it by hand"
_DDL_KIND = {
    "trigger": DdlKind.CREATE_TRIGGER,
    "materialized view": DdlKind.CREATE_VIEW,
    "policy": DdlKind.TABLE_POLICY,
    "row level security": DdlKind.TABLE_POLICY,
    "index": DdlKind.CREATE_INDEX,
}


@dataclass
class ObjectPlan:
    """Steps for the objects, split around the tables' steps, and what is not planned."""

    expand_first: list[Step] = field(default_factory=list)
    expand_last: list[Step] = field(default_factory=list)
    contract_first: list[Step] = field(default_factory=list)
    contract_last: list[Step] = field(default_factory=list)
    unplanned: list[str] = field(default_factory=list)
    #: Drops that run before the tables' steps: the object's name is taken by a view or table the
    #: target has (a materialized view that becomes a plain view).
    drop_first: list[Step] = field(default_factory=list)
    #: Created objects whose name a view or table of the current schema had (dropped by the
    #: tables' steps first): the down-plan drops them before the tables' steps.
    clashing: list[Step] = field(default_factory=list)


def _rank(obj: SchemaObject) -> int:
    if obj.kind in FIRST_KINDS:
        return FIRST_KINDS.index(obj.kind)
    if obj.kind in LAST_KINDS:
        return len(FIRST_KINDS) + LAST_KINDS.index(obj.kind)
    return len(FIRST_KINDS) + len(LAST_KINDS)


def _is_first(obj: SchemaObject) -> bool:
    return obj.kind in FIRST_KINDS


def _same(a: SchemaObject, b: SchemaObject) -> bool | None:
    """Whether two objects of one identity are the same; ``None`` when that cannot be told."""
    if a.kind in _IDENTITY_ONLY:
        return True
    if a.source != b.source:
        return None
    return a.definition == b.definition


class _Builder:
    def __init__(self, traits: EngineTraits) -> None:
        self.t = traits
        self.f = traits.migration

    def fact(self, obj: SchemaObject) -> LockFact:
        kind = _DDL_KIND.get(obj.kind, DdlKind.OTHER_OBJECT)
        return self.f.locks.get(kind) or LockFact("unknown (no measured fact)", True, True, source="none")

    def step(
        self, description: str, obj: SchemaObject, sql: Sequence[str], rollback: Sequence[str], phase: Phase
    ) -> Step:
        fact = self.fact(obj)
        return Step(
            description=description,
            sql=tuple(sql),
            phase=phase,
            kind=_DDL_KIND.get(obj.kind, DdlKind.OTHER_OBJECT),
            lock=fact.lock,
            blocks_reads=fact.blocks_reads,
            blocks_writes=fact.blocks_writes,
            rewrites=fact.rewrites,
            scans=fact.scans,
            transactional=self.t.features.transactional_ddl,
            table=None,
            # Catalog-only changes are instant; a materialized view or an index on one reads data.
            estimated_seconds=None if obj.kind in ("materialized view", "index") else 0.0,
            rollback_sql=tuple(rollback),
            session_sql=self.f.lock_timeout_sql,
        )


def plan_objects(
    current: Catalog, target: Catalog, traits: EngineTraits, held_schemas: Collection[str] = ()
) -> ObjectPlan:
    """The steps that bring ``current``'s objects to ``target``'s, and what cannot be planned.
    ``held_schemas``: schemas (lower case) where the current schema has tables set aside."""
    out = ObjectPlan()
    b = _Builder(traits)
    old_comments, new_comments = _table_comments(current, target, traits)
    if not traits.comment_statements:
        # The engine keeps comments inside column and table definitions: not planned, named.
        out.unplanned += [
            f"{o.label}: comment changes are not planned on {traits} (set it by hand)"
            for o in _changed(old_comments, new_comments)
        ]
        old_comments, new_comments = [], []
    before = {(o.kind, o.name): o for o in (*current.objects, *old_comments)}
    after = {(o.kind, o.name): o for o in (*target.objects, *new_comments)}
    creates: list[tuple[SchemaObject, Step]] = []
    drops: list[tuple[SchemaObject, Step]] = []
    taken_before = _relation_names(current)
    taken_after = _relation_names(target)
    for key, new in after.items():
        old = before.get(key)
        if new.kind == "table":
            if old is None:
                out.unplanned.append(f"{new.label}: {_OUTSIDE}")
            continue
        if new.kind in _CLAUSES and (old is None or old.definition != new.definition):
            was = f" (current: {old.definition})" if old is not None else ""
            out.unplanned.append(f"{new.label}: {new.definition}{was}: {_CLAUSE_REASON}")
            continue
        if new.kind in _CLAUSES:
            continue
        if old is None:
            undo = drop_object_sql(new, traits)
            if not new.create_sql:
                out.unplanned.append(f"{new.label}: its definition is not known, so it cannot be created")
            elif not undo:
                out.unplanned.append(f"{new.label}: adding it is not planned (no safe way to undo it)")
            else:
                step = b.step(f"create {new.label}", new, new.create_sql, undo, Phase.EXPAND)
                creates.append((new, step))
                if new.kind in _RELATION_KINDS and new.name.lower() in taken_before:
                    out.clashing.append(step)
            continue
        same = _same(old, new)
        if same:
            continue
        if same is None:
            out.unplanned.append(
                f"{new.label}: exists on both sides; a definition read from a database is not compared "
                "with one from a DDL file (compare two databases: load the file into a scratch database)"
            )
            continue
        if new.kind not in _REPLACEABLE or not new.create_sql or not old.create_sql:
            out.unplanned.append(f"{new.label}: its definition changes; changing a {new.kind} is not planned")
            continue
        up = replace_object_sql(new) if traits.features.transactional_ddl or new.kind != "trigger" else None
        down = replace_object_sql(old)
        if up is None or down is None:
            up = (*drop_object_sql(old, traits), *new.create_sql)
            down = (*drop_object_sql(new, traits), *old.create_sql)
        creates.append((new, b.step(f"replace {new.label}", new, up, down, Phase.EXPAND)))
    for key, old in before.items():
        if key in after:
            continue
        if old.kind == "table":
            out.unplanned.append(f"{old.label}: {_OUTSIDE}")
            continue
        if old.kind in _CLAUSES:
            if target.table(_clause_table(old)) is None and current.table(_clause_table(old)) is not None:
                continue  # the table is dropped (or renamed): its clauses go with it
            out.unplanned.append(f"{old.label}: {old.definition} (not in the target): {_CLAUSE_REASON}")
            continue
        drop = drop_object_sql(old, traits)
        if old.kind == "schema" and _holds_tables(current, old.name, held_schemas):
            out.unplanned.append(f"{old.label}: it holds tables, which are not planned; not dropped")
            continue
        if not drop:
            out.unplanned.append(f"{old.label}: removing it is not planned (no safe inverse)")
        elif not old.create_sql:
            out.unplanned.append(f"{old.label}: removing it is not planned (its definition is not known)")
        else:
            if old.kind in _RELATION_KINDS and old.name.lower() in taken_after:
                out.drop_first.append(b.step(f"drop {old.label}", old, drop, old.create_sql, Phase.EXPAND))
            else:
                drops.append((old, b.step(f"drop {old.label}", old, drop, old.create_sql, Phase.CONTRACT)))
    for t in current.tables:
        new_table = target.table(t.name)
        if new_table is None:
            continue
        common = {c.name.key for c in t.columns} & {c.name.key for c in new_table.columns}
        now = [c.name.key for c in t.columns if c.name.key in common]
        wanted = [c.name.key for c in new_table.columns if c.name.key in common]
        if now != wanted:
            out.unplanned.append(
                f"table {t.name.value}: column order {', '.join(wanted)} wanted (now {', '.join(now)}); "
                "reordering columns is not planned (it needs a table rebuild)"
            )
    order = {key: i for i, key in enumerate(after)}
    creates.sort(key=lambda pair: (_rank(pair[0]), order.get((pair[0].kind, pair[0].name), 0)))
    back = {key: i for i, key in enumerate(before)}
    drops.sort(key=lambda pair: (-_rank(pair[0]), -back.get((pair[0].kind, pair[0].name), 0)))
    for obj, step in creates:
        (out.expand_first if _is_first(obj) else out.expand_last).append(step)
    for obj, step in drops:
        (out.contract_last if _is_first(obj) else out.contract_first).append(step)
    return out


def _clause_table(obj: SchemaObject) -> str:
    """The table a clause object belongs to (``orders.code``, ``orders partitioning``)."""
    return obj.name.split(" ", 1)[0].split(".", 1)[0]


#: Objects that are relations created after the tables' steps: they share one namespace with
#: tables and views.
_RELATION_KINDS = ("materialized view",)


def _relation_names(catalog: Catalog) -> set[str]:
    return {v.name.key.lower() for v in catalog.views} | {t.name.key.lower() for t in catalog.tables}


def outside_default_schema(catalog: Catalog) -> tuple[Catalog, list[str]]:
    """``catalog`` without the tables it places in a schema other than the default one (a
    PostgreSQL schema other than ``public``, another MySQL database), and an entry naming each:
    the planner would otherwise create them in the default schema."""
    kept = []
    entries = []
    for t in catalog.tables:
        if t.schema is not None and t.schema.value.lower() != "public":
            entries.append(f"table {t.schema.value}.{t.name.value}: {_OUTSIDE}")
        else:
            kept.append(t)
    if not entries:
        return catalog, []
    return replace(catalog, tables=tuple(kept)), entries


def _holds_tables(catalog: Catalog, schema: str, held: Collection[str]) -> bool:
    """Whether ``catalog`` has tables in ``schema`` (``held``: schemas of the tables set aside as
    outside the default schema, or tables listed as objects)."""
    prefix = schema.lower() + "."
    return schema.lower() in held or any(
        o.kind == "table" and o.name.lower().startswith(prefix) for o in catalog.objects
    )


def _table_comments(
    current: Catalog, target: Catalog, traits: EngineTraits
) -> tuple[list[SchemaObject], list[SchemaObject]]:
    """Comments of the tables both catalogs have, and of their columns, as comment objects (a new
    table's comments come with its CREATE TABLE; a dropped table's go with it)."""
    sides: tuple[list[SchemaObject], list[SchemaObject]] = ([], [])
    for old in current.tables:
        new = target.table(old.name)
        if new is None:
            continue
        for i, table in enumerate((old, new)):
            # matched by the names' comparison keys (a file's `tenants` is the database's tenants),
            # written with the side's own quoting
            q, k = traits.quote(table.name), table.name.key
            if table.comment:
                sides[i].append(_comment(f"TABLE {k}", f"TABLE {q}", table.comment, traits))
            for c in table.columns:
                if c.comment and (old.column(c.name) is not None and new.column(c.name) is not None):
                    sides[i].append(
                        _comment(
                            f"COLUMN {k}.{c.name.key}",
                            f"COLUMN {q}.{traits.quote(c.name)}",
                            c.comment,
                            traits,
                        )
                    )
    return sides


def _comment(key: str, target: str, text: str, traits: EngineTraits) -> SchemaObject:
    sql = f"COMMENT ON {target} IS {traits.literal(text)}"
    return SchemaObject("comment", key, text, create_sql=(sql,))


def _changed(old: list[SchemaObject], new: list[SchemaObject]) -> list[SchemaObject]:
    a = {o.name: o.definition for o in old}
    b = {o.name: o.definition for o in new}
    names = [n for n in dict.fromkeys([*a, *b]) if a.get(n) != b.get(n)]
    by_name = {o.name: o for o in (*old, *new)}
    return [by_name[n] for n in names]


def reverse_objects(plan: ObjectPlan) -> ObjectPlan:
    """The same objects' steps for the down-plan: what the up-plan created is dropped first, what
    it dropped is created again before the tables need it."""
    out = ObjectPlan(unplanned=list(plan.unplanned))

    def flipped(step: Step, phase: Phase) -> Step:
        verb, _, rest = step.description.partition(" ")
        word = {"create": "drop", "drop": "create", "replace": "restore"}.get(verb, verb)
        return Step(
            description=f"{word} {rest}",
            sql=step.rollback_sql,
            phase=phase,
            kind=step.kind,
            lock=step.lock,
            blocks_reads=step.blocks_reads,
            blocks_writes=step.blocks_writes,
            rewrites=step.rewrites,
            scans=step.scans,
            transactional=step.transactional,
            table=step.table,
            estimated_seconds=step.estimated_seconds,
            rollback_sql=step.sql,
            session_sql=step.session_sql,
        )

    out.expand_first = [flipped(s, Phase.EXPAND) for s in reversed(plan.contract_last)]
    out.expand_last = [flipped(s, Phase.EXPAND) for s in reversed(plan.contract_first)]
    replaced = [s for s in plan.expand_last if s.description.startswith("replace ")]
    out.expand_last += [flipped(s, Phase.EXPAND) for s in reversed(replaced)]
    created = [
        s for s in plan.expand_last if not s.description.startswith("replace ") and s not in plan.clashing
    ]
    out.contract_first = [flipped(s, Phase.CONTRACT) for s in reversed(created)]
    out.drop_first = [flipped(s, Phase.EXPAND) for s in reversed(plan.clashing)]
    out.expand_last += [flipped(s, Phase.EXPAND) for s in plan.drop_first]
    out.contract_last = [flipped(s, Phase.CONTRACT) for s in reversed(plan.expand_first)]
    return out
