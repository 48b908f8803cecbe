"""Reads of the alumni community, starting from the acting user; reads that show a
person are audited, naming every person shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.paginator import Page
from django.db.models import Case, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from stepwell.clinic.models import Program
from stepwell.core.paging import PAGE_SIZE, page_of, window
from stepwell.patients.models import Patient
from stepwell.privacy.access import alumni as access
from stepwell.privacy.audit import AuditAction, audit_record

from .models import (
    AlumniAttendance,
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
    """A program's alumni community, a page at a time: each list shows its rows of `page`
    (50 each), and `totals` counts each list's rows on every page."""

    program: Program
    coming: list[MeetingSummary]
    recent: list[MeetingSummary]
    alumni: list[Patient]
    mentors: list[PeerMentor]
    pairings: list[MentorPairing]
    menteeable: list[Patient] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    page: Page | None = None


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


def _lists_paged_together(lists: dict[str, QuerySet], page_number) -> tuple[Page, dict, dict]:
    """One page number for several lists of one page, as the referral board pages its
    columns: each list shows its PAGE_SIZE rows of that page, cut in SQL, and there are as
    many pages as the longest list needs. Returns the page (number and count, for the page
    links), each list's rows, and each list's total."""
    totals = {name: rows.count() for name, rows in lists.items()}
    page = page_of(range(max(totals.values(), default=0)), page_number)
    start = (page.number - 1) * PAGE_SIZE
    shown = {name: list(rows[start : start + PAGE_SIZE]) for name, rows in lists.items()}
    return page, shown, totals


def alumni_program_page(*, user, program_id, now: datetime, page_number=None) -> AlumniProgramPage:
    """A program's alumni community for the staff who run it: coming meetings (soonest
    first), the last four weeks' meetings (latest first), peer mentors (in the order they
    volunteered), open pairings (newest first) and alumni (by name), 50 of each a page.
    Audited, naming everyone shown on the page and every patient the pairing form offers
    (the program's current patients)."""
    program = access.access_alumni_program_by_id(user, program_id)
    meetings = AlumniMeeting.objects.select_related("event").filter(event__program=program)
    page, shown, totals = _lists_paged_together(
        {
            "coming": meetings.filter(ends_at__gt=now).order_by("starts_at", "pk"),
            "recent": meetings.filter(
                ends_at__lte=now, starts_at__gte=now - timedelta(weeks=4)
            ).order_by("-starts_at", "-pk"),
            "mentors": PeerMentor.objects.select_related("patient")
            .filter(program=program)
            .exclude(status=MentorStatus.WITHDRAWN)
            .order_by("volunteered_at", "pk"),
            "pairings": MentorPairing.objects.select_related("mentor__patient", "patient")
            .filter(program=program, ended_at__isnull=True)
            .order_by("-paired_at", "-pk"),
            "alumni": access.alumni_visible_to(user, program.pk).order_by(
                "legal_last_name", "legal_first_name", "pk"
            ),
        },
        page_number,
    )
    menteeable = list(access.menteeable_patients(user, program.pk).order_by("legal_last_name"))
    people = {p.pk for p in shown["alumni"]} | {m.patient_id for m in shown["mentors"]}
    people |= {p.patient_id for p in shown["pairings"]} | {p.pk for p in menteeable}
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="alumni_program",
        object_id=program.pk,
        detail={"patients": sorted(people)},
    )
    return AlumniProgramPage(
        program=program,
        coming=_summaries(shown["coming"]),
        recent=_summaries(shown["recent"]),
        alumni=shown["alumni"],
        mentors=shown["mentors"],
        pairings=shown["pairings"],
        menteeable=menteeable,
        totals=totals,
        page=page,
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
    page: Page | None = None


def _meeting_alumni(user, meeting: AlumniMeeting) -> QuerySet[Patient]:
    """The alumni of the meeting's program with their RSVP and attendance, ordered in SQL:
    those who said yes, then those who answered otherwise, then the rest; by name within."""
    rsvps = AlumniRsvp.objects.filter(meeting=meeting, patient=OuterRef("pk"))
    attendance = AlumniAttendance.objects.filter(meeting=meeting, patient=OuterRef("pk"))
    return (
        access.alumni_visible_to(user, meeting.event.program_id)
        .annotate(
            rsvp_answer=Subquery(rsvps.values("answer")[:1]),
            attendance_present=Subquery(attendance.values("present")[:1]),
        )
        .annotate(
            answer_order=Case(
                When(rsvp_answer="yes", then=Value(0)),
                When(rsvp_answer__isnull=False, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("answer_order", "legal_last_name", "legal_first_name", "pk")
    )


def _meeting_rows(user, meeting: AlumniMeeting, alumni) -> list[MeetingRow]:
    """The rows shown, audited as one view of the meeting naming exactly those alumni."""
    rows = [MeetingRow(p, p.rsvp_answer or "", p.attendance_present) for p in alumni]
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="alumni_meeting",
        object_id=meeting.pk,
        detail={"patients": sorted(row.patient.pk for row in rows)},
    )
    return rows


def alumni_meeting_page(*, user, meeting_id, page_number=None) -> MeetingPage:
    """One meeting's attendance page: 50 alumni of the program a page, with their RSVP and
    attendance (those who answered first)."""
    meeting = access.access_meeting_by_id(user, meeting_id)
    page = page_of(_meeting_alumni(user, meeting), page_number)
    return MeetingPage(meeting=meeting, rows=_meeting_rows(user, meeting, page), page=page)


def alumni_meeting_rows(*, user, meeting_id, limit: int, offset: int) -> list[MeetingRow]:
    """The API's page of a meeting's alumni, in the attendance page's order."""
    meeting = access.access_meeting_by_id(user, meeting_id)
    alumni = window(_meeting_alumni(user, meeting), limit=limit, offset=offset)
    return _meeting_rows(user, meeting, alumni)


def alumni_events(*, user, program_id, limit: int, offset: int) -> list[AlumniEvent]:
    """A page of a program's alumni events (no patient named), by first date, each with
    its meetings (a year's at most: alumni.calendar.MAX_SPAN_DAYS)."""
    program = access.access_alumni_program_by_id(user, program_id, action=AuditAction.LIST)
    events = (
        AlumniEvent.objects.filter(program=program)
        .prefetch_related(
            Prefetch("meetings", queryset=AlumniMeeting.objects.order_by("starts_at", "pk"))
        )
        .order_by("first_starts_at", "pk")
    )
    return list(window(events, limit=limit, offset=offset))
