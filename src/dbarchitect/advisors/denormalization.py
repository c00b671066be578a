"""Denormalization proposals: a parent's column copied into its child so a hot statement drops a join.

``order_detail`` joins ``products`` to every order line only to print its ``sku`` and ``name``; with
``order_items.product_sku`` and ``order_items.product_name`` kept equal to the product's, the statement
reads one table. The proposal carries:

- the copies (``ALTER TABLE ... ADD COLUMN``, typed like the parent's columns) and their fill;
- what keeps them true - triggers: a new or re-pointed child row takes its parent's values (BEFORE
  INSERT/UPDATE OF the foreign key on PostgreSQL and MySQL/MariaDB, an AFTER trigger setting them on
  SQLite, which cannot assign ``NEW``), and an update of a copied parent column rewrites every child
  of that parent (the **fan-out**);
- the statement rewritten without the join, and its estimate before and after;
- the tax on writes at the brief's rates: a child insert looks its parent up, a parent update
  rewrites ``children per parent`` rows (their index entries too);
- the storage the copies take at the horizon, and the **integrity risk**: a write that bypasses the
  triggers (a bulk load with triggers disabled, ``session_replication_role = replica``, a restore of
  one table) leaves copies that disagree with their parent, and each parent update locks and rewrites
  its children, so a hot parent row becomes a contention point.

Proposed only for an INNER join along a NOT NULL foreign key to the parent's key (every child row has
exactly one parent: the join neither drops nor repeats rows), when the parent is read for columns
only (not filtered on a parameter, not grouped, not joined further), and the model shows the
statement at least :data:`~dbarchitect.advisors.rewrites.advisor.MIN_GAIN` faster. ``dbarch
verify`` builds the copies and triggers, proves the rewritten statement returns the same rows before
and after a burst of the brief's writes, and measures it and the writes it taxes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency, write_work
from dbarchitect.advisors.rewrites.advisor import MIN_GAIN
from dbarchitect.advisors.rewrites.rule import resolve, scope_tables, sql_of
from dbarchitect.advisors.sizing import rows_at
from dbarchitect.advisors.summaries.advisor import EngineSummarySql
from dbarchitect.advisors.summaries.cost import WriteTax
from dbarchitect.engines.ddl import type_sql
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.parsed import parse_statement
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import Name
from dbarchitect.model.workload import Statement, StatementKind, Workload

#: The copies on one engine: the same shape as a summary's (``create`` adds the columns, ``backfill``
#: fills them, ``maintain`` the triggers, ``drop`` removes it all), built and proven by verify alike.
DenormalizationSql = EngineSummarySql


@dataclass(frozen=True)
class ProposedDenormalization:
    """Parent columns copied into a child so a statement drops a join.

    Attributes:
        name: A name for the proposal (``order_items_copies_products``).
        statement: The statement it serves.
        child: The table that gets the copies; parent: the table they come from.
        copies: ``(copy column, parent column)``.
        rewritten: The statement without the join (the brief's dialect).
        before / after: The statement's estimate with the join and without.
        write_taxes: What keeping the copies adds to each write statement of the workload.
        fan_out: Child rows one parent update rewrites (children per parent).
        bytes_at_horizon: What the copies take at the horizon.
        integrity_risk: What can make the copies disagree, in words.
        per_engine: The SQL per engine of the brief.
        table: The child table with the copies (for the index search and verify).
    """

    name: str
    statement: str
    child: str
    parent: str
    copies: tuple[tuple[str, str], ...]
    rewritten: str
    before: LatencyEstimate
    after: LatencyEstimate
    write_taxes: tuple[WriteTax, ...]
    fan_out: float
    bytes_at_horizon: float
    integrity_risk: str
    per_engine: tuple[DenormalizationSql, ...]
    table: Table = field(repr=False, compare=False)
    after_statement: Statement | None = field(default=None, repr=False, compare=False)
    fk_columns: tuple[str, ...] = ()
    parent_key: tuple[str, ...] = ()

    @property
    def gain(self) -> float:
        return 1.0 - self.after.ms / self.before.ms if self.before.ms > 0 else 0.0

    @property
    def sources(self) -> tuple[str, ...]:
        """The tables whose writes keep the copies true."""
        return (self.child, self.parent)


@dataclass(frozen=True)
class RejectedDenormalization:
    statement: str
    reason: str


@dataclass(frozen=True)
class DenormalizationAdvice:
    proposed: tuple[ProposedDenormalization, ...] = ()
    rejected: tuple[RejectedDenormalization, ...] = ()


@dataclass(frozen=True)
class _Join:
    child_alias: str
    child: Table
    parent_alias: str
    parent: Table
    fk: tuple[str, ...]
    pk: tuple[str, ...]
    join: exp.Join


def _joins(select: exp.Select, catalog: Catalog) -> list[_Join]:
    """INNER joins of ``select`` from a child along a NOT NULL foreign key to a parent's key."""
    tables = scope_tables(select, catalog)
    out: list[_Join] = []
    for join in select.args.get("joins") or []:
        side = (join.args.get("side") or "").upper()
        kind = (join.args.get("kind") or "").upper()
        on = join.args.get("on")
        if side or kind in ("CROSS", "SEMI", "ANTI") or on is None or not isinstance(join.this, exp.Table):
            continue
        parent_alias = (join.this.alias or join.this.name).lower()
        pairs: list[tuple[str, str, str]] = []  # (other alias, other column, parent column)
        usable = True
        for part in on.flatten() if isinstance(on, exp.And) else [on]:
            if not (
                isinstance(part, exp.EQ)
                and isinstance(part.left, exp.Column)
                and isinstance(part.right, exp.Column)
            ):
                usable = False
                break
            a, b = resolve(part.left, tables), resolve(part.right, tables)
            if a is None or b is None:
                usable = False
                break
            if a[0] == parent_alias:
                a, b = b, a
            if b[0] != parent_alias or a[0] == parent_alias:
                usable = False
                break
            pairs.append((a[0], a[2].name.key, b[2].name.key))
        if not usable or not pairs or len({p[0] for p in pairs}) != 1:
            continue
        child_alias = pairs[0][0]
        child, parent = tables[child_alias], tables[parent_alias]
        fk_cols = tuple(p[1] for p in pairs)
        pk_cols = tuple(p[2] for p in pairs)
        fk = next(
            (
                f
                for f in child.foreign_keys
                if f.ref_table.matches(parent.name)
                and tuple(c.key for c in f.columns) == fk_cols
                and tuple(c.key for c in f.ref_columns) == pk_cols
            ),
            None,
        )
        if fk is None or any((c := child.column(k)) is None or c.nullable for k in fk_cols):
            continue
        out.append(_Join(child_alias, child, parent_alias, parent, fk_cols, pk_cols, join))
    return out


def _copy_name(parent: Table, column: str, child: Table) -> str:
    base = parent.name.key.rstrip("s") if parent.name.key.endswith("s") else parent.name.key
    name = f"{base}_{column}"
    while child.has_column(name):
        name = f"copy_{name}"
    return name


def _name(child: str, parent: str, traits: EngineTraits) -> str:
    name = f"{child}_copies_{parent}".lower()
    limit = traits.identifier_max_length - 12
    if len(name) > limit:
        name = f"{name[: limit - 7]}_{hashlib.sha1(name.encode()).hexdigest()[:6]}"
    return name


def recommend_denormalizations(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    engines: Sequence[EngineTraits] = (),
    config: frozenset[IndexCandidate] = frozenset(),
    horizon_days: float = 0.0,
) -> DenormalizationAdvice:
    """Copied columns for the workload's SELECTs that join a parent only to read its columns (see the
    module docstring)."""
    model = BuiltinCostModel(catalog, traits)
    proposed: list[ProposedDenormalization] = []
    rejected: list[RejectedDenormalization] = []
    writes = tuple(s for s in workload.statements if s.is_write)
    for statement in workload.statements:
        if statement.kind != StatementKind.SELECT:
            continue
        try:
            tree = parse_statement(statement.sql, traits.sqlglot_dialect)
        except SqlglotError:
            continue
        if not isinstance(tree, exp.Select) or tree.find(exp.Subquery):
            continue
        for join in _joins(tree, catalog):
            outcome = _propose(
                statement, tree, join, catalog, traits, model, config, writes, engines, horizon_days
            )
            if isinstance(outcome, str):
                rejected.append(RejectedDenormalization(statement.name, outcome))
            elif outcome is not None:
                proposed.append(outcome)
                break
    return DenormalizationAdvice(tuple(proposed), tuple(rejected))


def _propose(
    statement: Statement,
    tree: exp.Select,
    join: _Join,
    catalog: Catalog,
    traits: EngineTraits,
    model: BuiltinCostModel,
    config: frozenset[IndexCandidate],
    writes: tuple[Statement, ...],
    engines: Sequence[EngineTraits],
    horizon_days: float,
) -> ProposedDenormalization | str | None:
    tables = scope_tables(tree, catalog)
    used: list[str] = []
    for col in tree.find_all(exp.Column):
        found = resolve(col, tables)
        if found is None or found[0] != join.parent_alias:
            continue
        if col.find_ancestor(exp.Join) is join.join:
            continue
        key = found[2].name.key
        if col.find_ancestor(exp.Where, exp.Group, exp.Having) is not None and key not in join.pk:
            return (
                f"{join.parent.name}.{found[2].name} is filtered or grouped on: copying it would not drop "
                "the join"
            )
        if key not in used and key not in join.pk:
            used.append(key)
    if not used:
        return None
    copies = tuple((_copy_name(join.parent, c, join.child), c) for c in used)
    # the child with its copies
    added = tuple(
        Column(Name(copy), parent_col.type, nullable=True, stats=parent_col.stats)
        for copy, source in copies
        if (parent_col := join.parent.column(source)) is not None
    )
    child = replace(join.child, columns=(*join.child.columns, *added))
    extended = catalog.replace_table(child)
    rewritten = tree.copy()
    rewritten.set("joins", [j for j in rewritten.args.get("joins") or [] if j.sql() != join.join.sql()])
    mapping = dict((source, copy) for copy, source in copies)

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            found = resolve(node, tables)
            if found is not None and found[0] == join.parent_alias:
                key = found[2].name.key
                if key in join.pk:
                    return exp.column(join.fk[join.pk.index(key)], table=join.child_alias)
                return exp.column(mapping[key], table=join.child_alias)
        return node

    rewritten_tree = rewritten.transform(swap)
    sql = sql_of(rewritten_tree, traits.sqlglot_dialect)
    try:
        after_statement = analyze_statement(
            StatementInput(statement.name, sql, statement.rate, statement.slo, params=statement.params),
            extended,
            traits.engine,
        )
    except DbarchError as exc:
        return f"the statement without the join cannot be analyzed: {exc.diagnostic.message}"
    plan_before = model.plan_cost(statement, config)
    plan_after = BuiltinCostModel(extended, traits).plan_cost(after_statement, config)
    if (
        plan_before.error
        or plan_after.error
        or not math.isfinite(plan_before.cost)
        or not math.isfinite(plan_after.cost)
    ):
        return "the cost model cannot estimate it"
    before = estimate_latency(
        statement,
        plan_before.cost,
        catalog,
        traits,
        io=plan_before.io,
        cost_source="built-in model",
        commit=False,
    )
    after = estimate_latency(
        after_statement,
        plan_after.cost,
        extended,
        traits,
        io=plan_after.io,
        cost_source="built-in model",
        commit=False,
    )
    if after.ms > before.ms * (1 - MIN_GAIN):
        return (
            f"copying {', '.join(f'{join.parent.name}.{c}' for c in used)} into {join.child.name} shows no "
            "gain "
            f"({after.ms:,.2f} ms against {before.ms:,.2f} ms with the join)"
        )
    child_rows = rows_at(join.child, 0.0) or 1.0
    parent_rows = rows_at(join.parent, 0.0) or 1.0
    fan_out = max(1.0, child_rows / parent_rows)
    width = sum(c.type.estimated_width() for c in added)
    bytes_h = (rows_at(join.child, horizon_days) or child_rows) * width
    taxes = _taxes(join, used, writes, catalog, traits, fan_out)
    name = _name(join.child.name.value, join.parent.name.value, traits)
    per_engine = tuple(
        _sql_for(name, join, copies, sql, statement.name, traits, e, extended) for e in (engines or (traits,))
    )
    risk = (
        f"the copies can disagree with {join.parent.name} when a write bypasses the triggers (a bulk load "
        "with "
        "triggers disabled, session_replication_role = replica, restoring one table alone); each update of "
        f"{', '.join(f'{join.parent.name}.{c}' for c in used)} rewrites its {fan_out:,.1f} {join.child.name} "
        "row(s) and locks them until it commits"
    )
    return ProposedDenormalization(
        name=name,
        statement=statement.name,
        child=join.child.name.value,
        parent=join.parent.name.value,
        copies=copies,
        rewritten=sql,
        before=before,
        after=after,
        write_taxes=taxes,
        fan_out=fan_out,
        bytes_at_horizon=bytes_h,
        integrity_risk=risk,
        per_engine=per_engine,
        table=child,
        after_statement=after_statement,
        fk_columns=join.fk,
        parent_key=join.pk,
    )


def _taxes(
    join: _Join,
    used: list[str],
    writes: tuple[Statement, ...],
    catalog: Catalog,
    traits: EngineTraits,
    fan_out: float,
) -> tuple[WriteTax, ...]:
    m: LatencyModel = traits.latency
    out: list[WriteTax] = []
    lookup_cost = 8.5  # a primary-key probe of the parent, planner units
    for write in writes:
        target = write.write_target
        if target is None:
            continue
        if target.table.matches(join.child.name) and write.kind in (
            StatementKind.INSERT,
            StatementKind.UPSERT,
        ):
            rows = write_work(write, catalog, m).rows
            ms = (m.ms_per_cost_unit * lookup_cost) * rows * m.p95_factor
            out.append(
                WriteTax(
                    write.name,
                    join.child.name.value,
                    rows,
                    ms,
                    lookup_cost * rows,
                    0.0,
                    "each new row looks its parent up",
                )
            )
        elif target.table.matches(join.parent.name) and write.kind in (
            StatementKind.UPDATE,
            StatementKind.UPSERT,
        ):
            changed = {c.key for c in target.columns_written} & set(used)
            if not changed:
                continue
            rows = write_work(write, catalog, m).rows
            children = rows * fan_out
            cost = lookup_cost + children * 2.0
            ms = (m.ms_per_cost_unit * cost + (m.row_write_ms + m.index_entry_ms) * children) * m.p95_factor
            out.append(
                WriteTax(
                    write.name,
                    join.parent.name.value,
                    rows,
                    ms,
                    cost,
                    children,
                    f"each update rewrites its {fan_out:,.1f} child row(s)",
                )
            )
    return tuple(out)


def _sql_for(
    name: str,
    join: _Join,
    copies: tuple[tuple[str, str], ...],
    rewritten: str,
    statement: str,
    source: EngineTraits,
    traits: EngineTraits,
    catalog: Catalog,
) -> DenormalizationSql:
    q = traits.quote
    child, parent = q(join.child.name), q(join.parent.name)
    style = traits.features.trigger_syntax
    if not style:
        return DenormalizationSql(str(traits), note=f"{traits} has no triggers to keep the copies true")
    try:
        rw = transpile_statement(rewritten, source.engine, traits.engine, catalog)
    except DbarchError as exc:
        return DenormalizationSql(str(traits), note=exc.diagnostic.message)
    match = " AND ".join(f"{parent}.{q(p)} = {child}.{q(c)}" for c, p in zip(join.fk, join.pk, strict=True))
    create = tuple(
        f"ALTER TABLE {child} ADD COLUMN {q(copy)} {type_sql(join.parent.column(src).type, traits)}"  # type: ignore[union-attr]
        for copy, src in copies
    )
    sets = ", ".join(
        f"{q(copy)} = (SELECT {parent}.{q(src)} FROM {parent} WHERE {match})" for copy, src in copies
    )
    backfill = (f"UPDATE {child} SET {sets}",)
    new_match = " AND ".join(f"{parent}.{q(p)} = NEW.{q(c)}" for c, p in zip(join.fk, join.pk, strict=True))
    child_of_new = " AND ".join(f"{q(c)} = NEW.{q(p)}" for c, p in zip(join.fk, join.pk, strict=True))
    fan = ", ".join(f"{q(copy)} = NEW.{q(src)}" for copy, src in copies)
    watched = " OR ".join(
        (
            f"OLD.{q(src)} IS DISTINCT FROM NEW.{q(src)}"
            if style == "plpgsql"
            else f"NOT (OLD.{q(src)} <=> NEW.{q(src)})"
            if style == "compound"
            else f"OLD.{q(src)} IS NOT NEW.{q(src)}"
        )
        for _, src in copies
    )
    t_child, t_parent = f"{name}_child", f"{name}_parent"
    maintain: list[str] = []
    drop: list[str] = []
    if style == "plpgsql":
        assign = "\n  ".join(
            f"NEW.{q(copy)} := (SELECT {parent}.{q(src)} FROM {parent} WHERE {new_match});"
            for copy, src in copies
        )
        maintain += [
            f"CREATE FUNCTION {q(t_child)}() RETURNS trigger LANGUAGE plpgsql AS $dbarch$\nBEGIN\n  "
            f"{assign}\n  RETURN NEW;\nEND\n$dbarch$",
            f"CREATE TRIGGER {q(t_child)} BEFORE INSERT OR UPDATE OF {', '.join(q(c) for c in join.fk)} ON "
            f"{child} "
            f"FOR EACH ROW EXECUTE FUNCTION {q(t_child)}()",
            f"CREATE FUNCTION {q(t_parent)}() RETURNS trigger LANGUAGE plpgsql AS $dbarch$\nBEGIN\n  IF "
            f"{watched} THEN\n"
            f"    UPDATE {child} SET {fan} WHERE {child_of_new};\n  END IF;\n  RETURN NULL;\nEND\n$dbarch$",
            f"CREATE TRIGGER {q(t_parent)} AFTER UPDATE ON {parent} FOR EACH ROW EXECUTE FUNCTION "
            f"{q(t_parent)}()",
        ]
        drop += [
            f"DROP TRIGGER IF EXISTS {q(t_child)} ON {child}",
            f"DROP TRIGGER IF EXISTS {q(t_parent)} ON {parent}",
            f"DROP FUNCTION IF EXISTS {q(t_child)}()",
            f"DROP FUNCTION IF EXISTS {q(t_parent)}()",
        ]
    elif style == "compound":
        assign = "\n  ".join(
            f"SET NEW.{q(copy)} = (SELECT {parent}.{q(src)} FROM {parent} WHERE {new_match});"
            for copy, src in copies
        )
        maintain += [
            f"CREATE TRIGGER {q(t_child + '_ins')} BEFORE INSERT ON {child} FOR EACH ROW\nBEGIN\n  "
            f"{assign}\nEND",
            f"CREATE TRIGGER {q(t_child + '_upd')} BEFORE UPDATE ON {child} FOR EACH ROW\nBEGIN\n  "
            f"{assign}\nEND",
            f"CREATE TRIGGER {q(t_parent)} AFTER UPDATE ON {parent} FOR EACH ROW\nBEGIN\n  IF {watched} "
            "THEN\n"
            f"    UPDATE {child} SET {fan} WHERE {child_of_new};\n  END IF;\nEND",
        ]
        drop += [f"DROP TRIGGER IF EXISTS {q(n)}" for n in (t_child + "_ins", t_child + "_upd", t_parent)]
    else:
        key = join.child.primary_key
        if key is None:
            return DenormalizationSql(
                str(traits), note=f"{join.child.name} has no primary key to set its copies by"
            )
        row = " AND ".join(f"{q(c)} = NEW.{q(c)}" for c in key.columns)
        set_from = ", ".join(
            f"{q(copy)} = (SELECT {parent}.{q(src)} FROM {parent} WHERE {new_match})" for copy, src in copies
        )
        maintain += [
            f"CREATE TRIGGER {q(t_child + '_ins')} AFTER INSERT ON {child} FOR EACH ROW\nBEGIN\n"
            f"  UPDATE {child} SET {set_from} WHERE {row};\nEND",
            f"CREATE TRIGGER {q(t_child + '_upd')} AFTER UPDATE OF {', '.join(q(c) for c in join.fk)} ON "
            f"{child} FOR EACH ROW\nBEGIN\n"
            f"  UPDATE {child} SET {set_from} WHERE {row};\nEND",
            f"CREATE TRIGGER {q(t_parent)} AFTER UPDATE ON {parent} FOR EACH ROW WHEN {watched}\nBEGIN\n"
            f"  UPDATE {child} SET {fan} WHERE {child_of_new};\nEND",
        ]
        drop += [f"DROP TRIGGER IF EXISTS {q(n)}" for n in (t_child + "_ins", t_child + "_upd", t_parent)]
    drop += [f"ALTER TABLE {child} DROP COLUMN {q(copy)}" for copy, _ in copies]
    return DenormalizationSql(
        str(traits),
        create=create,
        backfill=backfill,
        maintain=tuple(maintain),
        drop=tuple(drop),
        rewritten=((statement, rw),),
    )


def denormalization_sql_for(
    proposal: ProposedDenormalization, traits: EngineTraits, source: EngineTraits, catalog: Catalog
) -> DenormalizationSql:
    """``proposal``'s SQL on ``traits``' engine (``catalog``: the design without the copies)."""
    child = catalog.table(proposal.child)
    parent = catalog.table(proposal.parent)
    if child is None or parent is None:
        return DenormalizationSql(str(traits), note="its tables are not in the design")
    join = _Join(
        proposal.child.lower(),
        child,
        proposal.parent.lower(),
        parent,
        proposal.fk_columns,
        proposal.parent_key,
        exp.Join(),
    )
    extended = catalog.replace_table(proposal.table)
    return _sql_for(
        proposal.name, join, proposal.copies, proposal.rewritten, proposal.statement, source, traits, extended
    )
