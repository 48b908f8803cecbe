"""Attendance, notes and weekly hours over JSON. Same services and access rules as the
pages; every patient read and write is audited. Psychotherapy notes have no endpoint."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from stepwell.care.attendance import services as attendance_services
from stepwell.care.hours import selectors as hours_selectors
from stepwell.care.models import Attendance, ClinicalNote
from stepwell.care.notes import addenda, group_notes
from stepwell.care.notes import selectors as note_selectors
from stepwell.care.notes import services as note_services
from stepwell.care.notes.formats import sections_of
from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses
from stepwell.privacy.access.notes import NoteNeed

router = Router(tags=["care"])


class WindowOut(Out):
    min: int
    max: int


class FlagOut(Out):
    code: str
    message: str
    day: date | None


class DayOut(Out):
    day: date
    attended_minutes: int
    scheduled_minutes: int
    services: int
    counts: bool
    short: bool
    tier: str


class RuleOut(Out):
    name: str
    kind: str
    source: str
    min_weekly_minutes: int | None
    min_daily_minutes: int | None
    min_days: int
    day_counts_from_minutes: int


class WeeklyHoursOut(Out):
    patient_id: int
    week: str
    attended_minutes: int
    scheduled_minutes: int
    projected_minutes: int
    window: WindowOut
    min_days: int
    counted_days: int
    prorated: bool
    on_hold: bool
    transitioning: bool
    rule: RuleOut
    flags: list[FlagOut]
    notes: list[FlagOut]
    days: list[DayOut]


class AttendanceOut(Out):
    id: int
    patient_id: int
    patient: str
    occurrence_id: int | None
    appointment_id: int | None
    status: str
    source: str
    check_in_at: datetime | None
    check_out_at: datetime | None
    minutes_attended: int
    session_starts_at: datetime
    session_ends_at: datetime


class AttendanceIn(Schema):
    status: str = Field(min_length=1, max_length=24)
    check_in_at: datetime | None = None
    check_out_at: datetime | None = None
    reason: str = Field("", max_length=2000)


class WalkInIn(Schema):
    patient_id: int
    status: str = "present"
    check_in_at: datetime | None = None


class GroupSharedOut(Out):
    group_note_id: int
    topic: str
    curriculum_module: str | None
    interventions: str
    facilitators: list[str]
    started_at: datetime
    ended_at: datetime
    participant_count: int
    modality: str
    signed_at: datetime | None


class AddendumOut(Out):
    id: int
    author: str
    text: str
    written_at: datetime


class NoteOut(Out):
    id: int
    patient_id: int
    kind: str
    note_format: str
    sections: dict[str, str]
    risk_check: str
    risk_notes: str
    medication_changes: str
    goal_ids: list[int]
    objective_ids: list[int]
    started_at: datetime | None
    ended_at: datetime | None
    modality: str
    author: str
    signed_at: datetime | None
    cosign_required: bool
    cosigned_by: str | None
    group: GroupSharedOut | None
    addenda: list[AddendumOut]


class NoteIn(Schema):
    kind: str
    note_format: str = "birp"
    started_at: datetime
    ended_at: datetime
    modality: str = "in_person"
    appointment_id: int | None = None


class NoteUpdateIn(Schema):
    note_format: str | None = None
    behavior: str | None = None
    goal: str | None = None
    intervention: str | None = None
    response: str | None = None
    data: str | None = None
    subjective: str | None = None
    objective: str | None = None
    assessment: str | None = None
    plan: str | None = None
    risk_check: str | None = None
    risk_notes: str | None = None
    medication_changes: str | None = None
    goal_ids: list[int] | None = None
    objective_ids: list[int] | None = None


class AddendumIn(Schema):
    text: str = Field(min_length=1, max_length=10000)


def _attendance(row: Attendance) -> dict:
    return {
        "id": row.pk,
        "patient_id": row.patient_id,
        "patient": row.patient.display_name,
        "occurrence_id": row.occurrence_id,
        "appointment_id": row.appointment_id,
        "status": row.status,
        "source": row.source,
        "check_in_at": row.check_in_at,
        "check_out_at": row.check_out_at,
        "minutes_attended": row.minutes_attended,
        "session_starts_at": row.session_starts_at,
        "session_ends_at": row.session_ends_at,
    }


def note_out(note: ClinicalNote, participant_count: int | None = None) -> dict:
    """A patient's note: the shared group section and this patient's own section only."""
    group = None
    if note.group_note_id:
        g = note.group_note
        group = {
            "group_note_id": g.pk,
            "topic": g.topic,
            "curriculum_module": g.curriculum_module.title if g.curriculum_module else None,
            "interventions": g.interventions,
            "facilitators": g.facilitator_names
            if g.is_signed
            else [str(u) for u in g.facilitators.all()],
            "started_at": g.started_at,
            "ended_at": g.ended_at,
            "participant_count": participant_count
            if participant_count is not None
            else group_notes.participant_count(g),
            "modality": g.modality,
            "signed_at": g.signed_at,
        }
    cosignature = getattr(note, "cosignature", None) if note.cosign_required else None
    addenda = list(note.addenda.all()) + (
        list(note.group_note.addenda.all()) if note.group_note_id else []
    )
    return {
        "id": note.pk,
        "patient_id": note.patient_id,
        "kind": note.kind,
        "note_format": note.note_format,
        "sections": {f: getattr(note, f) for f in sections_of(note.note_format)},
        "risk_check": note.risk_check,
        "risk_notes": note.risk_notes,
        "medication_changes": note.medication_changes,
        "goal_ids": [g.pk for g in note.goals.all()],
        "objective_ids": [o.pk for o in note.objectives.all()],
        "started_at": note.started_at
        or (note.group_note.started_at if note.group_note_id else None),
        "ended_at": note.ended_at or (note.group_note.ended_at if note.group_note_id else None),
        "modality": note.modality,
        "author": str(note.author),
        "signed_at": note.signed_at,
        "cosign_required": note.cosign_required,
        "cosigned_by": cosignature.cosigner_name if cosignature else None,
        "group": group,
        "addenda": [
            {"id": a.pk, "author": str(a.author), "text": a.text, "written_at": a.written_at}
            for a in addenda
        ],
    }


@router.get("/patients/{patient_id}/weekly-hours", response=responses({200: WeeklyHoursOut}))
def weekly_hours(request, patient_id: int, week: str | None = None):
    """Attended and still-scheduled minutes, the projection, the window and the flags."""
    hours = hours_selectors.patient_hours_week(
        user=request.user, patient_id=patient_id, week=week, now=timezone.now()
    )
    if hours.episode is None:
        raise HttpError(404, "The patient has no admitted episode.")
    result, source = hours.weekly, hours.rule_source
    rule = result.rule
    return Status(
        200,
        {
            "patient_id": hours.patient.pk,
            "week": hours.week,
            "attended_minutes": result.attended_minutes,
            "scheduled_minutes": result.scheduled_minutes,
            "projected_minutes": result.projected_minutes,
            "window": {"min": result.window_min, "max": result.window_max},
            "min_days": result.min_days,
            "counted_days": result.counted_days,
            "prorated": result.requirement.prorated,
            "on_hold": result.on_hold,
            "transitioning": result.transitioning,
            "rule": {
                "name": rule.name,
                "kind": rule.kind.value,
                "source": source.source,
                "min_weekly_minutes": rule.min_weekly_minutes,
                "min_daily_minutes": rule.min_daily_minutes,
                "min_days": rule.min_days,
                "day_counts_from_minutes": rule.day_counts_from_minutes,
            },
            "flags": [{"code": f.code, "message": f.message, "day": f.day} for f in result.flags],
            "notes": [{"code": f.code, "message": f.message, "day": f.day} for f in result.notes],
            "days": [
                {
                    "day": d.day,
                    "attended_minutes": d.attended_minutes,
                    "scheduled_minutes": d.scheduled_minutes,
                    "services": d.services,
                    "counts": d.counts,
                    "short": d.short,
                    "tier": d.tier,
                }
                for d in result.days
            ],
        },
    )


@router.get(
    "/care/occurrences/{occurrence_id}/attendance",
    response=responses({200: list[AttendanceOut]}),
)
def attendance_list(
    request,
    occurrence_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The roster (created from the enrolments on first read), by last and first name, a
    page at a time: `limit` (50 unless asked, at most 500) after `offset`."""
    _, rows = attendance_services.attendance_roster_open(
        actor=request.user, occurrence_id=occurrence_id, limit=limit, offset=offset
    )
    return Status(200, [_attendance(r) for r in rows])


