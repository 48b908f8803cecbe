"""Use cases of planning runs: start a run of the optimizer on a program week, and accept
a run's plan in one transaction (bookings made with the same services and rules as a
manual booking, source "optimizer"). Each starts with its access check
(privacy.access.schedule) before any transaction opens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access.schedule import (
    ScheduleNeed,
    access_plan_run_by_id,
    access_program_schedule_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar.weeks import (
    iso_week_bounds,
)
from stepwell.schedule.models import (
    Appointment,
    BookingSource,
    Enrollment,
    PlanRunMode,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
)
from stepwell.schedule.optimizer.instance import (
    week_minute,
)
from stepwell.schedule.optimizer.plan import (
    PatientSchedule,
)
from stepwell.schedule.planning.compare import hint_for
from stepwell.schedule.planning.week import PlanningWeek


def _plan_starts(planning: PlanningWeek, plan: Mapping) -> list[datetime]:
    occurrence_ids = [
        int(session[1:]) for patient in plan.get("patients", []) for session in patient["sessions"]
    ]
    starts = list(
        SessionOccurrence.objects.filter(pk__in=occurrence_ids).values_list("starts_at", flat=True)
    )
    starts += [
        planning.moment(item["day"], item["start"])
        for patient in plan.get("patients", [])
        for item in patient["appointments"]
    ]
    return starts


def plan_run_start(
    *,
    actor,
    program_id: int,
    week: str,
    mode: str = PlanRunMode.KEEP,
    patient_ids: Sequence[int] = (),
    enqueue: bool = True,
) -> SchedulePlanRun:
    """Start the optimizer for a program week: the program's director. The run records who
    started it; the background job (tasks.schedule_plan_run_execute) acts for them.

    `mode` (PlanRunMode): `keep` plans only patients without bookings this week and keeps
    everyone else's; `fit` places the chosen `patient_ids` around the bookings that stand
    and changes no one else; `full` re-plans everyone. `enqueue=False` leaves the solving
    to the caller (the demo builder runs it at once)."""
    program = access_program_schedule_by_id(
        actor,
        program_id,
        need=ScheduleNeed.MANAGE,
        action=AuditAction.CREATE,
        object_type="schedule_plan_run",
        object_id="new",
    )
    iso_week_bounds(week)  # an ApplicationError naming `week`
    week = week.upper()
    if mode not in PlanRunMode.values:
        raise ApplicationError(
            "Choose what the optimizer may change.",
            field_errors={"mode": f"Unknown choice {mode!r}."},
        )
    chosen = sorted({int(pk) for pk in patient_ids}) if mode == PlanRunMode.FIT else []
    if mode == PlanRunMode.FIT:
        if not chosen:
            raise ApplicationError(
                "Choose at least one patient to fit into the week.",
                field_errors={"patients": "Choose at least one patient."},
            )
        schedulable = set(
            Episode.objects.filter(
                program=program,
                state__in=booking_services.SCHEDULABLE_STATES,
                patient_id__in=chosen,
            ).values_list("patient_id", flat=True)
        )
        if set(chosen) - schedulable:
            raise ApplicationError(
                "Only patients admitted to or active in this program can be fitted in.",
                field_errors={"patients": "Not admitted to or active in this program."},
            )
    with transaction.atomic():
        run = SchedulePlanRun.objects.create(
            program=program, week=week, requested_by=actor, mode=mode, fit_patient_ids=chosen
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="schedule_plan_run",
            object_id=run.pk,
            detail={"program": program.pk, "week": week, "mode": mode, "patients": chosen},
        )
    if enqueue:
        from stepwell.schedule.planning.tasks import schedule_plan_run_execute

        schedule_plan_run_execute.enqueue(run.pk)
    return run


def run_inputs(
    run: SchedulePlanRun, data: dict, current: Mapping[str, PatientSchedule], basis: str
) -> tuple[dict, dict[str, PatientSchedule], dict[str, PatientSchedule]]:
    """What a run gives the optimizer, by its mode: (instance data, hint, keep).

    The hint is the week's current schedules (or last week's carried over); `keep` the
    schedules that must stay: everyone booked this week in `keep` mode, everyone booked
    but the chosen patients in `fit` mode, no one in `full` mode. A `fit` run's instance
    holds only the chosen patients and those it keeps, so no one else is planned.
    """
    hint = hint_for(data, current)
    if run.mode == PlanRunMode.FULL:
        return data, hint, {}
    booked = dict(hint) if basis == "this week" else {}
    if run.mode == PlanRunMode.KEEP:
        return data, hint, booked
    chosen = {f"P{pk}" for pk in run.fit_patient_ids}
    keep = {patient: schedule for patient, schedule in booked.items() if patient not in chosen}
    data = {
        **data,
        "patients": [p for p in data["patients"] if p["id"] in chosen or p["id"] in keep],
    }
    return data, hint, keep


def plan_accept(
    *, actor, run_id: int, now: datetime | None = None, confirm: bool = False
) -> SchedulePlanRun:
    """Book the plan by difference, in one transaction: the week's future optimizer
    bookings the plan drops are cancelled, what it adds is booked through the same
    services (and rules) as a manual booking, with source "optimizer"; bookings it keeps
    are not touched. Patients outside a `fit` run's plan are not touched either. When the
    plan moves patients who were booked, the director must `confirm` (a field error
    otherwise). Any refusal undoes it all and is raised with the patient's name and the
    reason; the run keeps the reason. The director of the run's program accepts."""
    run = access_plan_run_by_id(actor, run_id, action=AuditAction.UPDATE)
    program = run.program
    try:
        with transaction.atomic():
            locked = SchedulePlanRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != PlanRunStatus.DONE:
                raise ApplicationError(
                    f"This run is {locked.get_status_display().lower()}; only a finished run "
                    "can be accepted."
                )
            planning = PlanningWeek.of(program, locked.week, now)
            changes = booking_changes(planning, locked)
            if changes.moved and not confirm:
                raise ApplicationError(
                    f"This plan changes the bookings of {len(changes.moved)} patients; "
                    "confirm to accept it.",
                    field_errors={"confirm": "Tick to confirm these patients' bookings change."},
                )
            if any(start < planning.cutoff for start in changes.starts(planning)):
                raise ApplicationError(
                    "Part of this plan lies in the past now; run the optimizer again."
                )
            for enrollment_id in changes.cancel_enrollments:
                booking_services.enrollment_cancel(actor=actor, enrollment_id=enrollment_id)
            for appointment_id in changes.cancel_appointments:
                booking_services.appointment_cancel(actor=actor, appointment_id=appointment_id)
            booked = _book_plan(actor, planning, changes.to_book)
            locked.status = PlanRunStatus.ACCEPTED
            locked.accepted_at = timezone.now()
            cancelled = len(changes.cancel_enrollments) + len(changes.cancel_appointments)
            locked.message = f"Accepted: {booked} bookings made, {cancelled} cancelled."
            locked.save(update_fields=["status", "accepted_at", "message"])
            audit_record(
                user=actor,
                action="accept",
                object_type="schedule_plan_run",
                object_id=locked.pk,
                detail={
                    "program": program.pk,
                    "week": locked.week,
                    "bookings": booked,
                    "cancelled": cancelled,
                    "moved": sorted(changes.moved),
                },
            )
    except ApplicationError as error:
        SchedulePlanRun.objects.filter(pk=run.pk).update(
            message=f"Not accepted: {error.message}"[:300]
        )
        raise
    run.refresh_from_db()
    return run


