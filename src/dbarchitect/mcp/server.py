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

import ipaddress
import json
import logging
import os
import socket
import sys
import traceback
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError, UnexpectedToolError
from mcp.server.mcpserver.resources import TextResource
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from dbarchitect import api
from dbarchitect._version import __version__
from dbarchitect.brief import Brief, brief_json_schema, parse_size
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError, Diagnostic, did_you_mean, redact
from dbarchitect.guardrails import get_rule, rule_doc_markdown, rule_ids
from dbarchitect.guardrails.design.runner import (
    all_design_rules,
    design_rule_doc_markdown,
    design_rule_ids,
)
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.sources import load_catalog
from dbarchitect.mcp.outputs import (
    DesignResult,
    IndexAdviceResult,
    InspectionResult,
    LintReport,
    MigrationResult,
    VerdictResult,
    VerificationResult,
    design_result,
    index_advice_result,
    inspection_result,
    lint_report,
    migration_result,
    verdict_result,
    verification_result,
)
from dbarchitect.mcp.sandbox import Sandbox
from dbarchitect.model.catalog import Catalog

log = logging.getLogger("dbarchitect.mcp")

# ---------------------------------------------------------------------------------------------
# Inputs


class _BriefSchema:
    """The JSON Schema of a ``brief`` argument: the brief's own schema (``dbarch brief-schema``), or
    YAML/JSON text. The argument itself is validated by :func:`dbarchitect.brief.parse_brief`, so a
    mistake is one line naming the field, as on the command line."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        ref = handler(Brief.__pydantic_core_schema__)
        handler.resolve_ref_schema(ref).get("properties", {}).pop("base_dir", None)
        text = {"type": "string", "description": "the brief as YAML (or JSON) text"}
        return {"anyOf": [ref, text, {"type": "null"}]}


BriefArg = Annotated[
    dict[str, Any] | str | None,
    _BriefSchema(),
    Field(
        description="The design brief inline: an object following the brief schema (resource "
        "dbarch://brief-schema), or its YAML text. Relative paths in it are taken from the server's root. "
        "Give this or brief_path."
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
# Errors: one line, redacted


def _where(loc: tuple[int | str, ...]) -> str:
    """An argument path without the union-member tags pydantic adds (``dict[str,any]``, ``str``)."""
    parts = [
        p for p in loc if isinstance(p, int) or not ("[" in p or "function-" in p or p in ("str", "int"))
    ]
    return ".".join(str(p) for p in parts) or "arguments"


def _validation_text(exc: ValidationError) -> str:
    """A pydantic argument error as one line: the argument path and what is wrong (the alternatives of
    a union that matched none, joined)."""
    errors = exc.errors()
    where = _where(tuple(errors[0]["loc"]))
    same = [e for e in errors if _where(tuple(e["loc"])) == where]
    messages: list[str] = []
    for e in same:
        if e["type"] == "missing":
            text = "is missing"
        elif e["type"] == "extra_forbidden":
            text = "is not a field here"
        else:
            text = e["msg"].removeprefix("Value error, ")
        if text not in messages:
            messages.append(text)
    message = messages[0] + "".join(f", or {m[0].lower()}{m[1:]}" for m in messages[1:])
    others = len(errors) - len(same)
    more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
    return redact(" ".join(f"{where}: {message}{more}".split()))


def _error_text(name: str, exc: ToolError) -> str:
    cause = exc.__cause__
    if isinstance(cause, DbarchError):
        return str(cause)
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


class DbarchServer(MCPServer[Any]):
    """The SDK's server, with every tool failure turned into one redacted line (the SDK otherwise
    hides an unexpected exception's text and prints pydantic's multi-line errors)."""

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
# Resources: the rules


def _rule_page(rule_id: str) -> str:
    """A rule's documentation page (lint rule, design rule, or both when an id names both)."""
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
    rules = [
        {"id": r, "kind": "lint", "summary": get_rule(r).summary, "uri": f"dbarch://rules/{r}"}
        for r in rule_ids()
    ]
    rules += [
        {"id": r.id, "kind": "design", "summary": r.summary, "uri": f"dbarch://rules/{r.id}"}
        for r in all_design_rules()
    ]
    return json.dumps({"rules": rules}, indent=2) + "\n"


