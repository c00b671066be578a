"""How each engine removes, replaces and undoes the objects the catalog does not model field by
field (:class:`~dbarchitect.model.catalog.SchemaObject`): ``DROP FUNCTION f(args)`` on PostgreSQL
but ``DROP FUNCTION f`` on MariaDB, ``DROP TRIGGER t ON table`` vs ``DROP TRIGGER t``, a grant
undone by the matching REVOKE, a comment by ``COMMENT ... IS NULL``."""

from __future__ import annotations

import re

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import SchemaObject
from dbarchitect.model.names import EngineName, Name

#: Kinds dropped by ``DROP <KIND> name`` (PostgreSQL, and MariaDB where it has them).
_PLAIN_DROP = {
    "sequence": "SEQUENCE",
    "extension": "EXTENSION",
    "schema": "SCHEMA",
    "domain": "DOMAIN",
    "type": "TYPE",
    "collation": "COLLATION",
    "materialized view": "MATERIALIZED VIEW",
    "index": "INDEX",
    "event": "EVENT",
    "statistics": "STATISTICS",
    "publication": "PUBLICATION",
    "server": "SERVER",
}
_MYSQL_FAMILY = (EngineName.MYSQL, EngineName.MARIADB)
_GRANT = re.compile(r"^GRANT\s+(?P<what>.*?)\s+TO\s+(?P<who>.*?)(?:\s+WITH\s+GRANT\s+OPTION)?$", re.I | re.S)
_REVOKE = re.compile(
    r"^REVOKE\s+(?:GRANT\s+OPTION\s+FOR\s+)?(?P<what>.*?)\s+FROM\s+(?P<who>.*?)(?:\s+CASCADE|\s+RESTRICT)?$",
    re.I | re.S,
)
_GRANT_OPTION = re.compile(
    r"^GRANT\s+.*?\s+ON\s+(?P<on>.*?)\s+TO\s+(?P<who>.*?)\s+WITH\s+GRANT\s+OPTION$", re.I | re.S
)
_DEFAULT = re.compile(
    r"^(?P<head>ALTER\s+DEFAULT\s+PRIVILEGES\s+.*?)(?P<verb>GRANT|REVOKE)\s+(?P<rest>.*)$", re.I | re.S
)


def drop_object_sql(obj: SchemaObject, traits: EngineTraits) -> tuple[str, ...]:
    """Statements that remove ``obj`` on ``traits``' engine; empty when the engine has no safe
    inverse (a table property, default privileges read from a database...)."""

    def q(part: str) -> str:
        # Names are kept as the engine stores them: one that is not all lower case was quoted.
        return traits.quote(Name(part, quoted=part != part.lower()))

    def qualified(name: str) -> str:
        return ".".join(q(part) for part in name.split("."))

    mysql = traits.engine in _MYSQL_FAMILY
    kind = obj.kind
    if kind in ("function", "procedure", "aggregate"):
        base, _, args = obj.name.partition("(")
        if mysql:
            return (f"DROP {kind.upper()} {qualified(base)}",)
        return (f"DROP {kind.upper()} {qualified(base)}({args}",)
    if kind in ("trigger", "policy", "rule"):
        table, _, name = obj.name.rpartition(".")
        if mysql:
            return (f"DROP {kind.upper()} {q(name)}",)
        return (f"DROP {kind.upper()} {q(name)} ON {qualified(table)}",)
    if kind in _PLAIN_DROP:
        return (f"DROP {_PLAIN_DROP[kind]} {qualified(obj.name)}",)
    if kind == "grant":
        out = []
        for s in obj.create_sql:
            out.append(inverse_grant(s))
            m = _GRANT_OPTION.match(s.strip())
            if mysql and m is not None:
                # REVOKE <privilege> leaves MariaDB's grant option on the object behind.
                out.append(f"REVOKE GRANT OPTION ON {m['on']} FROM {m['who']}")
        return tuple(out)
    if kind == "default privileges":
        out = []
        for s in obj.create_sql:
            m = _DEFAULT.match(s)
            if m is None:
                return ()
            rest = inverse_grant(f"{m['verb']} {m['rest']}")
            out.append(f"{m['head']}{rest}")
        return tuple(out)
    if kind == "comment":
        return (f"COMMENT ON {obj.name} IS NULL",)
    if kind == "row level security":
        table = qualified(obj.name)
        return (
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        )
    return ()


def inverse_grant(sql: str) -> str:
    """``GRANT x ON y TO z`` <-> ``REVOKE x ON y FROM z``."""
    m = _GRANT.match(sql.strip())
    if m is not None:
        return f"REVOKE {m['what']} FROM {m['who']}"
    m = _REVOKE.match(sql.strip())
    if m is not None:
        return f"GRANT {m['what']} TO {m['who']}"
    raise ValueError(f"not a grant: {sql}")


def replace_object_sql(obj: SchemaObject) -> tuple[str, ...] | None:
    """Statements that replace an object of the same identity in place (``CREATE OR REPLACE``),
    when the engine can; ``None`` otherwise."""
    if obj.kind not in ("function", "procedure") or not obj.create_sql:
        return None
    out = []
    for s in obj.create_sql:
        out.append(re.sub(r"^CREATE\s+(?!OR\s+REPLACE)", "CREATE OR REPLACE ", s, count=1, flags=re.I))
    return tuple(out)


__all__ = ["drop_object_sql", "inverse_grant", "replace_object_sql"]
