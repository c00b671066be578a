"""A statement of the workload model as a set of one-line facts, so cases can list what they expect.

Facts (``T`` a table, ``c`` a column):

    kind select                      limit 10                     params customer_id,$1
    occurrences T 2                  aliases T a,b                target T
    pred T.c <kind> <operator> <value>[ x<values>]               join T.c U.d <kind>
    group T.c                        order T.c asc|desc
    read T c1,c2                     written T c1,c2
"""

from __future__ import annotations

from dbarchitect.model.workload import Statement


def statement_facts(statement: Statement) -> set[str]:
    facts = {f"kind {statement.kind.value}"}
    if statement.limit is not None:
        facts.add(f"limit {statement.limit}")
    if statement.parameters:
        facts.add(f"params {','.join(statement.parameters)}")
    for join in statement.joins:
        facts.add(f"join {join.left} {join.right} {join.kind}")
    for access in statement.tables:
        t = access.table.value
        facts.add(f"occurrences {t} {access.occurrences}")
        if access.aliases:
            facts.add(f"aliases {t} {','.join(access.aliases)}")
        if access.is_write_target:
            facts.add(f"target {t}")
        for p in access.predicates:
            values = f" x{p.values}" if p.values != 1 else ""
            facts.add(f"pred {p.column} {p.kind.value} {p.operator} {p.value}{values}")
        for c in access.group_by:
            facts.add(f"group {t}.{c}")
        for o in access.order_by:
            facts.add(f"order {o.column} {'desc' if o.descending else 'asc'}")
        if access.columns_read:
            facts.add(f"read {t} {','.join(c.value for c in access.columns_read)}")
        if access.columns_written:
            facts.add(f"written {t} {','.join(c.value for c in access.columns_written)}")
    return facts
