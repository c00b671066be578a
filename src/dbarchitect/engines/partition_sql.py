"""SQL that keeps range partitions by time ahead of the data and drops them when they expire, per
engine, and the literals partition bounds are written with.

Functions named ``*_sql`` only return SQL. Two shapes, chosen by the engine's traits
(``partition_syntax`` and ``partitioning.range_catch_all``), never by its name:

- **declarative** (PostgreSQL): a procedure ``<table>_maintain_partitions(at_time)`` creates the
  partitions of the intervals from the one holding ``at_time`` to ``ahead`` intervals after it
  (``CREATE TABLE ... PARTITION OF ... FOR VALUES FROM ... TO ...``; a range already covered by an
  existing partition is skipped), then detaches and drops every partition whose upper bound is older
  than ``at_time`` minus the retention. Run daily: ``CALL <table>_maintain_partitions()`` from cron
  or pg_cron. pg_partman's ``create_parent`` is given as an alternative (:func:`partman_sql`).
- **inline with a MAXVALUE catch-all** (MySQL, MariaDB): a procedure splits the empty catch-all
  partition with ``REORGANIZE PARTITION`` until partitions reach ``ahead`` intervals past
  ``at_time``, then drops expired partitions with ``DROP PARTITION``; an ``EVENT`` calls it daily
  (the server's ``event_scheduler`` must be ON).

Bounds are aligned to the interval's start in UTC (:mod:`dbarchitect.model.intervals`), as the
partitions created with the table are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dbarchitect.engines.quoting import dollar_quoted
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.intervals import TimeUnit, parse_instant
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind

#: How PostgreSQL spells one interval of each unit.
_PG_INTERVAL = {
    TimeUnit.DAY: "1 day",
    TimeUnit.WEEK: "7 days",
    TimeUnit.MONTH: "1 month",
    TimeUnit.QUARTER: "3 months",
    TimeUnit.YEAR: "1 year",
}
#: MySQL's INTERVAL n UNIT for one interval.
_MYSQL_INTERVAL = {
    TimeUnit.DAY: "INTERVAL 1 DAY",
    TimeUnit.WEEK: "INTERVAL 7 DAY",
    TimeUnit.MONTH: "INTERVAL 1 MONTH",
    TimeUnit.QUARTER: "INTERVAL 3 MONTH",
    TimeUnit.YEAR: "INTERVAL 1 YEAR",
}


def is_time_type(logical: LogicalType) -> bool:
    return logical.kind in (TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ)


def bound_text(instant: datetime, logical: LogicalType) -> str:
    """A partition bound as neutral SQL literal text for a column of type ``logical``: ``'2025-11-24'``
    for a date, ``'2025-11-24 00:00:00'`` for a timestamp, with ``+00`` for a timestamptz."""
    t = instant.astimezone(UTC)
    if logical.kind == TypeKind.DATE:
        return f"'{t.date().isoformat()}'"
    text = t.strftime("%Y-%m-%d %H:%M:%S")
    return f"'{text}+00'" if logical.kind == TypeKind.TIMESTAMPTZ else f"'{text}'"


def engine_bound_sql(text: str, logical: LogicalType, traits: EngineTraits) -> str:
    """A bound's literal as ``traits``' engine takes it: on engines that keep timestamptz as UTC in a
    plain datetime (``timestamptz_as_utc``) the offset is applied and dropped, since their partition
    bounds must be plain values of the column's type."""
    if logical.kind == TypeKind.TIMESTAMPTZ and traits.timestamptz_as_utc:
        instant = parse_instant(text)
        if instant is not None:
            return "'" + instant.strftime("%Y-%m-%d %H:%M:%S") + "'"
    return text


def partition_name(table: Name, start: datetime, traits: EngineTraits) -> Name:
    """``<table>_p20251124`` for a declarative engine (child tables share the schema's namespace),
    ``p20251124`` for inline partitions (named within their table)."""
    suffix = "p" + start.astimezone(UTC).strftime("%Y%m%d")
    if traits.partition_syntax != "declarative":
        return Name(suffix)
    prefix = table.value[: traits.identifier_max_length - len(suffix) - 1]
    return Name(f"{prefix}_{suffix}", quoted=table.quoted)


