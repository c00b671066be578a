"""The one module that chains the stages: brief -> catalog and workload -> analysis -> schemas.

Every operation is a function returning a typed result; the CLI and (later) the MCP server are thin
shells over these. Nothing here writes to a user's database: reading a ``source`` database is
read-only, and the only database ever written is SQLite in memory, to prove the rendered schema runs.
"""

from __future__ import annotations

from pathlib import Path

from dbarchitect.advisors.access_paths import access_paths
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.brief import Brief, load_brief
from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.sources import load_catalog, load_workload
from dbarchitect.results import Design, EngineSchema, Inspection
from dbarchitect.verify.embedded import check_on_sqlite


def inspect_brief(brief: Brief | str | Path, *, file: str | None = None) -> Inspection:
    """Load a brief (or take a loaded one) and analyze it: catalog with sizes, workload, access paths."""
    if not isinstance(brief, Brief):
        file = str(brief)
        brief = load_brief(brief)
    traits = get_traits(brief.engine.name, brief.engine.version)
    catalog = load_catalog(brief, file=file)
    workload = load_workload(brief, catalog, file=file)
    sizes = tuple(estimate_table_size(t, traits, brief.horizon) for t in catalog.tables)
    paths = tuple(p for s in workload.statements for p in access_paths(s, catalog))
    return Inspection(brief, catalog, workload, traits, sizes, paths, file or "<brief>")


def design(brief: Inspection | Brief | str | Path, *, file: str | None = None) -> Design:
    """Inspect the brief, then render the schema for the target and every portable engine and prove
    it on embedded SQLite."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    schemas: list[EngineSchema] = []
    for spec in inspection.brief.engines:
        traits = get_traits(spec.name, spec.version)
        rendered = render_schema_with_notes(inspection.catalog, traits)
        schemas.append(
            EngineSchema(spec, traits, rendered.sql, rendered.notes, spec == inspection.brief.engine)
        )
    sqlite = next((s for s in schemas if s.traits.engine.value == "sqlite"), None)
    embedded = (
        check_on_sqlite(sqlite.sql, inspection.workload, inspection.brief.engine.name) if sqlite else None
    )
    return Design(inspection, tuple(schemas), embedded)
