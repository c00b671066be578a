"""Each tool call runs in a child process with a memory and a time limit and is stopped when it is
cancelled; hostile input (an alias bomb inline, a NUL byte in a path) is a one-line tool error and
the server stays small. In process, with the SDK's client."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import replace
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.types import TextContent

from dbarchitect.errors import DbarchError
from dbarchitect.mcp import Sandbox, build_server
from dbarchitect.mcp.isolation import CallLimits, run_isolated

REPO = Path(__file__).resolve().parents[2]

BOMB = "\n".join(
    ["engine: sqlite", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    + ["guardrails: {x: *a9}"]
)


def _call(sandbox: Sandbox, name: str, arguments: dict[str, object]) -> tuple[bool, str]:
    async def session() -> tuple[bool, str]:
        async with Client(build_server(sandbox)) as client:
            result = await client.call_tool(name, arguments)
            return result.is_error, "".join(c.text for c in result.content if isinstance(c, TextContent))

    return anyio.run(session)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_an_inline_alias_bomb_is_one_line_and_the_server_stays_small() -> None:
    before = _peak_rss_mb()
    started = time.monotonic()
    is_error, text = _call(Sandbox.at(REPO), "inspect_brief", {"brief": BOMB})
    assert is_error and "\n" not in text
    assert "aliases expand the document by more than 10,000 nodes" in text
    assert time.monotonic() - started < 10
    assert _peak_rss_mb() - before < 200


@pytest.mark.parametrize("path", ["examples/\x00blog/brief.yaml", "\x00"])
def test_a_nul_byte_in_a_path_is_one_line(path: str) -> None:
    is_error, text = _call(Sandbox.at(REPO), "inspect_brief", {"brief_path": path})
    assert is_error and "NUL byte" in text and "\n" not in text and "internal error" not in text


def test_a_call_past_its_time_limit_is_stopped() -> None:
    sandbox = replace(Sandbox.at(REPO), call_limits=CallLimits(seconds=0.05))
    is_error, text = _call(sandbox, "design", {"brief_path": "examples/tpch/brief.yaml"})
    assert is_error and "ran past its time limit of 0.05 s" in text and "--call-timeout" in text


def _virtual_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")


@pytest.mark.parametrize("headroom_mb", [0, 64])
def test_a_call_past_its_memory_limit_ends_with_one_line(headroom_mb: int) -> None:
    limit = _virtual_size() + headroom_mb * 1024 * 1024
    sandbox = replace(Sandbox.at(REPO), call_limits=CallLimits(memory_bytes=limit))
    big = "engine: sqlite\ndescription: [" + ", ".join(f"item {i}" for i in range(400_000)) + "]\n"
    is_error, text = _call(sandbox, "inspect_brief", {"brief": big})
    assert is_error and "memory limit" in text and "\n" not in text, text


def _sleep_and_record(pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(60)


def test_a_cancelled_call_stops_its_child(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    async def cancel_soon() -> None:
        with anyio.move_on_after(1.0):
            await run_isolated("sleeper", _sleep_and_record, {"pid_file": str(pid_file)}, CallLimits())

    anyio.run(cancel_soon)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_user_error_in_the_child_keeps_its_message() -> None:
    def refuse() -> None:
        raise DbarchError("brief.yaml:3: rows: takes a number, not true")

    with pytest.raises(DbarchError, match=r"^brief\.yaml:3: rows: takes a number, not true$"):
        anyio.run(run_isolated, "refuse", refuse, {}, CallLimits())
