"""``dbarch mcp`` through the MCP SDK's own client: the server is spawned as ``python -m dbarchitect.cli
mcp`` and spoken to over stdio (one process per server configuration, shared by the tests of this
module), and once over streamable HTTP on a free loopback port.

Every tool is called on the real examples; its summary (the structured result) is checked against
the tool's published outputSchema (jsonschema), and the full document it links to against the typed
models (no key left untyped); bad input is a tool error with one line, after which the same server
keeps answering; the guardrails refuse.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, EmbeddedResource, ResourceLink, TextContent
from typer.testing import CliRunner

from dbarchitect.cli import app
from dbarchitect.mcp import outputs
from dbarchitect.mcp.outputs import summary

REPO = Path(__file__).resolve().parents[2]
TOOLS = (
    "inspect_brief",
    "design",
    "recommend_indexes",
    "plan_migration",
    "lint_migration",
    "check_design",
    "verify_design",
)
SUMMARY_MODELS = {
    "inspect_brief": summary.InspectionSummary,
    "design": summary.DesignSummary,
    "recommend_indexes": summary.IndexSummary,
    "plan_migration": summary.MigrationSummary,
    "check_design": summary.VerdictSummary,
    "verify_design": summary.VerificationSummary,
}
RESULT_MODELS = {
    "inspect_brief": outputs.InspectionResult,
    "design": outputs.DesignResult,
    "recommend_indexes": outputs.IndexAdviceResult,
    "plan_migration": outputs.MigrationResult,
    "lint_migration": outputs.LintReport,
    "check_design": outputs.VerdictResult,
    "verify_design": outputs.VerificationResult,
}
TIMEOUT_S = 120.0


class Session:
    """A connected SDK client, called from synchronous tests through a blocking portal."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self.portal = portal
        self.client = client
        self._schemas: dict[str, dict[str, Any]] = {}

    def tools(self) -> dict[str, Any]:
        listed = self.portal.call(self.client.list_tools)
        return {t.name: t for t in listed.tools}

    def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        return self.portal.call(self.client.call_tool, name, arguments)

    def ok(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Call a tool that must succeed; its structured content (a summary, or lint's report),
        checked against the tool's outputSchema and its typed model (every key typed), and the link to
        its full document."""
        return self._checked(name, self.call(name, arguments))

    def full(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Call a summarizing tool with detail='full': the full document embedded in the result,
        checked against the typed model, and equal to what its resource link reads."""
        result = self.call(name, {**arguments, "detail": "full"})
        self._checked(name, result)
        embedded = [c for c in result.content if isinstance(c, EmbeddedResource)]
        assert len(embedded) == 1
        doc: dict[str, Any] = json.loads(embedded[0].resource.text)  # type: ignore[union-attr]
        model = RESULT_MODELS[name].model_validate(doc)
        untyped = outputs.untyped_keys(model)
        assert not untyped, f"{name}: type these keys in src/dbarchitect/mcp/outputs/: {untyped[:10]}"
        assert self.read(str(embedded[0].resource.uri)) == embedded[0].resource.text
        return doc

    def read(self, uri: str) -> str:
        return str(self.portal.call(self.client.read_resource, uri).contents[0].text)  # type: ignore[union-attr]

    def _checked(self, name: str, result: CallToolResult) -> dict[str, Any]:
        assert not result.is_error, _text(result)
        content = result.structured_content
        assert content is not None
        if not self._schemas:
            self._schemas = {n: t.output_schema for n, t in self.tools().items()}
        jsonschema.validate(content, self._schemas[name])
        typed = (SUMMARY_MODELS.get(name) or RESULT_MODELS[name]).model_validate(content)
        untyped = outputs.untyped_keys(typed)
        assert not untyped, f"{name}: type these keys in src/dbarchitect/mcp/outputs/: {untyped[:10]}"
        if name in SUMMARY_MODELS:
            # The text is a digest for clients that read only text, not the same JSON a second time.
            assert _text(result).endswith(f"schema {content['full']['schema_uri']})")
            links = [c for c in result.content if isinstance(c, ResourceLink)]
            assert [str(link.uri) for link in links] == [content["full"]["uri"]]
            assert links[0].size == content["full"]["bytes"]
        else:
            assert json.loads(_text(result)) == content
        return content

    def error(self, name: str, arguments: dict[str, Any]) -> str:
        """Call a tool that must fail: its one-line message."""
        result = self.call(name, arguments)
        assert result.is_error, f"{name} succeeded: {result.structured_content}"
        text = _text(result)
        assert "\n" not in text, text
        assert "Traceback" not in text
        return text


def _text(result: CallToolResult) -> str:
    return "".join(c.text for c in result.content if isinstance(c, TextContent))


def _stdio(*flags: str, root: Path = REPO) -> Iterator[Session]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "dbarchitect.cli", "mcp", "--root", str(root), *flags],
        cwd=str(root),
        env={"PYTHONPATH": str(REPO / "src")},
    )
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(Client(params, read_timeout_seconds=TIMEOUT_S)) as client,
    ):
        yield Session(portal, client)


