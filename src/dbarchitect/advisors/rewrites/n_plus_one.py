"""loop-to-batch: a statement a transaction runs once per item (N+1) -> one statement for all items.

A transaction that fetches ten order lines' items one by one (``{statements: [get_item], repeat:
10}`` in the brief) pays ten round trips, ten parses and ten plans for ten index lookups. One
statement with the ten keys in an IN list pays one:

- ``SELECT ... WHERE i_id = :item_id`` -> ``SELECT ..., i_id WHERE i_id IN (:item_id_1, ...,
  :item_id_10)`` (the key is added to the select list when the page lacks it, so the application can
  tell the rows apart; PostgreSQL can take one array, ``= ANY(:item_ids)``);
- ``UPDATE t SET c = <expr of :v> WHERE k = :key`` -> ``UPDATE t SET c = CASE k WHEN :key_1 THEN
  <expr of :v_1> ... END WHERE k IN (:key_1, ...)``;
- ``INSERT ... VALUES (:a, :b)`` -> one multi-row ``VALUES (:a_1, :b_1), (:a_2, :b_2), ...``.

Same answers when the keys of one transaction are distinct (TPC-C's order lines name distinct
items): the loop's rows put together are the batch's rows (projected onto the loop's columns), and
the loop's writes leave the table as the batch's do. Two iterations with the same key would return
a row twice (the IN list once) and update a row twice (the CASE once): the application must merge
them. ``verify`` proves it on drawn keys (distinct), comparing rows, and for writes the rows written,
each in a rolled-back transaction.

Not handled: loops whose statement has several per-item conditions, LIMIT, ORDER BY or GROUP BY,
an UPDATE of the key itself, INSERT ... SELECT or ON CONFLICT.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    Refusal,
    RewriteContext,
    RewriteRule,
    and_all,
    conjuncts,
    parameter,
    resolve,
    scope_tables,
    sql_of,
)
from dbarchitect.model.workload import Transaction


def _loop_parameters(statement_params: tuple[str, ...], txn: Transaction) -> tuple[str, ...]:
    """The statement's parameters that take a new value in every iteration of its step (``per:
    iteration``, the brief's default for a parameter only repeated steps use)."""
    return tuple(p for p in statement_params if (spec := txn.parameter(p)) is not None and spec.per_iteration)


def _names(base: str, n: int) -> tuple[str, ...]:
    return tuple(f"{base}_{i + 1}" for i in range(n))