def catch_all_name(table: Name, traits: EngineTraits) -> Name:
    if traits.partition_syntax != "declarative":
        return Name("p_future")
    return Name(f"{table.value[: traits.identifier_max_length - 8]}_default", quoted=table.quoted)


def procedure_name(table: Name, traits: EngineTraits) -> Name:
    suffix = "_maintain_partitions"
    return Name(table.value[: traits.identifier_max_length - len(suffix)] + suffix, quoted=table.quoted)


@dataclass(frozen=True)
class MaintenanceSql:
    """What keeps a table's time partitions: ``setup`` creates the procedure (and, where the engine
    schedules in the database, the event), ``run`` is what a scheduler calls, ``schedule`` says how
    often and with what."""

    setup: tuple[str, ...]
    run: tuple[str, ...]
    schedule: str


def _pg_floor(unit: TimeUnit, logical: LogicalType, at: str) -> str:
    utc = f"({at} AT TIME ZONE 'UTC')"
    if logical.kind == TypeKind.TIMESTAMPTZ:
        return f"date_trunc('{unit.value}', {utc}) AT TIME ZONE 'UTC'"
    if logical.kind == TypeKind.DATE:
        return f"date_trunc('{unit.value}', {utc})::date"
    return f"date_trunc('{unit.value}', {utc})"


def _pg_type(logical: LogicalType) -> str:
    return {TypeKind.TIMESTAMPTZ: "timestamptz", TypeKind.DATE: "date"}.get(logical.kind, "timestamp")


def _pg_maintenance(
    table: Name,
    logical: LogicalType,
    unit: TimeUnit,
    ahead: int,
    retention_days: float | None,
    t: EngineTraits,
) -> MaintenanceSql:
    proc = t.quote(procedure_name(table, t))
    regclass = t.literal(t.quote(table))
    upper_pattern = t.literal(r"TO \('([^']*)'\)")
    kind = _pg_type(logical)
    step = f"interval '{_PG_INTERVAL[unit]}'"
    prefix = table.value[: t.identifier_max_length - 10] + "_p"
    utc_start = "start_at AT TIME ZONE 'UTC'" if logical.kind == TypeKind.TIMESTAMPTZ else "start_at"
    expire = ""
    if retention_days is not None:
        cutoff = {
            TypeKind.TIMESTAMPTZ: f"at_time - interval '{retention_days:g} days'",
            TypeKind.DATE: f"((at_time AT TIME ZONE 'UTC') - interval '{retention_days:g} days')::date",
        }.get(logical.kind, f"(at_time AT TIME ZONE 'UTC') - interval '{retention_days:g} days'")
        expire = f"""
  -- Detach and drop partitions whose rows are all older than the retention ({retention_days:g} days).
  FOR part IN
    SELECT c.oid::regclass AS child,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM {upper_pattern}) AS upper_bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = {regclass}::regclass
    ORDER BY 2
  LOOP
    IF part.upper_bound IS NOT NULL AND part.upper_bound::{kind} <= {cutoff} THEN
      EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', {regclass}::regclass, part.child);
      EXECUTE format('DROP TABLE %s', part.child);
    END IF;
  END LOOP;"""
    code = f"""
DECLARE
  start_at {kind} := {_pg_floor(unit, logical, "at_time")};
  next_at {kind};
  part record;
BEGIN
  -- Waits for a lock at most 5 s (a DDL waiting for its lock queues every later query behind it).
  PERFORM set_config('lock_timeout', '5s', true);
  -- Partitions from the interval holding at_time to {ahead} interval(s) after it.
  FOR i IN 0..{ahead} LOOP
    next_at := start_at + {step};
    BEGIN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                     {t.literal(prefix)} || to_char({utc_start}, 'YYYYMMDD'), {regclass}::regclass,
                     start_at, next_at);
    EXCEPTION WHEN invalid_object_definition THEN
      NULL;  -- the range is covered by an existing partition already
    END;
    start_at := next_at;
  END LOOP;{expire}
END """
    body = (
        f"CREATE OR REPLACE PROCEDURE {proc}(at_time timestamptz DEFAULT now())\n"
        f"LANGUAGE plpgsql AS {dollar_quoted(code)}"
    )
    return MaintenanceSql(
        setup=(body,),
        run=(f"CALL {proc}()",),
        schedule=(
            f"daily, e.g. cron `psql -c 'CALL {proc}()'` or pg_cron "
            f"`SELECT cron.schedule({t.literal(table.value + ' partitions')}, '17 3 * * *', "
            f"{t.literal(f'CALL {proc}()')})`"
        ),
    )


