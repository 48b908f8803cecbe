"""Taking attendance: roster from the schedule, walk-ins, status changes with history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stepwell.care.attendance.states import (
    ATTENDED,
    AttendanceStatus,
    check_transition,
    minutes_attended,
)
from stepwell.care.models import Attendance, AttendanceChange, AttendanceSource
from stepwell.care.notes.sections import group_note_sync_patient
from stepwell.core.errors import ApplicationError
from stepwell.core.paging import window
from stepwell.patients.models import EpisodeState, Patient
from stepwell.privacy.access.attendance import (
    access_appointment_attendance_by_id,
    access_attendance_by_id,
    access_session_attendance_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar.weeks import utc_to_local
from stepwell.schedule.models import OccurrenceStatus, SessionOccurrence

ROSTER_ORDER = ("patient__legal_last_name", "patient__legal_first_name", "pk")
ATTENDING_EPISODE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)


def walk_in_candidates(occurrence: SessionOccurrence) -> QuerySet[Patient]:
    """Who may join the session's group: the patients admitted to its program."""
    return Patient.objects.filter(
        episodes__program_id=occurrence.program_id,
        episodes__state__in=ATTENDING_EPISODE_STATES,
    ).distinct()


def _as_record_id(value) -> int:
    return value if isinstance(value, int) and 0 < value < 2**63 else 0


def _initial_status(session) -> str:
    if session.status == OccurrenceStatus.CANCELLED:
        return AttendanceStatus.CANCELLED_BY_PROGRAM
    return AttendanceStatus.EXPECTED


def _mark_cancelled(actor, occurrence) -> None:
    """Rows still waiting for attendance when the program cancelled the session."""
    for row in Attendance.objects.filter(occurrence=occurrence, status=AttendanceStatus.EXPECTED):
        AttendanceChange.objects.create(
            attendance=row,
            from_status=row.status,
            to_status=AttendanceStatus.CANCELLED_BY_PROGRAM,
            reason="Session cancelled by the program",
            actor=actor,
        )
        row.status = AttendanceStatus.CANCELLED_BY_PROGRAM
        row.save(update_fields=["status"])


def attendance_roster_open(
    *, actor, occurrence_id: int, limit: int | None = None, offset: int = 0
) -> tuple[SessionOccurrence, list[Attendance]]:
    """The occurrence's roster by name: a row per enrolment (created once), plus walk-ins;
    with `limit`, that many rows after `offset` (the API's page, cut in SQL), and the event
    names the patients of those rows only.

    Existing rows are never touched, so opening the roster again loses nothing.
    """
    occurrence = access_session_attendance_by_id(actor, occurrence_id, action=AuditAction.VIEW)
    with transaction.atomic():
        have = set(
            Attendance.objects.filter(occurrence=occurrence).values_list("patient_id", flat=True)
        )
        missing = [e.patient_id for e in occurrence.enrollments.all() if e.patient_id not in have]
        Attendance.objects.bulk_create(
            [
                Attendance(
                    occurrence=occurrence,
                    patient_id=patient_id,
                    status=_initial_status(occurrence),
                    session_starts_at=occurrence.starts_at,
                    session_ends_at=occurrence.ends_at,
                )
                for patient_id in missing
            ]
        )
        if occurrence.status == OccurrenceStatus.CANCELLED:
            _mark_cancelled(actor, occurrence)
        roster = Attendance.objects.filter(occurrence=occurrence).select_related("patient")
        if limit is not None:
            roster = window(roster.order_by(*ROSTER_ORDER), limit=limit, offset=offset)
        rows = list(roster)
        audit_record(
            user=actor,
            action=AuditAction.VIEW,
            object_type="attendance_roster",
            object_id=occurrence.pk,
            detail={"patients": sorted(r.patient_id for r in rows), "added": sorted(missing)},
        )
    return occurrence, rows


