"""The MCP server (``dbarch mcp``): the architect's operations as tools for AI agents, with the
guardrails enforced by the server. See :mod:`dbarchitect.mcp.server` and ``docs/mcp.md``.

The names below are imported on first use: ``dbarch mcp`` on stdio answers ``initialize`` before
the MCP SDK has loaded (:mod:`dbarchitect.mcp.handshake`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "Sandbox": "dbarchitect.mcp.sandbox",
    "build_server": "dbarchitect.mcp.server",
    "serve": "dbarchitect.mcp.server",
    "serve_stdio": "dbarchitect.mcp.handshake",
}

if TYPE_CHECKING:
    from dbarchitect.mcp.handshake import serve_stdio
    from dbarchitect.mcp.sandbox import Sandbox
    from dbarchitect.mcp.server import build_server, serve

__all__ = ["Sandbox", "build_server", "serve", "serve_stdio"]


def __getattr__(name: str) -> object:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dbarchitect.mcp' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
