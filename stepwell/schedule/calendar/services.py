"""Use cases that write the program calendar. One transaction each, audited where they
touch a patient. Manual bookings pass the same rules the optimizer keeps.

Each service is the gate: it starts by fetching what it changes through
privacy.access.schedule, which refuses (audited) a user who may not, before any
transaction opens. Jobs pass a system actor (privacy.actors.system_actor)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction

from stepwell.clinic.models import Program
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.schedule import (
    ScheduleNeed,
    access_occurrence_by_id,
    access_program_schedule_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.booking.claims import claims_create
from stepwell.schedule.calendar.weeks import (
    local_to_utc,
    recurrence_dates,
    utc_to_local,
    validate_recurrence,
    week_utc_range,
)
from stepwell.schedule.models import (
    CurriculumModule,
    GroupSeries,
    Holiday,
    OccurrenceStatus,
    ResourceType,
    SessionOccurrence,
)


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
