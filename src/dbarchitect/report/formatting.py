"""Human-readable numbers shared by the text and Markdown reports."""

from __future__ import annotations

from dbarchitect.brief import format_size


def human_bytes(value: float | None) -> str:
    return "—" if value is None else format_size(value)


def human_count(value: float | None) -> str:
    if value is None:
        return "—"
    v = float(value)
    for suffix, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= scale:
            return f"{v / scale:.3g}{suffix}"
    # Row counts read as whole numbers; small estimates (below 10) keep a digit of precision.
    return f"{v:.0f}" if v == int(v) or abs(v) >= 10 else f"{v:.2g}"


def human_rate(per_second: float) -> str:
    """``120/s``, ``4.2/min``, ``24/day``: the largest unit in which the rate is at least 1."""
    for unit, seconds in (("s", 1.0), ("min", 60.0), ("h", 3600.0), ("day", 86400.0)):
        amount = per_second * seconds
        if amount >= 1 or unit == "day":
            return f"{amount:.0f}/{unit}" if amount >= 100 else f"{amount:.3g}/{unit}"
    return f"{per_second:.3g}/s"  # pragma: no cover


def human_ms(value: float | None) -> str:
    """``2.81 s``, ``14 ms``, ``25 µs``, ``30 ns``: three significant digits in the largest unit the
    value is at least 1 of."""
    if value is None:
        return "—"
    for unit, scale in (("s", 1000.0), ("ms", 1.0), ("µs", 1e-3)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-6:.2g} ns"


def human_fraction(value: float) -> str:
    if value >= 0.01:
        return f"{value * 100:.1f}%"
    return f"{value:.2g}"
