"""What the demo's reports must look like (called by the demo test): every report opens
for the demo director with numbers a real IOP would have over the last twelve weeks, and
the follow-up report, over the last year, has follow-ups made and answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stepwell.accounts.models import User
from stepwell.reports.registry import SPECS
from stepwell.reports.selectors import report_run

DEMO_NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def _rows(result, table: str) -> dict:
    return {row[0]: row for row in result.report.table(table).rows}


def check_reports_look_plausible(now: datetime = DEMO_NOW) -> None:
    director = User.objects.get(username="director")
    results = {spec.name: report_run(user=director, name=spec.name, now=now) for spec in SPECS}
    census = results["census"].report.table("by_day").column_values("census")
    assert 20 <= census[-1] <= 120, census[-1]
    summary = results["admissions"].report.table("summary").rows[0]
    admissions, discharges, average_stay = summary[0], summary[1], summary[3]
    assert admissions > 10
    assert discharges > 0
    assert 10 <= average_stay <= 70, average_stay
    funnel = _rows(results["referrals"], "funnel")
    assert funnel["Referred"][1] >= funnel["Admitted"][1] > 0
    rate = _rows(results["attendance"], "by_group")["All sessions"][4]
    assert 70 <= rate <= 98, rate
    staff = results["staff"].report.table("staff").rows
    assert staff
    assert max(row[7] for row in staff) > 0  # direct-service hours
    notes = _rows(results["documentation"], "notes")["All notes"]
    assert notes[1] > 0
    measures = results["outcomes"].report.table("measures").rows
    assert measures[0][:2] == ("PHQ-9", "Had a baseline and a discharge score")
    assert results["depression"].report.table("depression").rows[0][1] not in (None, 0)
    compliance = results["hours"].report.table("by_rule").column_values("measured")
    assert sum(compliance) > 30
    check_follow_up_report(director, now)


def check_follow_up_report(director, now: datetime) -> None:
    """Over the last year, the discharges have 30-day follow-ups, some answered with a
    PHQ-9 or GAD-7 and the days-of-use question (a small count reads "<5")."""
    today = now.date()
    result = report_run(
        user=director,
        name="followup",
        now=now,
        date_from=today - timedelta(days=365),
        date_to=today,
    )
    rows = {row[:2]: row[2:] for row in result.report.table("follow_up").rows}
    made, discharged = rows["30 days", "Follow-up made"][:2]
    assert made not in (0, None), rows["30 days", "Follow-up made"]
    assert discharged not in (0, None)
    assert rows["30 days", "Completed"][0] not in (0, None), rows["30 days", "Completed"]
    scored = [
        rows["30 days", measure][1]
        for measure in (
            "PHQ-9 response (at least 50% below the baseline)",
            "GAD-7 response (at least 50% below the baseline)",
        )
    ]
    assert any(value not in (0, None) for value in scored), scored
    use = {row[0]: row for row in result.report.table("use").rows}
    assert use["30 days"][1] not in (0, None), use["30 days"]
    assert "<svg" in result.chart_svg
