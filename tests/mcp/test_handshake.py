"""`dbarch mcp` on stdio answers `initialize` before the MCP SDK has loaded: the early answer must be
exactly the SDK's (for every protocol version a client may ask), and the SDK must then carry the
connection on as if it had answered itself (tests/mcp/test_server.py drives the whole protocol
through this path with the SDK's client)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dbarchitect.mcp.handshake import initialize_result
from dbarchitect.mcp.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
SDK_ONLY = (
    "import sys; from dbarchitect.mcp.sandbox import Sandbox; from dbarchitect.mcp.server import build_server;"
    "build_server(Sandbox.at(sys.argv[1], allow_scratch=sys.argv[2] == '1')).run('stdio')"
)


def _ask(command: list[str], request: dict[str, object]) -> dict[str, object]:
    done = subprocess.run(
        command,
        input=json.dumps(request) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines, done.stderr[-2000:]
    assert [m.get("id") for m in lines].count(request["id"]) == 1, lines  # answered once
    return dict(lines[0])


@pytest.mark.parametrize("version", ["2024-11-05", "2025-06-18", "2025-11-25", "1999-01-01"])
@pytest.mark.parametrize("scratch", [False, True])
def test_the_early_answer_is_the_sdks(version: str, scratch: bool) -> None:
    request = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"},
        },
    }
    sdk = _ask([sys.executable, "-c", SDK_ONLY, str(REPO), "1" if scratch else "0"], request)
    ours = initialize_result(request, Sandbox.at(REPO, allow_scratch=scratch))
    assert ours == sdk
    flags = ["--allow-scratch"] if scratch else []
    served = _ask([sys.executable, "-m", "dbarchitect.cli", "mcp", "--root", str(REPO), *flags], request)
    assert served == sdk  # and the server answers exactly once with it (the SDK's own reply is dropped)


def test_a_first_message_that_is_not_initialize_goes_to_the_sdk() -> None:
    assert initialize_result({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, Sandbox.at(REPO)) is None
    reply = _ask(
        [sys.executable, "-m", "dbarchitect.cli", "mcp", "--root", str(REPO)],
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
    )
    assert reply["id"] == 1  # answered by the SDK (an error or a result, as it sees fit)
