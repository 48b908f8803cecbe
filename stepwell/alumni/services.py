"""Writes of the alumni community. Each service checks access first
(privacy.access.alumni), then writes in one transaction and audits."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import alumni as access
from stepwell.privacy.audit import AuditAction, audit_record

from .calendar import MAX_SPAN_DAYS, meeting_dates
from .models import (
    AgreementWay,
    AlumniAttendance,
    AlumniChoice,
    AlumniEvent,
    AlumniMeeting,
    AlumniRsvp,
    EventFormat,
    MentorPairing,
    MentorStatus,
    PeerMentor,
    Recurrence,
    RsvpAnswer,
)

MENTEES_PER_MENTOR = 3


def _utc(program, day: date, at: time) -> datetime:
    local = datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(program.timezone))
    return local.astimezone(UTC)


def _event_errors(
    *, title, format, place, video_url, recurrence, first_day, duration_minutes, until, today
) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = "Give the event a name."
    if format not in EventFormat.values:
        errors["format"] = "Choose in person or by video link."
    elif format == EventFormat.IN_PERSON and not place.strip():
        errors["place"] = "Say where the group meets."
    elif format == EventFormat.VIDEO and not video_url.startswith("https://"):
        errors["video_url"] = "Give the video link, starting with https://."
    if recurrence not in Recurrence.values:
        errors["recurrence"] = "Choose one-off or how often it repeats."
    elif recurrence == Recurrence.ONCE and until is not None:
        errors["repeats_until"] = "A one-off event has no end date; leave it empty."
    elif recurrence != Recurrence.ONCE:
        if until is None:
            errors["repeats_until"] = "Give the last date of a recurring group."
        elif until < first_day:
            errors["repeats_until"] = "The last date is before the first."
        elif until > first_day + timedelta(days=MAX_SPAN_DAYS):
            errors["repeats_until"] = "Plan a recurring group at most a year ahead."
    if first_day < today:
        errors["first_day"] = "The first date is in the past."
    if not 15 <= duration_minutes <= 480:
        errors["duration_minutes"] = "A meeting lasts between 15 and 480 minutes."
    return errors


def alumni_event_create(
    *,
    actor,
    program_id: int,
    title: str,
    format: str,
    recurrence: str,
    first_day: date,
    start_time: time,
    duration_minutes: int,
    repeats_until: date | None = None,
    place: str = "",
    video_url: str = "",
    description: str = "",
    now: datetime,
) -> AlumniEvent:
    """An alumni group or event of the program with each of its meetings."""
    program = access.access_alumni_program_by_id(actor, program_id, action=AuditAction.CREATE)
    errors = _event_errors(
        title=title,
        format=format,
        place=place,
        video_url=video_url,
        recurrence=recurrence,
        first_day=first_day,
        duration_minutes=duration_minutes,
        until=repeats_until,
        today=program_today(program, now),
    )
    if errors:
        raise ApplicationError("The event was not created.", field_errors=errors)
    with transaction.atomic():
        event = AlumniEvent.objects.create(
            program=program,
            title=title.strip(),
            description=description.strip(),
            format=format,
            place=place.strip() if format == EventFormat.IN_PERSON else "",
            video_url=video_url.strip() if format == EventFormat.VIDEO else "",
            recurrence=recurrence,
            first_starts_at=_utc(program, first_day, start_time),
            duration_minutes=duration_minutes,
            repeats_until=repeats_until,
            host=actor,
            created_by=actor,
        )
        length = timedelta(minutes=duration_minutes)
        meetings = []
        for day in meeting_dates(first_day, recurrence, repeats_until):
            starts = _utc(program, day, start_time)
            meetings.append(AlumniMeeting(event=event, starts_at=starts, ends_at=starts + length))
        AlumniMeeting.objects.bulk_create(meetings)
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="alumni_event",
            object_id=event.pk,
            detail={"program": program.pk, "meetings": len(meetings)},
        )
    return event


def alumni_meeting_cancel(*, actor, meeting_id: int, now: datetime) -> AlumniMeeting:
    meeting = access.access_meeting_by_id(actor, meeting_id, action=AuditAction.UPDATE)
    if meeting.starts_at <= now:
        raise ApplicationError(
            "This meeting has started; it can no longer be cancelled.",
            field_errors={"meeting": "The meeting has already started."},
        )
    with transaction.atomic():
        meeting.cancelled = True
        meeting.save(update_fields=["cancelled"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="alumni_meeting",
            object_id=meeting.pk,
            detail={"cancelled": True},
        )
    return meeting


def alumni_rsvp_set(*, actor, meeting_id: int, answer: str, now: datetime) -> AlumniRsvp:
    """The alumnus's answer to a coming meeting (a new answer replaces the old one)."""
    patient, meeting = access.access_own_meeting_by_id(actor, meeting_id)
    if answer not in RsvpAnswer.values:
        raise ApplicationError(
            "Your answer was not saved.", field_errors={"answer": "Choose yes, maybe or no."}
        )
    if meeting.cancelled or meeting.starts_at <= now:
        raise ApplicationError(
            "Your answer was not saved.",
            field_errors={"answer": "This meeting is cancelled or has already started."},
        )
    with transaction.atomic():
        rsvp, _ = AlumniRsvp.objects.update_or_create(
            meeting=meeting, patient=patient, defaults={"answer": answer, "answered_at": now}
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="alumni_rsvp",
            object_id=rsvp.pk,
            detail={"meeting": meeting.pk, "answer": answer},
        )
    return rsvp


