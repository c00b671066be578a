# ruff: noqa: E501  (catalog queries read best unwrapped)
"""Objects of a live database the catalog does not model field by field, each with the engine's
own rendering of its definition (``pg_get_functiondef``, ``pg_get_triggerdef``, ``SHOW CREATE
...``): functions, procedures, triggers, sequences, extensions, schemas, domains, types (enums no
column of the schema uses, composite and range types), collations, policies and row-level
security, grants, comments on other objects, materialized views and their indexes, table
properties (UNLOGGED, storage parameters, replica identity, inheritance), tables in other schemas;
on MariaDB routines, triggers, events, sequences and grants. Read-only, like the rest of the
introspection. The names match :mod:`dbarchitect.ingest.ddl_objects`' identities.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dbarchitect.ingest.ddl_objects import normalized
from dbarchitect.ingest.grants import Privilege, grant_objects
from dbarchitect.model.catalog import ObjectSource, SchemaObject
from dbarchitect.model.names import EngineName

Rows = Callable[..., Sequence[Any]]

# Each query returns (kind, name, create statement) for the schema :s (names outside it qualified).
# ``q(name)`` is quote_ident qualified by its schema when that is not :s.
_PG_NAME = "case when n.nspname = :s then '' else quote_ident(n.nspname) || '.' end"
_PG_PLAIN = "case when n.nspname = :s then '' else n.nspname || '.' end"
_PG_USER_SCHEMAS = (
    "n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') "
    "and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'"
)
#: A routine's identity arguments as a DDL file's are read (a procedure's ``IN`` mode dropped).
_PG_ARGS = "regexp_replace(pg_get_function_identity_arguments(p.oid), '(^|, )IN ', '\\1', 'g')"
_PG_NOT_EXTENSION = (
    "not exists (select 1 from pg_depend d where d.classid = {cls}::regclass and d.objid = {oid} "
    "and d.deptype = 'e')"
)

_PG_QUERIES: tuple[str, ...] = (
    # functions and procedures
    f"""select case p.prokind when 'p' then 'procedure' else 'function' end,
               {_PG_PLAIN} || p.proname || '(' || {_PG_ARGS} || ')',
               pg_get_functiondef(p.oid)
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where {_PG_USER_SCHEMAS} and p.prokind in ('f', 'p')
          and {_PG_NOT_EXTENSION.format(cls="'pg_proc'", oid="p.oid")}
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                          and d.objid = p.oid and d.deptype = 'i')""",
    # triggers
    f"""select 'trigger', {_PG_PLAIN} || c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where not t.tgisinternal and {_PG_USER_SCHEMAS}""",
    # sequences, except those behind serial and identity columns
    f"""select 'sequence', {_PG_PLAIN} || c.relname,
               'CREATE SEQUENCE ' || {_PG_NAME} || quote_ident(c.relname) || ' AS ' || format_type(s.seqtypid, null)
               || ' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax
               || ' START WITH ' || s.seqstart || ' CACHE ' || s.seqcache
               || case when s.seqcycle then ' CYCLE' else ' NO CYCLE' end
               || coalesce((select ' OWNED BY ' || quote_ident(r.relname) || '.' || quote_ident(a.attname)
                            from pg_depend d join pg_class r on r.oid = d.refobjid
                            join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                            where d.classid = 'pg_class'::regclass and d.objid = c.oid
                              and d.refclassid = 'pg_class'::regclass and d.deptype = 'a'), '')
        from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
        where {_PG_USER_SCHEMAS}
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                          and d.objid = c.oid and d.deptype = 'i')
          and not exists (select 1 from pg_depend d join pg_attrdef ad on ad.adrelid = d.refobjid
                                                                     and ad.adnum = d.refobjsubid
                          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a'
                            and pg_get_expr(ad.adbin, ad.adrelid) like 'nextval(%')""",
    # extensions
    """select 'extension', e.extname, 'CREATE EXTENSION ' || quote_ident(e.extname)
        from pg_extension e where e.extname <> 'plpgsql'""",
    # schemas other than public and the one read
    f"""select 'schema', n.nspname, 'CREATE SCHEMA ' || quote_ident(n.nspname)
        from pg_namespace n where {_PG_USER_SCHEMAS} and n.nspname not in ('public', :s)
          and {_PG_NOT_EXTENSION.format(cls="'pg_namespace'", oid="n.oid")}""",
    # tables in other schemas (not read as tables)
    f"""select 'table', n.nspname || '.' || c.relname, ''
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where {_PG_USER_SCHEMAS} and n.nspname <> :s and c.relkind in ('r', 'p', 'v', 'f')
          and not c.relispartition""",
    # domains
    f"""select 'domain', {_PG_PLAIN} || t.typname,
               'CREATE DOMAIN ' || {_PG_NAME} || quote_ident(t.typname) || ' AS ' || format_type(t.typbasetype, t.typtypmod)
               || coalesce(' DEFAULT ' || t.typdefault, '') || case when t.typnotnull then ' NOT NULL' else '' end
               || coalesce((select string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' '
                                              || pg_get_constraintdef(k.oid), '' order by k.conname)
                            from pg_constraint k where k.contypid = t.oid), '')
        from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where {_PG_USER_SCHEMAS} and t.typtype = 'd'
          and {_PG_NOT_EXTENSION.format(cls="'pg_type'", oid="t.oid")}""",
    # enum types no column of the schema uses; composite types; range types
    f"""select 'type', {_PG_PLAIN} || t.typname,
               case t.typtype
                 when 'e' then 'CREATE TYPE ' || {_PG_NAME} || quote_ident(t.typname) || ' AS ENUM ('
                   || (select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
                       from pg_enum e where e.enumtypid = t.oid) || ')'
                 when 'c' then 'CREATE TYPE ' || {_PG_NAME} || quote_ident(t.typname) || ' AS ('
                   || (select string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod),
                                         ', ' order by a.attnum)
                       from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0
                         and not a.attisdropped) || ')'
                 else '' end
        from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where {_PG_USER_SCHEMAS} and {_PG_NOT_EXTENSION.format(cls="'pg_type'", oid="t.oid")}
          and (t.typtype = 'r'
               or (t.typtype = 'c' and (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
               or (t.typtype = 'e' and not exists (
                     select 1 from pg_attribute a join pg_class c on c.oid = a.attrelid
                     join pg_namespace cn on cn.oid = c.relnamespace
                     where cn.nspname = :s and not a.attisdropped
                       and (a.atttypid = t.oid or a.atttypid = t.typarray))))""",
    # collations
    f"""select 'collation', {_PG_PLAIN} || c.collname,
               'CREATE COLLATION ' || {_PG_NAME} || quote_ident(c.collname) || ' (provider = '
               || case c.collprovider when 'i' then 'icu' when 'c' then 'libc' else 'default' end
               || ', locale = ' || quote_literal(coalesce(c.colliculocale, c.collcollate))
               || ', deterministic = ' || c.collisdeterministic || ')'
        from pg_collation c join pg_namespace n on n.oid = c.collnamespace
        where {_PG_USER_SCHEMAS} and {_PG_NOT_EXTENSION.format(cls="'pg_collation'", oid="c.oid")}""",
    # policies
    f"""select 'policy', {_PG_PLAIN} || c.relname || '.' || p.polname,
               'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' || {_PG_NAME} || quote_ident(c.relname)
               || ' AS ' || case when p.polpermissive then 'PERMISSIVE' else 'RESTRICTIVE' end
               || ' FOR ' || case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                                           when 'd' then 'DELETE' else 'ALL' end
               || ' TO ' || (select string_agg(case when u.oid = 0 then 'PUBLIC'
                                                    else quote_ident(r.rolname) end, ', ' order by r.rolname)
                             from unnest(p.polroles) u(oid) left join pg_roles r on r.oid = u.oid)
               || coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '')
               || coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
        from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace""",
    # row-level security
    f"""select 'row level security', {_PG_PLAIN} || c.relname,
               'ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname) || ' ENABLE ROW LEVEL SECURITY'
               || case when c.relforcerowsecurity then '; ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname)
                       || ' FORCE ROW LEVEL SECURITY' else '' end
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where {_PG_USER_SCHEMAS} and (c.relrowsecurity or c.relforcerowsecurity)""",
    # materialized views and indexes on them
    f"""select 'materialized view', {_PG_PLAIN} || c.relname,
               'CREATE MATERIALIZED VIEW ' || {_PG_NAME} || quote_ident(c.relname) || ' AS '
               || rtrim(pg_get_viewdef(c.oid), ';')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where {_PG_USER_SCHEMAS} and c.relkind = 'm'""",
    f"""select 'index', {_PG_PLAIN} || i.relname, pg_get_indexdef(i.oid)
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
        join pg_namespace n on n.oid = c.relnamespace
        where {_PG_USER_SCHEMAS} and c.relkind = 'm'""",
    # indexes of one partition (not a partitioned index's part): the catalog holds the parent only
    f"""select 'index', {_PG_PLAIN} || i.relname, pg_get_indexdef(i.oid)
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
        join pg_namespace n on n.oid = c.relnamespace
        where {_PG_USER_SCHEMAS} and c.relispartition
          and not exists (select 1 from pg_inherits h where h.inhrelid = i.oid)
          and not exists (select 1 from pg_constraint k where k.conindid = i.oid)""",
    # table properties the catalog does not hold
    f"""select 'table property', {_PG_PLAIN} || c.relname || ' ' || p.what, p.sql
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        cross join lateral (
          select 'unlogged', 'ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname) || ' SET UNLOGGED'
          where c.relpersistence = 'u' and c.relkind in ('r', 'p')
          union all
          select 'storage parameters', 'ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname) || ' SET ('
                 || array_to_string(c.reloptions, ', ') || ')'
          where c.reloptions is not null and c.relkind in ('r', 'p', 'v', 'm')
          union all
          select 'replica identity', 'ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname) || ' REPLICA IDENTITY '
                 || case c.relreplident when 'f' then 'FULL' when 'n' then 'NOTHING' else 'USING INDEX' end
          where c.relreplident in ('f', 'n', 'i') and c.relkind in ('r', 'p')
          union all
          select 'inherits ' || pc.relname, ''
          from pg_inherits ih join pg_class pc on pc.oid = ih.inhparent
          where ih.inhrelid = c.oid and not c.relispartition
          union all
          select 'column ' || a.attname || ' storage', 'ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname)
                 || ' ALTER COLUMN ' || quote_ident(a.attname) || ' SET STORAGE '
                 || case a.attstorage when 'p' then 'PLAIN' when 'e' then 'EXTERNAL' when 'm' then 'MAIN'
                                      else 'EXTENDED' end
          from pg_attribute a join pg_type ty on ty.oid = a.atttypid
          where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attstorage <> ty.typstorage
          union all
          select 'column ' || a.attname || ' statistics', 'ALTER TABLE ' || {_PG_NAME} || quote_ident(c.relname)
                 || ' ALTER COLUMN ' || quote_ident(a.attname) || ' SET STATISTICS ' || a.attstattarget
          from pg_attribute a
          where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attstattarget >= 0
        ) p(what, sql)
        where {_PG_USER_SCHEMAS} and n.nspname = :s""",
    f"""select 'grant', 'function ' || {_PG_PLAIN} || p.proname || '(' || {_PG_ARGS}
               || ') to ' || coalesce(r.rolname, 'PUBLIC'),
               'GRANT EXECUTE ON ROUTINE ' || {_PG_NAME} || quote_ident(p.proname) || '('
               || pg_get_function_identity_arguments(p.oid) || ') TO ' || coalesce(quote_ident(r.rolname), 'PUBLIC')
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        cross join lateral aclexplode(p.proacl) x left join pg_roles r on r.oid = x.grantee
        where {_PG_USER_SCHEMAS} and x.grantee <> p.proowner""",
    f"""select 'grant', 'function ' || {_PG_PLAIN} || p.proname || '(' || {_PG_ARGS}
               || ') revoked from PUBLIC',
               'REVOKE EXECUTE ON ROUTINE ' || {_PG_NAME} || quote_ident(p.proname) || '('
               || pg_get_function_identity_arguments(p.oid) || ') FROM PUBLIC'
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where {_PG_USER_SCHEMAS} and p.proacl is not null
          and not exists (select 1 from aclexplode(p.proacl) x where x.grantee = 0)""",
    """select 'default privileges', coalesce(n.nspname, '') || ' ' || d.defaclobjtype::text,
               array_to_string(d.defaclacl, ',')
        from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace""",
    # comments on what the catalog does not carry comments for
    f"""select 'comment', upper(o.kind) || ' ' || o.name,
               'COMMENT ON ' || upper(o.kind) || ' ' || o.qname || ' IS ' || quote_literal(d.description)
        from pg_description d
        join lateral (
          select 'function' as kind, {_PG_PLAIN} || p.proname || '(' || {_PG_ARGS}
                 || ')' as name, {_PG_NAME} || quote_ident(p.proname) || '('
                 || pg_get_function_identity_arguments(p.oid) || ')' as qname
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where d.classoid = 'pg_proc'::regclass and p.oid = d.objoid and {_PG_USER_SCHEMAS}
          union all
          select case c.relkind when 'i' then 'index' when 'I' then 'index' when 'v' then 'view'
                                when 'm' then 'materialized view' when 'S' then 'sequence' end,
                 {_PG_PLAIN} || c.relname, {_PG_NAME} || quote_ident(c.relname)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where d.classoid = 'pg_class'::regclass and c.oid = d.objoid and d.objsubid = 0
            and c.relkind in ('i', 'I', 'v', 'm', 'S') and {_PG_USER_SCHEMAS}
          union all
          select 'constraint', k.conname || ' ON ' || {_PG_PLAIN} || c.relname,
                 quote_ident(k.conname) || ' ON ' || {_PG_NAME} || quote_ident(c.relname)
          from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
          where d.classoid = 'pg_constraint'::regclass and k.oid = d.objoid and {_PG_USER_SCHEMAS}
          union all
          select 'schema', n.nspname, quote_ident(n.nspname)
          from pg_namespace n
          where d.classoid = 'pg_namespace'::regclass and n.oid = d.objoid and {_PG_USER_SCHEMAS}
            and not (n.nspname = 'public' and d.description = 'standard public schema')
          union all
          select case t.typtype when 'd' then 'domain' else 'type' end, {_PG_PLAIN} || t.typname,
                 {_PG_NAME} || quote_ident(t.typname)
          from pg_type t join pg_namespace n on n.oid = t.typnamespace
          where d.classoid = 'pg_type'::regclass and t.oid = d.objoid and {_PG_USER_SCHEMAS}
          union all
          select 'trigger', tg.tgname || ' ON ' || {_PG_PLAIN} || c.relname,
                 quote_ident(tg.tgname) || ' ON ' || {_PG_NAME} || quote_ident(c.relname)
          from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
          where d.classoid = 'pg_trigger'::regclass and tg.oid = d.objoid and {_PG_USER_SCHEMAS}
        ) o on true""",
    # rules other than views' own
    """select 'rule', schemaname || '.' || tablename || '.' || rulename, definition
        from pg_rules where schemaname not in ('pg_catalog', 'information_schema')""",
)


# Privileges on relations, their columns and schemas, one row each (the owner's own are implicit):
# (target, name, column, grantee, privilege, grantable), read into grant objects by
# :mod:`dbarchitect.ingest.grants`.
_PG_PRIVILEGES = f"""
    select case c.relkind when 'S' then 'sequence' else 'table' end, {_PG_PLAIN} || c.relname, '',
           coalesce(r.rolname, 'PUBLIC'), x.privilege_type, x.is_grantable
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    cross join lateral aclexplode(c.relacl) x left join pg_roles r on r.oid = x.grantee
    where {_PG_USER_SCHEMAS} and x.grantee <> c.relowner
    union all
    select 'table', {_PG_PLAIN} || c.relname, a.attname, coalesce(r.rolname, 'PUBLIC'), x.privilege_type,
           x.is_grantable
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    cross join lateral aclexplode(a.attacl) x left join pg_roles r on r.oid = x.grantee
    where {_PG_USER_SCHEMAS} and x.grantee <> c.relowner
    union all
    select 'schema', n.nspname, '', coalesce(r.rolname, 'PUBLIC'), x.privilege_type, x.is_grantable
    from pg_namespace n cross join lateral aclexplode(n.nspacl) x left join pg_roles r on r.oid = x.grantee
    where {_PG_USER_SCHEMAS} and x.grantee <> n.nspowner and n.nspname <> 'public'"""


def postgres_objects(rows: Rows, schema: str) -> tuple[SchemaObject, ...]:
    """The objects of a PostgreSQL database (``rows(sql, s=schema)`` runs a read-only query)."""
    out: list[SchemaObject] = []
    for query in _PG_QUERIES:
        for kind, name, sql in rows(query, s=schema):
            text = str(sql or "").strip().rstrip(";")
            create: tuple[str, ...] = (text,) if text else ()
            if kind == "row level security":
                create = tuple(text.split("; "))
            elif kind == "default privileges":
                create = ()  # an ACL, not a statement
            out.append(
                SchemaObject(str(kind), str(name), normalized(str(sql or "")), ObjectSource.DATABASE, create)
            )
    out += grant_objects(
        (
            Privilege(str(t), str(n), str(c), str(g), str(p), bool(o))
            for t, n, c, g, p, o in rows(_PG_PRIVILEGES, s=schema)
        ),
        EngineName.POSTGRESQL,
    )
    return tuple(sorted(out, key=lambda o: (o.kind, o.name)))


def mariadb_objects(rows: Rows, schema: str) -> tuple[SchemaObject, ...]:
    """The objects of a MariaDB/MySQL schema: routines, triggers, events, sequences, grants."""
    out: list[SchemaObject] = []

    def add(kind: str, name: str, sql: str) -> None:
        out.append(SchemaObject(kind, name, normalized(sql), ObjectSource.DATABASE, (sql.strip(),)))

    ident = "`" + schema.replace("`", "``") + "`"

    def quoted(name: str) -> str:
        return ident + ".`" + name.replace("`", "``") + "`"

    for name, kind in rows(
        "select ROUTINE_NAME, ROUTINE_TYPE from information_schema.ROUTINES where ROUTINE_SCHEMA = :s",
        s=schema,
    ):
        found = rows(f"show create {str(kind).lower()} {quoted(str(name))}")
        text = found[0][2] if found and found[0][2] else ""
        label = str(kind).lower()
        add(
            label,
            f"{str(name).lower()}()" if label in ("function", "procedure") else str(name),
            _undefine(text),
        )
    for name, table in rows(
        "select TRIGGER_NAME, EVENT_OBJECT_TABLE from information_schema.TRIGGERS where TRIGGER_SCHEMA = :s",
        s=schema,
    ):
        found = rows(f"show create trigger {quoted(str(name))}")
        add("trigger", f"{str(table).lower()}.{str(name).lower()}", _undefine(found[0][2] if found else ""))
    for (name,) in rows("select EVENT_NAME from information_schema.EVENTS where EVENT_SCHEMA = :s", s=schema):
        found = rows(f"show create event {quoted(str(name))}")
        add("event", str(name).lower(), _undefine(found[0][3] if found else ""))
    for (name,) in rows(
        "select TABLE_NAME from information_schema.TABLES where TABLE_SCHEMA = :s and TABLE_TYPE = 'SEQUENCE'",
        s=schema,
    ):
        found = rows(f"show create sequence {quoted(str(name))}")
        add("sequence", str(name).lower(), str(found[0][1]).replace(f"{ident}.", "") if found else "")
    for name, option in rows(
        "select TABLE_NAME, CHECK_OPTION from information_schema.VIEWS "
        "where TABLE_SCHEMA = :s and CHECK_OPTION <> 'NONE'",
        s=schema,
    ):
        out.append(
            SchemaObject(
                "table property", f"{name} check option", f"WITH {option} CHECK OPTION", ObjectSource.DATABASE
            )
        )
    privileges = rows(
        "select GRANTEE, TABLE_NAME, '', PRIVILEGE_TYPE, IS_GRANTABLE from information_schema.TABLE_PRIVILEGES "
        "where TABLE_SCHEMA = :s union all "
        "select GRANTEE, TABLE_NAME, COLUMN_NAME, PRIVILEGE_TYPE, IS_GRANTABLE "
        "from information_schema.COLUMN_PRIVILEGES where TABLE_SCHEMA = :s",
        s=schema,
    )
    out += grant_objects(
        (Privilege("table", str(t), str(c), str(g), str(p), str(o) == "YES") for g, t, c, p, o in privileges),
        EngineName.MARIADB,
    )
    return tuple(sorted(out, key=lambda o: (o.kind, o.name)))


def _undefine(sql: str) -> str:
    """``SHOW CREATE`` text without its ``DEFINER=`user`@`host``` clause (not schema)."""
    return re.sub(r"\s+DEFINER=`[^`]*`@`[^`]*`", "", sql or "")


__all__ = ["mariadb_objects", "postgres_objects"]
