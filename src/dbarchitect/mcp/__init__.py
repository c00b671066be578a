"""The MCP server (``dbarch mcp``): the architect's operations as tools for AI agents, with the
guardrails enforced by the server. See :mod:`dbarchitect.mcp.server` and ``docs/mcp.md``."""

from dbarchitect.mcp.sandbox import Sandbox
from dbarchitect.mcp.server import build_server, serve

__all__ = ["Sandbox", "build_server", "serve"]
