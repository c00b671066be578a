"""``dbarch mcp``: the architect for AI agents over the Model Context Protocol (the official SDK's
``MCPServer``), on stdio or streamable HTTP on loopback.

Seven tools, each a thin shell over :mod:`dbarchitect.api` with a JSON-Schema'd input (the brief's
own schema for a brief) and a typed structured result (:mod:`dbarchitect.mcp.outputs`):
``inspect_brief``, ``design``, ``recommend_indexes``, ``plan_migration``, ``lint_migration``,
``check_design``, ``verify_design``. Resources: ``dbarch://rules`` (every rule id), one
``dbarch://rules/{rule_id}`` page per rule (what it catches, why, the safe alternative) and
``dbarch://brief-schema``.

The guardrails are the server's, not the agent's (:class:`~dbarchitect.mcp.sandbox.Sandbox`): files
only under the root, databases read-only, and no write to any database unless the server was started
with ``--allow-scratch`` and the call names an empty scratch database. Bad input of any kind is a tool
error (``isError``) carrying the same one-line message the CLI prints, passwords redacted; a bug is
a tool error too (logged with its traceback on the server's standard error), never a dead server.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import re
import socket
import sys
import threading
import traceback
from collections import OrderedDict
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError, UnexpectedToolError
from mcp.server.mcpserver.resources import FunctionResource
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import (
    CallToolResult,
    EmbeddedResource,
    InputRequiredResult,
    ResourceLink,
    TextContent,
    TextResourceContents,
    ToolAnnotations,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dbarchitect._version import __version__
from dbarchitect.errors import DbarchError, Diagnostic, did_you_mean, redact
from dbarchitect.mcp.handshake import DESCRIPTION, instructions
from dbarchitect.mcp.isolation import CallFailed, isolated
from dbarchitect.mcp.outputs import summary as summaries
from dbarchitect.mcp.outputs.lint import LintReport
from dbarchitect.mcp.outputs.summary import (
    DesignSummary,
    Detail,
    FullResult,
    IndexSummary,
    InspectionSummary,
    MigrationSummary,
    VerdictSummary,
    VerificationSummary,
)
from dbarchitect.mcp.sandbox import Sandbox

if TYPE_CHECKING:  # sqlglot, SQLAlchemy and the api load with the first tool call, not at start-up
    from dbarchitect.model.catalog import Catalog

log = logging.getLogger("dbarchitect.mcp")

# ---------------------------------------------------------------------------------------------
# Inputs

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


# ---------------------------------------------------------------------------------------------
# Errors: one line, redacted, in the tools' own words


def _object_shape(model: type[BaseModel]) -> str:
    """An argument object's fields as an agent writes them: ``{"ddl": ...} or {"path": ...}``."""
    return " or ".join(f'{{"{name}": ...}}' for name in model.model_fields)


#: Argument objects whose type error names their shape instead of pydantic's "Input should be a
#: valid dictionary or instance of SchemaSource".
_OBJECTS: dict[str, str] = {"SchemaSource": _object_shape(SchemaSource)}

#: The command line's options as the tools' parameters, for messages written by the layers below
#: (which speak the command line's language). An option with no parameter is named as the command
#: line's, so the agent can tell its user.
_PARAMETERS: dict[str, dict[str, str]] = {
    "*": {"--database": "database", "--engine": "engine", "--brief": "brief_path"},
    "recommend_indexes": {
        "--budget": "budget",
        "--time-limit": "time_limit_s",
        "--work-limit": "work_limit",
        "--algorithm": "algorithm",
    },
    "plan_migration": {
        "--allow-data-loss": "allow_data_loss",
        "--rename": "renames",
        "--check": "check_url",
        "--rehearse": "scratch_url",
        "--from": "current",
        "--to": "target",
    },
    "lint_migration": {"--rule": "rules"},
    "check_design": {"--engine-url": "engine_urls"},
    "verify_design": {
        "--engine-url": "engine_url",
        "--scale": "scale",
        "--seconds": "seconds_per_statement",
        "--repetitions": "repetitions",
        "--seed": "seed",
    },
}
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
#: Commands the layers below point the user at, as the resources that hold the same text.
_COMMANDS = {
    "`dbarch brief-schema`": "the resource dbarch://brief-schema",
    "`dbarch rules list`": "the resource dbarch://rules",
}


