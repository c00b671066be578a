"""A bug inside a tool is a one-line tool error naming it as a bug (passwords redacted, traceback on
the server's log), and the server goes on serving; in process, with the SDK's client."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.types import TextContent

from dbarchitect import api
from dbarchitect.mcp import Sandbox, build_server

REPO = Path(__file__).resolve().parents[2]


def test_a_crash_is_a_tool_error_and_the_server_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("postgresql://app:s3cret@db/shop\nsecond line")

    monkeypatch.setattr(api, "inspect_brief", broken)

    async def session() -> tuple[bool, str, bool]:
        async with Client(build_server(Sandbox.at(REPO))) as client:
            crashed = await client.call_tool("inspect_brief", {"brief_path": "examples/shop/brief.yaml"})
            text = "".join(c.text for c in crashed.content if isinstance(c, TextContent))
            after = await client.call_tool("lint_migration", {"sql": "SELECT 1;", "engine": "sqlite"})
            return crashed.is_error, text, after.is_error

    is_error, text, later_error = anyio.run(session)
    assert is_error and not later_error
    assert text.startswith("internal error in inspect_brief: KeyError: ")
    assert text.endswith("(a bug in dbarch; report it)")
    assert "\n" not in text and "s3cret" not in text and "app:***@" in text
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "dbarchitect.mcp")
    assert "Traceback" in logged and "KeyError" in logged and "s3cret" not in logged


def _errors(calls: list[tuple[str, dict[str, object]]]) -> list[str]:
    async def session() -> list[str]:
        texts = []
        async with Client(build_server(Sandbox.at(REPO))) as client:
            for tool, arguments in calls:
                result = await client.call_tool(tool, arguments)
                assert result.is_error, (tool, arguments)
                texts.append("".join(c.text for c in result.content if isinstance(c, TextContent)))
        return texts

    return anyio.run(session)


def test_argument_errors_are_in_the_tools_words_and_name_every_argument() -> None:
    """What an agent gets wrong first: a schema given as a string (pydantic said "Input should be a
    valid dictionary or instance of SchemaSource (and 1 more problem)"), a brief missing a section
    (the loader points at `dbarch brief-schema`, a command the agent cannot run)."""
    schema, brief = _errors(
        [
            ("plan_migration", {"current": "CREATE TABLE t (id int);", "target": "CREATE TABLE t (id int);"}),
            ("design", {"brief": {"name": "x", "engine": "postgresql 15"}}),
        ]
    )
    assert schema == (
        'current: give an object: {"ddl": ...} or {"path": ...} or {"url": ...} | '
        'target: give an object: {"ddl": ...} or {"path": ...} or {"url": ...} | engine: is missing'
    )
    assert "schema: is missing" in brief and "dbarch://brief-schema" in brief
    assert "`dbarch" not in schema + brief and "--" not in schema + brief


def test_a_bad_example_value_names_the_field_in_the_brief_not_an_option() -> None:
    """An inline brief (YAML text) whose example value cannot be a timestamp: the tool error names the
    brief's field and line, and what to give, in the brief's words (no command-line flag)."""
    brief = (
        "engine: postgresql 15\n"
        "schema: {ddl: examples/iot/schema.sql}\n"
        "workload:\n"
        "  - name: recent\n"
        "    sql: SELECT device_id FROM readings WHERE recorded_at >= :since\n"
        "    rate: 1/s\n"
        "    params: {since: not a date}\n"
    )
    (text,) = _errors([("design", {"brief": brief})])
    assert text == (
        "<brief>:7: workload.statements[0].params.since: 'not a date' is not a date or timestamp: :since is "
        "compared with readings.recorded_at (timestamptz) (give a date such as 2026-01-31 or a timestamp "
        "such as '2026-01-31 14:30:00', or remove it)"
    )
    assert "--" not in text and "`dbarch" not in text
