"""The MCP server's limits, in process: files only under the root (symlinks followed), SQLite files
too, scratch databases only when allowed, and a brief's own files checked like the agent's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dbarchitect.errors import DbarchError
from dbarchitect.mcp import Sandbox
from dbarchitect.mcp.server import is_loopback

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    served = tmp_path / "served"
    shutil.copytree(REPO / "examples/shop", served / "shop")
    (tmp_path / "secret.sql").write_text("CREATE TABLE secret (id int);\n")
    return served


def test_paths_resolve_inside_the_root(root: Path) -> None:
    sandbox = Sandbox.at(root)
    assert sandbox.path("shop/brief.yaml", field="f") == root / "shop/brief.yaml"
    assert sandbox.path(root / "shop/schema.sql", field="f") == root / "shop/schema.sql"
    assert sandbox.path("shop/../shop/schema.sql", field="f") == root / "shop/schema.sql"
    for escape in ("../secret.sql", str(root.parent / "secret.sql"), "shop/../../secret.sql", "/"):
        with pytest.raises(DbarchError, match=r"^f: .* is outside the server's root"):
            sandbox.path(escape, field="f")


def test_a_symlink_out_of_the_root_is_refused(root: Path) -> None:
    (root / "link.sql").symlink_to(root.parent / "secret.sql")
    (root / "dir").symlink_to(root.parent)
    sandbox = Sandbox.at(root)
    for via in ("link.sql", "dir/secret.sql"):
        with pytest.raises(DbarchError, match="outside the server's root"):
            sandbox.read_text(via, field="path")


def test_a_briefs_own_files_must_be_inside_the_root(root: Path) -> None:
    sandbox = Sandbox.at(root)
    brief, label = sandbox.brief(None, "shop/brief.yaml")
    assert brief.name == "shop" and label == "shop/brief.yaml"
    text = (root / "shop/brief.yaml").read_text().replace("path: schema.sql", "path: ../../secret.sql")
    (root / "shop/escape.yaml").write_text(text)
    with pytest.raises(DbarchError, match=r"schema\.ddl\.path: .* is outside"):
        sandbox.brief(None, "shop/escape.yaml")
    inline = {
        "engine": "postgresql",
        "schema": {"ddl": "x.sql"},
        "workload": [{"name": "q", "file": "../secret.sql", "rate": 1}],
    }
    with pytest.raises(DbarchError, match=r"workload\.statements\[0\]\.file: .* is outside"):
        sandbox.brief(inline, None)


def test_inline_briefs_take_relative_paths_from_the_root(root: Path) -> None:
    sandbox = Sandbox.at(root)
    brief, label = sandbox.brief({"engine": "postgresql 15", "schema": {"ddl": "shop/schema.sql"}}, None)
    assert label == "<brief>" and brief.resolve(Path("shop/schema.sql")) == root / "shop/schema.sql"
    with pytest.raises(DbarchError, match="give exactly one of brief"):
        sandbox.brief({"engine": "sqlite"}, "shop/brief.yaml")
    with pytest.raises(DbarchError, match=r"^<brief>:1: a brief is a mapping"):
        sandbox.brief("just words", None)


def test_sqlite_urls_are_files_under_the_root(root: Path) -> None:
    sandbox = Sandbox.at(root, allow_scratch=True)
    assert sandbox.read_url("sqlite:///data/app.db", field="u") == f"sqlite:///{root}/data/app.db"
    assert sandbox.read_url("sqlite://", field="u") == "sqlite://"
    with pytest.raises(DbarchError, match=r"u: .* is outside"):
        sandbox.read_url(f"sqlite:///{root.parent}/secret.db", field="u")
    with pytest.raises(DbarchError, match=r"u: .* is outside"):
        sandbox.scratch_url("sqlite:///../x.db", field="u")
    # A relative SQLite source in an inline brief becomes the root's file.
    brief, _ = sandbox.brief({"engine": "sqlite", "schema": {"source": "sqlite:///app.db"}}, None)
    assert brief.schema_.source is not None and brief.schema_.source.url == f"sqlite:///{root}/app.db"


def test_scratch_databases_need_allow_scratch(root: Path) -> None:
    url = "postgresql://app:s3cret@127.0.0.1/scratch"
    with pytest.raises(DbarchError, match=r"--allow-scratch") as refused:
        Sandbox.at(root).scratch_url(url, field="engine_url")
    assert "s3cret" not in str(refused.value) and "app:***@" in str(refused.value)
    assert Sandbox.at(root, allow_scratch=True).scratch_url(url, field="engine_url") == url
    assert Sandbox.at(root).read_url(url, field="database") == url
    with pytest.raises(DbarchError, match=r"^database: .*unknown scheme 'ftp'"):
        Sandbox.at(root).read_url("ftp://x", field="database")


def test_the_root_must_be_a_directory(root: Path) -> None:
    with pytest.raises(DbarchError, match=r"--root: .* is not a directory"):
        Sandbox.at(root / "shop/brief.yaml")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
        ("::", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