class LoopToBatch(RewriteRule):
    id = "loop-to-batch"
    summary = "A statement run once per item of a transaction pays a round trip each; one statement pays one."

    def propose(self, context: RewriteContext) -> Iterator[Draft | Refusal]:
        statement = context.statement
        for txn in context.transactions():
            for step in txn.steps:
                if step.repeat_max <= 1 or all(s.name != statement.name for s in step.statements):
                    continue
                looped = _loop_parameters(statement.parameters, txn)
                if not looped:
                    continue
                size = max(2, math.ceil(step.mean_repeat))
                tree = context.tree
                if isinstance(tree, exp.Select):
                    outcome = self._select(tree, looped, size, context)
                elif isinstance(tree, exp.Update):
                    outcome = self._update(tree, looped, size, context)
                elif isinstance(tree, exp.Insert):
                    outcome = self._insert(tree, looped, size, context)
                else:
                    outcome = None
                if outcome is None:
                    return
                if isinstance(outcome, Refusal):
                    yield outcome
                    return
                sql, proof, change = outcome
                yield Draft(
                    sql=sql,
                    change=f"{change}, one statement for the {size} iterations of {txn.name}",
                    semantics=(
                        f"{txn.name} runs {statement.name} {step.repeat_min}-{step.repeat_max} times with "
                        f"a new {', '.join(':' + p for p in looped)} each time: exact when those values are "
                        "distinct within one transaction (two equal keys would return a row twice in the "
                        "loop, once in the batch, and update it twice)."
                    ),
                    proof=proof,
                    requires=(
                        f"the application collects the {step.repeat_min}-{step.repeat_max} values of "
                        f"{', '.join(':' + p for p in looped)} first and sends them together (the batch's "
                        f"size varies with the loop's: {size} shown)"
                    ),
                    repeats=float(size),
                )
                return

    def _key(
        self, where: exp.Expr | None, looped: tuple[str, ...]
    ) -> tuple[exp.Column, str, list[exp.Expr]] | Refusal | None:
        """The one ``column = :looped`` condition and the other conditions (which must not use a looped
        parameter)."""
        key: tuple[exp.Column, str] | None = None
        others: list[exp.Expr] = []
        for part in conjuncts(where):
            names = {p.name for p in part.find_all(exp.Placeholder)}
            if not names & set(looped):
                others.append(part)
                continue
            if (
                key is None
                and isinstance(part, exp.EQ)
                and isinstance(part.left, exp.Column)
                and isinstance(part.right, exp.Placeholder)
                and part.right.name in looped
            ):
                key = (part.left, part.right.name)
                continue
            if (
                key is None
                and isinstance(part, exp.EQ)
                and isinstance(part.right, exp.Column)
                and isinstance(part.left, exp.Placeholder)
                and part.left.name in looped
            ):
                key = (part.right, part.left.name)
                continue
            return Refusal(f"{part.sql()}: more than one condition changes per iteration; not batched")
        if key is None:
            return None
        return key[0], key[1], others

    def _select(
        self, select: exp.Select, looped: tuple[str, ...], size: int, context: RewriteContext
    ) -> tuple[str, Proof, str] | Refusal | None:
        if (
            select.args.get("limit")
            or select.args.get("group")
            or select.args.get("order")
            or select.find(exp.AggFunc)
        ):
            return Refusal("the looped SELECT has LIMIT, ORDER BY, GROUP BY or an aggregate: not batched")
        found = self._key(select.args["where"].this if select.args.get("where") else None, looped)
        if not isinstance(found, tuple):
            return found
        column, name, others = found
        extra = [
            p for p in looped if p != name and any(ph.name == p for ph in select.find_all(exp.Placeholder))
        ]
        if extra:
            return Refusal(f"{', '.join(':' + p for p in extra)} also change per iteration outside the key")
        batch = _names(name, size)
        rewritten = select.copy()
        rewritten.set(
            "where",
            exp.Where(
                this=and_all(
                    [
                        *[o.copy() for o in others],
                        exp.In(this=column.copy(), expressions=[parameter(b) for b in batch]),
                    ]
                )
            ),
        )
        tables = scope_tables(select, context.catalog)
        original = [p.alias_or_name for p in select.expressions]
        star = any(isinstance(p, exp.Star) for p in select.expressions)
        selected = star or any(
            isinstance(p.this if isinstance(p, exp.Alias) else p, exp.Column)
            and resolve(p.this if isinstance(p, exp.Alias) else p, tables) == resolve(column, tables)
            for p in select.expressions
        )
        if not selected:
            rewritten.select(exp.alias_(column.copy(), "dbarch_key"), copy=False)
        return (
            sql_of(rewritten, context.dialect),
            Proof(
                Protocol.BATCH,
                columns=() if star else tuple(original),
                loop_parameters=(name,),
                batch_size=size,
                batch=((name, batch),),
            ),
            f"{column.sql()} = :{name} -> {column.sql()} IN (:{batch[0]}, ..., :{batch[-1]})",
        )

    def _update(
        self, update: exp.Update, looped: tuple[str, ...], size: int, context: RewriteContext
    ) -> tuple[str, Proof, str] | Refusal | None:
        found = self._key(update.args["where"].this if update.args.get("where") else None, looped)
        if not isinstance(found, tuple):
            return found
        column, name, others = found
        assigned = [a for a in update.expressions if isinstance(a, exp.EQ)]
        if any(
            isinstance(a.this, exp.Column) and a.this.name.lower() == column.name.lower() for a in assigned
        ):
            return Refusal("the loop updates its own key: not batched")
        others_looped = [p for p in looped if p != name]
        batches: dict[str, tuple[str, ...]] = {name: _names(name, size)}
        for p in others_looped:
            batches[p] = _names(p, size)
        rewritten = update.copy()
        new_assignments: list[exp.Expr] = []
        for a in assigned:
            ifs: list[exp.If] = []
            for i in range(size):
                value = a.expression.copy()
                for ph in list(value.find_all(exp.Placeholder)):
                    if ph.name in batches:
                        ph.replace(parameter(batches[ph.name][i]))
                ifs.append(exp.If(this=parameter(batches[name][i]), true=value))
            case = exp.Case(this=column.copy(), ifs=ifs, default=a.this.copy())
            new_assignments.append(exp.EQ(this=a.this.copy(), expression=case))
        rewritten.set("expressions", new_assignments)
        rewritten.set(
            "where",
            exp.Where(
                this=and_all(
                    [
                        *[o.copy() for o in others],
                        exp.In(this=column.copy(), expressions=[parameter(b) for b in batches[name]]),
                    ]
                )
            ),
        )
        return (
            sql_of(rewritten, context.dialect),
            Proof(
                Protocol.BATCH,
                loop_parameters=(name, *others_looped),
                batch_size=size,
                batch=tuple(batches.items()),
            ),
            f"{column.sql()} = :{name} -> SET ... = CASE {column.sql()} WHEN :{name}_i THEN ... END, IN list",
        )

    def _insert(
        self, insert: exp.Insert, looped: tuple[str, ...], size: int, context: RewriteContext
    ) -> tuple[str, Proof, str] | Refusal | None:
        values = insert.expression
        if not isinstance(values, exp.Values) or len(values.expressions) != 1 or insert.args.get("conflict"):
            return Refusal("only a one-row INSERT ... VALUES without ON CONFLICT is batched")
        row = values.expressions[0]
        names = sorted({ph.name for ph in row.find_all(exp.Placeholder) if ph.name})
        batches = {p: _names(p, size) for p in names}
        rows: list[exp.Expr] = []
        for i in range(size):
            copy = row.copy()
            for ph in list(copy.find_all(exp.Placeholder)):
                if ph.name in batches:
                    ph.replace(parameter(batches[ph.name][i]))
            rows.append(copy)
        rewritten = insert.copy()
        rewritten.set("expression", exp.Values(expressions=rows))
        return (
            sql_of(rewritten, context.dialect),
            Proof(
                Protocol.BATCH, loop_parameters=tuple(names), batch_size=size, batch=tuple(batches.items())
            ),
            f"one VALUES row per iteration -> {size} rows in one INSERT",
        )