@dataclass
class BookingChanges:
    """What accepting a plan does: optimizer bookings to cancel (pks), the plan's items
    to book (plan-dict form), and the patients who had bookings that change."""

    cancel_enrollments: list[int]
    cancel_appointments: list[int]
    to_book: dict
    moved: set[str]
    cancelled_starts: list[datetime]

    def starts(self, planning: PlanningWeek) -> list[datetime]:
        return _plan_starts(planning, self.to_book) + self.cancelled_starts


def booking_changes(planning: PlanningWeek, run: SchedulePlanRun) -> BookingChanges:
    """Compare the run's plan with the week's optimizer bookings (from Monday, so a kept
    booking that has started since is still recognised as kept)."""
    enrollments = {
        (f"P{e.patient_id}", f"O{e.occurrence_id}"): e
        for e in Enrollment.objects.filter(
            source=BookingSource.OPTIMIZER,
            occurrence__program=planning.program,
            occurrence__starts_at__gte=planning.starts_at,
            occurrence__starts_at__lt=planning.ends_at,
        ).select_related("occurrence")
    }
    appointments = {}
    for appointment in Appointment.objects.filter(
        source=BookingSource.OPTIMIZER,
        program=planning.program,
        starts_at__gte=planning.starts_at,
        starts_at__lt=planning.ends_at,
    ):
        start, end = planning.span(appointment.starts_at, appointment.ends_at)
        key = (f"P{appointment.patient_id}", appointment.kind, f"S{appointment.staff_id}")
        appointments[(*key, start, end)] = appointment
    planned = {p["id"]: p for p in run.plan.get("patients", [])}
    only_planned = run.mode == PlanRunMode.FIT
    to_book, moved = [], set()
    wanted_sessions, wanted_appointments = set(), set()
    for patient_id, row in planned.items():
        sessions = [s for s in row["sessions"] if (patient_id, s) not in enrollments]
        items = []
        for item in row["appointments"]:
            key = (
                patient_id,
                item["type"],
                item["staff"],
                week_minute(item["day"], item["start"]),
                week_minute(item["day"], item["end"]),
            )
            wanted_appointments.add(key)
            if key not in appointments:
                items.append(item)
        wanted_sessions |= {(patient_id, s) for s in row["sessions"]}
        if sessions or items:
            to_book.append({"id": patient_id, "sessions": sessions, "appointments": items})
    cancel_enrollments, cancel_appointments, cancelled_starts = [], [], []
    for key, enrollment in enrollments.items():
        if key not in wanted_sessions and (key[0] in planned or not only_planned):
            cancel_enrollments.append(enrollment.pk)
            cancelled_starts.append(enrollment.occurrence.starts_at)
            moved.add(key[0])
    for key, appointment in appointments.items():
        if key not in wanted_appointments and (key[0] in planned or not only_planned):
            cancel_appointments.append(appointment.pk)
            cancelled_starts.append(appointment.starts_at)
            moved.add(key[0])
    booked_before = {key[0] for key in enrollments} | {key[0] for key in appointments}
    moved |= {row["id"] for row in to_book if row["id"] in booked_before}
    return BookingChanges(
        cancel_enrollments,
        cancel_appointments,
        {"patients": to_book},
        moved,
        cancelled_starts,
    )