def attendance_for_appointment_open(*, actor, appointment_id: int) -> Attendance:
    """The appointment's attendance row, created on first use."""
    appointment = access_appointment_attendance_by_id(actor, appointment_id)
    with transaction.atomic():
        row, _ = Attendance.objects.get_or_create(
            appointment=appointment,
            patient_id=appointment.patient_id,
            defaults={
                "status": _initial_status(appointment),
                "session_starts_at": appointment.starts_at,
                "session_ends_at": appointment.ends_at,
            },
        )
        audit_record(
            user=actor,
            action=AuditAction.VIEW,
            patient_id=appointment.patient_id,
            object_type="attendance",
            object_id=row.pk,
        )
    return row


# Statuses that may be recorded before a session starts: notice of an absence, or the
# program cancelling. Everything else says what happened in the session.
BEFORE_START_ALLOWED = frozenset(
    {AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.CANCELLED_BY_PROGRAM}
)


def _session_program(row: Attendance):
    session = row.occurrence if row.occurrence_id else row.appointment
    return session.program


def check_not_before_start(row: Attendance, status: str, now: datetime) -> None:
    """Nothing is recorded before it happened: attendance opens the program's grace
    minutes before the session starts (Program.attendance_grace_minutes); only an
    excused absence or a cancellation may be recorded earlier (docs/clinical-sources.md §4)."""
    if status in BEFORE_START_ALLOWED:
        return
    program = _session_program(row)
    opens_at = row.session_starts_at - timedelta(minutes=program.attendance_grace_minutes)
    if now < opens_at:
        local_start = utc_to_local(program.timezone, row.session_starts_at)
        local_open = utc_to_local(program.timezone, opens_at)
        raise ApplicationError(
            f"This session starts at {local_start:%a %d %b %H:%M} ({program.timezone}); "
            f"attendance can be taken from {local_open:%H:%M}.",
            field_errors={"status": "Not before the session starts."},
        )


def _check_times_not_in_future(
    check_in: datetime | None, check_out: datetime | None, now: datetime
) -> None:
    if check_in is not None and check_in > now:
        raise ApplicationError(
            "The check-in time is in the future.",
            field_errors={"check_in_at": "Give a time that has already passed."},
        )
    if check_out is not None and check_out > now:
        raise ApplicationError(
            "The check-out time is in the future.",
            field_errors={"check_out_at": "Give a time that has already passed."},
        )


def _moment_in_session(now: datetime, start: datetime, end: datetime) -> bool:
    return start <= now <= end


def _resolve_times(
    row: Attendance,
    status: str,
    check_in_at: datetime | None,
    check_out_at: datetime | None,
    now: datetime,
) -> tuple[datetime | None, datetime | None]:
    """Times for the new status: given ones, else kept ones, else 'now' on the tablet."""
    start, end = row.session_starts_at, row.session_ends_at
    if status not in ATTENDED:
        return None, None
    was_attending = row.status in ATTENDED
    check_in = check_in_at or (row.check_in_at if was_attending else None)
    check_out = check_out_at or (row.check_out_at if was_attending else None)
    if status == AttendanceStatus.PRESENT and row.status == AttendanceStatus.LATE:
        check_in = check_in_at
    if status != AttendanceStatus.LEFT_EARLY and row.status == AttendanceStatus.LEFT_EARLY:
        check_out = check_out_at
    if status == AttendanceStatus.LATE and check_in is None:
        if not _moment_in_session(now, start, end):
            raise ApplicationError(
                "Give the time the patient arrived.",
                field_errors={"check_in_at": "Required for a late arrival."},
            )
        check_in = now
    if status == AttendanceStatus.LEFT_EARLY and check_out is None:
        if not _moment_in_session(now, start, end):
            raise ApplicationError(
                "Give the time the patient left.",
                field_errors={"check_out_at": "Required when leaving early."},
            )
        check_out = now
    if check_in is not None and check_in >= end:
        raise ApplicationError(
            "The check-in time is after the session ended.",
            field_errors={"check_in_at": "Give a time during the session."},
        )
    if check_out is not None and check_out <= start:
        raise ApplicationError(
            "The check-out time is before the session started.",
            field_errors={"check_out_at": "Give a time during the session."},
        )
    if check_in and check_out and check_out <= check_in:
        raise ApplicationError(
            "Check-out must come after check-in.",
            field_errors={"check_out_at": "Must be after the check-in time."},
        )
    return check_in, check_out


