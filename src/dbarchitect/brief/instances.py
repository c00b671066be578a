"""Published figures of common cloud instance classes, for ``hardware: {instance_class: ...}``.

Cores (vCPUs) and memory follow from the family's memory per vCPU and the size's vCPU count, as the
providers publish them:

* AWS (with or without RDS's ``db.`` prefix): general purpose ``m5 m6i m6a m6g m7i m7g`` 4 GiB per
  vCPU, memory optimised ``r5 r6i r6a r6g r7i r7g`` 8 GiB, compute optimised ``c5 c6i c6a c6g c7i c7g``
  2 GiB; sizes ``large`` = 2 vCPUs, ``xlarge`` = 4, ``Nxlarge`` = 4N.
* Google Cloud: ``n2 n2d e2 c3``-``standard-N`` 4 GB per vCPU, ``-highmem-N`` 8 GB, ``-highcpu-N``
  1 GB.
* Azure: ``Standard_D{N}s_v4|v5`` 4 GiB per vCPU, ``Standard_E{N}s_v4|v5`` 8 GiB,
  ``Standard_F{N}s_v2`` 2 GiB.

Their disks are network block storage; the design states the disk defaults it takes for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbarchitect.errors import did_you_mean

_AWS_GIB_PER_VCPU = {
    **{f: 4 for f in ("m5", "m6i", "m6a", "m6g", "m7i", "m7g")},
    **{f: 8 for f in ("r5", "r6i", "r6a", "r6g", "r7i", "r7g")},
    **{f: 2 for f in ("c5", "c6i", "c6a", "c6g", "c7i", "c7g")},
}
_GCP_GB_PER_VCPU = {"standard": 4, "highmem": 8, "highcpu": 1}
_GCP_FAMILIES = ("n2", "n2d", "e2", "c3")
_AZURE_GIB_PER_VCPU = {"d": 4, "e": 8, "f": 2}


@dataclass(frozen=True)
class InstanceFigures:
    name: str
    cores: int
    memory: int
    provider: str


def _aws_vcpus(size: str) -> int | None:
    if size == "large":
        return 2
    if size == "xlarge":
        return 4
    m = re.fullmatch(r"(\d+)xlarge", size)
    return 4 * int(m[1]) if m and int(m[1]) > 0 else None


def known_examples() -> list[str]:
    return [
        *(
            f"{f}.{s}"
            for f in _AWS_GIB_PER_VCPU
            for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")
        ),
        *(f"{f}-{k}-{n}" for f in _GCP_FAMILIES for k in _GCP_GB_PER_VCPU for n in (2, 4, 8, 16, 32)),
        *(f"Standard_{k.upper()}{n}s_v5" for k in _AZURE_GIB_PER_VCPU for n in (2, 4, 8, 16, 32)),
    ]


def instance_figures(name: str) -> InstanceFigures:
    """Cores and memory (bytes) of a known instance class; ``ValueError`` naming the known families."""
    text = name.strip()
    lowered = text.lower().removeprefix("db.")
    m = re.fullmatch(r"([a-z0-9]+)\.([0-9a-z]+)", lowered)
    if m and m[1] in _AWS_GIB_PER_VCPU:
        vcpus = _aws_vcpus(m[2])
        if vcpus is not None:
            return InstanceFigures(text, vcpus, vcpus * _AWS_GIB_PER_VCPU[m[1]] * 2**30, "aws")
    m = re.fullmatch(r"([a-z0-9]+)-(standard|highmem|highcpu)-(\d+)", lowered)
    if m and m[1] in _GCP_FAMILIES and int(m[3]) > 0:
        vcpus = int(m[3])
        return InstanceFigures(text, vcpus, vcpus * _GCP_GB_PER_VCPU[m[2]] * 10**9, "gcp")
    m = re.fullmatch(r"standard_([def])(\d+)s_v(\d)", lowered)
    if m and int(m[2]) > 0 and (m[1], m[3]) in {("d", "4"), ("d", "5"), ("e", "4"), ("e", "5"), ("f", "2")}:
        vcpus = int(m[2])
        return InstanceFigures(text, vcpus, vcpus * _AZURE_GIB_PER_VCPU[m[1]] * 2**30, "azure")
    raise ValueError(
        f"unknown instance class {name!r}{did_you_mean(text, known_examples())}; known: AWS m/r/c 5-7 "
        "(r6i.2xlarge, db.m7i.xlarge), GCP n2/n2d/e2/c3-standard|highmem|highcpu-N, Azure "
        "Standard_D|E<N>s_v5; or give cores, memory and disk instead"
    )