def in_tool_words(tool: str, message: str) -> str:
    """``message`` with the command line's options named as ``tool``'s parameters: ``pass
    allow_data_loss (--allow-data-loss)`` becomes ``pass allow_data_loss``, ``--database`` becomes
    ``database``; an option the tool has no parameter for is named as the command line's
    (``dbarch migrate --rehearse-existing``). The server's own switches (``--allow-scratch``,
    ``--root``) stay: they are how the user starts the server."""
    names = {**_PARAMETERS["*"], **_PARAMETERS.get(tool, {})}

    def word(match: re.Match[str]) -> str:
        option = match.group(0)
        if option in names:
            return names[option]
        if option in ("--allow-scratch", "--root", "--allow-remote", "--http", "--host", "--port"):
            return option
        return f"the command line's {option}"

    for option, parameter in names.items():
        message = message.replace(f"{parameter} ({option})", parameter)
    for command, resource in _COMMANDS.items():
        message = message.replace(command, resource)
    return _OPTION.sub(word, message)


def _where(loc: tuple[int | str, ...]) -> str:
    """An argument path without the union-member tags pydantic adds (``dict[str,any]``, ``str``)."""
    parts = [
        p for p in loc if isinstance(p, int) or not ("[" in p or "function-" in p or p in ("str", "int"))
    ]
    return ".".join(str(p) for p in parts) or "arguments"


def _validation_text(exc: ValidationError) -> str:
    """A pydantic argument error as one line: each argument path and what is wrong with it (the
    alternatives of a union that matched none, joined), every argument in error, ``|`` between them
    as for a brief's several problems."""
    grouped: dict[str, list[str]] = {}
    for e in exc.errors():
        if e["type"] == "missing":
            text = "is missing"
        elif e["type"] == "extra_forbidden":
            text = "is not a field here"
        elif e["type"] == "model_type" and e.get("ctx", {}).get("class_name") in _OBJECTS:
            text = f"give an object: {_OBJECTS[e['ctx']['class_name']]}"
        else:
            text = e["msg"].removeprefix("Value error, ")
        messages = grouped.setdefault(_where(tuple(e["loc"])), [])
        if text not in messages:
            messages.append(text)
    parts = [
        f"{where}: " + messages[0] + "".join(f", or {m[0].lower()}{m[1:]}" for m in messages[1:])
        for where, messages in grouped.items()
    ]
    return redact(" | ".join(" ".join(part.split()) for part in parts))


def _error_text(name: str, exc: ToolError) -> str:
    cause = exc.__cause__
    if isinstance(cause, DbarchError):
        # several problems in one input (a brief): all of them, on the one line a tool error has
        text = " | ".join(str(d) for d in cause.diagnostics) if cause.more else str(cause)
        return in_tool_words(name, text)
    if isinstance(cause, CallFailed):
        log.error("tool %s failed unexpectedly:\n%s", name, cause.trace)
        return f"internal error in {name}: {cause} (a bug in dbarch; report it)"
    if isinstance(exc, UnexpectedToolError) and cause is not None:
        log.error(
            "tool %s failed unexpectedly:\n%s",
            name,
            redact("".join(traceback.format_exception(type(cause), cause, cause.__traceback__))),
        )
        first = next((line.strip() for line in str(cause).splitlines() if line.strip()), "")
        return redact(
            f"internal error in {name}: {cause.__class__.__name__}: {first} (a bug in dbarch; report it)"
        )
    if isinstance(cause, ValidationError):
        return _validation_text(cause)
    return redact(" ".join(str(exc).split()))


