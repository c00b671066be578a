"""Same answers: a proposed rewrite (or a statement served by a summary table) against the statement as
written, on the synthetic data, for many parameter draws.

For each of :data:`MIN_DRAWS` draws the parameters are drawn as the replay draws them (from the
columns they are compared with, at the data's frequencies) and both statements run; their rows are
compared as multisets (numbers compared by value - ``5``, ``5.0`` and ``Decimal('5.00')`` are equal;
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
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

from dbarchitect.advisors.rewrites import ProposedRewrite, Protocol
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement
from dbarchitect.verify.parameters import Prepared, draw_parameters, prepare
from dbarchitect.verify.scratch import ScratchTarget
from dbarchitect.verify.synthetic import SyntheticData

#: Parameter draws per proof (the issue's bar).
MIN_DRAWS = 200
#: Draws tried at most per draw wanted, when draws give nothing to compare (a page past the end).
ATTEMPTS_PER_DRAW = 5


@dataclass(frozen=True)
class Equivalence:
    """One proof of same answers on one engine.

    Attributes:
        lever: What is proven (``offset-to-keyset``, ``summary daily_revenue_summary``...).
        statement: The statement it serves.
        phase: ``loaded data``, or ``after a burst of writes`` (summaries kept by triggers or refresh).
        engine: The engine it ran on.
        draws: Parameter draws compared.
        rows: Rows compared over all draws (both sides).
        mismatches: Draws whose answers differed.
        mismatch: The first difference, described.
        errors: Draws where a statement failed.
        error: The first failure.
    """

    lever: str
    statement: str
    phase: str
    engine: str
    draws: int
    rows: int
    mismatches: int
    mismatch: str | None = None
    errors: int = 0
    error: str | None = None
    wanted: int = MIN_DRAWS

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.errors == 0 and self.draws >= self.wanted

    def sentence(self) -> str:
        if self.ok:
            return (
                f"same answers for {self.draws} parameter draws ({self.rows:,} rows) on {self.engine}, "
                f"{self.phase}"
            )
        if self.mismatches:
            return f"DIFFERENT answers on {self.engine}, {self.phase}: {self.mismatch}"
        if self.errors:
            return f"not proven on {self.engine}, {self.phase}: {self.errors} draw(s) failed: {self.error}"
        return (
            f"not proven on {self.engine}, {self.phase}: only {self.draws} of {self.wanted} draws had rows "
            "to compare"
        )


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

    def fetch(self, prepared: Prepared, params: Mapping[str, Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self.target.fetch(prepared.sql, {n: params.get(n) for n in prepared.names})


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
    prover = _Prover(target, source, catalog, data, rng, draws)
    base = Equivalence(rewrite.rule, rewrite.statement, phase, str(target.traits), 0, 0, 0, wanted=draws)
    rewritten_statement = replace(rewrite.after_statements[0], sql=rewrite.rewritten, name=rewrite.statement)
    try:
        reference = prover.prepare(original, rewrite.proof.reference)
        rewritten = prover.prepare(rewritten_statement)
    except DbarchError as exc:
        return replace(base, errors=1, error=exc.diagnostic.message)
    protocol = rewrite.proof.protocol
    if protocol == Protocol.KEYSET:
        return _keyset(prover, rewrite, original, reference, rewritten, base)
    if protocol == Protocol.BATCH:
        return _batch(prover, rewrite, original, reference, rewritten, base)
    return _same(prover, rewrite, reference, rewritten, base)


def _same(
    prover: _Prover, rewrite: ProposedRewrite, reference: Prepared, rewritten: Prepared, base: Equivalence
) -> Equivalence:
    draws = rows = mismatches = errors = 0
    mismatch = error = None
    dates = set(rewrite.proof.dates)
    for _ in range(prover.draws):
        params = prover.draw(reference)
        for name in dates & params.keys():
            params[name] = _as_date(params[name])
        params.update({k: v for k, v in prover.draw(rewritten, params).items() if k not in params})
        try:
            names_a, a = prover.fetch(reference, params)
            _, b = prover.fetch(rewritten, params)
        except Exception as exc:  # a failing execution is a failed draw, reported
            prover.target.recover()
            errors += 1
            error = error or str(exc).splitlines()[0]
            continue
        if rewrite.proof.protocol == Protocol.PROJECTION:
            wanted = [c.lower() for c in rewrite.proof.columns]
            index = [names_a.index(c) for c in wanted if c in names_a]
            a = [tuple(r[i] for i in index) for r in a]
        draws += 1
        rows += len(a) + len(b)
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
    rewrite: ProposedRewrite,
    original: Statement,
    reference: Prepared,
    rewritten: Prepared,
    base: Equivalence,
) -> Equivalence:
    proof = rewrite.proof
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
    rewrite: ProposedRewrite,
    original: Statement,
    reference: Prepared,
    rewritten: Prepared,
    base: Equivalence,
) -> Equivalence:
    proof = rewrite.proof
    batches = dict(proof.batch)
    looped = proof.loop_parameters
    key = looped[0] if looped else None
    write = original.is_write
    capture: Prepared | None = None
    if write:
        try:
            capture = prover.prepare(original, _capture_sql(rewrite.rewritten, prover.source.sqlglot_dialect))
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
