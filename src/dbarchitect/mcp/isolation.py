"""Each tool call in a child process of its own, with a memory and a time limit, and cancellable.

An agent's input reaches code that can take a long time (an index search, a verification run) or,
through an input no limit foresaw, much memory; a thread cannot be stopped or held to a memory
budget. So every tool call runs in a process forked from the server for it:

- its address space is limited (``RLIMIT_AS``, ``--call-memory``, 4 GB by default): an allocation
  past it fails in the child, whose call ends with a one-line error, and the server stays small;
- it is killed when it runs past ``--call-timeout`` (600 s by default), the call ending with a
  one-line error naming the limit;
- it is killed when the client cancels the request (or disconnects): the awaiting coroutine is
  cancelled, and its ``finally`` stops the child.

The child sends back the tool's typed result, or the one-line message of a user error, or (for a
bug) the traceback, which the server logs. Forking keeps each call's start fast (nothing is
imported again) and closures (the server's sandbox) need no pickling.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar

import anyio
import anyio.to_thread

from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.limits import human_size

T = TypeVar("T")

#: Seconds between checks of a running child (the result is read as soon as it is sent).
_POLL_S = 0.02


@dataclass(frozen=True)
class CallLimits:
    """What one tool call may use."""

    seconds: float = 600.0
    memory_bytes: int = 4 * 1024**3


class Carried(Protocol):
    """State a tool call changes in the server (its store of full results): what the child added is
    taken back to the parent's copy."""

    def mark(self) -> Any: ...

    def collect(self, mark: Any) -> Any: ...

    def absorb(self, changes: Any) -> None: ...


class CallFailed(Exception):
    """A tool call that failed by a bug (not by the user's input): the child's traceback."""

    def __init__(self, name: str, summary: str, trace: str) -> None:
        super().__init__(summary)
        self.name = name
        self.trace = trace


def _hit_the_limit(limit: int) -> bool:
    """Whether this process reached its address-space limit: its peak virtual size (Linux) came
    within 64 MB of it, or 16 MB more cannot be had now."""
    try:
        for line in open("/proc/self/status").read().splitlines():  # noqa: SIM115
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024 >= limit - 64 * 1024 * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        bytearray(16 * 1024 * 1024)
    except MemoryError:
        return True
    return False


def _child(
    fn: Callable[..., Any],
    kwargs: dict[str, Any],
    conn: Connection,
    limits: CallLimits,
    carried: tuple[Carried, ...],
) -> None:
    try:
        marks = [c.mark() for c in carried]
        if limits.memory_bytes > 0:
            soft, hard = limits.memory_bytes, resource.getrlimit(resource.RLIMIT_AS)[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        try:
            result = fn(**kwargs)
            message: tuple[str, Any] = (
                "ok",
                (result, [c.collect(m) for c, m in zip(carried, marks, strict=True)]),
            )
        except DbarchError as exc:
            message = ("error", (type(exc).__name__, [str(d) for d in exc.diagnostics]))
        except MemoryError:
            message = (
                "error",
                (
                    "LimitExceeded",
                    [f"the call needed more than its memory limit of {human_size(limits.memory_bytes)}"],
                ),
            )
        except RecursionError:
            message = ("error", ("LimitExceeded", ["the call's input is nested too deeply to analyze"]))
        except BaseException as exc:
            if limits.memory_bytes > 0 and _hit_the_limit(limits.memory_bytes):  # C code may raise anything
                limit = human_size(limits.memory_bytes)
                message = (
                    "error",
                    ("LimitExceeded", [f"the call needed more than its memory limit of {limit}"]),
                )
            else:  # a bug: the server logs the traceback
                first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
                message = ("bug", (f"{type(exc).__name__}: {first}", traceback.format_exc()))
        try:
            conn.send(message)
        except Exception as exc:  # an unpicklable result is a bug too
            conn.send(
                ("bug", (f"cannot send the result: {type(exc).__name__}: {exc}", traceback.format_exc()))
            )
    finally:
        conn.close()
        os._exit(0)


async def run_isolated(
    name: str,
    fn: Callable[..., T],
    kwargs: dict[str, Any],
    limits: CallLimits,
    carried: tuple[Carried, ...] = (),
) -> T:
    """``fn(**kwargs)`` in a forked child under ``limits``; a user error is raised again as a
    :class:`DbarchError` with the child's message, a bug as :class:`CallFailed`; what the call
    added to ``carried`` state is absorbed into the parent's."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(fn, kwargs, send, limits, carried), daemon=True)
    child.start()
    send.close()
    started = time.monotonic()
    try:
        while True:
            if receive.poll():
                try:
                    kind, payload = receive.recv()
                except (EOFError, OSError):
                    kind, payload = "died", None
                break
            if not child.is_alive():
                kind, payload = "died", None
                break
            if time.monotonic() - started > limits.seconds:
                raise DbarchError(
                    Diagnostic(
                        f"{name} ran past its time limit of {limits.seconds:g} s and was stopped",
                        hint="give it less to do, or restart the server with a larger --call-timeout",
                    )
                )
            await anyio.sleep(_POLL_S)
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        receive.close()
    if kind == "ok":
        result, changes = payload
        for state, change in zip(carried, changes, strict=True):
            state.absorb(change)
        return result  # type: ignore[no-any-return]
    if kind == "error":
        _, texts = payload
        raise DbarchError(Diagnostic(texts[0]), more=[Diagnostic(t) for t in texts[1:]])
    if kind == "bug":
        summary, trace = payload
        raise CallFailed(name, redact(summary), redact(trace))
    code = child.exitcode
    raise DbarchError(
        Diagnostic(
            f"{name} stopped without a result (exit code {code}); most likely it went past its memory "
            f"limit of {human_size(limits.memory_bytes)}",
            hint="give it less to do, or restart the server with a larger --call-memory",
        )
    )


def isolated(
    limits: Callable[[], CallLimits],
    carried: tuple[Carried, ...] = (),
    prepare: Callable[[], None] | None = None,
) -> Callable[[Callable[..., T]], Callable[..., Any]]:
    """A decorator: the tool (a sync function) runs through :func:`run_isolated` under ``limits()``;
    its signature (the tool's input schema) is kept. ``prepare`` runs once in the server (in a worker
    thread) before the first call, e.g. to import what every call's child would import again."""
    prepared: list[bool] = []

    def decorate(fn: Callable[..., T]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def call(**kwargs: Any) -> T:
            if prepare is not None and not prepared:
                await anyio.to_thread.run_sync(prepare)
                prepared.append(True)
            return await run_isolated(fn.__name__, fn, kwargs, limits(), carried)

        return call

    return decorate
