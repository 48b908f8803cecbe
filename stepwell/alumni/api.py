"""The alumni community over the API: a program's events, a meeting's attendance (staff),
and an alumnus's RSVP (their own browser session)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses

from . import selectors, services

router = Router(tags=["alumni"])


class MeetingOut(Out):
    id: int
    starts_at: datetime
    ends_at: datetime
    cancelled: bool


class EventOut(Out):
    id: int
    program_id: int
    title: str
    description: str
    format: str
    place: str
    video_url: str
    recurrence: str
    duration_minutes: int
    repeats_until: date | None
    meetings: list[MeetingOut]


class EventIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    format: str
    place: str = Field("", max_length=300)
    video_url: str = Field("", max_length=500)
    recurrence: str
    first_day: date
    start_time: time
    duration_minutes: int
    repeats_until: date | None = None


def _event(event) -> dict:
    return {
        "id": event.pk,
        "program_id": event.program_id,
        "title": event.title,
        "description": event.description,
        "format": event.format,
        "place": event.place,
        "video_url": event.video_url,
        "recurrence": event.recurrence,
        "duration_minutes": event.duration_minutes,
        "repeats_until": event.repeats_until,
        "meetings": [
            {"id": m.pk, "starts_at": m.starts_at, "ends_at": m.ends_at, "cancelled": m.cancelled}
            for m in event.meetings.all()
        ],
    }


@router.get("/alumni/programs/{program_id}/events", response=responses({200: list[EventOut]}))
def events(
    request,
    program_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The program's alumni groups and events, by first date, each with its meetings (a
    year's at most). A page at a time: `limit` (50 unless asked, at most 500) after
    `offset`."""
    rows = selectors.alumni_events(
        user=request.user, program_id=program_id, limit=limit, offset=offset
    )
    return [_event(e) for e in rows]


@router.post("/alumni/programs/{program_id}/events", response=responses({201: EventOut}))
def event_create(request, program_id: int, payload: EventIn):
    """A new alumni group (recurring) or event (one-off); times are the program's local
    times."""
    event = services.alumni_event_create(
        actor=request.user, program_id=program_id, now=timezone.now(), **payload.dict()
    )
    return Status(201, _event(event))


class AttendanceRowOut(Out):
    patient_id: int
    name: str
    answer: str
    present: bool | None


class AlumniAttendanceIn(Schema):
    present: list[int] = []
    absent: list[int] = []


@router.get(
    "/alumni/meetings/{meeting_id}/attendance", response=responses({200: list[AttendanceRowOut]})
)
def attendance(
    request,
    meeting_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The alumni of the meeting's program with their RSVP and attendance: those who said
    yes first, then the other answers, then the rest, by name within each. A page at a
    time: `limit` (50 unless asked, at most 500) after `offset`."""
    rows = selectors.alumni_meeting_rows(
        user=request.user, meeting_id=meeting_id, limit=limit, offset=offset
    )
    return [
        {
            "patient_id": row.patient.pk,
            "name": row.patient.display_name,
            "answer": row.answer,
            "present": row.present,
        }
        for row in rows
    ]


@router.post(
    "/alumni/meetings/{meeting_id}/attendance", response=responses({200: list[AttendanceRowOut]})
)
def attendance_record(request, meeting_id: int, payload: AlumniAttendanceIn):
    """Who came (present) and who did not (absent). Never counted as treatment."""
    rows = services.alumni_attendance_record(
        actor=request.user,
        meeting_id=meeting_id,
        present_ids=set(payload.present),
        absent_ids=set(payload.absent),
        now=timezone.now(),
    )
    return [
        {
            "patient_id": row.patient_id,
            "name": row.patient.display_name,
            "answer": "",
            "present": row.present,
        }
        for row in rows
    ]


class RsvpIn(Schema):
    answer: str


class RsvpOut(Out):
    meeting_id: int
    answer: str


@router.post("/alumni/meetings/{meeting_id}/rsvp", response=responses({200: RsvpOut}))
def rsvp(request, meeting_id: int, payload: RsvpIn):
    """The signed-in alumnus's answer: yes, maybe or no."""
    row = services.alumni_rsvp_set(
        actor=request.user, meeting_id=meeting_id, answer=payload.answer, now=timezone.now()
    )
    return {"meeting_id": row.meeting_id, "answer": row.answer}