def _lean(schema: Any) -> Any:
    """A JSON Schema without pydantic's generated ``title`` strings (the property names say as much);
    they were a quarter of ``tools/list``."""
    if isinstance(schema, dict):
        return {k: _lean(v) for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(schema, list):
        return [_lean(v) for v in schema]
    return schema


class DbarchServer(MCPServer[Any]):
    """The SDK's server, with every tool failure turned into one redacted line (the SDK otherwise
    hides an unexpected exception's text and prints pydantic's multi-line errors), and a lean tool list
    (descriptions on one line, schemas without generated titles)."""

    _listed: list[Any] | None = None

    async def list_tools(self) -> list[Any]:
        if self._listed is None:
            self._listed = [
                tool.model_copy(
                    update={
                        "description": " ".join((tool.description or "").split()),
                        "input_schema": _lean(tool.input_schema),
                        "output_schema": _lean(tool.output_schema),
                    }
                )
                for tool in await super().list_tools()
            ]
        return self._listed

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tool = next((t for t in await self.list_tools() if t.name == name), None)
        if tool is None:
            known = [t.name for t in await self.list_tools()]
            raise ToolError(f"no tool {name!r}{did_you_mean(name, known)}; the tools are {', '.join(known)}")
        # An argument the tool does not take is refused, not ignored: a misspelled scratch_url must
        # not quietly give a result without the rehearsal.
        taken = tool.input_schema.get("properties", {})
        for key in arguments:
            if key not in taken:
                raise ToolError(
                    f"{name} takes no argument {key!r}{did_you_mean(key, taken)}; it takes {', '.join(taken)}"
                )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            raise ToolError(_error_text(name, exc)) from exc.__cause__


# ---------------------------------------------------------------------------------------------
# Results: a summary, the full document one resource away

#: Full results kept for resources/read (the most recent calls; older ones are dropped).
KEPT_RESULTS = 32


class ResultStore:
    """The full documents of recent calls, as resources ``dbarch://results/{id}`` (JSON) and
    ``dbarch://results/{id}/ddl/{engine}`` (a design's DDL per engine). Bounded: the oldest go first.
    Thread-safe (tools run in worker threads)."""

    def __init__(self, keep: int = KEPT_RESULTS) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._count = 0

    def put(self, tool: str, document: BaseModel, parts: dict[str, str] | None = None) -> FullResult:
        text = json.dumps(document.model_dump(mode="json", by_alias=True), ensure_ascii=False)
        with self._lock:
            self._count += 1
            digest = hashlib.sha256(f"{self._count}:{text}".encode()).hexdigest()[:12]
            result_id = f"{tool}-{self._count}-{digest}"
            uri = f"dbarch://results/{result_id}"
            self._items[uri] = ("application/json", text)
            for part, content in (parts or {}).items():
                self._items[f"{uri}/{part}"] = ("application/sql", content)
            while len({k.split("/")[3] for k in self._items}) > self.keep:
                oldest = next(iter(self._items)).split("/")[3]
                for key in [k for k in self._items if k.split("/")[3] == oldest]:
                    del self._items[key]
        return FullResult(uri=uri, bytes=len(text.encode()), schema_uri=f"dbarch://schemas/{tool}")

    def mark(self) -> set[str]:
        """The results held now (a tool call in a child process adds to its copy of the store)."""
        with self._lock:
            return set(self._items)

    def collect(self, mark: set[str]) -> tuple[int, list[tuple[str, tuple[str, str]]]]:
        """What was added since ``mark``, for the server's own store."""
        with self._lock:
            return self._count, [(k, v) for k, v in self._items.items() if k not in mark]

    def absorb(self, changes: tuple[int, list[tuple[str, tuple[str, str]]]]) -> None:
        """Results a tool call stored in its child process, kept here (oldest dropped past ``keep``)."""
        count, items = changes
        with self._lock:
            self._count = max(self._count, count)
            self._items.update(items)
            while len({k.split("/")[3] for k in self._items}) > self.keep:
                oldest = next(iter(self._items)).split("/")[3]
                for key in [k for k in self._items if k.split("/")[3] == oldest]:
                    del self._items[key]

    def get(self, uri: str) -> tuple[str, str]:
        with self._lock:
            found = self._items.get(uri)
        if found is None:
            raise ResourceNotFoundError(
                f"no result {uri!r}: the server keeps the last {self.keep} results; call the tool again"
            )
        return found


def _result(
    store: ResultStore,
    tool: str,
    document: BaseModel,
    make_summary: Any,
    detail: Detail,
    parts: dict[str, str] | None = None,
) -> CallToolResult:
    """The call's result: the summary as structured content; as text, a digest of it for clients that
    read only text (sending the same JSON twice doubled every result), naming the resources of its
    parts (a design's DDL per engine); a resource link to the full document; the full document itself
    when ``detail`` is full."""
    full = store.put(tool, document, parts)
    summary: BaseModel = make_summary(full)
    structured = summary.model_dump(mode="json", by_alias=True)
    content: list[Any] = [
        TextContent(type="text", text=summaries.digest(tool, summary)),
        ResourceLink(
            type="resource_link",
            uri=full.uri,
            name=full.uri.rsplit("/", 1)[1],
            title=f"The full {tool} result",
            description=f"every field (schema: {full.schema_uri})",
            mime_type="application/json",
            size=full.bytes,
        ),
    ]
    if detail == "full":
        mime, text = store.get(full.uri)
        content.append(
            EmbeddedResource(
                type="resource", resource=TextResourceContents(uri=full.uri, mime_type=mime, text=text)
            )
        )
    return CallToolResult(content=content, structured_content=structured)


#: The full result model of each tool (a resource publishes its JSON Schema).
_FULL_MODELS = {
    "inspect_brief": ("dbarchitect.mcp.outputs.inspection", "InspectionResult"),
    "design": ("dbarchitect.mcp.outputs.design", "DesignResult"),
    "recommend_indexes": ("dbarchitect.mcp.outputs.indexes", "IndexAdviceResult"),
    "plan_migration": ("dbarchitect.mcp.outputs.migration", "MigrationResult"),
    "check_design": ("dbarchitect.mcp.outputs.verdict", "VerdictResult"),
    "verify_design": ("dbarchitect.mcp.outputs.verification", "VerificationResult"),
}


def full_result_schema(tool: str) -> dict[str, Any]:
    import importlib

    if tool not in _FULL_MODELS:
        raise ResourceNotFoundError(
            f"no result schema for {tool!r}{did_you_mean(tool, list(_FULL_MODELS))}; "
            f"the tools with full results are {', '.join(_FULL_MODELS)}"
        )
    module, name = _FULL_MODELS[tool]
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model.model_json_schema()


# ---------------------------------------------------------------------------------------------
# Resources: the rules, the brief's schema, the results


def _rule_page(rule_id: str) -> str:
    """A rule's documentation page (lint rule, design rule, or both when an id names both)."""
    from dbarchitect.guardrails import rule_doc_markdown, rule_ids
    from dbarchitect.guardrails.design.runner import design_rule_doc_markdown, design_rule_ids

    pages = []
    if rule_id in rule_ids():
        pages.append(rule_doc_markdown(rule_id).rstrip())
    if rule_id in design_rule_ids():
        pages.append(design_rule_doc_markdown(rule_id).rstrip())
    if not pages:
        known = sorted({*rule_ids(), *design_rule_ids()})
        raise DbarchError(
            Diagnostic(f"no rule {rule_id!r}{did_you_mean(rule_id, known)}", hint="read dbarch://rules")
        )
    return "\n\n".join(pages) + "\n"


def _rules_index() -> str:
    from dbarchitect.guardrails.catalog import rule_summaries

    rules = [
        {"id": r, "kind": "lint", "summary": summary, "uri": f"dbarch://rules/{r}"}
        for r, summary in rule_summaries("guardrails.rules")
    ]
    rules += [
        {"id": r, "kind": "design", "summary": summary, "uri": f"dbarch://rules/{r}"}
        for r, summary in rule_summaries("guardrails.design.rules")
    ]
    return json.dumps({"rules": rules}, indent=2) + "\n"


def _brief_schema() -> str:
    from dbarchitect.brief import brief_json_schema

    return json.dumps(brief_json_schema(), indent=2, sort_keys=True) + "\n"


def _add_resources(server: DbarchServer, store: ResultStore) -> None:
    from dbarchitect.guardrails.catalog import rule_summaries

    server.add_resource(
        FunctionResource(
            uri="dbarch://rules",
            name="rules",
            title="Every rule",
            description="Every rule id: migration lint rules (lint_migration) and design guardrails "
            "(check_design), each with its summary and the URI of its page.",
            mime_type="application/json",
            fn=_rules_index,
        )
    )
    ids = sorted(
        {r for r, _ in (*rule_summaries("guardrails.rules"), *rule_summaries("guardrails.design.rules"))}
    )
    for rule_id in ids:
        server.add_resource(
            FunctionResource(
                uri=f"dbarch://rules/{rule_id}",
                name=rule_id,
                title=f"Rule {rule_id}",
                description="What the rule catches, why it matters, the safe alternative, how to turn it "
                "off.",
                mime_type="text/markdown",
                fn=lambda rule_id=rule_id: _rule_page(rule_id),
            )
        )
    server.add_resource(
        FunctionResource(
            uri="dbarch://brief-schema",
            name="brief-schema",
            title="The design brief's JSON Schema",
            description="Every field of a design brief (what `dbarch brief-schema` prints).",
            mime_type="application/schema+json",
            fn=_brief_schema,
        )
    )

    @server.resource(
        "dbarch://rules/{rule_id}",
        name="rule",
        title="A rule's page",
        description="What a rule catches, why it matters, and the safe alternative.",
        mime_type="text/markdown",
    )
    def rule(rule_id: str) -> str:
        try:
            return _rule_page(rule_id)
        except DbarchError as exc:
            raise ResourceNotFoundError(str(exc)) from None

    @server.resource(
        "dbarch://schemas/{tool}",
        name="result-schema",
        title="A tool's full result schema",
        description="The JSON Schema of the full document a tool's result links to (inspect_brief, design, "
        "recommend_indexes, plan_migration, check_design, verify_design).",
        mime_type="application/schema+json",
    )
    def result_schema(tool: str) -> str:
        return json.dumps(full_result_schema(tool), indent=2) + "\n"

    @server.resource(
        "dbarch://results/{result_id}",
        name="result",
        title="A call's full result",
        description="The full JSON document of a recent tool call (its result links here).",
        mime_type="application/json",
    )
    def result(result_id: str) -> str:
        return store.get(f"dbarch://results/{result_id}")[1]

    @server.resource(
        "dbarch://results/{result_id}/ddl/{engine}",
        name="result-ddl",
        title="A design's DDL for one engine",
        description="The schema DDL a recent design call rendered for an engine (its summary links here).",
        mime_type="application/sql",
    )
    def result_ddl(result_id: str, engine: str) -> str:
        return store.get(f"dbarch://results/{result_id}/ddl/{engine}")[1]


# ---------------------------------------------------------------------------------------------
# Tools


_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
#: Tools that write only to a scratch database the call names (and the server allows).
_SCRATCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)


