"""Terminal rendering of a report document with rich tables.

Names are never cut: piped or on a terminal, a table too wide for the console is printed as wide as
its longest unbreakable content (a table, index or statement name), and its other cells wrap at
spaces; prose lines are not broken when the output is not a terminal (``grep`` finds them whole).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from dbarchitect.report.formatting import human_bytes, human_count, human_rate
from dbarchitect.report.levers import levers_lines


def _tables(doc: dict[str, Any]) -> Table:
    table = Table(
        title=f"Tables ({doc['storage']['engine']}, "
        f"sizes at a {doc['brief']['horizon_days']:.0f}-day horizon)"
    )
    name_column(table, "table")
    for col, justify in (
        ("cols", "right"),
        ("rows now", "right"),
        ("rows later", "right"),
        ("data later", "right"),
        ("indexes later", "right"),
        ("keys", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for t in doc["tables"]:
        keys = []
        if t["primary_key"]:
            keys.append("PK(" + ", ".join(t["primary_key"]) + ")")
        keys += [f"FK→{fk['references']}" for fk in t["foreign_keys"]]
        if t["indexes"]:
            keys.append(f"{len(t['indexes'])} idx")
        s = t["size"]
        table.add_row(
            t["name"],
            str(len(t["columns"])),
            "—" if s["unsized"] else human_count(s["rows_now"]),
            "—" if s["unsized"] else human_count(s["rows_at_horizon"]),
            human_bytes(s["data_bytes_at_horizon"]),
            human_bytes(s["index_bytes_at_horizon"]),
            "\n".join(keys),
        )
    return table


def _statements(doc: dict[str, Any]) -> Table:
    table = Table(
        title=f"Workload: {doc['workload']['statements']} statements, "
        f"{human_rate(doc['workload']['total_rate_per_second'])}"
    )
    name_column(table, "statement")
    for col in ("kind", "rate", "SLO p95", "access paths"):
        table.add_column(col)
    for s in doc["statements"]:
        paths = []
        for t in s["tables"]:
            p = t["access_path"]
            if p is None:
                continue
            label = f"{t['table']}: {p['kind']}"
            if p["index"]:
                label += f" {p['index']}"
            if p["rows_estimated"] is not None and p["kind"] != "no filter":
                label += f" ~{human_count(p['rows_estimated'])} rows"
            paths.append(label)
        slo = s["slo"]["p95_ms"] if s["slo"] and s["slo"].get("p95_ms") else None
        table.add_row(
            s["name"],
            s["kind"],
            human_rate(s["rate_per_second"]),
            f"{slo:g} ms" if slo else "—",
            "\n".join(paths),
        )
    return table


def text_console(file: TextIO | None = None) -> Console:
    """The console a text report prints to (standard output by default). Markup and emoji codes are
    off: names, SQL and messages are data, and a ``[word]`` or ``:word:`` in them is printed as is."""
    return Console(highlight=False, markup=False, emoji=False, file=file)


def print_blocks(console: Console, parts: Iterable[RenderableType]) -> None:
    """Print each part whole: text unbroken when the console is not a terminal; tables with every
    column at least as wide as its longest word (header included) and the console widened for a table
    that needs more than it has, so no name, number or header is ever cut with an ellipsis: cells wrap
    at spaces instead."""
    for part in parts:
        if isinstance(part, Text):
            console.print(part, soft_wrap=not console.is_terminal)
        elif isinstance(part, Group):
            print_blocks(console, part.renderables)
        elif isinstance(part, Table):
            _print_table(console, part)
        else:
            console.print(part)


def _longest_word(console: Console, cell: RenderableType, no_wrap: bool) -> int:
    text = console.render_str(cell) if isinstance(cell, str) else cell
    if not isinstance(text, Text):
        return Measurement.get(console, console.options.update(max_width=10_000), cell).minimum
    if no_wrap:
        return max((cell_len(line) for line in text.plain.splitlines()), default=0)
    return max((cell_len(word) for word in text.plain.split()), default=0)


def _print_table(console: Console, table: Table) -> None:
    for column in table.columns:
        cells = [console.render_str(c) if isinstance(c, str) else c for c in column.cells]
        if all(isinstance(c, Text) and len(c.plain.split()) <= 1 for c in cells):
            column.no_wrap = True  # numbers, names, single words: nothing to wrap at
        words = [_longest_word(console, c, column.no_wrap) for c in (column.header, *cells)]
        column.min_width = max([column.min_width or 0, *words])
    width = console.width
    wide = console.options.update(max_width=10_000)
    measured = Measurement.get(console, wide, table)
    needed = max(width, measured.minimum)
    # rich may squeeze a wrapping column below its minimum width and then overflow the width it was
    # given: render, and widen until the lines fit (at the natural width they always do).
    for _ in range(4):
        segments = console.render(table, console.options.update_width(needed))
        actual = max((Segment.get_line_length(line) for line in Segment.split_lines(segments)), default=0)
        if actual <= needed:
            break
        needed = actual
    else:
        needed = max(needed, measured.maximum)
    console.width = needed
    try:
        console.print(table)
    finally:
        console.width = width


def name_column(table: Table, header: str) -> None:
    """A column of names (tables, statements, indexes): never wrapped nor cut."""
    table.add_column(header, no_wrap=True, overflow="ignore")


def render_text(doc: dict[str, Any], console: Console) -> None:
    b = doc["brief"]
    header = Text.assemble(
        (b["name"], "bold"),
        f" — target {b['engine']}",
        f", portable to {', '.join(b['portable_to'])}" if b["portable_to"] else "",
        f"; schema from {b['schema']}",
    )
    st = doc["storage"]
    storage = Text(
        f"Storage: {human_bytes(st['bytes_now'])} now, {human_bytes(st['bytes_at_horizon'])} at the horizon"
        + (
            f" (budget {human_bytes(st['storage_budget'])}"
            + (", OVER" if st["within_storage_budget"] is False else "")
            + ")"
            if st["storage_budget"]
            else ""
        )
    )
    parts: list[Any] = [header, storage, _tables(doc), _statements(doc)]
    if doc["unsized_tables"]:
        parts.append(
            Text(f"No row count in the brief for: {', '.join(doc['unsized_tables'])}", style="yellow")
        )
    ix = doc.get("indexes")
    if ix:
        relative = ix["workload_cost"]["relative"]
        parts.append(
            Text(
                f"Indexes ({ix['backend']} costs): {len(ix['recommended'])} recommended, "
                f"{human_bytes(ix['budget']['used_bytes'])}"
                + (f", workload cost {relative:.3f} of today" if relative is not None else ""),
                style="bold",
            )
        )
        parts += [Text(f"  {r['ddl']}") for r in ix["recommended"]]
    pa = doc.get("partitioning")
    if pa:
        advised = [
            f"{d['table']} ({d['chosen']['layout']['method'].upper()} by {d['chosen']['layout']['column']})"
            for d in pa["decisions"]
            if d["verdict"] != "no" and d["chosen"]
        ]
        if advised:
            line = (
                f"Partitioning: {', '.join(advised)}; {pa['workload']['weighted_within_two']:.2%} of the "
                "weighted workload reads at most 2 partitions (model; dbarch partition for the reasons, "
                "--engine-url to measure)"
            )
        else:
            line = "Partitioning: not advised for any table (dbarch partition for the reasons)"
        parts.append(Text(line, style="bold"))
    lv = doc.get("levers")
    if lv and (
        lv["chosen"]["summaries"]
        or lv["chosen"]["rewrites"]
        or lv["chosen"]["denormalizations"]
        or any(o["bound"] for o in lv["outcomes"])
    ):
        parts.append(
            Text(
                "Summary tables and rewrites (built-in model; dbarch verify proves and measures them):",
                style="bold",
            )
        )
        parts += [Text(line) for line in levers_lines(lv)]
    parts += [Text(note, style="yellow") for note in doc.get("notes") or ()]
    verdict = doc.get("verdict")
    if verdict:
        outcome = "pass" if verdict["passed"] else "FAIL"
        parts.append(
            Text(
                f"Guardrails: {outcome}: {verdict['errors']} error(s), {verdict['warnings']} warning(s) "
                "(dbarch check for the findings)",
                style="green" if verdict["passed"] else "bold red",
            )
        )
        parts += [
            Text(f"  error [{f['rule']}] {f['message']}", style="red")
            for f in verdict["findings"]
            if f["level"] == "error"
        ]
    if "schemas" in doc:
        for s in doc["schemas"]:
            line = f"{s['engine']}{' (target)' if s['target'] else ''}: {s['file'] or 'not written'}"
            if s["notes"]:
                line += f" — {len(s['notes'])} note(s)"
            parts.append(Text(line))
        check = doc.get("embedded_check")
        if check:
            failed = [x for x in check["statements"] if not x["ok"]]
            ok = check["schema_ok"] and not failed
            schema_state = "executed" if check["schema_ok"] else "FAILED"
            compiled = len(check["statements"]) - len(failed)
            parts.append(
                Text(
                    f"SQLite {check['sqlite_version']}: schema {schema_state}, "
                    f"{compiled}/{len(check['statements'])} statements compiled",
                    style="green" if ok else "red",
                )
            )
            for x in failed:
                parts.append(Text(f"  {x['statement']}: {'; '.join(x['detail'])}", style="red"))
    print_blocks(console, parts)
