"""Servers a drill starts: each a child process on loopback with its files in the scratch directory,
run as the service user when the drill runs as root, and stopped (by its own process id) at the end.

Nothing here touches a server it did not start: :class:`Processes` remembers every process it
launched and :meth:`Processes.stop_all` ends exactly those.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbarchitect.errors import DbarchError, Diagnostic


class DrillError(DbarchError):
    """A drill could not run (a tool missing, a server that did not start): says which and why."""


def need_tool(name: str, package: str) -> str:
    """The path of ``name``; a clear error naming the Debian package when it is missing."""
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/lib/postgresql/15/bin") / name) if p.exists()),
        None,
    )
    if found is None:
        raise DrillError(
            Diagnostic(
                f"{name} is not installed; the drill needs it",
                hint=f"apt-get install {package} (scripts/test.sh installs it)",
            )
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def service_user(name: str) -> str | None:
    """The user a server runs as: ``name`` when we are root (servers refuse root), else us."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise DrillError(
            Diagnostic(f"no '{name}' user to run the server as (it refuses to run as root)")
        ) from None
    return name


def give_to(user: str | None, *paths: Path) -> None:
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for path in paths:
        for root, dirs, files in os.walk(path):
            os.chown(root, entry.pw_uid, entry.pw_gid)
            for f in (*dirs, *files):
                with contextlib.suppress(FileNotFoundError):
                    os.chown(os.path.join(root, f), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _identity(user: str | None) -> dict[str, object]:
    """Popen arguments that run the process as ``user`` (no wrapper process: its pid is the server's,
    so a SIGKILL reaches the server itself)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": "/"}


def _user_env(user: str | None) -> dict[str, str]:
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user}


@dataclass
class Started:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Processes:
    """Every process a drill started, so that exactly those are stopped."""

    root: Path
    started: list[Started] = field(default_factory=list)
    extra_pids: list[int] = field(default_factory=list)

    def start(
        self, name: str, argv: Sequence[str], *, user: str | None = None, env: dict[str, str] | None = None
    ) -> Started:
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("ab")
        full_env = {**os.environ, **_user_env(user), **(env or {})}
        proc = subprocess.Popen(  # type: ignore[call-overload]
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            start_new_session=True,
            **_identity(user),
        )
        out.close()
        entry = Started(name, proc, log)
        self.started.append(entry)
        return entry

    def remember(self, pid: int) -> None:
        """A process a started one forked (a postmaster), stopped at the end too."""
        self.extra_pids.append(pid)

    def kill(self, entry: Started, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(entry.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            entry.proc.wait(timeout=10)

    def stop_all(self) -> None:
        """Stop every process started here (TERM, then KILL after a grace period), newest first."""
        for entry in reversed(self.started):
            if entry.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(entry.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for entry in reversed(self.started):
            left = max(0.1, deadline - time.monotonic())
            try:
                entry.proc.wait(timeout=left)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(entry.proc.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    entry.proc.wait(timeout=5)
        for pid in self.extra_pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        self.started.clear()
        self.extra_pids.clear()


def run(
    argv: Sequence[str],
    *,
    user: str | None = None,
    timeout: float = 300,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a tool to completion; a failure is a :class:`DrillError` quoting its last output lines."""
    done: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        list(argv),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **_user_env(user), **(env or {})},
        stdin=subprocess.DEVNULL,
        **_identity(user),
    )
    if check and done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise DrillError(Diagnostic(f"{Path(argv[0]).name} {' '.join(argv[1:3])} failed: {tail}"))
    return done


def wait_until(
    what: str, check: Callable[[], bool], timeout: float, interval: float = 0.2, log: Path | None = None
) -> float:
    """Poll ``check`` until it holds; seconds waited. A timeout is a :class:`DrillError` naming
    ``what`` and the end of ``log``."""
    started = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # not up yet
            pass
        if time.monotonic() - started > timeout:
            tail = ""
            if log is not None and log.exists():
                lines = log.read_text(errors="replace").strip().splitlines()[-3:]
                tail = ": " + " | ".join(lines)
            raise DrillError(Diagnostic(f"{what} within {timeout:g}s did not happen{tail}"))
        time.sleep(interval)


def http_json(url: str, timeout: float = 2.0) -> object:
    import json

    with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
        return json.loads(response.read().decode())


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0
