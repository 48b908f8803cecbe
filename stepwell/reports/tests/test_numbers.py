"""Report numbers against the hand-computed values of the clinic in conftest.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from stepwell.reports.selectors import report_run
from stepwell.testing.factories import EpisodeFactory

from .conftest import JUNE, NOW, cells, june

pytestmark = pytest.mark.django_db


def run(clinic, name, user=None, **filters):
    return report_run(user=user or clinic.director_a, name=name, now=NOW, **{**JUNE, **filters})


def test_census_by_day_counts_admission_and_discharge_days(hand_clinic):
    result = run(hand_clinic, "census")
    by_day = {row[0]: row for row in result.report.table("by_day").rows}
    expected = {1: 2, 4: 2, 5: 3, 10: 3, 11: 2, 15: 3, 20: 3, 21: 2, 25: 2, 26: 1, 30: 1}
    assert {day: by_day[june(day).isoformat()][2] for day in expected} == expected
    assert by_day[june(1).isoformat()][3:] == (1, 0)  # E6 admitted; E5 left on 31 May
    assert by_day[june(10).isoformat()][3:] == (0, 1)  # E1 discharged
    assert len(by_day) == 30
    assert result.report.patient_count == 4  # E1, E2, E3, E6
    weeks = result.report.table("by_week")
    assert sum(weeks.column_values("admissions")) == 3
    assert sum(weeks.column_values("discharges")) == 3


def test_admissions_discharges_and_length_of_stay(hand_clinic):
    result = run(hand_clinic, "admissions")
    summary = result.report.table("summary").rows[0]
    # 3 admitted in June (E2, E3, E6); 3 discharged (E1 22 d, E2 16 d, E6 25 d)
    assert summary == (3, 3, 0, 21.0, 22.0, 16, 25)
    dispositions = cells(result, "dispositions")
    assert dispositions["Completed the program"] == ("Completed the program", 2, 66.7, 23.5, 23.5)
    assert dispositions["Left against clinical advice"][1:] == (1, 33.3, 16.0, 16.0)


def test_payer_filter_counts_only_that_payers_patients(hand_clinic):
    result = run(hand_clinic, "admissions", payer_id=hand_clinic.payer.pk)
    summary = result.report.table("summary").rows[0]
    assert summary[:2] == (0, 1)  # E1 only: admitted in May, discharged in June
    assert summary[3] == 22.0


def test_track_and_site_filters_narrow_the_programs(hand_clinic):
    other_track = "substance_use" if hand_clinic.program_a.track != "substance_use" else "dual"
    result = run(hand_clinic, "census", track=other_track)
    assert result.scope.programs == ()
    assert result.report.patient_count == 0
    result = run(hand_clinic, "census", site_id=hand_clinic.program_a.site_id)
    assert [p.pk for p in result.scope.programs] == [hand_clinic.program_a.pk]


def test_outcomes_at_discharge(hand_clinic, no_small_cells):
    result = run(hand_clinic, "outcomes")
    completion = cells(result, "completion")
    assert completion["Discharged after admission"][1] == 3
    assert completion["Completed the program"][1:] == (2, 3, 66.7)
    assert completion["Left against clinical advice"][1:] == (1, 3, 33.3)
    rows = {(r[0], r[1].split(" (")[0]): r[2:] for r in result.report.table("measures").rows}
    assert rows[("PHQ-9", "Had a baseline and a discharge score")] == (3, 3, 100.0)
    assert rows[("PHQ-9", "Reliable improvement")] == (2, 3, 66.7)  # E1 -12, E6 -8
    assert rows[("PHQ-9", "Reliable deterioration")] == (0, 3, 0.0)
    assert rows[("PHQ-9", "Response")] == (2, 3, 66.7)
    assert rows[("PHQ-9", "Remission")] == (1, 3, 33.3)  # E6 ends at 4
    assert rows[("GAD-7", "Had a baseline and a discharge score")] == (1, 3, 33.3)
    assert rows[("GAD-7", "Reliable improvement")] == (1, 1, 100.0)  # E1 15 -> 5
    assert rows[("GAD-7", "Remission")] == (0, 1, 0.0)  # 5 is not below 5
    assert rows[("PHQ-9 and GAD-7", "Had both measures at the start and at discharge")] == (
        1,
        3,
        33.3,
    )
    assert rows[("PHQ-9 and GAD-7", "At caseness at the start")] == (1, 1, 100.0)
    assert rows[("PHQ-9 and GAD-7", "Reliable recovery")] == (1, 1, 100.0)
    assert result.report.patient_count == 3


def test_depression_view(hand_clinic, no_small_cells):
    result = run(hand_clinic, "depression")
    rows = cells(result, "depression")
    assert rows["Discharged episodes"][1] == 3
    assert rows["Baseline PHQ-9 of 10 or more (the population)"][1:] == (3, 3, 100.0)
    assert rows["With a follow-up PHQ-9"][1:] == (3, 3, 100.0)
    assert rows["In remission (last PHQ-9 below 5)"][1:] == (1, 3, 33.3)
    assert rows["Response (last PHQ-9 at least 50% lower)"][1:] == (2, 3, 66.7)


def test_referrals_funnel_and_waiting_list(hand_clinic):
    result = run(hand_clinic, "referrals")
    funnel = cells(result, "funnel")
    assert funnel["Referred"][1] == 3  # E2, E3, E4 referred in June
    assert funnel["Admitted"][1:] == (2, 66.7)  # E2, E3
    waiting = cells(result, "waiting")
    assert waiting["Referred"][-2:] == (1, 28.0)  # E4, referred 2 Jun, waiting 28 days
    # E2 4 days, E3 12 days to admission; neither has attended a session
    assert result.report.table("time_to_care").rows[0] == (2, 0, 8.0, 8.0, None, None)


def test_program_b_never_counts_in_program_a(hand_clinic, no_small_cells):
    result = run(hand_clinic, "outcomes", user=hand_clinic.director_b)
    completion = cells(result, "completion")
    assert completion["Discharged after admission"][1] == 1
    assert [p.pk for p in result.scope.programs] == [hand_clinic.program_b.pk]


def test_returns_within_30_and_90_days(hand_clinic, no_small_cells):
    """E2 (discharged 20 Jun) comes back on 15 Jul, 25 days later; E1 (discharged 10 Jun)
    on 30 Aug, 81 days later. Opened on 15 Oct, every June discharge has had 90 days."""
    a = hand_clinic.program_a
    e2, e1 = hand_clinic.episodes["E2"], hand_clinic.episodes["E1"]
    EpisodeFactory(
        patient=e2.patient,
        program=a,
        state="active",
        referred_on=date(2026, 7, 10),
        admitted_on=date(2026, 7, 15),
    )
    EpisodeFactory(
        patient=e1.patient,
        program=a,
        state="discharged",
        referred_on=date(2026, 8, 25),
        admitted_on=date(2026, 8, 30),
        discharged_on=date(2026, 9, 20),
        discharge_disposition="completed",
    )
    later = datetime(2026, 10, 15, 18, 0, tzinfo=UTC)
    result = report_run(user=hand_clinic.director_a, name="readmissions", now=later, **JUNE)
    rows = cells(result, "returns")
    assert rows["Discharged after admission"][1] == 3
    assert rows["Returned to the same program within 30 days"][1:] == (1, 3, 33.3)
    assert rows["Returned to the same program within 90 days"][1:] == (2, 3, 66.7)
    assert rows["Readmitted at a higher level of care within 90 days"][1:] == (0, 3, 0.0)
