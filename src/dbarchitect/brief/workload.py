"""The brief's ``workload:`` section: statements with rates and SLOs, imports, transactions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.units import SECONDS_JSON, Days, Rate, Seconds, parse_seconds
from dbarchitect.errors import did_you_mean
from dbarchitect.model.names import EngineName

# ---------------------------------------------------------------------------------------------
# Workload


def _step_statement_alias(schema: dict[str, Any]) -> None:
    schema["properties"]["statement"] = {"type": "string", "description": "one statement name"}
    schema.pop("required", None)
    schema["oneOf"] = [{"required": ["statements"]}, {"required": ["statement"]}]


_SECONDS_STRING = SECONDS_JSON["anyOf"][1]
_LATENCY_HINT = "write a duration with its unit ('50ms', '2s') or a number of milliseconds as p95_ms"


def _latency_ms(key: str | None, value: Any) -> float:
    """Milliseconds of a latency written with its unit (``50ms``, ``1.5s``): a bare number has no unit,
    and milliseconds and seconds are both common, so it is refused rather than guessed."""
    where = f"{key}: " if key else ""
    if not isinstance(value, str):
        raise ValueError(f"{where}{value!r} has no unit; {_LATENCY_HINT}")
    try:
        seconds = parse_seconds(value)
    except ValueError:
        raise ValueError(f"{where}cannot read {value!r}; {_LATENCY_HINT}") from None
    return seconds * 1000.0


class SloSpec(BriefModel):
    """Latency goals of a statement: ``{p95_ms: 50}``, ``{p95: 50ms, p99: 200ms}``, or ``50ms`` (its p95)."""

    json_shorthands = (
        {**_SECONDS_STRING, "description": "the p95 latency with its unit: '50ms', '2s'"},
        {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                key: {**_SECONDS_STRING, "description": f"the {key} latency with its unit: '50ms', '2s'"}
                for key in ("p95", "p99")
            },
        },
    )

    p95_ms: float | None = Field(default=None, gt=0, le=3.6e6)
    p99_ms: float | None = Field(default=None, gt=0, le=3.6e6)

    @model_validator(mode="before")
    @classmethod
    def _with_units(cls, value: Any) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {"p95_ms": _latency_ms(None, value)}
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for key in ("p95", "p99"):
            if key in out:
                if f"{key}_ms" in out:
                    raise ValueError(f"give {key} or {key}_ms, not both")
                out[f"{key}_ms"] = _latency_ms(key, out.pop(key))
        return out


class StatementSpec(BriefModel):
    name: str = Field(min_length=1, max_length=200)
    sql: str | None = None
    file: Path | None = Field(default=None, description="a file holding the statement, relative to the brief")
    rate: Rate | None = Field(
        default=None,
        description="executions: '120/s', '3000/day', or a number per second; may be left out for a "
        "statement of a transaction (then derived from the transactions' rates)",
    )
    slo: SloSpec | None = None
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="example parameter values, as the application sends them: they place range filters "
        "(the built-in estimate) and partition pruning. Each is one value of the type of what the parameter "
        "is compared with or written to (a whole number for an integer column, a date for a date column, a "
        "date or timestamp for a timestamp column, true/false, one of an enum's values; a text column takes "
        "any), named as in the statement (:since -> since; ? and $n -> p1, p2...); anything else is an error",
    )
    max_staleness: Seconds | None = Field(
        default=None,
        description="how old the data this statement reads may be ('5s', '15min', '1h'): lets a summary "
        "table be refreshed on a schedule or the statement go to a replica; default: exact (0)",
    )

    @field_validator("params", mode="before")
    @classmethod
    def _names_are_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    raise ValueError(
                        f"a parameter name read as {str(key).lower()!r}, not as text: YAML reads true, "
                        "false and numbers as such; quote the name ('1': ...)"
                    )
        return value

    @model_validator(mode="after")
    def _sql_or_file(self) -> StatementSpec:
        if (self.sql is None) == (self.file is None):
            raise ValueError("give either sql or file for each statement")
        if self.sql is not None and not self.sql.strip():
            raise ValueError("sql is empty")
        return self


class PgStatStatementsImport(BriefModel):
    """Statements from ``pg_stat_statements``: a CSV export (``file``) or the live view (``url``)."""

    file: Path | None = None
    url: str | None = None
    min_calls: int = Field(default=1, ge=0)
    #: Seconds the counters cover; calls are divided by it to get a rate.
    period: Days | None = Field(default=None, description="time the counters cover, e.g. '7d'")

    @model_validator(mode="after")
    def _one(self) -> PgStatStatementsImport:
        if (self.file is None) == (self.url is None):
            raise ValueError("pg_stat_statements import needs either file or url")
        return self


class LogImport(BriefModel):
    """A plain log of statements, one per line or separated by ``;``; each occurrence counts once."""

    file: Path
    dialect: EngineName | None = None
    period: Days = Field(description="time the log covers, e.g. '1d'")


class WorkloadImportSpec(BriefModel):
    pg_stat_statements: PgStatStatementsImport | None = None
    log: LogImport | None = None

    @model_validator(mode="after")
    def _one(self) -> WorkloadImportSpec:
        if (self.pg_stat_statements is None) == (self.log is None):
            raise ValueError("each import is either pg_stat_statements or log")
        return self


class RepeatSpec(BriefModel):
    """How often a step runs in one transaction: a count (``10``) or a uniform range
    (``{min: 5, max: 15}``, TPC-C's order lines)."""

    json_shorthands = ({"type": "integer", "minimum": 1, "maximum": 100_000},)

    min: int = Field(ge=1, le=100_000)
    max: int = Field(ge=1, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _from_count(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"min": value, "max": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> RepeatSpec:
        if self.min > self.max:
            raise ValueError(f"repeat min {self.min} is above max {self.max}")
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2.0


class TransactionStepSpec(BriefModel):
    """One step of a transaction: a statement (``get_item``), or a loop over several
    (``{statements: [get_stock, update_stock], repeat: {min: 5, max: 15}}``), run ``repeat`` times in
    the fraction ``probability`` of the transactions."""

    model_config = ConfigDict(json_schema_extra=_step_statement_alias)
    json_shorthands = ({"type": "string", "description": "one statement name"},)

    statements: list[str] = Field(min_length=1, description="statement names, in order")
    repeat: RepeatSpec = Field(default_factory=lambda: RepeatSpec(min=1, max=1))
    probability: float = Field(default=1.0, gt=0, le=1, description="fraction of transactions running it")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"statements": [value]}
        if isinstance(value, dict) and "statement" in value:
            value = dict(value)
            if "statements" in value:
                raise ValueError("give statement or statements, not both")
            value["statements"] = [value.pop("statement")]
        return value


class TransactionParamSpec(BriefModel):
    """How a parameter's value relates to another's within one transaction: TPC-C's order line
    supply warehouse ``{equals: w_id, probability: 0.99}`` is the home warehouse in 99% of lines and
    another one otherwise. ``per: iteration`` gives the parameter a new value in every repetition of
    its step (the default for a parameter only repeated steps use)."""

    equals: str | None = Field(default=None, min_length=1, description="the parameter it usually equals")
    probability: float = Field(default=1.0, ge=0, le=1, description="how often it equals it")
    per: Literal["transaction", "iteration"] | None = None

    @model_validator(mode="after")
    def _probability_needs_equals(self) -> TransactionParamSpec:
        if self.equals is None and "probability" in self.model_fields_set:
            raise ValueError("probability says how often the parameter equals another: give equals too")
        return self


class TransactionSpec(BriefModel):
    """Statements that run together in one transaction, at ``rate``. Statements naming the same
    parameter (``:w_id``) see the same value; ``params`` says how other parameters relate."""

    name: str = Field(min_length=1, max_length=200)
    rate: Rate = Field(description="transactions per second: '450/s', '12860/min'")
    statements: list[TransactionStepSpec] = Field(min_length=1)
    params: dict[str, TransactionParamSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params(self) -> TransactionSpec:
        for name, spec in self.params.items():
            seen = [name]
            current = spec.equals
            while current is not None:
                if current in seen:
                    raise ValueError(f"params: {' -> '.join([*seen, current])} is a cycle of equals")
                seen.append(current)
                nxt = self.params.get(current)
                current = nxt.equals if nxt is not None else None
        return self

    def executions(self) -> dict[str, float]:
        """Executions of each statement per transaction (mean over repeat ranges and probabilities)."""
        out: dict[str, float] = {}
        for step in self.statements:
            for statement in step.statements:
                out[statement] = out.get(statement, 0.0) + step.probability * step.repeat.mean
        return out


class WorkloadSpec(BriefModel):
    json_shorthands = (
        {"type": "array", "items": {"$ref": "#/$defs/StatementSpec"}, "description": "the statements alone"},
    )

    statements: list[StatementSpec] = Field(default_factory=list)
    imports: list[WorkloadImportSpec] = Field(default_factory=list)
    transactions: list[TransactionSpec] = Field(
        default_factory=list, description="statements that run together, with their rates"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        return {"statements": value} if isinstance(value, list) else value

    @model_validator(mode="after")
    def _unique_names(self) -> WorkloadSpec:
        seen: set[str] = set()
        for s in self.statements:
            if s.name in seen:
                raise ValueError(f"statement name {s.name!r} is used twice; names must be unique")
            seen.add(s.name)
        return self._with_transaction_rates()

    def _with_transaction_rates(self) -> WorkloadSpec:
        """Check the transactions' statement names and derive each statement's rate from them: a
        statement's rate is its transactions' rates times its executions per transaction, plus the
        executions outside transactions when its own ``rate`` says more."""
        names = [s.name for s in self.statements]
        in_transactions: dict[str, float] = {}
        seen: set[str] = set()
        for i, txn in enumerate(self.transactions):
            if txn.name in seen:
                raise ValueError(f"transaction name {txn.name!r} is used twice; names must be unique")
            seen.add(txn.name)
            for j, step in enumerate(txn.statements):
                for name in step.statements:
                    if name not in names:
                        raise ValueError(
                            f"transactions[{i}] ({txn.name}).statements[{j}]: unknown statement "
                            f"'{name}'{did_you_mean(name, names)}"
                        )
            for name, per_transaction in txn.executions().items():
                in_transactions[name] = in_transactions.get(name, 0.0) + txn.rate * per_transaction
        statements: list[StatementSpec] = []
        for s in self.statements:
            derived = in_transactions.get(s.name)
            if s.rate is None:
                if derived is None:
                    raise ValueError(
                        f"statement {s.name!r} has no rate; give rate: (e.g. '120/s') "
                        "or list it in a transaction"
                    )
                statements.append(s.model_copy(update={"rate": derived}))
            elif derived is not None and s.rate < derived * (1 - 1e-9):
                raise ValueError(
                    f"statement {s.name!r} runs {derived:g}/s inside transactions but its rate says "
                    f"{s.rate:g}/s; leave its rate out to derive it, or raise it"
                )
            else:
                statements.append(s)
        return self.model_copy(update={"statements": statements}) if in_transactions else self
