"""Any result of the API as the JSON document its command prints.

``to_json(result)`` is, byte for byte, what ``dbarch <command> -f json`` prints for the same result
(``dbarch inspect``, ``design``, ``indexes``, ``migrate``, ``lint``, ``check``, ``verify``,
``partition``);
``to_dict(result)`` is that document parsed. A rehearsal (Markdown only on the command line) is its
fields with its verdicts and the concurrent writes summarized; any other dataclass (a record inside a
result, such as one recommended index) is the plain JSON of its fields. Renderers are looked up by
the result's type in :data:`_DOCUMENTS`: a new result type with a JSON document of its own adds one
line there.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.migrations import MigrationPlan, plan_json
from dbarchitect.advisors.sharding.advisor import ShardingAdvice
from dbarchitect.guardrails import LintResult, lint_json
from dbarchitect.guardrails.design.runner import DesignVerdict, verdict_json
from dbarchitect.report.document import design_document, inspection_document
from dbarchitect.report.indexes import index_advice_document
from dbarchitect.report.json import dumps, to_jsonable
from dbarchitect.report.partitioning import partitioning_document
from dbarchitect.report.sharding import sharding_document
from dbarchitect.results import Design, Inspection, PartitioningResult
from dbarchitect.verify.rehearse import Rehearsal
from dbarchitect.verify.replay import Verification, verification_json


def _rehearsal(rehearsal: Rehearsal) -> str:
    """The rehearsal with its verdicts; the load's writes and reads summarized (there may be
    thousands)."""
    doc: dict[str, Any] = to_jsonable(rehearsal)
    doc.pop("operations", None)
    for key, operations, worst in (
        ("writes", rehearsal.writes, rehearsal.max_stall),
        ("reads", rehearsal.reads, rehearsal.max_read_stall),
    ):
        step = rehearsal.step_at(worst.started_at) if worst is not None else None
        doc[key] = {
            "count": len(operations),
            "failed": sum(1 for o in operations if not o.ok),
            "first_error": next((o.error for o in operations if not o.ok), None),
            "max_stall_seconds": to_jsonable(worst.seconds) if worst is not None else None,
            "max_stall_at_seconds": to_jsonable(worst.started_at) if worst is not None else None,
            "max_stall_table": worst.table if worst is not None else None,
            "max_stall_step": step.number if step is not None else None,
        }
    for check, out in zip(rehearsal.data, doc["data"], strict=True):
        out["ok"] = check.ok
    doc.update(ok=rehearsal.ok, steps_ok=rehearsal.steps_ok, data_ok=rehearsal.data_ok)
    return dumps(doc)


#: Result type -> its JSON text, as the command for it prints it.
_DOCUMENTS: dict[type[Any], Callable[[Any], str]] = {
    Inspection: lambda r: dumps(inspection_document(r)),
    Design: lambda r: dumps(design_document(r)),
    IndexAdvice: lambda r: dumps(index_advice_document(r)),
    MigrationPlan: lambda r: dumps(plan_json(r)),
    LintResult: lint_json,
    DesignVerdict: verdict_json,
    Verification: verification_json,
    Rehearsal: _rehearsal,
    PartitioningResult: lambda r: dumps(partitioning_document(r)),
    ShardingAdvice: lambda r: dumps(sharding_document(r)),
}


def to_json(result: object) -> str:
    """``result`` as JSON text: what ``dbarch <command> -f json`` prints for it (stable key order,
    passwords never included). Raises :class:`TypeError` for a value that is not a result."""
    for kind, render in _DOCUMENTS.items():
        if isinstance(result, kind):
            return render(result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dumps(result)
    raise TypeError(f"to_json() takes a dbarchitect result, not {type(result).__name__}")


def to_dict(result: object) -> dict[str, Any]:
    """``result`` as plain data (dicts, lists, strings, numbers, booleans, None): the document
    :func:`to_json` returns, parsed."""
    doc = json.loads(to_json(result))
    if not isinstance(doc, dict):  # pragma: no cover - every result is a JSON object
        raise TypeError(f"{type(result).__name__} is not a JSON object")
    return doc
