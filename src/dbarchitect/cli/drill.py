"""``dbarch drill``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dbarchitect.cli.app import BriefArg, QuietOpt, app, brief_path, progress, run


class DrillFormat(StrEnum):
    markdown = "markdown"
    text = "text"
    json = "json"


@app.command(short_help="Run the generated topology on loopback: failover, restore.")
def drill(
    brief: BriefArg,
    scratch_dir: Annotated[
        Path,
        typer.Option(
            "--scratch-dir",
            metavar="DIR",
            help="Directory for the drill's servers (a new folder in it, removed after).",
        ),
    ],
    scale: Annotated[float, typer.Option("--scale", help="Fraction of the brief's rows to load.")] = 0.001,
    kills: Annotated[int, typer.Option("--kills", help="Times the primary is killed (SIGKILL).")] = 5,
    async_kills: Annotated[
        int,
        typer.Option(
            "--async-kills", help="Kills after switching a synchronous cluster to asynchronous replication."
        ),
    ] = 0,
    rate: Annotated[float, typer.Option("--rate", help="Most commits a second the writer makes.")] = 100.0,
    ttl: Annotated[
        int | None, typer.Option("--ttl", help="Leader-key TTL in seconds instead of the design's (tests).")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine", metavar="ENGINE", help="One of the brief's server engines (default: the target)."
        ),
    ] = None,
    log_seconds: Annotated[
        float, typer.Option("--log-seconds", help="Seconds of writes for the WAL/binlog measure.")
    ] = 8.0,
    single_scale: Annotated[
        bool, typer.Option("--single-scale", help="Skip the restore at twice the scale.")
    ] = False,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the drill's directory (logs, files).")] = False,
    format: Annotated[
        DrillFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DrillFormat.markdown,
    quiet: QuietOpt = False,
) -> None:
    """Start the generated topology for real on loopback (a 3-node Patroni cluster with etcd, PgBouncer
    and pgBackRest; a MariaDB primary with a semi-synchronous replica), load synthetic data, run the
    write mix, kill the primary, restore to a point in time, measure the log volume and temporary
    files, and report each figure beside its goal and estimate (exit 1 when a goal is missed)."""
    from dbarchitect import api
    from dbarchitect.report.drill import drill_json, drill_markdown, drill_ok, drill_text

    path = brief_path(brief)
    with progress("drill", quiet) as reporter:
        result = run(
            lambda: api.drill_brief(
                path,
                scratch_dir=scratch_dir,
                scale=scale,
                kills=kills,
                async_kills=async_kills,
                rate=rate,
                ttl=ttl,
                engine=engine,
                log_seconds=log_seconds,
                second_scale=not single_scale,
                keep=keep,
                progress=lambda stage: reporter(stage),
            )
        )
    if format == DrillFormat.json:
        sys.stdout.write(drill_json(result))
    elif format == DrillFormat.text:
        sys.stdout.write(drill_text(result))
    else:
        sys.stdout.write(drill_markdown(result))
    raise typer.Exit(0 if drill_ok(result) else 1)
