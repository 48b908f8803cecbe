"""The follow-up report (outcomes at 30, 60 and 90 days), from follow-ups recorded on the hand
clinic's June discharges (conftest.py): PHQ-9 baselines E1 20, E2 15, E6 12; GAD-7
baselines E1 15, E6 9. Opened on 15 October, every June discharge has had 90 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.followups.models import FollowUp, FollowUpScore
from stepwell.reports.selectors import report_run

from .conftest import JUNE

pytestmark = pytest.mark.django_db
LATER = datetime(2026, 10, 15, 18, 0, tzinfo=UTC)


def _follow_up(ep, days, status, *, scores=None, higher=None, use=None):
    follow_up = FollowUp.objects.create(
        episode=ep,
        patient=ep.patient,
        program=ep.program,
        days_after_discharge=days,
        due_on=ep.discharged_on + timedelta(days=days),
        instruments=["phq9", "gad7"],
        status=status,
        method="link" if status == "completed" else "",
        completed_at=LATER if status == "completed" else None,
        readmitted_higher_level=higher,
        days_of_use_last_30=use,
    )
    for key, total in (scores or {}).items():
        FollowUpScore.objects.create(
            follow_up=follow_up, instrument_key=key, instrument_version="1", answers={}, total=total
        )


def test_response_and_remission_at_30_and_90_days(hand_clinic, no_small_cells):
    e = hand_clinic.episodes
    _follow_up(e["E1"], 90, "completed", scores={"phq9": 9, "gad7": 4}, higher=False, use=0)
    _follow_up(e["E2"], 90, "completed", scores={"phq9": 4}, higher=True, use=3)
    _follow_up(e["E6"], 90, "unreachable")
    _follow_up(e["E1"], 30, "completed", scores={"phq9": 12}, higher=False, use=0)
    result = report_run(user=hand_clinic.director_a, name="followup", now=LATER, **JUNE)
    rows = {row[:2]: row[2:] for row in result.report.table("follow_up").rows}
    day90 = "90 days"
    assert rows[day90, "Follow-up made"] == (3, 3, 100.0)
    assert rows[day90, "Completed"] == (2, 3, 66.7)
    assert rows[day90, "Unreachable"] == (1, 3, 33.3)
    # PHQ-9: E1 20 -> 9 responds, not in remission; E2 15 -> 4 both
    assert rows[day90, "PHQ-9 response (at least 50% below the baseline)"] == (2, 2, 100.0)
    remission = "PHQ-9 remission (below 5, of those at 5 or more at the start)"
    assert rows[day90, remission] == (1, 2, 50.0)
    # GAD-7: E1 15 -> 4; E2 has no GAD-7 baseline
    assert rows[day90, "GAD-7 response (at least 50% below the baseline)"] == (1, 1, 100.0)
    higher = "Admitted to a higher level of care since discharge (self-reported)"
    assert rows[day90, higher] == (1, 2, 50.0)
    assert rows[day90, "No days of alcohol or drug use in the last 30 (self-reported)"] == (
        1,
        2,
        50.0,
    )
    assert rows["30 days", "Follow-up made"] == (1, 3, 33.3)
    assert rows["30 days", "PHQ-9 response (at least 50% below the baseline)"] == (0, 1, 0.0)
    assert rows["60 days", "Follow-up made"] == (0, 3, 0.0)
    # reliable improvement: E1 20 -> 9 and E2 15 -> 4 (6 points or more); GAD-7 E1 15 -> 4
    assert rows[day90, "PHQ-9 reliable improvement (6 points or more)"] == (2, 2, 100.0)
    assert rows[day90, "GAD-7 reliable improvement (4 points or more)"] == (1, 1, 100.0)
    # reliable recovery needs both scores: only E1 (at caseness, below both cut-offs)
    recovery = "Reliable recovery (PHQ-9 and GAD-7, of those at caseness at the start)"
    assert rows[day90, recovery] == (1, 1, 100.0)
    assert rows["30 days", recovery] == (0, 0, None)
    use = {row[0]: row[1:] for row in result.report.table("use").rows}
    # answered, none, share with none, mean, median: E1 0 days, E2 3 days
    assert use[day90] == (2, 1, 50.0, 1.5, 1.5)
    assert use["30 days"] == (1, 1, 100.0, 0.0, 0.0)
    assert use["60 days"] == (0, 0, None, None, None)
    assert "After discharge" in result.chart_svg and "PHQ-9 response" in result.chart_svg
    assert "Unreachable" not in result.chart_svg  # the chart shows its chosen rows only


def test_small_cells_hide_the_follow_up_counts(hand_clinic):
    """One follow-up made of three discharges: 1 and 3 are both small (threshold 5)."""
    _follow_up(hand_clinic.episodes["E1"], 90, "completed", scores={"phq9": 9}, use=0)
    result = report_run(user=hand_clinic.director_a, name="followup", now=LATER, **JUNE)
    assert result.report.suppressed_below == 5
    rows = {row[:2]: row[2:] for row in result.report.table("follow_up").rows}
    assert rows["90 days", "Follow-up made"] == ("<5", "<5", "<5")
    # 0 of 3 is hidden too: its complement (3 not followed up) is small
    assert rows["60 days", "Follow-up made"][0] == "<5"
    # one answer about days of use: its mean and median would give it away
    assert result.report.table("use").rows[-1][1:] == ("<5", "<5", "<5", "<5", "<5")