def alumni_attendance_record(
    *, actor, meeting_id: int, present_ids: set[int], absent_ids: set[int], now: datetime
) -> list[AlumniAttendance]:
    """Who came to an alumni meeting. Kept apart from treatment attendance: it adds no
    minutes to the weekly hours and no service to a billable day."""
    meeting = access.access_meeting_by_id(actor, meeting_id, action=AuditAction.UPDATE)
    if meeting.cancelled:
        raise ApplicationError(
            "Attendance was not recorded.", field_errors={"meeting": "The meeting was cancelled."}
        )
    if meeting.starts_at > now:
        raise ApplicationError(
            "Attendance was not recorded.",
            field_errors={"meeting": "Attendance is taken once the meeting has started."},
        )
    if present_ids & absent_ids:
        raise ApplicationError(
            "Attendance was not recorded.",
            field_errors={"present": "Someone is marked both present and absent."},
        )
    named = present_ids | absent_ids
    alumni = set(
        access.alumni_visible_to(actor, meeting.event.program_id)
        .filter(pk__in=named)
        .values_list("pk", flat=True)
    )
    if named - alumni:
        raise ApplicationError(
            "Attendance was not recorded.",
            field_errors={"present": "Only alumni of this program can be marked."},
        )
    rows = []
    with transaction.atomic():
        for patient_id in sorted(named):
            row, _ = AlumniAttendance.objects.update_or_create(
                meeting=meeting,
                patient_id=patient_id,
                defaults={
                    "present": patient_id in present_ids,
                    "recorded_by": actor,
                    "recorded_at": now,
                },
            )
            rows.append(row)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="alumni_attendance",
            object_id=meeting.pk,
            detail={"patients": sorted(named), "present": sorted(present_ids)},
        )
    return rows


# --- opting out ----------------------------------------------------------------------------


