"""Synthetic briefs of N tables for the index advisor's scale work (issue 14, item 4).

Each table ``t<i>`` has a primary key, a foreign key to ``t<i-1>`` (a chain), a status, a timestamp,
an amount and a name, a row count that varies with ``i``, and five statements: a lookup by the foreign
key ordered by time with a LIMIT, a join to its parent filtered by status, a range on the timestamp
with a GROUP BY, an UPDATE by primary key and an INSERT. The shape follows the briefs of issue 14's
measurements (5 statements per table, foreign keys chaining the tables, row counts on every table).

    .venv/bin/python bench/indexes/synthetic_brief.py 100 /tmp/synthetic-100   # brief.yaml, schema.sql
"""

from __future__ import annotations

import sys
from pathlib import Path


def synthetic_brief(tables: int) -> tuple[str, str]:
    """The brief's YAML text (its DDL in ``schema.sql`` beside it, PostgreSQL 15) and that DDL."""
    ddl: list[str] = []
    sizes: list[str] = []
    statements: list[str] = []
    for i in range(tables):
        parent = f"t{i - 1}" if i else None
        fk = f",\n  parent_id bigint NOT NULL REFERENCES {parent} (id)" if parent else ""
        ddl.append(
            f"CREATE TABLE t{i} (\n  id bigint PRIMARY KEY{fk},\n  status varchar(16) NOT NULL,\n"
            f"  created_at timestamptz NOT NULL,\n  amount numeric(12,2) NOT NULL,\n  name varchar(120)\n);"
        )
        rows = 10_000 * (1 + (i * 7919) % 997)
        sizes.append(
            f"  t{i}:\n    rows: {rows}\n    columns:\n      status: {{distinct: 6}}\n"
            f"      created_at: {{correlation: 0.98}}\n"
            + (f"      parent_id: {{distinct: {max(rows // 20, 1)}}}\n" if parent else "")
        )
        lookup = "parent_id = :p" if parent else "status = :s"
        statements += [
            f"  - name: t{i}_recent\n    sql: SELECT id, amount FROM t{i} WHERE {lookup} "
            "ORDER BY created_at DESC LIMIT 20\n    rate: 50/s",
            f"  - name: t{i}_by_day\n    sql: SELECT status, count(*) FROM t{i} WHERE created_at >= :a "
            "AND created_at < :b GROUP BY status\n    rate: 1/min",
            f"  - name: t{i}_set_status\n    sql: UPDATE t{i} SET status = :s WHERE id = :id\n    rate: 5/s",
            f"  - name: t{i}_add\n    sql: INSERT INTO t{i} (id, "
            + ("parent_id, " if parent else "")
            + "status, created_at, amount) VALUES (:id, "
            + (":p, " if parent else "")
            + ":s, now(), :a)\n    rate: 5/s",
        ]
        if parent:
            statements.append(
                f"  - name: t{i}_with_parent\n    sql: SELECT c.id, p.name FROM t{i} c JOIN {parent} p "
                f"ON p.id = c.parent_id WHERE c.status = :s AND p.name = :n\n    rate: 2/s"
            )
        else:
            statements.append(
                f"  - name: t{i}_by_name\n    sql: SELECT id FROM t{i} WHERE name = :n\n    rate: 2/s"
            )
    brief = (
        f"name: synthetic-{tables}\nengine: postgresql 15\nschema:\n  ddl: {{path: schema.sql, "
        "dialect: postgresql}\ntables:\n"
        + "".join(sizes)
        + "workload:\n  statements:\n"
        + "\n".join(statements)
        + "\n"
    )
    return brief, "\n".join(ddl) + "\n"


def write_synthetic_brief(tables: int, directory: Path) -> Path:
    """``directory/brief.yaml`` and ``directory/schema.sql`` for ``tables`` tables; the brief's path."""
    directory.mkdir(parents=True, exist_ok=True)
    brief, schema = synthetic_brief(tables)
    (directory / "schema.sql").write_text(schema)
    (directory / "brief.yaml").write_text(brief)
    return directory / "brief.yaml"


if __name__ == "__main__":
    print(write_synthetic_brief(int(sys.argv[1]), Path(sys.argv[2])))
