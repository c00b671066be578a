"""Per-engine catalog readers for :mod:`.live`: what SQLAlchemy's Inspector does not say well,
read from PostgreSQL's, MariaDB/MySQL's and SQLite's own catalogs into :class:`Facts`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.exc import SQLAlchemyError
from sqlglot import exp

from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import index_key_from_node
from dbarchitect.ingest.ddl_nodes import mysql_partition_flavor, mysql_table_options
from dbarchitect.ingest.live_expressions import (
    SYSTEM_SCHEMAS,
    as_number,
    neutral_expression,
    parse_expression,
    quoted_fact,
    tidy_node,
)
from dbarchitect.ingest.live_objects import mariadb_objects, postgres_objects
from dbarchitect.model.catalog import (
    CheckConstraint,
    ColumnStats,
    Index,
    IndexKey,
    Partition,
    Partitioning,
    PartitionMethod,
    SchemaObject,
    TableStats,
)
from dbarchitect.model.names import EngineName

# -- per-engine facts -------------------------------------------------------------------------


@dataclass
class _ColumnFacts:
    """What the Inspector does not say well about one column."""

    type_text: str
    identity: bool = False
    default: str | None = None
    has_default: bool = False
    #: Column clauses the catalog model does not carry, as DDL would write them (identity ALWAYS,
    #: ON UPDATE ...): read back through the DDL reader so both sides of a diff list them alike.
    clauses: tuple[str, ...] = ()


@dataclass
class MysqlIndexFacts:
    """One MySQL/MariaDB index as ``information_schema.STATISTICS`` lists it (the Inspector loses
    its kind, key prefixes, comment, and the whole index when it is IGNORED)."""

    unique: bool
    method: str | None
    #: (column, prefix length, column type, descending) in key order
    keys: list[tuple[str, int | None, str, bool]] = field(default_factory=list)
    comment: str = ""
    ignored: bool = False


#: ``COLUMNS.EXTRA``'s ``on update current_timestamp(6)`` (MariaDB) / ``on update CURRENT_TIMESTAMP``.
_ON_UPDATE = re.compile(r"\bon update \S+", re.IGNORECASE)


@dataclass
class Facts:
    """Engine-catalog facts about one schema, keyed by table name."""

    columns: dict[str, dict[str, _ColumnFacts]] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: dict[str, list[CheckConstraint]] | None = None
    #: Columns whose check constraint only validates JSON (MariaDB): table -> columns.
    json_columns: dict[str, set[str]] = field(default_factory=dict)
    #: Foreign key actions by (table, constraint name) when the Inspector's are unreliable.
    fk_actions: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: Descending index keys by (table, index name) -> set of column names.
    descending: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: Indexes read by the engine reader itself (SQLite), replacing the Inspector's.
    indexes: dict[str, list[Index]] | None = None
    partitioning: dict[str, Partitioning] = field(default_factory=dict)
    #: Partition children, never reported as tables of their own.
    children: set[str] = field(default_factory=set)
    table_stats: dict[str, TableStats] = field(default_factory=dict)
    column_stats: dict[str, dict[str, ColumnStats]] = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)
    #: MySQL/MariaDB indexes by (table, index name), the primary key left out.
    mysql_indexes: dict[tuple[str, str], MysqlIndexFacts] = field(default_factory=dict)
    #: MySQL/MariaDB partitioning methods the catalog does not tell apart (HASH vs KEY...).
    partition_flavors: dict[str, str] = field(default_factory=dict)
    #: MySQL/MariaDB table options the catalog does not hold (engine, collation, row format).
    table_options: dict[str, str] = field(default_factory=dict)


class Reader:
    """Reads one engine's catalog facts; subclasses fill :class:`Facts` for one schema."""

    engine: EngineName

    def __init__(self, connection: Connection, inspector: Inspector, engine: EngineName) -> None:
        self.connection = connection
        self.inspector = inspector
        self.engine = engine

    def rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.connection.execute(text(sql), params).fetchall())

    def default_schema(self) -> str:
        return str(self.inspector.default_schema_name or "")

    def schemas(self) -> list[str]:
        return [s for s in self.inspector.get_schema_names() if s.lower() not in SYSTEM_SCHEMAS]

    def facts(self, schema: str, tables: list[str]) -> Facts:
        raise NotImplementedError

    def objects(self, schema: str) -> tuple[SchemaObject, ...]:
        """What the catalog does not model field by field (functions, triggers, grants...)."""
        return ()