@pytest.fixture(scope="module")
def server() -> Iterator[Session]:
    """The server as started by default: read-only, files under the repository."""
    yield from _stdio()


@pytest.fixture(scope="module")
def scratch_server() -> Iterator[Session]:
    """A server started with --allow-scratch."""
    yield from _stdio("--allow-scratch")


# ---------------------------------------------------------------------------------------------
# Listing


def test_lists_the_seven_tools_with_input_and_output_schemas(server: Session) -> None:
    tools = server.tools()
    assert tuple(tools) == TOOLS
    for name, tool in tools.items():
        assert tool.description and len(tool.description) > 80, name
        schema = tool.input_schema
        assert schema["type"] == "object" and schema["properties"], name
        assert tool.output_schema and tool.output_schema["properties"], name
        jsonschema.Draft202012Validator.check_schema(schema)
    for name in ("inspect_brief", "design", "recommend_indexes", "check_design", "verify_design"):
        schema = tools[name].input_schema
        # The brief argument is an object or YAML text; its schema is a resource, not repeated per tool.
        brief = schema["properties"]["brief"]
        assert {a.get("type") for a in brief["anyOf"]} == {"object", "string", "null"}
        assert "dbarch://brief-schema" in brief["description"]
        assert "brief_path" in schema["properties"] and "detail" in schema["properties"]
    assert tools["verify_design"].input_schema["properties"]["scale"]["exclusiveMinimum"] == 0
    assert tools["inspect_brief"].annotations.read_only_hint is True
    assert tools["verify_design"].annotations.read_only_hint is False
    assert set(tools["plan_migration"].input_schema["required"]) == {"current", "target", "engine"}


# ---------------------------------------------------------------------------------------------
# Each tool on real examples


def test_inspect_brief_from_a_path_an_object_and_yaml_text(server: Session) -> None:
    doc = server.full("inspect_brief", {"brief_path": "examples/shop/brief.yaml"})
    assert doc["brief"]["name"] == "shop" and doc["brief"]["engine"] == "postgresql 15"
    assert doc["brief"]["file"] == "examples/shop/brief.yaml"
    orders = next(t for t in doc["tables"] if t["name"] == "orders")
    assert orders["size"]["rows_now"] == 40_000_000
    history = next(s for s in doc["statements"] if s["name"] == "order_history")
    path = next(t["access_path"] for t in history["tables"] if t["table"] == "orders")
    assert path["kind"] == "index" and path["index"] == "orders_customer_placed_idx"

    blog = yaml.safe_load((REPO / "examples/blog/brief.yaml").read_text())
    as_object = server.full("inspect_brief", {"brief": blog})
    as_text = server.full("inspect_brief", {"brief": (REPO / "examples/blog/brief.yaml").read_text()})
    assert as_object == as_text
    assert as_object["brief"]["file"] == "<brief>"
    assert as_object["schema_design"]["decisions"]
    assert [t["name"] for t in as_object["tables"]] == [
        t["name"] for t in server.full("inspect_brief", {"brief_path": "examples/blog/brief.yaml"})["tables"]
    ]


