"""The tools' shared argument types (a brief inline or by path, a database to read, an engine,
the detail of a result) and one side of a migration."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dbarchitect.mcp.outputs.summary import Detail

BriefArg = Annotated[
    dict[str, Any] | str | None,
    Field(
        description="The design brief inline: an object following the brief's JSON Schema (resource "
        "dbarch://brief-schema) or its YAML text; relative paths in it are the server root's. Give this "
        "or brief_path."
    ),
]
BriefPathArg = Annotated[
    str | None,
    Field(description="A brief file (YAML or JSON) under the server's root. Give this or brief."),
]
ReadUrlArg = Annotated[
    str | None,
    Field(
        description="A PostgreSQL database to cost indexes on with HypoPG, read-only (default: the "
        "brief's source when it is PostgreSQL, else the built-in cost model)."
    ),
]
EngineArg = Annotated[str, Field(description="Engine and version, e.g. 'postgresql 15' or 'mariadb 10.11'.")]
DetailArg = Annotated[
    Detail,
    Field(
        description="summary (default): the essentials, with the full document as a resource link; full: "
        "the full document embedded in the result too."
    ),
]


class SchemaSource(BaseModel):
    """One side of a migration: exactly one of ``ddl``, ``path`` or ``url``."""

    model_config = ConfigDict(extra="forbid")

    ddl: str | None = Field(default=None, description="DDL text in the engine's dialect.")
    path: str | None = Field(
        default=None,
        description="A DDL file, or a brief (.yaml/.yml/.json) whose schema to take, under the root.",
    )
    url: str | None = Field(default=None, description="A database to introspect, read-only.")
