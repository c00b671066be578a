"""The base of every brief model: frozen, strict about unknown fields, with published shorthands."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class BriefModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    #: Other spellings a "before" validator turns into this model (a string, a count, a list...),
    #: published as alternatives in the brief's JSON Schema (see :func:`brief_json_schema`).
    json_shorthands: ClassVar[tuple[dict[str, Any], ...]] = ()
