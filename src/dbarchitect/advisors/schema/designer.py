"""From a brief's entities to a physical schema, every choice with its reason.

:func:`design_schema` reads the inline ``entities:`` (attributes with domains, identifiers,
relationships, functional dependencies) and decides:

- **keys**: a declared primary key is kept; ``key: natural`` makes the first identifier the key;
  otherwise a surrogate identity column is added. Its type is ``integer`` only when the brief's row
  count and growth show the 2,147,483,647 ids of a 32-bit key last beyond twice the horizon (the
  year of overflow is computed from the growth); else ``bigint``. Without growth figures the choice
  is ``bigint``: an overflow cannot be ruled out, and nothing is guessed.
- **relationships**: ``N:1`` / ``1:N`` / ``1:1`` become foreign-key columns typed like the referenced
  key (``1:1`` also UNIQUE), NOT NULL unless optional, with an index for joins and parent deletes;
  ``M:N`` becomes a junction table keyed by both sides. ON DELETE is what the brief says, else
  RESTRICT for a mandatory relationship (deleting a parent must not silently orphan or delete
  children), SET NULL for an optional one, CASCADE for junction rows (a pair is a fact about both).
- **columns**: domains to exact types (``money`` -> ``numeric(19,4)``), enumerations and ranges to
  CHECKs, identifiers to UNIQUE NOT NULL (done by :mod:`dbarchitect.ingest.entities`).
- **normalization** (:mod:`.normalization`), per entity that lists functional dependencies: its
  normal form with the violating dependency, and the 3NF synthesis / BCNF split proposed, with the
  dependencies a BCNF split would lose. A dependency the brief declares ``denormalized`` is kept and
  its cost stated (what must be kept in sync, and by what).
- **names** (:mod:`.naming`): conventions, and constraint names within every engine's limit.

The schema is built by rewriting the entities into explicit columns and constraints and handing
them to :func:`~dbarchitect.ingest.entities.load_entities`, so designed and hand-written entities are
read by the same code. Only this module decides; nothing executes DDL.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from dbarchitect.advisors.schema.naming import ConstraintKind, Naming, singular, snake_case
from dbarchitect.advisors.schema.normalization import (
    Decomposition,
    Dependency,
    NormalForm,
    NormalFormReport,
    NormalizationLimit,
    decompose_4nf,
    decompose_bcnf,
    minimal_cover,
    normal_form,
    parse_dependency,
    synthesize_3nf,
)
from dbarchitect.brief import (
    Brief,
    ColumnSpec,
    DenormalizationSpec,
    EntitySpec,
    NamingSpec,
    RelationshipSpec,
    TableSizeSpec,
)
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import BriefError, Diagnostic, did_you_mean
from dbarchitect.ingest.entities import domain_type, load_entities
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import Name

INT_MAX = 2**31 - 1
"""Largest value of a signed 32-bit key."""

HEADROOM = 2.0
"""A 32-bit key is chosen only when it lasts this many times the horizon."""


class DecisionKind(enum.StrEnum):
    KEY = "key"
    KEY_TYPE = "key-type"
    FOREIGN_KEY = "foreign-key"
    JUNCTION_TABLE = "junction-table"
    NOT_NULL = "not-null"
    UNIQUE = "unique"
    CHECK = "check"
    TYPE = "type"
    INDEX = "index"
    NORMAL_FORM = "normal-form"
    DECOMPOSITION = "decomposition"
    DENORMALIZATION = "denormalization"
    NAMING = "naming"


@dataclass(frozen=True)
class Decision:
    """One design choice: on what (``table`` or ``table.column``), what was chosen, and why."""

    subject: str
    kind: DecisionKind
    choice: str
    reason: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.choice} — {self.reason}"


@dataclass(frozen=True)
class KeptDenormalization:
    """A dependency kept in a table on purpose, and what it costs."""

    dependency: Dependency
    reason: str
    cost: str


@dataclass(frozen=True)
class TableNormalization:
    """The normalization analysis of one table."""

    table: str
    report: NormalFormReport
    #: Proposed when the table is below 3NF or BCNF for reasons the brief did not declare.
    synthesis: Decomposition | None = None
    bcnf: Decomposition | None = None
    kept: tuple[KeptDenormalization, ...] = ()
    #: Proposed when a multivalued dependency's left side is not a key (4NF).
    fourth: Decomposition | None = None


@dataclass(frozen=True)
class SchemaDesign:
    """The designed catalog, the decisions that made it, and the normalization analysis per table."""

    catalog: Catalog
    decisions: tuple[Decision, ...]
    normalization: tuple[TableNormalization, ...] = field(default=())

    def decisions_for(self, subject: str) -> tuple[Decision, ...]:
        """Decisions on a table (and its columns) or on one column."""
        return tuple(d for d in self.decisions if d.subject == subject or d.subject.startswith(subject + "."))


# --- key sizing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyTypeChoice:
    sql_type: str
    reason: str
    overflow_year: int | None


def _days_until(ids_now: float, size: TableSizeSpec) -> float | None:
    """Days until ``INT_MAX`` ids have been used, from the growth; None when growth is unknown or zero.

    Ids are consumed by every insert, so retention (deleting old rows) does not slow the count.
    """
    growth = size.growth
    if growth is None:
        return None
    if ids_now >= INT_MAX:
        return 0.0
    if growth.rows_per_day is not None:
        return (INT_MAX - ids_now) / growth.rows_per_day if growth.rows_per_day > 0 else None
    pct = growth.percent_per_month or 0.0
    if pct <= 0 or ids_now <= 0:
        return None
    return 30.0 * math.log(INT_MAX / ids_now) / math.log1p(pct / 100.0)


def _year_after(today: date, days: float) -> int:
    """The calendar year ``days`` after ``today`` (beyond year 9999 too, where ``date`` stops)."""
    return today.year + int((today.timetuple().tm_yday - 1 + days) // 365.2425)


def choose_key_type(
    table: str, size: TableSizeSpec | None, horizon_days: float, today: date
) -> KeyTypeChoice:
    """``integer`` or ``bigint`` for an identity key of ``table``, with the year a 32-bit key overflows."""
    horizon_year = _year_after(today, horizon_days)
    if size is None:
        return KeyTypeChoice(
            "bigint",
            f"the brief gives no row count or growth for {table}; bigint cannot overflow and costs "
            "4 bytes more per row and index entry",
            None,
        )
    days = _days_until(size.rows, size)
    if days is None:
        return KeyTypeChoice(
            "bigint",
            f"the brief gives {size.rows:,.0f} rows but no growth for {table}, so an int overflow cannot be "
            "ruled out; bigint costs 4 bytes more per row and index entry",
            None,
        )
    year = _year_after(today, days)
    if days <= horizon_days:
        return KeyTypeChoice(
            "bigint",
            f"at the brief's growth a 32-bit key would overflow in {year}, "
            f"within the horizon ({horizon_year})",
            year,
        )
    if days <= horizon_days * HEADROOM:
        return KeyTypeChoice(
            "bigint",
            f"at the brief's growth a 32-bit key would overflow in {year}, less than {HEADROOM:g}× the "
            f"horizon ({horizon_year}) away",
            year,
        )
    lasts = f"until {year}" if year - today.year <= 1000 else "for more than 1,000 years"
    return KeyTypeChoice(
        "integer",
        f"at the brief's growth a 32-bit key lasts {lasts}, well past the horizon ({horizon_year}); "
        "integer saves 4 bytes per row and index entry",
        year,
    )


# --- the designer -------------------------------------------------------------------------------


_SERIAL_BASE = {
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
}


def _declared_pk(spec: EntitySpec) -> list[str]:
    return list(spec.primary_key) or [n for n, c in spec.columns.items() if c.primary_key]


def _spec_dict(spec: ColumnSpec) -> dict[str, Any]:
    return spec.model_dump(exclude_defaults=True)


@dataclass
class _Draft:
    """A table being built: plain dicts shaped like :class:`EntitySpec`."""

    entity: str | None  # None for a junction table
    columns: dict[str, dict[str, Any]]
    primary_key: list[str]
    unique: list[list[str]] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    identifiers: list[list[str]] = field(default_factory=list)
    comment: str | None = None

    def spec(self) -> EntitySpec:
        return EntitySpec.model_validate(
            {
                "columns": self.columns,
                "primary_key": self.primary_key,
                "unique": self.unique,
                "foreign_keys": self.foreign_keys,
                "checks": self.checks,
                "indexes": self.indexes,
                "identifiers": self.identifiers,
                "comment": self.comment,
            }
        )


class _Designer:
    def __init__(
        self,
        entities: Mapping[str, EntitySpec],
        traits: EngineTraits,
        naming: Naming,
        sizes: Mapping[str, TableSizeSpec],
        horizon_days: float,
        today: date,
        file: str | None,
    ) -> None:
        self.entities = entities
        self.traits = traits
        self.naming = naming
        self.sizes = {k.lower(): v for k, v in sizes.items()}
        self.horizon_days = horizon_days
        self.today = today
        self.file = file
        self.decisions: list[Decision] = []
        self.drafts: dict[str, _Draft] = {}
        self.table_of = {e: naming.table(e) for e in entities}
        self.linked: dict[tuple[str, tuple[str, ...]], str] = {}

    def decide(self, subject: str, kind: DecisionKind, choice: str, reason: str) -> None:
        self.decisions.append(Decision(subject, kind, choice, reason))

    def fail(self, message: str, field_path: str) -> BriefError:
        return BriefError(Diagnostic(message, file=self.file, field=field_path))

    def size(self, entity: str) -> TableSizeSpec | None:
        return self.sizes.get(self.table_of[entity].lower()) or self.sizes.get(entity.lower())

    # keys ---------------------------------------------------------------------------------------

    def keys(self, entity: str, spec: EntitySpec) -> _Draft:
        table = self.table_of[entity]
        base = f"schema.entities.{entity}"
        if table != entity:
            self.decide(
                table,
                DecisionKind.NAMING,
                f"table {table}",
                f"entity '{entity}' named by the {self.naming.tables} convention",
            )
        columns = {n: _spec_dict(c) for n, c in spec.columns.items()}
        draft = _Draft(
            entity=entity,
            columns=columns,
            primary_key=list(spec.primary_key),
            unique=[list(u) for u in spec.unique],
            foreign_keys=[f.model_dump(exclude_defaults=True) for f in spec.foreign_keys],
            checks=list(spec.checks),
            indexes=[ix.model_dump(exclude_defaults=True) for ix in spec.indexes],
            identifiers=[list(i) for i in spec.identifiers],
            comment=spec.comment,
        )
        declared = _declared_pk(spec)
        idents = ", ".join("(" + ", ".join(i) + ")" for i in spec.identifiers)
        if declared:
            self.decide(
                table, DecisionKind.KEY, f"primary key ({', '.join(declared)})", "declared by the brief"
            )
            if len(declared) == 1 and declared[0] in spec.columns:
                col = spec.columns[declared[0]]
                if col.identity and domain_type(col)[0].strip().lower() in (
                    "int",
                    "integer",
                    "int4",
                    "serial",
                ):
                    self.key_overflow_note(entity, f"{table}.{declared[0]}")
            return draft
        if spec.key == "natural":
            if not spec.identifiers:
                raise self.fail(
                    "key: natural needs identifiers (the natural key's columns); "
                    "add identifiers: [[column, ...]]",
                    f"{base}.key",
                )
            draft.primary_key = list(spec.identifiers[0])
            draft.identifiers = [list(i) for i in spec.identifiers[1:]]
            self.decide(
                table,
                DecisionKind.KEY,
                f"natural primary key ({', '.join(spec.identifiers[0])})",
                "the brief asks for a natural key: rows are identified by what the business uses, and "
                "referencing tables carry those columns (an update of them cascades to every reference)",
            )
            return draft
        key_col = self.naming.key_column(table)
        if key_col in columns:
            raise self.fail(
                f"column '{key_col}' exists but is not the primary key; declare primary_key: [{key_col}] "
                "or rename the column (the designer adds a surrogate key by that name)",
                f"{base}.columns.{key_col}",
            )
        choice = choose_key_type(table, self.size(entity), self.horizon_days, self.today)
        why = (
            f"no primary key declared; identifiers {idents} stay as UNIQUE constraints, because a natural "
            "key that changes would have to change in every referencing row"
            if spec.identifiers
            else "no primary key and no natural identifier declared: a surrogate identity key"
        )
        if spec.key == "surrogate":
            why = "the brief asks for a surrogate key" + (
                f"; identifiers {idents} stay UNIQUE" if idents else ""
            )
        draft.columns = {key_col: {"type": choice.sql_type, "identity": True, "primary_key": True}, **columns}
        self.decide(table, DecisionKind.KEY, f"surrogate key {key_col}", why)
        self.decide(f"{table}.{key_col}", DecisionKind.KEY_TYPE, f"{choice.sql_type} identity", choice.reason)
        return draft

    def key_overflow_note(self, entity: str, subject: str) -> None:
        choice = choose_key_type(self.table_of[entity], self.size(entity), self.horizon_days, self.today)
        if choice.overflow_year is None:
            return
        if choice.sql_type == "bigint":
            self.decide(
                subject,
                DecisionKind.KEY_TYPE,
                "declared integer identity (widen to bigint)",
                choice.reason + "; widen it now, while the table is small",
            )
        else:
            self.decide(subject, DecisionKind.KEY_TYPE, "declared integer identity kept", choice.reason)

    # relationships --------------------------------------------------------------------------------

    def key_columns(self, entity: str) -> list[tuple[str, dict[str, Any]]]:
        draft = self.drafts[entity]
        pk = draft.primary_key or [n for n, c in draft.columns.items() if c.get("primary_key")]
        return [(c, draft.columns[c]) for c in pk]

    def reference_columns(
        self, child: _Draft, child_name: str, parent: str, rel: RelationshipSpec, field_path: str
    ) -> list[str]:
        parent_table = self.table_of[parent]
        parent_key = self.key_columns(parent)
        if not parent_key:
            raise self.fail(f"entity '{parent}' has no primary key to reference", field_path)
        names: list[str] = []
        for key_col, key_spec in parent_key:
            name = self.naming.foreign_key_column(parent_table, key_col, rel.name, len(parent_key))
            key_type = str(key_spec.get("type", "bigint"))
            # a reference to a serial key is a plain integer of the same width, not another sequence
            key_type = _SERIAL_BASE.get(key_type.strip().lower(), key_type)
            if name in child.columns:
                existing = child.columns[name]
                if existing.get("primary_key") and child.entity is not None and not rel.name:
                    raise self.fail(
                        f"column '{name}' is this entity's key; give the relationship a name (its role)",
                        field_path,
                    )
                self.decide(
                    f"{child_name}.{name}",
                    DecisionKind.FOREIGN_KEY,
                    f"declared column {name} references {parent_table}({key_col})",
                    "the column the brief declares is reused for the relationship",
                )
                if not rel.optional and existing.get("nullable", True):
                    existing["nullable"] = False
                # The relationship's foreign key replaces one the column declares itself.
                existing.pop("references", None)
                existing.pop("on_delete", None)
            else:
                child.columns[name] = {"type": key_type, "nullable": rel.optional}
                self.decide(
                    f"{child_name}.{name}",
                    DecisionKind.TYPE,
                    key_type,
                    f"the type of {parent_table}.{key_col}, which it references",
                )
            names.append(name)
        return names

    def on_delete(self, rel: RelationshipSpec, junction: bool = False) -> tuple[str, str]:
        if rel.on_delete:
            return rel.on_delete, "declared by the brief"
        if junction:
            return "cascade", "a junction row is a fact about the pair; it goes when either side goes"
        if rel.optional:
            return "set null", "the relationship is optional: deleting the parent leaves the child unlinked"
        return (
            "restrict",
            "the relationship is mandatory: deleting a parent that still has children fails instead of "
            "orphaning or silently deleting them; declare on_delete: cascade if they are part of "
            "its aggregate",
        )

    def link(
        self, child_entity: str, parent: str, rel: RelationshipSpec, field_path: str, unique: bool
    ) -> None:
        child = self.drafts[child_entity]
        child_table = self.table_of[child_entity]
        parent_table = self.table_of[parent]
        cols = self.reference_columns(child, child_table, parent, rel, field_path)
        earlier = self.linked.get((child_table, tuple(cols)))
        if earlier is not None:
            raise self.fail(
                f"{child_table}.{', '.join(cols)} already links to {parent_table} (from {earlier}); "
                "if both relationships are meant, give each a name (its role, e.g. billing / shipping)",
                field_path,
            )
        self.linked[(child_table, tuple(cols))] = field_path
        action, why = self.on_delete(rel)
        parent_cols = [c for c, _ in self.key_columns(parent)]
        # ... and one the entity declares on the same columns.
        child.foreign_keys[:] = [f for f in child.foreign_keys if list(f.get("columns", ())) != cols]
        child.foreign_keys.append(
            {"columns": cols, "references": f"{parent}({', '.join(parent_cols)})", "on_delete": action}
        )
        subject = f"{child_table}.{', '.join(cols)}"
        self.decide(
            subject,
            DecisionKind.FOREIGN_KEY,
            f"references {parent_table}({', '.join(parent_cols)}) ON DELETE {action.upper()}",
            why,
        )
        if not rel.optional:
            self.decide(
                subject,
                DecisionKind.NOT_NULL,
                "NOT NULL",
                f"mandatory relationship: every row of {child_table} references a row of {parent_table}",
            )
        if unique:
            child.unique.append(cols)
            self.decide(
                subject,
                DecisionKind.UNIQUE,
                "UNIQUE",
                f"one-to-one: a row of {parent_table} is referenced by at most one row of {child_table}",
            )
        elif not self.leads_an_index(child, cols):
            name = self.naming.constraint(child_table, cols, "idx")
            child.indexes.append({"columns": cols, "name": name})
            self.decide(
                subject,
                DecisionKind.INDEX,
                f"index {name}",
                f"joins from {parent_table} and each delete or key update there look up {child_table} by it",
            )

    @staticmethod
    def leads_an_index(draft: _Draft, cols: list[str]) -> bool:
        leading: list[list[str]] = [draft.primary_key, *draft.unique]
        leading += [[c.split()[0] for c in ix["columns"]] for ix in draft.indexes]
        return any(lead[: len(cols)] == cols for lead in leading)

    def junction(self, entity: str, rel: RelationshipSpec, field_path: str) -> None:
        first, second = self.table_of[entity], self.table_of[rel.to]
        name = self.naming.table(rel.name) if rel.name else self.naming.junction_table(first, second)
        if name in self.drafts or name in self.entities or name in self.table_of.values():
            raise self.fail(
                f"the junction table '{name}' is already a table; give the relationship a name", field_path
            )
        draft = _Draft(entity=None, columns={}, primary_key=[])
        self.drafts[name] = draft
        self.table_of[name] = name
        left = self.reference_columns(draft, name, entity, RelationshipSpec(to=entity), field_path)
        # a self-referencing M:N (posts related to posts) needs a second role for the other side
        role = "related_" + singular(snake_case(second)) if rel.to == entity else None
        right_rel = RelationshipSpec(to=rel.to, name=role)
        right = self.reference_columns(draft, name, rel.to, right_rel, field_path)
        for col in left + right:
            draft.columns[col]["nullable"] = False
        draft.primary_key = left + right
        for attr, spec in rel.attributes.items():
            if attr in draft.columns:
                raise self.fail(
                    f"attribute '{attr}' clashes with a key column of {name}",
                    f"{field_path}.attributes.{attr}",
                )
            draft.columns[attr] = _spec_dict(spec)
        action, why = self.on_delete(rel, junction=True)
        for target, cols in ((entity, left), (rel.to, right)):
            target_cols = [c for c, _ in self.key_columns(target)]
            draft.foreign_keys.append(
                {"columns": cols, "references": f"{target}({', '.join(target_cols)})", "on_delete": action}
            )
            self.decide(
                f"{name}.{', '.join(cols)}",
                DecisionKind.FOREIGN_KEY,
                f"references {self.table_of[target]}({', '.join(target_cols)}) ON DELETE {action.upper()}",
                why,
            )
        index_name = self.naming.constraint(name, right, "idx")
        draft.indexes.append({"columns": right, "name": index_name})
        self.decide(
            name,
            DecisionKind.JUNCTION_TABLE,
            f"junction table {name}, primary key ({', '.join(draft.primary_key)})",
            f"many {first} relate to many {second}; the pair is the key, so a link is stored once",
        )
        self.decide(
            f"{name}.{', '.join(right)}",
            DecisionKind.INDEX,
            f"index {index_name}",
            f"the primary key serves lookups from {first}; this one serves lookups from {second}",
        )

    # columns ----------------------------------------------------------------------------------------

    def column_decisions(self, entity: str, spec: EntitySpec) -> None:
        table = self.table_of[entity]
        for name, col in spec.columns.items():
            sql_type, _, reason = domain_type(col)
            if reason is not None:
                self.decide(f"{table}.{name}", DecisionKind.TYPE, sql_type, f"domain {col.type}: {reason}")
            if col.values:
                self.decide(
                    f"{table}.{name}",
                    DecisionKind.CHECK,
                    "CHECK IN (" + ", ".join(map(str, col.values)) + ")",
                    "an enumeration: other values are refused by the database, whatever the "
                    "application sends",
                )
            if col.min is not None or col.max is not None:
                low = "" if col.min is None else f"{col.min:g} <= "
                high = "" if col.max is None else f" <= {col.max:g}"
                bounds = f"{low}{name}{high}"
                self.decide(f"{table}.{name}", DecisionKind.CHECK, f"CHECK {bounds}", "a declared range")
        for ident in spec.identifiers:
            self.decide(
                f"{table}.{', '.join(ident)}",
                DecisionKind.UNIQUE,
                "UNIQUE NOT NULL",
                "a natural identifier: duplicates are refused by the database, not left to the application",
            )

    # normalization ----------------------------------------------------------------------------------

    def normalization(self, entity: str, spec: EntitySpec, table: Table) -> TableNormalization | None:
        if not spec.functional_dependencies:
            return None
        base = f"schema.entities.{entity}"
        columns = [c.name.value for c in table.columns]
        deps: list[Dependency] = []
        for i, text in enumerate(spec.functional_dependencies):
            deps.append(self.dependency(text, columns, f"{base}.functional_dependencies[{i}]"))
        kept_specs: list[tuple[Dependency, DenormalizationSpec]] = []
        for i, den in enumerate(spec.denormalized):
            dep = self.dependency(den.dependency, columns, f"{base}.denormalized[{i}].dependency")
            kept_specs.append((dep, den))
            deps.append(dep)
        keys: list[list[str]] = []
        if table.primary_key is not None:
            keys.append([c.value for c in table.primary_key.columns])
        keys += [[c.value for c in u.columns] for u in table.uniques]
        deps += [Dependency.of(k, columns) for k in keys]
        fds = [d for d in deps if not d.multivalued]
        mvds = [d for d in deps if d.multivalued]
        name = table.name.value
        try:
            return self.analysed(name, columns, fds, mvds, kept_specs)
        except NormalizationLimit as exc:
            self.decide(name, DecisionKind.NORMAL_FORM, "not analysed", f"too wide to analyse exactly: {exc}")
            return None

    def analysed(
        self,
        name: str,
        columns: list[str],
        fds: list[Dependency],
        mvds: list[Dependency],
        kept_specs: list[tuple[Dependency, DenormalizationSpec]],
    ) -> TableNormalization:
        report = normal_form(columns, fds, mvds)
        self.decide(
            name,
            DecisionKind.NORMAL_FORM,
            report.form.label,
            report.reason,
        )
        key_sets = [frozenset(k) for k in report.keys]
        violating = [d for d in minimal_cover(fds) if not any(k <= d.left for k in key_sets)]
        kept: list[KeptDenormalization] = []
        for dep, den in kept_specs:
            sync = den.sync or "nothing stated: name the trigger or job that keeps it right"
            cost = (
                f"{', '.join(dep.rhs)} is repeated in every {name} row sharing {', '.join(dep.lhs)}: "
                f"each change must update all those rows (kept in sync by: {sync}), and the copies can "
                "disagree meanwhile"
            )
            kept.append(KeptDenormalization(dep, den.reason, cost))
            self.decide(name, DecisionKind.DENORMALIZATION, f"keep {dep}", f"{den.reason}; cost: {cost}")
        undeclared = [
            d for d in violating if not any(d.left == k.left and d.right <= k.right for k, _ in kept_specs)
        ]
        undeclared_mvd = report.violation is not None and report.violation.multivalued
        if not undeclared and not undeclared_mvd:
            return TableNormalization(name, report, kept=tuple(kept))
        synthesis = synthesize_3nf(columns, fds)
        bcnf = decompose_bcnf(columns, fds)
        parts = "; ".join("(" + ", ".join(r) + ")" for r in synthesis.relations)
        if len(synthesis.relations) > 1 and report.form < NormalForm.THIRD:
            self.decide(
                name,
                DecisionKind.DECOMPOSITION,
                f"3NF: split into {parts}",
                f"{report.reason}; the 3NF synthesis is lossless and keeps every dependency "
                "enforceable by a key",
            )
        if len(bcnf.relations) > 1 and report.form < NormalForm.BCNF:
            bparts = "; ".join("(" + ", ".join(r) + ")" for r in bcnf.relations)
            lost = ", ".join(str(d) for d in bcnf.lost)
            self.decide(
                name,
                DecisionKind.DECOMPOSITION,
                f"BCNF: split into {bparts}",
                "lossless"
                + (
                    f", but loses {lost}: no single table's key enforces it any more (a trigger or the "
                    "application must), so staying in 3NF is the safer choice"
                    if lost
                    else " and loses no dependency"
                ),
            )
        fourth = None
        if undeclared_mvd:
            fourth = decompose_4nf(columns, fds, mvds)
            fparts = "; ".join("(" + ", ".join(r) + ")" for r in fourth.relations)
            self.decide(
                name,
                DecisionKind.DECOMPOSITION,
                f"4NF: split into {fparts}",
                f"{report.reason}; each independent fact gets its own table (lossless)",
            )
        return TableNormalization(name, report, synthesis, bcnf, tuple(kept), fourth)

    def dependency(self, text: str, columns: list[str], field_path: str) -> Dependency:
        try:
            dep = parse_dependency(text)
        except ValueError as exc:
            raise self.fail(str(exc), field_path) from None
        for attr in (*dep.lhs, *dep.rhs):
            if attr not in columns:
                raise self.fail(
                    f"dependency {text!r} names '{attr}', which is not a column"
                    + did_you_mean(attr, columns),
                    field_path,
                )
        return dep

    # naming -----------------------------------------------------------------------------------------

    def name_constraints(self, table: Table) -> Table:
        t = table.name.value

        def named(cols: Iterable[str], kind: ConstraintKind, used: set[str]) -> Name:
            base = self.naming.constraint(t, list(cols), kind)
            name, n = base, 2
            while name in used:
                name = self.naming.constraint(t, [*cols, str(n)], kind)
                n += 1
            used.add(name)
            return Name(name)

        used: set[str] = {ix.name.value for ix in table.indexes}
        pk = table.primary_key
        if pk is not None and pk.name is None:
            pk = replace(pk, name=named([], "pkey", used))
        uniques = tuple(
            u if u.name else replace(u, name=named([c.value for c in u.columns], "key", used))
            for u in table.uniques
        )
        fks = tuple(
            f if f.name else replace(f, name=named([c.value for c in f.columns], "fkey", used))
            for f in table.foreign_keys
        )
        checks = []
        for c in table.checks:
            if c.name is None:
                col = next(
                    (
                        x.name.value
                        for x in table.columns
                        if c.expression.startswith((x.name.value + " ", f'"{x.name.value}" '))
                    ),
                    "",
                )
                c = replace(c, name=named([col] if col else [], "check", used))
            checks.append(c)
        indexes = tuple(
            ix
            if len(ix.name.value) <= self.naming.max_length
            else replace(ix, name=Name(self.naming.constraint(t, [ix.name.value], "idx")))
            for ix in table.indexes
        )
        return replace(
            table, primary_key=pk, uniques=uniques, foreign_keys=fks, checks=tuple(checks), indexes=indexes
        )

    # the whole design ------------------------------------------------------------------------------

    def design(self) -> SchemaDesign:
        for entity, spec in self.entities.items():
            self.drafts[entity] = self.keys(entity, spec)
        for entity, spec in self.entities.items():
            for i, rel in enumerate(spec.relationships):
                path = f"schema.entities.{entity}.relationships[{i}]"
                if rel.cardinality == "M:N":
                    self.junction(entity, rel, path)
                elif rel.cardinality == "1:N":
                    self.link(rel.to, entity, rel, path, unique=False)
                else:
                    self.link(entity, rel.to, rel, path, unique=rel.cardinality == "1:1")
            self.column_decisions(entity, spec)
        specs = {self.table_of.get(k, k): d.spec() for k, d in self.drafts.items()}
        # foreign keys were written against entity names; rename references when tables were renamed
        catalog = load_entities(self._renamed(specs), self.traits.engine, file=self.file)
        tables = tuple(self.name_constraints(t) for t in catalog.tables)
        normalization: list[TableNormalization] = []
        by_name = {t.name.value: t for t in tables}
        for entity, spec in self.entities.items():
            result = self.normalization(entity, spec, by_name[self.table_of[entity]])
            if result is not None:
                normalization.append(result)
        return SchemaDesign(replace(catalog, tables=tables), tuple(self.decisions), tuple(normalization))

    def _renamed(self, specs: dict[str, EntitySpec]) -> dict[str, EntitySpec]:
        if all(k == v for k, v in self.table_of.items()):
            return specs
        out: dict[str, EntitySpec] = {}
        for name, spec in specs.items():
            fks = []
            for fk in spec.foreign_keys:
                target, _, rest = fk.references.partition("(")
                target = self.table_of.get(target.strip(), target.strip())
                fks.append(fk.model_copy(update={"references": target + ("(" + rest if rest else "")}))
            columns = {
                n: c.model_copy(update={"references": self._rename_ref(c.references)}) if c.references else c
                for n, c in spec.columns.items()
            }
            out[name] = spec.model_copy(update={"foreign_keys": fks, "columns": columns})
        return out

    def _rename_ref(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        target, _, rest = ref.partition("(")
        return self.table_of.get(target.strip(), target.strip()) + ("(" + rest if rest else "")


def design_schema(
    source: Brief | Mapping[str, EntitySpec],
    traits: EngineTraits,
    *,
    portable: Sequence[EngineTraits] = (),
    horizon_days: float | None = None,
    sizes: Mapping[str, TableSizeSpec] | None = None,
    naming: NamingSpec | None = None,
    today: date | None = None,
    file: str | None = None,
) -> SchemaDesign:
    """Design the physical schema from a brief's entities (or the entities alone).

    With a :class:`Brief`, the horizon, table sizes and naming conventions come from it unless given.
    ``portable`` engines lower the identifier limit constraint names must fit. ``today`` fixes the
    date overflow years are counted from (default: the current date).
    """
    if isinstance(source, Brief):
        entities = source.schema_.entities
        if entities is None:
            raise BriefError(
                Diagnostic(
                    "the brief has no entities to design from; use schema.entities", file=file, field="schema"
                )
            )
        horizon_days = source.horizon if horizon_days is None else horizon_days
        sizes = source.tables if sizes is None else sizes
        naming = source.schema_.naming if naming is None else naming
    else:
        entities = dict(source)
    limit = min([traits.identifier_max_length, *(t.identifier_max_length for t in portable)])
    designer = _Designer(
        entities,
        traits,
        Naming.from_spec(naming, limit),
        sizes or {},
        3 * 365.0 if horizon_days is None else horizon_days,
        today or date.today(),
        file,
    )
    return designer.design()


def analyze_normalization(
    relation: Iterable[str],
    dependencies: Iterable[str | Dependency],
    *,
    denormalized: Iterable[str | Dependency] = (),
    table: str = "relation",
) -> TableNormalization:
    """Normal form of a relation under dependency texts (``'a, b -> c'``, ``'a ->> b'``) and, when it
    falls short for undeclared reasons, the proposed 3NF synthesis and BCNF split."""
    deps = [d if isinstance(d, Dependency) else parse_dependency(d) for d in dependencies]
    kept = [d if isinstance(d, Dependency) else parse_dependency(d) for d in denormalized]
    cols = list(relation)
    fds = [d for d in [*deps, *kept] if not d.multivalued]
    report = normal_form(cols, fds, [d for d in deps if d.multivalued])
    key_sets = [frozenset(k) for k in report.keys]
    violating = [d for d in minimal_cover(fds) if not any(k <= d.left for k in key_sets)]
    undeclared = [d for d in violating if not any(d.left == k.left and d.right <= k.right for k in kept)]
    notes = tuple(
        KeptDenormalization(d, "declared", f"{', '.join(d.rhs)} repeats for every {', '.join(d.lhs)}")
        for d in kept
    )
    if not undeclared and not (report.violation is not None and report.violation.multivalued):
        return TableNormalization(table, report, kept=notes)
    return TableNormalization(table, report, synthesize_3nf(cols, fds), decompose_bcnf(cols, fds), notes)
