"""A tool's failure as one line, redacted, in the tools' own words: the command line's options
named as the tool's parameters, pydantic's argument errors grouped per argument, a bug named as one
(its traceback on the server's log)."""

from __future__ import annotations

import logging
import re
import traceback

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import BaseModel, ValidationError

from dbarchitect.errors import DbarchError, redact
from dbarchitect.mcp.inputs import SchemaSource
from dbarchitect.mcp.isolation import CallFailed

log = logging.getLogger("dbarchitect.mcp")


def _object_shape(model: type[BaseModel]) -> str:
    """An argument object's fields as an agent writes them: ``{"ddl": ...} or {"path": ...}``."""
    return " or ".join(f'{{"{name}": ...}}' for name in model.model_fields)


#: Argument objects whose type error names their shape instead of pydantic's "Input should be a
#: valid dictionary or instance of SchemaSource".
_OBJECTS: dict[str, str] = {"SchemaSource": _object_shape(SchemaSource)}

#: The command line's options as the tools' parameters, for messages written by the layers below
#: (which speak the command line's language). An option with no parameter is named as the command
#: line's, so the agent can tell its user.
_PARAMETERS: dict[str, dict[str, str]] = {
    "*": {"--database": "database", "--engine": "engine", "--brief": "brief_path"},
    "recommend_indexes": {
        "--budget": "budget",
        "--time-limit": "time_limit_s",
        "--work-limit": "work_limit",
        "--algorithm": "algorithm",
    },
    "plan_migration": {
        "--allow-data-loss": "allow_data_loss",
        "--rename": "renames",
        "--check": "check_url",
        "--rehearse": "scratch_url",
        "--from": "current",
        "--to": "target",
    },
    "lint_migration": {"--rule": "rules"},
    "check_design": {"--engine-url": "engine_urls"},
    "verify_design": {
        "--engine-url": "engine_url",
        "--scale": "scale",
        "--seconds": "seconds_per_statement",
        "--repetitions": "repetitions",
        "--seed": "seed",
    },
}
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
#: Commands the layers below point the user at, as the resources that hold the same text.
_COMMANDS = {
    "`dbarch brief-schema`": "the resource dbarch://brief-schema",
    "`dbarch rules list`": "the resource dbarch://rules",
}


def in_tool_words(tool: str, message: str) -> str:
    """``message`` with the command line's options named as ``tool``'s parameters: ``pass
    allow_data_loss (--allow-data-loss)`` becomes ``pass allow_data_loss``, ``--database`` becomes
    ``database``; an option the tool has no parameter for is named as the command line's
    (``dbarch migrate --rehearse-existing``). The server's own switches (``--allow-scratch``,
    ``--root``) stay: they are how the user starts the server."""
    names = {**_PARAMETERS["*"], **_PARAMETERS.get(tool, {})}

    def word(match: re.Match[str]) -> str:
        option = match.group(0)
        if option in names:
            return names[option]
        if option in ("--allow-scratch", "--root", "--allow-remote", "--http", "--host", "--port"):
            return option
        return f"the command line's {option}"

    for option, parameter in names.items():
        message = message.replace(f"{parameter} ({option})", parameter)
    for command, resource in _COMMANDS.items():
        message = message.replace(command, resource)
    return _OPTION.sub(word, message)


def _where(loc: tuple[int | str, ...]) -> str:
    """An argument path without the union-member tags pydantic adds (``dict[str,any]``, ``str``)."""
    parts = [
        p for p in loc if isinstance(p, int) or not ("[" in p or "function-" in p or p in ("str", "int"))
    ]
    return ".".join(str(p) for p in parts) or "arguments"


def _validation_text(exc: ValidationError) -> str:
    """A pydantic argument error as one line: each argument path and what is wrong with it (the
    alternatives of a union that matched none, joined), every argument in error, ``|`` between them
    as for a brief's several problems."""
    grouped: dict[str, list[str]] = {}
    for e in exc.errors():
        if e["type"] == "missing":
            text = "is missing"
        elif e["type"] == "extra_forbidden":
            text = "is not a field here"
        elif e["type"] == "model_type" and e.get("ctx", {}).get("class_name") in _OBJECTS:
            text = f"give an object: {_OBJECTS[e['ctx']['class_name']]}"
        else:
            text = e["msg"].removeprefix("Value error, ")
        messages = grouped.setdefault(_where(tuple(e["loc"])), [])
        if text not in messages:
            messages.append(text)
    parts = [
        f"{where}: " + messages[0] + "".join(f", or {m[0].lower()}{m[1:]}" for m in messages[1:])
        for where, messages in grouped.items()
    ]
    return redact(" | ".join(" ".join(part.split()) for part in parts))


def _error_text(name: str, exc: ToolError) -> str:
    cause = exc.__cause__
    if isinstance(cause, DbarchError):
        # several problems in one input (a brief): all of them, on the one line a tool error has
        text = " | ".join(str(d) for d in cause.diagnostics) if cause.more else str(cause)
        return in_tool_words(name, text)
    if isinstance(cause, CallFailed):
        log.error("tool %s failed unexpectedly:\n%s", name, cause.trace)
        return f"internal error in {name}: {cause} (a bug in dbarch; report it)"
    if isinstance(exc, UnexpectedToolError) and cause is not None:
        log.error(
            "tool %s failed unexpectedly:\n%s",
            name,
            redact("".join(traceback.format_exception(type(cause), cause, cause.__traceback__))),
        )
        first = next((line.strip() for line in str(cause).splitlines() if line.strip()), "")
        return redact(
            f"internal error in {name}: {cause.__class__.__name__}: {first} (a bug in dbarch; report it)"
        )
    if isinstance(cause, ValidationError):
        return _validation_text(cause)
    return redact(" ".join(str(exc).split()))
