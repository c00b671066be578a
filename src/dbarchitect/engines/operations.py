"""Operations facts per engine, and the engine-neutral layout its files are rendered from.

An engine's :class:`OperationsProfile` says what its write-ahead log costs per change (the figures
the capacity model multiplies by the workload's write rates), which high-availability, backup and
pooling tools the design uses on it, how much of a node's memory its buffer cache should take, and
renders the configuration files and runbook commands of a :class:`ClusterLayout` the advisor
decided. Advisors read these facts; they never branch on the engine's name.

Log record sizes (bytes, before the 8-byte alignment PostgreSQL applies), from the record formats:

* PostgreSQL 15 WAL (``src/include/access/xlogrecord.h``, ``heapam_xlog.h``, ``nbtxlog.h``): a record
  header is 24 bytes, a block reference 20 (RelFileNode 12, block 4, ids 4), plus 2 for the main
  data's length. A heap insert adds ``xl_heap_insert`` (3) and ``xl_heap_header`` (5) to the tuple's
  data: 54 + data. A B-tree insert adds the offset (2) and the index tuple (8-byte header + key):
  56 + key. An update adds ``xl_heap_update`` (14) and a header (5), and a second block reference
  when the new version lands on another page: 63 + data (HOT) / 83 + data. A delete is 54 + 8. A
  commit record with its timestamp is 48. After a checkpoint the first change to each page also
  logs the page (``full_page_writes``): 8192 bytes less the page's free-space hole.
* MariaDB 10.11 binlog in ROW format with ``binlog_row_image=FULL`` and CRC32 checksums: every event
  has a 19-byte header and a 4-byte checksum. A statement logs an ``Annotate_rows`` event with its
  SQL text (``binlog_annotate_row_events`` is on by default), a ``Table_map`` event (about 30 bytes
  plus the schema and table names and 2 per column) and a rows event (10-byte post-header, a column
  bitmap) holding each row's image: the column data with a null bitmap; an UPDATE logs the row
  before and after. A transaction adds a GTID event (42) and an XID event (31). Index entries are
  not logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.names import EngineName


@dataclass(frozen=True)
class LogFacts:
    """What the engine's change log (WAL, binlog) writes per change."""

    name: str
    #: Bytes per inserted row besides its data; per updated row (HOT / in place) and per deleted row.
    insert_row_bytes: float
    update_row_bytes: float
    delete_row_bytes: float
    #: Bytes per index entry written (0 when the log does not carry index changes).
    index_entry_bytes: float
    #: Bytes per statement besides its rows (the binlog's table map and rows-event headers).
    statement_bytes: float
    #: The statement's SQL text is logged with it (MariaDB's Annotate_rows event).
    logs_statement_text: bool
    #: Bytes per committed transaction.
    commit_bytes: float
    #: An UPDATE logs the row before and after (``binlog_row_image=FULL``); a DELETE logs the row.
    logs_row_images: bool
    #: A page's first change after a checkpoint logs the whole page.
    full_page_writes: bool
    #: Records are padded to this many bytes.
    alignment: int = 1
    #: Bytes per page of the tables and indexes.
    page_bytes: int = 8192
    #: The server keeps the log for a time (binlog expiry), not up to a size (WAL).
    retained_by_time: bool = False
    #: The log can be archived continuously (point-in-time recovery); else only copies of the whole
    #: database restore, and what a restore loses is the time since the last copy.
    archivable: bool = True
    #: A row wider than this keeps its widest values out of line (PostgreSQL's TOAST threshold), each
    #: replaced in the row by a pointer of ``out_of_line_pointer_bytes``; an update that leaves them
    #: unchanged logs the row with the pointers only (0: every value stays in the row).
    inline_row_bytes: float = 0.0
    out_of_line_pointer_bytes: float = 18.0


class FailoverKind(StrEnum):
    AUTOMATIC = "automatic"
    SCRIPTED = "scripted"
    NONE = "none"


@dataclass(frozen=True)
class OperationsProfile:
    """One engine's operations facts and the renderer of its files (see the module docstring)."""

    engine: EngineName
    label: str
    log: LogFacts
    #: The engine has a server to replicate and fail over (False: an embedded file, SQLite).
    replicates: bool
    ha_tool: str
    failover: FailoverKind
    backup_tool: str
    pooler: str | None
    #: Seconds from the decision to promote until the new primary takes writes (measured: see
    #: docs/operations.md), and the shortest detection time that does not fail over on a blip.
    promotion_s: float
    min_detection_s: float
    #: Share of memory the buffer cache may take, and whether the operating system's page cache
    #: holds the rest (PostgreSQL reads through it; InnoDB bypasses it with O_DIRECT).
    buffer_share_max: float
    uses_os_cache: bool
    #: Memory one server connection holds besides sorts and hashes (bytes).
    connection_bytes: float
    #: A hash table may take this multiple of the sort memory (PostgreSQL's hash_mem_multiplier).
    hash_memory_multiplier: float
    #: Bytes a sort needs per row besides the row's data (tuple header, sort slot).
    sort_row_overhead: float
    #: The default sort memory, the one the design's setting is compared with (bytes).
    default_sort_memory: float
    #: Where things live on a production node (rendered into the files; a drill replaces them).
    defaults: LayoutDefaults
    #: Files the configuration is rendered into, by role ("server", "pooler", "ha", "backup"...).
    render: Callable[[ClusterLayout], dict[str, str]] = field(compare=False, repr=False)
    runbooks: Callable[[ClusterLayout], tuple[Runbook, ...]] = field(compare=False, repr=False)
    #: The server's settings: the sizing decisions under this engine's names, and the replication,
    #: archiving and logging settings the layout needs.
    server_settings: Callable[[ServerSizing, ClusterLayout], tuple[Setting, ...]] = field(
        compare=False, repr=False
    )