class _PostgresReader(Reader):
    def objects(self, schema: str) -> tuple[SchemaObject, ...]:
        return postgres_objects(self.rows, schema)

    def facts(self, schema: str, tables: list[str]) -> Facts:
        f = Facts()
        for row in self.rows(
            "select t.typname, array_agg(e.enumlabel::text order by e.enumsortorder) from pg_type t "
            "join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace "
            "where n.nspname = :s or n.nspname = any (current_schemas(false)) group by t.typname",
            s=schema,
        ):
            f.enums[str(row[0]).lower()] = tuple(row[1])
        for row in self.rows(
            "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity, "
            "pg_get_expr(d.adbin, d.adrelid), a.atthasdef, "
            "(select quote_ident(k.collname) from pg_collation k join pg_type ty on ty.oid = a.atttypid "
            " where k.oid = a.attcollation and a.attcollation <> ty.typcollation) "
            "from pg_attribute a join pg_class c on c.oid = a.attrelid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum "
            "where n.nspname = :s and c.relkind in ('r', 'p', 'v', 'm') "
            "and a.attnum > 0 and not a.attisdropped "
            "order by c.relname, a.attnum",
            s=schema,
        ):
            clauses: tuple[str, ...] = ("GENERATED ALWAYS AS IDENTITY",) if row[3] == "a" else ()
            if not row[3] and "nextval(" in str(row[4] or "").lower():
                clauses = (f"DEFAULT {row[4]}",)  # a serial: the DDL reader names it as for a file
            if row[6]:
                clauses += (f"COLLATE {row[6]}",)  # not the type's own collation
            f.columns.setdefault(row[0], {})[row[1]] = _ColumnFacts(
                type_text=str(row[2]),
                identity=row[3] in ("a", "d"),
                default=row[4],
                has_default=bool(row[5]),
                clauses=clauses,
            )
        for table, column, always, start, step, low, high, cache, cycle, type_text in self.rows(
            "select c.relname, a.attname, a.attidentity = 'a', s.seqstart, s.seqincrement, s.seqmin, "
            "s.seqmax, s.seqcache, s.seqcycle, format_type(s.seqtypid, null) "
            "from pg_attribute a join pg_class c on c.oid = a.attrelid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "join pg_depend d on d.refobjid = c.oid and d.refobjsubid = a.attnum "
            "and d.classid = 'pg_class'::regclass and d.deptype = 'i' "
            "join pg_sequence s on s.seqrelid = d.objid "
            "where n.nspname = :s and a.attidentity in ('a', 'd')",
            s=schema,
        ):
            options = _identity_options(
                int(start), int(step), int(low), int(high), int(cache), bool(cycle), str(type_text)
            )
            fact = f.columns.get(table, {}).get(column)
            if options and fact is not None:
                kind = "ALWAYS" if always else "BY DEFAULT"
                fact.clauses = (f"GENERATED {kind} AS IDENTITY ({options})",)
        for row in self.rows(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s and c.relispartition",
            s=schema,
        ):
            f.children.add(row[0])
        self.read_partitioning(schema, f)
        self.read_indexes(schema, f)
        self.read_stats(schema, f)
        return f

    def read_indexes(self, schema: str, f: Facts) -> None:
        """Index keys with their direction, expressions, INCLUDE columns, predicate and method."""
        f.indexes = {}
        for row in self.rows(
            "select t.relname, i.relname, ix.indisunique, am.amname, ix.indnkeyatts, ix.indnatts, "
            "pg_get_expr(ix.indpred, ix.indrelid), ix.indoption::int2[], "
            "array(select pg_get_indexdef(ix.indexrelid, k, true) from generate_series(1, ix.indnatts) k), "
            "array(select a.attname from unnest(ix.indkey::int2[]) with ordinality u(attnum, ord) "
            "       left join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = u.attnum "
            "       order by u.ord), "
            "exists (select 1 from pg_constraint c "
            "        where c.conindid = ix.indexrelid and c.contype in ('p', 'u', 'x')), "
            "array(select case when oc.opcdefault then '' else oc.opcname end "
            "      from unnest(ix.indclass::oid[]) with ordinality u(o, ord) "
            "      join pg_opclass oc on oc.oid = u.o order by u.ord) "
            "from pg_index ix join pg_class i on i.oid = ix.indexrelid "
            "join pg_class t on t.oid = ix.indrelid "
            "join pg_namespace n on n.oid = t.relnamespace join pg_am am on am.oid = i.relam "
            "where n.nspname = :s and not t.relispartition order by t.relname, i.relname",
            s=schema,
        ):
            (
                table,
                name,
                unique,
                method,
                nkey,
                _natts,
                pred,
                options,
                defs,
                attnames,
                backs_constraint,
                ops,
            ) = row
            if backs_constraint:
                continue
            keys: list[IndexKey] = []
            for i in range(nkey):
                descending = bool(options[i] & 1) if options and i < len(options) else False
                opclass = (str(ops[i]) or None) if ops and i < len(ops) else None
                attname = attnames[i] if i < len(attnames) else None
                if attname is not None:
                    column = quoted_fact(self.engine)(attname)
                    keys.append(IndexKey(column=column, descending=descending, opclass=opclass))
                else:
                    expression = neutral_expression(defs[i], self.engine)
                    keys.append(IndexKey(expression=expression, descending=descending, opclass=opclass))
            include = tuple(quoted_fact(self.engine)(a) for a in attnames[nkey:] if a is not None)
            f.indexes.setdefault(table, []).append(
                Index(
                    quoted_fact(self.engine)(name),
                    tuple(keys),
                    unique=bool(unique),
                    where=neutral_expression(pred, self.engine) if pred else None,
                    include=include,
                    method=None if method == "btree" else str(method),
                )
            )

    def read_partitioning(self, schema: str, f: Facts) -> None:
        bounds: dict[str, list[tuple[str, str]]] = {}
        for row in self.rows(
            "select p.relname, c.relname, pg_get_expr(c.relpartbound, c.oid) from pg_inherits h "
            "join pg_class c on c.oid = h.inhrelid join pg_class p on p.oid = h.inhparent "
            "join pg_namespace n on n.oid = p.relnamespace where n.nspname = :s and c.relispartition "
            "order by p.relname, c.relname",
            s=schema,
        ):
            bounds.setdefault(row[0], []).append((row[1], row[2] or ""))
        for row in self.rows(
            "select c.relname, pg_get_partkeydef(c.oid) from pg_partitioned_table pt "
            "join pg_class c on c.oid = pt.partrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s",
            s=schema,
        ):
            m = re.match(r"(?i)\s*(RANGE|LIST|HASH)\s*\((.*)\)\s*$", row[1] or "")
            if not m:
                continue
            method = PartitionMethod(m.group(1).lower())
            columns = tuple(quoted_fact(self.engine)(c.strip().strip('"')) for c in m.group(2).split(","))
            partitions = tuple(
                _partition(child, bound, self.engine) for child, bound in bounds.get(row[0], [])
            )
            count = len(partitions) if method == PartitionMethod.HASH else None
            f.partitioning[row[0]] = Partitioning(method, columns, partitions, count)

    def read_stats(self, schema: str, f: Facts) -> None:
        for row in self.rows(
            "select c.relname, c.relkind, "
            "case when c.relkind = 'p' then (select sum(greatest(k.reltuples, 0)) from pg_inherits h "
            "  join pg_class k on k.oid = h.inhrelid where h.inhparent = c.oid) else c.reltuples end, "
            "case when c.relkind = 'p' then (select sum(pg_relation_size(h.inhrelid)) from pg_inherits h "
            "  where h.inhparent = c.oid) else pg_relation_size(c.oid) end "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s and c.relkind in ('r', 'p') and not c.relispartition",
            s=schema,
        ):
            rows = as_number(row[2])
            # reltuples is -1 (PostgreSQL 14+) or 0 with no pages before the first VACUUM/ANALYZE.
            f.table_stats[row[0]] = TableStats(
                rows=rows if rows is not None and rows >= 0 else None, data_bytes=as_number(row[3])
            )
        for row in self.rows(
            "select tablename, attname, null_frac, avg_width, n_distinct, "
            "most_common_vals::text::text[], most_common_freqs, correlation "
            "from pg_stats where schemaname = :s order by tablename, attname, inherited",
            s=schema,
        ):
            table_rows = f.table_stats.get(row[0], TableStats()).rows
            n_distinct = as_number(row[4])
            distinct: float | None = None
            if n_distinct is not None and n_distinct >= 0:
                distinct = n_distinct
            elif n_distinct is not None and table_rows is not None:
                distinct = -n_distinct * table_rows
            values = list(row[5] or [])
            freqs = list(row[6] or [])
            f.column_stats.setdefault(row[0], {})[row[1]] = ColumnStats(
                distinct=distinct,
                null_fraction=as_number(row[2]),
                avg_width=as_number(row[3]),
                most_common=tuple((str(v), float(q)) for v, q in zip(values, freqs, strict=False)),
                correlation=as_number(row[7]),
            )


