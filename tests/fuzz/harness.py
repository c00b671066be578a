"""Run one ``dbarch`` command in process, in a forked child held to a memory limit and a timeout, and
say which of the allowed outcomes it had.

A command may end in exactly two ways: valid output (exit 0, or 1 for "findings at error level"),
or a :class:`~dbarchitect.errors.DbarchError` printed as one ``error:`` line with exit 2. Anything
else is a defect the fuzz tests report: an internal error, a traceback, a hang (killed at the wall
timeout), a blow-up (the child's address space is limited, so it dies instead of the machine).

The child is forked from the test process (everything is imported already, so a case costs what the
command costs), runs the CLI's ``main()`` with its standard streams on files, and the parent reads the
child's CPU time and peak memory from ``wait4``.
"""

from __future__ import annotations

import os
import resource
import select
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: The child's address-space limit: far over the 1 GB peak a case may reach, far under the machine.
MEMORY_LIMIT = 3 * 1024**3
#: Wall seconds before a case counts as a hang (generous: the machine may be loaded).
WALL_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok | user-error | internal | timeout | crashed
    exit_code: int | None
    stdout: str
    stderr: str
    cpu_s: float
    peak_mb: float

    @property
    def message(self) -> str:
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    def describe(self) -> str:
        return (
            f"{self.kind} (exit {self.exit_code}, {self.cpu_s:.1f} s CPU, {self.peak_mb:.0f} MB): "
            f"{self.stderr[-800:]!r}"
        )


def _classify(code: int | None, stdout: str, stderr: str) -> str:
    errors = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    if "internal error" in stderr or "Traceback (most recent call last)" in stderr:
        return "internal"
    if code == 2:
        if not errors and stdout.strip():
            return "ok"  # a report whose contract is exit 2 (lint's invalid SQL, a failed rehearsal)
        # one error line per problem (a brief's problems are reported together), no traceback
        return "user-error" if errors else "internal"
    if code in (0, 1):
        return "ok"
    return "crashed"


def run_cli(
    args: list[str],
    *,
    cwd: Path,
    stdin: bytes = b"",
    memory_limit: int = MEMORY_LIMIT,
    wall_timeout_s: float = WALL_TIMEOUT_S,
    env: dict[str, str] | None = None,
) -> Outcome:
    """``dbarch *args`` in ``cwd`` in a forked child; never raises for what the command does."""
    with tempfile.TemporaryDirectory(prefix="dbarch-fuzz-") as scratch:
        out_path, err_path, in_path = (Path(scratch) / n for n in ("out", "err", "in"))
        in_path.write_bytes(stdin)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 70
            try:
                os.chdir(cwd)
                for fd, path, mode in ((0, in_path, os.O_RDONLY), (1, out_path, 0), (2, err_path, 0)):
                    flags = mode if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                    handle = os.open(path, flags, 0o600)
                    os.dup2(handle, fd)
                    os.close(handle)
                sys.stdin = open(0, closefd=False)  # noqa: SIM115
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                os.environ.update(env or {})
                hard = resource.getrlimit(resource.RLIMIT_AS)[1]
                soft = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
                resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
                from dbarchitect.cli import main

                sys.argv = ["dbarch", *args]
                try:
                    main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                except MemoryError:
                    sys.stderr.write("harness: MemoryError escaped the command\n")
                    code = 71
                except BaseException as exc:
                    import traceback

                    sys.stderr.write("Traceback (most recent call last) escaped main():\n")
                    traceback.print_exception(exc, file=sys.stderr)
                    code = 72
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        started = time.monotonic()
        status = 0
        usage: resource.struct_rusage | None = None
        timed_out = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == pid:
                break
            if time.monotonic() - started > wall_timeout_s:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                timed_out = True
                break
            select.select([], [], [], 0.005)
        stdout = out_path.read_text(errors="replace") if out_path.exists() else ""
        stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
    cpu = (usage.ru_utime + usage.ru_stime) if usage is not None else 0.0
    peak = (usage.ru_maxrss / 1024) if usage is not None else 0.0
    if timed_out:
        return Outcome("timeout", None, stdout, stderr, cpu, peak)
    if os.WIFSIGNALED(status):
        return Outcome("crashed", -os.WTERMSIG(status), stdout, stderr, cpu, peak)
    code = os.WEXITSTATUS(status)
    return Outcome(_classify(code, stdout, stderr), code, stdout, stderr, cpu, peak)
