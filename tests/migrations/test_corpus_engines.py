"""The migration corpus (tests/migrations/corpus/pairs.py) on real PostgreSQL and MariaDB: every
pair's outcome, up and down, is at least as good as the one recorded in ``expected.json`` (exact
> refused by name > failed to apply > silently different), and no recorded outcome is "silently
different" or "failed" without the test saying so. The whole corpus takes minutes on a loaded
machine, so CI runs a fixed sample (every ``DBARCH_CORPUS_SAMPLE``-th pair, 12 by default; 1 runs
them all); ``bench/corpus/bench.py`` runs every pair and prints the counts; ``--update`` records the
outcomes of the pairs it ran in ``expected.json`` (``--sample 12`` runs the CI selection).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.migrations.corpus.harness import RANK, run_pairs
from tests.migrations.corpus.pairs import all_pairs

EXPECTED = Path(__file__).parent / "corpus" / "expected.json"


def _sample(engine: str) -> list:
    every = max(int(os.environ.get("DBARCH_CORPUS_SAMPLE", "12")), 1)
    return all_pairs(engine)[::every]


def test_corpus_size_and_names() -> None:
    pg, my = all_pairs("postgresql"), all_pairs("mariadb")
    assert len(pg) + len(my) >= 300
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    for engine, pairs in (("postgresql", pg), ("mariadb", my)):
        recorded = expected[engine]
        names = {p.name for p in pairs}
        assert not set(recorded) - names, "pairs recorded that no longer exist: run the bench with --update"
        missing = {p.name for p in _sample(engine)} - set(recorded)
        assert not missing, f"sampled pairs without a record: {sorted(missing)[:5]} (bench --update)"
        assert not [n for n, o in recorded.items() if o["up"] == "invalid"], "a pair's own SQL fails"


def test_corpus_postgresql(pg_server_url: str) -> None:
    _no_worse_than_recorded("postgresql", pg_server_url)


def test_corpus_mariadb(mariadb_server_url: str) -> None:
    _no_worse_than_recorded("mariadb", mariadb_server_url)


def _no_worse_than_recorded(engine: str, url: str) -> None:
    recorded = json.loads(EXPECTED.read_text(encoding="utf-8"))[engine]
    worse = []
    for o in run_pairs(engine, _sample(engine), url=url):
        want = recorded[o.pair]
        for direction in ("up", "down"):
            got = getattr(o, direction)
            if RANK[got] > RANK[want[direction]]:
                worse.append(f"{o.pair} {direction}: {got} (recorded {want[direction]}): {o.detail[:3]}")
    assert not worse, "\n".join(worse)
