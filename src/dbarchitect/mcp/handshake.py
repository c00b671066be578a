"""Answering an MCP client's ``initialize`` before the SDK has loaded (stdio).

Importing the MCP SDK costs most of a second of CPU (its protocol types for two protocol eras), and
several seconds on a busy machine, where clients that wait a few seconds for the handshake give up.
So on stdio the server answers ``initialize`` itself, from what it knows without the SDK (its name,
version, instructions and capabilities, and the protocol versions the installed SDK speaks, read from
the SDK's own ``mcp_types/version.py`` without importing the package), while a thread imports the SDK
and builds the server. Then the SDK takes over the connection: it is handed the ``initialize`` request
first, so its session is initialized as it expects, and its own answer to it is dropped (the client
has had one). Every later message is the SDK's. A test checks that the early answer equals the SDK's
for every protocol version.

Nothing here imports the SDK, pydantic or the api.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbarchitect._version import __version__

if TYPE_CHECKING:
    from dbarchitect.mcp.sandbox import Sandbox

NAME = "dbarchitect"
DESCRIPTION = "A database architect: schemas, indexes and migrations from a design brief."
#: What the server offers (the SDK's MCPServer advertises these for tools, resources and prompts).
CAPABILITIES: dict[str, Any] = {
    "prompts": {"listChanged": False},
    "resources": {"listChanged": False, "subscribe": False},
    "tools": {"listChanged": False},
}


def instructions(sandbox: Sandbox) -> str:
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
        "schemas; lint_migration lints migration SQL. Results are summaries; each links its full "
        "document (a resource, schema at dbarch://schemas/{tool}), or pass detail='full'. Rule pages: "
        f"dbarch://rules/{{rule_id}}. Files are read only under {sandbox.root}. Databases are read in "
        f"read-only sessions. Scratch writes are {scratch}."
    )


def handshake_versions() -> tuple[tuple[str, ...], str] | None:
    """The protocol versions the installed SDK negotiates in ``initialize`` and its default, from
    ``mcp_types/version.py`` (loaded by path: importing ``mcp_types`` would load everything)."""
    spec = importlib.util.find_spec("mcp_types")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    module_spec = importlib.util.spec_from_file_location("_dbarch_mcp_versions", path)
    if module_spec is None or module_spec.loader is None:
        return None
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
        return tuple(module.HANDSHAKE_PROTOCOL_VERSIONS), str(module.LATEST_HANDSHAKE_VERSION)
    except (OSError, AttributeError, SyntaxError):
        return None


def initialize_result(request: dict[str, Any], sandbox: Sandbox) -> dict[str, Any] | None:
    """The response to an ``initialize`` request, as the SDK would give it; None when ``request`` is
    not one or the SDK's versions cannot be read (the SDK then answers it itself)."""
    if request.get("jsonrpc") != "2.0" or request.get("method") != "initialize" or "id" not in request:
        return None
    versions = handshake_versions()
    if versions is None:
        return None
    supported, latest = versions
    params = request.get("params") or {}
    asked = params.get("protocolVersion") if isinstance(params, dict) else None
    return {
        "jsonrpc": "2.0",
        "id": request["id"],
        "result": {
            "capabilities": CAPABILITIES,
            "instructions": instructions(sandbox),
            "protocolVersion": asked if asked in supported else latest,
            "serverInfo": {"description": DESCRIPTION, "name": NAME, "title": NAME, "version": __version__},
        },
    }


def _read_line(fd: int) -> bytes:
    """One line from ``fd``, a byte at a time: nothing after it is consumed (the SDK reads the rest)."""
    out = bytearray()
    while True:
        byte = os.read(fd, 1)
        if not byte:
            return bytes(out)
        out += byte
        if byte == b"\n":
            return bytes(out)


def serve_stdio(sandbox: Sandbox, build: Callable[[Sandbox], Any]) -> None:
    """Serve on stdio, answering ``initialize`` as soon as it arrives while ``build(sandbox)`` (the
    SDK's server) loads in a thread; then hand the connection to it."""
    built: dict[str, Any] = {}

    def load() -> None:
        try:
            built["server"] = build(sandbox)
        except BaseException as exc:  # re-raised in the main thread
            built["error"] = exc

    loader = threading.Thread(target=load, name="dbarch-mcp-load", daemon=True)
    loader.start()
    first = _read_line(0)
    answered: Any = None
    request: Any = None
    try:
        request = json.loads(first) if first.strip() else None
    except ValueError:
        request = None
    if isinstance(request, dict):
        response = initialize_result(request, sandbox)
        if response is not None:
            os.write(1, (json.dumps(response, separators=(",", ":")) + "\n").encode())
            answered = request["id"]
    loader.join()
    if "error" in built:
        raise built["error"]
    from dbarchitect.mcp.server import run_after_handshake

    run_after_handshake(built["server"], first, answered)


__all__ = ["initialize_result", "instructions", "serve_stdio"]