def _book_plan(actor, planning: PlanningWeek, plan: Mapping) -> int:
    booked = 0
    names = {
        patient.pk: patient.display_name
        for patient in Patient.objects.filter(
            pk__in=[int(p["id"][1:]) for p in plan.get("patients", [])]
        )
    }
    for patient in plan.get("patients", []):
        patient_id = int(patient["id"][1:])
        try:
            for session in patient["sessions"]:
                booking_services.enrollment_book(
                    actor=actor,
                    occurrence_id=int(session[1:]),
                    patient_id=patient_id,
                    source=BookingSource.OPTIMIZER,
                )
                booked += 1
            for item in patient["appointments"]:
                starts_at = planning.moment(item["day"], item["start"])
                minutes = week_minute(item["day"], item["end"]) - week_minute(
                    item["day"], item["start"]
                )
                booking_services.appointment_book(
                    actor=actor,
                    patient_id=patient_id,
                    staff_id=int(item["staff"][1:]),
                    program_id=planning.program.pk,
                    kind=item["type"],
                    starts_at=starts_at,
                    minutes=minutes,
                    source=BookingSource.OPTIMIZER,
                )
                booked += 1
        except ApplicationError as error:
            if isinstance(error, AccessDenied):
                raise  # a refusal goes on as it is, so the edge keeps it in the audit trail
            name = names.get(patient_id, patient["id"])
            raise ApplicationError(f"{name} ({patient['id']}): {error.message}") from error
    return booked
