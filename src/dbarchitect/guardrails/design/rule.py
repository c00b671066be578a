"""What a design guardrail rule is, what it sees, and what it reports.

Migration rules (``guardrails/rules``) judge one statement of a hand-written migration; design rules
judge a whole design: the catalog (tables, keys, indexes), the workload with its rates and SLOs, the
brief (budgets, horizon, engines) and facts computed by the stages below this one and handed in as
plain data (:class:`DesignFacts`): table sizes at the horizon, access paths, estimated statement costs,
and what happened when the schema and workload were executed on each engine. A rule is one class in
``guardrails/design/rules/<rule_id>.py`` with a kebab-case ``id``, a ``category``, a one-line
``summary``, a default ``level`` and ``check()`` yielding :class:`DesignDraft` findings; the module
docstring is its explanation. The runner adds the rule id and the level (the brief's ``guardrails:``
map overrides the default; ``off`` disables the rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import ClassVar

from dbarchitect.brief import Brief
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import Name
from dbarchitect.model.workload import Workload


class Category(StrEnum):
    INTEGRITY = "integrity"
    PERFORMANCE = "performance"
    PORTABILITY = "portability"
    SECURITY = "security"


@dataclass(frozen=True)
class DesignDraft:
    """What a rule says; the runner adds the rule id and level."""

    message: str
    hint: str | None = None
    table: str | None = None
    column: str | None = None
    statement: str | None = None
    engine: str | None = None
    #: A softer level than the rule's own, when the rule names a limitation rather than a failure.
    level: Level | None = None
    #: Supporting lines the reports show in a details section, not in the message: where an estimate's
    #: model comes from, each item a grouped finding counts.
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class DesignFinding:
    """What one design guardrail found.

    Attributes:
        rule_id: The rule, e.g. ``foreign-key-without-index`` (``docs/rules/design/<id>.md``).
        level: ``error`` or ``warning``.
        message: What is wrong, why it matters, and what to do, in the brief's own names.
        table: The table it is about, if any.
        column: The column it is about, if any.
        statement: The workload statement it is about, if any.
        engine: The ``portable_to`` engine it is about, if any.
        hint: More on what to do, when there is more.
        details: Supporting lines shown in the reports' details section (the latency model's
            provenance, the items a grouped finding counts), not in the message.
    """

    rule_id: str
    level: Level
    message: str
    table: str | None = None
    column: str | None = None
    statement: str | None = None
    engine: str | None = None
    hint: str | None = None
    details: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """Where the finding points: ``table.column``, ``table``, ``statement name``, or the schema."""
        place = ""
        if self.table:
            place = f"{self.table}.{self.column}" if self.column else self.table
        elif self.statement:
            place = f"statement {self.statement}"
        if self.engine:
            place = f"{self.engine}: {place}" if place else self.engine
        return place or "schema"


# ---------------------------------------------------------------------------------------------
# Facts computed below this layer (advisors, verify), handed in as plain data


@dataclass(frozen=True)
class TableStorage:
    """A table's size at the brief's horizon (from the sizing advisor)."""

    table: str
    rows_at_horizon: float
    data_bytes: float
    index_bytes: float
    #: The brief gave no row count: the figures are zero and say nothing.
    unsized: bool = False


@dataclass(frozen=True)
class StatementCost:
    """A statement's estimated cost in PostgreSQL planner units and its estimated latency on the
    target engine (``advisors/latency``), and where the figures come from."""

    statement: str
    cost: float
    #: ``index advice (hypopg)``, ``built-in model``...
    source: str
    plan: str | None = None
    #: Estimated p95 latency, milliseconds (the engine's latency model; a write commits on its own).
    ms: float = 0.0
    #: How ``ms`` adds up, e.g. ``(0.07 ms per statement + cost 130 ...) x p95/p50 1.9``.
    latency: str = ""
    #: Where the latency model's coefficients come from.
    calibration: str = ""
    #: When the lever search found no lever that meets the statement's SLO: its bound (proven out of
    #: reach, or the best any lever reaches) and what would have to change.
    bound: str = ""


@dataclass(frozen=True)
class FullScan:
    """A statement's plan reads a table whole with a sequential scan (from the planner's plan when a
    PostgreSQL database costs the design, else the built-in model's; a table a nested loop probes
    through an index is not scanned)."""

    statement: str
    table: str
    rows: float | None
    rate: float
    filtered: tuple[str, ...]
    #: An index that matches the filters although the plan scans (they keep too many rows for it).
    index: str | None = None
    #: The table's join columns in the statement (an index leading with one lets the join probe it).
    joined: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngineRun:
    """The schema and workload rendered for one engine and (when possible) executed there."""

    engine: str
    #: False when the engine could not be reached or needs a URL that was not given; see ``skipped``.
    executed: bool
    skipped: str | None = None
    schema_error: str | None = None
    #: (statement name, error) for each statement that failed to transpile or to EXPLAIN.
    statement_errors: tuple[tuple[str, str], ...] = ()
    statements_explained: int = 0
    #: (table, feature, message) for what the engine cannot express (from the DDL renderer).
    render_notes: tuple[tuple[str, str, str], ...] = ()
    #: The server that ran it, as it names itself (``MariaDB 10.11.6-MariaDB-0+deb12u1``): what a
    #: scratch URL reached, which is not always the engine it was given for.
    server: str | None = None
    #: (table, feature, message) for what makes the rendered DDL fail or mean something else there
    #: (a name the engine refuses, two names it keeps as one, a type it has no equivalent for).
    render_errors: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DesignFacts:
    storage: tuple[TableStorage, ...] = ()
    costs: tuple[StatementCost, ...] = ()
    full_scans: tuple[FullScan, ...] = ()
    runs: tuple[EngineRun, ...] = ()


@dataclass(frozen=True)
class DesignContext:
    """Everything a design rule may look at."""

    brief: Brief
    catalog: Catalog
    workload: Workload
    traits: EngineTraits
    facts: DesignFacts = field(default_factory=DesignFacts)
    #: The day the horizon counts from (years of key overflow are computed from it).
    today: date = field(default_factory=date.today)

    @property
    def horizon_days(self) -> float:
        return float(self.brief.horizon)

    def storage(self, table: str) -> TableStorage | None:
        for s in self.facts.storage:
            if s.table.lower() == table.lower():
                return s
        return None


class DesignRule:
    """Base class of every design rule; subclasses set the class variables and implement ``check``."""

    id: ClassVar[str]
    category: ClassVar[Category]
    summary: ClassVar[str]
    level: ClassVar[Level] = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Helpers shared by rules


def words(name: Name | str) -> tuple[str, ...]:
    """An identifier's words: ``unitPrice`` / ``unit_price`` / ``UnitPrice`` -> ``("unit", "price")``."""
    text = name.value if isinstance(name, Name) else name
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return tuple(w for w in re.split(r"[^A-Za-z0-9]+", text.lower()) if w)


