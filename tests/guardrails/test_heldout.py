"""The held-out migrations (``heldout/<engine>/*.sql``): every file gives exactly the findings marked
in it (``-- expect: rule-id`` on the line of each finding), no more and no fewer, and a file with a
statement that does not parse never exits 0. The same through ``dbarch lint`` on each folder, on
several files and on standard input, in every output format."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.cli import app
from tests.guardrails.cases_support import load_case

HELDOUT = Path(__file__).parent / "heldout"
FILES = sorted(HELDOUT.glob("*/*.sql"))
ENGINES = {"postgresql": "postgresql 15", "mariadb": "mariadb 10.11", "mysql": "mysql 8.0"}
_EXPECT = re.compile(r"--\s*expect:\s*(?P<ids>[a-z, -]+?)\s*$")

runner = CliRunner()


def expected(path: Path) -> Counter[tuple[str, int]]:
    """(rule id, line) of each finding marked in the file."""
    found: Counter[tuple[str, int]] = Counter()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        m = _EXPECT.search(line)
        if m:
            found.update((rule.strip(), number) for rule in m["ids"].split(",") if rule.strip())
    return found


def test_the_set_is_big_enough_and_has_both_kinds() -> None:
    assert len(FILES) >= 60
    clean = [p for p in FILES if not expected(p)]
    assert len(clean) >= 20, "safe forms must be in the set too"
    assert sorted(p.name for p in HELDOUT.iterdir() if p.is_dir()) == sorted(ENGINES)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_each_file_gives_exactly_the_expected_findings(path: Path) -> None:
    result = load_case(path).lint()
    got = Counter((f.rule_id, f.span.line) for f in result.findings)
    want = expected(path)
    assert sorted((got - want).elements()) == [], "false alarms"
    assert sorted((want - got).elements()) == [], "missed"
    if any(rule == "invalid-sql" for rule, _ in want):
        assert result.exit_code == 2


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("form", ["json", "sarif", "github"])
def test_a_folder_through_the_command_line(engine: str, form: str) -> None:
    folder = HELDOUT / engine
    result = runner.invoke(app, ["lint", str(folder), "--engine", ENGINES[engine], "-f", form, "-q"])
    files = sorted(folder.glob("*.sql"))
    want = Counter(
        (p.name, rule, line) for p in files for (rule, line), n in expected(p).items() for _ in range(n)
    )
    invalid = any(rule == "invalid-sql" for _, rule, _ in want)
    errors = any(load_case(p).lint().errors for p in files)
    assert result.exit_code == (2 if invalid else 1 if errors else 0), result.output
    if form == "json":
        doc = json.loads(result.stdout)
        got = Counter((Path(f["file"]).name, f["rule"], f["line"]) for f in doc["findings"])
        assert [Path(s["file"]).name for s in doc["files"]] == [p.name for p in files]
    elif form == "sarif":
        doc = json.loads(result.stdout)
        got = Counter(
            (
                Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name,
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in doc["runs"][0]["results"]
        )
    else:
        got = Counter(
            (Path(m["file"]).name, m["rule"], int(m["line"]))
            for m in re.finditer(
                r"^::(?:error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),[^:]*title=dbarch lint%3A (?P<rule>[a-z-]+)",
                result.stdout,
                re.MULTILINE,
            )
        )
    assert got == want


def test_several_files_and_standard_input() -> None:
    first, second = (
        HELDOUT / "postgresql" / "rails_add_index.sql",
        HELDOUT / "postgresql" / "invalid_typo.sql",
    )
    both = runner.invoke(app, ["lint", str(first), str(second), "-e", "postgresql 15", "-f", "json", "-q"])
    assert both.exit_code == 2
    doc = json.loads(both.stdout)
    assert [Path(s["file"]).name for s in doc["files"]] == [first.name, second.name]
    stdin = runner.invoke(
        app, ["lint", "-", "-e", "postgresql 15", "-f", "json", "-q"], input=second.read_text()
    )
    assert stdin.exit_code == 2
    got = Counter((f["rule"], f["line"]) for f in json.loads(stdin.stdout)["findings"])
    assert got == expected(second)
