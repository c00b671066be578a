"""TPC-DS index-advisor benchmark (issue 3: a workload the advisor was not tuned for); run through
``bench/indexes/run_tpcds.sh``, which installs DuckDB's TPC-DS extension and provides the server.

No brief: the schema, data and 99 queries come from DuckDB's ``tpcds`` extension (PyPI
``duckdb-extension-tpcds``, loaded from its installed file, never downloaded). The schema is exported
as PostgreSQL DDL from DuckDB's information_schema with the specification's primary keys added (DuckDB's
``dsdgen`` declares none), the data as CSV, loaded like TPC-H and VACUUM (FREEZE, ANALYZE)d. The
queries are transpiled to PostgreSQL with sqlglot; those that fail to transpile, to resolve against
the catalog (dbarchitect's workload builder) or to plan are reported and left out. Then the catalog is
read from the live database, the workload built from the rest (equal rates), and for each budget -
a share of the database's size - ours (greedy, exact) and the two baselines are costed exactly as in
``tpch.py``. Output goes to stdout and to ``bench/indexes/results/<timestamp>-tpcds-sfSF.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.metadata
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import sqlglot
from baselines import dexter_style, single_column
from sqlglot import exp
from tpch import (
    DB_PREFIX,
    HERE,
    ROOT,
    Evaluator,
    Out,
    Result,
    baseline,
    human_bytes,
    load_database,
    log,
    ours,
    report_budget,
    settings_line,
    sf_label,
)

from dbarchitect.advisors.indexes import advisor, exact
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.planner import HypoPGBackend
from dbarchitect.brief import parse_size
from dbarchitect.errors import DbarchError, redact
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Workload

#: Bumped when the export or loading procedure changes, so data made the old way is made again.
LOAD_VERSION = 1

#: The TPC-DS specification's primary keys of the fact tables (its dimension tables are keyed by their
#: first column, the ``*_sk`` surrogate key). DuckDB's dsdgen declares no key at all.
FACT_KEYS: dict[str, tuple[str, ...]] = {
    "store_sales": ("ss_item_sk", "ss_ticket_number"),
    "store_returns": ("sr_item_sk", "sr_ticket_number"),
    "catalog_sales": ("cs_item_sk", "cs_order_number"),
    "catalog_returns": ("cr_item_sk", "cr_order_number"),
    "web_sales": ("ws_item_sk", "ws_order_number"),
    "web_returns": ("wr_item_sk", "wr_order_number"),
    "inventory": ("inv_date_sk", "inv_item_sk", "inv_warehouse_sk"),
}
#: Per-query statement_timeout of the plain EXPLAIN that checks a query plans at all.
EXPLAIN_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Inspection:
    """What the shared runners read from ``api.inspect_brief``'s answer: the catalog and the workload."""

    catalog: Catalog
    workload: Workload


@dataclass(frozen=True)
class LeftOut:
    name: str
    stage: str
    reason: str


# --- data: DuckDB's tpcds extension -> DDL, CSV and queries ------------------------------------


def extension_path() -> Path:
    """The tpcds extension binary shipped in the installed ``duckdb-extension-tpcds`` package."""
    import duckdb
    import duckdb_extension_tpcds  # type: ignore[import-untyped]

    package = Path(duckdb_extension_tpcds.__file__).parent
    wanted = package / "extensions" / f"v{duckdb.__version__}" / "tpcds.duckdb_extension"
    if not wanted.exists():
        found = sorted(p.parent.name for p in package.glob("extensions/v*/tpcds.duckdb_extension"))
        raise SystemExit(
            f"duckdb {duckdb.__version__} is installed but duckdb-extension-tpcds ships the extension for "
            f"{', '.join(found) or 'no version'}: install matching versions (bench/indexes/run_tpcds.sh does)"
        )
    return wanted


def primary_key(table: str, columns: Sequence[str]) -> tuple[str, ...]:
    if table in FACT_KEYS:
        return FACT_KEYS[table]
    return (columns[0],) if columns and columns[0].endswith("_sk") else ()


