"""Same answers: a proposed rewrite (or a statement served by a summary table) against the statement as
written, on the synthetic data, for many parameter draws.

For each of :data:`MIN_DRAWS` draws the parameters are drawn as the replay draws them (from the
columns they are compared with, at the data's frequencies) and both statements run; their rows are
compared as multisets, and (``same``) their result column names as the engine reports them, in order
(numbers compared by value - ``5``, ``5.0`` and ``Decimal('5.00')`` are equal;
floats to 10 significant digits, since a sum may add in another order). How the two are paired depends
on the rewrite's :class:`~dbarchitect.advisors.rewrites.rule.Protocol`:

- ``same``: the same parameter values;
- ``projection``: the rewrite's rows are the original's projected onto its columns;
- ``keyset``: a position ``m`` is drawn inside the original's result, the row at ``m - 1`` fetched
  with the OFFSET query, its sort keys passed to the keyset query, and both pages compared in order;
- ``batch``: distinct values of the looped parameter are drawn for one transaction; the loop's rows
  put together are compared with the batch's (for a write, the rows written, each side in a
  transaction rolled back).

A draw where a statement fails counts as an error; a proof with an error or a mismatch fails, and the
first mismatch is described (the parameters, and a row one side has that the other lacks).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

from dbarchitect.advisors.rewrites import Proof, ProposedRewrite, Protocol
from dbarchitect.engines.output_names import output_names, with_output_names
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement
from dbarchitect.verify.measurements import MIN_DRAWS, Equivalence
from dbarchitect.verify.parameters import Prepared, draw_parameters, prepare
from dbarchitect.verify.scratch import ScratchTarget
from dbarchitect.verify.synthetic import SyntheticData

#: Draws tried at most per draw wanted, when draws give nothing to compare (a page past the end).
ATTEMPTS_PER_DRAW = 5


def normalize(value: Any) -> Any:
    """A value as compared: numbers by value, times as ISO text, booleans as 0/1."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(f"{value:.10g}")
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -10:
            return Decimal(f"{value:.10g}")  # a quotient's digits: compared as a float's
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz=None).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return Decimal(str(value.total_seconds()))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return value


def _rows(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(normalize(v) for v in row) for row in rows]


def _differ(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], ordered: bool) -> str | None:
    """None when ``a`` and ``b`` hold the same rows (in the same order when ``ordered``); else what
    differs."""
    if ordered:
        if a == b:
            return None
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return f"row {i + 1}: {x!r} as written, {y!r} rewritten"
        return f"{len(a)} row(s) as written, {len(b)} rewritten"
    ca, cb = Counter(a), Counter(b)
    if ca == cb:
        return None
    only_a = list((ca - cb).elements())
    only_b = list((cb - ca).elements())
    parts = [f"{len(a)} row(s) as written, {len(b)} rewritten"]
    if only_a:
        parts.append(f"only as written: {only_a[0]!r}")
    if only_b:
        parts.append(f"only rewritten: {only_b[0]!r}")
    return "; ".join(parts)


def _shown(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in list(params.items())[:6])


def _as_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and len(value) >= 10:
        return value[:10]
    return value


