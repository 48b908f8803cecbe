"""Reads of the alumni community, starting from the acting user; reads that show a
person are audited, naming every person shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.privacy.access import alumni as access
from stepwell.privacy.audit import AuditAction, audit_record

from .models import (
    AlumniEvent,
    AlumniMeeting,
    AlumniRsvp,
    MentorPairing,
    MentorStatus,
    PeerMentor,
)

CALENDAR_WEEKS = 12


@dataclass(frozen=True)
class CalendarItem:
    meeting: AlumniMeeting
    answer: str  # the alumnus's RSVP, "" if none


@dataclass(frozen=True)
class AlumniPortal:
    patient: Patient
    programs: list[Program]
    calendar: list[CalendarItem]
    mentor: PeerMentor | None
    mentees: int


def lands_on_alumni(user) -> bool:
    """Whether the portal's front door leads this login to the alumni page (navigation,
    not access: every page checks for itself)."""
    return access.is_alumnus_user(user)


def alumni_portal(*, user, now: datetime) -> AlumniPortal:
    """The alumnus's own page: the coming meetings of their programs' alumni calendar with
    their answers, and their peer-mentor offer."""
    patient = access.access_own_alumnus(user)
    program_ids = access.alumnus_program_ids(patient)
    meetings = list(
        AlumniMeeting.objects.select_related("event__program")
        .filter(event__program_id__in=program_ids, ends_at__gt=now)
        .filter(starts_at__lt=now + timedelta(weeks=CALENDAR_WEEKS))
    )
    answers = dict(
        AlumniRsvp.objects.filter(patient=patient, meeting__in=meetings).values_list(
            "meeting_id", "answer"
        )
    )
    mentor = PeerMentor.objects.filter(patient=patient).first()
    mentees = mentor.pairings.filter(ended_at__isnull=True).count() if mentor else 0
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="alumni_portal",
        object_id=patient.pk,
    )
    return AlumniPortal(
        patient=patient,
        programs=list(Program.objects.filter(pk__in=program_ids).order_by("name")),
        calendar=[CalendarItem(m, answers.get(m.pk, "")) for m in meetings],
        mentor=mentor,
        mentees=mentees,
    )


def alumni_staff_programs(*, user) -> list[Program]:
    """The programs whose alumni community the user runs (no patient shown)."""
    return list(access.access_alumni_programs(user))


@dataclass(frozen=True)
class MeetingSummary:
    meeting: AlumniMeeting
    rsvps: dict[str, int]
    attended: int


@dataclass
class AlumniProgramPage:
    program: Program
    events: list[AlumniEvent]
    coming: list[MeetingSummary]
    recent: list[MeetingSummary]
    alumni: list[Patient]
    mentors: list[PeerMentor]
    pairings: list[MentorPairing]
    menteeable: list[Patient] = field(default_factory=list)


def _summaries(meetings: list[AlumniMeeting]) -> list[MeetingSummary]:
    rsvps = Counter(
        AlumniRsvp.objects.filter(meeting__in=meetings).values_list("meeting_id", "answer")
    )
    attended = Counter(
        AlumniMeeting.objects.filter(
            pk__in=[m.pk for m in meetings], attendance__present=True
        ).values_list("pk", flat=True)
    )
    return [
        MeetingSummary(
            meeting=m,
            rsvps={a: rsvps[(m.pk, a)] for a in ("yes", "maybe", "no")},
            attended=attended[m.pk],
        )
        for m in meetings
    ]


def alumni_program_page(*, user, program_id, now: datetime) -> AlumniProgramPage:
    """A program's alumni community for the staff who run it: events, coming and recent
    meetings, alumni, peer mentors and pairings. Audited, naming everyone shown."""
    program = access.access_alumni_program_by_id(user, program_id)
    meetings = AlumniMeeting.objects.select_related("event").filter(event__program=program)
    coming = list(meetings.filter(ends_at__gt=now)[:20])
    recent = list(
        meetings.filter(ends_at__lte=now, starts_at__gte=now - timedelta(weeks=4)).order_by(
            "-starts_at"
        )[:20]
    )
    alumni = list(access.alumni_visible_to(user, program.pk).order_by("legal_last_name"))
    mentors = list(
        PeerMentor.objects.select_related("patient")
        .filter(program=program)
        .exclude(status=MentorStatus.WITHDRAWN)
    )
    pairings = list(
        MentorPairing.objects.select_related("mentor__patient", "patient").filter(
            program=program, ended_at__isnull=True
        )
    )
    menteeable = list(access.menteeable_patients(user, program.pk).order_by("legal_last_name"))
    shown = {p.pk for p in alumni} | {m.patient_id for m in mentors}
    shown |= {p.patient_id for p in pairings} | {p.pk for p in menteeable}
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="alumni_program",
        object_id=program.pk,
        detail={"patients": sorted(shown)},
    )
    return AlumniProgramPage(
        program=program,
        events=list(AlumniEvent.objects.filter(program=program)),
        coming=_summaries(coming),
        recent=_summaries(recent),
        alumni=alumni,
        mentors=mentors,
        pairings=pairings,
        menteeable=menteeable,
    )


@dataclass(frozen=True)
class MeetingRow:
    patient: Patient
    answer: str
    present: bool | None


@dataclass(frozen=True)
class MeetingPage:
    meeting: AlumniMeeting
    rows: list[MeetingRow]


def alumni_meeting_page(*, user, meeting_id) -> MeetingPage:
    """One meeting: every alumnus of the program with their RSVP and attendance (those who
    answered first). Audited, naming everyone shown."""
    meeting = access.access_meeting_by_id(user, meeting_id)
    alumni = list(access.alumni_visible_to(user, meeting.event.program_id))
    answers = dict(meeting.rsvps.values_list("patient_id", "answer"))
    present = dict(meeting.attendance.values_list("patient_id", "present"))
    rows = [MeetingRow(p, answers.get(p.pk, ""), present.get(p.pk)) for p in alumni]
    rows.sort(key=lambda r: (r.answer == "", r.answer != "yes", r.patient.legal_last_name))
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="alumni_meeting",
        object_id=meeting.pk,
        detail={"patients": sorted(p.pk for p in alumni)},
    )
    return MeetingPage(meeting=meeting, rows=rows)


def alumni_events(*, user, program_id) -> list[AlumniEvent]:
    """A program's alumni events (no patient named)."""
    program = access.access_alumni_program_by_id(user, program_id, action=AuditAction.LIST)
    return list(AlumniEvent.objects.filter(program=program).prefetch_related("meetings"))
