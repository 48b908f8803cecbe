"""Export to the optimizer's format, solve from the current week, compare, accept in one
transaction (and refuse atomically), the background task and `stepwell schedule export`."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.test import override_settings

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import iso_week_of, local_to_utc
from stepwell.schedule.models import (
    Appointment,
    BookingSource,
    Enrollment,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
    StaffLeave,
)
from stepwell.schedule.optimizer.instance import AppointmentType, instance_from_dict
from stepwell.schedule.optimizer.plan import PatientSchedule, PlannedAppointment
from stepwell.schedule.planning import command as planning_command
from stepwell.schedule.planning import compare as planning_compare
from stepwell.schedule.planning import export as planning_export
from stepwell.schedule.planning import services as planning_services
from stepwell.schedule.planning import week as planning_week
from stepwell.schedule.planning.tasks import plan_run_execute, schedule_plan_run_execute

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
MORNINGS = [
    {"day": day, "start": "08:30", "end": "13:00"} for day in ("mon", "tue", "wed", "thu", "fri")
]


def _occurrence(calendar, series, day: int, clock: time) -> SessionOccurrence:
    return SessionOccurrence.objects.get(
        series=series,
        starts_at=local_to_utc("America/Chicago", calendar.monday + timedelta(days=day), clock),
    )


def test_export_is_the_spec_format_and_validates(calendar):
    clinic = calendar.clinic
    data = planning_export.schedule_instance_export(program=clinic.program_a, week=calendar.week)
    instance_from_dict(data)
    assert data["program"] == {
        "name": "Adult MH",
        "timezone": "America/Chicago",
        "min_minutes": 540,
        "max_minutes": 1140,
        "slot_minutes": 15,
        "population": "adult",
    }
    assert data["rooms"] == [{"id": f"R{calendar.room.pk}", "capacity": 14}]
    therapist, prescriber = f"S{clinic.clinician_a.pk}", f"S{clinic.prescriber_a.pk}"
    weekdays = [{"day": d, "start": "08:00", "end": "17:00"} for d in WEEKDAYS]
    assert data["staff"] == [
        {
            "id": therapist,
            "role": "therapist",
            "max_individual_minutes": 1200,
            "availability": weekdays,
        },
        {
            "id": prescriber,
            "role": "prescriber",
            "max_individual_minutes": 1200,
            "availability": weekdays,
        },
        {
            "id": f"S{clinic.nurse_a.pk}",
            "role": "nurse",
            "max_individual_minutes": 1200,
            "availability": [],
        },
    ]
    assert [(s["kind"], s["day"], s["start"], s["end"]) for s in data["sessions"]] == [
        ("process_group", "mon", "09:00", "10:30"),
        ("psychoeducation", "mon", "10:45", "11:45"),
        ("process_group", "tue", "09:00", "10:30"),
        ("process_group", "wed", "09:00", "10:30"),
        ("psychoeducation", "wed", "10:45", "11:45"),
        ("process_group", "thu", "09:00", "10:30"),
        ("process_group", "fri", "09:00", "10:30"),
    ]
    assert {s["room"] for s in data["sessions"]} == {f"R{calendar.room.pk}"}
    assert all(s["staff"] == [therapist] and s["capacity"] == 12 for s in data["sessions"])
    assert data["patients"] == [
        {
            "id": f"P{clinic.patient_a.pk}",
            "track": "mental_health",
            "min_minutes": 540,
            "max_minutes": 1140,
            "availability": MORNINGS,
            "min_sessions_by_kind": {"psychoeducation": 1},
            "individual": {"count": 1, "minutes": 60, "staff": therapist},
            "medication": {"count": 1, "minutes": 30, "staff": prescriber},
        }
    ]


def _patient_row(calendar, **kwargs):
    data = planning_export.schedule_instance_export(
        program=calendar.clinic.program_a, week=calendar.week, **kwargs
    )
    instance_from_dict(data)
    row = data["patients"][0]
    return {k: row.get(k) for k in ("min_minutes", "min_days", "min_day_minutes")}


def test_export_plans_to_the_payers_rule_and_the_programs_own(calendar):
    from stepwell.billing.models import ProgramHoursRule
    from stepwell.testing.factories import CoverageFactory, PayerFactory

    clinic = calendar.clinic
    # No coverage, no program day rule: the weekly window only.
    assert _patient_row(calendar) == {"min_minutes": 540, "min_days": None, "min_day_minutes": None}
    coverage = CoverageFactory(
        patient=clinic.patient_a, payer=PayerFactory(name="Plan", hours_rule="h0015")
    )
    assert _patient_row(calendar) == {"min_minutes": 540, "min_days": 3, "min_day_minutes": 180}
    coverage.payer = PayerFactory(name="Medicare", kind="medicare", hours_rule="medicare_iop")
    coverage.save()
    assert _patient_row(calendar) == {"min_minutes": 540, "min_days": None, "min_day_minutes": None}
    # The program plans everyone in 3 days of at least 3 hours: stricter of both.
    ProgramHoursRule.objects.create(
        program=clinic.program_a, min_days=3, min_daily_minutes=180, day_counts_from_minutes=180
    )
    assert _patient_row(calendar) == {"min_minutes": 540, "min_days": 3, "min_day_minutes": 180}


def test_export_prorates_holidays_admission_and_counts_booked_days(calendar):
    from stepwell.schedule.models import Holiday
    from stepwell.testing.factories import CoverageFactory, PayerFactory

    clinic = calendar.clinic
    CoverageFactory(patient=clinic.patient_a, payer=PayerFactory(name="Plan", hours_rule="h0015"))
    Holiday.objects.create(
        program=clinic.program_a, date=calendar.monday + timedelta(days=3), name="Holiday"
    )
    assert _patient_row(calendar) == {"min_minutes": 360, "min_days": 2, "min_day_minutes": 180}
    episode = clinic.episode_a
    episode.admitted_on = calendar.monday + timedelta(days=2)  # Wednesday
    episode.save()
    # Mon, Tue lost to admission and Thu to the holiday: nothing is asked of the week.
    assert _patient_row(calendar) == {"min_minutes": 0, "min_days": None, "min_day_minutes": None}
    episode.admitted_on = calendar.monday - timedelta(days=30)
    episode.save()
    # A manual three-hour booking on Monday is a counted day already.
    booking_services.appointment_book(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        staff_id=clinic.clinician_a.pk,
        program_id=clinic.program_a.pk,
        kind="individual",
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(13, 0)),
        minutes=180,
        rules=booking_services.BookingRules(availability=False),
    )
    assert _patient_row(calendar) == {"min_minutes": 180, "min_days": 1, "min_day_minutes": 180}


def test_the_optimizer_no_longer_plans_short_days_for_an_h0015_patient(calendar):
    """The fixture's days hold at most 150 minutes of groups: with the individual and
    medication visits at most two days reach 3 hours, enough for the program's window but
    not for H0015's 3 days. The plan says so instead of planning a week the payer would
    not pay."""
    from stepwell.schedule.optimizer.checker import check_plan
    from stepwell.schedule.optimizer.plan import plan_to_dict
    from stepwell.schedule.optimizer.solver import solve
    from stepwell.testing.factories import CoverageFactory, PayerFactory

    clinic = calendar.clinic
    data = planning_export.schedule_instance_export(program=clinic.program_a, week=calendar.week)
    plan = plan_to_dict(solve(instance_from_dict(data), time_limit_seconds=4))
    assert plan["patients"][0]["requirements_met"] is True
    CoverageFactory(patient=clinic.patient_a, payer=PayerFactory(name="Plan", hours_rule="h0015"))
    data = planning_export.schedule_instance_export(program=clinic.program_a, week=calendar.week)
    instance = instance_from_dict(data)
    plan = plan_to_dict(solve(instance, time_limit_seconds=4))
    assert check_plan(instance, plan) == []
    patient = plan["patients"][0]
    assert patient["requirements_met"] is False
    assert [(u["requirement"], u["reason"]) for u in patient["unmet"]] == [
        ("min_days", "availability")
    ]


def test_export_keeps_manual_bookings_leave_and_the_past(calendar):
    clinic = calendar.clinic
    monday_group = _occurrence(calendar, calendar.process, 0, time(9, 0))
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=monday_group.pk, patient_id=clinic.patient_a.pk
    )
    StaffLeave.objects.create(
        user=clinic.prescriber_a, starts_on=calendar.monday, ends_on=calendar.monday
    )
    now = local_to_utc("America/Chicago", calendar.monday + timedelta(days=1), time(10, 0))
    data = planning_export.schedule_instance_export(
        program=clinic.program_a, week=calendar.week, now=now
    )
    instance_from_dict(data)
    patient = data["patients"][0]
    assert (patient["min_minutes"], patient["max_minutes"]) == (450, 1050)
    # Monday is past, and Tuesday until 10:00
    assert patient["availability"] == [
        {"day": "tue", "start": "10:00", "end": "13:00"},
        *MORNINGS[2:],
    ]
    prescriber = next(s for s in data["staff"] if s["role"] == "prescriber")
    assert [w["day"] for w in prescriber["availability"]] == ["tue", "wed", "thu", "fri"]
    assert prescriber["availability"][0] == {"day": "tue", "start": "10:00", "end": "17:00"}
    assert [s["day"] for s in data["sessions"]] == ["wed", "wed", "thu", "fri"]


def test_a_manual_booking_this_week_takes_a_seat_and_the_patients_time(calendar):
    clinic = calendar.clinic
    wednesday = _occurrence(calendar, calendar.process, 2, time(9, 0))
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=wednesday.pk, patient_id=clinic.patient_a.pk
    )
    data = planning_export.schedule_instance_export(program=clinic.program_a, week=calendar.week)
    session = next(s for s in data["sessions"] if s["id"] == f"O{wednesday.pk}")
    assert session["capacity"] == 11
    wednesday_windows = [w for w in data["patients"][0]["availability"] if w["day"] == "wed"]
    assert wednesday_windows == [
        {"day": "wed", "start": "08:30", "end": "09:00"},
        {"day": "wed", "start": "10:30", "end": "13:00"},
    ]


def test_plan_diff():
    individual = PlannedAppointment(AppointmentType.INDIVIDUAL, "S1", 600, 660)
    moved = PlannedAppointment(AppointmentType.INDIVIDUAL, "S1", 2040, 2100)
    current = {"P1": PatientSchedule(("O1", "O2"), (individual,)), "P2": PatientSchedule(("O1",))}
    proposed = {"P1": PatientSchedule(("O2", "O3"), (moved,)), "P2": PatientSchedule(("O1",))}
    changes = planning_compare.plan_diff(current, proposed)
    assert changes[0] == planning_compare.PatientChange(
        patient="P1",
        sessions_added=("O3",),
        sessions_removed=("O1",),
        sessions_kept=("O2",),
        appointments_added=(moved,),
        appointments_removed=(individual,),
    )
    assert changes[0].changed
    assert not changes[1].changed


def _run(calendar) -> SchedulePlanRun:
    clinic = calendar.clinic
    run = SchedulePlanRun.objects.create(
        program=clinic.program_a, week=calendar.week, requested_by=clinic.director_a
    )
    return plan_run_execute(run, seconds=2)


def test_run_and_accept_books_the_plan_and_next_week_starts_from_it(calendar):
    clinic = calendar.clinic
    run = _run(calendar)
    assert (run.status, run.progress) == (PlanRunStatus.DONE, 100)
    assert run.message == "1 of 1 patients fully served (at most 1 possible)"
    patient_plan = run.plan["patients"][0]
    assert patient_plan["requirements_met"] is True
    planning_services.plan_accept(actor=clinic.director_a, run_id=run.pk)
    run.refresh_from_db()
    assert run.status == PlanRunStatus.ACCEPTED
    enrolled = set(
        Enrollment.objects.filter(source=BookingSource.OPTIMIZER).values_list(
            "occurrence_id", flat=True
        )
    )
    assert {f"O{pk}" for pk in enrolled} == set(patient_plan["sessions"])
    assert Appointment.objects.filter(source=BookingSource.OPTIMIZER).count() == 2
    current, basis = planning_compare.current_schedules(
        program=clinic.program_a, week=calendar.week
    )
    assert basis == "this week"
    assert set(current[f"P{clinic.patient_a.pk}"].sessions) == set(patient_plan["sessions"])
    next_week = iso_week_of(calendar.monday + timedelta(days=7))
    calendar_services.occurrences_generate(
        actor=clinic.director_a, program_id=clinic.program_a.pk, week=next_week
    )
    carried, basis = planning_compare.current_schedules(program=clinic.program_a, week=next_week)
    assert basis == "last week"
    assert len(carried[f"P{clinic.patient_a.pk}"].sessions) == len(patient_plan["sessions"])
    assert not set(carried[f"P{clinic.patient_a.pk}"].sessions) & set(patient_plan["sessions"])


def test_accept_is_all_or_nothing(calendar):
    clinic = calendar.clinic
    run = _run(calendar)
    medication = next(
        a for a in run.plan["patients"][0]["appointments"] if a["type"] == "medication"
    )
    planned = planning_week.PlanningWeek.of(clinic.program_a, calendar.week)
    clash_start = planned.moment(medication["day"], medication["start"])
    from stepwell.testing.factories import EpisodeFactory, PatientFactory

    other = PatientFactory(legal_first_name="Drew", legal_last_name="Dell")
    EpisodeFactory(patient=other, program=clinic.program_a, state="active")
    from stepwell.intake.models import AvailabilityWindow

    AvailabilityWindow.objects.create(
        patient=other,
        weekday=["mon", "tue", "wed", "thu", "fri"].index(medication["day"]),
        start=time(0, 0),
        end=time(23, 0),
    )
    booking_services.appointment_book(
        actor=clinic.director_a,
        patient_id=other.pk,
        staff_id=clinic.prescriber_a.pk,
        program_id=clinic.program_a.pk,
        kind="medication",
        starts_at=clash_start,
        minutes=30,
    )
    with pytest.raises(ApplicationError) as refused:
        planning_services.plan_accept(actor=clinic.director_a, run_id=run.pk)
    assert refused.value.message.startswith(f"Avery Alder (P{clinic.patient_a.pk}): ")
    assert "is already booked at that time" in refused.value.message
    assert Enrollment.objects.count() == 0
    assert Appointment.objects.count() == 1  # only Drew's manual appointment
    run.refresh_from_db()
    assert run.status == PlanRunStatus.DONE
    assert run.message.startswith("Not accepted: Avery Alder")


def test_only_the_director_accepts(calendar):
    clinic = calendar.clinic
    run = _run(calendar)
    with pytest.raises(AccessDenied):
        planning_services.plan_accept(actor=clinic.clinician_a, run_id=run.pk)
    run.refresh_from_db()
    assert run.status == PlanRunStatus.DONE
    assert Enrollment.objects.count() == 0


@override_settings(STEPWELL_OPTIMIZER_SECONDS=1)
def test_the_task_runs_the_optimizer(calendar):
    clinic = calendar.clinic
    run = SchedulePlanRun.objects.create(
        program=clinic.program_a, week=calendar.week, requested_by=clinic.director_a
    )
    result = schedule_plan_run_execute.enqueue(run.pk)
    assert result.return_value == "done"
    run.refresh_from_db()
    assert (run.status, run.progress) == (PlanRunStatus.DONE, 100)
    assert run.instance["patients"][0]["id"] == f"P{clinic.patient_a.pk}"
    assert run.plan["summary"]["requirements_met"] == 1
    assert run.finished_at is not None


def test_cli_export_writes_the_week(calendar, tmp_path, capsys):
    from stepwell.schedule.optimizer.commandline import register_subcommand, run_solve

    register_subcommand(planning_command.export_subcommand())
    out = tmp_path / "week.json"
    code = run_solve(
        ["export", "--program", "Adult MH", "--week", calendar.week, "--out", str(out)]
    )
    assert code == 0
    data = json.loads(out.read_text())
    instance = instance_from_dict(data)
    assert len(instance.sessions) == 7
    code = run_solve(["export", "--program", "Nowhere", "--week", calendar.week])
    assert code == 2
    assert json.loads(capsys.readouterr().err)["errors"] == [
        {"field": "program", "message": "no program with id or name 'Nowhere'"}
    ]


def test_cli_export_prepares_the_week_as_a_job_and_audits_the_patients(calendar, tmp_path):
    from stepwell.privacy.models import AuditEvent
    from stepwell.schedule.optimizer.commandline import register_subcommand, run_solve

    clinic = calendar.clinic
    register_subcommand(planning_command.export_subcommand())
    next_week = iso_week_of(calendar.monday + timedelta(days=7))
    before = SessionOccurrence.objects.count()
    code = run_solve(
        ["export", "--program", "Adult MH", "--week", next_week, "--out", str(tmp_path / "w")]
    )
    assert code == 0
    assert SessionOccurrence.objects.count() == before + 7  # the job generated the week
    event = AuditEvent.objects.get(action="export", object_type="schedule_week")
    assert (event.username, event.role) == ("system:schedule-export", "system")
    assert event.object_id == f"{clinic.program_a.pk}/{next_week}"
    assert event.detail == {"patients": [clinic.patient_a.pk]}