@router.post("/care/attendance/{attendance_id}", response=responses({200: AttendanceOut}))
def attendance_mark(request, attendance_id: int, payload: AttendanceIn):
    row = attendance_services.attendance_mark(
        actor=request.user,
        attendance_id=attendance_id,
        status=payload.status,
        check_in_at=payload.check_in_at,
        check_out_at=payload.check_out_at,
        reason=payload.reason,
    )
    return Status(200, _attendance(row))


@router.post("/care/occurrences/{occurrence_id}/walk-ins", response=responses({201: AttendanceOut}))
def attendance_walk_in(request, occurrence_id: int, payload: WalkInIn):
    row = attendance_services.attendance_walk_in_add(
        actor=request.user,
        occurrence_id=occurrence_id,
        patient_id=payload.patient_id,
        status=payload.status,
        check_in_at=payload.check_in_at,
    )
    return Status(201, _attendance(row))


@router.get("/patients/{patient_id}/notes", response=responses({200: list[NoteOut]}))
def notes_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The patient's progress and group notes (never psychotherapy notes), newest first, a
    page at a time: `limit` (50 unless asked, at most 500) after `offset`."""
    notes = note_selectors.patient_notes_window(
        user=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return Status(200, [note_out(n.note, n.participant_count) for n in notes])


@router.post("/patients/{patient_id}/notes", response=responses({201: NoteOut}))
def note_create(request, patient_id: int, payload: NoteIn):
    note = note_services.note_create(
        actor=request.user,
        patient_id=patient_id,
        kind=payload.kind,
        note_format=payload.note_format,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        modality=payload.modality,
        appointment_id=payload.appointment_id,
    )
    return Status(201, note_out(note))


@router.get("/care/notes/{note_id}", response=responses({200: NoteOut}))
def note_detail(request, note_id: int):
    """A note as it stands in the patient's chart."""
    note = note_selectors.note_view(user=request.user, note_id=note_id, need=NoteNeed.CHART)
    return Status(200, note_out(note))


@router.patch("/care/notes/{note_id}", response=responses({200: NoteOut}))
def note_update(request, note_id: int, payload: NoteUpdateIn):
    note = note_services.note_update(
        actor=request.user, note_id=note_id, data=payload.dict(exclude_unset=True)
    )
    return Status(200, note_out(note))


@router.post("/care/notes/{note_id}/sign", response=responses({200: NoteOut}))
def note_sign(request, note_id: int):
    note = note_services.note_sign(actor=request.user, note_id=note_id)
    return Status(200, note_out(note))


@router.post("/care/notes/{note_id}/cosign", response=responses({200: NoteOut}))
def note_cosign(request, note_id: int):
    cosignature = note_services.note_cosign(actor=request.user, note_id=note_id)
    return Status(200, note_out(cosignature.note))


@router.post("/care/notes/{note_id}/addenda", response=responses({201: AddendumOut}))
def note_addendum(request, note_id: int, payload: AddendumIn):
    addendum = addenda.note_addendum_add(actor=request.user, note_id=note_id, text=payload.text)
    return Status(
        201,
        {
            "id": addendum.pk,
            "author": str(addendum.author),
            "text": addendum.text,
            "written_at": addendum.written_at,
        },
    )
