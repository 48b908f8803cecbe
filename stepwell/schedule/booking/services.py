"""Use cases that write the program calendar. One transaction each, audited where they
touch a patient. Manual bookings pass the same rules the optimizer keeps.

Each service is the gate: it starts by fetching what it changes through
privacy.access.schedule, which refuses (audited) a user who may not, before any
transaction opens. Jobs pass a system actor (privacy.actors.system_actor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import F

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState, Patient
from stepwell.privacy.access import access_patient_by_id
from stepwell.privacy.access.schedule import (
    ScheduleNeed,
    access_appointment_by_id,
    access_enrollment_by_id,
    access_occurrence_by_id,
    access_program_schedule_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.booking.claims import claims_create
from stepwell.schedule.calendar.closures import refuse_closed_day
from stepwell.schedule.calendar.weeks import (
    utc_to_local,
    week_utc_range,
)
from stepwell.schedule.models import (
    Appointment,
    AppointmentKind,
    BookingSource,
    Enrollment,
    OccurrenceStatus,
    ResourceType,
    SessionOccurrence,
    StaffAvailability,
    StaffLeave,
    StaffSchedulingProfile,
)

SCHEDULABLE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE)
SLOT_MINUTES = 15


def _open_episode(patient: Patient, program: Program) -> Episode:
    episode = Episode.objects.filter(
        patient=patient, program=program, state__in=SCHEDULABLE_STATES
    ).first()
    if episode is None:
        raise ApplicationError(
            "Only admitted or active patients of this program are scheduled.",
            field_errors={"patient": "No admitted or active episode in this program."},
        )
    return episode


def _within_windows(
    windows: list[tuple[int, time, time]], zone: str, starts_at: datetime, ends_at: datetime
) -> bool:
    local_start, local_end = utc_to_local(zone, starts_at), utc_to_local(zone, ends_at)
    if local_start.date() != local_end.date() and local_end.time() != time.min:
        return False
    end_clock = local_end.time() if local_end.time() != time.min else time.max
    return any(
        weekday == local_start.weekday() and start <= local_start.time() and end_clock <= end
        for weekday, start, end in windows
    )


def patient_windows(patient: Patient) -> list[tuple[int, time, time]]:
    return [(w.weekday, w.start, w.end) for w in patient.availability_windows.all()]


def patient_week_minutes(patient: Patient, program: Program, moment: datetime) -> int:
    """Minutes booked for the patient in the program week around `moment` (groups + appointments)."""
    from stepwell.schedule.calendar.weeks import iso_week_of

    week = iso_week_of(utc_to_local(program.timezone, moment).date())
    start, end = week_utc_range(program.timezone, week)
    total = 0
    for e in Enrollment.objects.filter(
        patient=patient,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=end,
        occurrence__status=OccurrenceStatus.SCHEDULED,
    ).select_related("occurrence"):
        total += e.occurrence.minutes
    for a in Appointment.objects.filter(
        patient=patient, starts_at__gte=start, starts_at__lt=end, status=OccurrenceStatus.SCHEDULED
    ):
        total += a.minutes
    return total


@dataclass(frozen=True)
class BookingRules:
    """Which rules a booking is checked against. Accepted optimizer plans were checked by
    the solver and the independent checker; they still pass capacity and double booking."""

    availability: bool = True
    weekly_maximum: bool = True


def enrollment_book(
    *,
    actor,
    occurrence_id: int,
    patient_id: int,
    source: str = BookingSource.MANUAL,
    rules: BookingRules = BookingRules(),
) -> Enrollment:
    """Book a patient into a group session: the director of the session's program (by
    hand, or by accepting a plan), for a patient they may see."""
    refused = {"action": AuditAction.CREATE, "object_type": "enrollment", "object_id": "new"}
    occurrence = access_occurrence_by_id(actor, occurrence_id, patient_id=patient_id, **refused)
    patient = access_patient_by_id(actor, patient_id, **refused)
    with transaction.atomic():
        return _enrollment_book(actor, occurrence.pk, patient, source, rules)


def _enrollment_book(
    actor, occurrence_id: int, patient: Patient, source: str, rules: BookingRules
) -> Enrollment:
    occurrence = (
        SessionOccurrence.objects.select_for_update()
        .select_related("program")
        .get(pk=occurrence_id)
    )
    program = occurrence.program
    _open_episode(patient, program)
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise ApplicationError(
            "The session was cancelled.", field_errors={"occurrence": "Cancelled."}
        )
    refuse_closed_day(program, occurrence.starts_at, "occurrence")
    if occurrence.track not in ("all", program.track):
        raise ApplicationError(
            "The session belongs to another track.",
            field_errors={"occurrence": f"Track {occurrence.track}."},
        )
    if Enrollment.objects.filter(occurrence=occurrence, patient=patient).exists():
        raise ApplicationError(
            "Already booked into this session.",
            field_errors={"patient": "Already in this session."},
        )
    if rules.availability and not _within_windows(
        patient_windows(patient), program.timezone, occurrence.starts_at, occurrence.ends_at
    ):
        raise ApplicationError(
            "The session lies outside the patient's availability.",
            field_errors={"occurrence": "Outside the patient's availability windows."},
        )
    if (
        rules.weekly_maximum
        and patient_week_minutes(patient, program, occurrence.starts_at) + occurrence.minutes
        > program.max_weekly_minutes
    ):
        raise ApplicationError(
            "This would take the patient over the program's weekly maximum.",
            field_errors={
                "occurrence": f"Over {program.max_weekly_minutes // 60} hours this week."
            },
        )
    updated = SessionOccurrence.objects.filter(
        pk=occurrence.pk, enrolled_count__lt=F("capacity")
    ).update(enrolled_count=F("enrolled_count") + 1)
    if not updated:
        raise ApplicationError(
            "The session is full.",
            field_errors={"occurrence": f"Full ({occurrence.capacity} seats)."},
        )
    enrollment = Enrollment.objects.create(occurrence=occurrence, patient=patient, source=source)
    claims_create(
        resources=[(ResourceType.PATIENT, patient.pk, patient.display_name)],
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        occurrence=occurrence,
        enrollment=enrollment,
    )
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        patient_id=patient.pk,
        object_type="enrollment",
        object_id=enrollment.pk,
        detail={"occurrence": occurrence.pk, "source": source},
    )
    return enrollment


def enrollment_cancel(*, actor, enrollment_id: int) -> None:
    """Take a patient out of a group session: the director of its program."""
    enrollment = access_enrollment_by_id(actor, enrollment_id, action=AuditAction.UPDATE)
    with transaction.atomic():
        deleted, _ = Enrollment.objects.filter(pk=enrollment.pk).delete()
        if not deleted:
            return  # cancelled a moment ago by someone else
        SessionOccurrence.objects.filter(pk=enrollment.occurrence_id).update(
            enrolled_count=F("enrolled_count") - 1
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=enrollment.patient_id,
            object_type="enrollment",
            object_id=enrollment.pk,
            detail={"cancelled": True},
        )


def staff_week_individual_minutes(staff, start: datetime, end: datetime) -> int:
    rows = Appointment.objects.filter(
        staff=staff, starts_at__gte=start, starts_at__lt=end, status=OccurrenceStatus.SCHEDULED
    )
    return sum(a.minutes for a in rows)


def appointment_book(
    *,
    actor,
    patient_id: int,
    staff_id: int,
    program_id: int,
    kind: str,
    starts_at: datetime,
    minutes: int,
    source: str = BookingSource.MANUAL,
    rules: BookingRules = BookingRules(),
) -> Appointment:
    """Book an individual or medication appointment: the program's director (by hand, or
    by accepting a plan), for a patient they may see."""
    refused = {"action": AuditAction.CREATE, "object_type": "appointment", "object_id": "new"}
    program = access_program_schedule_by_id(
        actor, program_id, need=ScheduleNeed.MANAGE, patient_id=patient_id, **refused
    )
    patient = access_patient_by_id(actor, patient_id, **refused)
    if starts_at.tzinfo is None:
        raise ApplicationError(
            "Give the start with its UTC offset, e.g. 2026-12-07T15:00:00Z.",
            field_errors={"starts_at": "Needs a UTC offset."},
        )
    with transaction.atomic():
        return _appointment_book(
            actor=actor,
            patient=patient,
            staff_id=staff_id,
            program=program,
            kind=kind,
            starts_at=starts_at,
            minutes=minutes,
            source=source,
            rules=rules,
        )


def _appointment_book(
    *,
    actor,
    patient: Patient,
    staff_id: int,
    program: Program,
    kind: str,
    starts_at: datetime,
    minutes: int,
    source: str,
    rules: BookingRules,
) -> Appointment:
    from stepwell.accounts.models import User

    _open_episode(patient, program)
    staff = User.objects.filter(pk=staff_id, kind="staff", is_active=True).first()
    if staff is None:
        raise ApplicationError(
            "Unknown staff member.", field_errors={"staff": "Unknown staff member."}
        )
    if kind not in AppointmentKind.values:
        raise ApplicationError(
            "Unknown appointment type.", field_errors={"kind": "individual or medication."}
        )
    needed = Role.PRESCRIBER if kind == AppointmentKind.MEDICATION else Role.CLINICIAN
    if not staff.has_role_in(program.pk, needed):
        raise ApplicationError(
            f"{staff} is not a {needed.label.lower()} in {program.name}.",
            field_errors={"staff": f"Needs a {needed.label.lower()} of this program."},
        )
    if minutes <= 0 or minutes % SLOT_MINUTES:
        raise ApplicationError(
            "Length must be a multiple of 15 minutes.",
            field_errors={"minutes": "A multiple of 15."},
        )
    local = utc_to_local(program.timezone, starts_at)
    if local.minute % SLOT_MINUTES or local.second:
        raise ApplicationError(
            "Appointments start on the 15-minute grid.",
            field_errors={"starts_at": "Start on :00, :15, :30 or :45."},
        )
    refuse_closed_day(program, starts_at, "starts_at")
    ends_at = starts_at + timedelta(minutes=minutes)
    staff_windows = [
        (w.weekday, w.start, w.end) for w in StaffAvailability.objects.filter(user=staff)
    ]
    if not _within_windows(staff_windows, program.timezone, starts_at, ends_at):
        raise ApplicationError(
            f"{staff} does not work at that time.",
            field_errors={"staff": "Outside their working hours."},
        )
    if StaffLeave.objects.filter(
        user=staff, starts_on__lte=local.date(), ends_on__gte=local.date()
    ).exists():
        raise ApplicationError(
            f"{staff} is on leave that day.", field_errors={"staff": "On leave that day."}
        )
    if rules.availability and not _within_windows(
        patient_windows(patient), program.timezone, starts_at, ends_at
    ):
        raise ApplicationError(
            "Outside the patient's availability.",
            field_errors={"starts_at": "Outside the patient's availability windows."},
        )
    week_start, week_end = week_utc_range(program.timezone, _week_of(program, starts_at))
    limit = (
        StaffSchedulingProfile.objects.filter(user=staff)
        .values_list("max_individual_minutes", flat=True)
        .first()
        or 1200
    )
    if staff_week_individual_minutes(staff, week_start, week_end) + minutes > limit:
        raise ApplicationError(
            f"{staff} has no individual time left this week.",
            field_errors={"staff": f"Over {limit} minutes this week."},
        )
    if (
        rules.weekly_maximum
        and patient_week_minutes(patient, program, starts_at) + minutes > program.max_weekly_minutes
    ):
        raise ApplicationError(
            "Over the program's weekly maximum.",
            field_errors={"minutes": "Over the weekly maximum."},
        )
    appointment = Appointment.objects.create(
        patient=patient,
        staff=staff,
        program=program,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
    )
    claims_create(
        resources=[
            (ResourceType.PATIENT, patient.pk, patient.display_name),
            (ResourceType.STAFF, staff.pk, str(staff)),
        ],
        starts_at=starts_at,
        ends_at=ends_at,
        appointment=appointment,
    )
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        patient_id=patient.pk,
        object_type="appointment",
        object_id=appointment.pk,
        detail={"kind": kind, "source": source},
    )
    return appointment


def _week_of(program: Program, moment: datetime) -> str:
    from stepwell.schedule.calendar.weeks import iso_week_of

    return iso_week_of(utc_to_local(program.timezone, moment).date())


def appointment_cancel(*, actor, appointment_id: int) -> None:
    """Remove an appointment: the director of its program."""
    appointment = access_appointment_by_id(actor, appointment_id, action=AuditAction.UPDATE)
    with transaction.atomic():
        deleted, _ = Appointment.objects.filter(pk=appointment.pk).delete()
        if not deleted:
            return  # removed a moment ago by someone else
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=appointment.patient_id,
            object_type="appointment",
            object_id=appointment.pk,
            detail={"cancelled": True},
        )
