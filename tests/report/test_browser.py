"""report.html in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``).

One browser serves every check: the page loads offline (network emulated off, and every request it
makes is to the file itself or a data: URL) with no console message at all, the diagram renders with
one visible SVG node per table, the charts render, each verdict link lands on its rule's
explanation, and a full-page screenshot is kept: in ``$DBARCH_ARTIFACTS/report-screenshots/`` when
that is set (scripts/test.sh sets it), else in pytest's temporary directory; the path is printed.

Chromium missing skips these tests locally and fails them under ``CI=true``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbarchitect import api
from dbarchitect.report.document import design_document
from dbarchitect.report.html import render_html
from tests.conftest import in_ci
from tests.report.erp_schema import erp_tables, write_erp_brief

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: The flags the issue names for a headless Chromium in CI.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")


def _unavailable(message: str) -> None:
    if in_ci():
        pytest.fail(f"{message} (CI=true: the browser tests must run, not skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    for path in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(path) is None:
            _unavailable(f"{path} is missing (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("DBARCH_ARTIFACTS")
    directory = Path(root) / "report-screenshots" if root else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _report(brief: Path, out: Path) -> tuple[Path, int]:
    doc = design_document(api.design(brief))
    out.write_text(render_html(doc), encoding="utf-8")
    return out, len(doc["tables"])


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    work = tmp_path_factory.mktemp("reports")
    erp = work / "erp"
    erp.mkdir()
    return {
        "shop": _report(ROOT / "examples/shop/brief.yaml", work / "shop.html"),
        "erp": _report(write_erp_brief(erp), work / "erp.html"),
    }


def _requests(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("name", ["shop", "erp"])
def test_report_renders_offline_in_chromium(
    browser: Any,
    reports: dict[str, tuple[Path, int]],
    name: str,
    shots: Path,
) -> None:
    path, tables = reports[name]
    browser.get_log("browser")  # drop what an earlier page left
    browser.get_log("performance")
    browser.get(path.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"

    console = browser.get_log("browser")
    assert console == [], f"console messages: {console}"
    requests = _requests(browser)
    assert requests, "the performance log saw no request (is it enabled?)"
    assert all(u == path.as_uri() or u.startswith("data:") for u in requests), requests

    nodes = browser.execute_script(
        "return [...document.querySelectorAll('svg.er g.er-table')].map(g => {"
        " const b = g.getBBox(); return [g.dataset.table, b.width, b.height]; })"
    )
    assert len(nodes) == tables
    assert len({n[0] for n in nodes}) == tables
    assert all(w > 40 and h > 20 for _, w, h in nodes), nodes
    if name == "erp":
        assert sorted(n[0] for n in nodes) == sorted(t for t, _ in erp_tables())
    edges = browser.execute_script("return document.querySelectorAll('svg.er g.er-edge').length")
    assert edges > 0
    # At a 1400 px window the diagram needs no horizontal scrolling, the page none either.
    scroll = browser.execute_script(
        "const f = document.querySelector('.er-frame'); const s = document.querySelector('svg.er');"
        " return [f.scrollWidth, f.clientWidth, document.documentElement.scrollWidth, window.innerWidth,"
        " s.getBoundingClientRect().width];"
    )
    frame_scroll, frame_width, page_scroll, window_width, svg_width = scroll
    assert frame_scroll <= frame_width and page_scroll <= window_width, scroll
    assert svg_width <= frame_width
    charts = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().height)"
    )
    # latency, workload cost, storage, and the operations section's resources over the horizon
    assert len(charts) == 4 and all(h > 50 for h in charts), charts

    # A verdict link lands on its rule's explanation, which the page holds.
    first = browser.execute_script("const a = document.querySelector('.finding a.rule'); return a && a.hash")
    if first:
        assert browser.execute_script(f"return !!document.getElementById({first[1:]!r})")

    metrics = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    png = shots / f"report-{name}.png"
    png.write_bytes(base64.b64decode(shot["data"]))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    print(f"screenshot of {name}'s report.html: {png}")


def test_console_check_sees_what_the_page_would_load(
    browser: Any, reports: dict[str, tuple[Path, int]], tmp_path: Path
) -> None:
    """The control: the same page with a stylesheet from the network gets a console error (the
    page's Content-Security-Policy refuses it), so an empty console above means something."""
    path, _ = reports["shop"]
    html = path.read_text(encoding="utf-8")
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        html.replace("</head>", '<link rel="stylesheet" href="https://cdn.example.com/x.css"></head>', 1),
        encoding="utf-8",
    )
    browser.get_log("browser")
    browser.get(leaky.as_uri())
    console = browser.get_log("browser")
    assert any(e["level"] == "SEVERE" and "cdn.example.com" in e["message"] for e in console), console
