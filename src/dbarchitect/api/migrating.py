"""Schema migrations: a schema from what a user names, the plan between two, its prechecks against
data and its rehearsal on a scratch database."""

from __future__ import annotations

from pathlib import Path

from dbarchitect.advisors.migrations import MigrationPlan
from dbarchitect.advisors.migrations import plan_migration as _plan_migration
from dbarchitect.api.progress import StageProgress, _stage
from dbarchitect.brief import Brief, load_brief
from dbarchitect.engines.connection import readonly_counts
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import traits_for
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.ingest.ddl import load_ddl_file
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.sources import load_catalog, load_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.verify.rehearse import LoadSpec, Rehearsal, rates_from_workload, rehearse_plan


def load_schema_from(spec: str | Path, engine: EngineName) -> Catalog:
    """A schema from what a user names on the command line: a database URL (read-only), a brief
    (YAML/JSON: its schema with its sizes), or a DDL file in ``engine``'s dialect."""
    text = str(spec)
    if "://" in text or text.startswith("${"):
        return introspect(text)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        brief = load_brief(path)
        return load_catalog(brief, file=str(path))
    if not path.is_file():
        raise DbarchError(
            Diagnostic(
                "no such file",
                file=str(path),
                hint="give a DDL file, a brief (.yaml/.json) or a database URL",
            )
        )
    return load_ddl_file(path, engine)


def check_against_data(plan: MigrationPlan, url: str) -> tuple[tuple[str, int], ...]:
    """Run the plan's read-only prechecks on the database at ``url``: (step, rows that would make it
    fail) for every check, in plan order."""
    checks = plan.prechecks()
    counts = readonly_counts(url, [query for _, query in checks])
    return tuple((step, n) for (step, _), n in zip(checks, counts, strict=True))


def plan_schema_migration(
    current: str | Path | Catalog,
    target: str | Path | Catalog,
    engine: str,
    *,
    renames: dict[str, str] | None = None,
    allow_data_loss: bool = False,
    check_url: str | None = None,
    dev_url: str | None = None,
    progress: StageProgress | None = None,
) -> MigrationPlan:
    """The safe, ordered plan from ``current`` to ``target`` on ``engine`` (``postgresql 15``,
    ``mariadb 10.11``...), with its down-plan. With ``check_url``, the plan's prechecks run read-only
    against that database and a step existing rows would make fail is an error. With ``dev_url`` (an
    empty scratch database of the engine's kind), each side given as a DDL file or a brief is loaded
    into it, read back and dropped again, so both sides are compared as the engine keeps them."""
    traits = traits_for(engine)
    _stage(progress, "reading the current schema")
    source = _migration_side(current, traits, dev_url)
    _stage(progress, "reading the target schema")
    wanted = _migration_side(target, traits, dev_url)
    sizes = {t.name.value: t.stats for t in source.tables if t.stats is not None}
    _stage(progress, "planning")
    plan = _plan_migration(
        source, wanted, traits, renames=renames, allow_data_loss=allow_data_loss, sizes=sizes
    )
    if check_url is not None:
        _stage(progress, "checking the target against the data")
        failing = [(step, n) for step, n in check_against_data(plan, check_url) if n > 0]
        if failing:
            listed = "; ".join(f"{step}: {n} row(s)" for step, n in failing)
            raise DbarchError(
                Diagnostic(
                    f"the target does not fit the data in {redact(check_url)}: {listed}",
                    hint="clean those rows (or change the target) before migrating",
                )
            )
    return plan


def _migration_side(spec: str | Path | Catalog, traits: EngineTraits, dev_url: str | None) -> Catalog:
    if isinstance(spec, Catalog):
        return spec
    text = str(spec)
    if dev_url is None or "://" in text or text.startswith("${"):
        return load_schema_from(spec, traits.engine)
    from dbarchitect.verify.dev_database import catalog_through_dev_database

    if Path(text).suffix.lower() in (".yaml", ".yml", ".json"):
        rendered = render_schema(load_schema_from(spec, traits.engine), traits)
        return catalog_through_dev_database(text, traits, dev_url, text=rendered)
    return catalog_through_dev_database(text, traits, dev_url)


def rehearse_schema_migration(
    plan: MigrationPlan,
    current: str | Path | Catalog,
    engine: str,
    url: str,
    *,
    allow_existing: bool = False,
    brief: Brief | str | Path | None = None,
) -> Rehearsal:
    """Apply ``plan`` to the scratch database at ``url`` while writers and readers hit the tables it
    changes, and measure it (steps, write and read stalls, per-column checksums); ``url`` must name
    an empty database unless ``allow_existing``. The load runs at the rates of ``brief``'s workload
    (or of ``current`` when it is a brief), else at default rates. The only function here that
    writes to a database: the one named for it."""
    traits = traits_for(engine)
    source = current if isinstance(current, Catalog) else load_schema_from(current, traits.engine)
    if (
        brief is None
        and isinstance(current, str | Path)
        and Path(current).suffix.lower() in (".yaml", ".yml", ".json")
    ):
        brief = current
    spec = LoadSpec()
    if brief is not None:
        loaded = brief if isinstance(brief, Brief) else load_brief(brief)
        label = None if isinstance(brief, Brief) else str(brief)
        workload = load_workload(loaded, load_catalog(loaded, file=label), file=label)
        spec = LoadSpec(rates=rates_from_workload(workload))
    return rehearse_plan(plan, source, traits, url, allow_existing=allow_existing, load=spec)