def _opt_out(actor, patient, *, reason: str, now: datetime) -> AlumniChoice:
    with transaction.atomic():
        choice, _ = AlumniChoice.objects.update_or_create(
            patient=patient,
            defaults={
                "opted_out": True,
                "reason": reason.strip()[:300],
                "decided_at": now,
                "decided_by": actor,
            },
        )
        AlumniRsvp.objects.filter(patient=patient, meeting__starts_at__gt=now).delete()
        PeerMentor.objects.filter(patient=patient).update(status=MentorStatus.WITHDRAWN)
        MentorPairing.objects.filter(mentor__patient=patient, ended_at__isnull=True).update(
            ended_at=now, end_reason="The mentor left the alumni community."
        )
        login = patient.user
        if login is not None and login.is_active:
            login.is_active = False
            login.save(update_fields=["is_active"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="alumni_choice",
            object_id=choice.pk,
            detail={"opted_out": True, "login_closed": login is not None},
        )
    return choice


def alumni_opt_out_self(*, actor, reason: str = "", now: datetime) -> AlumniChoice:
    """The alumnus leaves the alumni community: their portal login closes."""
    patient = access.access_own_alumnus(actor, object_type="alumni_choice")
    return _opt_out(actor, patient, reason=reason, now=now)


def alumni_opt_out_record(*, actor, patient_id: int, reason: str, now: datetime) -> AlumniChoice:
    """Staff record an alumnus's wish to leave (said by phone or in person)."""
    patient = access.access_alumnus_by_id(actor, patient_id)
    if not reason.strip():
        raise ApplicationError(
            "The choice was not recorded.", field_errors={"reason": "Say how they told you."}
        )
    return _opt_out(actor, patient, reason=reason, now=now)


def alumni_rejoin_record(*, actor, patient_id: int, now: datetime) -> AlumniChoice:
    """Staff record that a former patient who opted out wants back in: the portal login
    opens again."""
    patient = access.access_alumnus_by_id(actor, patient_id)
    choice = AlumniChoice.objects.filter(patient=patient, opted_out=True).first()
    if choice is None:
        raise ApplicationError(
            "Nothing to undo.", field_errors={"patient": "This person has not opted out."}
        )
    with transaction.atomic():
        choice.opted_out = False
        choice.decided_at = now
        choice.decided_by = actor
        choice.reason = ""
        choice.save()
        login = patient.user
        if login is not None and not login.is_active:
            login.is_active = True
            login.save(update_fields=["is_active"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="alumni_choice",
            object_id=choice.pk,
            detail={"opted_out": False},
        )
    return choice


# --- peer mentors --------------------------------------------------------------------------


def peer_mentor_volunteer(*, actor, about: str, now: datetime) -> PeerMentor:
    """The alumnus offers to mentor current patients of the program they finished last."""
    patient = access.access_own_alumnus(actor, object_type="peer_mentor")
    if not about.strip():
        raise ApplicationError(
            "Your offer was not saved.",
            field_errors={"about": "Say in a sentence or two what you can offer."},
        )
    if PeerMentor.objects.filter(patient=patient).exclude(status=MentorStatus.WITHDRAWN).exists():
        raise ApplicationError(
            "Your offer was not saved.", field_errors={"about": "You have already volunteered."}
        )
    episode = patient.episodes.filter(discharged_on__isnull=False).order_by("-discharged_on")[0]
    with transaction.atomic():
        mentor, _ = PeerMentor.objects.update_or_create(
            patient=patient,
            defaults={
                "program": episode.program,
                "about": about.strip(),
                "status": MentorStatus.VOLUNTEERED,
                "volunteered_at": now,
                "approved_by": None,
                "approved_at": None,
            },
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="peer_mentor",
            object_id=mentor.pk,
        )
    return mentor


def peer_mentor_approve(*, actor, mentor_id: int, now: datetime) -> PeerMentor:
    mentor = access.access_mentor_by_id(actor, mentor_id)
    if mentor.status != MentorStatus.VOLUNTEERED:
        raise ApplicationError(
            "Nothing was approved.", field_errors={"mentor": "This offer is not waiting."}
        )
    if not access.alumni_patients().filter(pk=mentor.patient_id).exists():
        raise ApplicationError(
            "Nothing was approved.", field_errors={"mentor": "The volunteer is no alumnus now."}
        )
    with transaction.atomic():
        mentor.status = MentorStatus.APPROVED
        mentor.approved_by = actor
        mentor.approved_at = now
        mentor.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=mentor.patient_id,
            object_type="peer_mentor",
            object_id=mentor.pk,
            detail={"status": MentorStatus.APPROVED},
        )
    return mentor


def mentor_pair(
    *,
    actor,
    mentor_id: int,
    patient_id: int,
    patient_agreed_on: date,
    agreed_how: str,
    now: datetime,
) -> MentorPairing:
    """Pair an approved mentor with a current patient of the same program who agreed."""
    mentor = access.access_mentor_by_id(actor, mentor_id)
    program = mentor.program
    patient = access.access_menteeable_patient_by_id(actor, program.pk, patient_id)
    errors = {}
    if mentor.status != MentorStatus.APPROVED:
        errors["mentor"] = "Approve the mentor before pairing."
    elif not access.alumni_patients().filter(pk=mentor.patient_id).exists():
        errors["mentor"] = "The mentor is no longer an alumnus."
    elif mentor.pairings.filter(ended_at__isnull=True).count() >= MENTEES_PER_MENTOR:
        errors["mentor"] = f"A mentor has at most {MENTEES_PER_MENTOR} people at a time."
    if agreed_how not in AgreementWay.values:
        errors["agreed_how"] = "Say how the patient agreed."
    if patient_agreed_on > program_today(program, now):
        errors["patient_agreed_on"] = "The date the patient agreed is in the future."
    if MentorPairing.objects.filter(patient=patient, ended_at__isnull=True).exists():
        errors["patient"] = "This patient already has a mentor."
    if errors:
        raise ApplicationError("The pairing was not made.", field_errors=errors)
    with transaction.atomic():
        pairing = MentorPairing.objects.create(
            mentor=mentor,
            patient=patient,
            program=program,
            patient_agreed_on=patient_agreed_on,
            agreed_how=agreed_how,
            paired_by=actor,
            paired_at=now,
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="mentor_pairing",
            object_id=pairing.pk,
            detail={"patients": [mentor.patient_id]},
        )
    return pairing


def mentor_pairing_end(*, actor, pairing_id: int, reason: str, now: datetime) -> MentorPairing:
    pairing = access.access_pairing_by_id(actor, pairing_id)
    if pairing.ended_at is not None:
        raise ApplicationError(
            "Nothing changed.", field_errors={"pairing": "This pairing has already ended."}
        )
    if not reason.strip():
        raise ApplicationError(
            "The pairing was not ended.", field_errors={"reason": "Say why it ends."}
        )
    with transaction.atomic():
        pairing.ended_at = now
        pairing.end_reason = reason.strip()[:300]
        pairing.save(update_fields=["ended_at", "end_reason"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=pairing.patient_id,
            object_type="mentor_pairing",
            object_id=pairing.pk,
            detail={"ended": True},
        )
    return pairing
