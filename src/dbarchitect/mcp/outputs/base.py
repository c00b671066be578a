"""The base of the MCP tools' result models, and the checks that keep them typed and redacted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from dbarchitect.errors import redact

Level = Literal["error", "warning"]


class OutModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def untyped_keys(model: BaseModel, where: str = "") -> list[str]:
    """Paths of the keys inside ``model`` (recursively) that no field of its model types."""
    found = [f"{where}.{k}".lstrip(".") for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        found += _untyped(getattr(model, name), f"{where}.{name}".lstrip("."))
    return found


def _untyped(value: Any, where: str) -> list[str]:
    if isinstance(value, BaseModel):
        return untyped_keys(value, where)
    if isinstance(value, list | tuple):
        return [k for i, v in enumerate(value) for k in _untyped(v, f"{where}[{i}]")]
    return []


def redacted(value: Any) -> Any:
    """Every string inside ``value`` with database passwords hidden (a last line of defence: the
    documents are built from redacted sources already)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value
