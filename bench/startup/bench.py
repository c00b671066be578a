"""Start-up benchmark (issue 17): CPU seconds and import time of ``dbarch --help``, ``dbarch rules
list`` and the MCP server's answer to ``initialize``, for this checkout against a baseline commit
measured in the same run on the same machine.

The baseline's ``src/`` is extracted with ``git archive`` into a temporary directory and put first on
``PYTHONPATH``, so both run with the same interpreter and the same installed dependencies. Each
command runs ``--runs`` times per side, alternating sides; the figures are medians:

- **CPU**: user + system seconds of the child process (``resource.getrusage(RUSAGE_CHILDREN)``);
- **imports**: the sum of ``-X importtime``'s cumulative microseconds of the top-level imports (what
  the process imported before it could print anything);
- **MCP initialize**: wall seconds from starting ``dbarch mcp`` (stdio) to its ``initialize``
  response, and the CPU the server used until then.

    .venv/bin/python bench/startup/bench.py [--baseline bbd04c3] [--runs 7]

Target (issue 17): under 0.3 s of CPU for ``--help`` and ``rules list``; ``initialize`` within 1 s.
Writes Markdown to stdout and ``bench/startup/results/<timestamp>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import select
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
#: The commit before issue 17's start-up work (the CLI just split into cli/, everything imported up front).
DEFAULT_BASELINE = "bbd04c3"
MAIN = "import sys; from dbarchitect.cli import main; sys.argv[0] = 'dbarch'; main()"


@dataclass
class Sample:
    cpu_s: float
    import_us: int
    wall_s: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _import_us(stderr: str) -> int:
    """The sum of the top-level imports' cumulative times in an ``-X importtime`` trace."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
            total += int(cumulative)
    return total


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100", "NO_COLOR": "1"}


def run_command(src: Path, args: list[str]) -> Sample:
    before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", MAIN, *args],
        env=_env(src),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed on {src}: {done.stderr[-2000:]}")
    return Sample(_children_cpu() - before, _import_us(done.stderr), wall)


def mcp_initialize(src: Path) -> Sample:
    """Start ``dbarch mcp`` on stdio, send ``initialize``, time the response; then close stdin."""
    from mcp.types import LATEST_PROTOCOL_VERSION

    request = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": LATEST_PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"},
        },
    }
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", MAIN, "mcp", "--root", str(REPO)],
            env=_env(src),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            cwd=REPO,
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write((json.dumps(request) + "\n").encode())
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 120)
        if not ready:
            process.kill()
            raise SystemExit(f"no initialize response from {src} in 120 s")
        line = process.stdout.readline()
        wall = time.perf_counter() - started
        # CPU until the answer: read it from /proc before the process goes on to anything else.
        cpu = _proc_cpu(process.pid)
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if b'"result"' not in line:
        raise SystemExit(f"unexpected initialize response from {src}: {line[:500]!r}")
    return Sample(cpu, 0, wall)


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def baseline_src(commit: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "src"], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit to compare against")
    parser.add_argument("--runs", type=int, default=7, help="runs per command and side (median)")
    parser.add_argument("--skip-mcp", action="store_true", help="leave out the MCP initialize timing")
    options = parser.parse_args()
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=REPO, capture_output=True, text=True)
    commands = {"dbarch --help": ["--help"], "dbarch rules list": ["rules", "list"]}
    results: dict[tuple[str, str], list[Sample]] = {}
    with tempfile.TemporaryDirectory(prefix="dbarch-startup-") as tmp:
        sides = {"baseline": baseline_src(options.baseline, Path(tmp)), "this": REPO / "src"}
        for _ in range(options.runs):
            for label, args in commands.items():
                for side, src in sides.items():
                    results.setdefault((label, side), []).append(run_command(src, args))
            if not options.skip_mcp:
                for side, src in sides.items():
                    results.setdefault(("MCP initialize", side), []).append(mcp_initialize(src))
    lines = [
        f"# Start-up: {head}{' (+ uncommitted changes)' if dirty.stdout.strip() else ''} "
        f"against baseline {options.baseline}",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()} on "
        f"{platform.platform()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"median of {options.runs} runs per side, sides alternating.",
        "",
        "| command | baseline CPU | this CPU | ratio | baseline imports | this imports | "
        "baseline wall | this wall | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label in [*commands, *([] if options.skip_mcp else ["MCP initialize"])]:
        base, this = results[(label, "baseline")], results[(label, "this")]
        cpu_b, cpu_t = _median(base, "cpu_s"), _median(this, "cpu_s")
        imp_b, imp_t = _median(base, "import_us"), _median(this, "import_us")
        wall_b, wall_t = _median(base, "wall_s"), _median(this, "wall_s")
        if label == "MCP initialize":
            target = f"wall < 1 s: {'PASS' if wall_t < 1.0 else 'MISS'}"
            imports = ("—", "—")
        else:
            target = f"CPU < 0.3 s: {'PASS' if cpu_t < 0.3 else 'MISS'}"
            imports = (f"{imp_b / 1e6:.3f} s", f"{imp_t / 1e6:.3f} s")
        lines.append(
            f"| `{label}` | {cpu_b:.3f} s | {cpu_t:.3f} s | {cpu_t / cpu_b:.2f} | {imports[0]} | "
            f"{imports[1]} | {wall_b:.3f} s | {wall_t:.3f} s | {target} |"
        )
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
