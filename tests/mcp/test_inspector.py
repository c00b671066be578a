"""The MCP Inspector's CLI (what developers of agents list and call tools with) against `dbarch mcp`
on stdio: the tool list in under 60 KB, a shop design in under 20 KB. scripts/test.sh installs it
(npm, `.cache/mcp-inspector`) and exports DBARCH_MCP_INSPECTOR; under CI=true a missing Inspector
fails instead of skipping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSPECTOR = os.environ.get("DBARCH_MCP_INSPECTOR") or str(
    REPO / ".cache" / "mcp-inspector" / "node_modules" / ".bin" / "mcp-inspector"
)


def _inspector(*args: str) -> str:
    if not Path(INSPECTOR).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the MCP Inspector is not installed at {INSPECTOR} (scripts/test.sh installs it)")
        pytest.skip("the MCP Inspector is not installed (scripts/test.sh installs it)")
    server = [sys.executable, "-m", "dbarchitect.cli", "mcp", "--root", str(REPO)]
    done = subprocess.run(
        [INSPECTOR, "--cli", *server, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_inspector_lists_the_tools_in_under_60_kb() -> None:
    listed = _inspector("--method", "tools/list")
    assert len(listed.encode()) < 60_000, len(listed.encode())
    tools = json.loads(listed)["tools"]
    assert [t["name"] for t in tools] == [
        "inspect_brief",
        "design",
        "recommend_indexes",
        "plan_migration",
        "lint_migration",
        "check_design",
        "verify_design",
    ]


def test_the_inspector_gets_a_shop_design_summary_in_under_20_kb() -> None:
    result = _inspector(
        "--method", "tools/call", "--tool-name", "design", "--tool-arg", "brief_path=examples/shop/brief.yaml"
    )
    assert len(result.encode()) < 20_000, len(result.encode())
    doc = json.loads(result)
    assert not doc.get("isError"), result[:2000]
    summary = doc["structuredContent"]
    assert "CREATE TABLE orders" in summary["ddl"] and summary["verdict"]["passed"] is (
        summary["verdict"]["errors"] == 0
    )
    assert summary["full"]["uri"].startswith("dbarch://results/design-")
