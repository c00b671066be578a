"""``dbarch verify`` and ``dbarch calibrate``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dbarchitect.cli.app import (
    BriefArg,
    CalibrationOpt,
    QuietOpt,
    app,
    check_output,
    configured_brief,
    fail,
    progress,
    run,
)


class VerifyFormat(StrEnum):
    markdown = "markdown"
    text = "text"
    json = "json"


EngineUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--engine-url",
        metavar="URL",
        help="An EMPTY scratch PostgreSQL/MariaDB/SQLite database to fill (default: embedded SQLite).",
    ),
]
EmbeddedOpt = Annotated[bool, typer.Option("--embedded", help="SQLite in a temporary file (the default).")]
ScaleOpt = Annotated[float, typer.Option("--scale", help="Fraction of the brief's row counts to generate.")]
SecondsOpt = Annotated[float, typer.Option("--seconds", help="Seconds of replay per statement at most.")]
RepetitionsOpt = Annotated[int, typer.Option("--repetitions", help="Executions per statement at most.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the synthetic data and parameters.")]
VerifyFormatOpt = Annotated[VerifyFormat, typer.Option("--format", "-f", help="Output format.")]


@app.command(short_help="Build the design on synthetic data and judge it by its SLOs.")
def verify(
    brief: BriefArg = None,
    engine_url: EngineUrlOpt = None,
    embedded: EmbeddedOpt = False,
    scale: ScaleOpt = 0.01,
    seconds: SecondsOpt = 2.0,
    repetitions: RepetitionsOpt = 200,
    seed: SeedOpt = 0,
    format: VerifyFormatOpt = VerifyFormat.markdown,
    calibration: CalibrationOpt = None,
    quiet: QuietOpt = False,
    draws: Annotated[
        int,
        typer.Option("--draws", help="Parameter draws per proof that a lever returns the same rows."),
    ] = 200,
    single_scale: Annotated[
        bool,
        typer.Option(
            "--single-scale",
            help="Measure at --scale only (default: also at --scale/4, to check the growth law).",
        ),
    ] = False,
) -> None:
    """Build the design with synthetic data, replay the workload at two scales, project each
    statement's p95 to the brief's size and judge it against its SLO, with the measurements and the
    estimates beside it (exit 1 when a statement misses its SLO, fails or ran on empty tables)."""
    from dbarchitect import api
    from dbarchitect.verify.replay import verification_json, verification_markdown, verification_text

    if embedded and engine_url is not None:
        fail("give either --engine-url or --embedded, not both")
    loaded, file = configured_brief(brief)
    with progress("verify", quiet) as reporter:
        result = run(
            lambda: api.verify_brief(
                loaded,
                file=file,
                engine_url=engine_url,
                scale=scale,
                seconds_per_statement=seconds,
                repetitions=repetitions,
                seed=seed,
                progress=reporter,
                calibration=calibration,
                two_scales=not single_scale,
                draws=draws,
            )
        )
    if format == VerifyFormat.json:
        sys.stdout.write(verification_json(result))
    elif format == VerifyFormat.text:
        sys.stdout.write(verification_text(result))
    else:
        sys.stdout.write(verification_markdown(result))
    raise typer.Exit(0 if result.ok else 1)


@app.command(short_help="Fit an engine's latency model on an empty scratch database.")
def calibrate(
    engine_url: EngineUrlOpt = None,
    embedded: EmbeddedOpt = False,
    scale: Annotated[
        float, typer.Option("--scale", help="Fraction of the micro-workload's sizes (1: 650k rows).")
    ] = 1.0,
    seconds: SecondsOpt = 2.0,
    repetitions: Annotated[
        int, typer.Option("--repetitions", help="Executions per statement at most.")
    ] = 300,
    seed: SeedOpt = 0,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the fitted model here, for --calibration FILE."
        ),
    ] = None,
    format: Annotated[
        VerifyFormat, typer.Option("--format", "-f", help="Output format of the report.")
    ] = VerifyFormat.markdown,
    quiet: QuietOpt = False,
) -> None:
    """Fit an engine's latency model: run a fixed micro-workload on an EMPTY scratch database (the
    tables it creates stay there) and fit the coefficients by least squares."""
    from dbarchitect import api
    from dbarchitect.verify.calibration import (
        calibration_json,
        calibration_markdown,
        calibration_text,
        latency_model_json,
    )

    if embedded and engine_url is not None:
        fail("give either --engine-url or --embedded, not both")
    run(lambda: check_output(output, option="--output", directory=False))
    with progress("calibrate", quiet) as reporter:
        result = run(
            lambda: api.calibrate_engine(
                engine_url,
                scale=scale,
                seconds_per_statement=seconds,
                repetitions=repetitions,
                seed=seed,
                progress=reporter,
            )
        )
    if output is not None:
        try:
            output.write_text(latency_model_json(result.model), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc.__class__.__name__}")
    if format == VerifyFormat.json:
        sys.stdout.write(calibration_json(result))
    elif format == VerifyFormat.text:
        sys.stdout.write(calibration_text(result))
    else:
        sys.stdout.write(calibration_markdown(result))
