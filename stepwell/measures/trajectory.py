"""Server-rendered SVG trajectory chart: totals over time, severity bands shaded, reliable
change from baseline marked. Pure Python (no Django, no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 110, 12, 28

# Band fills from the lowest band to the highest: calm to alarming.
BAND_COLOURS = ("#e3f4ea", "#f3f7d9", "#fff4e5", "#fde3cf", "#fdecea", "#f9d3d0")


@dataclass(frozen=True)
class ChartBand:
    label: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class ChartPoint:
    day: date
    total: int
    reliable: str = ""  # reliable_improvement, reliable_deterioration or ""
    label: str = ""


def trajectory_svg(
    *,
    title: str,
    points: Sequence[ChartPoint],
    bands: Sequence[ChartBand],
    low: int,
    high: int,
) -> str:
    """One instrument's trajectory as an accessible SVG string."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    span = max(high - low, 1)
    if not points:
        return ""
    first, last = min(p.day for p in points), max(p.day for p in points)
    day_span = max((last - first).days, 1)

    def x(day: date) -> float:
        if len(points) == 1:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (day - first).days / day_span

    def y(value: float) -> float:
        return TOP + plot_height * (1 - (value - low) / span)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="trajectory" width="100%" style="max-width:640px">',
        f"<title>{escape(title)}</title>",
    ]
    for index, band in enumerate(sorted(bands, key=lambda b: b.minimum)):
        top = y(band.maximum + 0.5 if band.maximum < high else high)
        bottom = y(band.minimum - 0.5 if band.minimum > low else low)
        shade = round(index * (len(BAND_COLOURS) - 1) / max(len(bands) - 1, 1))
        colour = BAND_COLOURS[shade]
        parts.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_width}" height="{bottom - top:.1f}" '
            f'fill="{colour}"><title>{escape(band.label)} {band.minimum}-{band.maximum}</title></rect>'
        )
        parts.append(
            f'<text x="{LEFT + plot_width + 6}" y="{(top + bottom) / 2 + 4:.1f}" '
            f'font-size="11" fill="#5b6775">{escape(band.label)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{LEFT + plot_width}" '
        f'y2="{TOP + plot_height}" stroke="#b8c2cc"/>'
    )
    for tick in sorted({low, (low + high) // 2, high}):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6775">{tick}</text>'
        )
    for day in sorted({first, last}):
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" '
            f'fill="#5b6775">{day.isoformat()}</text>'
        )
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{x(p.day):.1f},{y(p.total):.1f}" for n, p in enumerate(points)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="#1f6f8b" stroke-width="2"/>')
    for p in points:
        cx, cy = x(p.day), y(p.total)
        if p.reliable == "reliable_improvement":
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8" fill="none" stroke="#2d6a4f" '
                f'stroke-width="2" data-change="improvement"/>'
            )
        elif p.reliable == "reliable_deterioration":
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8" fill="none" stroke="#a4161a" '
                f'stroke-width="2" data-change="deterioration"/>'
            )
        description = f"{p.day.isoformat()}: {p.total}"
        if p.label:
            description += f" ({p.label})"
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#1f6f8b">'
            f"<title>{escape(description)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
