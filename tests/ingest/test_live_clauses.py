"""PostgreSQL index and constraint clauses the catalog does not carry are read from a database as
the DDL reader records them for the file that built it, so a diff sees them on both sides (a clause
only the database has is listed by a plan, never dropped silently)."""

from __future__ import annotations

import psycopg

from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName

DDL = """
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY, user_id bigint, code text, qty integer, during tstzrange,
  CONSTRAINT orders_code_key2 UNIQUE NULLS NOT DISTINCT (code),
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE orders ADD CONSTRAINT q CHECK (qty > 0) NOT VALID;
CREATE INDEX orders_code_ff ON orders (code) WITH (fillfactor = 70);
CREATE INDEX orders_qty_desc ON orders (qty DESC NULLS LAST);
CREATE INDEX orders_code_c ON orders (code COLLATE "C");
CREATE INDEX orders_plain ON orders (qty);
"""

_KINDS = ("index property", "constraint property")


def _clauses(catalog: Catalog) -> dict[str, str]:
    return {o.name: o.definition for o in catalog.objects if o.kind in _KINDS}


def test_a_database_lists_the_clauses_its_file_does(pg_scratch_db: str) -> None:
    from_file = _clauses(load_ddl(DDL, EngineName.POSTGRESQL))
    assert set(from_file) == {
        "orders.orders_code_key2",
        "orders.orders_user_fk",
        "orders.q",
        "orders.orders_code_ff",
        "orders.orders_qty_desc",
        "orders.orders_code_c",
    }
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(DDL)  # type: ignore[arg-type]
        conn.execute("ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)")
    from_database = _clauses(introspect(pg_scratch_db))
    # the engine prints them its own way (fillfactor='70'); read back by the same reader, they agree
    assert {k: v for k, v in from_database.items() if k != "orders.no_overlap"} == from_file
    assert (
        from_file["orders.q"] == "NOT VALID" and from_file["orders.orders_code_ff"] == "WITH (fillfactor=70)"
    )
    assert from_database["orders.no_overlap"] == "EXCLUDE USING gist (during WITH &&)"
