"""Topology from the availability goals: how many nodes, synchronous or asynchronous replication and
its quorum (from the RPO), the failover's detection and promotion times (from the RTO), which
statements may read from replicas (their ``max_staleness``), and the availability the topology gives
on paper.

Failure rates the availability is computed with (stated in every report; change them here, not in
a brief, since they describe the platform, not the application):

* a node fails unplanned (crash, kernel, hardware, its zone) :data:`NODE_FAILURES_PER_YEAR` times a
  year; without a replica the database is down until the node is repaired or restored
  (:data:`NODE_REPAIR_HOURS`, or the restore time when it is longer);
* the region is lost :data:`REGION_OUTAGES_PER_YEAR` times a year for :data:`REGION_OUTAGE_HOURS`:
  with ``regions: 1`` nothing survives that, which caps the availability any one-region design gives;
* planned work (minor upgrades, OS patches) needs :data:`PLANNED_RESTARTS_PER_YEAR` restarts of each
  node: a switchover (seconds of pause) with a replica, a restart (:data:`RESTART_S`) without; inside a
  ``maintenance_window`` it does not count as downtime.

Downtime per year with ``n`` nodes and automatic failover = failures x failover time + planned
pauses + the region's outages + (synchronous, strict) the hours too few replicas are up to confirm
commits, where a replica is down ``p = failures x repair hours / 8760`` of the time and writes stop
when more than ``n - 1 - quorum`` replicas are down at once: ``C(n-1, n-quorum) p^(n-quorum)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from dbarchitect.brief import AvailabilitySpec
from dbarchitect.engines.operations import FailoverKind, HaTiming, OperationsProfile, Replication
from dbarchitect.model.workload import Workload

NODE_FAILURES_PER_YEAR = 2.0
NODE_REPAIR_HOURS = 4.0
REGION_OUTAGES_PER_YEAR = 0.5
REGION_OUTAGE_HOURS = 4.0
PLANNED_RESTARTS_PER_YEAR = 12.0
RESTART_S = 60.0
HOURS_PER_YEAR = 8760.0
#: A client's reconnect after a failover (libpq connect_timeout, one retry).
RECONNECT_S = 2.0
#: Lag an asynchronous replica keeps under a steady write load on one network (measured by the
#: drills: see docs/operations.md); an RPO below it needs synchronous replication.
REPLICA_LAG_S = 1.0
#: Shortest leader-key TTL the design gives a production cluster: shorter fails over on blips.
MIN_TTL_S = 10
#: Most nodes the design proposes for availability alone (more are read replicas).
MAX_HA_NODES = 5


@dataclass(frozen=True)
class ReadRoute:
    statement: str
    target: str
    reason: str


@dataclass(frozen=True)
class Availability:
    """The availability one topology gives on paper, with its parts (hours per year)."""

    nodes: int
    percent: float
    failover_hours: float
    planned_hours: float
    region_hours: float
    quorum_hours: float

    @property
    def downtime_hours(self) -> float:
        return self.failover_hours + self.planned_hours + self.region_hours + self.quorum_hours


@dataclass(frozen=True)
class Topology:
    nodes: int
    replicas: int
    read_replicas: int
    replication: Replication
    failover: FailoverKind
    timing: HaTiming
    detection_s: float
    promotion_s: float
    failover_s: float
    availability: Availability
    routes: tuple[ReadRoute, ...]
    reasons: tuple[str, ...]
    #: Goals the topology cannot meet, with why.
    unmet: tuple[str, ...]
    #: Other regions, planned on paper only: the commit latency a synchronous replica there adds.
    regions: int = 1
    region_commit_latency_s: float = 0.0

    @property
    def meets_goals(self) -> bool:
        return not self.unmet


def availability(
    nodes: int,
    failover_s: float,
    switchover_s: float,
    repair_hours: float,
    replication: Replication,
    *,
    window: bool,
) -> Availability:
    """Availability on paper of ``nodes`` nodes (see the module docstring)."""
    if nodes <= 1:
        failover_h = NODE_FAILURES_PER_YEAR * repair_hours
        planned_h = 0.0 if window else PLANNED_RESTARTS_PER_YEAR * RESTART_S / 3600.0
        quorum_h = 0.0
    else:
        failover_h = NODE_FAILURES_PER_YEAR * failover_s / 3600.0
        planned_h = 0.0 if window else PLANNED_RESTARTS_PER_YEAR * switchover_s / 3600.0
        quorum_h = 0.0
        if replication.mode == "synchronous" and replication.strict:
            p = NODE_FAILURES_PER_YEAR * repair_hours / HOURS_PER_YEAR
            replicas = nodes - 1
            down_needed = replicas - replication.quorum + 1
            quorum_h = math.comb(replicas, down_needed) * p**down_needed * HOURS_PER_YEAR
    region_h = REGION_OUTAGES_PER_YEAR * REGION_OUTAGE_HOURS
    total = failover_h + planned_h + region_h + quorum_h
    return Availability(
        nodes, 100.0 * (1.0 - total / HOURS_PER_YEAR), failover_h, planned_h, region_h, quorum_h
    )


def ha_timing(profile: OperationsProfile, rto_s: float) -> tuple[HaTiming, float, float]:
    """The agent's timing for an RTO, the detection time and the expected worst failover time."""
    budget = rto_s - profile.promotion_s - RECONNECT_S
    if profile.failover == FailoverKind.AUTOMATIC:
        if budget >= 40:
            ttl, loop_wait, retry = 30, 10, 10
        else:
            ttl = max(MIN_TTL_S, int(budget * 0.7))
            loop_wait = max(1, min(10, ttl // 6))
            retry = max(1, (ttl - loop_wait) // 2)
        detection = float(ttl)
        return (
            HaTiming(ttl, loop_wait, retry, 1.0, 3),
            detection,
            detection + profile.promotion_s + RECONNECT_S,
        )
    interval = 1.0 if budget < 60 else 5.0
    checks = 3
    detection = interval * checks
    return (
        HaTiming(30, 10, 10, interval, checks),
        detection,
        detection + profile.promotion_s + RECONNECT_S,
    )


def plan_topology(
    goals: AvailabilitySpec | None,
    profile: OperationsProfile,
    workload: Workload,
    *,
    log_bytes_per_s: float,
    restore_hours: float,
    read_cores: Mapping[str, float],
    staleness: Mapping[str, float],
    cores: int,
) -> Topology:
    """The topology for ``goals`` (None: no availability goal, a single primary)."""
    reasons: list[str] = []
    unmet: list[str] = []
    none = Replication("none", 0, False, 0, 0)
    repair_hours = max(NODE_REPAIR_HOURS, restore_hours)
    if goals is None or not profile.replicates:
        single = availability(1, 0.0, 0.0, repair_hours, none, window=False)
        if goals is None:
            reasons.append(
                "no availability goal given: a single primary with daily backups; a node failure is "
                f"repaired or restored ({repair_hours:.1f} h)"
            )
        else:
            reasons.append(f"{profile.label} has no server replication: one node, backups only")
            if single.percent < goals.uptime:
                unmet.append(
                    f"uptime {goals.uptime:g}% needs failover; {profile.label} gives "
                    f"{single.percent:.3f}% on "
                    "paper (a node failure waits for a repair or restore)"
                )
            if goals.rto < repair_hours * 3600:
                unmet.append(f"rto {goals.rto:g}s is shorter than a repair or restore ({repair_hours:.1f} h)")
        timing = HaTiming(30, 10, 10, 1.0, 3)
        return Topology(
            1,
            0,
            0,
            none,
            FailoverKind.NONE,
            timing,
            0.0,
            0.0,
            repair_hours * 3600,
            single,
            (),
            tuple(reasons),
            tuple(unmet),
        )
    # replication mode from the RPO
    if goals.rpo < REPLICA_LAG_S:
        replication = Replication("synchronous", 1, True, 1 << 20, 10**9)
        reasons.append(
            f"rpo {goals.rpo:g}s is below the lag an asynchronous replica keeps (~{REPLICA_LAG_S:g}s): "
            "synchronous replication, each commit confirmed by 1 replica before it is acknowledged, "
            "strict (writes wait rather than commit on the primary alone)"
        )
    else:
        max_lag = max(64 * 1024, int(goals.rpo * log_bytes_per_s))
        replication = Replication("asynchronous", 0, False, max_lag, 0)
        reasons.append(
            f"rpo {goals.rpo:g}s allows asynchronous replication: a replica more than "
            f"{max_lag:,} bytes of log behind ({goals.rpo:g}s at {log_bytes_per_s:,.0f} B/s) is never "
            "promoted automatically"
        )
    timing, detection, failover_s = ha_timing(profile, goals.rto)
    if failover_s > goals.rto:
        unmet.append(
            f"rto {goals.rto:g}s is shorter than detection ({detection:g}s) + promotion "
            f"({profile.promotion_s:g}s) + reconnect ({RECONNECT_S:g}s) = {failover_s:g}s"
        )
    if profile.failover == FailoverKind.AUTOMATIC:
        reasons.append(
            f"automatic failover ({profile.ha_tool}): leader key TTL {timing.ttl}s, loop "
            f"{timing.loop_wait}s, "
            f"retry {timing.retry_timeout}s; expected worst failover {failover_s:g}s for rto {goals.rto:g}s"
        )
    else:
        reasons.append(
            f"scripted failover ({profile.ha_tool}): {timing.checks_to_fail} failed checks "
            f"{timing.check_interval_s:g}s apart, then promotion; expected worst {failover_s:g}s for rto "
            f"{goals.rto:g}s"
        )
    switchover_s = profile.promotion_s + RECONNECT_S
    window = goals.maintenance_window is not None
    # nodes: the fewest that meet the uptime goal; a strict synchronous cluster needs a spare replica
    nodes = 3 if replication.strict else 2
    best = availability(nodes, failover_s, switchover_s, repair_hours, replication, window=window)
    while best.percent < goals.uptime and nodes < MAX_HA_NODES:
        candidate = availability(
            nodes + 1, failover_s, switchover_s, repair_hours, replication, window=window
        )
        if candidate.downtime_hours > best.downtime_hours - 0.01:
            break  # another replica saves less than 36 seconds a year
        nodes, best = nodes + 1, candidate
    reasons.append(
        f"{nodes} nodes (primary + {nodes - 1} replicas): {best.percent:.4f}% on paper for a goal of "
        f"{goals.uptime:g}%"
        + (
            " (a strict synchronous primary keeps writing while one replica is down)"
            if replication.strict
            else ""
        )
    )
    if best.percent < goals.uptime:
        unmet.append(
            f"uptime {goals.uptime:g}% is above what one region gives on paper ({best.percent:.4f}%: "
            f"the region's outages, {best.region_hours:g} h a year, are not survived)"
            + ("; a second region is planned on paper only" if goals.regions > 1 else "; set regions: 2")
        )
    # reads that tolerate staleness
    routes: list[ReadRoute] = []
    routable = 0.0
    for s in workload.statements:
        allowed = staleness.get(s.name)
        if s.is_write or allowed is None:
            continue
        if allowed >= REPLICA_LAG_S:
            why = f"max_staleness {allowed:g}s >= replica lag ~{REPLICA_LAG_S:g}s"
            routes.append(ReadRoute(s.name, "replica", why))
            routable += read_cores.get(s.name, 0.0)
        else:
            why = f"max_staleness {allowed:g}s < replica lag ~{REPLICA_LAG_S:g}s"
            routes.append(ReadRoute(s.name, "primary", why))
    total_read = sum(read_cores.values())
    read_replicas = 0
    if routable > 0 and total_read > cores:
        needed = math.ceil(routable / max(1, cores))
        read_replicas = max(0, needed - (nodes - 1))
        if read_replicas:
            reasons.append(
                f"{read_replicas} read replica(s) for the statements that tolerate staleness "
                f"({routable:.1f} cores of reads beyond the {nodes - 1} HA replicas)"
            )
    region_latency = 0.0
    if goals.regions > 1:
        region_latency = goals.region_rtt
        reasons.append(
            f"regions: {goals.regions} is planned on paper only: an asynchronous replica in each other "
            f"region; a synchronous one there would add the round trip ({goals.region_rtt * 1000:g} ms) to "
            "every commit; cross-region failover is manual"
        )
    return Topology(
        nodes + read_replicas,
        nodes - 1,
        read_replicas,
        replication,
        profile.failover,
        timing,
        detection,
        profile.promotion_s,
        failover_s,
        best,
        tuple(routes),
        tuple(reasons),
        tuple(unmet),
        goals.regions,
        region_latency,
    )