def _add_resources(server: DbarchServer) -> None:
    server.add_resource(
        TextResource(
            uri="dbarch://rules",
            name="rules",
            title="Every rule",
            description="Every rule id: migration lint rules (lint_migration) and design guardrails "
            "(check_design), each with its summary and the URI of its page.",
            mime_type="application/json",
            text=_rules_index(),
        )
    )
    for rule_id in sorted({*rule_ids(), *design_rule_ids()}):
        server.add_resource(
            TextResource(
                uri=f"dbarch://rules/{rule_id}",
                name=rule_id,
                title=f"Rule {rule_id}",
                description="What the rule catches, why it matters, the safe alternative, how to turn it "
                "off.",
                mime_type="text/markdown",
                text=_rule_page(rule_id),
            )
        )
    server.add_resource(
        TextResource(
            uri="dbarch://brief-schema",
            name="brief-schema",
            title="The design brief's JSON Schema",
            description="Every field of a design brief (what `dbarch brief-schema` prints).",
            mime_type="application/schema+json",
            text=json.dumps(brief_json_schema(), indent=2, sort_keys=True) + "\n",
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


# ---------------------------------------------------------------------------------------------
# Tools


_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
#: Tools that write only to a scratch database the call names (and the server allows).
_SCRATCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)


def _check_engine(engine: str) -> None:
    """Refuse an unknown engine or version (naming the supported ones) before any work."""
    name, _, version = engine.strip().partition(" ")
    get_traits(name, version or None)


def _instructions(sandbox: Sandbox) -> str:
    scratch = (
        "ON: verify_design(engine_url), check_design(engine_urls) and plan_migration(scratch_url) may "
        "write to the EMPTY scratch database a call names (a non-empty one is refused)"
        if sandbox.allow_scratch
        else "OFF: no tool writes to any database (start the server with --allow-scratch to allow "
        "verify/rehearsal on an empty scratch database)"
    )
    return (
        "dbarchitect: a database architect. Give a design brief (schema, workload with rates and SLOs, "
        "sizes, target engine; schema in resource dbarch://brief-schema) to inspect_brief (what was "
        "understood), design (DDL per engine with advised indexes and the guardrail verdict), "
        "recommend_indexes, check_design (the verdict alone) or verify_design (measured on embedded "
        "SQLite or a scratch database). plan_migration plans a safe, reversible migration between two "
        "schemas; lint_migration lints migration SQL. Rule pages: dbarch://rules/{rule_id}. "
        f"Files are read only under {sandbox.root}. Databases are read in read-only sessions. "
        f"Scratch writes are {scratch}."
    )


def build_server(sandbox: Sandbox) -> DbarchServer:
    """The MCP server for ``sandbox``'s root and scratch policy (not started)."""
    server = DbarchServer(
        "dbarchitect",
        title="dbarchitect",
        description="A database architect: schemas, indexes and migrations from a design brief.",
        instructions=_instructions(sandbox),
        version=__version__,
        log_level="WARNING",
    )
    _add_resources(server)

    @server.tool(annotations=_READ_ONLY)
    def inspect_brief(brief: BriefArg = None, brief_path: BriefPathArg = None) -> InspectionResult:
        """What the architect understood from a brief: every table with its columns, keys, indexes and
        size now and at the horizon; every statement's predicates, joins, ordering and the access path
        the existing indexes give it (with the estimate's source)."""
        loaded, label = sandbox.brief(brief, brief_path)
        return inspection_result(api.inspect_brief(loaded, file=label))

    @server.tool(annotations=_READ_ONLY)
    def design(
        brief: BriefArg = None, brief_path: BriefPathArg = None, database: ReadUrlArg = None
    ) -> DesignResult:
        """Design the schema: choose indexes for the workload, render the DDL for the target and every
        portable engine (with what each cannot express), prove it on embedded SQLite when SQLite is one
        of the engines, and judge it against the design guardrails. Nothing is written anywhere."""
        loaded, label = sandbox.brief(brief, brief_path)
        url = sandbox.read_url(database, field="database") if database else None
        return design_result(api.design(api.inspect_brief(loaded, file=label), database=url))

    @server.tool(annotations=_READ_ONLY)
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
            float, Field(gt=0, le=600, description="Seconds for the search; the best found so far is kept.")
        ] = api.DESIGN_INDEX_TIME_LIMIT_S,
    ) -> IndexAdviceResult:
        """Indexes for the brief's workload within the storage and write budget: each with its DDL (built
        online), size now and at the horizon, the statements it helps with their cost before and after,
        and its write cost; existing indexes that are redundant or unused; every rejected candidate with
        its reason. Costs come from PostgreSQL's planner (HypoPG, read-only) when a database is named."""
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
        )
        return index_advice_result(advice)

    def schema_of(source: SchemaSource, side: str, engine: str) -> Catalog:
        given = [k for k in ("ddl", "path", "url") if getattr(source, k) is not None]
        if len(given) != 1:
            raise DbarchError(
                Diagnostic(
                    "give exactly one of ddl (DDL text), path (a DDL file or brief under the root) or url "
                    "(a database, read-only)" + (f"; got {', '.join(given)}" if given else ""),
                    field=side,
                )
            )
        name, _, version = engine.strip().partition(" ")
        traits = get_traits(name, version or None)
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
    ) -> MigrationResult:
        """A safe, ordered, reversible migration plan from one schema to another: every step with its SQL,
        lock level, whether it rewrites or scans, an estimated duration, its phase (expand / backfill /
        contract) and its rollback; the down-plan; renames to confirm; data that would be lost. With
        scratch_url, the plan is also applied to that empty scratch database under write load and the
        steps, the longest write stall and a data checksum are reported."""
        _check_engine(engine)
        rehearse_on = sandbox.scratch_url(scratch_url, field="scratch_url") if scratch_url else None
        check = sandbox.read_url(check_url, field="check_url") if check_url else None
        before = schema_of(current, "current", engine)
        after = schema_of(target, "target", engine)
        plan = api.plan_schema_migration(
            before, after, engine, renames=renames, allow_data_loss=allow_data_loss, check_url=check
        )
        rehearsal = api.rehearse_schema_migration(plan, before, engine, rehearse_on) if rehearse_on else None
        return migration_result(plan, rehearsal)

    @server.tool(annotations=_READ_ONLY)
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
    ) -> VerdictResult:
        """The guardrail verdict of the brief's design (its schema with the advised indexes): integrity,
        performance against the SLOs and budgets, portability (executed on SQLite, and on scratch
        databases when given), security. passed is false when a finding is an error."""
        loaded, label = sandbox.brief(brief, brief_path)
        url = sandbox.read_url(database, field="database") if database else None
        urls = {k: sandbox.scratch_url(v, field=f"engine_urls.{k}") for k, v in (engine_urls or {}).items()}
        return verdict_result(api.check_brief(loaded, file=label, database=url, engine_urls=urls or None))

    @server.tool(annotations=_SCRATCH)
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
    ) -> VerificationResult:
        """Measure instead of estimating: build the design (with its advised indexes), fill it with
        synthetic data following the brief's sizes and statistics (x scale), replay the workload and
        report p50/p95/p99 per statement against its SLO, with the plan used and the estimate beside it.
        ok is false when a statement misses its SLO or fails."""
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
        return verification_result(result)

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
