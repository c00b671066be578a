"""``dbarch mcp``: the architect for AI agents over the Model Context Protocol (the official SDK's
``MCPServer``), on stdio or streamable HTTP on loopback.

Seven tools, each a thin shell over :mod:`dbarchitect.api` with a JSON-Schema'd input (the brief's
own schema for a brief) and a typed structured result (:mod:`dbarchitect.mcp.outputs`):
``inspect_brief``, ``design``, ``recommend_indexes``, ``plan_migration``, ``lint_migration``,
``check_design``, ``verify_design``. Resources: ``dbarch://rules`` (every rule id), one
``dbarch://rules/{rule_id}`` page per rule (what it catches, why, the safe alternative) and
``dbarch://brief-schema`` (:mod:`.resources`); the full document of each result one resource away
(:mod:`.results`). The tools' argument types are in :mod:`.inputs`, their errors' wording in
:mod:`.tool_errors`.

The guardrails are the server's, not the agent's (:class:`~dbarchitect.mcp.sandbox.Sandbox`): files
only under the root, databases read-only, and no write to any database unless the server was started
with ``--allow-scratch`` and the call names an empty scratch database. Bad input of any kind is a tool
error (``isError``) carrying the same one-line message the CLI prints, passwords redacted; a bug is
a tool error too (logged with its traceback on the server's standard error), never a dead server.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations
from pydantic import Field

from dbarchitect._version import __version__
from dbarchitect.errors import DbarchError, Diagnostic, did_you_mean
from dbarchitect.mcp.handshake import DESCRIPTION, instructions
from dbarchitect.mcp.inputs import BriefArg, BriefPathArg, DetailArg, EngineArg, ReadUrlArg, SchemaSource
from dbarchitect.mcp.isolation import isolated
from dbarchitect.mcp.outputs import summary as summaries
from dbarchitect.mcp.outputs.lint import LintReport
from dbarchitect.mcp.outputs.summary import (
    DesignSummary,
    FullResult,
    IndexSummary,
    InspectionSummary,
    MigrationSummary,
    VerdictSummary,
    VerificationSummary,
)
from dbarchitect.mcp.resources import _add_resources
from dbarchitect.mcp.results import ResultStore, _result
from dbarchitect.mcp.sandbox import Sandbox
from dbarchitect.mcp.tool_errors import _error_text

if TYPE_CHECKING:  # sqlglot, SQLAlchemy and the api load with the first tool call, not at start-up
    from dbarchitect.model.catalog import Catalog


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
