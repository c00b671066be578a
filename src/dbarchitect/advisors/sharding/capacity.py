"""Is one node enough? Storage, write rate and working set against the brief's node, each with its
numbers, and the node and shard counts that follow.

- **Storage**: data and indexes of every table at the brief's horizon (``sizing``) against the
  node's storage.
- **Write rate**: write statements per second (INSERT, UPDATE, DELETE, upsert) against the rate the
  node sustains.
- **Working set**: by Gray and Putzolu's five-minute rule (rows re-read within five minutes are
  worth keeping in memory; Gray & Graefe 1997, Appuswamy et al. 2019 for flash), the bytes the
  workload touches in ``WORKING_SET_WINDOW_S`` seconds — the same figure the operations design
  sizes the buffer cache and the node's memory with (``advisors.operations.capacity.working_set``):
  for every statement, its executions in that window times the rows it reads, capped at the table's
  size. It is compared with the node's memory times ``CACHE_SHARE`` (what is left to cache data once
  the server and connections have theirs). A statement whose row estimate is unknown counts no rows
  and is named.

Nodes needed are the largest of the three ratios, rounded up. Shards: Citus's guidance is 32 to
128 shards for a multi-tenant database and at least a shard per core (docs.citusdata.com, "Choosing
cluster size"), and a shard count can only be changed by re-sharding while shards move between
nodes freely — so the plan takes the smallest power of two that is at least 32 and at least four
shards per node (room to grow to four times the nodes by rebalancing alone).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.operations.capacity import CACHE_SHARE, WORKING_SET_WINDOW_S, working_set
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import NodeSpec, format_size
from dbarchitect.model.workload import Workload

#: Fewest shards a plan gets, and shards per node kept for growth (Citus guidance, see above).
MIN_SHARDS = 32
SHARDS_PER_NODE = 4


@dataclass(frozen=True)
class Limit:
    """One capacity dimension: what the workload needs, what one node has, the nodes it takes."""

    name: str
    needed: float
    per_node: float
    nodes: int
    unit: str
    detail: str

    @property
    def exceeded(self) -> bool:
        return self.nodes > 1


@dataclass(frozen=True)
class CapacityCheck:
    node: NodeSpec
    storage: Limit
    write_rate: Limit
    working_set: Limit
    #: Nodes the brief needs (the largest of the three).
    nodes: int
    shard_count: int
    shard_reason: str
    #: Statements whose rows read are unknown (counted as none in the working set).
    unsized: tuple[str, ...] = ()

    @property
    def limits(self) -> tuple[Limit, Limit, Limit]:
        return (self.storage, self.write_rate, self.working_set)

    @property
    def one_node_enough(self) -> bool:
        return self.nodes <= 1

    def verdict(self) -> str:
        if self.one_node_enough:
            return "one node is enough: " + "; ".join(limit.detail for limit in self.limits)
        over = [limit for limit in self.limits if limit.exceeded]
        return f"one node is not enough ({self.nodes} nodes): " + "; ".join(limit.detail for limit in over)


def _nodes(needed: float, per_node: float) -> int:
    if per_node <= 0:
        return 1
    return max(1, math.ceil(needed / per_node - 1e-9))


def shard_count_for(nodes: int) -> tuple[int, str]:
    wanted = max(MIN_SHARDS, SHARDS_PER_NODE * nodes)
    shards = 1 << (wanted - 1).bit_length()
    return shards, (
        f"{shards} shards: the smallest power of two that is at least {MIN_SHARDS} and at least "
        f"{SHARDS_PER_NODE} per node for {nodes} node{'s' if nodes != 1 else ''}; up to "
        f"{max(nodes, shards // SHARDS_PER_NODE)} nodes by moving shards, without re-sharding"
    )


def check_capacity(
    node: NodeSpec,
    sizes: tuple[TableSize, ...],
    workload: Workload,
    paths: tuple[AccessPath, ...],
) -> CapacityCheck:
    """The three limits (see the module docstring) and the nodes and shards they call for."""
    storage = sum(s.total_bytes_at_horizon for s in sizes)
    n_storage = _nodes(storage, node.storage)
    storage_limit = Limit(
        "storage",
        storage,
        float(node.storage),
        n_storage,
        "bytes",
        f"storage {format_size(storage)} at the horizon for {format_size(node.storage)} per node "
        f"-> {n_storage} node{'s' if n_storage > 1 else ''}",
    )
    writes = sum(s.rate for s in workload.statements if s.is_write)
    n_writes = _nodes(writes, node.write_rate)
    write_limit = Limit(
        "write rate",
        writes,
        node.write_rate,
        n_writes,
        "writes/s",
        f"{writes:,.0f} writes/s for {node.write_rate:,.0f}/s per node -> {n_writes} node"
        + ("s" if n_writes > 1 else ""),
    )
    figures = working_set(sizes, workload, paths)
    working = figures.bytes
    largest = figures.largest
    unsized = list(figures.unsized)
    cache = node.memory * CACHE_SHARE
    n_memory = _nodes(working, cache)
    memory_limit = Limit(
        "working set",
        working,
        cache,
        n_memory,
        "bytes",
        f"working set {format_size(working)} (rows touched in {WORKING_SET_WINDOW_S / 60:.0f} minutes"
        + (f"; largest: {largest}" if largest else "")
        + ") "
        f"for {format_size(cache)} of cache per node ({CACHE_SHARE:.0%} of {format_size(node.memory)}) "
        f"-> {n_memory} node{'s' if n_memory > 1 else ''}",
    )
    nodes = max(n_storage, n_writes, n_memory)
    shards, reason = shard_count_for(nodes)
    return CapacityCheck(
        node,
        storage_limit,
        write_limit,
        memory_limit,
        nodes,
        shards,
        reason,
        tuple(dict.fromkeys(unsized)),
    )
