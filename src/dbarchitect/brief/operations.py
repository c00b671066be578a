"""The brief's operations sections: ``availability:``, ``backup:``, ``hardware:``, ``connections:``.

Each section is optional and each field has a default that the design states (``defaults_used``):

* ``availability: {uptime: 99.95%, rpo: 5s, rto: 2min, regions: 1, maintenance_window: 'sun 02:00-04:00'}``
  — no section means no availability goal: a single primary with daily backups.
* ``backup: {retention: 35d, pitr: true}``.
* ``hardware:`` one database node: ``cores``, ``memory``, ``disk: {type, iops, throughput, size}``, or
  an ``instance_class`` (``r6i.2xlarge``, ``db.m7i.xlarge``, ``n2-highmem-8``) whose published
  figures fill the fields not given.
* ``connections:`` ``{app_instances: 12, pool_size: 20}`` or ``{clients: 400}``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.instances import instance_figures
from dbarchitect.brief.units import NUMBER, Days, Seconds, Size, parse_size, to_number, unit_string

# ---------------------------------------------------------------------------------------------
# Units of this section: a percentage, a throughput in bytes per second, a weekly time window


def parse_percent(value: Any) -> float:
    """A percentage from ``99.95%``, ``'99.95'`` or ``99.95`` (a fraction such as 0.9995 is refused:
    write the percentage)."""
    if isinstance(value, bool):
        raise ValueError("uptime is a percentage such as '99.95%'")
    if isinstance(value, int | float):
        percent = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(NUMBER + r"\s*%?", value.strip())
        if not m:
            raise ValueError(f"cannot read percentage {value!r}; write e.g. '99.95%'")
        percent = to_number(m["num"])
    else:
        raise ValueError("uptime is a percentage such as '99.95%'")
    if percent < 50 or percent >= 100:
        raise ValueError(
            f"uptime {value!r} is out of range: write a percentage from 50% to below 100%, e.g. '99.95%'"
        )
    return percent


def parse_throughput(value: Any) -> float:
    """Bytes per second from ``500MB/s``, ``1.5 GB/s`` or a number of bytes per second."""
    if isinstance(value, str):
        text = value.strip()
        lowered = text.lower()
        for suffix in ("/s", "ps", "/sec", " per second"):
            if lowered.endswith(suffix):
                text = text[: -len(suffix)]
                break
        try:
            return float(parse_size(text))
        except ValueError:
            raise ValueError(f"cannot read throughput {value!r}; write e.g. '500MB/s'") from None
    return float(parse_size(value))


_PERCENT_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 50, "exclusiveMaximum": 100, "description": "percent"},
        unit_string("%?", "99.95%", "99.9%"),
    ]
}
_THROUGHPUT_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0, "description": "bytes per second"},
        {
            "type": "string",
            "pattern": r"^\s*\d+(?:\.\d+)?\s*[a-zA-Z]*\s*(?:/s|/sec|ps)?\s*$",
            "examples": ["500MB/s"],
        },
    ]
}
Percent = Annotated[float, BeforeValidator(parse_percent), WithJsonSchema(_PERCENT_JSON)]
Throughput = Annotated[float, BeforeValidator(parse_throughput), WithJsonSchema(_THROUGHPUT_JSON)]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"(?P<days>daily|(?:mon|tue|wed|thu|fri|sat|sun)(?:\s*[,-]\s*(?:mon|tue|wed|thu|fri|sat|sun))*)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})(?:\s+(?P<tz>[A-Za-z_/+\-0-9]+))?",
    re.IGNORECASE,
)


def _minutes(text: str) -> int:
    hours, minutes = (int(p) for p in text.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"{text} is not a time of day")
    return hours * 60 + minutes


class MaintenanceWindow(BriefModel):
    """A weekly window for planned work (upgrades, switchovers): ``sun 02:00-04:00 UTC``,
    ``sat,sun 01:00-03:00``, ``mon-fri 03:00-03:30``, ``daily 02:00-02:30``."""

    json_shorthands = ({"type": "string", "examples": ["sun 02:00-04:00 UTC", "daily 02:00-02:30"]},)

    days: list[str] = Field(min_length=1, description="days of the week (mon..sun)")
    start: str = Field(description="start time of day, HH:MM")
    end: str = Field(description="end time of day, HH:MM (past midnight when before start)")
    timezone: str = Field(default="UTC")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        m = _WINDOW.fullmatch(value.strip())
        if not m:
            raise ValueError(
                f"cannot read maintenance window {value!r}; write e.g. 'sun 02:00-04:00 UTC' or "
                "'mon-fri 03:00-03:30'"
            )
        days: list[str] = []
        spec = m["days"].lower().replace(" ", "")
        if spec == "daily":
            days = list(_DAYS)
        else:
            for part in spec.split(","):
                if "-" in part:
                    first, last = part.split("-")
                    i, j = _DAYS.index(first), _DAYS.index(last)
                    span = range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]
                    days.extend(_DAYS[k] for k in span)
                else:
                    days.append(part)
        return {"days": days, "start": m["start"], "end": m["end"], "timezone": m["tz"] or "UTC"}

    @model_validator(mode="after")
    def _valid(self) -> MaintenanceWindow:
        for day in self.days:
            if day not in _DAYS:
                raise ValueError(f"unknown day {day!r}; use mon, tue, wed, thu, fri, sat, sun")
        if _minutes(self.start) == _minutes(self.end):
            raise ValueError("the maintenance window starts and ends at the same time")
        return self

    @property
    def minutes(self) -> int:
        """Length of one window in minutes."""
        length = _minutes(self.end) - _minutes(self.start)
        return length if length > 0 else length + 24 * 60

    @property
    def hours_per_year(self) -> float:
        return self.minutes / 60.0 * len(dict.fromkeys(self.days)) * 52.0

    def __str__(self) -> str:
        days = ",".join(self.days) if len(self.days) < 7 else "daily"
        return f"{days} {self.start}-{self.end} {self.timezone}"


# ---------------------------------------------------------------------------------------------
# availability:

#: Defaults of an ``availability:`` section given without some of its fields.
DEFAULT_UPTIME = 99.9
DEFAULT_RPO_S = 60.0
DEFAULT_RTO_S = 15 * 60.0
DEFAULT_REGION_RTT_S = 0.04


class AvailabilitySpec(BriefModel):
    """The availability goals: how much of the year the database answers (``uptime``), how much of
    the last writes a failure may lose (``rpo``: 0 means none), how soon it answers again after a
    failure (``rto``), in how many regions, and when planned work may stop it."""

    uptime: Percent = Field(
        default=DEFAULT_UPTIME, description="share of the year writes succeed (default 99.9%)"
    )
    rpo: Seconds = Field(
        default=DEFAULT_RPO_S,
        description="most recent writes a failure may lose, as time ('0s': none, '5s'); default 1min",
    )
    rto: Seconds = Field(
        default=DEFAULT_RTO_S, description="time until writes succeed again after a failure (default 15min)"
    )
    regions: int = Field(default=1, ge=1, le=10, description="regions to survive the loss of (default 1)")
    region_rtt: Seconds = Field(
        default=DEFAULT_REGION_RTT_S,
        description="round trip between regions when regions > 1 (default 40ms); planned on paper only",
    )
    maintenance_window: MaintenanceWindow | None = Field(
        default=None,
        description="weekly window for planned work ('sun 02:00-04:00 UTC'); default none: planned work "
        "is done by switchover and counts as downtime",
    )

    @model_validator(mode="after")
    def _rto_positive(self) -> AvailabilitySpec:
        if self.rto <= 0:
            raise ValueError("rto must be more than 0s: no failover is instantaneous")
        return self

    @property
    def defaults_used(self) -> tuple[str, ...]:
        return tuple(
            f
            for f in ("uptime", "rpo", "rto", "regions", "maintenance_window")
            if f not in self.model_fields_set
        )


# ---------------------------------------------------------------------------------------------
# backup:

DEFAULT_BACKUP_RETENTION_DAYS = 7.0


class BackupSpec(BriefModel):
    """How long backups are kept (``retention``: the oldest point a restore can reach) and whether
    any point in between can be restored (``pitr``: continuous WAL/binlog archiving)."""

    retention: Days = Field(
        default=DEFAULT_BACKUP_RETENTION_DAYS, description="how far back a restore can go (default 7d)"
    )
    pitr: bool = Field(
        default=True, description="restore to any point in time within retention (default true)"
    )

    @property
    def defaults_used(self) -> tuple[str, ...]:
        return tuple(f for f in ("retention", "pitr") if f not in self.model_fields_set)


# ---------------------------------------------------------------------------------------------
# hardware:


class DiskType(StrEnum):
    NVME = "nvme"
    SSD = "ssd"
    NETWORK_SSD = "network-ssd"
    HDD = "hdd"


class DiskSpec(BriefModel):
    """One node's data disk: its type, and the IOPS, throughput and size it gives (defaults by type
    are stated in the design)."""

    type: DiskType = Field(
        default=DiskType.SSD, description="nvme, ssd, network-ssd (cloud block storage) or hdd"
    )
    iops: int | None = Field(
        default=None, ge=1, le=10_000_000, description="random 8 KiB reads/writes per second"
    )
    throughput: Throughput | None = Field(
        default=None, description="sequential bytes per second, e.g. '500MB/s'"
    )
    size: Size | None = Field(default=None, description="capacity, e.g. '2TB'")


class HardwareSpec(BriefModel):
    """One database node. Either the figures (``cores``, ``memory``, ``disk``) or an
    ``instance_class`` whose published figures fill the ones not given."""

    instance_class: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="a cloud instance class: r6i.2xlarge, db.m7i.xlarge, c6i.4xlarge, n2-highmem-8 ...",
    )
    cores: int | None = Field(default=None, ge=1, le=1024, description="CPU cores (vCPUs) of one node")
    memory: Size | None = Field(default=None, description="RAM of one node, e.g. '64GB'")
    disk: DiskSpec = Field(default_factory=DiskSpec)

    @model_validator(mode="after")
    def _known_class(self) -> HardwareSpec:
        if self.instance_class is not None:
            instance_figures(self.instance_class)  # raises with the known families
        if self.memory is not None and self.memory < 256 * 2**20:
            raise ValueError("hardware memory below 256MB cannot run a database server; give e.g. '16GB'")
        return self


# ---------------------------------------------------------------------------------------------
# connections:


class ConnectionsSpec(BriefModel):
    """How the application connects: ``app_instances`` × ``pool_size`` (each instance's own pool), or
    a total ``clients`` count."""

    app_instances: int | None = Field(default=None, ge=1, le=100_000)
    pool_size: int | None = Field(default=None, ge=1, le=10_000, description="connections per app instance")
    clients: int | None = Field(default=None, ge=1, le=1_000_000, description="client connections in all")

    @model_validator(mode="after")
    def _one_way(self) -> ConnectionsSpec:
        pair = (self.app_instances is not None, self.pool_size is not None)
        if self.clients is not None and any(pair):
            raise ValueError("give clients, or app_instances with pool_size, not both")
        if self.clients is None and pair != (True, True):
            raise ValueError("give clients (e.g. 400), or both app_instances and pool_size")
        return self

    @property
    def client_connections(self) -> int:
        if self.clients is not None:
            return self.clients
        assert self.app_instances is not None and self.pool_size is not None
        return self.app_instances * self.pool_size
