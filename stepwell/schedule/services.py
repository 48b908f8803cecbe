"""Use cases that write the program calendar. One transaction each, audited where they
touch a patient. Manual bookings pass the same rules the optimizer keeps.

Each service is the gate: it starts by fetching what it changes through
privacy.access.schedule, which refuses (audited) a user who may not, before any
transaction opens. Jobs pass a system actor (privacy.actors.system_actor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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

from stepwell.schedule.booking import claims_create
from stepwell.schedule.calendar import (
    local_to_utc,
    recurrence_dates,
    utc_to_local,
    validate_recurrence,
    week_utc_range,
)
from stepwell.schedule.closures import program_closure_on
from stepwell.schedule.models import (
    Appointment,
    AppointmentKind,
    BookingSource,
    CurriculumModule,
    Enrollment,
    GroupSeries,
    Holiday,
    OccurrenceStatus,
    ResourceType,
    SessionOccurrence,
    StaffAvailability,
    StaffLeave,
    StaffSchedulingProfile,
)

SCHEDULABLE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE)
SLOT_MINUTES = 15


def series_create(
    *,
    actor,
    program_id: int,
    kind: str,
    title: str,
    start_time: time,
    duration_minutes: int,
    recurrence: str,
    starts_on: date,
    facilitators=(),
    room=None,
    capacity: int = 12,
    track: str = "all",
    ends_on: date | None = None,
    telehealth_url: str = "",
    excluded_dates: list[str] | None = None,
) -> GroupSeries:
    """A recurring group of a program: its director, or a job preparing the calendar."""
    program = access_program_schedule_by_id(
        actor,
        program_id,
        need=ScheduleNeed.PREPARE,
        action=AuditAction.CREATE,
        object_type="group_series",
        object_id="new",
    )
    validate_recurrence(recurrence)
    series = GroupSeries(
        program=program,
        kind=kind,
        title=title,
        track=track,
        room=room,
        telehealth_url=telehealth_url,
        capacity=capacity,
        start_time=start_time,
        duration_minutes=duration_minutes,
        recurrence=recurrence.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        excluded_dates=excluded_dates or [],
    )
    from django.core.exceptions import ValidationError

    try:
        series.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            "The group could not be saved.",
            field_errors={k: " ".join(v) for k, v in error.message_dict.items()},
        ) from error
    if room is not None and capacity > room.capacity:
        raise ApplicationError(
            "More seats than the room holds.",
            field_errors={"capacity": f"The room holds {room.capacity}."},
        )
    with transaction.atomic():
        series.save()
        series.facilitators.set(facilitators)
    return series


def _module_for(
    series: GroupSeries, meeting_day: date, skipped: set[date]
) -> CurriculumModule | None:
    """Psychoeducation modules cycle in order: the n-th meeting gets module n mod count."""
    if series.kind != "psychoeducation":
        return None
    modules = list(series.program.curriculum.order_by("position"))
    if not modules:
        return None
    meetings = [
        d
        for d in recurrence_dates(
            series.recurrence, series.starts_on, series.ends_on, series.starts_on, meeting_day
        )
        if d not in skipped
    ]
    return modules[(len(meetings) - 1) % len(modules)]


def occurrences_generate(*, actor, program_id: int, week: str) -> list[SessionOccurrence]:
    """Materialise the week's group meetings from the recurring series (idempotent): the
    program's director, or a job preparing the calendar."""
    program = access_program_schedule_by_id(
        actor,
        program_id,
        need=ScheduleNeed.PREPARE,
        action=AuditAction.CREATE,
        object_type="occurrence",
        object_id=f"{program_id}/{week}"[:64],
    )
    start_utc, _ = week_utc_range(program.timezone, week)
    with transaction.atomic():
        return _occurrences_generate(program, start_utc)


def _occurrences_generate(program: Program, start_utc: datetime) -> list[SessionOccurrence]:
    monday = utc_to_local(program.timezone, start_utc).date()
    sunday = monday + timedelta(days=6)
    holidays = set(Holiday.objects.filter(program=program).values_list("date", flat=True))
    created: list[SessionOccurrence] = []
    for series in program.group_series.filter(active=True).prefetch_related("facilitators"):
        skipped = holidays | {date.fromisoformat(d) for d in series.excluded_dates}
        for day in recurrence_dates(
            series.recurrence, series.starts_on, series.ends_on, monday, sunday
        ):
            if day in skipped:
                continue
            starts_at = local_to_utc(program.timezone, day, series.start_time)
            ends_at = starts_at + timedelta(minutes=series.duration_minutes)
            if SessionOccurrence.objects.filter(series=series, starts_at=starts_at).exists():
                continue
            occurrence = SessionOccurrence.objects.create(
                series=series,
                program=program,
                kind=series.kind,
                title=series.title,
                track=series.track,
                starts_at=starts_at,
                ends_at=ends_at,
                room=series.room,
                telehealth_url=series.telehealth_url,
                capacity=series.capacity,
                curriculum_module=_module_for(series, day, skipped),
            )
            facilitators = list(series.facilitators.all())
            occurrence.facilitators.set(facilitators)
            resources = [(ResourceType.STAFF, f.pk, str(f)) for f in facilitators]
            if series.room_id:
                resources.append((ResourceType.ROOM, series.room_id, f"Room {series.room.name}"))
            claims_create(
                resources=resources, starts_at=starts_at, ends_at=ends_at, occurrence=occurrence
            )
            created.append(occurrence)
    return created


def _refuse_closed_day(program: Program, starts_at: datetime, field: str) -> None:
    """A program holiday is a closure: nothing is booked on it, by hand or by plan."""
    day = utc_to_local(program.timezone, starts_at).date()
    name = program_closure_on(program, day)
    if name is not None:
        raise ApplicationError(
            f"The program is closed on {day:%a %Y-%m-%d} ({name}).",
            field_errors={field: f"Closed: {name}."},
        )


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
    from stepwell.schedule.calendar import iso_week_of

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
    _refuse_closed_day(program, occurrence.starts_at, "occurrence")
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
    _refuse_closed_day(program, starts_at, "starts_at")
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
    from stepwell.schedule.calendar import iso_week_of

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


def occurrence_cancel(*, actor, occurrence_id: int, reason: str) -> SessionOccurrence:
    """Cancel one meeting of a group (weather, illness): the director of its program. Its
    staff, room and patients are freed, the bookings stay so everyone affected can be told,
    and attendance records 'cancelled by program'. Each enrolled patient's record gets an
    audit event."""
    occurrence = access_occurrence_by_id(actor, occurrence_id, action=AuditAction.UPDATE)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Say why the session is cancelled.", field_errors={"reason": "Required."}
        )
    with transaction.atomic():
        occurrence = SessionOccurrence.objects.select_for_update().get(pk=occurrence.pk)
        if occurrence.status == OccurrenceStatus.CANCELLED:
            raise ApplicationError(
                "The session is already cancelled.",
                field_errors={"occurrence": "Already cancelled."},
            )
        occurrence.status = OccurrenceStatus.CANCELLED
        occurrence.save(update_fields=["status"])
        occurrence.claims.all().delete()
        detail = {"cancelled": True, "reason": reason}
        for patient_id in occurrence.enrollments.values_list("patient_id", flat=True):
            audit_record(
                user=actor,
                action=AuditAction.UPDATE,
                patient_id=patient_id,
                object_type="occurrence",
                object_id=occurrence.pk,
                detail=detail,
            )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="occurrence",
            object_id=occurrence.pk,
            detail=detail,
        )
    return occurrence
