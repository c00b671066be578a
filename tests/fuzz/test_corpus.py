"""The fixed hostile corpus (tests/fuzz/corpus.py), every case run in process in a forked child held
to 3 GB of address space: each ends as promised (one ``error:`` line and exit 2, or valid output),
within 10 s of CPU, under 1 GB of memory, never as an internal error, a traceback or a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import dbarchitect.api
import dbarchitect.cli  # noqa: F401
from tests.fuzz.corpus import CASES, DIRECTORY, FIFO, Case
from tests.fuzz.harness import run_cli

#: CPU seconds a hostile case may take (the issue's acceptance: within 10 s).
CPU_LIMIT_S = 10.0
#: Peak memory of a case (the child's resident set, the test process's own pages included).
PEAK_LIMIT_MB = 1024.0


def materialize(case: Case, root: Path) -> None:
    for name, content in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == FIFO:
            os.mkfifo(path)
        elif content == DIRECTORY:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    materialize(case, tmp_path)
    outcome = run_cli(list(case.args), cwd=tmp_path, stdin=case.stdin, env=case.env)
    assert outcome.kind in ("ok", "user-error"), outcome.describe()
    if case.expect != "either":
        assert outcome.kind == case.expect, outcome.describe()
    if outcome.kind == "user-error" and case.says is not None:
        assert case.says.lower() in outcome.message.lower(), outcome.describe()
        assert len(outcome.message) < 1000, outcome.describe()  # named, never echoed whole
    for piece in case.shows:
        assert piece.lower() in outcome.stdout.lower(), outcome.describe()
    if case.hides is not None:
        assert case.hides not in outcome.stdout + outcome.stderr, outcome.describe()
    if case.expect == "user-error":
        assert outcome.cpu_s < CPU_LIMIT_S, outcome.describe()
    assert outcome.peak_mb < PEAK_LIMIT_MB, outcome.describe()
