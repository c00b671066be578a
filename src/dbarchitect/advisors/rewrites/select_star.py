"""select-star-to-columns: ``SELECT *`` -> the columns an index holds, when that makes the scan index-only.

``SELECT * FROM orders WHERE customer_id = :c`` must visit the table for every row, however good the
index on ``customer_id``: ``*`` asks for columns the index does not hold. If the application uses
only some columns, naming them lets an index that holds them all (its keys and INCLUDE columns)
answer from the index alone - no table page read per row.

Which columns the application uses is not in the SQL, so this is a conditional proposal: the
rewrite names the columns of the index that serves the statement (an existing index or one the
design adds), and it holds only if the application reads no other column. Same answers: the
rewritten rows are the original rows projected onto those columns (``verify`` compares exactly
that multiset). Proposed only when the cost model shows the index-only scan paying.

Not handled: joins, GROUP BY, ``t.*`` next to other expressions.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    RewriteContext,
    RewriteRule,
    scope_tables,
    sql_of,
)
from dbarchitect.model.catalog import Table


def _index_column_sets(table: Table, context: RewriteContext) -> list[tuple[str, tuple[str, ...]]]:
    """(label, column keys) of every index on ``table``: existing ones and the design's additions."""
    out: list[tuple[str, tuple[str, ...]]] = []
    if table.primary_key is not None:
        out.append((f"{table.name} primary key", tuple(c.key for c in table.primary_key.columns)))
    for index in table.indexes:
        if index.where is None and index.columns:
            keys = tuple(c.key for c in index.columns) + tuple(c.key for c in index.include)
            out.append((str(index.name), keys))
    for candidate in sorted(context.config):
        if candidate.table.matches(table.name) and candidate.where is None:
            keys = tuple(c.key for c in candidate.columns) + tuple(c.key for c in candidate.include)
            out.append((f"the advised index on {table.name} ({', '.join(keys)})", keys))
    return out


class SelectStarToColumns(RewriteRule):
    id = "select-star-to-columns"
    summary = "SELECT * visits the table for every row; the columns an index holds can be read from it alone."

    def propose(self, context: RewriteContext) -> Iterator[Draft]:
        select = context.tree
        if not isinstance(select, exp.Select) or select.args.get("joins") or select.args.get("group"):
            return
        if len(select.expressions) != 1 or not isinstance(select.expressions[0], exp.Star):
            return
        tables = scope_tables(select, context.catalog)
        if len(tables) != 1:
            return
        table = next(iter(tables.values()))
        access = context.statement.access(table.name)
        if access is None:
            return
        used = {p.column.column.key for p in access.predicates} | {
            o.column.column.key for o in access.order_by
        }
        all_columns = [c.name.key for c in table.columns]
        seen: set[tuple[str, ...]] = set()
        for label, keys in _index_column_sets(table, context):
            if not used <= set(keys) or set(all_columns) <= set(keys):
                continue
            columns = tuple(c.name.value for c in table.columns if c.name.key in keys)
            if columns in seen:
                continue
            seen.add(columns)
            rewritten = select.copy()
            rewritten.set("expressions", [exp.column(c) for c in columns])
            yield Draft(
                sql=sql_of(rewritten, context.dialect),
                change=f"SELECT * -> SELECT {', '.join(columns)} (the columns of {label})",
                semantics=(
                    f"The rows are the original rows projected onto {', '.join(columns)}: {label} holds "
                    "them all, so the engine can read them from the index alone."
                ),
                proof=Proof(Protocol.PROJECTION, columns=columns),
                requires=f"the application reads no column of {table.name} besides {', '.join(columns)}",
            )
