"""Reading the rule fixtures: ``cases/<rule-id>/bad_*.sql`` (with ``.expected`` beside) and ``good_*.sql``.

A fixture may start with directive comments:

- ``-- engine: mariadb 10.11`` (default: postgresql 15)
- ``-- sizes: orders=5000000/20000 customers=12000`` (rows now, optional new rows a day)
- ``-- schema: schema.sql`` (a DDL file beside the fixture, loaded as the catalog)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.guardrails import LintResult, lint_sql
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import Catalog, TableStats

CASES = Path(__file__).parent / "cases"
_DIRECTIVE = re.compile(r"^--\s*(engine|sizes|schema):\s*(.+?)\s*$")


@dataclass(frozen=True)
class Case:
    path: Path
    text: str
    traits: EngineTraits
    sizes: dict[str, TableStats]
    catalog: Catalog | None

    @property
    def rule_id(self) -> str:
        return self.path.parent.name

    def lint(self, text: str | None = None) -> LintResult:
        return lint_sql(
            self.text if text is None else text,
            self.traits,
            file=self.path.name,
            catalog=self.catalog,
            sizes=self.sizes,
        )


def load_case(path: Path) -> Case:
    text = path.read_text()
    engine, version = "postgresql", "15"
    sizes: dict[str, TableStats] = {}
    schema: str | None = None
    for line in text.splitlines():
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        if m[1] == "engine":
            engine, _, version = m[2].partition(" ")
        elif m[1] == "sizes":
            for item in m[2].split():
                name, _, value = item.partition("=")
                rows, _, growth = value.partition("/")
                sizes[name] = TableStats(
                    rows=float(rows), growth_rows_per_day=float(growth) if growth else None
                )
        else:
            schema = m[2]
    traits = get_traits(engine, version or None)
    catalog = load_ddl((path.parent / schema).read_text(), traits.engine) if schema else None
    return Case(path, text, traits, sizes, catalog)


def case_paths(kind: str) -> list[Path]:
    return sorted(CASES.glob(f"*/{kind}_*.sql"))
