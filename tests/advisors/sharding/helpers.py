"""Small briefs for the sharding tests: a DDL text, sizes, a workload, a node — inspected."""

from __future__ import annotations

import textwrap
from pathlib import Path

from dbarchitect.api import inspect_brief
from dbarchitect.brief import loads_brief
from dbarchitect.results import Inspection

TPCC = Path(__file__).resolve().parents[3] / "examples" / "tpcc" / "brief.yaml"


def inspect(tmp_path: Path, ddl: str, body: str, engine: str = "postgresql 15") -> Inspection:
    """Write ``ddl`` beside a brief made of ``body`` (YAML: tables, workload, node...) and inspect it."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "schema.sql").write_text(textwrap.dedent(ddl))
    text = f"name: t\nengine: {engine}\nschema: {{ddl: schema.sql}}\n" + textwrap.dedent(body)
    return inspect_brief(loads_brief(text, file=str(tmp_path / "b.yaml"), base_dir=tmp_path))


#: Users and devices, and events that belong to both: joins that disagree on the key.
EVENTS_DDL = """\
CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE devices (id bigint PRIMARY KEY, model text NOT NULL);
CREATE TABLE events (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    device_id bigint NOT NULL REFERENCES devices (id),
    payload text
);
"""


def events_body(by_user: float, by_device: float) -> str:
    return f"""\
tables:
  users: {{rows: 50M}}
  devices: {{rows: 50M}}
  events: {{rows: 2B}}
workload:
  - name: by_user
    sql: SELECT e.payload, u.name FROM events e JOIN users u ON u.id = e.user_id WHERE e.user_id = :uid
    rate: {by_user!r}
  - name: by_device
    sql: >-
      SELECT e.payload, d.model FROM events e JOIN devices d ON d.id = e.device_id
      WHERE e.device_id = :did
    rate: {by_device!r}
"""