@transaction.atomic
def _apply(
    *,
    actor,
    row: Attendance,
    status: str,
    check_in_at: datetime | None,
    check_out_at: datetime | None,
    reason: str,
    now: datetime,
    action: str,
) -> Attendance:
    check_transition(row.status, status)
    check_not_before_start(row, status, now)
    check_in, check_out = _resolve_times(row, status, check_in_at, check_out_at, now)
    _check_times_not_in_future(check_in_at, check_out_at, now)
    before = (row.status, row.check_in_at, row.check_out_at)
    is_correction = row.recorded_at is not None or now > row.session_ends_at
    row.status = status
    row.check_in_at = check_in
    row.check_out_at = check_out
    row.minutes_attended = minutes_attended(
        status=status,
        session_start=row.session_starts_at,
        session_end=row.session_ends_at,
        check_in=check_in,
        check_out=check_out,
    )
    row.recorded_by = actor
    row.recorded_at = now
    row.full_clean()
    row.save()
    AttendanceChange.objects.create(
        attendance=row,
        from_status=before[0],
        to_status=status,
        from_check_in_at=before[1],
        to_check_in_at=check_in,
        from_check_out_at=before[2],
        to_check_out_at=check_out,
        is_correction=is_correction,
        reason=reason,
        actor=actor,
    )
    if row.occurrence_id:
        group_note_sync_patient(occurrence_id=row.occurrence_id, patient_id=row.patient_id)
    audit_record(
        user=actor,
        action=action,
        patient_id=row.patient_id,
        object_type="attendance",
        object_id=row.pk,
        detail={
            "from": before[0],
            "to": status,
            "minutes": row.minutes_attended,
            "correction": is_correction,
        },
    )
    return row


def attendance_mark(
    *,
    actor,
    attendance_id: int,
    status: str,
    check_in_at: datetime | None = None,
    check_out_at: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Attendance:
    """Change one participant's status or times; others' rows are not touched."""
    row = access_attendance_by_id(actor, attendance_id, action=AuditAction.UPDATE)
    with transaction.atomic():
        row = Attendance.objects.select_for_update().get(pk=row.pk)
        return _apply(
            actor=actor,
            row=row,
            status=status,
            check_in_at=check_in_at,
            check_out_at=check_out_at,
            reason=reason,
            now=now or timezone.now(),
            action=AuditAction.UPDATE,
        )


def attendance_walk_in_add(
    *,
    actor,
    occurrence_id: int,
    patient_id: int,
    status: str = AttendanceStatus.PRESENT,
    check_in_at: datetime | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Add a walk-in or late joiner to the roster without touching anyone else's row."""
    occurrence = access_session_attendance_by_id(
        actor,
        occurrence_id,
        action=AuditAction.CREATE,
        object_type="attendance",
        object_id=f"occurrence:{occurrence_id}",
        patient_id=patient_id,
    )
    patient = walk_in_candidates(occurrence).filter(pk=_as_record_id(patient_id)).first()
    if patient is None:
        raise ApplicationError(
            "Only a patient admitted to this program can join its group.",
            field_errors={"patient_id": "Choose an admitted patient of this program."},
        )
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ApplicationError(
            "This session was cancelled by the program.", field_errors={"status": "Cancelled."}
        )
    with transaction.atomic():
        if Attendance.objects.filter(occurrence=occurrence, patient=patient).exists():
            raise ApplicationError(
                f"{patient.display_name} is already on this roster.",
                field_errors={"patient_id": "Already on the roster; change their status there."},
            )
        row = Attendance.objects.create(
            occurrence=occurrence,
            patient=patient,
            source=AttendanceSource.WALK_IN,
            session_starts_at=occurrence.starts_at,
            session_ends_at=occurrence.ends_at,
        )
        return _apply(
            actor=actor,
            row=row,
            status=status,
            check_in_at=check_in_at,
            check_out_at=None,
            reason="walk-in",
            now=now or timezone.now(),
            action=AuditAction.CREATE,
        )
