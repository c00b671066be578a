"""What a database holds, read from the engine's own catalog, independent of dbarchitect's model.

A fingerprint is a dict ``{object key: definition text}`` built from the engine's own rendering
(``pg_get_constraintdef``, ``pg_get_indexdef``, ``pg_get_expr``, ``format_type``,
``pg_get_functiondef``, ``pg_get_triggerdef``... on PostgreSQL; ``SHOW CREATE ...`` and
``information_schema`` on MariaDB), so two databases with the same fingerprint hold the same
schema as the engine sees it: names (auto-generated ones included), types, defaults, nullability,
identity, constraints, indexes with their definitions, views, sequences, functions, triggers,
grants, comments, policies, extensions, collations. Column order is kept apart (``order:`` keys)
because a plan may declare it cannot keep it. ACLs are compared as they take effect: a NULL ACL
(the object's defaults) equals those defaults written out, as a GRANT then REVOKE leaves them.
"""

from __future__ import annotations

import re
from typing import Any

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

_PG_QUERIES: dict[str, str] = {
    "schema": """
        select n.nspname, array_to_string(coalesce(n.nspacl, acldefault('n', n.nspowner)), ',') || ' | comment='
               || coalesce(obj_description(n.oid, 'pg_namespace'), '')
        from pg_namespace n
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'
    """,
    "relation": """
        select n.nspname || '.' || c.relname,
               concat_ws(' | ', c.relkind::text, c.relpersistence::text, array_to_string(c.reloptions, ','),
                         'rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity,
                         coalesce(pg_get_partkeydef(c.oid), ''),
                         coalesce(pg_get_expr(c.relpartbound, c.oid), ''),
                         'acl=' || array_to_string(coalesce(c.relacl, acldefault((case when c.relkind = 'S' then 's' else 'r' end)::"char", c.relowner)), ','),
                         'comment=' || coalesce(obj_description(c.oid, 'pg_class'), ''),
                         'replident=' || c.relreplident::text,
                         'am=' || coalesce(am.amname, ''))
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        left join pg_am am on am.oid = c.relam and c.relkind in ('r', 'm')
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c', 'S')
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                          and d.objid = c.oid and d.deptype = 'e')
    """,
    "column": """
        select n.nspname || '.' || c.relname || '.' || a.attname,
               concat_ws(' | ', format_type(a.atttypid, a.atttypmod),
                         case when a.attnotnull then 'not null' else 'null' end,
                         'default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), ''),
                         'identity=' || a.attidentity::text, 'generated=' || a.attgenerated::text,
                         'collation=' || coalesce(case when a.attcollation <> t.typcollation
                                                  then co.collname end, ''),
                         'storage=' || case when a.attstorage <> t.typstorage then a.attstorage::text else '' end,
                         'stats=' || coalesce(a.attstattarget, -1),
                         'acl=' || coalesce(array_to_string(a.attacl, ','), ''),
                         'comment=' || coalesce(col_description(c.oid, a.attnum), ''))
        from pg_attribute a join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        join pg_type t on t.oid = a.atttypid
        left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
        left join pg_collation co on co.oid = a.attcollation
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and a.attnum > 0 and not a.attisdropped
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                          and d.objid = c.oid and d.deptype = 'e')
    """,
    "order": """
        select n.nspname || '.' || c.relname,
               string_agg(a.attname, ',' order by a.attnum)
        from pg_attribute a join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and a.attnum > 0 and not a.attisdropped
        group by 1
    """,
    "constraint": """
        select n.nspname || '.' || coalesce(c.relname, t.typname) || '.' || con.conname,
               concat_ws(' | ', pg_get_constraintdef(con.oid),
                         'comment=' || coalesce(obj_description(con.oid, 'pg_constraint'), ''))
        from pg_constraint con join pg_namespace n on n.oid = con.connamespace
        left join pg_class c on c.oid = con.conrelid
        left join pg_type t on t.oid = con.contypid
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and (con.conparentid = 0 or con.contype <> 'f')
    """,
    "index": """
        select n.nspname || '.' || i.relname,
               concat_ws(' | ', pg_get_indexdef(i.oid),
                         'comment=' || coalesce(obj_description(i.oid, 'pg_class'), ''),
                         'clustered=' || x.indisclustered)
        from pg_index x join pg_class i on i.oid = x.indexrelid
        join pg_namespace n on n.oid = i.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    """,
    "view": """
        select n.nspname || '.' || c.relname, pg_get_viewdef(c.oid)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and c.relkind in ('v', 'm')
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                          and d.objid = c.oid and d.deptype = 'e')
    """,
    "sequence": """
        select n.nspname || '.' || c.relname,
               concat_ws(' | ', format_type(s.seqtypid, null), s.seqstart, s.seqincrement, s.seqmin,
                         s.seqmax, s.seqcache, s.seqcycle,
                         'owned=' || coalesce((select r.relname || '.' || a.attname || ':' || d.deptype::text
                                      from pg_depend d join pg_class r on r.oid = d.refobjid
                                      join pg_attribute a on a.attrelid = d.refobjid
                                                          and a.attnum = d.refobjsubid
                                      where d.classid = 'pg_class'::regclass and d.objid = c.oid
                                        and d.refclassid = 'pg_class'::regclass
                                        and d.deptype in ('a', 'i') limit 1), ''))
        from pg_sequence s join pg_class c on c.oid = s.seqrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    """,
    "function": """
        select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               concat_ws(' | ', pg_get_functiondef(p.oid),
                         'acl=' || array_to_string(coalesce(p.proacl, acldefault('f', p.proowner)), ','),
                         'comment=' || coalesce(obj_description(p.oid, 'pg_proc'), ''))
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and p.prokind <> 'a'
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                          and d.objid = p.oid and d.deptype = 'e')
    """,
    "trigger": """
        select n.nspname || '.' || c.relname || '.' || tg.tgname,
               concat_ws(' | ', pg_get_triggerdef(tg.oid), 'enabled=' || tg.tgenabled::text,
                         'comment=' || coalesce(obj_description(tg.oid, 'pg_trigger'), ''))
        from pg_trigger tg join pg_class c on c.oid = tg.tgrelid
        join pg_namespace n on n.oid = c.relnamespace
        where not tg.tgisinternal
          and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    """,
    "type": """
        select n.nspname || '.' || t.typname,
               concat_ws(' | ', t.typtype::text,
                         case t.typtype
                           when 'e' then (select string_agg(e.enumlabel, ',' order by e.enumsortorder)
                                          from pg_enum e where e.enumtypid = t.oid)
                           when 'd' then format_type(t.typbasetype, t.typtypmod) || ' notnull='
                                         || t.typnotnull || ' default=' || coalesce(t.typdefault, '')
                           else '' end,
                         'acl=' || array_to_string(coalesce(t.typacl, acldefault('T', t.typowner)), ','),
                         'comment=' || coalesce(obj_description(t.oid, 'pg_type'), ''))
        from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
          and t.typtype in ('e', 'd', 'r', 'm')
          and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass
                          and d.objid = t.oid and d.deptype = 'e')
    """,
    "policy": """
        select n.nspname || '.' || c.relname || '.' || p.polname,
               concat_ws(' | ', p.polcmd::text, p.polpermissive,
                         (select string_agg(coalesce(r.rolname, 'public'), ',' order by r.rolname)
                          from unnest(p.polroles) u(oid) left join pg_roles r on r.oid = u.oid),
                         coalesce(pg_get_expr(p.polqual, p.polrelid), ''),
                         coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''))
        from pg_policy p join pg_class c on c.oid = p.polrelid
        join pg_namespace n on n.oid = c.relnamespace
    """,
    "extension": """
        select e.extname, n.nspname || ' ' || e.extversion
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    """,
    "collation": """
        select n.nspname || '.' || c.collname,
               concat_ws(' | ', c.collprovider::text, c.collisdeterministic, c.collcollate, c.collctype,
                         c.colliculocale)
        from pg_collation c join pg_namespace n on n.oid = c.collnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    """,
    "rule": """
        select schemaname || '.' || tablename || '.' || rulename, definition
        from pg_rules where schemaname not in ('pg_catalog', 'information_schema')
    """,
    "default_acl": """
        select coalesce(n.nspname, '') || '.' || d.defaclobjtype::text,
               array_to_string(d.defaclacl, ',')
        from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
    """,
}


