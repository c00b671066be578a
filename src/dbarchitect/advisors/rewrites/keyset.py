"""offset-to-keyset: OFFSET pagination -> keyset pagination (the page after the last row seen).

``ORDER BY placed_at DESC, id DESC LIMIT 20 OFFSET 100000`` makes the engine read and throw away
100,000 rows for every page: the deeper the page, the slower. Keyset pagination asks for the rows
after the last one the client saw, ``WHERE placed_at <= :after_placed_at AND (placed_at <
:after_placed_at OR id < :after_id)``, which an index on the sort keys answers by reading only the
page.

Same answers: the page after the previous page's last row is the page at the OFFSET when the sort
keys order the rows totally (they include a key of the table, NOT NULL) and nothing changed between
the two requests; ``verify`` proves it by fetching the previous page's last row with the original
statement and comparing both pages. When the sort keys are not unique, the rewrite adds the table's
primary key as the last key - the original needs it too, or its pages repeat and skip rows that tie.

Refused: a nullable sort key (NULLs sort apart and compare unknown), sort keys the page does not
return (the client could not pass them on), joins that repeat the driving table's rows, grouped or
DISTINCT pages. Not weighed: an OFFSET parameter without an example value in the brief (``params:``).
The application must keep the last row's keys and pass them instead of the offset; the first page
runs without the keyset condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    Refusal,
    RewriteContext,
    RewriteRule,
    is_unique,
    parameter,
    resolve,
    scope_tables,
    sql_of,
)
from dbarchitect.model.catalog import Table


def _offset(select: exp.Select, context: RewriteContext) -> tuple[str | None, int | None]:
    """The OFFSET as (parameter name or literal text, value when known)."""
    offset = select.args.get("offset")
    node = offset.expression if isinstance(offset, exp.Offset) else None
    if isinstance(node, exp.Literal) and not node.is_string:
        return node.this, int(float(node.this))
    if isinstance(node, exp.Placeholder) and node.name:
        value = context.params.get(node.name)
        try:
            return node.name, int(value) if value is not None else None
        except (TypeError, ValueError):
            return node.name, None
    return None, None


def _driving_table(select: exp.Select, tables: dict[str, Table]) -> str | None:
    """The alias of the table whose rows the result's rows are one to one with: the FROM table, when
    every join reaches another table through that table's unique key (many-to-one)."""
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None or not isinstance(from_.this, exp.Table):
        return None
    driving = (from_.this.alias or from_.this.name).lower()
    for join in select.args.get("joins") or []:
        if not isinstance(join.this, exp.Table):
            return None
        alias = (join.this.alias or join.this.name).lower()
        table = tables.get(alias)
        on = join.args.get("on")
        if table is None or on is None or join.args.get("kind", "").upper() in ("FULL", "CROSS"):
            return None
        joined = {
            found[2].name.key
            for eq in on.find_all(exp.EQ)
            for side in (eq.left, eq.right)
            if isinstance(side, exp.Column) and (found := resolve(side, tables)) and found[0] == alias
        }
        if not is_unique(table, joined):
            return None
    return driving


