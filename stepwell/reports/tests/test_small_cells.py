"""The small-cell rule of the outcome reports (docs/reports.md)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.reports.selectors import report_run
from stepwell.reports.tables import Column, ColumnKind, Table, suppress_row, suppress_small_cells

from .conftest import JUNE, NOW, cells

COLUMNS = (
    Column("what", "What", ColumnKind.TEXT),
    Column("episodes", "Episodes", denominator="of"),
    Column("of", "Of"),
    Column("share", "Share", ColumnKind.PERCENT, share_of=("episodes", "of")),
)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("x", 0, 20, 0.0), ("x", 0, 20, 0.0)),  # zero is shown
        (("x", 1, 20, 5.0), ("x", "<5", 20, "<5")),
        (("x", 4, 20, 20.0), ("x", "<5", 20, "<5")),
        (("x", 5, 20, 25.0), ("x", 5, 20, 25.0)),
        (("x", 17, 20, 85.0), ("x", "<5", 20, "<5")),  # 3 without: the complement is small
        (("x", 20, 20, 100.0), ("x", 20, 20, 100.0)),  # nobody without
        (("x", 3, 3, 100.0), ("x", "<5", "<5", "<5")),
        (("x", None, None, None), ("x", None, None, None)),
    ],
)
def test_small_counts_and_their_complements_are_hidden(row, expected):
    assert suppress_row(COLUMNS, row, 5) == expected


@given(
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=2, max_value=11),
)
def test_no_shown_pair_reveals_a_small_group(count, extra, threshold):
    of = count + extra
    shown = suppress_row(COLUMNS, ("x", count, of, None), threshold)
    if isinstance(shown[1], int) and isinstance(shown[2], int):
        for group in (shown[1], shown[2] - shown[1]):
            assert group == 0 or group >= threshold


def test_threshold_below_two_changes_nothing():
    table = Table("t", "T", COLUMNS, (("x", 1, 2, 50.0),))
    assert suppress_small_cells(table, 1) == table


@pytest.mark.django_db
def test_outcome_reports_hide_small_counts_by_default(hand_clinic):
    result = report_run(user=hand_clinic.director_a, name="outcomes", now=NOW, **JUNE)
    assert result.report.suppressed_below == 5
    completion = cells(result, "completion")
    assert completion["Completed the program"][1:] == ("<5", "<5", "<5")
    # a zero over a hidden denominator is hidden too (the rule errs on the safe side)
    assert completion["Stepped down to a lower level of care"][1:] == ("<5", "<5", "<5")
    shares = result.report.table("measures").column_values("share")
    drawn = [v for v in shares if isinstance(v, float) and v > 0]
    assert result.chart_svg.count("data-value=") == len(drawn)  # no bar for a hidden share
    assert "<5" in result.chart_svg.replace("&lt;", "<")


@pytest.mark.django_db
def test_operational_reports_are_not_suppressed(hand_clinic):
    result = report_run(user=hand_clinic.director_a, name="admissions", now=NOW, **JUNE)
    assert result.report.suppressed_below is None
    assert result.report.table("summary").rows[0][1] == 3