def test_design_returns_the_ddl_per_engine_the_embedded_proof_and_the_verdict(server: Session) -> None:
    doc = server.full("design", {"brief_path": "examples/blog/brief.yaml"})
    engines = [s["engine"] for s in doc["schemas"]]
    assert engines == ["sqlite", "postgresql 15", "mariadb 10.11"]
    assert [s["target"] for s in doc["schemas"]] == [True, False, False]
    for schema in doc["schemas"]:
        assert "CREATE TABLE" in schema["sql"] and "posts" in schema["sql"]
    assert doc["embedded_check"]["schema_ok"] is True
    assert all(s["ok"] for s in doc["embedded_check"]["statements"])
    assert doc["verdict"]["engine"] and isinstance(doc["verdict"]["passed"], bool)
    assert doc["indexes"]["backend"] == "builtin"


def test_recommend_indexes_within_a_budget(server: Session) -> None:
    doc = server.full(
        "recommend_indexes", {"brief_path": "examples/shop/brief.yaml", "budget": "1GB", "time_limit_s": 30}
    )
    assert doc["backend"] == "builtin" and doc["algorithm"] == "greedy"
    assert doc["budget"]["index_storage_bytes"] == 1e9
    assert doc["budget"]["used_bytes"] <= 1e9
    assert doc["workload_cost"]["after"] <= doc["workload_cost"]["before"]
    for index in doc["recommended"]:
        assert index["ddl"].startswith("CREATE INDEX CONCURRENTLY")
        assert index["helps"] and index["reasons"]
    assert {s["statement"] for s in doc["statements"]} >= {"order_history", "product_page"}
    # The exact search (HiGHS prints a banner on standard output) leaves the stdio protocol intact.
    exact = server.full(
        "recommend_indexes",
        {"brief_path": "examples/shop/brief.yaml", "algorithm": "exact", "time_limit_s": 30},
    )
    assert (
        exact["algorithm"] == "exact"
        and exact["budget"]["used_bytes"] <= exact["budget"]["index_storage_bytes"]
    )


def test_plan_migration_between_two_ddl_texts(server: Session) -> None:
    current = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);"
    target = (
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, note text);\n"
        "CREATE INDEX orders_customer_idx ON orders (customer_id);"
    )
    doc = server.full(
        "plan_migration", {"current": {"ddl": current}, "target": {"ddl": target}, "engine": "postgresql 15"}
    )
    plan = doc["plan"]
    assert doc["rehearsal"] is None
    assert plan["engine"].lower() == "postgresql 15"
    sql = [s for step in plan["steps"] for s in step["sql"]]
    assert any("ADD COLUMN" in s and "note" in s for s in sql)
    index = next(s for s in plan["steps"] if any("CREATE INDEX" in q for q in s["sql"]))
    assert "CONCURRENTLY" in index["sql"][0] and not index["transactional"]
    assert index["blocks_writes"] is False
    assert plan["down"] and all(step["rollback_sql"] or step["sql"] for step in plan["steps"])

    # A file under the root and a brief work as a side too.
    from_files = server.full(
        "plan_migration",
        {
            "current": {"path": "examples/shop/schema.sql"},
            "target": {"path": "examples/shop/brief.yaml"},
            "engine": "postgresql 15",
        },
    )
    assert from_files["plan"]["steps"] == []