def generate(sf: float) -> Path:
    """schema.sql (PostgreSQL), one CSV per table and queries/qNN.sql (DuckDB's text) for ``sf``."""
    import duckdb

    directory = HERE / "data" / f"tpcds-sf{sf_label(sf)}"
    done = directory / ".complete"
    if done.exists() and done.read_text().strip() == f"v{LOAD_VERSION}":
        log(f"TPC-DS SF{sf:g} already in {directory.relative_to(ROOT)}")
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "queries").mkdir(exist_ok=True)
    log(
        f"generating TPC-DS SF{sf:g} with DuckDB {duckdb.__version__} dsdgen in {directory.relative_to(ROOT)}"
    )
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{extension_path()}'")
    con.execute(f"CALL dsdgen(sf={sf:g})")
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append((column, type_))
    ddl: list[str] = []
    for table, cols in columns.items():
        names = [c for c, _ in cols]
        key = primary_key(table, names)
        if key:
            quoted = ", ".join(key)
            total, distinct, nulls = con.execute(
                f"SELECT count(*), count(DISTINCT ({quoted})), "
                f"count(*) FILTER (WHERE {' OR '.join(f'{k} IS NULL' for k in key)}) FROM {table}"
            ).fetchone() or (0, 0, 0)
            if total != distinct or nulls:
                log(f"{table}: ({quoted}) is not a key of the generated data; no primary key")
                key = ()
        lines = []
        for column, type_ in cols:
            pg_type = exp.DataType.build(type_, dialect="duckdb").sql("postgres")
            lines.append(f"    {column} {pg_type}{' NOT NULL' if column in key else ''}")
        if key:
            lines.append(f"    PRIMARY KEY ({', '.join(key)})")
        ddl.append(f"CREATE TABLE {table} (\n" + ",\n".join(lines) + "\n);\n")
        log(f"COPY {table} TO CSV")
        con.execute(f"COPY {table} TO '{directory / (table + '.csv')}' (FORMAT csv, HEADER true)")
    (directory / "schema.sql").write_text("\n".join(ddl))
    for number, query in con.execute("SELECT query_nr, query FROM tpcds_queries() ORDER BY 1").fetchall():
        (directory / "queries" / f"q{number:02d}.sql").write_text(query)
    con.close()
    done.write_text(f"v{LOAD_VERSION}\n")
    return directory


