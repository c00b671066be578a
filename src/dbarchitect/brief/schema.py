"""The brief's engine and schema sections: engines, a DDL file, inline entities with their
columns, relationships and dependencies, or a live database to introspect."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.units import one_of_words
from dbarchitect.errors import did_you_mean, redact
from dbarchitect.model.names import EngineName, engine_from_text

# ---------------------------------------------------------------------------------------------
# Engine


class EngineSpec(BriefModel):
    """An engine and, optionally, its major version (``postgresql`` / ``{name: mariadb, version: '10.11'}``
    / the string ``'postgresql 15'``)."""

    json_shorthands = (
        {"type": "string", "pattern": r"^\s*\S+(?:\s+\S+)?\s*$", "examples": ["postgresql 15", "sqlite"]},
    )

    name: EngineName
    version: str | None = Field(default=None, max_length=32)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        """``'postgresql 15'``, ``'postgres'``, ``'pg15'``, ``'mysql8'``, ``{name: maria, version: 10.11}``:
        names as people write them (:func:`engine_from_text`); an unknown one gets a did-you-mean."""
        if isinstance(value, str):
            if len(value) > 64:
                raise ValueError(
                    "an engine is written 'postgresql' or 'postgresql 15' (this is over 64 characters)"
                )
            name, version = engine_from_text(value)
            return {"name": name, "version": version}
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            name, version = engine_from_text(value["name"])
            if version is not None and value.get("version") is not None:
                raise ValueError(f"the version is given twice: in name {value['name']!r} and as version")
            return {**value, "name": name, "version": value.get("version", version)}
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    def __str__(self) -> str:
        return f"{self.name.value} {self.version}" if self.version else self.name.value


# ---------------------------------------------------------------------------------------------
# Schema: DDL file, inline entities, or a live database


class DdlSource(BriefModel):
    """DDL from a file (``path``) or written in the brief (``sql``), read with the given dialect
    (defaults to the target engine's)."""

    json_shorthands = (
        {
            "type": "string",
            "description": "the DDL file's path, or the DDL itself (text with a newline or a semicolon)",
        },
    )

    path: Path | None = None
    sql: str | None = Field(default=None, description="the DDL itself, instead of a file")
    dialect: EngineName | None = None

    @model_validator(mode="after")
    def _path_or_sql(self) -> DdlSource:
        if (self.path is None) == (self.sql is None):
            raise ValueError("give either path (a DDL file) or sql (the DDL itself)")
        if self.sql is not None and not self.sql.strip():
            raise ValueError("sql is empty")
        return self

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        lines = len((self.sql or "").strip().splitlines())
        return f"inline SQL ({lines} line{'s' if lines != 1 else ''})"


class SourceDatabase(BriefModel):
    """A live database to introspect, read-only. The URL may use ``${ENV_VAR}`` for secrets."""

    json_shorthands = ({"type": "string", "description": "the database URL"},)

    url: str
    schema_name: str | None = Field(default=None, alias="schema")

    def __repr__(self) -> str:
        return f"SourceDatabase(url={redact(self.url)!r})"


class ColumnSpec(BriefModel):
    json_shorthands = ({"type": "string", "description": "the column's type alone"},)

    type: str
    nullable: bool = True
    default: str | int | float | bool | None = None
    identity: bool = False
    unique: bool = False
    primary_key: bool = False
    references: str | None = Field(default=None, description="'table(column)' or 'table'")
    on_delete: str | None = None
    check: str | None = None
    comment: str | None = None
    values: list[str | int] | None = Field(
        default=None, min_length=1, description="the allowed values (an enumeration -> CHECK ... IN)"
    )
    min: float | None = Field(default=None, description="smallest allowed value (-> CHECK)")
    max: float | None = Field(default=None, description="largest allowed value (-> CHECK)")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        return value

    @model_validator(mode="after")
    def _domain(self) -> ColumnSpec:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        if self.type.strip().lower() == "enum" and not self.values:
            raise ValueError("type enum needs values: [a, b, ...]")
        if self.values is not None and len(set(self.values)) != len(self.values):
            raise ValueError("values lists the same value twice")
        return self


#: Cardinalities of a relationship, read from the declaring entity's side (``N:1``: many of this
#: entity belong to one of ``to``). Spelled-out aliases are accepted.
_CARDINALITIES = {
    "1:1": "1:1",
    "one-to-one": "1:1",
    "1:n": "1:N",
    "one-to-many": "1:N",
    "n:1": "N:1",
    "many-to-one": "N:1",
    "m:n": "M:N",
    "n:m": "M:N",
    "m:m": "M:N",
    "many-to-many": "M:N",
}
Cardinality = Literal["1:1", "1:N", "N:1", "M:N"]


def _relationship_mandatory(schema: dict[str, Any]) -> None:
    schema["properties"]["mandatory"] = {"type": "boolean", "description": "the opposite of optional"}
    schema["not"] = {"required": ["optional", "mandatory"]}


_CARDINALITY_JSON = {
    "anyOf": [
        {"enum": ["1:1", "1:N", "N:1", "M:N"]},
        {
            "type": "string",
            "pattern": "^" + one_of_words(_CARDINALITIES) + "$",
            "description": "other spellings",
        },
    ]
}


class RelationshipSpec(BriefModel):
    """A relationship from the declaring entity to ``to``.

    ``N:1`` (the default) puts a foreign key on the declaring entity, ``1:N`` on ``to``, ``1:1`` a
    unique foreign key on the declaring entity, and ``M:N`` a junction table. ``optional: false``
    (the default) makes the foreign key NOT NULL. ``name`` is the role: it names the foreign-key
    column (``<name>_id``) or, for M:N, the junction table.
    """

    model_config = ConfigDict(json_schema_extra=_relationship_mandatory)

    to: str = Field(min_length=1)
    cardinality: Annotated[Cardinality, WithJsonSchema(_CARDINALITY_JSON)] = "N:1"
    optional: bool = False
    on_delete: str | None = None
    name: str | None = Field(default=None, min_length=1, max_length=63)
    attributes: dict[str, ColumnSpec] = Field(
        default_factory=dict, description="columns of an M:N relationship's junction table"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict) and "mandatory" in value:
            value = dict(value)
            mandatory = value.pop("mandatory")
            if "optional" in value:
                raise ValueError("give optional or mandatory, not both")
            if not isinstance(mandatory, bool):
                raise ValueError("mandatory is true or false")
            value["optional"] = not mandatory
        return value

    @field_validator("cardinality", mode="before")
    @classmethod
    def _cardinality(cls, value: Any) -> Any:
        if value == 61 and not isinstance(value, bool):
            return "1:1"  # YAML 1.1 reads an unquoted 1:1 as the base-60 integer 61
        if isinstance(value, str):
            key = value.strip().lower().replace(" ", "")
            if key in _CARDINALITIES:
                return _CARDINALITIES[key]
            raise ValueError(f"unknown cardinality {value!r}; use 1:1, 1:N, N:1 or M:N")
        return value

    @model_validator(mode="after")
    def _junction_only(self) -> RelationshipSpec:
        if self.attributes and self.cardinality != "M:N":
            raise ValueError("attributes belong to an M:N relationship's junction table")
        return self


_DEPENDENCY = re.compile(r"^\s*[\w$]+(\s*,\s*[\w$]+)*\s*(->>|->|→)\s*[\w$]+(\s*,\s*[\w$]+)*\s*$")


def dependency_attributes(text: str) -> list[str]:
    """The attribute names a dependency text (``'a, b -> c'``) mentions, left side first."""
    return [part.strip() for part in re.split(r"->>|->|→|,", text) if part.strip()]


def _check_dependency(text: str) -> str:
    if not _DEPENDENCY.match(text):
        raise ValueError(
            f"cannot read dependency {text!r}; write 'a, b -> c' (or 'a ->> b' for a multivalued one)"
        )
    return text


class DenormalizationSpec(BriefModel):
    """A dependency kept inside a table on purpose, with why and how the copy stays in sync."""

    dependency: str = Field(description="'a -> b': b is a copy determined by a")
    reason: str = Field(min_length=1, description="the workload or SLO that needs the copy")
    sync: str | None = Field(default=None, description="what keeps the copy right: trigger, job, application")

    @field_validator("dependency")
    @classmethod
    def _dependency(cls, value: str) -> str:
        return _check_dependency(value)


class ForeignKeySpec(BriefModel):
    columns: list[str] = Field(min_length=1)
    references: str = Field(description="'table(col, ...)' or 'table' (its primary key)")
    on_delete: str | None = None
    on_update: str | None = None
    name: str | None = None


class IndexSpec(BriefModel):
    columns: list[str] = Field(min_length=1, description="column names, optionally followed by DESC")
    unique: bool = False
    where: str | None = None
    include: list[str] = Field(default_factory=list)
    name: str | None = None
    method: str | None = None


class EntitySpec(BriefModel):
    columns: dict[str, ColumnSpec] = Field(min_length=1)
    primary_key: list[str] = Field(default_factory=list)
    unique: list[list[str]] = Field(default_factory=list)
    foreign_keys: list[ForeignKeySpec] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    indexes: list[IndexSpec] = Field(default_factory=list)
    comment: str | None = None
    identifiers: list[list[str]] = Field(
        default_factory=list, description="natural keys: each a list of columns (-> UNIQUE NOT NULL)"
    )
    key: Literal["surrogate", "natural"] | None = Field(
        default=None, description="primary key policy when none is declared (default: the designer decides)"
    )
    relationships: list[RelationshipSpec] = Field(default_factory=list)
    functional_dependencies: list[str] = Field(
        default_factory=list, description="'a, b -> c' (or 'a ->> b'): analysed for the table's normal form"
    )
    denormalized: list[DenormalizationSpec] = Field(
        default_factory=list, description="dependencies deliberately kept in this table"
    )

    @field_validator("identifiers")
    @classmethod
    def _identifiers(cls, value: list[list[str]]) -> list[list[str]]:
        for i, ident in enumerate(value):
            if not ident:
                raise ValueError(f"identifiers[{i}] is empty; list the columns of the natural key")
        return value

    @field_validator("functional_dependencies")
    @classmethod
    def _dependencies(cls, value: list[str]) -> list[str]:
        return [_check_dependency(v) for v in value]


class NamingSpec(BriefModel):
    """Naming conventions for what the designer adds (tables, key and foreign-key columns, constraints)."""

    tables: Literal["as_declared", "plural", "singular"] = "as_declared"
    primary_key: Literal["id", "table_id"] = Field(
        default="id", description="surrogate key column: 'id' or '<singular table>_id'"
    )
    foreign_key_suffix: str = Field(default="_id", min_length=1, max_length=16)


#: A ``ddl:`` string that is SQL, not a path: it holds a newline or a semicolon, or starts as DDL does.
INLINE_SQL = re.compile(r"[\n;]|^\s*(?:create|alter|--|/\*)\b", re.IGNORECASE)


class SchemaSpec(BriefModel):
    """Exactly one of ``ddl``, ``entities`` or ``source``."""

    ddl: DdlSource | None = None
    entities: dict[str, EntitySpec] | None = None
    source: SourceDatabase | None = None
    naming: NamingSpec = Field(default_factory=NamingSpec)

    @field_validator("ddl", mode="before")
    @classmethod
    def _ddl_path(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"sql": value} if INLINE_SQL.search(value) else {"path": value}
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _source_url(cls, value: Any) -> Any:
        return {"url": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> SchemaSpec:
        given = [k for k in ("ddl", "entities", "source") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of ddl (a DDL file), entities (inline tables) or source (a database URL)"
                + (f"; got {', '.join(given)}" if given else "")
            )
        if self.entities is not None:
            _check_entity_references(self.entities)
        return self


def _check_entity_references(entities: dict[str, EntitySpec]) -> None:
    """Relationship targets name declared entities (column names are checked by the designer, which
    knows the columns relationships add)."""
    for name, entity in entities.items():
        for i, rel in enumerate(entity.relationships):
            if rel.to not in entities:
                raise ValueError(
                    f"entities.{name}.relationships[{i}].to: unknown entity '{rel.to}'"
                    + did_you_mean(rel.to, entities)
                )