def _check_engine(engine: str) -> None:
    """Refuse an unknown engine or version (naming the supported ones) before any work."""
    from dbarchitect.engines.registry import traits_for

    traits_for(engine)


def _instructions(sandbox: Sandbox) -> str:
    return instructions(sandbox)


#: The wall-clock safety net of ``recommend_indexes`` by default (``api.DESIGN_INDEX_TIME_LIMIT_S``; a
#: test keeps them equal, so the api is not imported at start-up for it).
DEFAULT_TIME_LIMIT_S = 300.0


def _load_the_architect() -> None:
    """Import what the tools run (once, in the server), so each call's child starts with it loaded."""
    import dbarchitect.api  # noqa: F401


def build_server(sandbox: Sandbox) -> DbarchServer:
    """The MCP server for ``sandbox``'s root and scratch policy (not started)."""
    server = DbarchServer(
        "dbarchitect",
        title="dbarchitect",
        description=DESCRIPTION,
        instructions=_instructions(sandbox),
        version=__version__,
        log_level="WARNING",
    )
    store = ResultStore()
    _add_resources(server, store)
    # Every tool call runs in a child process with the sandbox's memory and time limits, and is
    # stopped when the client cancels it; the full results it stores come back to this store.
    limited = isolated(lambda: sandbox.call_limits, carried=(store,), prepare=_load_the_architect)

    @server.tool(annotations=_READ_ONLY)
    @limited
    def inspect_brief(
        brief: BriefArg = None, brief_path: BriefPathArg = None, detail: DetailArg = "summary"
    ) -> Annotated[CallToolResult, InspectionSummary]:
        """What the architect understood from a brief: every table with its size now and at the
        horizon and its indexes; every statement's access path (index or scan, rows estimated). The
        full document adds columns, keys, statistics, predicates, joins and ordering."""
        from dbarchitect import api
        from dbarchitect.mcp.outputs.inspection import inspection_result

        loaded, label = sandbox.brief(brief, brief_path)
        full = inspection_result(api.inspect_brief(loaded, file=label))
        return _result(store, "inspect_brief", full, lambda f: summaries.inspection_summary(full, f), detail)

    @server.tool(annotations=_READ_ONLY)
    @limited
    def design(
        brief: BriefArg = None,
        brief_path: BriefPathArg = None,
        database: ReadUrlArg = None,
        detail: DetailArg = "summary",
    ) -> Annotated[CallToolResult, DesignSummary]:
        """Design the schema: choose indexes for the workload, render the DDL for the target and every
        portable engine (with what each cannot express), prove it on embedded SQLite when SQLite is one
        of the engines, and judge it against the design guardrails. Returns the verdict, the target's
        DDL and the top advice; each engine's DDL and the full analysis are resources. Writes nothing."""
        from dbarchitect import api
        from dbarchitect.mcp.outputs.design import design_result

        loaded, label = sandbox.brief(brief, brief_path)
        url = sandbox.read_url(database, field="database") if database else None
        full = design_result(api.design(api.inspect_brief(loaded, file=label), database=url))
        parts = {f"ddl/{s.engine.split()[0]}": s.sql for s in full.schemas}

        def make(f: FullResult) -> DesignSummary:
            links = {s.engine: f"{f.uri}/ddl/{s.engine.split()[0]}" for s in full.schemas}
            return summaries.design_summary(full, f, links)

        return _result(store, "design", full, make, detail, parts)

    @server.tool(annotations=_READ_ONLY)
    @limited
    def recommend_indexes(
        brief: BriefArg = None,
        brief_path: BriefPathArg = None,
        database: ReadUrlArg = None,
        budget: Annotated[
            str | None,
            Field(
                description="Index storage budget, e.g. '1GB' (default: the brief's budgets.index_storage)."
            ),
        ] = None,
        algorithm: Annotated[
            Literal["greedy", "exact"],
            Field(description="greedy (Extend-style with swaps) or exact (integer program, HiGHS)."),
        ] = "greedy",
        time_limit_s: Annotated[
            float,
            Field(
                gt=0,
                le=600,
                description="Wall-clock safety net in seconds; advice it cuts short says it is not "
                "reproducible (the work budget decides where the search stops).",
            ),
        ] = DEFAULT_TIME_LIMIT_S,
        work_limit: Annotated[
            int | None,
            Field(
                ge=1,
                description="Planner calls the search may make (default: scaled to the workload); the "
                "same brief always gets the same advice.",
            ),
        ] = None,
        detail: DetailArg = "summary",
    ) -> Annotated[CallToolResult, IndexSummary]:
        """Indexes for the brief's workload within the storage and write budget: each with its DDL (built
        online), size, the statements it helps and why; existing indexes to drop. The full document adds
        costs before and after per statement, write costs and every rejected candidate with its reason.
        Costs come from PostgreSQL's planner (HypoPG, read-only) when a database is named."""
        from dbarchitect import api
        from dbarchitect.brief import parse_size
        from dbarchitect.mcp.outputs.indexes import index_advice_result

        loaded, label = sandbox.brief(brief, brief_path)
        url = sandbox.read_url(database, field="database") if database else None
        budget_bytes: float | None = None
        if budget is not None:
            try:
                budget_bytes = float(parse_size(budget))
            except ValueError as exc:
                raise DbarchError(Diagnostic(str(exc), field="budget")) from None
        advice = api.recommend_indexes(
            api.inspect_brief(loaded, file=label),
            database=url,
            budget_bytes=budget_bytes,
            algorithm=algorithm,
            time_limit_s=time_limit_s,
            work_limit=work_limit,
        )
        full = index_advice_result(advice)
        return _result(store, "recommend_indexes", full, lambda f: summaries.index_summary(full, f), detail)

    def schema_of(source: SchemaSource, side: str, engine: str) -> Catalog:
        from dbarchitect import api
        from dbarchitect.engines.registry import traits_for
        from dbarchitect.ingest.ddl import load_ddl
        from dbarchitect.ingest.sources import load_catalog

        given = [k for k in ("ddl", "path", "url") if getattr(source, k) is not None]
        if len(given) != 1:
            raise DbarchError(
                Diagnostic(
                    "give exactly one of ddl (DDL text), path (a DDL file or brief under the root) or url "
                    "(a database, read-only)" + (f"; got {', '.join(given)}" if given else ""),
                    field=side,
                )
            )
        traits = traits_for(engine)
        if source.ddl is not None:
            return load_ddl(source.ddl, traits.engine, file=side)
        if source.url is not None:
            return api.load_schema_from(sandbox.read_url(source.url, field=f"{side}.url"), traits.engine)
        assert source.path is not None
        path = sandbox.path(source.path, field=f"{side}.path")
        if path.suffix.lower() in (".yaml", ".yml", ".json"):
            loaded, label = sandbox.brief(None, source.path)
            return load_catalog(loaded, file=label)
        return api.load_schema_from(path, traits.engine)

    @server.tool(annotations=_SCRATCH)
    @limited
    def plan_migration(
        current: Annotated[SchemaSource, Field(description="The schema now.")],
        target: Annotated[SchemaSource, Field(description="The schema wanted.")],
        engine: EngineArg,
        renames: Annotated[
            dict[str, str] | None,
            Field(
                description="Renames the diff must not guess: {'table.old_column': 'new_column'} or "
                "{'old_table': 'new_table'}."
            ),
        ] = None,
        allow_data_loss: Annotated[
            bool, Field(description="Plan steps that throw data away (drops, narrowing); refused otherwise.")
        ] = False,
        check_url: Annotated[
            str | None,
            Field(
                description="A database whose data the target must fit: the plan's prechecks run there, "
                "read-only."
            ),
        ] = None,
        scratch_url: Annotated[
            str | None,
            Field(
                description="An EMPTY scratch PostgreSQL/MySQL/MariaDB database to rehearse the plan on "
                "under concurrent writes (needs a server started with --allow-scratch)."
            ),
        ] = None,
        detail: DetailArg = "summary",
    ) -> Annotated[CallToolResult, MigrationSummary]:
        """A safe, ordered, reversible migration plan from one schema to another: every step with its SQL,
        lock level, whether it rewrites, an estimated duration and its phase (expand / backfill /
        contract); data that would be lost; renames to confirm. The full document adds rollbacks, the
        down-plan and prechecks. With scratch_url, the plan is also rehearsed on that empty database under
        write load (steps, longest write stall, data checksums)."""
        from dbarchitect import api
        from dbarchitect.mcp.outputs.migration import migration_result

        _check_engine(engine)
        rehearse_on = sandbox.scratch_url(scratch_url, field="scratch_url") if scratch_url else None
        check = sandbox.read_url(check_url, field="check_url") if check_url else None
        before = schema_of(current, "current", engine)
        after = schema_of(target, "target", engine)
        plan = api.plan_schema_migration(
            before, after, engine, renames=renames, allow_data_loss=allow_data_loss, check_url=check
        )
        rehearsal = api.rehearse_schema_migration(plan, before, engine, rehearse_on) if rehearse_on else None
        full = migration_result(plan, rehearsal)
        return _result(store, "plan_migration", full, lambda f: summaries.migration_summary(full, f), detail)

    @server.tool(annotations=_READ_ONLY)
    @limited
    def lint_migration(
        engine: EngineArg,
        sql: Annotated[str | None, Field(description="The migration's SQL text. Give this or path.")] = None,
        path: Annotated[str | None, Field(description="A migration .sql file under the root.")] = None,
        brief_path: Annotated[
            str | None,
            Field(
                description="A brief file under the root: its schema, sizes, growth and guardrail levels "
                "inform the rules."
            ),
        ] = None,
        rules: Annotated[
            dict[str, Literal["error", "warning", "off"]] | None,
            Field(description="Rule levels, e.g. {'require-concurrent-index-creation': 'warning'}."),
        ] = None,
    ) -> LintReport:
        """Lint a hand-written migration for operations that lock, rewrite or lose data (non-concurrent
        index builds, constraints without NOT VALID, NOT NULL on big tables, rewriting type changes,
        missing lock_timeout, ...): each finding with its line, message, hint and, where one exists, a
        fix. errors > 0 means a CI gate would fail. Explanations: dbarch://rules/{rule}."""
        from dbarchitect import api
        from dbarchitect.mcp.outputs.lint import lint_report

        if (sql is None) == (path is None):
            raise DbarchError(
                Diagnostic("give exactly one of sql (the text) or path (a .sql file)", field="sql")
            )
        text = sql if sql is not None else sandbox.read_text(path or "", field="path")
        loaded = sandbox.brief(None, brief_path)[0] if brief_path is not None else None
        result = api.lint_migration_sql(
            text, engine, file=path or "<sql>", brief=loaded, config=dict(rules) if rules else None
        )
        return lint_report(result)

    @server.tool(annotations=_SCRATCH)
    @limited
    def check_design(
        brief: BriefArg = None,
        brief_path: BriefPathArg = None,
        database: ReadUrlArg = None,
        engine_urls: Annotated[
            dict[str, str] | None,
            Field(
                description="{engine: URL} of EMPTY scratch databases to prove portability on by running "
                "the schema and workload there, e.g. {'postgresql': 'postgresql://...'} (needs a server "
                "started with --allow-scratch; emptied afterwards)."
            ),
        ] = None,
        detail: DetailArg = "summary",
    ) -> Annotated[CallToolResult, VerdictSummary]:
        """The guardrail verdict of the brief's design (its schema with the advised indexes): integrity,
        performance against the SLOs and budgets, portability (executed on SQLite, and on scratch
        databases when given), security. passed is false when a finding is an error; the top findings
        come errors first, all of them are in the full document."""
        from dbarchitect import api
        from dbarchitect.mcp.outputs.verdict import verdict_result

        loaded, label = sandbox.brief(brief, brief_path)
        url = sandbox.read_url(database, field="database") if database else None
        urls = {k: sandbox.scratch_url(v, field=f"engine_urls.{k}") for k, v in (engine_urls or {}).items()}
        full = verdict_result(api.check_brief(loaded, file=label, database=url, engine_urls=urls or None))
        return _result(store, "check_design", full, lambda f: summaries.verdict_summary(full, f), detail)

    @server.tool(annotations=_SCRATCH)
    @limited
    def verify_design(
        brief: BriefArg = None,
        brief_path: BriefPathArg = None,
        engine_url: Annotated[
            str | None,
            Field(
                description="An EMPTY scratch PostgreSQL/MariaDB/SQLite database to build and fill (needs a "
                "server started with --allow-scratch). Default: SQLite in a temporary file."
            ),
        ] = None,
        scale: Annotated[
            float, Field(gt=0, le=10, description="Fraction of the brief's row counts to generate.")
        ] = 0.01,
        seconds_per_statement: Annotated[
            float, Field(gt=0, le=60, description="Seconds of replay per statement at most.")
        ] = 2.0,
        repetitions: Annotated[
            int, Field(ge=1, le=100_000, description="Executions per statement at most.")
        ] = 200,
        seed: Annotated[int, Field(description="Seed of the synthetic data and parameters.")] = 0,
        detail: DetailArg = "summary",
    ) -> Annotated[CallToolResult, VerificationSummary]:
        """Measure instead of estimating: build the design (with its advised indexes), fill it with
        synthetic data following the brief's sizes and statistics (x scale), replay the workload and
        report p95 per statement against its SLO and the estimate; the full document adds p50/p99, plans
        and ratios. ok is false when a statement misses its SLO or fails."""
        from dbarchitect import api
        from dbarchitect.mcp.outputs.verification import verification_result

        loaded, label = sandbox.brief(brief, brief_path)
        url = sandbox.scratch_url(engine_url, field="engine_url") if engine_url else None
        result = api.verify_brief(
            loaded,
            file=label,
            engine_url=url,
            scale=scale,
            seconds_per_statement=seconds_per_statement,
            repetitions=repetitions,
            seed=seed,
        )
        full = verification_result(result)
        return _result(
            store, "verify_design", full, lambda f: summaries.verification_summary(full, f), detail
        )

    return server


