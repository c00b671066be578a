"""Scale benchmark (issue 14): CPU seconds and peak memory of ``inspect``, ``design``, ``check`` and
``indexes`` (built-in cost model, no server) on generated briefs of 25, 100, 400 and 1,000 tables,
for this checkout against a baseline commit measured in the same run on the same machine, with the
exponent of the growth fitted from 100 to 1,000 tables; and (``--examples``) whether every example's
output is byte-for-byte the same before and after.

The generated briefs (:func:`make_brief`) look like an application's schema grown large: tables in
foreign-key chains (each table references the one before it, every tenth also the first of its
group), five statements per table (a lookup by key, a join to its parent, a range on a timestamp
ordered and limited, an update, an insert), row counts and growth on every table, and an index
storage budget. The same seed gives the same brief.

The baseline's ``src/`` is extracted with ``git archive`` into a temporary directory and put first on
``PYTHONPATH``, so both sides run with the same interpreter and dependencies. Each command runs in a
child process; CPU is the child's user + system time and peak memory its maximum resident set
(``wait4``). A command past ``--timeout`` seconds is stopped and shown as such.

    .venv/bin/python bench/scale/bench.py [--baseline COMMIT] [--sizes 25,100,400,1000]
        [--commands inspect,design,check,indexes] [--timeout 1800] [--skip-baseline] [--examples]

Targets (issue 14): a 400-table ``design`` under 30 s of CPU; growth from 100 to 1,000 tables no
faster than n log n (a fitted exponent of at most 1.18 — n log n itself fits 1.18 over that span).
Writes Markdown to stdout and ``bench/scale/results/<timestamp>.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
#: main before the scale work (issue 14's security and limits work landed, nothing sped up yet).
DEFAULT_BASELINE = "7fbb8da"
MAIN = "import sys; from dbarchitect.cli import main; sys.argv[0] = 'dbarch'; main()"
COMMANDS = ("inspect", "design", "check", "indexes")
#: n log n's own exponent from 100 to 1,000: log10((1000 ln 1000) / (100 ln 100)).
NLOGN_EXPONENT = math.log10((1000 * math.log(1000)) / (100 * math.log(100)))


def make_brief(tables: int) -> dict[str, object]:
    """A brief of ``tables`` tables in foreign-key chains, five statements each, sizes on all."""
    entities: dict[str, object] = {}
    sizes: dict[str, object] = {}
    statements: list[dict[str, object]] = []
    for i in range(tables):
        name = f"t{i:04d}"
        columns: dict[str, object] = {
            "id": {"type": "bigint", "identity": True, "primary_key": True},
            "status": {"type": "varchar(20)", "nullable": False, "values": ["new", "active", "closed"]},
            "amount": {"type": "numeric(12,2)", "nullable": False, "default": 0},
            "created_at": {"type": "timestamptz", "nullable": False, "default": "CURRENT_TIMESTAMP"},
            "label": {"type": "varchar(100)"},
        }
        if i > 0:
            columns["parent_id"] = {"type": "bigint", "nullable": False, "references": f"t{i - 1:04d}(id)"}
        if i % 10 == 9:
            columns["group_id"] = {"type": "bigint", "references": f"t{i - 9:04d}(id)"}
        entities[name] = {"columns": columns}
        rows = 1_000 * (1 + (i * 37) % 500)
        sizes[name] = {
            "rows": rows,
            "growth": f"{max(rows // 100, 1)}/day",
            "columns": {
                "status": {"distinct": 3, "hot_values": {"active": 0.8, "new": 0.15, "closed": 0.05}}
            },
        }
        statements += [
            {
                "name": f"{name}_by_id",
                "sql": f"SELECT id, status, amount FROM {name} WHERE id = :id",
                "rate": "50/s",
            },
            {
                "name": f"{name}_recent",
                "sql": f"SELECT id, amount FROM {name} WHERE status = :s AND created_at > :since "
                "ORDER BY created_at DESC LIMIT 20",
                "rate": "5/s",
            },
            {
                "name": f"{name}_touch",
                "sql": f"UPDATE {name} SET amount = amount + :d WHERE id = :id",
                "rate": "2/s",
            },
            {
                "name": f"{name}_add",
                "sql": f"INSERT INTO {name} (status, amount{', parent_id' if i else ''}) "
                f"VALUES (:s, :a{', :p' if i else ''})",
                "rate": "1/s",
            },
        ]
        if i > 0:
            parent = f"t{i - 1:04d}"
            statements.append(
                {
                    "name": f"{name}_with_parent",
                    "sql": f"SELECT c.id, p.status FROM {name} c JOIN {parent} p ON p.id = c.parent_id "
                    "WHERE c.parent_id = :p",
                    "rate": "10/s",
                }
            )
        else:
            statements.append(
                {"name": f"{name}_by_label", "sql": f"SELECT id FROM {name} WHERE label = :l", "rate": "1/s"}
            )
    return {
        "name": f"scale-{tables}",
        "engine": "postgresql 15",
        "schema": {"entities": entities},
        "tables": sizes,
        "workload": {"statements": statements},
        "budgets": {"index_storage": f"{max(tables // 4, 1)}GB"},
    }


@dataclass
class Run:
    cpu_s: float | None
    peak_mb: float | None
    status: str
    output: bytes = b""


def run_command(src: Path, args: list[str], cwd: Path, timeout_s: float) -> Run:
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "120", "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", MAIN, *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE
        )
        started = time.monotonic()
        while True:
            done, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if done == proc.pid:
                break
            if time.monotonic() - started > timeout_s:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return Run(
                    usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, f"timeout {timeout_s:.0f} s"
                )
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
        error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = proc.returncode
    ok = code in (0, 1)
    shown = "ok" if ok else f"exit {code}: {error.strip().splitlines()[-1] if error.strip() else ''}"[:120]
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, shown, output)


#: Output fields a pure speed-up changes (how long a step took): left out of the comparison.
VOLATILE = frozenset({"seconds"})


def same_output(a: bytes, b: bytes) -> bool:
    """The two JSON outputs say the same, timings aside (byte-for-byte when either is not JSON)."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in VOLATILE}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    try:
        return strip(json.loads(a)) == strip(json.loads(b))
    except ValueError:
        return a == b