def tables_of(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.csv"))


def ensure_loaded(server_url: str, sf: float) -> tuple[str, Path]:
    """The benchmark database for ``sf`` (its URL) and the directory of the generated files."""
    holder: list[Path] = []

    def prepare() -> tuple[str, list[tuple[str, Path]]]:
        data = generate(sf)
        holder.append(data)
        return (data / "schema.sql").read_text(), [(t, data / f"{t}.csv") for t in tables_of(data)]

    url = load_database(
        server_url,
        f"{DB_PREFIX}tpcds_sf{sf_label(sf)}",
        f"dbarchitect benchmark: TPC-DS SF{sf:g} (DuckDB dsdgen), primary keys only, load v{LOAD_VERSION}",
        prepare,
    )
    return url, holder[0] if holder else generate(sf)


# --- the workload ------------------------------------------------------------------------------


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def postgres_sql(tree: exp.Expr) -> str:
    """A DuckDB query as PostgreSQL runs it: ``round(x, n)`` takes numeric there (DuckDB's
    averages are doubles), so its argument is cast, as a DBA porting the query would."""

    def cast_round(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            node.set("this", exp.cast(node.this, "numeric"))
        return node

    return tree.transform(cast_round).sql(dialect="postgres")


def build(url: str, catalog: Catalog, data: Path) -> tuple[Workload, list[LeftOut], int]:
    """The queries that transpile, resolve and plan, as a workload with equal rates; the others."""
    left_out: list[LeftOut] = []
    kept: list[StatementInput] = []
    files = sorted((data / "queries").glob("q*.sql"))
    for path in files:
        name = path.stem
        try:
            statements = [
                postgres_sql(tree) for tree in sqlglot.parse(path.read_text(), read="duckdb") if tree
            ]
        except sqlglot.errors.SqlglotError as exc:
            left_out.append(LeftOut(name, "transpile", first_line(exc)))
            continue
        if len(statements) != 1:
            left_out.append(LeftOut(name, "transpile", f"{len(statements)} statements, not one"))
            continue
        item = StatementInput(name=name, sql=statements[0], rate=1.0, origin=f"tpcds_queries() {name}")
        try:
            build_workload([item], catalog, EngineName.POSTGRESQL)
        except DbarchError as exc:
            left_out.append(LeftOut(name, "resolve", first_line(exc)))
            continue
        kept.append(item)
    planned: list[StatementInput] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"SET statement_timeout = {EXPLAIN_TIMEOUT_MS}")
        for item in kept:
            try:
                conn.execute("EXPLAIN " + item.sql)
            except psycopg.Error as exc:
                left_out.append(LeftOut(item.name, "plan", first_line(exc)))
                continue
            planned.append(item)
    workload = build_workload(planned, catalog, EngineName.POSTGRESQL)
    return workload, sorted(left_out, key=lambda x: x.name), len(files)


def database_bytes(url: str) -> int:
    """Σ pg_total_relation_size of the public tables: heap, TOAST and the primary keys' indexes."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0]) if row else 0


def budgets_of(spec: str, size: int) -> list[tuple[int, str]]:
    """(bytes, label) per comma-separated budget: ``5%`` of the database's size, or a size (``250MB``)."""
    out: list[tuple[int, str]] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part.endswith("%"):
            share = float(part[:-1]) / 100
            value = int(size * share)
            out.append((value, f"{part} of the database = {human_bytes(value)}"))
        else:
            value = parse_size(part)
            out.append((value, human_bytes(value)))
    return out


def per_query(evaluate: Evaluator, indexes: Sequence[IndexCandidate]) -> float:
    """The mean over queries of (cost with ÷ cost without): every query counts once, however costly."""
    before = evaluate.cost.statement_costs(())
    after = evaluate.cost.statement_costs(indexes)
    ratios = [
        after[name].cost / plan.cost
        for name, plan in before.items()
        if plan.error is None and plan.cost > 0 and after[name].error is None
    ]
    return statistics.fmean(ratios) if ratios else 1.0


def with_per_query(result: Result, evaluate: Evaluator) -> Result:
    mean = per_query(evaluate, result.indexes)
    return replace(result, note=f"per-query mean {mean:.3f}; {result.note}")


def run_exact(
    backend: HypoPGBackend,
    inspection: Inspection,
    budget: int,
    time_limit: float,
    evaluate: Evaluator,
    max_plans: int | None,
    remarks: list[str],
) -> Result | None:
    """Ours (exact); when it refuses the problem as too large for its planner-call limit, the refusal
    goes to ``remarks`` and, with ``max_plans``, it runs again with that limit (said in its note)."""
    try:
        return ours("exact", backend, inspection, budget, time_limit, evaluate)
    except DbarchError as exc:
        remarks.append(f"ours (exact) refused the problem: {first_line(exc)}")
        if max_plans is None:
            return None
    namespace = vars(advisor)  # the advisor calls select_exact with the library's default limit
    original = namespace["select_exact"]
    namespace["select_exact"] = functools.partial(exact.select_exact, max_plans=max_plans)
    try:
        result = ours("exact", backend, inspection, budget, time_limit, evaluate)
    except DbarchError as exc:
        remarks.append(f"ours (exact) with its limit raised to {max_plans} planner calls: {first_line(exc)}")
        return None
    finally:
        namespace["select_exact"] = original
    return replace(
        result, note=f"planner-call limit raised from {exact.MAX_PLANS} to {max_plans}; {result.note}"
    )


# --- main --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", required=True, help="PostgreSQL server URL (any database)")
    parser.add_argument("--started", default="no", help="yes when run_tpcds.sh started the server")
    parser.add_argument("--sf", type=float, default=1.0)
    parser.add_argument("--budgets", default="1%,2%,5%,10%", help="shares of the database or sizes")
    parser.add_argument("--skip-exact", action="store_true")
    parser.add_argument("--exact-time-limit", type=float, default=120.0, help="seconds for exact mode")
    parser.add_argument(
        "--exact-max-plans",
        type=int,
        default=None,
        help="when exact mode refuses the problem as too large, run it again with this planner-call limit",
    )
    parser.add_argument("--connections", type=int, default=None, help="parallel planner sessions")
    args = parser.parse_args(argv)

    import duckdb

    started = time.monotonic()
    url, data = ensure_loaded(args.server, args.sf)
    size = database_bytes(url)
    budgets = budgets_of(args.budgets, size)
    catalog = introspect(url)
    workload, left_out, total = build(url, catalog, data)
    inspection = Inspection(catalog, workload)
    out = Out()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with HypoPGBackend(url, catalog, connections=args.connections) as backend:
        settings = dict(backend.settings())
        evaluate = Evaluator(backend, workload, catalog)
        origin = "started by bench/indexes/run_tpcds.sh" if args.started == "yes" else "given"
        n = len(workload.statements)
        out(f"# Index advisor benchmark: TPC-DS SF{args.sf:g} ({stamp})")
        out()
        out(
            f"Database {redact(url)} ({origin}): schema, data and queries from DuckDB {duckdb.__version__}'s "
            "tpcds extension (dsdgen; PyPI duckdb-extension-tpcds), schema exported as PostgreSQL DDL with "
            "the specification's primary keys (dimension *_sk keys; fact tables' (item, ticket/order "
            "number), inventory's (date, item, warehouse)) and no other index, after VACUUM (FREEZE, "
            f"ANALYZE). Database size (Σ pg_total_relation_size of its {len(catalog.tables)} tables): "
            f"{human_bytes(size)}. Catalog read from the live database (dbarchitect.ingest.live), no brief."
        )
        out()
        out(
            f"Workload: {n} of the {total} TPC-DS queries (transpiled from DuckDB to PostgreSQL by sqlglot "
            f"{importlib.metadata.version('sqlglot')}), equal weights. Relative cost = Σ planner cost with "
            "the indexes as HypoPG hypothetical indexes ÷ Σ without; every method is costed by the same "
            f"backend and settings. Planner sessions: {backend.connections}. Sizes are HypoPG's estimates; "
            "1 MB = 10^6 bytes. Not tuned for: no published figures to compare with, so only the "
            "baselines of the same run and greedy against exact."
        )
        out()
        out(settings_line(settings))
        out()
        plain = sum(p.cost for p in evaluate.cost.statement_costs(()).values() if p.error is None)
        out(f"Σ planner cost of the {n} queries without new indexes: {plain:,.0f}")
        out()
        shares = sorted(
            (
                (p.cost / plain, name)
                for name, p in evaluate.cost.statement_costs(()).items()
                if p.error is None
            ),
            reverse=True,
        )
        out(
            "Largest shares of it (a relative cost is dominated by these): "
            + ", ".join(f"{name} {share:.1%}" for share, name in shares[:8])
            + "."
        )
        out()
        out("Budgets: " + "; ".join(label for _, label in budgets) + ".")
        out()
        failed = [LeftOut(name, "plan (HypoPG backend)", "") for name in evaluate.failed]
        if left_out or failed:
            out(f"Queries left out ({len(left_out) + len(failed)}):")
            out()
            out("| query | stage | reason |")
            out("|---|---|---|")
            for item in (*left_out, *failed):
                reason = item.reason.replace("|", "\\|")
                out(f"| {item.name} | {item.stage} | {reason} |")
            out()
        else:
            out(f"Queries left out: none (all {total} transpile, resolve and plan).")
            out()
        for budget, label in budgets:
            log(f"budget {label}")
            results: list[Result] = []
            remarks: list[str] = []
            log("ours (greedy)")
            results.append(ours("greedy", backend, inspection, budget, None, evaluate))
            if not args.skip_exact:
                log("ours (exact)")
                found = run_exact(
                    backend,
                    inspection,
                    budget,
                    args.exact_time_limit,
                    evaluate,
                    args.exact_max_plans,
                    remarks,
                )
                if found is not None:
                    results.append(found)
            for run in (single_column, dexter_style):
                log(f"baseline {run.__name__}")
                results.append(baseline(run, backend, inspection, budget, evaluate))
            results = [with_per_query(r, evaluate) for r in results]
            report_budget(
                out,
                budget,
                results,
                dict(backend.settings()),
                published=(),
                targets={},
                advisor_seconds=None,
                title=label,
                remarks=remarks,
            )
    out(
        f"Benchmark wall time: {time.monotonic() - started:.0f} s. Reproduce: "
        f"`bash bench/indexes/run_tpcds.sh --sf {args.sf:g} --budgets {args.budgets}"
        f" --exact-time-limit {args.exact_time_limit:g}{' --skip-exact' if args.skip_exact else ''}"
        + (f" --exact-max-plans {args.exact_max_plans}" if args.exact_max_plans is not None else "")
        + "`"
    )
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"{stamp}-tpcds-sf{sf_label(args.sf)}.md"
    path.write_text(out.buffer.getvalue())
    log(f"written {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