def test_lint_migration_a_fixture_file_and_sql_text(server: Session) -> None:
    case = "tests/guardrails/cases/require-concurrent-index-creation/bad_1.sql"
    doc = server.ok("lint_migration", {"path": case, "engine": "postgresql 15"})
    assert doc["errors"] >= 1 and doc["file"] == case
    finding = next(f for f in doc["findings"] if f["rule"] == "require-concurrent-index-creation")
    expected = (REPO / case).with_suffix(".expected").read_text().splitlines()[0]
    assert expected.endswith(finding["message"])
    assert (finding["line"], finding["column"], finding["level"]) == (1, 1, "error")
    assert finding["fix"]["replacement"].startswith("CREATE INDEX CONCURRENTLY")

    text = (REPO / case).read_text()
    inline = server.ok(
        "lint_migration",
        {"sql": text, "engine": "postgresql 15", "rules": {"require-concurrent-index-creation": "warning"}},
    )
    again = next(f for f in inline["findings"] if f["rule"] == "require-concurrent-index-creation")
    assert again["level"] == "warning" and again["message"] == finding["message"]
    assert inline["file"] == "<sql>"

    with_brief = server.ok(
        "lint_migration", {"sql": text, "engine": "postgresql 15", "brief_path": "examples/shop/brief.yaml"}
    )
    sized = next(f for f in with_brief["findings"] if f["rule"] == "require-concurrent-index-creation")
    assert "not known" not in sized["message"]  # the brief gives orders' size


def test_check_design_gives_the_verdict(server: Session) -> None:
    doc = server.full("check_design", {"brief_path": "examples/shop/brief.yaml"})
    assert doc["brief"] == "examples/shop/brief.yaml" and doc["engine"].lower() == "postgresql 15"
    assert doc["passed"] is (doc["errors"] == 0)
    assert len(doc["rules"]) >= 10
    levels = [f["level"] for f in doc["findings"]]
    assert levels == sorted(levels, key=lambda level: level != "error")  # errors first


def test_verify_design_on_embedded_sqlite(server: Session) -> None:
    doc = server.full(
        "verify_design",
        {
            "brief_path": "examples/blog/brief.yaml",
            "scale": 0.001,
            "seconds_per_statement": 0.2,
            "repetitions": 5,
        },
    )
    assert doc["database"] == "sqlite (temporary file)"
    assert doc["generation"]["rows"] > 0
    measured = [s for s in doc["statements"] if s["executions"]]
    assert measured and all(s["p95_ms"] is not None and s["executions"] <= 5 for s in measured)
    assert doc["ok"] is all(s["meets_slo"] is not False and s["errors"] == 0 for s in doc["statements"])


