"""The brief's operations sections: availability, backup, hardware, connections."""

from __future__ import annotations

import pytest

from dbarchitect.brief import brief_json_schema, loads_brief
from dbarchitect.brief.instances import instance_figures
from dbarchitect.errors import BriefError

HEAD = """
engine: postgresql 15
schema:
  entities:
    t: {columns: {id: bigint, v: int}, primary_key: [id]}
"""


def test_sections_parse_with_units() -> None:
    brief = loads_brief(
        HEAD
        + """
availability: {uptime: 99.95%, rpo: 0s, rto: 2min, maintenance_window: sat-sun 02:00-04:30 Europe/Paris}
backup: {retention: 35d, pitr: false}
hardware: {instance_class: db.r6i.2xlarge, disk: {type: network-ssd, iops: 12000, throughput: 500MB/s}}
connections: {app_instances: 4, pool_size: 10}
"""
    )
    av = brief.availability
    assert av is not None
    assert (av.uptime, av.rpo, av.rto, av.regions) == (99.95, 0.0, 120.0, 1)
    assert av.maintenance_window is not None
    assert av.maintenance_window.days == ["sat", "sun"]
    assert av.maintenance_window.minutes == 150
    assert str(av.maintenance_window) == "sat,sun 02:00-04:30 Europe/Paris"
    assert av.defaults_used == ("regions",)
    assert (brief.backup.retention, brief.backup.pitr) == (35.0, False)
    assert brief.hardware is not None and brief.hardware.disk.throughput == 500e6
    assert brief.connections is not None and brief.connections.client_connections == 40


def test_defaults_are_stated() -> None:
    brief = loads_brief(HEAD + "availability: {}\n")
    assert brief.availability is not None
    assert brief.availability.defaults_used == ("uptime", "rpo", "rto", "regions", "maintenance_window")
    assert brief.backup.defaults_used == ("retention", "pitr")
    assert loads_brief(HEAD).availability is None


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("availability: {uptime: 0.9995}", "write a percentage"),
        ("availability: {uptime: 100%}", "below 100%"),
        ("availability: {rto: 0s}", "rto must be more than 0s"),
        ("availability: {rpo: 5m}", "cannot read duration"),
        ("availability: {regions: 0}", "regions"),
        ("availability: {maintenance_window: sunday 2am}", "write e.g. 'sun 02:00-04:00 UTC'"),
        ("availability: {maintenance_window: mon 02:00-02:00}", "starts and ends at the same time"),
        ("hardware: {instance_class: r6i.2xlarg}", "did you mean 'r6i.2xlarge'"),
        ("hardware: {memory: 10MB}", "cannot run a database server"),
        ("hardware: {disk: {type: floppy}}", "hardware.disk.type"),
        ("connections: {pool_size: 3}", "give clients"),
        ("connections: {clients: 10, pool_size: 3}", "not both"),
        ("backup: {retention: 0d}", "out of range"),
    ],
)
def test_bad_sections_are_one_line_errors(section: str, message: str) -> None:
    with pytest.raises(BriefError) as err:
        loads_brief(HEAD + section + "\n", file="b.yaml")
    text = str(err.value)
    assert "\n" not in text
    assert message in text
    assert "b.yaml:6" in text


@pytest.mark.parametrize(
    ("name", "cores", "gib"),
    [("r6i.2xlarge", 8, 64), ("db.m7i.xlarge", 4, 16), ("c6g.large", 2, 4), ("Standard_E8s_v5", 8, 64)],
)
def test_instance_classes(name: str, cores: int, gib: int) -> None:
    figures = instance_figures(name)
    assert (figures.cores, figures.memory) == (cores, gib * 2**30)


def test_gcp_memory_is_decimal() -> None:
    assert instance_figures("n2-highmem-8").memory == 64 * 10**9


def test_json_schema_publishes_the_sections() -> None:
    schema = brief_json_schema()
    for key in ("availability", "backup", "hardware", "connections"):
        assert key in schema["properties"]
    text = str(schema)
    assert "99.95%" in text and "maintenance" in text
