"""``dbarch``: the command line, a thin shell over :mod:`dbarchitect.api`.

Bad input of any kind prints one line naming the file, line or field and what to do, and exits
with code 2; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

from dbarchitect.cli import check, design, drill, indexes, lint, migrate, partition, schema, serve, verify
from dbarchitect.cli.app import app, fail

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
    """Run ``dbarch``. A usage error (an unknown option, ``--time-limit abc``) is one line naming the
    option and exit 2, like every other bad input; ``dbarch`` alone prints the help."""
    import sys

    import typer

    try:  # typer >= 0.29 carries its own click
        from typer._click import exceptions as errors
    except ImportError:  # pragma: no cover - older typer on click
        from click import exceptions as errors  # type: ignore[no-redef]

    try:
        try:
            code = app(standalone_mode=False)
        except errors.NoArgsIsHelpError:
            code = 0  # typer printed the help already
        except errors.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "dbarch"
            message = " ".join(exc.format_message().replace("Value error, ", "").split())
            fail(f"{message} (see `{where} --help`)")
        except typer.Abort:
            fail("interrupted", 130)
    except typer.Exit as exc:
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