# ---------------------------------------------------------------------------------------------
# Bad input: a tool error with one line, and the server keeps serving


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("inspect_brief", {}, "give exactly one of brief"),
        ("inspect_brief", {"brief": "engine: [postgresql\nschema: x"}, "<brief>:"),
        (
            "inspect_brief",
            {"brief": {"engine": "postgresql", "schema": {"ddl": "x.sql"}, "tabels": {}}},
            "tabels",
        ),
        ("inspect_brief", {"brief": {"engine": "oracle", "schema": {"ddl": "x.sql"}}}, "oracle"),
        ("inspect_brief", {"brief_path": "examples/nope/brief.yaml"}, "no such file"),
        ("design", {"brief_path": "examples/shop/brief.yaml", "database": "ftp://x"}, "database"),
        ("recommend_indexes", {"brief_path": "examples/shop/brief.yaml", "budget": "lots"}, "budget"),
        ("recommend_indexes", {"brief_path": "examples/shop/brief.yaml", "algorithm": "magic"}, "algorithm"),
        ("plan_migration", {"current": {}, "target": {"ddl": "x"}, "engine": "postgresql 15"}, "current"),
        (
            "plan_migration",
            {
                "current": {"ddl": "CREATE TABLE t (a int);"},
                "target": {"ddl": "CREATE TABLE"},
                "engine": "postgresql 15",
            },
            "target",
        ),
        ("plan_migration", {"current": {"ddl": "x"}, "target": {"ddl": "x"}, "engine": "db2 11"}, "db2"),
        ("plan_migration", {"current": {"ddl": "x"}, "target": {"ddl": "x"}}, "engine: is missing"),
        ("lint_migration", {"engine": "postgresql 15"}, "give exactly one of sql"),
        (
            "lint_migration",
            {"engine": "postgresql 15", "sql": "SELECT 1", "rules": {"no-such-rule": "off"}},
            "no-such-rule",
        ),
        (
            "verify_design",
            {"brief_path": "examples/shop/brief.yaml", "scale": 0},
            "scale: Input should be greater than 0",
        ),
        ("verify_design", {"brief_path": "examples/shop/brief.yaml", "repetitions": "many"}, "repetitions"),
        ("no_such_tool", {}, "no tool 'no_such_tool'"),
        (
            "inspect_brief",
            {"brief": 42},
            "brief: Input should be a valid dictionary, or input should be a valid string",
        ),
        (
            "plan_migration",
            {"current": {"sql": "x"}, "target": {"ddl": "x"}, "engine": "sqlite"},
            "current.sql: is not a field here",
        ),
        # A misspelled argument is refused, not ignored (the call would quietly skip the scratch database).
        (
            "verify_design",
            {"brief_path": "examples/blog/brief.yaml", "engine-url": "sqlite:///x.db"},
            "did you mean 'engine_url'?",
        ),
    ],
)
def test_bad_input_is_a_one_line_tool_error(
    server: Session, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    message = server.error(tool, arguments)
    assert expected in message
    assert "internal error" not in message


def test_the_server_survives_bad_input(server: Session) -> None:
    for _ in range(3):
        server.error("inspect_brief", {"brief": 42})
    assert tuple(server.tools()) == TOOLS
    server.ok("lint_migration", {"sql": "SELECT 1;", "engine": "sqlite"})


# ---------------------------------------------------------------------------------------------
# Guardrails


def test_files_outside_the_root_are_refused(server: Session, tmp_path: Path) -> None:
    outside = tmp_path / "brief.yaml"
    shutil.copy(REPO / "examples/shop/brief.yaml", outside)
    assert "outside the server's root" in server.error("inspect_brief", {"brief_path": str(outside)})
    assert "outside the server's root" in server.error("inspect_brief", {"brief_path": "../brief.yaml"})
    assert "outside the server's root" in server.error(
        "lint_migration", {"path": "/etc/passwd", "engine": "postgresql 15"}
    )
    # A brief inside the root may not point outside it either.
    brief = {"engine": "postgresql 15", "schema": {"ddl": "/etc/hostname"}}
    message = server.error("inspect_brief", {"brief": brief})
    assert "schema.ddl.path" in message and "outside" in message
    message = server.error(
        "inspect_brief", {"brief": {"engine": "sqlite", "schema": {"source": f"sqlite:///{outside}"}}}
    )
    assert "schema.source" in message and "outside" in message


def test_no_database_write_without_allow_scratch(server: Session) -> None:
    secret_url = "postgresql://app:s3cret@127.0.0.1:5432/scratch"
    cases = [
        ("verify_design", {"brief_path": "examples/blog/brief.yaml", "engine_url": secret_url}, "engine_url"),
        (
            "check_design",
            {"brief_path": "examples/shop/brief.yaml", "engine_urls": {"postgresql": secret_url}},
            "engine_urls.postgresql",
        ),
        (
            "plan_migration",
            {
                "current": {"ddl": "CREATE TABLE t (a int);"},
                "target": {"ddl": "CREATE TABLE t (a bigint);"},
                "engine": "postgresql 15",
                "scratch_url": secret_url,
            },
            "scratch_url",
        ),
    ]
    for tool, arguments, field in cases:
        message = server.error(tool, arguments)
        assert field in message and "--allow-scratch" in message
        assert "s3cret" not in message and "app:***@" in message


def test_credentials_are_redacted_in_errors(server: Session) -> None:
    message = server.error(
        "design",
        {"brief_path": "examples/shop/brief.yaml", "database": "postgresql://u:hunter2@127.0.0.1:1/x"},
    )
    assert "hunter2" not in message and "u:***@" in message


def test_rehearsal_on_an_empty_scratch_database(scratch_server: Session, pg_scratch_db: str) -> None:
    current = "CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL);"
    target = "CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL);\nCREATE INDEX items_qty_idx ON items (qty);"
    doc = scratch_server.full(
        "plan_migration",
        {
            "current": {"ddl": current},
            "target": {"ddl": target},
            "engine": "postgresql 15",
            "scratch_url": pg_scratch_db,
        },
    )
    rehearsal = doc["rehearsal"]
    assert rehearsal["ok"] is True and rehearsal["generated_rows"] > 0
    assert [s["ok"] for s in rehearsal["steps"]] == [True] * len(doc["plan"]["steps"])
    assert rehearsal["writes"] > 0 and rehearsal["failed_writes"] == 0
    assert rehearsal["data"] and all(t["ok"] for t in rehearsal["data"])

    # The database now has tables: the server's refusal of non-empty scratch databases holds.
    again = scratch_server.error(
        "plan_migration",
        {
            "current": {"ddl": current},
            "target": {"ddl": target},
            "engine": "postgresql 15",
            "scratch_url": pg_scratch_db,
        },
    )
    assert "is not empty" in again
    message = scratch_server.error(
        "verify_design", {"brief_path": "examples/blog/brief.yaml", "engine_url": pg_scratch_db}
    )
    assert "is not empty" in message


# ---------------------------------------------------------------------------------------------
# Resources


def test_rule_resources(server: Session) -> None:
    listed = server.portal.call(server.client.list_resources)
    uris = [str(r.uri) for r in listed.resources]
    assert uris[0] == "dbarch://rules" and "dbarch://brief-schema" in uris
    assert "dbarch://rules/require-concurrent-index-creation" in uris
    assert "dbarch://rules/table-without-primary-key" in uris

    index = json.loads(server.portal.call(server.client.read_resource, "dbarch://rules").contents[0].text)
    ids = {r["id"] for r in index["rules"]}
    assert {r["kind"] for r in index["rules"]} == {"lint", "design"}
    assert len(uris) == len(ids) + 2  # the index, one page per rule id, the brief schema

    page = server.portal.call(server.client.read_resource, "dbarch://rules/require-concurrent-index-creation")
    text = page.contents[0].text
    assert text.startswith("# require-concurrent-index-creation")
    assert "CONCURRENTLY" in text and "dbarch:disable" in text

    schema = json.loads(
        server.portal.call(server.client.read_resource, "dbarch://brief-schema").contents[0].text
    )
    assert schema["title"] == "dbarchitect design brief"

    with pytest.raises(MCPError, match="did you mean 'require-concurrent-index-creation'"):
        server.portal.call(server.client.read_resource, "dbarch://rules/require-concurrent-index-creatio")


# ---------------------------------------------------------------------------------------------
# Streamable HTTP, and the CLI's refusals


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_streamable_http_on_loopback() -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "dbarchitect.cli", "mcp", "--http", "--port", str(port), "--root", str(REPO)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the HTTP server did not start listening"
                time.sleep(0.1)
        with (
            start_blocking_portal() as portal,
            portal.wrap_async_context_manager(
                Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=TIMEOUT_S)
            ) as client,
        ):
            session = Session(portal, client)
            assert tuple(session.tools()) == TOOLS
            doc = session.ok("lint_migration", {"sql": "CREATE INDEX i ON t (a);", "engine": "postgresql 15"})
            assert {f["rule"] for f in doc["findings"]} >= {"require-concurrent-index-creation"}
            assert "outside" in session.error("inspect_brief", {"brief_path": "/etc/passwd"})
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--http", "--host", "0.0.0.0"], "not a loopback address"),
        (["--root", "no/such/dir"], "is not a directory"),
    ],
)
def test_cli_refuses(args: list[str], expected: str) -> None:
    _refused(args, expected)