@dataclass(frozen=True)
class LayoutDefaults:
    port: int
    pooler_port: int
    agent_port: int
    data_dir: str
    bin_dir: str
    run_dir: str
    repo_path: str
    superuser: str
    replication_user: str


# ---------------------------------------------------------------------------------------------
# The layout the advisor decides, which the renderers turn into files


@dataclass(frozen=True)
class Setting:
    """One configuration setting with the reason for its value."""

    file: str
    name: str
    value: str
    reason: str


@dataclass(frozen=True)
class Decision:
    """A sizing decision in engine-neutral units (bytes, seconds, a count, a ratio) and its reason."""

    value: float
    reason: str


@dataclass(frozen=True)
class TableVacuum:
    """When to clean one table's dead rows: after ``threshold`` + ``scale_factor`` x rows changes."""

    table: str
    scale_factor: float
    threshold: int
    reason: str


@dataclass(frozen=True)
class ServerSizing:
    """What the advisor decided about the server, before the engine names it (see
    ``advisors/operations/settings.py`` for how each value is derived)."""

    cache_bytes: Decision
    effective_cache_bytes: Decision
    sort_bytes: Decision
    maintenance_bytes: Decision
    max_connections: Decision
    checkpoint_s: Decision
    max_log_bytes: Decision
    min_log_bytes: Decision
    random_page_cost: Decision
    #: Requests the disk serves at once (IOPS x latency), and the IOPS background flushing may use.
    io_concurrency: Decision
    io_budget: Decision
    cores: Decision
    log_retention_s: Decision
    log_keep_bytes: Decision
    vacuum: tuple[TableVacuum, ...] = ()


@dataclass(frozen=True)
class NodeAddress:
    """One database node: name, host, and the ports of its server, pooler and HA agent."""

    name: str
    host: str
    port: int
    pooler_port: int
    agent_port: int
    data_dir: str


@dataclass(frozen=True)
class DcsMember:
    """One member of the consensus store (etcd) the HA agents elect a leader through."""

    name: str
    host: str
    client_port: int
    peer_port: int
    data_dir: str


@dataclass(frozen=True)
class Replication:
    """How commits reach the replicas: ``synchronous`` (a commit waits for ``quorum`` replicas;
    ``strict``: it waits rather than go on alone when none answers) or ``asynchronous``; the most
    log a replica may lag and still be promoted."""

    mode: str
    quorum: int
    strict: bool
    max_lag_on_failover_bytes: int
    #: Milliseconds a semi-synchronous primary waits for an acknowledgement before going on alone.
    ack_timeout_ms: int


@dataclass(frozen=True)
class HaTiming:
    """The HA agent's timing: the leader key's time to live, the loop period, the retry timeout (seconds),
    and for a scripted failover the health-check interval and the failed checks that trigger it."""

    ttl: int
    loop_wait: int
    retry_timeout: int
    check_interval_s: float
    checks_to_fail: int


@dataclass(frozen=True)
class BackupSchedule:
    """Backups: cron lines for full, differential and incremental backups, how many full backups to
    keep, the log archive's timeout (seconds: a quiet server still archives at least this often) and
    the point-in-time window in days."""

    full_cron: str
    diff_cron: str | None
    incr_cron: str | None
    full_retention: int
    archive_timeout_s: int
    pitr_days: float
    pitr: bool
    log_retention_days: float


@dataclass(frozen=True)
class PoolPlan:
    mode: str
    pool_size: int
    reserve: int
    max_client_conn: int


@dataclass(frozen=True)
class ClusterLayout:
    """Everything the files and runbooks are rendered from."""

    name: str
    database: str
    nodes: tuple[NodeAddress, ...]
    dcs: tuple[DcsMember, ...]
    replication: Replication
    timing: HaTiming
    backup: BackupSchedule
    pool: PoolPlan
    settings: tuple[Setting, ...]
    repo_path: str
    bin_dir: str
    run_dir: str
    #: Superuser the agents and backups connect as, and the replication user.
    superuser: str = "postgres"
    replication_user: str = "replicator"
    #: Where the files are written, for commands that name them (a directory on each node).
    config_dir: str = "/etc/dbarchitect"
    #: ``True`` for a drill on loopback: secrets are fixed test values, not placeholders.
    scratch: bool = False
    #: Per-table cleanup thresholds (PostgreSQL's autovacuum storage parameters).
    vacuum: tuple[TableVacuum, ...] = ()

    @property
    def primary(self) -> NodeAddress:
        return self.nodes[0]


@dataclass(frozen=True)
class RunbookStep:
    what: str
    command: str | None = None


@dataclass(frozen=True)
class Runbook:
    title: str
    when: str
    steps: tuple[RunbookStep, ...]


def operations_profile(engine: EngineName) -> OperationsProfile:
    """The operations profile of ``engine``; an error for an engine without one."""
    from dbarchitect.engines import ops_mariadb, ops_postgres, ops_sqlite

    profiles = {
        EngineName.POSTGRESQL: ops_postgres.profile,
        EngineName.MARIADB: ops_mariadb.profile,
        EngineName.SQLITE: ops_sqlite.profile,
    }
    build = profiles.get(engine)
    if build is None:
        raise UnsupportedError(
            Diagnostic(
                f"no operations design for {engine.value}: topology, backups and configuration are "
                "generated for postgresql, mariadb and sqlite",
                hint="target postgresql or mariadb for an operations design",
            )
        )
    return build()
