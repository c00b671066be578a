"""The brief's workload transactions -> :class:`~dbarchitect.model.workload.Transaction`.

Each statement a transaction names is analyzed on its own (duplicates in the workload merge by
fingerprint, but a transaction keeps the statement it named). Every parameter the statements use
becomes a :class:`TransactionParameter`: statements naming the same parameter see the same value;
the brief's ``params`` relate one parameter to another (``equals`` with a probability) and say
whether it takes a new value in every repetition of its step (``per: iteration``). A parameter the
brief says nothing about is per iteration when only repeated steps use it (TPC-C's item of an order
line), else one value for the whole transaction (its warehouse). A ``params`` entry naming a
parameter no statement of the transaction uses is an error with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Mapping

from dbarchitect.brief import TransactionSpec
from dbarchitect.errors import BriefError, Diagnostic, did_you_mean
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Statement, Transaction, TransactionParameter, TransactionStep


def _parameters(steps: list[TransactionStep]) -> list[str]:
    used: dict[str, None] = {}
    for step in steps:
        for statement in step.statements:
            used.update(dict.fromkeys(statement.parameters))
    return list(used)


def _resolve_parameters(
    spec: TransactionSpec, steps: list[TransactionStep], field: str, file: str | None
) -> tuple[TransactionParameter, ...]:
    used = _parameters(steps)
    for name, relation in spec.params.items():
        for what, param in (("", name), (".equals", relation.equals)):
            if param is not None and param not in used:
                listed = ", ".join(used) or "none"
                raise BriefError(
                    Diagnostic(
                        f"no statement of transaction '{spec.name}' uses parameter '{param}'"
                        f"{did_you_mean(param, used)} (it uses: {listed})",
                        file=file,
                        field=f"{field}.params.{name}{what}",
                    )
                )
    repeated: dict[str, bool] = {}
    for step in steps:
        for statement in step.statements:
            for param in statement.parameters:
                repeated[param] = repeated.get(param, True) and step.repeat_max > 1
    out: list[TransactionParameter] = []
    for name in used:
        given = spec.params.get(name)
        per = given.per if given is not None else None
        per_iteration = repeated[name] if per is None else per == "iteration"
        out.append(
            TransactionParameter(
                name,
                equals=given.equals if given is not None else None,
                probability=given.probability if given is not None else 1.0,
                per_iteration=per_iteration,
            )
        )
    return tuple(out)


def build_transactions(
    specs: list[TransactionSpec],
    items: Mapping[str, StatementInput],
    catalog: Catalog,
    engine: EngineName,
    *,
    file: str | None = None,
) -> tuple[Transaction, ...]:
    """The brief's transactions over the analyzed statements (``items`` by name: every statement of
    the brief; the brief has already checked that the names exist)."""
    analyzed: dict[str, Statement] = {}
    transactions: list[Transaction] = []
    for i, spec in enumerate(specs):
        field = f"workload.transactions[{i}]"
        steps: list[TransactionStep] = []
        for step in spec.statements:
            statements: list[Statement] = []
            for name in step.statements:
                if name not in analyzed:
                    analyzed[name] = analyze_statement(items[name], catalog, engine)
                statements.append(analyzed[name])
            steps.append(
                TransactionStep(tuple(statements), step.repeat.min, step.repeat.max, step.probability)
            )
        parameters = _resolve_parameters(spec, steps, field, file)
        origin = f"{file or 'brief'}: {field} ({spec.name})"
        transactions.append(Transaction(spec.name, spec.rate, tuple(steps), parameters, origin))
    return tuple(transactions)
