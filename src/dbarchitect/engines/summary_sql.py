"""SQL that keeps a summary table exact, per engine: the upsert that adds (or subtracts) a delta of
rows, the row triggers that run it, the materialized view and its refresh.

Functions named ``*_sql`` only return SQL; the shapes are chosen by the engine's traits
(``upsert_syntax``, ``features.trigger_syntax``, ``features.materialized_views``), never by its name:

- **upsert**: ``INSERT INTO s (...) SELECT ... ON CONFLICT (keys) DO UPDATE SET m = s.m +
  excluded.m`` (PostgreSQL, SQLite: the SELECT carries a WHERE so SQLite parses the ON CONFLICT) or
  ``ON DUPLICATE KEY UPDATE m = m + VALUES(m)`` (MySQL, MariaDB). A count or sum adds; a min/max
  keeps the smaller/larger of the two (a row added can only lower a minimum); NULL sums count as 0 on
  both sides and the non-NULL counts say whether a sum is NULL.
- **row triggers**: a PL/pgSQL function and one ``AFTER INSERT OR UPDATE OR DELETE`` trigger
  (PostgreSQL), or one trigger per event with a ``BEGIN ... END`` body (MySQL/MariaDB, SQLite). An
  UPDATE that changes none of the columns the summary reads does nothing (``IF``/``WHEN`` on
  ``OLD.c`` vs ``NEW.c``).
- **materialized view** (PostgreSQL): ``CREATE MATERIALIZED VIEW``, the unique index ``REFRESH ...
  CONCURRENTLY`` needs, and the refresh scheduled with pg_cron.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbarchitect.engines.traits import EngineTraits


@dataclass(frozen=True)
class MeasureColumn:
    """A summary column and how a delta merges into it: ``add`` (counts, sums), ``min``, ``max``,
    ``keep`` (left as it is: a min/max recomputed after a subtraction)."""

    name: str
    merge: str


def _merge(column: MeasureColumn, current: str, incoming: str) -> str:
    if column.merge == "add":
        return f"COALESCE({current}, 0) + COALESCE({incoming}, 0)"
    if column.merge == "min":
        return f"CASE WHEN {current} IS NULL OR {incoming} < {current} THEN {incoming} ELSE {current} END"
    if column.merge == "max":
        return f"CASE WHEN {current} IS NULL OR {incoming} > {current} THEN {incoming} ELSE {current} END"
    return current


def upsert_sql(
    summary: str,
    keys: Sequence[str],
    measures: Sequence[MeasureColumn],
    select_sql: str,
    traits: EngineTraits,
) -> str:
    """Merge the rows of ``select_sql`` (keys then measures, in order) into ``summary`` (quoted)."""
    q = traits.quote
    columns = ", ".join(q(c) for c in [*keys, *(m.name for m in measures)])
    if traits.upsert_syntax == "on_duplicate_key":
        sets = ", ".join(f"{q(m.name)} = {_merge(m, q(m.name), f'VALUES({q(m.name)})')}" for m in measures)
        return f"INSERT INTO {summary} ({columns}) {select_sql} ON DUPLICATE KEY UPDATE {sets}"
    sets = ", ".join(
        f"{q(m.name)} = {_merge(m, f'{summary}.{q(m.name)}', f'excluded.{q(m.name)}')}" for m in measures
    )
    return (
        f"INSERT INTO {summary} ({columns}) {select_sql} "
        f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {sets}"
    )


def _changed(columns: Sequence[str], traits: EngineTraits) -> str:
    """A condition true when an UPDATE changed one of ``columns``."""
    q = traits.quote
    if traits.features.trigger_syntax == "compound":
        return " OR ".join(f"NOT (OLD.{q(c)} <=> NEW.{q(c)})" for c in columns)
    if traits.features.trigger_syntax == "sqlite":
        return " OR ".join(f"OLD.{q(c)} IS NOT NEW.{q(c)}" for c in columns)
    return " OR ".join(f"OLD.{q(c)} IS DISTINCT FROM NEW.{q(c)}" for c in columns)


@dataclass(frozen=True)
class TriggerBody:
    """What a row trigger on one table does: the statements for a row inserted (using ``NEW``), for a
    row deleted (``OLD``); an update runs the delete's then the insert's, when one of ``watched``
    changed. ``before_delete``: statements run BEFORE a DELETE (engines whose cascades fire no
    triggers: the children's share is subtracted while they are still there)."""

    on_insert: tuple[str, ...] = ()
    on_delete: tuple[str, ...] = ()
    watched: tuple[str, ...] = ()
    before_delete: tuple[str, ...] = ()
    #: The events that fire it (a parent table's rows need only their updates watched).
    events: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


def trigger_names(base: str, traits: EngineTraits) -> tuple[str, ...]:
    """The trigger (and function) names :func:`triggers_sql` creates for ``base``."""
    if traits.features.trigger_syntax == "plpgsql":
        return (base, f"{base}_before")
    return (f"{base}_ins", f"{base}_upd", f"{base}_del", f"{base}_bdel")


def triggers_sql(base: str, table: str, body: TriggerBody, traits: EngineTraits) -> list[str]:
    """The DDL creating ``table``'s triggers for ``body`` (``base`` names them; ``table`` is quoted)."""
    style = traits.features.trigger_syntax
    q = traits.quote
    out: list[str] = []
    if style == "plpgsql":
        ins = "\n    ".join(f"{s};" for s in body.on_insert)
        dele = "\n    ".join(f"{s};" for s in body.on_delete)
        guard = ""
        if body.watched:
            guard = (
                f"  IF TG_OP = 'UPDATE' AND NOT ({_changed(body.watched, traits)}) THEN\n"
                "    RETURN NULL;\n  END IF;\n"
            )
        parts = [
            f"CREATE FUNCTION {q(base)}() RETURNS trigger LANGUAGE plpgsql AS $dbarch$\nBEGIN\n{guard}"
            + (f"  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n    {dele}\n  END IF;\n" if body.on_delete else "")
            + (f"  IF TG_OP IN ('UPDATE', 'INSERT') THEN\n    {ins}\n  END IF;\n" if body.on_insert else "")
            + "  RETURN NULL;\nEND\n$dbarch$",
        ]
        events = [
            e
            for e, used in (("INSERT", body.on_insert), ("UPDATE", body.watched), ("DELETE", body.on_delete))
            if used and e in body.events
        ]
        if events:
            parts.append(
                f"CREATE TRIGGER {q(base)} AFTER {' OR '.join(events)} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {q(base)}()"
            )
        else:
            parts = []
        if body.before_delete:
            stmts = "\n    ".join(f"{s};" for s in body.before_delete)
            parts.append(
                f"CREATE FUNCTION {q(base + '_before')}() RETURNS trigger LANGUAGE plpgsql AS $dbarch$\n"
                f"BEGIN\n    {stmts}\n    RETURN OLD;\nEND\n$dbarch$"
            )
            parts.append(
                f"CREATE TRIGGER {q(base + '_before')} BEFORE DELETE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {q(base + '_before')}()"
            )
        return parts
    ins_name, upd_name, del_name, bdel_name = trigger_names(base, traits)

    def block(statements: Sequence[str]) -> str:
        if style == "compound":
            return "BEGIN\n  " + "\n  ".join(f"{s};" for s in statements) + "\nEND"
        return "BEGIN\n  " + "\n  ".join(f"{s};" for s in statements) + "\nEND"

    if body.on_insert and "INSERT" in body.events:
        out.append(
            f"CREATE TRIGGER {q(ins_name)} AFTER INSERT ON {table} FOR EACH ROW {block(body.on_insert)}"
        )
    if body.watched and (body.on_insert or body.on_delete) and "UPDATE" in body.events:
        statements = [*body.on_delete, *body.on_insert]
        if style == "compound":
            inner = "\n    ".join(f"{s};" for s in statements)
            out.append(
                f"CREATE TRIGGER {q(upd_name)} AFTER UPDATE ON {table} FOR EACH ROW\nBEGIN\n"
                f"  IF {_changed(body.watched, traits)} THEN\n    {inner}\n  END IF;\nEND"
            )
        else:
            out.append(
                f"CREATE TRIGGER {q(upd_name)} AFTER UPDATE OF {', '.join(q(c) for c in body.watched)} ON "
                f"{table} "
                f"FOR EACH ROW WHEN {_changed(body.watched, traits)} {block(statements)}"
            )
    if body.on_delete and "DELETE" in body.events:
        out.append(
            f"CREATE TRIGGER {q(del_name)} AFTER DELETE ON {table} FOR EACH ROW {block(body.on_delete)}"
        )
    if body.before_delete:
        out.append(
            f"CREATE TRIGGER {q(bdel_name)} BEFORE DELETE ON {table} FOR EACH ROW {block(body.before_delete)}"
        )
    return out


def drop_triggers_sql(base: str, table: str, traits: EngineTraits) -> list[str]:
    """DDL dropping what :func:`triggers_sql` created (missing objects are fine)."""
    q = traits.quote
    if traits.features.trigger_syntax == "plpgsql":
        return [
            f"DROP TRIGGER IF EXISTS {q(base)} ON {table}",
            f"DROP TRIGGER IF EXISTS {q(base + '_before')} ON {table}",
            f"DROP FUNCTION IF EXISTS {q(base)}()",
            f"DROP FUNCTION IF EXISTS {q(base + '_before')}()",
        ]
    return [f"DROP TRIGGER IF EXISTS {q(n)}" for n in trigger_names(base, traits)]


def materialized_view_sql(name: str, definition: str, keys: Sequence[str], traits: EngineTraits) -> list[str]:
    """A materialized view of ``definition`` with the unique index ``REFRESH ... CONCURRENTLY`` needs."""
    q = traits.quote
    return [
        f"CREATE MATERIALIZED VIEW {q(name)} AS {definition}",
        f"CREATE UNIQUE INDEX {q(name + '_key')} ON {q(name)} ({', '.join(q(k) for k in keys)})",
    ]


def refresh_sql(name: str, traits: EngineTraits) -> str:
    return f"REFRESH MATERIALIZED VIEW CONCURRENTLY {traits.quote(name)}"


def refresh_schedule_sql(name: str, every_seconds: float, traits: EngineTraits) -> str:
    """A pg_cron job refreshing the view every ``every_seconds`` (seconds below a minute, pg_cron 1.5;
    otherwise whole minutes)."""
    if every_seconds < 60:
        schedule = f"{max(1, int(every_seconds))} seconds"
    else:
        minutes = max(1, int(every_seconds // 60))
        schedule = "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    job = refresh_sql(name, traits).replace("'", "''")
    return f"SELECT cron.schedule('{name}_refresh', '{schedule}', '{job}')"