def _mysql_floor(unit: TimeUnit, at: str) -> str:
    return {
        TimeUnit.DAY: f"CAST(DATE({at}) AS DATETIME)",
        TimeUnit.WEEK: f"CAST(DATE({at}) - INTERVAL WEEKDAY({at}) DAY AS DATETIME)",
        TimeUnit.MONTH: f"CAST(DATE_FORMAT({at}, '%Y-%m-01') AS DATETIME)",
        TimeUnit.QUARTER: f"CAST(MAKEDATE(YEAR({at}), 1) + INTERVAL (QUARTER({at}) - 1) QUARTER AS DATETIME)",
        TimeUnit.YEAR: f"CAST(MAKEDATE(YEAR({at}), 1) AS DATETIME)",
    }[unit]


def _mysql_maintenance(
    table: Name,
    logical: LogicalType,
    unit: TimeUnit,
    ahead: int,
    retention_days: float | None,
    t: EngineTraits,
) -> MaintenanceSql:
    proc = t.quote(procedure_name(table, t))
    name_text = t.literal(table.value)
    quoted = t.quote(table)
    drop_head = t.literal(f"ALTER TABLE {quoted} DROP PARTITION `")
    catch_all = t.quote(catch_all_name(table, t))
    split_head = t.literal(f"ALTER TABLE {quoted} REORGANIZE PARTITION {catch_all} INTO (PARTITION `p")
    split_tail = t.literal(f"'), PARTITION {catch_all} VALUES LESS THAN (MAXVALUE))")
    step = _MYSQL_INTERVAL[unit]
    fmt = "%Y-%m-%d" if logical.kind == TypeKind.DATE else "%Y-%m-%d %H:%i:%s"
    partitions = (
        "FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() "
        f"AND TABLE_NAME = {name_text} AND PARTITION_DESCRIPTION <> 'MAXVALUE'"
    )
    bound = "CAST(TRIM(BOTH '''' FROM PARTITION_DESCRIPTION) AS DATETIME(6))"
    expire = ""
    if retention_days is not None:
        expire = f"""
  -- Drop partitions whose rows are all older than the retention ({retention_days:g} days).
  SET expired = (SELECT PARTITION_NAME {partitions}
                 AND {bound} <= at_time - INTERVAL {round(retention_days * 86400)} SECOND
                 ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1);
  WHILE expired IS NOT NULL DO
    SET @dbarch_sql = CONCAT({drop_head}, expired, '`');
    PREPARE dbarch_stmt FROM @dbarch_sql;
    EXECUTE dbarch_stmt;
    DEALLOCATE PREPARE dbarch_stmt;
    SET expired = (SELECT PARTITION_NAME {partitions}
                   AND {bound} <= at_time - INTERVAL {round(retention_days * 86400)} SECOND
                   ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1);
  END WHILE;"""
    body = f"""CREATE PROCEDURE {proc}(IN at_time DATETIME(6))
BEGIN
  DECLARE next_start DATETIME;
  DECLARE until_start DATETIME;
  DECLARE expired VARCHAR(64);
  SET SESSION lock_wait_timeout = 5;
  -- Split the empty catch-all partition until partitions reach {ahead} interval(s) past at_time.
  SET until_start = {_mysql_floor(unit, "at_time")} + INTERVAL {ahead} {_unit_word(unit)};
  SET next_start = (SELECT MAX({bound}) {partitions});
  IF next_start IS NULL THEN
    SET next_start = {_mysql_floor(unit, "at_time")};
  END IF;
  WHILE next_start <= until_start DO
    SET @dbarch_sql = CONCAT({split_head},
      DATE_FORMAT(next_start, '%Y%m%d'), '` VALUES LESS THAN (''',
      DATE_FORMAT(next_start + {step}, '{fmt}'), {split_tail});
    PREPARE dbarch_stmt FROM @dbarch_sql;
    EXECUTE dbarch_stmt;
    DEALLOCATE PREPARE dbarch_stmt;
    SET next_start = next_start + {step};
  END WHILE;{expire}
END"""
    event_name = t.quote(Name(procedure_name(table, t).value[: t.identifier_max_length - 6] + "_daily"))
    event = (
        f"CREATE EVENT IF NOT EXISTS {event_name} ON SCHEDULE EVERY 1 DAY "
        f"STARTS CURRENT_TIMESTAMP + INTERVAL 1 HOUR DO CALL {proc}(UTC_TIMESTAMP(6))"
    )
    return MaintenanceSql(
        setup=(body, event),
        run=(f"CALL {proc}(UTC_TIMESTAMP(6))",),
        schedule=f"daily by the event {event_name} (needs SET GLOBAL event_scheduler = ON), or by cron",
    )


