"""``dbarch mcp``: the MCP server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dbarchitect.cli.app import (
    app,
    run,
)


@app.command(short_help="Serve the architect to AI agents over MCP (stdio or HTTP).")
def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Streamable HTTP (at http://HOST:PORT/mcp) instead of stdio.")
    ] = False,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="Address to listen on with --http (loopback).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on with --http.")
    ] = 8000,
    allow_scratch: Annotated[
        bool,
        typer.Option(
            "--allow-scratch",
            help="Let calls write to an EMPTY scratch database they name (verify, rehearsal, portability); "
            "off: no tool writes to any database.",
        ),
    ] = False,
    root: Annotated[
        Path,
        typer.Option(
            "--root", metavar="DIR", help="The only directory whose files tools may read (default: here)."
        ),
    ] = Path("."),
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Let --host be a non-loopback address (no authentication!)."),
    ] = False,
    call_timeout: Annotated[
        float,
        typer.Option("--call-timeout", min=1, help="Seconds one tool call may run before it is stopped."),
    ] = 600.0,
    call_memory: Annotated[
        str,
        typer.Option(
            "--call-memory", metavar="SIZE", help="Memory one tool call may use (its own process), e.g. 4GB."
        ),
    ] = "4GB",
) -> None:
    """Serve the architect to AI agents over the Model Context Protocol (stdio, or HTTP on loopback)."""
    from dbarchitect.limits import parse_size
    from dbarchitect.mcp.isolation import CallLimits
    from dbarchitect.mcp.sandbox import Sandbox

    memory = run(lambda: parse_size(call_memory, field="--call-memory"))
    limits = CallLimits(seconds=call_timeout, memory_bytes=memory)
    sandbox = run(lambda: Sandbox.at(root, allow_scratch=allow_scratch, call_limits=limits))
    if http:
        from dbarchitect.mcp.server import serve

        run(lambda: serve(sandbox, http=True, host=host, port=port, allow_remote=allow_remote))
        return
    # stdio: answer initialize while the MCP SDK loads (dbarchitect.mcp.handshake)
    import os
    import sys

    from dbarchitect.mcp.handshake import serve_stdio

    def build(sandbox: Sandbox) -> object:
        from dbarchitect.mcp.server import build_server

        return build_server(sandbox)

    os.chdir(sandbox.root)
    scratch = "allowed on an empty scratch database" if sandbox.allow_scratch else "off"
    print(f"dbarch mcp: serving on stdio; root {sandbox.root}; database writes {scratch}", file=sys.stderr)
    run(lambda: serve_stdio(sandbox, build))