class OffsetToKeyset(RewriteRule):
    id = "offset-to-keyset"
    summary = "OFFSET pagination reads and discards every skipped row; keyset pagination reads the page."

    def propose(self, context: RewriteContext) -> Iterator[Draft | Refusal]:
        select = context.tree
        if not isinstance(select, exp.Select) or select.args.get("offset") is None:
            return
        order = select.args.get("order")
        limit = select.args.get("limit")
        if order is None or limit is None:
            return
        name, value = _offset(select, context)
        if name is None:
            return
        if select.args.get("group") or select.args.get("distinct") or select.find(exp.AggFunc):
            yield Refusal("the page is grouped or DISTINCT: its sort keys do not name rows of a table")
            return
        tables = scope_tables(select, context.catalog)
        driving = _driving_table(select, tables)
        if driving is None:
            yield Refusal("its joins can repeat rows: no single table's key orders the page totally")
            return
        selected: dict[tuple[str, str], str] = {}
        for projection in select.expressions:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(inner, exp.Column) and (found := resolve(inner, tables)) is not None:
                selected[(found[0], found[2].name.key)] = projection.alias_or_name
            elif isinstance(inner, exp.Star):
                for alias, table in tables.items():
                    for column in table.columns:
                        selected.setdefault((alias, column.name.key), column.name.value)
        keys: list[tuple[str, str, bool, exp.Column]] = []  # (alias, column key, desc, column node)
        for ordered in order.expressions:
            term = ordered.this
            found = resolve(term, tables) if isinstance(term, exp.Column) else None
            if found is None:
                yield Refusal(f"ORDER BY {term.sql()} is not a column of the page's tables")
                return
            alias, table, column = found
            if column.nullable:
                yield Refusal(
                    f"sort key {table.name}.{column.name} is nullable: NULLs sort apart and compare as "
                    "unknown, so the rows after a NULL cannot be asked for with a comparison"
                )
                return
            keys.append((alias, column.name.key, bool(ordered.args.get("desc")), term))
        table = tables[driving]
        tie_break: list[str] = []
        if not is_unique(table, {k for a, k, _, _ in keys if a == driving}):
            pk = table.primary_key
            if pk is None:
                yield Refusal(
                    f"the sort keys do not identify a row of {table.name}, which has no primary key"
                )
                return
            descending = keys[-1][2]
            for col in pk.columns:
                if (driving, col.key) in {(a, k) for a, k, _, _ in keys}:
                    continue
                qualifier = next(
                    (
                        t.alias or t.name
                        for t in select.find_all(exp.Table)
                        if (t.alias or t.name).lower() == driving
                    ),
                    None,
                )
                node = exp.column(col.value, table=qualifier if len(tables) > 1 else None)
                keys.append((driving, col.key, descending, node))
                tie_break.append(col.value)
        missing = [f"{a}.{k}" for a, k, _, _ in keys if (a, k) not in selected]
        if missing:
            yield Refusal(
                f"the page does not return its sort key(s) {', '.join(missing)}: the client cannot pass "
                "the last row's keys on; add them to the select list"
            )
            return
        if value is None:
            yield Refusal(
                f"OFFSET :{name} has no example value in the brief (params: {{{name}: ...}}); give a "
                "typical depth to weigh keyset pagination against it",
                unweighed=True,
            )
            return
        if value <= 0:
            return
        taken = set(context.statement.parameters)
        after: list[tuple[str, str]] = []
        bound: list[tuple[exp.Column, exp.Placeholder, bool]] = []
        for alias, key, desc, node in keys:
            base = f"after_{key}"
            param = base if base not in taken else f"{base}_{len(after) + 1}"
            taken.add(param)
            after.append((param, selected[(alias, key)]))
            bound.append((node.copy(), parameter(param), desc))
        rewritten = select.copy()
        rewritten.set("offset", None)
        if tie_break:
            rewritten.set(
                "order",
                exp.Order(
                    expressions=[
                        *[o.copy() for o in order.expressions],
                        *[
                            exp.Ordered(
                                this=b[0].copy(),
                                desc=b[2],
                                nulls_first=order.expressions[-1].args.get("nulls_first"),
                            )
                            for b in bound[len(order.expressions) :]
                        ],
                    ]
                ),
            )
        rewritten.where(_keyset_condition(bound), copy=False)
        page = int(limit.expression.this) if isinstance(limit.expression, exp.Literal) else None
        keys_text = ", ".join(b[0].sql() for b in bound)
        shown = name if name.isdigit() else f":{name}"
        change = f"OFFSET {shown} -> the rows after the last one seen ({keys_text})"
        added = (
            f"{', '.join(tie_break)} added as the last key (the original needs it too, or rows that tie come "
            "in no fixed order and OFFSET pages repeat or skip them); "
            if tie_break
            else ""
        )
        semantics = (
            f"The page after the previous page's last row equals the page at the OFFSET: ({keys_text}) "
            f"orders the rows totally ({added}every key NOT NULL), as long as no row is inserted or deleted "
            "before the page between two requests (keyset pages then stay consistent; OFFSET pages shift)."
        )
        original = context.statement
        before = replace(original, limit=(original.limit or page or 1) + value)
        # what the keyset page is compared with: the OFFSET page, ordered as the rewrite orders it,
        # its OFFSET a parameter the proof can move
        reference = select.copy()
        reference.set("order", rewritten.args["order"].copy())
        offset_param = name if not name.isdigit() else "dbarch_offset"
        reference.set("offset", exp.Offset(expression=parameter(offset_param)))
        yield Draft(
            sql=sql_of(rewritten, context.dialect),
            change=change,
            semantics=semantics,
            proof=Proof(
                Protocol.KEYSET,
                order=tuple((selected[(a, k)], d) for a, k, d, _ in keys),
                after=tuple(after),
                offset=offset_param,
                reference=sql_of(reference, context.dialect),
            ),
            requires=(
                "the application keeps the last row's "
                + ", ".join(c for _, c in after)
                + " and passes them as "
                + ", ".join(f":{p}" for p, _ in after)
                + " instead of the offset; the first page runs without the keyset condition"
            ),
            before=before,
        )


def _keyset_condition(bound: list[tuple[exp.Column, exp.Placeholder, bool]]) -> exp.Expr:
    """``k1 <= :a1 AND (k1 < :a1 OR (k1 = :a1 AND k2 < :a2) OR ...)`` (``>`` for ascending keys): the
    rows strictly after (a1, a2, ...) in the sort order, the leading bound sargable on every engine."""
    first_col, first_param, first_desc = bound[0]
    if len(bound) == 1:
        return (exp.LT if first_desc else exp.GT)(this=first_col.copy(), expression=first_param.copy())
    lead: exp.Expr = (exp.LTE if first_desc else exp.GTE)(
        this=first_col.copy(), expression=first_param.copy()
    )
    options: list[exp.Expr] = []
    for i, (col, param, desc) in enumerate(bound):
        parts: list[exp.Expr] = [exp.EQ(this=c.copy(), expression=p.copy()) for c, p, _ in bound[:i]]
        parts.append((exp.LT if desc else exp.GT)(this=col.copy(), expression=param.copy()))
        option = parts[0]
        for part in parts[1:]:
            option = exp.and_(option, part, copy=False)
        options.append(exp.paren(option, copy=False) if len(parts) > 1 else option)
    chain = options[0]
    for option in options[1:]:
        chain = exp.or_(chain, option, copy=False)
    return exp.and_(lead, exp.paren(chain, copy=False), copy=False)
