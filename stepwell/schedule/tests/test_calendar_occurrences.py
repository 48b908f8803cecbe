"""Occurrences from RRULEs: holidays, excluded dates, a DST week, the curriculum cycling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import week_utc_range
from stepwell.schedule.models import BookingClaim, CurriculumModule, Holiday, SessionOccurrence


def _series(clinic, **kwargs):
    defaults = {
        "actor": clinic.director_a,
        "program_id": clinic.program_a.pk,
        "kind": "process_group",
        "title": "Process group",
        "start_time": time(9, 0),
        "duration_minutes": 90,
        "facilitators": [clinic.clinician_a],
    }
    return calendar_services.series_create(**(defaults | kwargs))


def test_holidays_and_excluded_dates_are_skipped(clinic):
    _series(
        clinic,
        recurrence="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        starts_on=date(2026, 11, 30),
        excluded_dates=["2026-12-11"],
    )
    Holiday.objects.create(program=clinic.program_a, date=date(2026, 12, 9), name="Staff day")
    created = calendar_services.occurrences_generate(
        actor=clinic.director_a, program_id=clinic.program_a.pk, week="2026-W50"
    )
    assert [o.starts_at for o in created] == [datetime(2026, 12, 7, 15, 0, tzinfo=UTC)]
    again = calendar_services.occurrences_generate(
        actor=clinic.director_a, program_id=clinic.program_a.pk, week="2026-W50"
    )
    assert again == []  # idempotent
    assert SessionOccurrence.objects.count() == 1
    assert BookingClaim.objects.filter(resource_type="staff").count() == 18  # 90 min / 5


def test_dst_week_keeps_the_local_time(clinic):
    _series(clinic, recurrence="FREQ=DAILY", starts_on=date(2026, 10, 26), duration_minutes=60)
    created = calendar_services.occurrences_generate(
        actor=clinic.director_a, program_id=clinic.program_a.pk, week="2026-W44"
    )
    starts = {o.starts_at.date(): o.starts_at.time() for o in created}
    assert len(created) == 7
    assert starts[date(2026, 10, 31)] == time(14, 0)  # 09:00 CDT
    assert starts[date(2026, 11, 1)] == time(15, 0)  # 09:00 CST, after fall back
    start, end = week_utc_range("America/Chicago", "2026-W44")
    assert (start, end) == (
        datetime(2026, 10, 26, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 0, tzinfo=UTC),
    )
    assert (end - start).total_seconds() == 169 * 3600


def test_curriculum_cycles_and_skips_holidays(clinic):
    for position, title in enumerate(["Understanding", "Triggers", "Communication"], start=1):
        CurriculumModule.objects.create(program=clinic.program_a, position=position, title=title)
    Holiday.objects.create(program=clinic.program_a, date=date(2026, 11, 4), name="Closed")
    _series(
        clinic,
        kind="psychoeducation",
        title="Psychoeducation",
        recurrence="FREQ=WEEKLY;BYDAY=MO,WE",
        starts_on=date(2026, 11, 2),
        duration_minutes=60,
    )
    modules = []
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        modules += [
            (o.starts_at.date().isoformat(), o.curriculum_module.title)
            for o in calendar_services.occurrences_generate(
                actor=clinic.director_a, program_id=clinic.program_a.pk, week=week
            )
        ]
    assert modules == [
        ("2026-11-02", "Understanding"),
        ("2026-11-09", "Triggers"),
        ("2026-11-11", "Communication"),
        ("2026-11-16", "Understanding"),
        ("2026-11-18", "Triggers"),
    ]


def test_two_series_cannot_share_a_facilitator(clinic):
    import pytest

    from stepwell.core.errors import ApplicationError

    _series(clinic, recurrence="FREQ=WEEKLY;BYDAY=MO", starts_on=date(2026, 12, 7))
    _series(
        clinic,
        title="Skills group",
        kind="skills_group",
        start_time=time(10, 0),
        recurrence="FREQ=WEEKLY;BYDAY=MO",
        starts_on=date(2026, 12, 7),
    )
    with pytest.raises(ApplicationError) as refused:
        calendar_services.occurrences_generate(
            actor=clinic.director_a, program_id=clinic.program_a.pk, week="2026-W50"
        )
    assert refused.value.message == (
        f"{clinic.clinician_a} is already booked at that time (Process group at Mon 09:00)."
    )
    assert SessionOccurrence.objects.count() == 0