def _column_charset(
    charset: str | None,
    collation: str | None,
    table_collation: str | None,
    is_default: str | None,
    table_charset: str | None,
) -> tuple[str, ...]:
    """A MySQL/MariaDB column's character set and collation when not its table's, written as a
    file would: the character set alone for its default collation, the collation alone within the
    table's character set."""
    if not collation or collation == table_collation:
        return ()
    if str(is_default or "").lower() == "yes":
        return (f"CHARACTER SET {charset}",)
    if charset == table_charset:
        return (f"COLLATE {collation}",)
    return (f"CHARACTER SET {charset} COLLATE {collation}",)


_INTEGER_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}


def _identity_options(
    start: int, step: int, low: int, high: int, cache: int, cycle: bool, type_text: str
) -> str:
    """An identity's sequence options that differ from PostgreSQL's defaults, as CREATE TABLE
    writes them (empty: all defaults)."""
    if step < 0 or type_text not in _INTEGER_MAX:
        return f"START WITH {start} INCREMENT BY {step} MINVALUE {low} MAXVALUE {high} CACHE {cache}" + (
            " CYCLE" if cycle else ""
        )
    out = []
    if start != low:
        out.append(f"START WITH {start}")
    if step != 1:
        out.append(f"INCREMENT BY {step}")
    if low != 1:
        out.append(f"MINVALUE {low}")
    if high != _INTEGER_MAX[type_text]:
        out.append(f"MAXVALUE {high}")
    if cache != 1:
        out.append(f"CACHE {cache}")
    if cycle:
        out.append("CYCLE")
    return " ".join(out)


