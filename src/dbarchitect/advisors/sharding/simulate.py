"""Counting instead of computing: run the transaction mix with generated parameter values and count
the executions that touch more than one shard.

Every key value is placed the way Citus places it: PostgreSQL's own hash of the value
(``hashint4`` / ``hashint8``: Bob Jenkins' lookup3 final mix, ``hash_bytes_uint32`` in
PostgreSQL's ``src/common/hashfn.c``; the tests compare it with the server's), then the shard whose
range of the 32-bit hash space holds it (Citus splits the space into ``S`` equal ranges). Parameter
values are drawn uniformly from ``1..V`` (``V``: the distinct count of the column they pin, from the
brief's statistics — dense integer keys, as TPC-C's); a parameter that ``equals`` another takes
its value with the brief's probability and another value otherwise; per-iteration parameters are
drawn again in every repetition; optional steps run with their probability and repeated steps a
uniform number of times. A statement that fans out or writes a reference table makes its execution
distributed. Composite keys (the hash-by-primary-key baseline) combine their columns' hashes with
PostgreSQL's ``hash_combine``. The generator is seeded: the same run gives the same counts.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from dbarchitect.advisors.sharding.footprint import Route, Var
from dbarchitect.advisors.sharding.layout import Layout
from dbarchitect.advisors.sharding.probability import Unit
from dbarchitect.advisors.sharding.skew import distinct_values
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement

_MASK = 0xFFFFFFFF
DEFAULT_DOMAIN = 1_000_000


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


def hash_uint32(k: int) -> int:
    """PostgreSQL's ``hash_bytes_uint32`` (lookup3's final mix), as an unsigned 32-bit value."""
    a = b = c = (0x9E3779B9 + 4 + 3923095) & _MASK
    a = (a + (k & _MASK)) & _MASK
    c ^= b
    c = (c - _rot(b, 14)) & _MASK
    a ^= c
    a = (a - _rot(c, 11)) & _MASK
    b ^= a
    b = (b - _rot(a, 25)) & _MASK
    c ^= b
    c = (c - _rot(b, 16)) & _MASK
    a ^= c
    a = (a - _rot(c, 4)) & _MASK
    b ^= a
    b = (b - _rot(a, 14)) & _MASK
    c ^= b
    c = (c - _rot(b, 24)) & _MASK
    return c


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def hashint4(value: int) -> int:
    """PostgreSQL's ``hashint4(value)`` (the int4 the server returns)."""
    return _signed(hash_uint32(value & _MASK))


def hashint8(value: int) -> int:
    """PostgreSQL's ``hashint8(value)``: the low half folded with the high half (or its complement)."""
    lo, hi = value & _MASK, (value >> 32) & _MASK
    lo ^= hi if value >= 0 else (~hi & _MASK)
    return _signed(hash_uint32(lo))


def hash_combine(a: int, b: int) -> int:
    """PostgreSQL's ``hash_combine`` over unsigned 32-bit hashes."""
    a &= _MASK
    b &= _MASK
    return (a ^ ((b + 0x9E3779B9 + (a << 6) + (a >> 2)) & _MASK)) & _MASK


