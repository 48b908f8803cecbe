"""Mid-week stability: a run keeps the week's bookings unless the director re-plans
everyone; "fit this patient" places one newcomer and changes no one else; accepting
books by difference and asks before it moves anyone who was booked."""

from __future__ import annotations

from datetime import time

import pytest

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.intake.models import AvailabilityWindow
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.models import (
    Appointment,
    BookingSource,
    Enrollment,
    PlanRunMode,
    PlanRunStatus,
    SchedulePlanRun,
)
from stepwell.schedule.planning import services as planning_services
from stepwell.schedule.planning.run_results import run_results
from stepwell.schedule.planning.tasks import plan_run_execute
from stepwell.testing.factories import EpisodeFactory, PatientFactory


def _bookings() -> set[tuple]:
    enrolments = {
        ("E", e.pk, e.patient_id, e.occurrence_id)
        for e in Enrollment.objects.filter(source=BookingSource.OPTIMIZER)
    }
    appointments = {
        ("A", a.pk, a.patient_id, a.staff_id, a.starts_at)
        for a in Appointment.objects.filter(source=BookingSource.OPTIMIZER)
    }
    return enrolments | appointments


def _run(calendar, mode=PlanRunMode.KEEP, patients=()) -> SchedulePlanRun:
    run = planning_services.plan_run_start(
        actor=calendar.clinic.director_a,
        program_id=calendar.clinic.program_a.pk,
        week=calendar.week,
        mode=mode,
        patient_ids=[p.pk for p in patients],
        enqueue=False,
    )
    return plan_run_execute(run, seconds=20, work=2.0)


def _newcomer(clinic, first="Noor", last="Nadir"):
    patient = PatientFactory(legal_first_name=first, legal_last_name=last)
    EpisodeFactory(patient=patient, program=clinic.program_a, state="active")
    for day in range(5):
        AvailabilityWindow.objects.create(
            patient=patient, weekday=day, start=time(8, 30), end=time(13, 0)
        )
    return patient


@pytest.fixture
def booked(calendar):
    """Avery's week booked by an accepted plan."""
    run = _run(calendar)
    planning_services.plan_accept(actor=calendar.clinic.director_a, run_id=run.pk)
    assert _bookings()
    return calendar


def test_fit_places_the_newcomer_and_changes_no_one_else(booked):
    clinic = booked.clinic
    before = _bookings()
    noor = _newcomer(clinic)
    _newcomer(clinic, "Otto", "Other")  # not chosen: must stay unplanned
    run = _run(booked, PlanRunMode.FIT, [noor])
    assert run.status == PlanRunStatus.DONE, run.message
    assert {p["id"] for p in run.plan["patients"]} == {f"P{clinic.patient_a.pk}", f"P{noor.pk}"}
    results = run_results(run)
    assert [c.name for c in results.changes] == [noor.display_name]
    assert results.moved == []
    planning_services.plan_accept(actor=clinic.director_a, run_id=run.pk)
    after = _bookings()
    assert before <= after  # every booking that stood is the same row
    added = after - before
    assert added and {row[2] for row in added} == {noor.pk}
    run.refresh_from_db()
    assert run.message.endswith("0 cancelled.")


def test_keep_mode_plans_only_patients_without_bookings(booked):
    clinic = booked.clinic
    before = _bookings()
    noor = _newcomer(clinic)
    run = _run(booked)
    assert "1 patients keep their bookings" in run.message
    planning_services.plan_accept(actor=clinic.director_a, run_id=run.pk)
    after = _bookings()
    assert before <= after
    assert {row[2] for row in after - before} == {noor.pk}


def test_a_plan_that_moves_a_booked_patient_asks_before_accepting(booked):
    clinic = booked.clinic
    run = _run(booked, PlanRunMode.FULL)
    avery = next(p for p in run.plan["patients"] if p["id"] == f"P{clinic.patient_a.pk}")
    dropped = avery["sessions"].pop()  # as if the re-plan had moved Avery out of a group
    run.save(update_fields=["plan"])
    assert [c.name for c in run_results(run).moved] == [clinic.patient_a.display_name]
    before = _bookings()
    with pytest.raises(ApplicationError) as refused:
        planning_services.plan_accept(actor=clinic.director_a, run_id=run.pk)
    assert "confirm" in refused.value.field_errors
    assert _bookings() == before
    run.refresh_from_db()
    assert run.status == PlanRunStatus.DONE
    planning_services.plan_accept(actor=clinic.director_a, run_id=run.pk, confirm=True)
    gone = before - _bookings()
    assert [(row[0], row[3]) for row in gone] == [("E", int(dropped[1:]))]
    event = AuditEvent.objects.filter(action="accept").latest("seq")
    assert event.detail["moved"] == [f"P{clinic.patient_a.pk}"]


def test_fit_needs_a_patient_of_the_program(calendar):
    clinic = calendar.clinic
    with pytest.raises(ApplicationError) as refused:
        _run(calendar, PlanRunMode.FIT, [])
    assert "patients" in refused.value.field_errors
    stranger = PatientFactory()
    with pytest.raises(ApplicationError) as refused:
        _run(calendar, PlanRunMode.FIT, [stranger])
    assert "patients" in refused.value.field_errors
    with pytest.raises(ApplicationError) as refused:
        planning_services.plan_run_start(
            actor=clinic.director_a,
            program_id=clinic.program_a.pk,
            week=calendar.week,
            mode="everything",
            enqueue=False,
        )
    assert "mode" in refused.value.field_errors
    assert not SchedulePlanRun.objects.exists()


def test_only_the_director_fits_a_patient(calendar):
    clinic = calendar.clinic
    denied = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        planning_services.plan_run_start(
            actor=clinic.clinician_a,
            program_id=clinic.program_a.pk,
            week=calendar.week,
            mode=PlanRunMode.FIT,
            patient_ids=[clinic.patient_a.pk],
            enqueue=False,
        )
    assert AuditEvent.objects.filter(outcome="denied").count() == denied + 1
    assert not SchedulePlanRun.objects.exists()