def test_cli_refuses_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _refused(["--http", "--port", str(port)], f"--port: cannot listen on 127.0.0.1:{port}")


def _refused(args: list[str], expected: str) -> None:
    """The command refuses before serving (in process: nothing is started): exit 2, one line."""
    result = CliRunner().invoke(app, ["mcp", *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_lint_migration_reports_sql_that_does_not_parse(server: Session) -> None:
    for sql in ("CREAT INDEX x ON y (z); ALTER TABLE ((( ;", "ALTR TABLE posts ADDD COLUMN x;"):
        doc = server.ok("lint_migration", {"sql": sql, "engine": "postgresql 15"})
        assert doc["invalid"] >= 1 and doc["errors"] >= 1 and doc["exit_code"] == 2
        assert {f["rule"] for f in doc["findings"]} >= {"invalid-sql"}


# ---------------------------------------------------------------------------------------------
# Sizes: what an agent pays before and per call


def _wire_size(message: Any) -> int:
    return len(message.model_dump_json(by_alias=True, exclude_none=True).encode())


def test_the_tool_list_fits_an_agents_budget(server: Session) -> None:
    """tools/list (descriptions, input and output schemas) in under 60 KB, about 15k tokens: the
    brief's schema and the full result schemas are resources, not repeated in every tool."""
    listed = server.portal.call(server.client.list_tools)
    assert _wire_size(listed) < 60_000, _wire_size(listed)


def test_a_shop_design_is_summarized_under_20_kb_with_the_full_document_a_read_away(server: Session) -> None:
    result = server.call("design", {"brief_path": "examples/shop/brief.yaml"})
    assert not result.is_error, _text(result)
    assert _wire_size(result) < 20_000, _wire_size(result)
    doc = server.ok("design", {"brief_path": "examples/shop/brief.yaml"})
    assert "CREATE TABLE orders" in doc["ddl"] and doc["engines"][0]["target"] is True
    assert doc["indexes"] and all(i["ddl"].startswith("CREATE INDEX") for i in doc["indexes"])
    full = json.loads(server.read(doc["full"]["uri"]))
    verdict = full["verdict"]
    assert (doc["verdict"]["errors"], doc["verdict"]["warnings"]) == (verdict["errors"], verdict["warnings"])
    assert len(doc["verdict"]["findings"]) + doc["verdict"]["more"] == len(verdict["findings"])
    assert [f["level"] for f in doc["verdict"]["findings"]][: verdict["errors"]] == ["error"] * min(
        verdict["errors"], len(doc["verdict"]["findings"])
    )
    assert len(doc["indexes"]) + doc["more_indexes"] == len(full["indexes"]["recommended"])
    for engine in doc["engines"]:
        sql = server.read(engine["uri"])
        assert sql == next(s["sql"] for s in full["schemas"] if s["engine"] == engine["engine"])
    schema = json.loads(server.read(doc["full"]["schema_uri"]))
    jsonschema.validate(full, schema)


def test_an_unknown_result_is_a_clear_resource_error(server: Session) -> None:
    with pytest.raises(MCPError, match="keeps the last"):
        server.read("dbarch://results/design-999-000000000000")
    with pytest.raises(MCPError, match="did you mean 'design'"):
        server.read("dbarch://schemas/desing")


# ---------------------------------------------------------------------------------------------
# Messages in the tools' own words


def test_messages_name_parameters_not_command_line_options(server: Session) -> None:
    drop = server.error(
        "plan_migration",
        {
            "current": {"ddl": "CREATE TABLE t (id int PRIMARY KEY, note text);"},
            "target": {"ddl": "CREATE TABLE t (id int PRIMARY KEY);"},
            "engine": "postgresql 15",
        },
    )
    assert "allow_data_loss" in drop and "--" not in drop
    hypopg = server.error(
        "design", {"brief_path": "examples/saas/brief.yaml", "database": "postgresql://u@127.0.0.1:1/x"}
    )
    assert "database" in hypopg and "--database" not in hypopg
