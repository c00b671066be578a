"""The MCP server's pieces that need no client: messages in tool words, the bounded result store."""

from __future__ import annotations

import pytest
from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from dbarchitect.mcp.outputs.verdict import VerdictResult
from dbarchitect.mcp.results import ResultStore
from dbarchitect.mcp.server import DEFAULT_TIME_LIMIT_S
from dbarchitect.mcp.tool_errors import in_tool_words


@pytest.mark.parametrize(
    ("tool", "message", "expected"),
    [
        (
            "plan_migration",
            "dropping t.note loses data; pass allow_data_loss (--allow-data-loss) to accept it",
            "dropping t.note loses data; pass allow_data_loss to accept it",
        ),
        (
            "design",
            "--database: planner costing needs PostgreSQL; leave out --database",
            "database: planner costing needs PostgreSQL; leave out database",
        ),
        ("verify_design", "--scale 20 is out of range", "scale 20 is out of range"),
        ("check_design", "--engine-url: mysql is a MariaDB server", "engine_urls: mysql is a MariaDB server"),
        (
            "plan_migration",
            "the database has tables; fill the scratch database yourself and rehearse with --rehearse-existing",
            "the database has tables; fill the scratch database yourself and rehearse with the command "
            "line's --rehearse-existing",
        ),
        (
            "verify_design",
            "restart the server with --allow-scratch",
            "restart the server with --allow-scratch",
        ),
        (
            "lint_migration",
            "ALTER TABLE t DROP COLUMN a -- comment",
            "ALTER TABLE t DROP COLUMN a -- comment",
        ),
    ],
)
def test_in_tool_words(tool: str, message: str, expected: str) -> None:
    assert in_tool_words(tool, message) == expected


def _verdict(n: int) -> VerdictResult:
    return VerdictResult(
        brief=f"b{n}", engine="sqlite", passed=True, errors=0, warnings=0, rules=[], notes=[], findings=[]
    )


def test_the_store_keeps_the_last_results_and_their_parts() -> None:
    store = ResultStore(keep=2)
    first = store.put("design", _verdict(1), {"ddl/sqlite": "CREATE TABLE a (x int);"})
    second = store.put("design", _verdict(2))
    third = store.put("design", _verdict(3))
    assert store.get(third.uri)[1].startswith('{"brief": "b3"')
    assert store.get(second.uri)[0] == "application/json"
    for uri in (first.uri, f"{first.uri}/ddl/sqlite"):
        with pytest.raises(ResourceNotFoundError, match="keeps the last 2 results"):
            store.get(uri)
    assert len({first.uri, second.uri, third.uri}) == 3
    assert first.schema_uri == "dbarch://schemas/design"


def test_the_default_search_time_is_the_apis() -> None:
    from dbarchitect import api

    assert DEFAULT_TIME_LIMIT_S == api.DESIGN_INDEX_TIME_LIMIT_S