# ---------------------------------------------------------------------------------------------
# Running


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line, an address that cannot be listened on (the HTTP server would log and exit)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DbarchError(
            Diagnostic(
                f"cannot listen on {host}:{port}: {reason}",
                field="--port",
                hint="give a free port, or stop what listens there",
            )
        ) from None


def serve(
    sandbox: Sandbox,
    *,
    http: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_remote: bool = False,
) -> None:
    """Run the server until its client goes away (stdio) or it is interrupted (HTTP). The process works
    in the root, so relative paths mean the same to every layer."""
    if http and not is_loopback(host) and not allow_remote:
        raise DbarchError(
            Diagnostic(
                f"{host} is not a loopback address; the server has no authentication",
                field="--host",
                hint="keep 127.0.0.1, or add --allow-remote on a network you trust",
            )
        )
    if http:
        _check_port(host, port)
    os.chdir(sandbox.root)
    server = build_server(sandbox)
    where = f"http://{host}:{port}/mcp" if http else "stdio"
    scratch = "allowed on an empty scratch database" if sandbox.allow_scratch else "off"
    print(f"dbarch mcp: serving on {where}; root {sandbox.root}; database writes {scratch}", file=sys.stderr)
    if not http:
        server.run("stdio")
        return
    if is_loopback(host):
        bracketed = f"[{host.strip('[]')}]" if ":" in host else host
        hosts = sorted({f"{bracketed}:*", "127.0.0.1:*", "localhost:*", "[::1]:*"})
        security = TransportSecuritySettings(
            allowed_hosts=hosts, allowed_origins=[f"http://{h}" for h in hosts]
        )
    else:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    server.run("streamable-http", host=host.strip("[]"), port=port, transport_security=security)