def _unit_word(unit: TimeUnit) -> str:
    """``n`` intervals as the factor of a MySQL INTERVAL (weeks as 7 days, quarters as 3 months)."""
    return {
        TimeUnit.DAY: "DAY",
        TimeUnit.WEEK: "WEEK",
        TimeUnit.MONTH: "MONTH",
        TimeUnit.QUARTER: "QUARTER",
        TimeUnit.YEAR: "YEAR",
    }[unit]


def maintenance_sql(
    table: Name,
    logical: LogicalType,
    unit: TimeUnit,
    ahead: int,
    retention_days: float | None,
    traits: EngineTraits,
) -> MaintenanceSql | None:
    """The scheduled SQL that keeps ``table``'s range partitions by a time column of type ``logical``:
    ``ahead`` intervals made ahead, expired ones dropped (None: the engine cannot partition)."""
    if traits.partitioning.max_partitions == 0 or traits.partition_syntax is None:
        return None
    if traits.partitioning.range_catch_all:
        return _mysql_maintenance(table, logical, unit, ahead, retention_days, traits)
    return _pg_maintenance(table, logical, unit, ahead, retention_days, traits)


def partman_sql(
    table: Name,
    column: Name,
    unit: TimeUnit,
    ahead: int,
    retention_days: float | None,
    traits: EngineTraits,
    *,
    schema: str = "public",
    partman_major: int = 5,
) -> tuple[str, ...]:
    """pg_partman's configuration for the same partitions: ``create_parent`` on the partitioned table
    before any partition exists (pg_partman creates them, and a DEFAULT partition), retention in
    ``part_config``, and the call its background worker or cron makes. pg_partman 5.x by default;
    ``partman_major=4`` writes 4.x's call (``p_type => 'native'``). Empty when pg_partman cannot
    manage the engine's partitions."""
    if not traits.partitioning.partman:
        return ()
    parent = traits.literal(f"{schema}.{table.value}")
    control = traits.literal(column.value)
    interval = traits.literal(_PG_INTERVAL[unit])
    kind = "p_type => 'native', " if partman_major < 5 else ""
    out = [
        "CREATE SCHEMA IF NOT EXISTS partman",
        "CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman",
        f"SELECT partman.create_parent(p_parent_table => {parent}, p_control => {control}, "
        f"{kind}p_interval => {interval}, p_premake => {ahead})",
    ]
    if retention_days is not None:
        out.append(
            f"UPDATE partman.part_config SET retention = '{retention_days:g} days', retention_keep_table "
            f"= false WHERE parent_table = {parent}"
        )
    out.append("SELECT partman.run_maintenance()")
    return tuple(out)