def extract(commit: str, into: Path) -> Path:
    data = subprocess.run(["git", "archive", commit, "src"], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into / "src"


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) on log(tables)."""
    usable = [(math.log(n), math.log(t)) for n, t in points if t and t > 0]
    if len(usable) < 2:
        return None
    mx = sum(x for x, _ in usable) / len(usable)
    my = sum(y for _, y in usable) / len(usable)
    sxx = sum((x - mx) ** 2 for x, _ in usable)
    return sum((x - mx) * (y - my) for x, y in usable) / sxx if sxx else None


def _args(command: str, brief: str) -> list[str]:
    return {
        "inspect": ["inspect", brief, "--format", "json"],
        "design": ["design", brief, "--format", "json", "--quiet"],
        "check": ["check", brief, "--format", "json", "--quiet"],
        "indexes": ["indexes", brief, "--format", "json", "--quiet"],
    }[command]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--sizes", default="25,100,400,1000")
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--examples", action="store_true", help="compare every example's outputs too")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",") if s]
    commands = [c for c in options.commands.split(",") if c]
    baseline = subprocess.run(
        ["git", "rev-parse", "--short", options.baseline],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    current = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    lines = [
        f"# Scale benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at start. Current: {current} (with uncommitted changes); "
        f"baseline: {baseline}. Built-in cost model, no server. CPU = user + system seconds of the command's "
        "process; peak = its maximum resident set.",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="dbarch-scale-") as folder:
        work = Path(folder)
        sides = {"current": REPO / "src"}
        if not options.skip_baseline:
            sides["baseline"] = extract(baseline, work / "baseline")
        results: dict[tuple[str, str, int], Run] = {}
        for n in sizes:
            brief = work / f"scale-{n}.yaml"
            brief.write_text(yaml.safe_dump(make_brief(n), sort_keys=False))
            for command in commands:
                for side, src in sides.items():
                    run = run_command(src, _args(command, brief.name), work, options.timeout)
                    results[(side, command, n)] = run
                    print(
                        f"{side:8} {command:8} {n:5} tables: {run.cpu_s or 0:8.1f} s CPU, "
                        f"{run.peak_mb or 0:7.0f} MB, {run.status}",
                        file=sys.stderr,
                        flush=True,
                    )
        header = (
            "| command | tables | " + " | ".join(f"{s} CPU s | {s} peak MB" for s in sides) + " | ratio |"
        )
        lines += [
            header,
            "|" + "---|" * (3 + 2 * len(sides)),
        ]
        for command in commands:
            for n in sizes:
                cells = []
                for side in sides:
                    r = results[(side, command, n)]
                    cpu = f"{r.cpu_s:.1f}" if r.status == "ok" and r.cpu_s is not None else f"({r.status})"
                    cells += [cpu, f"{r.peak_mb:.0f}" if r.peak_mb is not None else "-"]
                ratio = "-"
                if "baseline" in sides:
                    a, b = results[("current", command, n)], results[("baseline", command, n)]
                    if a.status == b.status == "ok" and a.cpu_s and b.cpu_s:
                        ratio = (
                            f"{b.cpu_s / a.cpu_s:.1f}x faster"
                            if b.cpu_s >= a.cpu_s
                            else f"{a.cpu_s / b.cpu_s:.1f}x slower"
                        )
                lines.append(f"| {command} | {n} | " + " | ".join(cells) + f" | {ratio} |")
        lines += [
            "",
            f"Fitted exponent of CPU time from 100 to 1,000 tables (n log n: {NLOGN_EXPONENT:.2f}):",
            "",
        ]
        for command in commands:
            for side in sides:
                points = [
                    (n, results[(side, command, n)].cpu_s or 0.0)
                    for n in sizes
                    if 100 <= n <= 1000 and results[(side, command, n)].status == "ok"
                ]
                k = exponent(points)
                verdict = "" if k is None else (" (PASS)" if k <= NLOGN_EXPONENT + 0.02 else " (MISS)")
                lines.append(f"- {command}, {side}: " + ("-" if k is None else f"{k:.2f}") + verdict)
        if 400 in sizes and "design" in commands:
            d = results[("current", "design", 400)]
            verdict = "PASS" if d.status == "ok" and (d.cpu_s or 1e9) < 30 else "MISS"
            lines += ["", f"400-table design: {d.cpu_s or 0:.1f} s CPU (target < 30 s): {verdict}"]
        same = [
            f"{command} {n}"
            for command in commands
            for n in sizes
            if "baseline" in sides
            and results[("current", command, n)].status == results[("baseline", command, n)].status == "ok"
            and same_output(results[("current", command, n)].output, results[("baseline", command, n)].output)
        ]
        if "baseline" in sides:
            lines += [
                "",
                f"Identical JSON output (timings aside), current vs baseline: {len(same)} of "
                f"{len(commands) * len(sizes)} runs.",
            ]
        if options.examples and "baseline" in sides:
            lines += ["", "## Every example, current vs baseline (JSON output byte for byte)", ""]
            for brief_path in sorted((REPO / "examples").glob("*/brief.yaml")):
                for command in COMMANDS:
                    a = run_command(
                        sides["current"], _args(command, str(brief_path)), brief_path.parent, options.timeout
                    )
                    b = run_command(
                        sides["baseline"], _args(command, str(brief_path)), brief_path.parent, options.timeout
                    )
                    same_run = same_output(a.output, b.output) and a.status == b.status
                    verdict = "identical" if same_run else "DIFFERENT"
                    lines.append(
                        f"- {brief_path.parent.name} {command}: {verdict} "
                        f"({a.cpu_s or 0:.1f} s vs {b.cpu_s or 0:.1f} s)"
                    )
    text = "\n".join(lines) + "\n"
    print(text)
    out = HERE / "results" / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
