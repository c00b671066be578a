"""The operations half of the design: availability topology, backups and recovery, capacity over the
horizon, server configuration, connection pooling, and the runbooks — from the brief's
``availability:``, ``backup:``, ``hardware:`` and ``connections:`` sections and the workload.

Modules: ``hardware`` (the node), ``capacity`` (log volume, working set, resources over the horizon),
``topology`` (replicas, replication mode, failover, availability on paper), ``backup`` (schedule,
retention, restore time), ``settings`` (server configuration and pool), ``plan`` (all of it, with the
files and runbooks the engine's profile renders).
"""

from dbarchitect.advisors.operations.plan import Capacity, OperationsPlan, plan_operations

__all__ = ["Capacity", "OperationsPlan", "plan_operations"]
