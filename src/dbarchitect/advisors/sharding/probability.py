"""The probability that one execution of a transaction (or of a statement run on its own) touches a
single shard, under a layout, from the statements' routes (:mod:`footprint`) and the brief's
parameter relations.

The model, stated: key values are hashed onto ``S`` shards, so two *different* values land on the
same shard with probability ``c = 1/S`` (Citus and Vitess hash every value independently of its
neighbours). A parameter that ``equals`` another with probability ``p`` is on the same shard as it
with probability ``p + (1 - p) c``; along a chain of ``equals`` the factors multiply. Parameters the
brief does not relate are independent values. A step runs in the fraction ``probability`` of the
transactions, ``n`` times with ``n`` uniform over its repeat range, and a parameter marked per
iteration takes a new value in every repetition (so TPC-C's 5-15 order lines, each remote with
probability 1%, keep the new-order on one shard with probability ``E[(0.99 + 0.01 c)^n]``).

For each co-location group the transaction touches, the first value the transaction pins in it is
the anchor; every other pinned value must land on the anchor's shard (its factor above, or ``c``
for an unrelated value); a value whose steps may not run counts only when they run
(``1 - u + u f``). Groups are different shards: the transaction is single-shard when at most one
group is touched and its values agree. A step with a statement that touches every shard (or writes
a reference table) makes the transaction multi-shard whenever it runs. Optional steps are taken as
independent of each other. These are approximations in one direction only: a value that differs
from its anchor but shares the shard of a third is not credited, so the figure is a lower bound on
the single-shard fraction under independent hashing; ``simulate.py`` measures it instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dbarchitect.advisors.sharding.footprint import Route, Var, describe_var
from dbarchitect.advisors.sharding.layout import Layout
from dbarchitect.model.workload import Statement, Transaction, TransactionParameter, TransactionStep


@dataclass(frozen=True)
class Unit:
    """What runs together: a transaction, or a statement's executions outside any transaction."""

    name: str
    kind: str
    #: Executions per second.
    rate: float
    steps: tuple[TransactionStep, ...]
    parameters: tuple[TransactionParameter, ...] = ()

    def parameter(self, name: str) -> TransactionParameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for step in self.steps for s in step.statements)


def transaction_unit(transaction: Transaction) -> Unit:
    return Unit(transaction.name, "transaction", transaction.rate, transaction.steps, transaction.parameters)


def statement_unit(statement: Statement, rate: float) -> Unit:
    parameters = tuple(TransactionParameter(p) for p in statement.parameters)
    return Unit(statement.name, "statement", rate, (TransactionStep((statement,)),), parameters)


@dataclass(frozen=True)
class Footprint:
    """A unit's chance of staying on one shard, and what can spread it."""

    unit: str
    kind: str
    rate: float
    single_shard: float
    reasons: tuple[str, ...] = ()

    @property
    def distributed(self) -> float:
        return 1.0 - self.single_shard


@dataclass
class _Item:
    """One pinned value of a group (one parameter, literal or key tuple), relative to its root."""

    factor: float
    label: str
    #: Steps that pin it, with the probability each runs (a value pinned by several steps of the
    #: transaction is one value, used when any of them runs).
    steps: dict[int, float] = field(default_factory=dict)
    #: For a value taken anew in every repetition of its step: the repeat range.
    repeat: tuple[int, int] | None = None

    @property
    def used(self) -> float:
        return 1.0 - math.prod(1.0 - q for q in self.steps.values())

    def factor_given(self, base: float, skip_first: bool = False) -> float:
        """``1 - u + u f`` (once), ``1 - u + u E[f^n]`` (every repetition)."""
        if self.repeat is None:
            return 1.0 - self.used + self.used * base
        low, high = self.repeat
        if skip_first:
            low, high = low - 1, high - 1
        mean = sum(base**n for n in range(low, high + 1)) / (high - low + 1)
        return 1.0 - self.used + self.used * mean


@dataclass
class _Root:
    items: dict[tuple[object, ...], _Item] = field(default_factory=dict)
    #: A new value in every repetition of its step (no relation to a transaction-wide value).
    fresh: bool = False


def _chain(name: str, unit: Unit, c: float) -> tuple[str, float, list[str]]:
    """The root parameter of ``name`` along ``equals``, the probability of sharing its shard, and
    the relations crossed."""
    factor, crossed, seen = 1.0, [], {name}
    current = unit.parameter(name)
    while current is not None and current.equals is not None and current.equals not in seen:
        factor *= current.probability + (1.0 - current.probability) * c
        crossed.append(f":{current.name} equals :{current.equals} in {current.probability:.0%}")
        seen.add(current.equals)
        name = current.equals
        current = unit.parameter(name)
    return name, factor, crossed


def _per_iteration(var: Var, unit: Unit) -> bool:
    if var[0] == "anon":
        return True
    if var[0] != "param":
        return False
    param = unit.parameter(var[1])
    return param is not None and param.per_iteration