class _Prover:
    def __init__(
        self,
        target: ScratchTarget,
        source: EngineTraits,
        catalog: Catalog,
        data: SyntheticData,
        rng: random.Random,
        draws: int,
    ) -> None:
        self.target = target
        self.source = source
        self.catalog = catalog
        self.data = data
        self.rng = rng
        self.draws = draws
        self.counter = [0]

    def prepare(self, statement: Statement, sql: str | None = None) -> Prepared:
        return prepare(
            replace(statement, sql=sql) if sql is not None else statement,
            self.source,
            self.catalog,
            self.target.traits,
            self.target.family,
        )

    def draw(self, prepared: Prepared, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return draw_parameters(
            prepared, self.data.tables, self.rng, self.counter, self.target.family, overrides
        )

    def fetch(
        self, prepared: Prepared, params: Mapping[str, Any], *, exact_names: bool = False
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self.target.fetch(
            prepared.sql, {n: params.get(n) for n in prepared.names}, exact_names=exact_names
        )


def prove_rewrite(
    target: ScratchTarget,
    rewrite: ProposedRewrite,
    original: Statement,
    source: EngineTraits,
    catalog: Catalog,
    data: SyntheticData,
    rng: random.Random,
    *,
    draws: int = MIN_DRAWS,
    phase: str = "loaded data",
) -> Equivalence:
    """Prove ``rewrite`` of ``original`` (written for ``source``) returns the same rows on the scratch
    ``target`` filled with ``data``, for ``draws`` parameter draws (see the module docstring)."""
    rewritten = replace(rewrite.after_statements[0], sql=rewrite.rewritten, name=rewrite.statement)
    return prove_pair(
        target,
        rewrite.rule,
        original,
        rewritten,
        rewrite.proof,
        source,
        catalog,
        data,
        rng,
        draws=draws,
        phase=phase,
    )


def prove_pair(
    target: ScratchTarget,
    lever: str,
    original: Statement,
    rewritten_statement: Statement,
    proof: Proof,
    source: EngineTraits,
    catalog: Catalog,
    data: SyntheticData,
    rng: random.Random,
    *,
    draws: int = MIN_DRAWS,
    phase: str = "loaded data",
) -> Equivalence:
    """Prove ``rewritten_statement`` answers as ``original`` does, by ``proof``'s protocol."""
    prover = _Prover(target, source, catalog, data, rng, draws)
    base = Equivalence(lever, original.name, phase, str(target.traits), 0, 0, 0, wanted=draws)
    try:
        if proof.protocol == Protocol.SAME:
            rewritten_statement = _named_as_run(original, rewritten_statement, source, target, catalog)
        reference = prover.prepare(original, proof.reference)
        rewritten = prover.prepare(rewritten_statement)
    except DbarchError as exc:
        return replace(base, errors=1, error=exc.diagnostic.message)
    if proof.protocol == Protocol.KEYSET:
        return _keyset(prover, proof, original, reference, rewritten, base)
    if proof.protocol == Protocol.BATCH:
        return _batch(prover, proof, rewritten_statement.sql, original, reference, rewritten, base)
    return _same(prover, proof, original, reference, rewritten, base)


def _named_as_run(
    original: Statement, rewritten: Statement, source: EngineTraits, target: ScratchTarget, catalog: Catalog
) -> Statement:
    """``rewritten`` with the result column names ``target``'s engine gives ``original`` as verify runs
    it there (translated from the brief's dialect), as the proposal's SQL for that engine has them; the
    names are then compared as the engine reports them. Unchanged when the names cannot be told and
    both return the same columns (``SELECT *``)."""
    ran = transpile_statement(original.sql, source.engine, target.traits.engine, catalog)
    names = output_names(ran, target.traits, catalog)
    sql = with_output_names(rewritten.sql, names, source.sqlglot_dialect) if names is not None else None
    return replace(rewritten, sql=sql) if sql is not None else rewritten


def _order_columns(sql: str, dialect: str) -> tuple[tuple[str, ...], bool]:
    """The output columns a statement's ORDER BY sorts on, and whether it has a LIMIT (ties at the
    limit may then be cut differently by two equal statements)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return (), False
    if not isinstance(tree, exp.Select) or tree.args.get("order") is None:
        return (), False
    names: list[str] = []
    outputs = {p.alias_or_name.lower(): p for p in tree.expressions}
    for ordered in tree.args["order"].expressions:
        term = ordered.this
        name = term.name.lower() if isinstance(term, exp.Column) else ""
        if name in outputs:
            names.append(name)
            continue
        match = next(
            (
                p.alias_or_name.lower()
                for p in tree.expressions
                if (p.this if isinstance(p, exp.Alias) else p) == term
            ),
            None,
        )
        if match is None:
            return (), False
        names.append(match)
    return tuple(names), tree.args.get("limit") is not None


def _differ_limited(
    names: list[str], a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], order: tuple[str, ...]
) -> str | None:
    """As :func:`_differ`, for a page cut by LIMIT: the sort keys must come in the same sequence, and
    the rows must be the same except those tied with the last row (either may be cut)."""
    if len(a) != len(b):
        return f"{len(a)} row(s) as written, {len(b)} rewritten"
    index = [names.index(c) for c in order if c in names]
    if len(index) != len(order):
        return _differ(a, b, ordered=False)
    keys_a = [tuple(r[i] for i in index) for r in a]
    keys_b = [tuple(r[i] for i in index) for r in b]
    if sorted(keys_a, key=repr) != sorted(keys_b, key=repr):
        return _differ(a, b, ordered=False)
    if not a:
        return None
    last = keys_a[-1]
    return _differ(
        [r for r, k in zip(a, keys_a, strict=True) if k != last],
        [r for r, k in zip(b, keys_b, strict=True) if k != last],
        ordered=False,
    )


def _same(
    prover: _Prover,
    proof: Proof,
    original: Statement,
    reference: Prepared,
    rewritten: Prepared,
    base: Equivalence,
) -> Equivalence:
    draws = rows = mismatches = errors = 0
    mismatch = error = None
    dates = set(proof.dates)
    order, limited = _order_columns(proof.reference or original.sql, prover.source.sqlglot_dialect)
    for _ in range(prover.draws):
        params = prover.draw(reference)
        for name in dates & params.keys():
            params[name] = _as_date(params[name])
        params.update({k: v for k, v in prover.draw(rewritten, params).items() if k not in params})
        try:
            exact_a, a = prover.fetch(reference, params, exact_names=True)
            exact_b, b = prover.fetch(rewritten, params, exact_names=True)
        except Exception as exc:  # a failing execution is a failed draw, reported
            prover.target.recover()
            errors += 1
            error = error or str(exc).splitlines()[0]
            continue
        names_a = [n.lower() for n in exact_a]
        if proof.protocol == Protocol.SAME and exact_a != exact_b:
            # the application reads the result by column name: other names are another answer
            draws += 1
            mismatches += 1
            mismatch = mismatch or f"result columns {exact_a} as written, {exact_b} rewritten"
            continue
        if proof.protocol == Protocol.PROJECTION:
            wanted = [c.lower() for c in proof.columns]
            index = [names_a.index(c) for c in wanted if c in names_a]
            a = [tuple(r[i] for i in index) for r in a]
        draws += 1
        rows += len(a) + len(b)
        if limited and proof.protocol == Protocol.SAME:
            differ = _differ_limited(names_a, _rows(a), _rows(b), order)
        else:
            differ = _differ(_rows(a), _rows(b), ordered=False)
        if differ is not None:
            mismatches += 1
            mismatch = mismatch or f"{differ} ({_shown(params)})"
    return replace(
        base, draws=draws, rows=rows, mismatches=mismatches, mismatch=mismatch, errors=errors, error=error
    )


def _count_sql(sql: str, dialect: str) -> str:
    """``SELECT count(*)`` over ``sql`` without its ORDER BY, LIMIT and OFFSET."""
    tree = sqlglot.parse_one(sql, read=dialect)
    for key in ("order", "limit", "offset"):
        tree.set(key, None)
    return (
        exp.select("count(*)")
        .from_(exp.Subquery(this=tree, alias=exp.TableAlias(this=exp.to_identifier("t"))))
        .sql(dialect=dialect)
    )


def _keyset(
    prover: _Prover,
    proof: Proof,
    original: Statement,
    reference: Prepared,
    rewritten: Prepared,
    base: Equivalence,
) -> Equivalence:
    offset = proof.offset or "dbarch_offset"
    try:
        counter = prover.prepare(
            original, _count_sql(proof.reference or original.sql, prover.source.sqlglot_dialect)
        )
    except (DbarchError, sqlglot.errors.SqlglotError) as exc:
        return replace(base, errors=1, error=str(exc))
    draws = rows = mismatches = errors = 0
    mismatch = error = None
    for _ in range(prover.draws * ATTEMPTS_PER_DRAW):
        if draws >= prover.draws:
            break
        params = prover.draw(reference)
        try:
            _, total_rows = prover.fetch(counter, params)
            total = int(total_rows[0][0]) if total_rows else 0
            if total < 2:
                continue
            position = prover.rng.randint(1, total - 1)
            names, previous = prover.fetch(reference, {**params, offset: position - 1})
            if not previous:
                continue
            last = dict(zip(names, previous[0], strict=True))
            after = {param: last[column.lower()] for param, column in proof.after}
            _, a = prover.fetch(reference, {**params, offset: position})
            _, b = prover.fetch(rewritten, {**params, **after})
        except Exception as exc:  # a failing execution is a failed draw, reported
            prover.target.recover()
            errors += 1
            error = error or str(exc).splitlines()[0]
            if errors >= 5 and not draws:
                break
            continue
        draws += 1
        rows += len(a) + len(b)
        differ = _differ(_rows(a), _rows(b), ordered=True)
        if differ is not None:
            mismatches += 1
            mismatch = mismatch or f"page at {position}: {differ} ({_shown({**params, **after})})"
    return replace(
        base, draws=draws, rows=rows, mismatches=mismatches, mismatch=mismatch, errors=errors, error=error
    )


def _batch(
    prover: _Prover,
    proof: Proof,
    batch_sql: str,
    original: Statement,
    reference: Prepared,
    rewritten: Prepared,
    base: Equivalence,
) -> Equivalence:
    batches = dict(proof.batch)
    looped = proof.loop_parameters
    key = looped[0] if looped else None
    write = original.is_write
    capture: Prepared | None = None
    if write:
        try:
            capture = prover.prepare(original, _capture_sql(batch_sql, prover.source.sqlglot_dialect))
        except (DbarchError, sqlglot.errors.SqlglotError, ValueError) as exc:
            return replace(base, errors=1, error=f"cannot read back the rows written: {exc}")
    draws = rows = mismatches = errors = 0
    mismatch = error = None
    for _ in range(prover.draws):
        shared = prover.draw(reference)
        iterations: list[dict[str, Any]] = []
        seen: set[Any] = set()
        for _ in range(proof.batch_size):
            for _try in range(20):
                one = prover.draw(reference)
                value = one.get(key) if key else None
                if value not in seen or value is None:
                    break
            seen.add(one.get(key) if key else None)
            iterations.append({**shared, **{p: one[p] for p in looped if p in one}})
        batch_params = dict(shared)
        for name, per in batches.items():
            for i, param in enumerate(per):
                batch_params[param] = iterations[i].get(name)
        try:
            if not write:
                names_a: list[str] = []
                a: list[tuple[Any, ...]] = []
                for params in iterations:
                    names_a, got = prover.fetch(reference, params)
                    a += got
                names_b, b = prover.fetch(rewritten, batch_params)
                if names_a:
                    index = [names_b.index(c) for c in names_a if c in names_b]
                    b = [tuple(r[i] for i in index) for r in b]
            else:
                assert capture is not None
                prover.target.begin()
                try:
                    for params in iterations:
                        prover.fetch(reference, params)
                    _, a = prover.fetch(capture, batch_params)
                finally:
                    prover.target.rollback()
                prover.target.begin()
                try:
                    prover.fetch(rewritten, batch_params)
                    _, b = prover.fetch(capture, batch_params)
                finally:
                    prover.target.rollback()
        except Exception as exc:  # a failing execution is a failed draw, reported
            prover.target.recover()
            errors += 1
            error = error or str(exc).splitlines()[0]
            if errors >= 5 and not draws:
                break
            continue
        draws += 1
        rows += len(a) + len(b)
        differ = _differ(_rows(a), _rows(b), ordered=False)
        if differ is not None:
            mismatches += 1
            mismatch = mismatch or f"{differ} ({_shown(batch_params)})"
    return replace(
        base, draws=draws, rows=rows, mismatches=mismatches, mismatch=mismatch, errors=errors, error=error
    )


def _capture_sql(batch_sql: str, dialect: str) -> str:
    """A SELECT that reads back what the batched write wrote: an UPDATE's rows (its WHERE), an INSERT's
    rows (each VALUES row's columns equal to its values)."""
    tree = sqlglot.parse_one(batch_sql, read=dialect)
    if isinstance(tree, exp.Update):
        select = exp.select("*").from_(tree.this.copy())
        where = tree.args.get("where")
        if where is not None:
            select.set("where", where.copy())
        return select.sql(dialect=dialect)
    if (
        isinstance(tree, exp.Insert)
        and isinstance(tree.this, exp.Schema)
        and isinstance(tree.expression, exp.Values)
    ):
        columns = [c.copy() for c in tree.this.expressions]
        rows = []
        for row in tree.expression.expressions:
            rows.append(
                exp.and_(
                    *[
                        exp.EQ(this=exp.column(c.name), expression=v.copy())
                        for c, v in zip(columns, row.expressions, strict=True)
                    ]
                )
            )
        select = exp.select(*[exp.column(c.name) for c in columns]).from_(tree.this.this.copy())
        select.set("where", exp.Where(this=exp.or_(*rows) if len(rows) > 1 else rows[0]))
        return select.sql(dialect=dialect)
    raise ValueError("only a batched UPDATE or INSERT ... VALUES is read back")
