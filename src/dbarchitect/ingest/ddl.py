"""DDL text -> catalog, in PostgreSQL, MySQL/MariaDB and SQLite dialects (sqlglot).

Statements are split on the dialect's own tokens (so semicolons in strings do not split), each is
parsed with sqlglot and folded into the catalog: CREATE TABLE (columns, defaults, identity,
constraints inline and table-level, MySQL inline keys, partitioning), CREATE INDEX, ALTER TABLE
ADD CONSTRAINT / ADD COLUMN, CREATE TYPE ... AS ENUM, CREATE VIEW, COMMENT ON, and PostgreSQL
``PARTITION OF`` children. Session and privilege statements (SET, GRANT, BEGIN, CREATE SEQUENCE,
CREATE EXTENSION ...) carry no schema facts and are skipped. Every error names the file and the
line of the statement, and DDL written for another engine is recognized and named.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError, Diagnostic, SqlError
from dbarchitect.ingest.ddl_nodes import (
    IDENTITY_OPTIONS,
    SqlStatement,
    default_from_node,
    foreign_key,
    index_extras,
    index_key_from_node,
    mysql_key_clauses,
    mysql_partition_flavor,
    mysql_table_options,
    neutral_sql,
    node_name,
    node_names,
    reference_options,
    script_statements,
    split_statements,
)
from dbarchitect.ingest.ddl_objects import is_alter_sequence, normalized, statement_object
from dbarchitect.ingest.grants import Privilege, grant_objects, script_privileges, statement_privileges
from dbarchitect.ingest.native_types import declared_pg_types, placeholder_in, protect_types
from dbarchitect.ingest.sql_limits import check_sql_text, guarded
from dbarchitect.ingest.types import narrow_unsigned_keys, parse_column_type
from dbarchitect.limits import read_input_text
from dbarchitect.model.catalog import (
    SERIAL_CLAUSE,
    Catalog,
    CheckConstraint,
    Column,
    Default,
    DefaultKind,
    ForeignKey,
    Index,
    ObjectSource,
    Partition,
    Partitioning,
    PartitionMethod,
    PrimaryKey,
    SchemaObject,
    Table,
    UniqueConstraint,
    View,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind

logging.getLogger("sqlglot").setLevel(logging.ERROR)


#: How a PostgreSQL serial column is named among the clauses the catalog does not carry.


def _dialect(engine: EngineName) -> str:
    return get_traits(engine).sqlglot_dialect


def _label(engine: EngineName) -> str:
    return get_traits(engine).label


#: Statements that carry no schema facts.
_SKIP = re.compile(
    r"^\s*(SET|GRANT|REVOKE|BEGIN|COMMIT|START\s+TRANSACTION|ROLLBACK|USE|PRAGMA|ANALYZE|VACUUM|"
    r"CREATE\s+(SEQUENCE|EXTENSION|SCHEMA|DATABASE|ROLE|USER|FUNCTION|OR\s+REPLACE\s+FUNCTION|TRIGGER|"
    r"PROCEDURE)|ALTER\s+(SEQUENCE|SCHEMA|DATABASE|ROLE|USER|DEFAULT\s+PRIVILEGES|EXTENSION)|"
    r"SELECT\s+pg_catalog\.set_config|DROP\s+|LOCK\s+TABLES|UNLOCK\s+TABLES|DELIMITER|/\*!)",
    re.IGNORECASE,
)
_INDEX_ON = re.compile(
    r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>[\w$\"`]+)?\s*ON\s+(?:ONLY\s+)?(?:[\w$\"`]+\.)?(?P<table>[\w$\"`]+)",
    re.IGNORECASE,
)
_SCHEMA_DDL = re.compile(r"^\s*(CREATE|ALTER|COMMENT)\b", re.IGNORECASE)
#: Marks of one engine's DDL that another engine's parser accepts silently or chokes on.
_MARKS: dict[EngineName, re.Pattern[str]] = {
    EngineName.MYSQL: re.compile(
        r"`|\bAUTO_INCREMENT\b|\bENGINE\s*=|\bUNSIGNED\b(?!\s+BIG\s+INT)|\bDEFAULT\s+CHARSET\b|\bCHARACTER\s+SET\b|"
        r"\bON\s+UPDATE\s+CURRENT_TIMESTAMP\b|^\s*(UNIQUE\s+)?KEY\s",
        re.IGNORECASE | re.MULTILINE,
    ),
    EngineName.POSTGRESQL: re.compile(
        r"::|\b(BIG|SMALL)?SERIAL\b|\bJSONB\b|\bTIMESTAMPTZ\b|\bBYTEA\b|\bGENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+"
        r"IDENTITY\b|\bCREATE\s+TYPE\b|\bUSING\s+(GIN|GIST|BRIN)\b|\bINCLUDE\s*\(",
        re.IGNORECASE,
    ),
    EngineName.SQLITE: re.compile(r"\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|\bSTRICT\s*;?\s*$", re.IGNORECASE),
}
_FAMILY = {
    EngineName.MYSQL: EngineName.MYSQL,
    EngineName.MARIADB: EngineName.MYSQL,
    EngineName.POSTGRESQL: EngineName.POSTGRESQL,
    EngineName.SQLITE: EngineName.SQLITE,
    EngineName.DUCKDB: EngineName.DUCKDB,
}
_MYSQL_PARTITION = re.compile(
    r"\bPARTITION\s+BY\s+(?P<method>RANGE|LIST|HASH|KEY|LINEAR\s+HASH|LINEAR\s+KEY)\s*(?P<columns>COLUMNS)?\s*"
    r"\((?P<key>[^()]*(?:\([^()]*\)[^()]*)*)\)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_MYSQL_PART = re.compile(
    r"PARTITION\s+`?(?P<name>\w+)`?\s+VALUES\s+(?:LESS\s+THAN\s*(?P<lt>\((?:[^()]|\([^()]*\))*\)|MAXVALUE)|"
    r"IN\s*(?P<in>\((?:[^()]|\([^()]*\))*\)))",
    re.IGNORECASE,
)
_SQLITE_TABLE_OPTIONS = re.compile(r"\)\s*((WITHOUT\s+ROWID|STRICT)\s*,?\s*)+$", re.IGNORECASE)


@dataclass
class _TableBuilder:
    name: Name
    schema: Name | None
    line: int
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    partitioning: Partitioning | None = None
    comment: str | None = None
    #: (column, line) references to check once the whole script is read.
    pending: list[tuple[str, int]] = field(default_factory=list)
    #: Keys of MySQL ``BIGINT UNSIGNED`` columns (read as exact decimal(20,0) until known to be keys).
    unsigned_bigints: set[str] = field(default_factory=set)

    def column_index(self, name: Name) -> int | None:
        for i, c in enumerate(self.columns):
            if c.name.matches(name):
                return i
        return None

    def freeze(self) -> Table:
        return Table(
            name=self.name,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            uniques=tuple(self.uniques),
            foreign_keys=tuple(self.foreign_keys),
            checks=tuple(self.checks),
            indexes=tuple(self.indexes),
            partitioning=self.partitioning,
            comment=self.comment,
            schema=self.schema,
        )


class _Loader:
    def __init__(self, dialect: EngineName, file: str | None) -> None:
        self.engine = dialect
        self.dialect = _dialect(dialect)
        self.file = file
        self.tables: dict[str, _TableBuilder] = {}
        self.views: list[View] = []
        self.enums: dict[str, tuple[str, ...]] = {}
        self.line = 1
        self.sql = ""
        self.index_lines: dict[str, int] = {}
        self.objects: list[SchemaObject] = []
        self.matviews: set[str] = set()
        self.enum_sql: dict[str, str] = {}
        self.privileges: list[tuple[bool, list[Privilege], bool]] = []
        self.partition_method = ""

    def error(self, message: str, hint: str | None = None, line: int | None = None) -> SqlError:
        return SqlError(Diagnostic(message, file=self.file, line=line or self.line, hint=hint))

    def table(self, node: exp.Expression | None, *, what: str = "table") -> _TableBuilder:
        name = node_name(node)
        builder = self.tables.get(name.key)
        if builder is None:
            known = [b.name.value for b in self.tables.values()]
            close = difflib.get_close_matches(name.value, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "create the table before this statement"
            raise self.error(f"{what} '{name}' does not exist", hint)
        return builder

    # -- statements --------------------------------------------------------------------------
    def load(self, statement: SqlStatement) -> None:
        self.line = statement.line
        sql = statement.sql
        self.sql = sql
        if self.schema_object(sql):
            return
        if _SKIP.match(sql):
            return
        mysql_partition: Partitioning | None = None
        if self.engine in (EngineName.MYSQL, EngineName.MARIADB):
            sql, mysql_partition = self.split_mysql_partitioning(sql)
        if self.engine == EngineName.SQLITE:
            sql = _SQLITE_TABLE_OPTIONS.sub(")", sql)
        what = f"the DDL statement at line {self.line}"
        check_sql_text(sql, self.dialect, what=what, file=self.file)
        sql = protect_types(sql, self.dialect)
        try:
            node = guarded(lambda: sqlglot.parse_one(sql, read=self.dialect), what=what, file=self.file)
        except ParseError as exc:
            err = exc.errors[0] if exc.errors else {}
            line = self.line + max(int(err.get("line") or 1) - 1, 0)
            description = str(err.get("description") or exc).splitlines()[0]
            raise self.error(f"cannot parse: {description}", "check the statement's syntax", line) from None
        except SqlglotError as exc:
            raise self.error(f"cannot parse: {str(exc).splitlines()[0]}") from None
        if isinstance(node, exp.Command):
            if _SCHEMA_DDL.match(sql):
                raise self.error(
                    f"cannot understand `{' '.join(sql.split()[:4])} ...` in {_label(self.engine)} DDL",
                    "simplify the statement or check it is valid for this engine",
                )
            return
        self.check_protected(node)
        if isinstance(node, exp.Create):
            self.create(node, mysql_partition)
        elif isinstance(node, exp.Alter):
            self.alter(node)
        elif isinstance(node, exp.Comment):
            self.comment(node)
        elif isinstance(node, exp.Query | exp.Insert | exp.Update | exp.Delete):
            raise self.error("DDL files hold schema statements only", "move queries and data to the workload")

    def check_protected(self, node: exp.Expr) -> None:
        """A type sqlglot cannot read (``bit varying(16)``) is read only as a column's type: cast to
        in an expression (a default, a CHECK) it would come out wrong, so it is refused by name."""
        for dt in node.find_all(exp.DataType):
            spelling = placeholder_in(dt.sql(dialect=self.dialect))
            parent = dt.parent
            while isinstance(parent, exp.DataType):
                parent = parent.parent
            if spelling is not None and not isinstance(parent, exp.ColumnDef):
                raise self.error(
                    f"type {spelling!r} is used in an expression, which the tool cannot read faithfully",
                    "write the type only in a column's definition, or change this part of the schema by hand",
                )

    def unmodeled(self, kind: str, name: str, clauses: list[str]) -> None:
        """Record clauses the catalog does not carry (a column's COLLATE, ON UPDATE, identity
        ALWAYS; a foreign key's MATCH FULL or DEFERRABLE; a table's UNLOGGED or storage
        parameters): the planner lists them instead of dropping them silently."""
        text = "; ".join(clauses)
        for i, o in enumerate(self.objects):
            if o.kind == kind and o.name == name:
                # more clauses of the same object (a foreign key's MATCH FULL, then its NOT VALID)
                self.objects[i] = replace(o, definition=f"{o.definition}; {text}")
                return
        self.objects.append(SchemaObject(kind, name, text, ObjectSource.DDL))

    def mysql_index_clauses(
        self, builder: _TableBuilder, name: Name, keys: list[exp.Expression], options: list[exp.Expression]
    ) -> None:
        """A MySQL/MariaDB index's key prefixes and COMMENT, recorded as the database reader records
        them (:func:`mysql_key_clauses`): a change is named, never lost."""
        parts: list[tuple[str, int | None, str]] = []
        for key in keys:
            node = key.this if isinstance(key, exp.Ordered) else key
            if isinstance(node, exp.ColumnPrefix):
                column = node_name(node.this)
                found = next((c for c in builder.columns if c.name.key == column.key), None)
                type_text = get_traits(self.engine).type_sql(found.type) if found is not None else ""
                parts.append((column.value, int(node.expression.this), type_text))
        comment = next(
            (
                o.args["comment"].this
                for o in options
                if isinstance(o, exp.IndexConstraintOption) and o.args.get("comment")
            ),
            None,
        )
        clauses = mysql_key_clauses(parts, comment, ignored=False)
        if clauses:
            self.unmodeled("index property", f"{builder.name.value}.{name.value}", clauses)

    def schema_object(self, sql: str) -> bool:
        """Record a statement defining an object the catalog does not model (a function, grant,
        comment on an index...; see :mod:`dbarchitect.ingest.ddl_objects`); True when it was one."""
        privileges = statement_privileges(sql, self.engine) if self.engine != EngineName.SQLITE else None
        if privileges is not None:
            self.privileges.append(privileges)
            return True
        obj = statement_object(sql)
        if obj is None:
            sequence = is_alter_sequence(sql)
            found = next(
                (i for i, o in enumerate(self.objects) if o.kind == "sequence" and o.name == sequence), None
            )
            if found is not None:
                # ALTER SEQUENCE ... OWNED BY / RESTART: part of that sequence's definition.
                o = self.objects[found]
                text = normalized(sql)
                self.objects[found] = replace(
                    o, definition=f"{o.definition}; {text}", create_sql=(*o.create_sql, text)
                )
                return True
            index = _INDEX_ON.match(sql)
            children = {
                p.name.key
                for b in self.tables.values()
                if b.partitioning is not None
                for p in b.partitioning.partitions
            }
            on = index.group("table").strip('"`').lower() if index is not None else ""
            if index is not None and (on in self.matviews or on in children):
                # an index of a materialized view or of one partition: an object of its own
                name = index.group("name") or f"on {index.group('table')}"
                text = normalized(sql)
                self.objects.append(
                    SchemaObject("index", name.strip('"`'), text, ObjectSource.DDL, create_sql=(text,))
                )
                return True
            return False
        if obj.kind == "materialized view":
            self.matviews.add(obj.name.rsplit(".", 1)[-1])
        if obj.kind in ("function", "procedure") and self.engine in (EngineName.MYSQL, EngineName.MARIADB):
            # MySQL and MariaDB routines are not overloaded: one per name, whatever its arguments
            obj = replace(obj, name=obj.name.partition("(")[0] + "()")
        if self.engine == EngineName.SQLITE and obj.kind not in ("trigger",):
            return False
        same = next(
            (
                i
                for i, o in enumerate(self.objects)
                if obj.kind == o.kind == "row level security" and o.name == obj.name
            ),
            None,
        )
        if same is not None:
            # ENABLE and FORCE ROW LEVEL SECURITY are two statements about one table's setting
            o = self.objects[same]
            self.objects[same] = replace(
                o, definition=f"{o.definition}; {obj.definition}", create_sql=(*o.create_sql, *obj.create_sql)
            )
            return True
        self.objects.append(obj)
        return True

    def split_mysql_partitioning(self, sql: str) -> tuple[str, Partitioning | None]:
        m = _MYSQL_PARTITION.search(sql)
        if not m or not sql.lstrip().upper().startswith("CREATE"):
            return sql, None
        self.partition_method = " ".join(
            [*m["method"].upper().split(), *(["COLUMNS"] if m["columns"] else [])]
        )
        method_text = m["method"].upper().split()[-1]
        method = {"RANGE": PartitionMethod.RANGE, "LIST": PartitionMethod.LIST}.get(
            method_text, PartitionMethod.HASH
        )
        columns = tuple(Name(c.strip().strip("`")) for c in m["key"].split(",") if c.strip())
        partitions: list[Partition] = []
        lower = "MINVALUE"
        for p in _MYSQL_PART.finditer(m["rest"]):
            if p["lt"]:
                # RANGE bounds are (from, to) in the catalog; MySQL states only each upper bound.
                bound = p["lt"].strip()
                bound = bound[1:-1].strip() if bound.startswith("(") else bound.upper()
                if bound.upper() == "MAXVALUE":
                    bound = "MAXVALUE"
                partitions.append(Partition(Name(p["name"]), (lower, bound), is_default=bound == "MAXVALUE"))
                lower = bound
            else:
                values = tuple(v.strip() for v in p["in"].strip()[1:-1].split(","))
                partitions.append(Partition(Name(p["name"]), values))
        count_match = re.search(r"\bPARTITIONS\s+(\d+)", m["rest"], re.IGNORECASE)
        count = int(count_match.group(1)) if count_match else None
        return sql[: m.start()], Partitioning(method, columns, tuple(partitions), count)

    def create(self, node: exp.Create, mysql_partition: Partitioning | None) -> None:
        kind = str(node.args.get("kind") or "").upper()
        if kind == "TABLE":
            self.create_table(node, mysql_partition)
        elif kind == "INDEX":
            self.create_index(node)
        elif kind == "VIEW":
            query = node.expression
            target = node.this
            columns: tuple[Name, ...] = ()
            if isinstance(target, exp.Schema):
                columns = node_names(target.expressions)
                target = target.this
            if query is None:
                raise self.error("a view needs a query")
            schema = target.args.get("db") if isinstance(target, exp.Table) else None
            if isinstance(schema, exp.Identifier) and schema.name.lower() != "public":
                # a view outside the default schema: named as the database reader names one, never
                # created in the default schema
                self.objects.append(
                    SchemaObject("table", f"{schema.name}.{node_name(target).value}", "", ObjectSource.DDL)
                )
                return
            self.views.append(View(node_name(target), neutral_sql(query), columns))
        elif kind == "TYPE":
            expression = node.expression
            if isinstance(expression, exp.DataType) and expression.this == exp.DataType.Type.ENUM:
                values = tuple(e.this for e in expression.expressions if isinstance(e, exp.Literal))
                self.enums[node_name(node.this).value.lower()] = values
                self.enum_sql[node_name(node.this).value.lower()] = node.sql(dialect=self.dialect)
        # Other CREATE kinds (SEQUENCE, SCHEMA, FUNCTION ...) carry no catalog facts.

    def create_table(self, node: exp.Create, mysql_partition: Partitioning | None) -> None:
        target = node.this
        properties = node.args.get("properties")
        props = properties.expressions if isinstance(properties, exp.Properties) else []
        partition_of = next((p for p in props if isinstance(p, exp.PartitionedOfProperty)), None)
        if partition_of is not None:
            self.add_partition(
                node_name(target if not isinstance(target, exp.Schema) else target.this), partition_of
            )
            return
        if not isinstance(target, exp.Schema):
            if node.expression is not None:
                raise self.error("CREATE TABLE ... AS SELECT has no declared columns", "declare the columns")
            raise self.error("CREATE TABLE without columns")
        table_node = target.this
        name = node_name(table_node)
        schema = (
            node_name(table_node.args["db"])
            if isinstance(table_node, exp.Table) and table_node.args.get("db")
            else None
        )
        if name.key in self.tables:
            if node.args.get("exists"):
                return
            raise self.error(f"table '{name}' is created twice (first on line {self.tables[name.key].line})")
        builder = _TableBuilder(name, schema, self.line)
        self.tables[name.key] = builder
        for element in target.expressions:
            if isinstance(element, exp.Identifier) and self.engine == EngineName.SQLITE:
                element = exp.ColumnDef(this=element)  # SQLite: a column without a declared type
            if isinstance(element, exp.ColumnDef):
                self.column(builder, element)
        for element in target.expressions:
            if not isinstance(element, exp.ColumnDef | exp.Identifier):
                self.table_constraint(builder, element)
        if self.engine == EngineName.SQLITE:
            self.rowid_alias(builder)
        unmodeled: list[str] = []
        options = {"engine": "", "charset": "", "collate": "", "row_format": ""}
        mysql = self.engine in (EngineName.MYSQL, EngineName.MARIADB)
        for prop in props:
            if isinstance(prop, exp.PartitionedByProperty):
                builder.partitioning = self.partition_by(prop)
            elif isinstance(prop, exp.SchemaCommentProperty):
                builder.comment = prop.this.this if isinstance(prop.this, exp.Literal) else prop.this.sql()
            elif mysql and isinstance(prop, exp.EngineProperty | exp.CharacterSetProperty):
                options["engine" if isinstance(prop, exp.EngineProperty) else "charset"] = prop.this.name
            elif mysql and isinstance(prop, exp.CollateProperty | exp.RowFormatProperty):
                options["collate" if isinstance(prop, exp.CollateProperty) else "row_format"] = prop.this.name
            elif self.engine == EngineName.POSTGRESQL:
                unmodeled.append(prop.sql(dialect=self.dialect))
        if mysql:
            traits = get_traits(self.engine)
            charset = options["charset"].lower()
            collation = options["collate"] or dict(traits.charset_collations).get(charset, "")
            if charset and not collation:
                unmodeled.append(f"CHARSET={charset}")  # a character set whose default is not known
            text = mysql_table_options(
                options["engine"], collation, options["row_format"], traits.default_collation
            )
            if text:
                unmodeled.append(text)
        if unmodeled:
            self.unmodeled("table property", name.value, unmodeled)
        if mysql_partition is not None:
            builder.partitioning = mysql_partition
            flavor = mysql_partition_flavor(self.partition_method)
            if flavor:
                self.unmodeled("table property", f"{builder.name.value} partitioning", [flavor])
        self.check_columns(
            builder, builder.partitioning.columns if builder.partitioning else (), "partition key"
        )

    def rowid_alias(self, builder: _TableBuilder) -> None:
        """SQLite: a one-column primary key declared exactly ``INTEGER`` is the rowid (an identity that
        is never NULL and holds 64-bit integers), as the database reads it back; ``INT`` is not."""
        pk = builder.primary_key
        if pk is None or len(pk.columns) != 1:
            return
        i = builder.column_index(pk.columns[0])
        if i is None:
            return
        value = re.escape(builder.columns[i].name.value)
        declared = re.compile(
            rf'(?:^|[(,])\s*(?:"{value}"|`{value}`|\[{value}\]|{value})\s+INTEGER\b(?!\s*\()', re.IGNORECASE
        )
        if declared.search(self.sql):
            column = builder.columns[i]
            builder.columns[i] = replace(
                column, identity=True, nullable=False, type=LogicalType(TypeKind.BIGINT), default=None
            )

    def partition_by(self, prop: exp.PartitionedByProperty) -> Partitioning:
        spec = prop.this
        if isinstance(spec, exp.List):  # sqlglot reads LIST (...) as its own node
            spec = exp.Anonymous(this="LIST", expressions=spec.expressions)
        method_text = spec.name.upper() if isinstance(spec, exp.Anonymous) else ""
        if isinstance(spec, exp.Anonymous) and method_text in ("RANGE", "LIST", "HASH"):
            columns = tuple(node_name(e) for e in spec.expressions if isinstance(e, exp.Column))
            if len(columns) != len(spec.expressions):
                raise self.error(
                    "partition keys that are expressions are not supported", "partition by columns"
                )
            return Partitioning(PartitionMethod(method_text.lower()), columns)
        raise self.error(
            f"cannot read partitioning {spec.sql()}", "use PARTITION BY RANGE|LIST|HASH (columns)"
        )

    def add_partition(self, name: Name, prop: exp.PartitionedOfProperty) -> None:
        parent = self.table(prop.this, what="partitioned table")
        if parent.partitioning is None:
            raise self.error(
                f"table '{parent.name}' is not partitioned", "add PARTITION BY to its CREATE TABLE"
            )
        bound = prop.expression
        partition: Partition
        if isinstance(bound, exp.Var) and bound.name.upper() == "DEFAULT":
            partition = Partition(name, (), is_default=True)
        elif isinstance(bound, exp.PartitionBoundSpec):
            if bound.args.get("from_expressions"):
                lo = ", ".join(neutral_sql(e) for e in bound.args["from_expressions"])
                hi = ", ".join(neutral_sql(e) for e in bound.args["to_expressions"])
                partition = Partition(name, (lo, hi))
            elif isinstance(bound.this, list):
                partition = Partition(name, tuple(neutral_sql(e) for e in bound.this))
            elif (
                bound.args.get("expression") is not None
                and parent.partitioning.method == PartitionMethod.HASH
            ):
                # FOR VALUES WITH (MODULUS m, REMAINDER r): the modulus is the partition count.
                modulus = bound.this
                count = int(modulus.this) if isinstance(modulus, exp.Literal) else parent.partitioning.count
                parent.partitioning = replace(parent.partitioning, count=count)
                partition = Partition(name, ())
            else:
                partition = Partition(name, (neutral_sql(bound),))
        else:
            partition = Partition(name, (neutral_sql(bound),) if bound is not None else ())
        parent.partitioning = replace(
            parent.partitioning, partitions=(*parent.partitioning.partitions, partition)
        )

    def column(self, builder: _TableBuilder, node: exp.ColumnDef) -> None:
        name = node_name(node.this)
        if builder.column_index(name) is not None:
            raise self.error(f"column '{name}' appears twice in table '{builder.name}'")
        kind = node.args.get("kind")
        if not isinstance(kind, exp.DataType):
            if self.engine == EngineName.SQLITE:
                kind = exp.DataType.build("BLOB", dialect="sqlite")  # no declared type: BLOB affinity
            else:
                raise self.error(f"column '{builder.name}.{name}' has no type")
        if kind.this == exp.DataType.Type.UBIGINT:
            builder.unsigned_bigints.add(name.key)
        try:
            logical, identity = parse_column_type(
                kind,
                self.engine,
                self.enums,
                declared=declared_pg_types([(o.kind, o.name) for o in self.objects]),
            )
        except DbarchError as exc:
            raise self.error(
                f"column '{builder.name}.{name}': {exc.diagnostic.message}", exc.diagnostic.hint
            ) from None
        nullable = True
        default: Default | None = None
        generated: str | None = None
        comment: str | None = None
        extras: list[str] = []
        # PostgreSQL's serial (a sequence the column's default reads) is not an identity column,
        # though the catalog holds both as "identity": named so neither becomes the other silently.
        serial = identity and self.engine == EngineName.POSTGRESQL
        for constraint in node.args.get("constraints") or []:
            c = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
            cname = (
                node_name(constraint.this)
                if isinstance(constraint, exp.ColumnConstraint) and constraint.this
                else None
            )
            if isinstance(c, exp.NotNullColumnConstraint):
                nullable = bool(c.args.get("allow_null"))
            elif isinstance(c, exp.PrimaryKeyColumnConstraint):
                nullable = False
                self.set_primary_key(builder, PrimaryKey((name,), cname))
            elif isinstance(c, exp.UniqueColumnConstraint):
                builder.uniques.append(UniqueConstraint((name,), cname))
            elif isinstance(c, exp.DefaultColumnConstraint):
                default = default_from_node(c.this, bit_strings=self.engine == EngineName.POSTGRESQL)
                if default.kind == DefaultKind.EXPRESSION and "nextval" in (default.value or "").lower():
                    identity, default = True, None
                    serial = self.engine == EngineName.POSTGRESQL
            elif isinstance(c, exp.GeneratedAsIdentityColumnConstraint):
                if c.args.get("expression") is not None:
                    generated = neutral_sql(c.args["expression"])
                else:
                    identity = True
                    # sqlglot sets on_null=False (and may set cycle=False) when the clause is absent
                    if c.args.get("this") is True or any(
                        c.args.get(k) not in (None, False) for k in IDENTITY_OPTIONS
                    ):
                        # ALWAYS and sequence options: the catalog holds "identity" only.
                        extras.append(c.sql(dialect=self.dialect))
            elif isinstance(c, exp.AutoIncrementColumnConstraint):
                identity = True
                if self.engine == EngineName.SQLITE:
                    # rowids never reused: the catalog's identity does not say it (a table rebuild must)
                    extras.append("AUTOINCREMENT")
            elif isinstance(c, exp.ComputedColumnConstraint):
                generated = neutral_sql(c.this)
                if self.engine in (EngineName.MYSQL, EngineName.MARIADB) and not c.args.get("persisted"):
                    # the catalog's generated columns are stored; a virtual one is named
                    extras.append("VIRTUAL")
            elif isinstance(c, exp.CheckColumnConstraint):
                builder.checks.append(CheckConstraint(neutral_sql(c.this), cname, column=name))
            elif isinstance(c, exp.Reference):
                builder.foreign_keys.append(foreign_key((name,), c, cname))
                extras += reference_options(c)
            elif isinstance(c, exp.CommentColumnConstraint):
                comment = c.this.this if isinstance(c.this, exp.Literal) else c.this.sql()
            elif c is not None:
                extras.append(c.sql(dialect=self.dialect))
        if serial:
            extras.append(SERIAL_CLAUSE)
        if extras:
            self.unmodeled("column property", f"{builder.name.key}.{name.key}", extras)
        if logical.kind == TypeKind.BOOLEAN and default is not None and default.kind == DefaultKind.NUMBER:
            # MySQL's boolean is TINYINT(1): DEFAULT 1 means TRUE.
            default = Default(DefaultKind.BOOLEAN, "FALSE" if float(default.value or 0) == 0 else "TRUE")
        builder.columns.append(Column(name, logical, nullable, default, identity, generated, comment))

    def set_primary_key(self, builder: _TableBuilder, pk: PrimaryKey) -> None:
        if builder.primary_key is not None:
            raise self.error(f"table '{builder.name}' has two primary keys")
        builder.primary_key = pk
        for col in pk.columns:
            i = builder.column_index(col)
            if i is not None:
                builder.columns[i] = replace(builder.columns[i], nullable=False)

    def check_columns(self, builder: _TableBuilder, columns: tuple[Name, ...], what: str) -> None:
        for col in columns:
            if builder.column_index(col) is None:
                known = [c.name.value for c in builder.columns]
                close = difflib.get_close_matches(col.value, known, n=1)
                raise self.error(
                    f"{what} names column '{col}', which table '{builder.name}' does not have",
                    f"did you mean '{close[0]}'?" if close else None,
                )

    def table_constraint(self, builder: _TableBuilder, node: exp.Expression) -> None:
        cname: Name | None = None
        if isinstance(node, exp.Constraint):
            cname = node_name(node.this)
            inner = node.expressions
        else:
            inner = [node]
        for c in inner:
            if isinstance(c, exp.PrimaryKey):
                cols = tuple(index_key_from_node(e).column or Name("?") for e in c.expressions)
                self.check_columns(builder, cols, "primary key")
                self.set_primary_key(builder, PrimaryKey(cols, cname))
            elif isinstance(c, exp.PrimaryKeyColumnConstraint):
                raise self.error("PRIMARY KEY without columns")
            elif isinstance(c, exp.UniqueColumnConstraint):
                schema = c.this
                uname = cname
                cols_nodes: list[exp.Expression] = []
                if isinstance(schema, exp.Schema):
                    cols_nodes = schema.expressions
                    if uname is None and schema.this is not None:
                        uname = node_name(schema.this)
                cols = tuple(index_key_from_node(e).column or Name("?") for e in cols_nodes)
                self.check_columns(builder, cols, "unique constraint")
                builder.uniques.append(UniqueConstraint(cols, uname))
                extras = index_extras(c.args.get("include"), nulls=False)
                extras += [str(o) for o in c.args.get("options") or [] if str(o).upper() != "NOT DEFERRABLE"]
                include = c.args.get("include")
                if isinstance(include, exp.IndexParameters) and include.args.get("include"):
                    extras.append("INCLUDE (" + ", ".join(x.sql() for x in include.args["include"]) + ")")
                if c.args.get("nulls"):
                    extras.append("NULLS NOT DISTINCT")
                if extras:
                    label = uname.value if uname else ",".join(x.value for x in cols)
                    self.unmodeled("constraint property", f"{builder.name.value}.{label}", extras)
            elif isinstance(c, exp.ForeignKey):
                cols = node_names(c.expressions)
                self.check_columns(builder, cols, "foreign key")
                reference = c.args.get("reference")
                if not isinstance(reference, exp.Reference):
                    raise self.error("FOREIGN KEY without REFERENCES")
                builder.foreign_keys.append(foreign_key(cols, reference, cname))
                options = reference_options(reference) + [str(o) for o in c.args.get("options") or []]
                if options:
                    label = cname.value if cname else ",".join(x.value for x in cols)
                    self.unmodeled("constraint property", f"{builder.name.value}.{label}", options)
            elif isinstance(c, exp.CheckColumnConstraint):
                builder.checks.append(CheckConstraint(neutral_sql(c.this), cname))
            elif isinstance(c, exp.IndexColumnConstraint):
                keys = tuple(index_key_from_node(e) for e in c.expressions)
                self.check_columns(builder, tuple(k.column for k in keys if k.column), "index")
                iname = (
                    node_name(c.this)
                    if c.this is not None
                    else Name(
                        "_".join([builder.name.value, *(k.column.value for k in keys if k.column), "idx"])
                    )
                )
                kind = str(c.args.get("kind") or "").upper()
                if self.engine in (EngineName.MYSQL, EngineName.MARIADB):
                    self.mysql_index_clauses(builder, iname, c.expressions, c.args.get("options") or [])
                if kind == "UNIQUE":
                    uname = iname if c.this is not None else None
                    builder.uniques.append(UniqueConstraint(tuple(k.column for k in keys if k.column), uname))
                else:
                    method = "fulltext" if kind == "FULLTEXT" else "spatial" if kind == "SPATIAL" else None
                    builder.indexes.append(Index(iname, keys, method=method, implicit_name=c.this is None))
            elif isinstance(c, exp.LikeProperty):
                raise self.error("CREATE TABLE ... LIKE is not supported", "write the columns out")
            else:
                raise self.error(f"cannot read table element `{c.sql(dialect=self.dialect)[:60]}`")

    def create_index(self, node: exp.Create) -> None:
        index = node.this
        if not isinstance(index, exp.Index):
            raise self.error("cannot read CREATE INDEX")
        builder = self.table(index.args.get("table"), what="table")
        params = index.args.get("params")
        if not isinstance(params, exp.IndexParameters):
            raise self.error("CREATE INDEX without columns")
        keys = tuple(index_key_from_node(e) for e in params.args.get("columns") or [])
        self.check_columns(builder, tuple(k.column for k in keys if k.column), "index")
        extras = index_extras(params, nulls=self.engine == EngineName.POSTGRESQL)
        if self.engine in (EngineName.MYSQL, EngineName.MARIADB) and index.this is not None:
            self.mysql_index_clauses(builder, node_name(index.this), params.args.get("columns") or [], [])
        if extras:
            label = index.this.name if index.this is not None else f"on {builder.name.value}"
            self.unmodeled("index property", f"{builder.name.value}.{label}", extras)
        include = node_names(params.args.get("include") or [])
        self.check_columns(builder, include, "index INCLUDE")
        where = params.args.get("where")
        using = params.args.get("using")
        method = using.name.lower() if isinstance(using, exp.Expression) else None
        name = (
            node_name(index.this)
            if index.this is not None
            else Name("_".join([builder.name.value, *(k.column.value for k in keys if k.column), "idx"]))
        )
        if index.this is None:  # a placeholder until the engine's naming rule names it
            base, n = name.value, 1
            while name.key in self.index_lines:
                n += 1
                name = Name(f"{base}{n}", quoted=name.quoted)
        if name.key in self.index_lines:
            if node.args.get("exists"):
                return
            raise self.error(f"index '{name}' is created twice (first on line {self.index_lines[name.key]})")
        self.index_lines[name.key] = self.line
        builder.indexes.append(
            Index(
                name,
                keys,
                unique=bool(node.args.get("unique")),
                where=neutral_sql(where.this) if isinstance(where, exp.Where) else None,
                include=include,
                method=None if method == "btree" else method,
                implicit_name=index.this is None,
            )
        )

    def alter(self, node: exp.Alter) -> None:
        if str(node.args.get("kind") or "").upper() != "TABLE":
            return
        builder = self.table(node.this)
        for action in node.args.get("actions") or []:
            if isinstance(action, exp.AddConstraint):
                for c in action.expressions:
                    self.table_constraint(builder, c)
                    if node.args.get("not_valid") and isinstance(c, exp.Constraint) and c.this is not None:
                        # existing rows are not checked: a clause the catalog does not carry
                        label = f"{builder.name.value}.{node_name(c.this).value}"
                        self.unmodeled("constraint property", label, ["NOT VALID"])
            elif isinstance(action, exp.ColumnDef):
                self.column(builder, action)
            elif isinstance(action, exp.Constraint | exp.PrimaryKey | exp.ForeignKey):
                self.table_constraint(builder, action)
            else:
                raise self.error(
                    f"ALTER TABLE `{action.sql(dialect=self.dialect)[:60]}` is not a schema definition",
                    "give the schema as CREATE statements (and ADD CONSTRAINT / ADD COLUMN)",
                )

    def comment(self, node: exp.Comment) -> None:
        kind = str(node.args.get("kind") or "").upper()
        text = node.expression.this if isinstance(node.expression, exp.Literal) else None
        if kind == "TABLE":
            self.table(node.this).comment = text
        elif kind == "COLUMN":
            column = node.this
            if not isinstance(column, exp.Column) or not column.table:
                raise self.error("COMMENT ON COLUMN needs table.column")
            builder = self.table(column.args.get("table"))
            i = builder.column_index(node_name(column))
            if i is None:
                raise self.error(f"table '{builder.name}' has no column '{column.name}'")
            builder.columns[i] = replace(builder.columns[i], comment=text)

    # -- whole-script checks --------------------------------------------------------------------
    def finish(self) -> Catalog:
        for builder in self.tables.values():
            self.line = builder.line
            for fk in builder.foreign_keys:
                target = self.tables.get(fk.ref_table.key)
                if target is None:
                    known = [b.name.value for b in self.tables.values()]
                    close = difflib.get_close_matches(fk.ref_table.value, known, n=1)
                    raise self.error(
                        f"foreign key of '{builder.name}' references table '{fk.ref_table}', "
                        "which is not defined",
                        f"did you mean '{close[0]}'?" if close else "define it in the same file",
                    )
                if not fk.ref_columns:
                    if target.primary_key is None:
                        raise self.error(
                            f"foreign key of '{builder.name}' references '{target.name}', "
                            "which has no primary key",
                            "name the referenced columns",
                        )
                    i = builder.foreign_keys.index(fk)
                    builder.foreign_keys[i] = replace(fk, ref_columns=target.primary_key.columns)
                    fk = builder.foreign_keys[i]
                self.check_columns(target, fk.ref_columns, f"foreign key of '{builder.name}'")
                if len(fk.ref_columns) != len(fk.columns):
                    raise self.error(
                        f"foreign key of '{builder.name}' has {len(fk.columns)} column(s) but references "
                        f"{len(fk.ref_columns)}"
                    )
        catalog = Catalog(
            tables=tuple(b.freeze() for b in self.tables.values()),
            views=tuple(self.views),
            origin=self.file,
            objects=tuple(self.finished_objects()),
        )
        return narrow_unsigned_keys(catalog, {k: b.unsigned_bigints for k, b in self.tables.items()})

    def finished_objects(self) -> list[SchemaObject]:
        """The recorded objects plus enum types no column uses (the tables carry the used ones),
        without the sequences behind serial columns (an owned sequence a column default reads)."""
        used = {
            (c.type.type_name or "").lower()
            for b in self.tables.values()
            for c in b.columns
            if c.type.kind == TypeKind.ENUM
        }
        defaults = " ".join(
            (c.default.value or "").lower() for b in self.tables.values() for c in b.columns if c.default
        )
        out = [
            o
            for o in self.objects
            if not (
                o.kind == "sequence"
                and "owned by" in o.definition.lower()
                and f"nextval('{o.name.lower()}'" in defaults
            )
        ]
        for name, sql in self.enum_sql.items():
            if name not in used:
                text = normalized(sql)
                out.append(SchemaObject("type", name, text, ObjectSource.DDL, create_sql=(text,)))
        out += grant_objects(script_privileges(self.privileges), self.engine)
        return out


#: Type names that mark PostgreSQL DDL elsewhere but are ordinary declared types in SQLite, whose
#: column types are free text (dbarchitect's own SQLite rendering declares TIMESTAMPTZ).
_SQLITE_DECLARED_TYPES = re.compile(r"\b(JSONB|TIMESTAMPTZ|BYTEA)\b", re.IGNORECASE)


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _other_dialect(text: str, dialect: EngineName) -> EngineName | None:
    """The engine whose marks ``text`` carries, when that is not ``dialect``'s family (comments are
    not read: a note saying "GENERATED ALWAYS AS IDENTITY is not written" is no PostgreSQL DDL)."""
    family = _FAMILY[dialect]
    text = _COMMENTS.sub(" ", text)
    if family == EngineName.SQLITE:
        text = _SQLITE_DECLARED_TYPES.sub("", text)
    scores = {engine: len(pattern.findall(text)) for engine, pattern in _MARKS.items() if engine != family}
    own = len(_MARKS[family].findall(text)) if family in _MARKS else 0
    best = max(scores.items(), key=lambda kv: kv[1], default=(None, 0))
    if best[0] is not None and best[1] > own:
        return best[0]
    return None


def load_ddl(text: str, dialect: EngineName, *, file: str | None = None) -> Catalog:
    """Read a DDL script written for ``dialect`` into a catalog."""
    other = _other_dialect(text, dialect)
    try:
        loader = _Loader(dialect, file)
        for statement in script_statements(text, dialect, file=file):
            loader.load(statement)
        catalog = loader.finish()
    except SqlError as exc:
        if other is not None:
            raise SqlError(
                replace(
                    exc.diagnostic,
                    message=f"this looks like {_label(other)} DDL, not {_label(dialect)} "
                    f"({exc.diagnostic.message})",
                    hint=f"set schema.ddl.dialect: {other.value}",
                )
            ) from None
        raise
    if other is not None:
        raise SqlError(
            Diagnostic(
                f"this looks like {_label(other)} DDL, not {_label(dialect)}",
                file=file,
                hint=f"set schema.ddl.dialect: {other.value}",
            )
        )
    return catalog


def load_ddl_file(path: Path, dialect: EngineName) -> Catalog:
    """Read a DDL file (see :func:`load_ddl`)."""
    text = read_input_text(path, what="the DDL file", error=SqlError, missing="no such DDL file")
    return load_ddl(text, dialect, file=str(path))


__all__ = [
    "SqlStatement",
    "default_from_node",
    "index_key_from_node",
    "load_ddl",
    "load_ddl_file",
    "split_statements",
]