_PG_ONE_QUERY = "\nunion all\n".join(
    f"select '{kind}:' || q.k, q.v::text from ({query}) as q(k, v)" for kind, query in _PG_QUERIES.items()
)


def postgres_fingerprint(conn: Any) -> dict[str, str]:
    """The fingerprint of the database ``conn`` (a psycopg connection) is connected to (one query)."""
    return {str(k): str(v) for k, v in conn.execute(_PG_ONE_QUERY).fetchall()}


_AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+")
_DEFINER = re.compile(r" DEFINER=`[^`]*`@`[^`]*`")


def mariadb_fingerprint(conn: Any, database: str) -> dict[str, str]:
    """The fingerprint of ``database`` (a PyMySQL connection). Object text is the server's own
    ``SHOW CREATE`` output with the database name replaced, definers and AUTO_INCREMENT counters
    dropped (they are not schema)."""
    found: dict[str, str] = {}

    def rows(sql: str, *args: object) -> list[tuple[Any, ...]]:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def clean(text: str) -> str:
        text = text.replace(f"`{database}`.", "")
        text = _DEFINER.sub("", text)
        return _AUTO_INCREMENT.sub("", text)

    ident = "`" + database.replace("`", "``") + "`"
    for name, kind in rows(
        "select table_name, table_type from information_schema.tables where table_schema = %s", database
    ):
        quoted = "`" + name.replace("`", "``") + "`"
        if kind == "VIEW":
            text = rows(f"show create view {ident}.{quoted}")[0][1]
            found[f"view:{name}"] = clean(text)
            continue
        if kind == "SEQUENCE":
            found[f"sequence:{name}"] = clean(rows(f"show create sequence {ident}.{quoted}")[0][1])
            continue
        text = clean(rows(f"show create table {ident}.{quoted}")[0][1])
        lines = text.split("\n")
        columns = [ln.strip().split("`")[1] for ln in lines[1:] if ln.strip().startswith("`")]
        found[f"order:{name}"] = ",".join(columns)
        for ln in lines[1:-1]:
            item = ln.strip().rstrip(",")
            if item.startswith("`"):
                found[f"column:{name}.{item.split('`')[1]}"] = item
            else:
                found[f"item:{name}.{item}"] = item
        found[f"table:{name}"] = lines[-1]
    for name, kind in rows(
        "select routine_name, routine_type from information_schema.routines where routine_schema = %s",
        database,
    ):
        quoted = "`" + name.replace("`", "``") + "`"
        text = rows(f"show create {kind.lower()} {ident}.{quoted}")[0][2]
        found[f"{kind.lower()}:{name}"] = clean(text)
    for (name,) in rows(
        "select trigger_name from information_schema.triggers where trigger_schema = %s", database
    ):
        quoted = "`" + name.replace("`", "``") + "`"
        text = rows(f"show create trigger {ident}.{quoted}")[0][2]
        found[f"trigger:{name}"] = clean(text)
    for (name,) in rows("select event_name from information_schema.events where event_schema = %s", database):
        quoted = "`" + name.replace("`", "``") + "`"
        found[f"event:{name}"] = clean(rows(f"show create event {ident}.{quoted}")[0][3])
    for table in ("schema_privileges", "table_privileges", "column_privileges"):
        cols = {
            "schema_privileges": "grantee, '', '', privilege_type, is_grantable",
            "table_privileges": "grantee, table_name, '', privilege_type, is_grantable",
            "column_privileges": "grantee, table_name, column_name, privilege_type, is_grantable",
        }[table]
        for grantee, tname, cname, privilege, grantable in rows(
            f"select {cols} from information_schema.{table} where table_schema = %s", database
        ):
            found[f"grant:{grantee}.{tname}.{cname}.{privilege}"] = str(grantable)
    for name, kind, grantee, privilege in rows(
        "select routine_name, routine_type, concat(user, '@', host), proc_priv from mysql.procs_priv "
        "where db = %s",
        database,
    ):
        found[f"grant:{grantee}.{kind}.{name}"] = str(privilege)
    return found


def differences(
    want: dict[str, str], got: dict[str, str], *, ignore_order: tuple[str, ...] = ()
) -> list[str]:
    """What ``got`` lacks, has extra or holds differently from ``want``, one line each."""
    out: list[str] = []
    for key in sorted(set(want) | set(got)):
        if key.startswith("order:") and key.split(":", 1)[1].rsplit(".", 1)[-1] in ignore_order:
            continue
        a, b = want.get(key), got.get(key)
        if a == b:
            continue
        if a is None:
            out.append(f"extra {key}: {b}")
        elif b is None:
            out.append(f"missing {key}: {a}")
        else:
            out.append(f"differs {key}: want {a!r}, got {b!r}")
    return out