def shard_index(hashed: int, shards: int) -> int:
    """The shard whose hash range holds ``hashed`` (a signed 32-bit hash): Citus's uniform ranges."""
    increment = (1 << 32) // shards
    return min(shards - 1, (hashed + (1 << 31)) // increment)


def placement_counts(values: range, shards: int) -> list[int]:
    """How many of ``values`` (integers) each shard gets under Citus's hash placement."""
    counts = [0] * shards
    for v in values:
        counts[shard_index(hashint8(v), shards)] += 1
    return counts


@dataclass(frozen=True)
class SimulatedUnit:
    unit: str
    kind: str
    rate: float
    executions: int
    distributed: int

    @property
    def distributed_fraction(self) -> float:
        return self.distributed / self.executions if self.executions else 0.0


@dataclass(frozen=True)
class Simulation:
    units: tuple[SimulatedUnit, ...]
    shards: int
    seed: int

    def distributed_fraction(self, kind: str | None = None) -> float:
        """Rate-weighted fraction of executions touching more than one shard."""
        chosen = [u for u in self.units if kind is None or u.kind == kind]
        total = sum(u.rate for u in chosen)
        return sum(u.rate * u.distributed_fraction for u in chosen) / total if total > 0 else 0.0

    @property
    def executions(self) -> int:
        return sum(u.executions for u in self.units)


def _domains(
    unit: Unit, route_of: Callable[[Statement], Route], layout: Layout, catalog: Catalog
) -> dict[str, int]:
    out: dict[str, int] = {}
    for statement in unit.statements:
        for access in route_of(statement).accesses:
            placement = layout.placement(access.table)
            table = catalog.table(access.table)
            if placement is None or table is None:
                continue
            for column, var in zip(placement.columns, access.key, strict=False):
                if var[0] == "param" and var[1] not in out:
                    found = distinct_values(catalog, table, column).values
                    out[var[1]] = max(2, int(found)) if found else DEFAULT_DOMAIN
    return out


def _literal_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return zlib.crc32(text.encode("utf-8"))


class _Execution:
    """One execution's parameter values: transaction-wide ones, and each repetition's own."""

    def __init__(self, unit: Unit, domains: dict[str, int], rng: random.Random) -> None:
        self.unit, self.domains, self.rng = unit, domains, rng
        self.txn_values: dict[str, int] = {}

    def scope_for(self, name: str, iteration: dict[str, int]) -> dict[str, int]:
        param = self.unit.parameter(name)
        return iteration if param is not None and param.per_iteration else self.txn_values

    def value(self, name: str, iteration: dict[str, int], depth: int = 0) -> int:
        scope = self.scope_for(name, iteration)
        if name in scope:
            return scope[name]
        param = self.unit.parameter(name)
        domain = self.domains.get(name, DEFAULT_DOMAIN)
        if param is not None and param.equals is not None and depth < 16:
            parent = self.value(param.equals, iteration, depth + 1)
            if self.rng.random() < param.probability:
                drawn = parent
            else:
                drawn = self.rng.randint(1, domain - 1)
                drawn += drawn >= parent  # a value other than the parent's
        else:
            drawn = self.rng.randint(1, domain)
        scope[name] = drawn
        return drawn

    def key_hash(self, var: Var, iteration: dict[str, int]) -> int:
        kind, text = var
        if kind == "param":
            return hashint8(self.value(text, iteration))
        if kind == "literal":
            return hashint8(_literal_int(text))
        return hashint8(self.rng.randint(1, DEFAULT_DOMAIN))


def simulate(
    units: tuple[Unit, ...],
    route_of: Callable[[Statement], Route],
    layout: Layout,
    catalog: Catalog,
    executions: int = 100_000,
    seed: int = 0,
) -> Simulation:
    """Run ``executions`` executions of the units, split by rate, and count the distributed ones."""
    rng = random.Random(seed)
    cache: dict[int, Route] = {}

    def cached(statement: Statement) -> Route:
        found = cache.get(id(statement))
        if found is None:
            found = cache[id(statement)] = route_of(statement)
        return found

    total_rate = sum(u.rate for u in units) or 1.0
    shards = max(1, layout.shard_count)
    group_of = {p.table.key: p.group or p.table.value for p in layout.placements}
    results: list[SimulatedUnit] = []
    for unit in units:
        n = max(1, round(executions * unit.rate / total_rate))
        domains = _domains(unit, cached, layout, catalog)
        distributed = 0
        for _ in range(n):
            run = _Execution(unit, domains, rng)
            touched: set[tuple[str, int]] = set()
            broken = False
            for step in unit.steps:
                if rng.random() >= step.probability:
                    continue
                for _ in range(rng.randint(step.repeat_min, step.repeat_max)):
                    iteration: dict[str, int] = {}
                    for statement in step.statements:
                        r = cached(statement)
                        if r.everywhere:
                            broken = True
                            continue
                        for access in r.accesses:
                            hashes = [run.key_hash(v, iteration) for v in access.key]
                            combined = hashes[0]
                            if len(hashes) > 1:
                                folded = hashes[0] & _MASK
                                for h in hashes[1:]:
                                    folded = hash_combine(folded, h)
                                combined = _signed(folded)
                            group = group_of.get(access.table.key, access.table.value)
                            touched.add((group, shard_index(combined, shards)))
            if shards > 1 and (broken or len(touched) > 1):
                distributed += 1
        results.append(SimulatedUnit(unit.name, unit.kind, unit.rate, n, distributed))
    return Simulation(tuple(results), shards, seed)
