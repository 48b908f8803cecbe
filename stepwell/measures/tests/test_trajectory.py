"""The SVG chart engine, without a database."""

from __future__ import annotations

from datetime import date

from stepwell.measures.trajectory import ChartBand, ChartPoint, trajectory_svg

BANDS = [ChartBand("Minimal", 0, 4), ChartBand("Mild", 5, 9), ChartBand("Severe", 10, 27)]


def test_chart_shades_every_band_and_marks_reliable_change():
    svg = trajectory_svg(
        title="PHQ-9 <over> time",
        points=[
            ChartPoint(date(2026, 1, 1), 20),
            ChartPoint(date(2026, 1, 8), 12),
            ChartPoint(date(2026, 1, 15), 4, "reliable_improvement", "minimal"),
        ],
        bands=BANDS,
        low=0,
        high=27,
    )
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 3
    assert svg.count('data-change="improvement"') == 1
    assert "PHQ-9 &lt;over&gt; time" in svg
    assert "<over>" not in svg
    assert "2026-01-01" in svg and "2026-01-15" in svg
    assert "2026-01-15: 4 (minimal)" in svg


def test_single_point_and_no_points():
    svg = trajectory_svg(
        title="GAD-7", points=[ChartPoint(date(2026, 1, 1), 8)], bands=BANDS, low=0, high=21
    )
    assert svg.count("<circle") == 1
    assert trajectory_svg(title="x", points=[], bands=BANDS, low=0, high=27) == ""
