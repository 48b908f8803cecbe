"""Server-rendered SVG charts for the reports: horizontal bars and a line over time.
Pure Python (no Django, no JavaScript, no CDN), in the manner of measures/trajectory.py.

A value that is missing or hidden by the small-cell rule draws no bar; its label says
why ("<5", "no data"), so the chart never shows a number the table hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_HEIGHT, BAR_GAP = 20, 8
LABEL_WIDTH, VALUE_WIDTH, PLOT_WIDTH = 220, 70, 330
LINE_WIDTH, LINE_HEIGHT = 640, 240
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 44, 16, 12, 32
INK, MUTED, BAR, GRID = "#1f6f8b", "#5b6775", "#2d7d9a", "#d6dde4"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no bar (no data, or hidden)
    shown: str  # the value as the table shows it: "45.0%", "<5", "—"


@dataclass(frozen=True)
class LinePoint:
    label: str  # an axis label: a date or an ISO week
    value: float


def _svg_open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="report-chart" width="100%" '
        f'style="max-width:{width}px">',
        f"<title>{escape(title)}</title>",
    ]


def bar_chart_svg(*, title: str, bars: Sequence[Bar], maximum: float | None = None) -> str:
    """Horizontal bars, one per row, scaled to `maximum` (100 for percentages) or to the
    largest value. Empty string when there is nothing to draw."""
    if not bars:
        return ""
    values = [bar.value for bar in bars if bar.value is not None]
    top = maximum if maximum is not None else max(values, default=0)
    top = top or 1
    height = len(bars) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = _svg_open(width, height, title)
    for index, bar in enumerate(bars):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        middle = y + BAR_HEIGHT / 2 + 4
        label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" font-size="12" text-anchor="end" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{PLOT_WIDTH}" height="{BAR_HEIGHT}" '
            f'fill="{GRID}" opacity="0.35"/>'
        )
        if bar.value is not None and bar.value > 0:
            length = PLOT_WIDTH * min(bar.value, top) / top
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{BAR}" data-value="{bar.value}"><title>{escape(bar.label)}: '
                f"{escape(bar.shown)}</title></rect>"
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 6}" y="{middle:.1f}" font-size="12" '
            f'fill="{INK}">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(*, title: str, points: Sequence[LinePoint], unit: str = "") -> str:
    """A line over time (labels in order, evenly spaced), the axis from 0 to the top value.
    Empty string when there is nothing to draw."""
    if not points:
        return ""
    plot_width = LINE_WIDTH - LINE_LEFT - LINE_RIGHT
    plot_height = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM
    top = max(point.value for point in points) or 1

    def x(index: int) -> float:
        if len(points) == 1:
            return LINE_LEFT + plot_width / 2
        return LINE_LEFT + plot_width * index / (len(points) - 1)

    def y(value: float) -> float:
        return LINE_TOP + plot_height * (1 - value / top)

    parts = _svg_open(LINE_WIDTH, LINE_HEIGHT, title)
    for tick in (0, top / 2, top):
        parts.append(
            f'<line x1="{LINE_LEFT}" y1="{y(tick):.1f}" x2="{LINE_LEFT + plot_width}" '
            f'y2="{y(tick):.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{LINE_LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{tick:g}{escape(unit)}</text>'
        )
    ends = sorted({0, len(points) - 1})
    for index in ends:
        parts.append(
            f'<text x="{x(index):.1f}" y="{LINE_HEIGHT - 10}" font-size="11" '
            f'text-anchor="{"start" if index == 0 and len(points) > 1 else "end" if index else "middle"}" '
            f'fill="{MUTED}">{escape(points[index].label)}</text>'
        )
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{x(n):.1f},{y(p.value):.1f}" for n, p in enumerate(points)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="{INK}" stroke-width="2"/>')
    for n, point in enumerate(points):
        parts.append(
            f'<circle cx="{x(n):.1f}" cy="{y(point.value):.1f}" r="2.5" fill="{INK}">'
            f"<title>{escape(point.label)}: {point.value:g}{escape(unit)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
