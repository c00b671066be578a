"""Load a brief and analyze it: the catalog with sizes, the workload, access paths."""

from __future__ import annotations

from pathlib import Path

from dbarchitect.advisors.access_paths import access_paths
from dbarchitect.advisors.schema.designer import SchemaDesign, design_schema
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.brief import Brief, load_brief
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.sources import apply_sizes, load_catalog, load_workload
from dbarchitect.results import Inspection


def inspect_brief(brief: Brief | str | Path, *, file: str | None = None, strict: bool = True) -> Inspection:
    """Load a brief (or take a loaded one) and analyze it: catalog with sizes, workload, access paths.
    Not ``strict``: statements that cannot be analyzed are left out (``workload.left_out``) instead
    of refusing the brief."""
    if not isinstance(brief, Brief):
        file = str(brief)
        brief = load_brief(brief)
    traits = get_traits(brief.engine.name, brief.engine.version)
    schema_design: SchemaDesign | None = None
    if brief.schema_.entities is not None:
        # Entities are designed (keys, relationships, domains, normalization), not just transcribed.
        portable = [get_traits(e.name, e.version) for e in brief.portable_to]
        schema_design = design_schema(brief, traits, portable=portable, file=file)
        catalog = apply_sizes(schema_design.catalog, brief, file=file)
    else:
        catalog = load_catalog(brief, file=file)
    workload = load_workload(brief, catalog, file=file, strict=strict)
    sizes = tuple(estimate_table_size(t, traits, brief.horizon) for t in catalog.tables)
    paths = tuple(p for s in workload.statements for p in access_paths(s, catalog))
    return Inspection(brief, catalog, workload, traits, sizes, paths, file or "<brief>", schema_design)
