"""``dbarch``: the command line, a thin shell over :mod:`dbarchitect.api`.

Bad input of any kind prints one line naming the file, line or field and what to do, and exits
with code 2; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

from dbarchitect.cli import check, design, drill, indexes, lint, migrate, partition, schema, serve, verify
from dbarchitect.cli.app import app

__all__ = [
    "app",
    "check",
    "design",
    "drill",
    "indexes",
    "lint",
    "main",
    "migrate",
    "partition",
    "schema",
    "serve",
    "verify",
]


#: The order ``dbarch --help`` lists the commands in (the modules register them as they are imported).
COMMAND_ORDER = (
    "inspect",
    "design",
    "indexes",
    "migrate",
    "lint",
    "check",
    "verify",
    "calibrate",
    "drill",
    "partition",
    "mcp",
    "brief-schema",
)


def _command_position(name: str | None) -> int:
    return COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(COMMAND_ORDER)


app.registered_commands.sort(
    key=lambda c: _command_position(c.name or (c.callback.__name__ if c.callback else None))
)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
