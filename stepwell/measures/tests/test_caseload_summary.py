"""The caseload's measures column reads three scores of each series in SQL (the baseline,
the one before the latest and the latest) instead of every questionnaire the patient
answered. What it shows must be exactly what the whole series gives by the clinical rules
(progress.series_of, findings_of): the latest score, band and day of each instrument, the
direction, the findings, and the due and overdue questionnaires. Checked over varied
histories (ties in time, unknown instruments, unscored and incomplete rows), on both
engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.clinic.time import program_today
from stepwell.measures import progress
from stepwell.measures.models import Administration, AdministrationStatus, Alert, AlertStatus
from stepwell.measures.selectors import is_overdue
from stepwell.patients.models import CareTeamMember, EpisodeState
from stepwell.testing.dates import clinic_today
from stepwell.testing.factories import EpisodeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
# Bands the findings rules name, bands they do not, and none.
BANDS = ["", "minimal", "mild", "moderate", "severe", "possible_dependence", "zone_iv"]
INSTRUMENTS = ["phq9", "gad7", "audit", "dast10", "pcl5", "retired_instrument"]


def whole_series_measures(patient_ids: list[int]) -> dict[int, progress.PatientMeasures]:
    """The caseload's summary worked out the way it was before: every administration of
    each patient, through series_of and findings_of."""
    result = {}
    for patient_id in patient_ids:
        rows = list(
            Administration.objects.filter(patient_id=patient_id).select_related("episode__program")
        )
        series_list = progress.series_of(rows)
        due = [row for row in rows if row.status == AdministrationStatus.DUE]
        result[patient_id] = progress.PatientMeasures(
            latest=tuple(
                (s.instrument.abbreviation, s.latest, s.direction)
                for s in series_list
                if s.latest is not None
            ),
            open_alerts=Alert.objects.filter(
                patient_id=patient_id, status=AlertStatus.OPEN
            ).count(),
            overdue=sum(is_overdue(row, _today_of(row)) for row in due),
            due=len(due),
            findings=tuple(progress.findings_of(series_list)),
        )
    return result


def _today_of(row: Administration):
    return program_today(row.episode.program) if row.episode else timezone.localdate()


administration = st.fixed_dictionaries(
    {
        "instrument": st.sampled_from(INSTRUMENTS),
        "status": st.sampled_from(["completed", "completed", "completed", "incomplete", "due"]),
        "total": st.one_of(st.none(), st.integers(min_value=0, max_value=27)),
        "band": st.sampled_from(BANDS),
        "suggested_band": st.sampled_from(BANDS),
        # Few distinct times, so that two scores often share one: the tie goes to the row
        # recorded later (the larger id), as series_of orders them.
        "hour": st.integers(min_value=0, max_value=6),
        "due_in_days": st.integers(min_value=-10, max_value=5),
        "without_episode": st.booleans(),  # recorded before the patient had an episode
    }
)


def _patients(clinic, count: int):
    episodes = []
    for _ in range(count):
        episode = EpisodeFactory(program=clinic.program_a, state=EpisodeState.ACTIVE)
        CareTeamMember.objects.create(
            patient=episode.patient, user=clinic.clinician_a, team_role="primary_clinician"
        )
        episodes.append(episode)
    return episodes


def _administer(episode, spec: dict) -> None:
    status = spec["status"]
    completed = status in ("completed", "incomplete")
    Administration.objects.create(
        patient=episode.patient,
        episode=None if spec.get("without_episode") else episode,
        instrument_key=spec["instrument"],
        status=status,
        total=spec["total"] if status == "completed" else None,
        band=spec["band"] if status == "completed" else "",
        suggested_band=spec["suggested_band"] if status == "completed" else "",
        answers={"item": 1} if completed else None,
        completed_at=START + timedelta(hours=spec["hour"]) if completed else None,
        due_on=clinic_today() + timedelta(days=spec["due_in_days"]) if status == "due" else None,
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(histories=st.lists(st.lists(administration, max_size=12), min_size=1, max_size=4))
def test_the_column_shows_what_the_whole_series_gives(clinic, histories):
    Administration.objects.all().delete()
    episodes = _patients(clinic, len(histories))
    for episode, history in zip(episodes, histories, strict=True):
        for spec in history:
            _administer(episode, spec)
    ids = [episode.patient_id for episode in episodes]
    summary = progress.caseload_measures(user=clinic.clinician_a, patient_ids=ids)
    assert summary == whole_series_measures(ids)


def test_a_year_of_weekly_scores_reads_three_of_each_series(clinic, django_assert_max_num_queries):
    """52 weekly PHQ-9s falling from 24 to 3, then a rise at the end: the row shows the
    latest (9), worsening against the one before it (3), and no finding; the series is cut
    to the baseline and the last two."""
    [episode] = _patients(clinic, 1)
    totals = [max(3, 24 - n // 2) for n in range(52)] + [9]
    for week, total in enumerate(totals):
        Administration.objects.create(
            patient=episode.patient,
            episode=episode,
            instrument_key="phq9",
            status="completed",
            total=total,
            band="severe" if total >= 20 else "mild",
            answers={"item": 1},
            completed_at=START + timedelta(weeks=week),
        )
    with django_assert_max_num_queries(5):  # roles, two scopes, alerts, scores and due
        summary = progress.caseload_measures(
            user=clinic.clinician_a, patient_ids=[episode.patient_id]
        )
    [(abbreviation, point, direction)] = summary[episode.patient_id].latest
    assert (abbreviation, point.total, point.band, direction) == ("PHQ-9", 9, "mild", "worsening")
    assert point.change_from_baseline == 9 - 24
    assert summary[episode.patient_id].findings == ()
    [series] = progress.summary_series(patient_ids=[episode.patient_id])[episode.patient_id]
    assert [p.total for p in series.points] == [24, 3, 9]
    assert summary == whole_series_measures([episode.patient_id])


def test_patients_the_user_may_not_read_are_left_out(clinic):
    [mine] = _patients(clinic, 1)
    other = EpisodeFactory(program=clinic.program_b, state=EpisodeState.ACTIVE)
    for episode in (mine, other):
        _administer(
            episode,
            {
                "instrument": "phq9",
                "status": "completed",
                "total": 12,
                "band": "moderate",
                "suggested_band": "",
                "hour": 0,
                "due_in_days": 0,
            },
        )
    summary = progress.caseload_measures(
        user=clinic.clinician_a, patient_ids=[mine.patient_id, other.patient_id]
    )
    assert set(summary) == {mine.patient_id}