def run_after_handshake(server: DbarchServer, first: bytes, answered: Any) -> None:
    """Serve stdio with the SDK after :mod:`.handshake` read the first message (``first``) and, when
    it was ``initialize``, answered it (``answered``: its id): the SDK is handed that message first,
    and its own answer to it is dropped."""
    import anyio
    from mcp.server.stdio import stdio_server
    from mcp.shared.message import SessionMessage
    from mcp.types import JSONRPCResponse, jsonrpc_message_adapter

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            in_send, in_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
            out_send, out_recv = anyio.create_memory_object_stream[SessionMessage](0)

            async def pump_in() -> None:
                async with in_send:
                    if first.strip():
                        try:
                            message = jsonrpc_message_adapter.validate_json(first, by_name=False)
                            await in_send.send(SessionMessage(message=message))
                        except Exception as exc:  # what the SDK's reader does with a bad line
                            await in_send.send(exc)
                    async for item in read_stream:
                        await in_send.send(item)

            async def pump_out() -> None:
                dropped = answered is None
                async with out_recv, write_stream:  # closing it lets the SDK's stdout writer end
                    async for item in out_recv:
                        reply = item.message
                        if not dropped and isinstance(reply, JSONRPCResponse) and reply.id == answered:
                            dropped = True
                            continue
                        await write_stream.send(item)

            async with anyio.create_task_group() as group:
                group.start_soon(pump_in)
                group.start_soon(pump_out)
                lowlevel = server._lowlevel_server
                async with out_send:
                    await lowlevel.run(in_recv, out_send, lowlevel.create_initialization_options())
                group.cancel_scope.cancel()

    anyio.run(main)
