"""A least-privilege role set for a design: read-only, application, migration owner.

Three roles, so a leaked application credential cannot change the schema and a reporting tool cannot
write: ``<prefix>_readonly`` (SELECT on every table and view), ``<prefix>_app`` (SELECT, INSERT,
UPDATE, DELETE on every table, and the sequences identity columns draw from; no DDL) and
``<prefix>_owner`` (owns the objects; migrations run as it; nobody logs in as it day to day). Login
users are then granted one role each. How privileges are written is an engine fact, so each engine
family has one function here; SQLite has no users or privileges at all (access is the file's
permissions), and says so.
"""

from __future__ import annotations

from collections.abc import Callable

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName


def _postgres(catalog: Catalog, traits: EngineTraits, prefix: str) -> list[str]:
    q = traits.quote
    ro, app, owner = q(f"{prefix}_readonly"), q(f"{prefix}_app"), q(f"{prefix}_owner")
    tables = ", ".join(q(t.name) for t in catalog.tables)
    views = ", ".join(q(v.name) for v in catalog.views)
    out = [
        f"CREATE ROLE {owner} NOLOGIN;",
        f"CREATE ROLE {app} NOLOGIN;",
        f"CREATE ROLE {ro} NOLOGIN;",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {owner};",
        f"GRANT USAGE ON SCHEMA public TO {app}, {ro};",
    ]
    out += [f"ALTER TABLE {q(t.name)} OWNER TO {owner};" for t in catalog.tables]
    out += [f"ALTER VIEW {q(v.name)} OWNER TO {owner};" for v in catalog.views]
    if tables:
        out += [
            f"GRANT SELECT ON {tables} TO {ro};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {app};",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};",
        ]
    if views:
        out.append(f"GRANT SELECT ON {views} TO {ro}, {app};")
    out += [
        "-- Tables the owner creates later get the same grants:",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT ON TABLES TO {ro};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app};",
        f"-- Then: CREATE ROLE <login> LOGIN PASSWORD '...' IN ROLE {app}; (one login per service)",
    ]
    return out


def _mysql(catalog: Catalog, traits: EngineTraits, prefix: str) -> list[str]:
    q = traits.quote
    ro, app, owner = q(f"{prefix}_readonly"), q(f"{prefix}_app"), q(f"{prefix}_owner")
    out = [f"CREATE ROLE {owner};", f"CREATE ROLE {app};", f"CREATE ROLE {ro};"]
    out.append("-- `*` is the current database: run this connected to the design's database.")
    out.append(
        f"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, "
        f"SHOW VIEW, TRIGGER ON * TO {owner};"
    )
    for t in catalog.tables:
        out.append(f"GRANT SELECT ON {q(t.name)} TO {ro};")
        out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {q(t.name)} TO {app};")
    for v in catalog.views:
        out.append(f"GRANT SELECT ON {q(v.name)} TO {ro}, {app};")
    out += [
        f"-- Then: CREATE USER '<login>'@'%' IDENTIFIED BY '...'; GRANT {app} TO '<login>'@'%';",
        f"--       SET DEFAULT ROLE {app} FOR '<login>'@'%';",
        "-- Tables created later need their own GRANTs (MySQL/MariaDB have no default privileges).",
    ]
    return out


def _sqlite(catalog: Catalog, traits: EngineTraits, prefix: str) -> list[str]:
    return [
        f"-- {traits.label} has no users, roles or GRANTs: whoever can open the database file can read and",
        "-- change everything. Least privilege is the file's permissions: the application's OS user",
        "-- owns it read-write (mode 0600), readers get a copy or open it read-only (mode=ro in the",
        "-- URI, ?mode=ro), and migrations run as the owner.",
    ]


_BY_ENGINE: dict[EngineName, Callable[[Catalog, EngineTraits, str], list[str]]] = {
    EngineName.POSTGRESQL: _postgres,
    EngineName.MYSQL: _mysql,
    EngineName.MARIADB: _mysql,
    EngineName.SQLITE: _sqlite,
}


def least_privilege_sql(catalog: Catalog, traits: EngineTraits, *, prefix: str = "app") -> str:
    """The role set and GRANTs for ``catalog`` on ``traits``' engine, as a script (only returns SQL)."""
    write = _BY_ENGINE.get(traits.engine)
    header = f"-- Least-privilege roles for {traits}: read-only, application, migration owner."
    if write is None:
        return f"{header}\n-- No role script for {traits.label}: its privilege model is not modelled yet.\n"
    return "\n".join([header, *write(catalog, traits, prefix)]) + "\n"
