"""The service is the gate: every service of the calendar, called directly (no page, no
API) by a user who may not, is refused, writes exactly one denied audit event and changes
nothing. Allowed users still get their way."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.booking import feeds
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import iso_week_of, local_to_utc
from stepwell.schedule.models import (
    Appointment,
    BookingClaim,
    CalendarFeed,
    Enrollment,
    GroupSeries,
    OccurrenceStatus,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
)
from stepwell.schedule.planning import services as planning_services
from stepwell.schedule.planning.tasks import plan_run_execute


def _monday_group(calendar) -> SessionOccurrence:
    return SessionOccurrence.objects.get(
        series=calendar.process,
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 0)),
    )


def _denials():
    return AuditEvent.objects.filter(outcome="denied")


def _one_denial(username: str, object_type: str) -> AuditEvent:
    """Exactly one denied event was written, by this user, about this kind of record."""
    assert _denials().count() == 1
    event = _denials().get()
    assert (event.username, event.object_type) == (username, object_type)
    return event


def _enrol(calendar, actor):
    return booking_services.enrollment_book(
        actor=actor,
        occurrence_id=_monday_group(calendar).pk,
        patient_id=calendar.clinic.patient_a.pk,
    )


def _medication(calendar, actor, day_offset: int = 0):
    return booking_services.appointment_book(
        actor=actor,
        patient_id=calendar.clinic.patient_a.pk,
        staff_id=calendar.clinic.prescriber_a.pk,
        program_id=calendar.clinic.program_a.pk,
        kind="medication",
        starts_at=local_to_utc(
            "America/Chicago", calendar.monday + timedelta(days=day_offset), time(12, 0)
        ),
        minutes=30,
    )


# -- booking (issue 11: a clinician booked through the service while the page refused) ----


def test_a_clinician_calling_the_booking_service_is_refused_and_nothing_is_booked(calendar):
    clinic = calendar.clinic
    with pytest.raises(AccessDenied):
        _enrol(calendar, clinic.clinician_a)
    event = _one_denial("clin_a", "enrollment")
    assert (event.action, event.patient_id) == ("create", clinic.patient_a.pk)
    assert Enrollment.objects.count() == 0
    assert not BookingClaim.objects.filter(resource_type="patient").exists()
    assert _monday_group(calendar).enrolled_count == 0


def test_the_director_calling_the_booking_service_books(calendar):
    clinic = calendar.clinic
    enrollment = _enrol(calendar, clinic.director_a)
    assert enrollment.patient == clinic.patient_a
    assert _monday_group(calendar).enrolled_count == 1
    assert not _denials().exists()
    assert AuditEvent.objects.filter(
        object_type="enrollment", action="create", username="dir_a", patient_id=clinic.patient_a.pk
    ).exists()


@pytest.mark.parametrize("who", ["clinician_a", "prescriber_a", "intake_a", "nurse_a"])
def test_only_the_director_books_an_appointment(calendar, who):
    clinic = calendar.clinic
    user = getattr(clinic, who)
    with pytest.raises(AccessDenied):
        _medication(calendar, user)
    event = _one_denial(user.username, "appointment")
    assert event.patient_id == clinic.patient_a.pk
    assert Appointment.objects.count() == 0


def test_a_missing_session_is_refused_like_a_forbidden_one(calendar):
    clinic = calendar.clinic
    with pytest.raises(AccessDenied):
        booking_services.enrollment_book(
            actor=clinic.director_a, occurrence_id=987654, patient_id=clinic.patient_a.pk
        )
    _one_denial("dir_a", "enrollment")


def test_cancelling_bookings_is_the_directors(calendar):
    clinic = calendar.clinic
    enrollment = _enrol(calendar, clinic.director_a)
    appointment = _medication(calendar, clinic.director_a)
    with pytest.raises(AccessDenied):
        booking_services.enrollment_cancel(actor=clinic.clinician_a, enrollment_id=enrollment.pk)
    assert _one_denial("clin_a", "enrollment").patient_id == clinic.patient_a.pk
    with pytest.raises(AccessDenied):
        booking_services.appointment_cancel(actor=clinic.clinician_a, appointment_id=appointment.pk)
    assert _denials().filter(object_type="appointment").count() == 1
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert _monday_group(calendar).enrolled_count == 1
    booking_services.enrollment_cancel(actor=clinic.director_a, enrollment_id=enrollment.pk)
    booking_services.appointment_cancel(actor=clinic.director_a, appointment_id=appointment.pk)
    assert not Enrollment.objects.exists()
    assert not Appointment.objects.exists()
    assert _monday_group(calendar).enrolled_count == 0


def test_cancelling_a_session_is_the_directors(calendar):
    clinic = calendar.clinic
    occurrence = _monday_group(calendar)
    with pytest.raises(AccessDenied):
        calendar_services.occurrence_cancel(
            actor=clinic.clinician_a, occurrence_id=occurrence.pk, reason="Snow"
        )
    _one_denial("clin_a", "occurrence")
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.SCHEDULED
    assert occurrence.claims.exists()


# -- roles per program ---------------------------------------------------------------------


@pytest.fixture
def director_b_clinician_a(calendar):
    """Directs program B, works in program A as a clinician: no director in A."""
    from stepwell.accounts.models import Role
    from stepwell.testing.factories import UserFactory

    clinic = calendar.clinic
    return UserFactory(
        username="dir_b_clin_a",
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_b), (Role.CLINICIAN, clinic.program_a)],
    )


def test_directing_another_program_does_not_let_one_book_here(calendar, director_b_clinician_a):
    with pytest.raises(AccessDenied):
        _enrol(calendar, director_b_clinician_a)
    _one_denial("dir_b_clin_a", "enrollment")
    assert Enrollment.objects.count() == 0


def test_a_prescriber_of_another_program_is_not_booked_for_a_medication_visit(calendar):
    from stepwell.accounts.models import Role
    from stepwell.core.errors import ApplicationError
    from stepwell.schedule.tests.conftest import weekdays
    from stepwell.testing.factories import UserFactory

    clinic = calendar.clinic
    elsewhere = UserFactory(
        username="presc_b",
        grants=[(Role.PRESCRIBER, clinic.program_b), (Role.NURSE, clinic.program_a)],
    )
    weekdays(elsewhere, time(8, 0), time(17, 0))
    with pytest.raises(ApplicationError) as refused:
        booking_services.appointment_book(
            actor=clinic.director_a,
            patient_id=clinic.patient_a.pk,
            staff_id=elsewhere.pk,
            program_id=clinic.program_a.pk,
            kind="medication",
            starts_at=local_to_utc("America/Chicago", calendar.monday, time(12, 0)),
            minutes=30,
        )
    assert refused.value.field_errors == {"staff": "Needs a prescriber of this program."}
    assert Appointment.objects.count() == 0


# -- the calendar itself -------------------------------------------------------------------


def test_creating_a_group_is_the_directors(calendar):
    clinic = calendar.clinic
    before = GroupSeries.objects.count()
    with pytest.raises(AccessDenied):
        calendar_services.series_create(
            actor=clinic.clinician_a,
            program_id=clinic.program_a.pk,
            kind="process_group",
            title="Evening group",
            start_time=time(18, 0),
            duration_minutes=90,
            recurrence="FREQ=WEEKLY;BYDAY=TU",
            starts_on=calendar.monday,
        )
    _one_denial("clin_a", "group_series")
    assert GroupSeries.objects.count() == before


def test_generating_a_week_is_the_directors_or_a_jobs(calendar):
    from stepwell.privacy.actors import system_actor

    clinic = calendar.clinic
    next_week = iso_week_of(calendar.monday + timedelta(days=7))
    before = SessionOccurrence.objects.count()
    with pytest.raises(AccessDenied):
        calendar_services.occurrences_generate(
            actor=clinic.clinician_a, program_id=clinic.program_a.pk, week=next_week
        )
    _one_denial("clin_a", "occurrence")
    assert SessionOccurrence.objects.count() == before
    created = calendar_services.occurrences_generate(
        actor=system_actor("test-job"), program_id=clinic.program_a.pk, week=next_week
    )
    assert len(created) == 7  # five process groups, two psychoeducation sessions


# -- optimizer runs ------------------------------------------------------------------------


def test_starting_a_run_is_the_directors(calendar):
    clinic = calendar.clinic
    with pytest.raises(AccessDenied):
        planning_services.plan_run_start(
            actor=clinic.clinician_a, program_id=clinic.program_a.pk, week=calendar.week
        )
    _one_denial("clin_a", "schedule_plan_run")
    assert not SchedulePlanRun.objects.exists()


def test_a_run_started_with_a_bad_week_names_the_week(calendar):
    from stepwell.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        planning_services.plan_run_start(
            actor=calendar.clinic.director_a,
            program_id=calendar.clinic.program_a.pk,
            week="2026-W99",
            enqueue=False,
        )
    assert list(refused.value.field_errors) == ["week"]
    assert not SchedulePlanRun.objects.exists()


def _solved_run(calendar) -> SchedulePlanRun:
    run = planning_services.plan_run_start(
        actor=calendar.clinic.director_a,
        program_id=calendar.clinic.program_a.pk,
        week=calendar.week,
        enqueue=False,
    )
    return plan_run_execute(run, seconds=1)


def test_accepting_a_plan_is_the_directors(calendar):
    clinic = calendar.clinic
    run = _solved_run(calendar)
    assert run.status == PlanRunStatus.DONE
    with pytest.raises(AccessDenied):
        planning_services.plan_accept(actor=clinic.clinician_a, run_id=run.pk)
    _one_denial("clin_a", "schedule_plan_run")
    run.refresh_from_db()
    assert run.status == PlanRunStatus.DONE
    assert Enrollment.objects.count() == 0


def test_the_job_acts_for_the_director_who_started_the_run(calendar):
    clinic = calendar.clinic
    run = _solved_run(calendar)
    assert run.status == PlanRunStatus.DONE
    created = AuditEvent.objects.get(object_type="schedule_plan_run", action="create")
    read = AuditEvent.objects.get(object_type="schedule_plan_run", action="view")
    assert (created.username, read.username) == ("dir_a", "dir_a")
    assert read.detail == {"job": "schedule-plan-run", "patients": [clinic.patient_a.pk]}


def test_the_job_refuses_a_director_who_no_longer_directs_the_program(calendar):
    from stepwell.accounts.models import RoleAssignment

    clinic = calendar.clinic
    run = planning_services.plan_run_start(
        actor=clinic.director_a, program_id=clinic.program_a.pk, week=calendar.week, enqueue=False
    )
    RoleAssignment.objects.filter(user=clinic.director_a).delete()
    run = SchedulePlanRun.objects.select_related("requested_by", "program").get(pk=run.pk)
    occurrences = SessionOccurrence.objects.count()
    plan_run_execute(run, seconds=1)
    run.refresh_from_db()
    assert run.status == PlanRunStatus.FAILED
    assert "no longer directs" in run.message
    assert run.plan == {} and not run.instance
    event = _one_denial("dir_a", "schedule_plan_run")
    assert event.detail == {"job": "schedule-plan-run"}
    assert SessionOccurrence.objects.count() == occurrences
    assert not AuditEvent.objects.filter(object_type="schedule_plan_run", action="view").exists()


# -- calendar feeds ------------------------------------------------------------------------


def test_making_a_patients_feed_is_refused_to_a_nurse(calendar):
    clinic = calendar.clinic
    with pytest.raises(AccessDenied):
        feeds.feed_create(actor=clinic.nurse_a, patient_id=clinic.patient_a.pk)
    assert _one_denial("nurse_a", "calendar_feed").patient_id == clinic.patient_a.pk
    assert not CalendarFeed.objects.exists()


def test_changing_a_patients_feed_is_refused_to_a_nurse(calendar):
    clinic = calendar.clinic
    feed = feeds.feed_create(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    with pytest.raises(AccessDenied):
        feeds.feed_details_set(
            actor=clinic.nurse_a, patient_id=clinic.patient_a.pk, show_details=True
        )
    _one_denial("nurse_a", "calendar_feed")
    feed.refresh_from_db()
    assert feed.show_details is False


def test_turning_a_staff_feed_off_is_refused_to_a_colleague(calendar):
    clinic = calendar.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    with pytest.raises(AccessDenied):
        feeds.feed_revoke(actor=clinic.clinician_a, staff_id=clinic.prescriber_a.pk)
    _one_denial("clin_a", "calendar_feed")
    feed.refresh_from_db()
    assert feed.revoked_at is None
    feeds.feed_revoke(actor=clinic.director_a, staff_id=clinic.prescriber_a.pk)
    feed.refresh_from_db()
    assert feed.revoked_at is not None