def named_like(column: Column, vocabulary: frozenset[str]) -> str | None:
    """The first word of ``column``'s name found in ``vocabulary`` (or the whole name joined by ``_``)."""
    parts = words(column.name)
    joined = "_".join(parts)
    if joined in vocabulary:
        return joined
    for i in range(len(parts)):
        for j in range(len(parts), i, -1):
            piece = "_".join(parts[i:j])
            if piece in vocabulary:
                return piece
    return None


def unique_keys(table: Table) -> tuple[tuple[Name, ...], ...]:
    """Column sets the table keeps unique: primary key, unique constraints, full unique indexes."""
    keys: list[tuple[Name, ...]] = []
    if table.primary_key is not None:
        keys.append(table.primary_key.columns)
    keys += [u.columns for u in table.uniques]
    keys += [
        i.columns for i in table.indexes if i.unique and i.where is None and len(i.columns) == len(i.keys)
    ]
    return tuple(keys)


def index_prefixes(table: Table) -> tuple[tuple[Name, ...], ...]:
    """Leading column lists of every index the table has (primary key and uniques included)."""
    found: list[tuple[Name, ...]] = [*unique_keys(table)]
    for index in table.indexes:
        cols: list[Name] = []
        for key in index.keys:
            if key.column is None:
                break
            cols.append(key.column)
        if cols and index.where is None:
            found.append(tuple(cols))
    return tuple(found)


def covered_by_prefix(columns: tuple[Name, ...], table: Table) -> bool:
    """Some index of ``table`` leads with ``columns`` (in any order among the first len(columns))."""
    wanted = {c.key for c in columns}
    for prefix in index_prefixes(table):
        if len(prefix) >= len(columns) and {c.key for c in prefix[: len(columns)]} == wanted:
            return True
    return False


def comment_states_protection(column: Column, protections: frozenset[str]) -> bool:
    comment = (column.comment or "").lower()
    return any(p in comment for p in protections)