def _partition(child: str, bound: str, engine: EngineName) -> Partition:
    name = quoted_fact(engine)(child)
    if bound.strip().upper() == "DEFAULT":
        return Partition(name, (), is_default=True)
    m = re.match(r"(?is)\s*FOR VALUES FROM \((.*)\) TO \((.*)\)\s*$", bound)
    if m:
        return Partition(
            name, (neutral_expression(m.group(1), engine), neutral_expression(m.group(2), engine))
        )
    m = re.match(r"(?is)\s*FOR VALUES IN \((.*)\)\s*$", bound)
    if m:
        node = parse_expression(f"x IN ({m.group(1)})", get_traits(engine).sqlglot_dialect)
        if isinstance(node, exp.In):
            return Partition(name, tuple(tidy_node(e).sql() for e in node.expressions))
        return Partition(name, (m.group(1).strip(),))
    return Partition(name, ())


class _MysqlReader(Reader):
    def objects(self, schema: str) -> tuple[SchemaObject, ...]:
        return mariadb_objects(self.rows, schema)

    def facts(self, schema: str, tables: list[str]) -> Facts:
        f = Facts()
        for row in self.rows(
            "select c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.EXTRA, c.COLUMN_DEFAULT, "
            "c.CHARACTER_SET_NAME, c.COLLATION_NAME, t.TABLE_COLLATION, k.IS_DEFAULT, tk.CHARACTER_SET_NAME "
            "from information_schema.COLUMNS c "
            "join information_schema.TABLES t "
            "on t.TABLE_SCHEMA = c.TABLE_SCHEMA and t.TABLE_NAME = c.TABLE_NAME "
            "left join information_schema.COLLATIONS k on k.COLLATION_NAME = c.COLLATION_NAME "
            "left join information_schema.COLLATIONS tk on tk.COLLATION_NAME = t.TABLE_COLLATION "
            "where c.TABLE_SCHEMA = :s order by c.TABLE_NAME, c.ORDINAL_POSITION",
            s=schema,
        ):
            extra = str(row[3] or "")
            f.columns.setdefault(row[0], {})[row[1]] = _ColumnFacts(
                type_text=str(row[2]),
                identity="auto_increment" in extra.lower(),
                default=row[4],
                has_default=row[4] is not None,
                clauses=_column_charset(row[5], row[6], row[7], row[8], row[9])
                + tuple(m.group(0) for m in _ON_UPDATE.finditer(extra))
                # a virtual generated column, as the DDL reader names one (its expression is the column's)
                + (("AS (1) VIRTUAL",) if "virtual generated" in extra.lower() else ()),
            )
        self.read_checks(schema, f)
        for table, names in f.json_columns.items():
            # MariaDB's JSON is longtext in utf8mb4_bin: the collation comes with the type
            for name in names:
                fact = f.columns.get(table, {}).get(name)
                if fact is not None:
                    fact.clauses = tuple(
                        c for c in fact.clauses if not c.startswith(("COLLATE ", "CHARACTER SET "))
                    )
        default = self.rows(
            "select DEFAULT_COLLATION_NAME from information_schema.SCHEMATA where SCHEMA_NAME = :s", s=schema
        )
        for table, engine, collation, options in self.rows(
            "select TABLE_NAME, ENGINE, TABLE_COLLATION, CREATE_OPTIONS from information_schema.TABLES "
            "where TABLE_SCHEMA = :s and TABLE_TYPE = 'BASE TABLE'",
            s=schema,
        ):
            row_format = re.search(r"\brow_format=(\w+)", str(options or ""), re.IGNORECASE)
            text = mysql_table_options(
                str(engine or ""),
                str(collation or ""),
                row_format.group(1) if row_format else "",
                str(default[0][0]) if default else "",
            )
            if text:
                f.table_options[table] = text
        for row in self.rows(
            "select TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, UPDATE_RULE "
            "from information_schema.REFERENTIAL_CONSTRAINTS where CONSTRAINT_SCHEMA = :s",
            s=schema,
        ):
            f.fk_actions[(row[0], row[1])] = (row[2], row[3])
        # MariaDB 10.6+ has IGNORED indexes; MySQL has none (its invisible ones are not read).
        ignored = self.rows(
            "select 1 from information_schema.COLUMNS where TABLE_SCHEMA = 'information_schema' "
            "and TABLE_NAME = 'STATISTICS' and COLUMN_NAME = 'IGNORED'"
        )
        for (
            table,
            name,
            column,
            sub_part,
            kind,
            comment,
            is_ignored,
            non_unique,
            collation,
            type_text,
        ) in self.rows(
            "select s.TABLE_NAME, s.INDEX_NAME, s.COLUMN_NAME, s.SUB_PART, s.INDEX_TYPE, s.INDEX_COMMENT, "
            + ("s.IGNORED" if ignored else "'NO'")
            + ", s.NON_UNIQUE, s.COLLATION, c.COLUMN_TYPE "
            "from information_schema.STATISTICS s left join information_schema.COLUMNS c "
            "on c.TABLE_SCHEMA = s.TABLE_SCHEMA and c.TABLE_NAME = s.TABLE_NAME "
            "and c.COLUMN_NAME = s.COLUMN_NAME "
            "where s.TABLE_SCHEMA = :s and s.INDEX_NAME <> 'PRIMARY' "
            "order by s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX",
            s=schema,
        ):
            if collation == "D":
                f.descending.setdefault((table, name), set()).add(column)
            method = str(kind or "").lower()
            index = f.mysql_indexes.setdefault(
                (table, name),
                MysqlIndexFacts(
                    unique=str(non_unique) == "0",
                    method=method if method in ("fulltext", "spatial") else None,
                    comment=str(comment or ""),
                    ignored=str(is_ignored).upper() == "YES",
                ),
            )
            index.keys.append(
                (
                    str(column or ""),
                    int(sub_part) if sub_part is not None else None,
                    str(type_text or ""),
                    collation == "D",
                )
            )
        self.read_partitioning(schema, f)
        self.read_stats(schema, f)
        return f

    def read_checks(self, schema: str, f: Facts) -> None:
        f.checks = {}
        # MariaDB says whether a check is the column's (LEVEL = 'Column') or the table's
        level = self.rows(
            "select 1 from information_schema.COLUMNS where TABLE_SCHEMA = 'information_schema' "
            "and TABLE_NAME = 'CHECK_CONSTRAINTS' and COLUMN_NAME = 'LEVEL'"
        )
        try:
            rows = self.rows(
                "select TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, "
                + ("LEVEL" if level else "'Table'")
                + " from information_schema.CHECK_CONSTRAINTS "
                "where CONSTRAINT_SCHEMA = :s order by TABLE_NAME, CONSTRAINT_NAME",
                s=schema,
            )
        except SQLAlchemyError:  # MySQL before 8.0.16 has no CHECK_CONSTRAINTS
            return
        for table, name, clause, kind in rows:
            m = re.fullmatch(r"\s*json_valid\(`?([^`()]+)`?\)\s*", str(clause), re.IGNORECASE)
            if m and m.group(1) == name:
                f.json_columns.setdefault(table, set()).add(name)
                continue
            named = quoted_fact(self.engine)(name)
            f.checks.setdefault(table, []).append(
                CheckConstraint(
                    neutral_expression(str(clause), self.engine),
                    named,
                    column=named if str(kind).lower() == "column" else None,
                )
            )

    def read_partitioning(self, schema: str, f: Facts) -> None:
        rows = self.rows(
            "select TABLE_NAME, PARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION, "
            "PARTITION_DESCRIPTION "
            "from information_schema.PARTITIONS where TABLE_SCHEMA = :s and PARTITION_NAME is not null "
            "order by TABLE_NAME, PARTITION_ORDINAL_POSITION",
            s=schema,
        )
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        for table, parts in grouped.items():
            method_text = str(parts[0][2] or "").upper()
            kind = method_text.split()[-1] if "COLUMNS" not in method_text else method_text.split()[0]
            method = {"RANGE": PartitionMethod.RANGE, "LIST": PartitionMethod.LIST}.get(
                kind, PartitionMethod.HASH
            )
            columns = tuple(
                quoted_fact(self.engine)(c.strip().strip("`"))
                for c in str(parts[0][3] or "").split(",")
                if c.strip()
            )
            partitions: list[Partition] = []
            # RANGE bounds are (from, to) as in DDL ingest: each partition starts where the one
            # before it ends, the first at MINVALUE.
            lower = "MINVALUE"
            for _table, name, _m, _e, description in parts:
                pname = quoted_fact(self.engine)(name)
                desc = str(description or "").strip()
                if method == PartitionMethod.HASH:
                    partitions.append(Partition(pname))
                elif method == PartitionMethod.RANGE:
                    upper = (
                        "MAXVALUE" if desc.upper() == "MAXVALUE" else neutral_expression(desc, self.engine)
                    )
                    partitions.append(Partition(pname, (lower, upper), is_default=upper == "MAXVALUE"))
                    lower = upper
                elif desc.upper() == "DEFAULT":
                    partitions.append(Partition(pname, (), is_default=True))
                else:
                    node = parse_expression(f"x IN ({desc})", "mysql")
                    values = (
                        tuple(tidy_node(e).sql() for e in node.expressions)
                        if isinstance(node, exp.In)
                        else (desc,)
                    )
                    partitions.append(Partition(pname, values))
            count = len(partitions) if method == PartitionMethod.HASH else None
            f.partitioning[table] = Partitioning(method, columns, tuple(partitions), count)
            flavor = mysql_partition_flavor(method_text)
            if flavor:
                f.partition_flavors[table] = flavor

    def read_stats(self, schema: str, f: Facts) -> None:
        for row in self.rows(
            "select TABLE_NAME, TABLE_ROWS, DATA_LENGTH from information_schema.TABLES "
            "where TABLE_SCHEMA = :s and TABLE_TYPE = 'BASE TABLE'",
            s=schema,
        ):
            f.table_stats[row[0]] = TableStats(rows=as_number(row[1]), data_bytes=as_number(row[2]))
        # The leading column of an index: its cardinality is that column's distinct count.
        for row in self.rows(
            "select TABLE_NAME, COLUMN_NAME, max(CARDINALITY) from information_schema.STATISTICS "
            "where TABLE_SCHEMA = :s and SEQ_IN_INDEX = 1 and CARDINALITY is not null "
            "group by TABLE_NAME, COLUMN_NAME",
            s=schema,
        ):
            f.column_stats.setdefault(row[0], {})[row[1]] = ColumnStats(distinct=as_number(row[2]))
        try:
            stats_rows = self.rows(
                "select table_name, column_name, nulls_ratio, avg_length, avg_frequency "
                "from mysql.column_stats "
                "where db_name = :s",
                s=schema,
            )
        except SQLAlchemyError:  # not MariaDB, or not readable by this user: index cardinality only
            return
        for table, column, nulls, avg_length, avg_frequency in stats_rows:
            rows = f.table_stats.get(table, TableStats()).rows
            freq = as_number(avg_frequency)
            nulls_ratio = as_number(nulls)
            distinct = None
            if rows is not None and freq:
                distinct = rows * (1 - (nulls_ratio or 0.0)) / freq
            old = f.column_stats.get(table, {}).get(column, ColumnStats())
            f.column_stats.setdefault(table, {})[column] = replace(
                old,
                distinct=distinct if distinct is not None else old.distinct,
                null_fraction=nulls_ratio,
                avg_width=as_number(avg_length),
            )


