"""The base of every brief model: frozen, strict about unknown fields, with published shorthands.

Numbers are strict where YAML is loose: no NaN or infinity anywhere (``rate: .nan``), and a boolean
is not a number (``distinct: true`` is an error, not 1)."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


def _numeric_only(annotation: Any) -> bool:
    """Whether a field takes only numbers (int/float, maybe None): no booleans, no text."""
    seen: set[Any] = set()
    stack = [annotation]
    numeric = False
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        if item is bool or item is str:  # a field that takes text words its own errors
            return False
        if item in (int, float):
            numeric = True
        origin = typing.get_origin(item)
        if origin is typing.Annotated:
            stack.append(typing.get_args(item)[0])
        elif origin in (typing.Union, types.UnionType):
            stack += list(typing.get_args(item))
    return numeric


def _numeric_values(annotation: Any) -> bool:
    """Whether a field is a mapping whose values are numbers but not booleans (``hot_values``)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _numeric_values(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_numeric_values(a) for a in typing.get_args(annotation))
    if origin is dict:
        args = typing.get_args(annotation)
        return len(args) == 2 and _numeric_only(args[1])
    return False


class BriefModel(BaseModel):
    #: No NaN or infinity in any number: ``rate: .nan`` or ``horizon: .inf`` is an error, not a NaN
    #: that flows into sizes and costs.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)
    #: Other spellings a "before" validator turns into this model (a string, a count, a list...),
    #: published as alternatives in the brief's JSON Schema (see :func:`brief_json_schema`).
    json_shorthands: ClassVar[tuple[dict[str, Any], ...]] = ()

    @classmethod
    @functools.cache
    def _number_keys(cls) -> tuple[frozenset[str], frozenset[str]]:
        """(keys that take a number, keys that map to numbers), by field name and alias."""
        numbers: set[str] = set()
        mappings: set[str] = set()
        for name, info in cls.model_fields.items():
            keys = {name} | ({info.alias} if info.alias else set())
            if _numeric_only(info.annotation):
                numbers |= keys
            elif _numeric_values(info.annotation):
                mappings |= keys
        return frozenset(numbers), frozenset(mappings)

    @model_validator(mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        numbers, mappings = cls._number_keys()
        for key, value in data.items():
            if key in numbers and isinstance(value, bool):
                raise ValueError(f"{key} takes a number, not {str(value).lower()}")
            if key in mappings and isinstance(value, dict):
                for k, v in value.items():
                    if isinstance(v, bool):
                        raise ValueError(f"{key}.{k} takes a number, not {str(v).lower()}")
        return data