def single_shard_probability(unit: Unit, route_of: Callable[[Statement], Route], layout: Layout) -> Footprint:
    """The probability that one execution of ``unit`` touches one shard (see the module docstring)."""
    shards = layout.shard_count
    c = 1.0 / shards if shards > 0 else 1.0
    reasons: list[str] = []
    no_breaker = 1.0
    groups: dict[str, dict[str, _Root]] = {}
    touching: dict[str, dict[int, float]] = {}
    for index, step in enumerate(unit.steps):
        breaks = False
        looped = step.repeat_max > 1
        for statement in step.statements:
            r = route_of(statement)
            if r.everywhere:
                breaks = True
                reasons.extend(f"{statement.name}: {why}" for why in (*r.fanout, *r.broadcast))
                continue
            for access in r.accesses:
                group = layout.group_of(access.table) or access.table.value
                touching.setdefault(group, {})[index] = step.probability
                per_iteration = looped and any(_per_iteration(v, unit) for v in access.key)
                values = ", ".join(describe_var(v) for v in access.key)
                label = f"{statement.name}: {access.table} by {values}"
                if len(access.key) == 1 and access.key[0][0] == "param":
                    root_name, factor, crossed = _chain(access.key[0][1], unit, c)
                    root_key: tuple[str, str] = ("param", root_name)
                    fresh = looped and _per_iteration(root_key, unit)
                else:
                    root_key = access.key[0] if len(access.key) == 1 else ("tuple", repr(access.key))
                    factor, crossed, fresh = 1.0, [], per_iteration
                if crossed:
                    label += " (" + "; ".join(crossed) + ")"
                root_id = f"{root_key[0]}:{root_key[1]}" + (f"@{index}" if fresh else "")
                root = groups.setdefault(group, {}).setdefault(root_id, _Root(fresh=fresh))
                item_key: tuple[object, ...] = (access.key, index if per_iteration else None)
                item = root.items.get(item_key)
                if item is None:
                    repeat = (step.repeat_min, step.repeat_max) if per_iteration else None
                    item = root.items[item_key] = _Item(factor, label, repeat=repeat)
                item.steps[index] = step.probability
        if breaks:
            no_breaker *= 1.0 - step.probability
    survive: dict[str, float] = {}
    untouched: dict[str, float] = {}
    for group, roots in groups.items():
        untouched[group] = math.prod(1.0 - q for q in touching[group].values())
        probability = 1.0
        anchor_taken = False
        for root in roots.values():
            items = list(root.items.values())
            if root.fresh:
                # a new value in every repetition: each must meet the anchor's shard (the first
                # repetition is the anchor when the group has none before it)
                within = math.prod(i.factor for i in items)
                first = items[0]
                probability *= first.factor_given(c * within, skip_first=not anchor_taken)
                reasons.append(f"{first.label}: a new value in every repetition")
                anchor_taken = True
                continue
            inner = 1.0
            for item in items:
                inner *= item.factor_given(item.factor)
                if item.factor < 1.0:
                    reasons.append(f"{item.label}: same shard with probability {item.factor:.3f}")
            if not anchor_taken:
                probability *= inner
                anchor_taken = True
            else:
                used = 1.0 - math.prod(1.0 - i.used for i in items)
                probability *= 1.0 - used + used * c * inner
                reasons.append(
                    f"{items[0].label}: a value unrelated to the first one pinned "
                    f"(same shard with probability {c:.3f})"
                )
        survive[group] = probability
    if len(groups) > 1:
        reasons.append("touches co-location groups " + ", ".join(sorted(groups)) + " (different shards)")
    grouped = math.prod(untouched.values())
    for group in groups:
        others = math.prod(u for g, u in untouched.items() if g != group)
        grouped += max(0.0, survive[group] - untouched[group]) * others
    single = 1.0 if shards <= 1 else max(0.0, min(1.0, no_breaker * grouped))
    return Footprint(unit.name, unit.kind, unit.rate, single, tuple(dict.fromkeys(reasons)))


def units_of(statements: tuple[Statement, ...], transactions: tuple[Transaction, ...]) -> tuple[Unit, ...]:
    """The transactions, then every statement's executions outside transactions (its rate minus
    what its transactions run), as units."""
    inside: dict[str, float] = {}
    for t in transactions:
        for fingerprint, per in t.executions().items():
            inside[fingerprint] = inside.get(fingerprint, 0.0) + t.rate * per
    units = [transaction_unit(t) for t in transactions]
    for s in statements:
        alone = s.rate - inside.get(s.fingerprint, 0.0)
        if alone > max(1e-9, 1e-9 * s.rate):
            units.append(statement_unit(s, alone))
    return tuple(units)


def weighted_single_shard(footprints: Mapping[str, Footprint] | tuple[Footprint, ...]) -> float:
    """The rate-weighted fraction of executions that stay on one shard (1.0 when nothing runs)."""
    items = footprints.values() if isinstance(footprints, Mapping) else footprints
    total = sum(f.rate for f in items)
    if total <= 0:
        return 1.0
    return sum(f.rate * f.single_shard for f in items) / total