class _SqliteReader(Reader):
    def default_schema(self) -> str:
        return "main"

    def schemas(self) -> list[str]:
        return [str(r[1]) for r in self.rows("pragma database_list")]

    def facts(self, schema: str, tables: list[str]) -> Facts:
        f = Facts()
        q = _sqlite_quote
        for table in tables:
            info = self.rows(f"pragma {q(schema)}.table_xinfo({q(table)})")
            pk = [r for r in info if r[5]]
            create_sql = self.rows(
                f"select sql from {q(schema)}.sqlite_master where type = 'table' and name = :t", t=table
            )
            autoincrement = bool(create_sql) and "AUTOINCREMENT" in str(create_sql[0][0] or "").upper()
            for row in info:
                declared = str(row[2] or "")
                rowid_alias = len(pk) == 1 and bool(row[5]) and declared.upper() == "INTEGER"
                f.columns.setdefault(table, {})[row[1]] = _ColumnFacts(
                    type_text=declared,
                    identity=rowid_alias or (autoincrement and bool(row[5])),
                    default=row[4],
                    has_default=row[4] is not None,
                    clauses=("AUTOINCREMENT",) if autoincrement and row[5] else (),
                )
        self.read_indexes(schema, tables, f)
        self.read_stats(schema, tables, f)
        return f

    def read_indexes(self, schema: str, tables: list[str], f: Facts) -> None:
        f.indexes = {}
        for table in tables:
            for row in self.rows(
                f"select name, sql from {_sqlite_quote(schema)}.sqlite_master "
                "where type = 'index' and tbl_name = :t and sql is not null order by name",
                t=table,
            ):
                node = parse_expression(str(row[1]), "sqlite")
                index = node.this if isinstance(node, exp.Create) else None
                params = index.args.get("params") if isinstance(index, exp.Index) else None
                if not isinstance(params, exp.IndexParameters) or node is None:
                    continue
                keys = tuple(index_key_from_node(tidy_node(e)) for e in params.args.get("columns") or [])
                where = params.args.get("where")
                f.indexes.setdefault(table, []).append(
                    Index(
                        quoted_fact(self.engine)(str(row[0])),
                        keys,
                        unique=bool(node.args.get("unique")),
                        where=tidy_node(where.this).sql() if isinstance(where, exp.Where) else None,
                    )
                )

    def read_stats(self, schema: str, tables: list[str], f: Facts) -> None:
        q = _sqlite_quote
        stat_rows: dict[str, list[tuple[str | None, str]]] = {}
        has_stat = self.rows(
            f"select 1 from {q(schema)}.sqlite_master where type = 'table' and name = 'sqlite_stat1'"
        )
        if has_stat:
            for tbl, idx, stat in self.rows(f"select tbl, idx, stat from {q(schema)}.sqlite_stat1"):
                stat_rows.setdefault(str(tbl), []).append((idx, str(stat or "")))
        for table in tables:
            entries = stat_rows.get(table)
            if entries:
                rows = as_number(entries[0][1].split()[0]) if entries[0][1].split() else None
                f.table_stats[table] = TableStats(rows=rows)
                for idx, stat in entries:
                    parts = stat.split()
                    if idx is None or len(parts) < 2 or not rows:
                        continue
                    first = self.rows(f"pragma {q(schema)}.index_info({q(str(idx))})")
                    per_key = as_number(parts[1])
                    if first and first[0][2] is not None and per_key:
                        f.column_stats.setdefault(table, {})[str(first[0][2])] = ColumnStats(
                            distinct=rows / per_key
                        )
            else:
                count = self.rows(f"select count(*) from {q(schema)}.{q(table)}")[0][0]
                f.table_stats[table] = TableStats(rows=float(count))


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


READERS: dict[EngineName, type[Reader]] = {
    EngineName.POSTGRESQL: _PostgresReader,
    EngineName.MYSQL: _MysqlReader,
    EngineName.MARIADB: _MysqlReader,
    EngineName.SQLITE: _SqliteReader,
}
