"""The index advice of every example at several budgets, as JSON, to prove a speed-up changes no advice.

    .venv/bin/python bench/indexes/snapshot.py save DIR [--database URL]    # before the change
    .venv/bin/python bench/indexes/snapshot.py compare DIR [--database URL] # after: prints differences

Every example brief (``examples/*/brief.yaml``) and a 25-table synthetic brief, greedy and exact, at
the brief's own budget and at 10 MB, 1 GB and 100 GB, with the built-in model; with ``--database``
(a PostgreSQL database holding TPC-H, e.g. the benchmark's), TPC-H's 22 queries through HypoPG at
250 MB, 1 GB and 2 GB too. What is compared is the whole advice document (``dbarch indexes -f json``)
minus what a speed-up is meant to change: seconds, planner calls and cache hits.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from synthetic_brief import write_synthetic_brief

from dbarchitect import api
from dbarchitect.brief import parse_size
from dbarchitect.errors import DbarchError
from dbarchitect.report.indexes import index_advice_document
from dbarchitect.report.json import dumps

ROOT = Path(__file__).resolve().parents[2]
BUDGETS: tuple[str | None, ...] = (None, "10MB", "1GB", "100GB")
ALGORITHMS = ("greedy", "exact")
#: Fields a pure speed-up may change.
VOLATILE = ("seconds", "planner_calls", "cache_hits")


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    for key in VOLATILE:
        doc.get("search", {}).pop(key, None)
    return doc


def _cases(database: str | None, scratch: Path) -> list[tuple[str, Path, str | None, str | None, str]]:
    briefs = sorted(ROOT.glob("examples/*/brief.yaml"))
    briefs.append(write_synthetic_brief(25, scratch / "synthetic-25"))
    cases = [
        (f"{b.parent.name}-{a}-{budget or 'brief'}", b, budget, None, a)
        for b in briefs
        for a in ALGORITHMS
        for budget in BUDGETS
    ]
    if database is not None:
        tpch = ROOT / "examples" / "tpch" / "brief.yaml"
        cases += [(f"tpch-hypopg-greedy-{b}", tpch, b, database, "greedy") for b in ("250MB", "1GB", "2GB")]
    return cases


def run(database: str | None, only: str | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, brief, budget, url, algorithm in _cases(database, Path(tmp)):
            if only is not None and only not in label:
                continue
            print(f"  .. {label}", file=sys.stderr, flush=True)
            try:
                advice = api.recommend_indexes(
                    brief,
                    database=url,
                    budget_bytes=float(parse_size(budget)) if budget else None,
                    algorithm=algorithm,
                )
                out[label] = dumps(_stable(index_advice_document(advice)))
            except DbarchError as exc:
                out[label] = f"error: {exc}"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("mode", choices=("save", "compare"))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--database", default=None)
    parser.add_argument("--only", default=None, help="only the cases whose label contains this")
    args = parser.parse_args()
    results = run(args.database, args.only)
    if args.mode == "save":
        args.directory.mkdir(parents=True, exist_ok=True)
        for label, text in results.items():
            (args.directory / f"{label}.json").write_text(text)
        print(f"saved {len(results)} advice documents to {args.directory}")
        return 0
    differ = 0
    fresh = args.directory.with_name(args.directory.name + ".new")
    fresh.mkdir(parents=True, exist_ok=True)
    for label, text in results.items():
        (fresh / f"{label}.json").write_text(text)
        saved = args.directory / f"{label}.json"
        if not saved.exists():
            print(f"{label}: no saved document")
            differ += 1
        elif saved.read_text() != text:
            differ += 1
            old, new = saved.read_text(), text
            detail = ""
            if not old.startswith("error") and not new.startswith("error"):
                a, b = json.loads(old), json.loads(new)
                detail = ", ".join(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
            print(f"{label}: DIFFERENT ({detail or 'error text'})")
    print(f"{len(results) - differ} of {len(results)} advice documents identical")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
