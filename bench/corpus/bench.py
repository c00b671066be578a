"""The migration corpus on real engines (issue 12): per engine, how many pairs end exactly at the
desired catalog, are refused by name, fail to apply, or come out different while the plan says
nothing; up and down. Prints the counts and percentages and writes them to results/<timestamp>.md.

    source /work/devenv/env.sh   # or set DBARCH_TEST_PG_URL / DBARCH_TEST_MARIADB_URL
    .venv/bin/python bench/corpus/bench.py [--engine postgresql|mariadb] [--match TEXT] [--details]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.migrations.corpus.harness import Outcome, run_pairs
from tests.migrations.corpus.pairs import all_pairs

EXPECTED = Path(__file__).resolve().parents[2] / "tests" / "migrations" / "corpus" / "expected.json"
KINDS = ("exact", "refused", "failed", "different", "skipped", "invalid")


def table(outcomes: list[Outcome], engine: str, seconds: float) -> list[str]:
    header = "| direction | " + " | ".join(KINDS) + " |"
    lines = [f"## {engine}: {len(outcomes)} pairs, {seconds:.1f} s", "", header]
    lines.append("|---" * (len(KINDS) + 1) + "|")
    for direction in ("up", "down"):
        counts = collections.Counter(getattr(o, direction) for o in outcomes)
        n = len(outcomes) or 1
        cells = [f"{counts[k]} ({100 * counts[k] / n:.1f}%)" for k in KINDS]
        lines.append(f"| {direction} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("postgresql", "mariadb"), action="append")
    parser.add_argument("--match", default="")
    parser.add_argument("--sample", type=int, default=1, help="every N-th pair (the CI test's selection)")
    parser.add_argument("--details", action="store_true", help="print every pair that is not exact")
    parser.add_argument(
        "--dev-url", action="store_true", help="read the desired DDL through a scratch database"
    )
    parser.add_argument("--update", action="store_true", help="record the outcomes in expected.json")
    args = parser.parse_args()
    recorded: dict[str, dict[str, dict[str, str]]] = {}
    report: list[str] = [f"# Migration corpus, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC", ""]
    for engine in args.engine or ["postgresql", "mariadb"]:
        pairs = [p for p in all_pairs(engine)[:: max(args.sample, 1)] if args.match in p.name]
        start = time.monotonic()
        outcomes = run_pairs(engine, pairs, dev=args.dev_url)
        mode = " (desired DDL read through --dev-url)" if args.dev_url else ""
        report += table(outcomes, engine + mode, time.monotonic() - start)
        recorded[engine] = {o.pair: {"up": o.up, "down": o.down} for o in outcomes}
        if args.details:
            for o in outcomes:
                if o.up != "exact" or o.down != "exact":
                    report.append(f"- {engine} {o.pair}: up {o.up}, down {o.down}")
                    report.extend(f"    {d[:300]}" for d in o.detail[:6])
            report.append("")
    if args.update:
        if args.match or args.dev_url:
            raise SystemExit(
                "--update records the default mode over the whole corpus (no --match, --dev-url)"
            )
        old = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}
        old.update(recorded)
        EXPECTED.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    text = "\n".join(report)
    print(text)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = f"{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%S}"
    (out / f"{stamp}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
