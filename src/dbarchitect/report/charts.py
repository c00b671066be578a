"""Horizontal bar charts as inline SVG for the HTML report (no script, deterministic output).

Three charts, each a function of plain numbers the report document already holds:

- :func:`workload_cost_chart`: each statement's share of the workload cost (rate × planner cost per
  execution, in planner units per second) before and after the advised indexes, on a log scale (the
  costs span several orders of magnitude);
- :func:`storage_chart`: each table's data, existing indexes and advised indexes grown to the
  horizon, stacked on a linear scale, with a tick at today's total;
- :func:`latency_chart`: each statement's estimated latency against its SLO (a tick), log scale; a
  bar over its SLO is drawn in the error colour.

Labels are monospace so their widths are exact; every bar has a ``<title>`` with its numbers.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dbarchitect.report.formatting import human_bytes, human_count, human_ms

CHAR_W = 7.2
BAR_H = 12.0
BAR_GAP = 3.0
ROW_GAP = 9.0
PLOT_W = 720.0
VALUE_W = 96.0
#: Advance of the 11 px value labels (sans serif; an upper bound for digits and units).
VALUE_CHAR_W = 6.6
AXIS_H = 34.0
LEGEND_H = 26.0
MAX_LABEL = 34


@dataclass(frozen=True)
class Segment:
    series: str
    value: float


@dataclass(frozen=True)
class BarRow:
    label: str
    #: One bar per entry (grouped), each a stack of segments from left to right.
    bars: tuple[tuple[Segment, ...], ...]
    #: The text after each bar.
    values: tuple[str, ...]
    #: A tick across the row (an SLO, today's size), with its label for the tooltip.
    marker: float | None = None
    marker_label: str = ""
    #: Extra class per bar (``over`` when over its SLO).
    states: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    log: bool

    def x(self, value: float) -> float:
        if self.log:
            value = max(value, self.low)
            return (
                PLOT_W
                * (math.log10(value) - math.log10(self.low))
                / (math.log10(self.high) - math.log10(self.low))
            )
        return PLOT_W * (value - self.low) / (self.high - self.low)

    def ticks(self) -> list[float]:
        if self.log:
            lo, hi = round(math.log10(self.low)), round(math.log10(self.high))
            every = max(1, math.ceil((hi - lo) / 8))
            return [10.0**e for e in range(lo, hi + 1, every)]
        step = _nice_step(self.high / 5)
        return [step * i for i in range(int(self.high / step + 1e-9) + 1)]


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return float(m * power)
    return 10.0 * power  # pragma: no cover


def _log_scale(values: Sequence[float]) -> _Scale:
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    if not positive:
        return _Scale(1.0, 10.0, True)
    lo = 10 ** math.floor(math.log10(min(positive)))
    hi = 10 ** math.ceil(math.log10(max(positive)))
    if hi <= lo:
        hi = lo * 10
    return _Scale(lo, hi, True)


def _linear_scale(values: Sequence[float]) -> _Scale:
    top = max([v for v in values if math.isfinite(v)] + [0.0])
    if top <= 0:
        return _Scale(0.0, 1.0, False)
    step = _nice_step(top / 5)
    return _Scale(0.0, step * math.ceil(top / step - 1e-9), False)


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _bar_chart(
    rows: Sequence[BarRow],
    scale: _Scale,
    legend: Sequence[tuple[str, str]],
    tick_label: Callable[[float], str],
    axis_title: str,
    label: str,
    marker_legend: str = "",
) -> str:
    label_w = max([len(_clip(r.label)) for r in rows] + [8]) * CHAR_W + 12
    plot_x = label_w
    row_heights = [len(r.bars) * BAR_H + (len(r.bars) - 1) * BAR_GAP for r in rows]
    height = LEGEND_H + sum(row_heights) + ROW_GAP * (len(rows) + 1) + AXIS_H
    width = plot_x + PLOT_W + VALUE_W
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart",
            "role": "img",
            "aria-label": label,
            "width": _f(width),
            "height": _f(height),
            "viewBox": f"0 0 {_f(width)} {_f(height)}",
        },
    )
    # Legend.
    lx = plot_x
    for series, text in legend:
        _sub(svg, "rect", class_=f"bar {series}", x=_f(lx), y="6", width="12", height="12", rx="2")
        _sub(svg, "text", text, class_="legend", x=_f(lx + 17), y="16")
        lx += 17 + len(text) * 6.6 + 18
    if marker_legend:
        _sub(svg, "path", class_="marker", d=f"M{_f(lx + 5)},4 L{_f(lx + 5)},20")
        _sub(svg, "text", marker_legend, class_="legend", x=_f(lx + 14), y="16")
    top = LEGEND_H
    bottom = height - AXIS_H
    grid = _sub(svg, "g", class_="grid")
    for t in scale.ticks():
        x = plot_x + scale.x(t)
        _sub(grid, "path", d=f"M{_f(x)},{_f(top)} L{_f(x)},{_f(bottom)}")
        _sub(svg, "text", tick_label(t), class_="tick", x=_f(x), y=_f(bottom + 14))
    _sub(svg, "text", axis_title, class_="axis-title", x=_f(plot_x + PLOT_W / 2), y=_f(height - 4))
    _sub(svg, "path", class_="axis", d=f"M{_f(plot_x)},{_f(top)} L{_f(plot_x)},{_f(bottom)}")
    y = top + ROW_GAP
    for row, row_h in zip(rows, row_heights, strict=True):
        g = _sub(svg, "g", class_="row", data_label=row.label)
        if row.title:
            _sub(g, "title", row.title)
        _sub(g, "text", _clip(row.label), class_="label", x=_f(plot_x - 8), y=_f(y + row_h / 2 + 4))
        by = y
        for i, bar in enumerate(row.bars):
            state = row.states[i] if i < len(row.states) else ""
            start = 0.0
            for seg in bar:
                if seg.value <= 0:
                    continue
                x0 = scale.x(start) if start > 0 or not scale.log else 0.0
                x1 = scale.x(start + seg.value)
                if x1 - x0 > 0.05:
                    _sub(
                        g,
                        "rect",
                        class_=f"bar {seg.series} {state}".strip(),
                        x=_f(plot_x + x0),
                        y=_f(by),
                        width=_f(max(x1 - x0, 1.0)),
                        height=_f(BAR_H),
                    )
                start += seg.value
            end = scale.x(start) if start > 0 else 0.0
            if row.marker is not None and (row.marker > 0 or not scale.log):
                # A label the marker would cross goes just past the marker instead.
                mark = scale.x(row.marker)
                if end - 2 <= mark <= end + len(row.values[i]) * VALUE_CHAR_W + 8:
                    end = mark + 2
            _sub(g, "text", row.values[i], class_="value", x=_f(plot_x + end + 5), y=_f(by + BAR_H - 2))
            by += BAR_H + BAR_GAP
        if row.marker is not None and (row.marker > 0 or not scale.log):
            mx = plot_x + scale.x(row.marker)
            marker = _sub(
                g, "path", class_="marker", d=f"M{_f(mx)},{_f(y - 3)} L{_f(mx)},{_f(y + row_h + 3)}"
            )
            if row.marker_label:
                _sub(marker, "title", row.marker_label)
        y += row_h + ROW_GAP
    return ET.tostring(svg, encoding="unicode")


def _cost_label(value: float) -> str:
    return human_count(value)


def workload_cost_chart(rows: Sequence[tuple[str, float, float]]) -> str:
    """(statement, cost per second before, after), largest before first."""
    ordered = sorted(rows, key=lambda r: (-r[1], r[0]))
    scale = _log_scale([v for _, b, a in ordered for v in (b, a)])
    bars = [
        BarRow(
            label=name,
            bars=((Segment("before", before),), (Segment("after", after),)),
            values=(human_count(before), human_count(after)),
            title=f"{name}: {before:,.1f} → {after:,.1f} planner cost units per second",
        )
        for name, before, after in ordered
    ]
    return _bar_chart(
        bars,
        scale,
        (("before", "today"), ("after", "with the advised indexes")),
        _cost_label,
        "planner cost units per second (rate × cost per execution), log scale",
        "Workload cost per statement before and after the advised indexes",
    )


@dataclass(frozen=True)
class StorageRow:
    table: str
    data_now: float
    index_now: float
    data_horizon: float
    index_horizon: float
    advised_now: float = 0.0
    advised_horizon: float = 0.0

    @property
    def now(self) -> float:
        return self.data_now + self.index_now + self.advised_now

    @property
    def horizon(self) -> float:
        return self.data_horizon + self.index_horizon + self.advised_horizon


def storage_chart(rows: Sequence[StorageRow], horizon_days: float) -> str:
    """Each table's size at the horizon (data, existing indexes, advised indexes) with a tick at
    today's total; largest first."""
    ordered = sorted(rows, key=lambda r: (-r.horizon, r.table))
    scale = _linear_scale([r.horizon for r in ordered] + [r.now for r in ordered])
    bars = [
        BarRow(
            label=r.table,
            bars=(
                (
                    Segment("data", r.data_horizon),
                    Segment("index", r.index_horizon),
                    Segment("advised", r.advised_horizon),
                ),
            ),
            values=(human_bytes(r.horizon),),
            marker=r.now,
            marker_label=f"today: {human_bytes(r.now)}",
            title=(
                f"{r.table} at the horizon: data {human_bytes(r.data_horizon)}, indexes "
                f"{human_bytes(r.index_horizon)}, advised indexes {human_bytes(r.advised_horizon)}; "
                f"today {human_bytes(r.now)}"
            ),
        )
        for r in ordered
    ]
    return _bar_chart(
        bars,
        scale,
        (("data", "data"), ("index", "indexes"), ("advised", "advised indexes")),
        human_bytes,
        f"bytes at the {horizon_days:.0f}-day horizon",
        "Storage by table and index at the horizon",
        marker_legend="today",
    )


def latency_chart(rows: Sequence[tuple[str, float | None, float | None]]) -> str:
    """(statement, estimated ms or None, SLO ms or None), in the workload's order."""
    scale = _log_scale([v for _, e, s in rows for v in (e, s) if v is not None])
    bars = []
    for name, estimate, slo in rows:
        state = "" if slo is None or estimate is None else "over" if estimate > slo else "within"
        bars.append(
            BarRow(
                label=name,
                bars=((Segment("latency", estimate or 0.0),),),
                values=(human_ms(estimate) if estimate is not None else "no estimate",),
                marker=slo,
                marker_label=f"SLO {human_ms(slo)}" if slo is not None else "",
                states=(state,),
                title=f"{name}: estimated "
                + (human_ms(estimate) if estimate is not None else "—")
                + (f", SLO {human_ms(slo)}" if slo is not None else ", no SLO"),
            )
        )
    return _bar_chart(
        bars,
        scale,
        (("latency within", "within its SLO"), ("latency over", "over its SLO"), ("latency", "no SLO")),
        human_ms,
        "estimated latency (planner cost × calibrated ms per unit), log scale",
        "Estimated latency against each statement's SLO",
        marker_legend="SLO",
    )
