"""One database node's resources: the brief's ``hardware:`` (or its instance class), else its
``node:``, else stated defaults; and the disk facts per disk type.

Disk defaults by type (IOPS of random 8 KiB requests, sequential throughput, latency of one random
read at queue depth 1), typical published figures for each class of device:

============  =========  ===========  ============
type          IOPS       throughput   random read
============  =========  ===========  ============
nvme          200,000    2,000 MB/s   0.1 ms
ssd           50,000     500 MB/s     0.2 ms
network-ssd   3,000      125 MB/s     1.0 ms      (cloud block storage's baseline, e.g. gp3)
hdd           150        150 MB/s     8.0 ms
============  =========  ===========  ============
"""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.brief import Brief, DiskType, format_size
from dbarchitect.brief.instances import instance_figures

DISKS: dict[DiskType, tuple[float, float, float]] = {
    DiskType.NVME: (200_000.0, 2e9, 0.1),
    DiskType.SSD: (50_000.0, 500e6, 0.2),
    DiskType.NETWORK_SSD: (3_000.0, 125e6, 1.0),
    DiskType.HDD: (150.0, 150e6, 8.0),
}
DEFAULT_CORES = 8
DEFAULT_MEMORY = 64 * 10**9
DEFAULT_DISK_BYTES = 2 * 10**12


@dataclass(frozen=True)
class Machine:
    """One node as the design sizes it; ``sources`` says where each figure comes from."""

    cores: int
    memory: float
    disk_type: DiskType
    iops: float
    throughput: float
    random_read_ms: float
    disk_bytes: float
    sources: tuple[tuple[str, str], ...]

    def source(self, name: str) -> str:
        return dict(self.sources).get(name, "default")

    @property
    def defaults_used(self) -> tuple[str, ...]:
        return tuple(name for name, where in self.sources if where.startswith("default"))

    def describe(self) -> str:
        return (
            f"{self.cores} cores, {format_size(self.memory)} memory, {self.disk_type.value} disk "
            f"{format_size(self.disk_bytes)} ({self.iops:,.0f} IOPS, {format_size(self.throughput)}/s)"
        )


def resolve_machine(brief: Brief) -> Machine:
    """The node the design sizes for (see the module docstring for the order of sources)."""
    hw = brief.hardware
    node = brief.node
    sources: list[tuple[str, str]] = []
    figures = instance_figures(hw.instance_class) if hw and hw.instance_class else None

    cores: int
    if hw and hw.cores is not None:
        cores, where = hw.cores, "brief hardware.cores"
    elif figures is not None:
        cores, where = figures.cores, f"instance class {figures.name}"
    else:
        cores, where = DEFAULT_CORES, f"default ({DEFAULT_CORES} cores)"
    sources.append(("cores", where))

    memory: float
    if hw and hw.memory is not None:
        memory, where = float(hw.memory), "brief hardware.memory"
    elif figures is not None:
        memory, where = float(figures.memory), f"instance class {figures.name}"
    elif "memory" in node.model_fields_set:
        memory, where = float(node.memory), "brief node.memory"
    else:
        memory, where = float(DEFAULT_MEMORY), f"default ({format_size(DEFAULT_MEMORY)})"
    sources.append(("memory", where))

    disk = hw.disk if hw else None
    if disk is not None and "type" in disk.model_fields_set:
        disk_type, where = disk.type, "brief hardware.disk.type"
    elif figures is not None:
        disk_type, where = DiskType.NETWORK_SSD, f"instance class {figures.name} (network block storage)"
    else:
        disk_type, where = DiskType.SSD, "default (ssd)"
    sources.append(("disk type", where))
    iops_default, throughput_default, latency = DISKS[disk_type]
    if disk is not None and disk.iops is not None:
        iops, where = float(disk.iops), "brief hardware.disk.iops"
    else:
        iops, where = iops_default, f"default for {disk_type.value} ({iops_default:,.0f})"
    sources.append(("IOPS", where))
    if disk is not None and disk.throughput is not None:
        throughput, where = float(disk.throughput), "brief hardware.disk.throughput"
    else:
        throughput, where = (
            throughput_default,
            f"default for {disk_type.value} ({format_size(throughput_default)}/s)",
        )
    sources.append(("throughput", where))
    if disk is not None and disk.size is not None:
        size, where = float(disk.size), "brief hardware.disk.size"
    elif "storage" in node.model_fields_set:
        size, where = float(node.storage), "brief node.storage"
    else:
        size, where = float(DEFAULT_DISK_BYTES), f"default ({format_size(DEFAULT_DISK_BYTES)})"
    sources.append(("disk size", where))
    return Machine(cores, memory, disk_type, iops, throughput, latency, size, tuple(sources))
