"""Attendance, notes and weekly hours over JSON. Same services and access rules as the
pages; every patient read and write is audited. Psychotherapy notes have no endpoint."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request, client_address_of

from . import access, selectors, services
from .models import Attendance, ClinicalNote
from .note_formats import sections_of

router = Router(tags=["care"])
NOT_AVAILABLE = "Not found, or you do not have access to this record."


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class WindowOut(Schema):
    min: int
    max: int


class FlagOut(Schema):
    code: str
    message: str
    day: date | None


class DayOut(Schema):
    day: date
    attended_minutes: int
    scheduled_minutes: int
    services: int
    counts: bool
    short: bool
    tier: str


class RuleOut(Schema):
    name: str
    kind: str
    source: str
    min_weekly_minutes: int | None
    min_daily_minutes: int | None
    min_days: int
    day_counts_from_minutes: int


class WeeklyHoursOut(Schema):
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


class AttendanceOut(Schema):
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


class GroupSharedOut(Schema):
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


class AddendumOut(Schema):
    id: int
    author: str
    text: str
    written_at: datetime


class NoteOut(Schema):
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


def _existing(patient_id: int | None) -> int | None:
    return patient_id if patient_id and Patient.objects.filter(pk=patient_id).exists() else None


def _deny(request, *, action, object_type, object_id, patient_id=None):
    audit_request(
        request,
        action=action,
        patient_id=_existing(patient_id),
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        detail={"via": "api"},
    )
    return Status(403, {"detail": NOT_AVAILABLE})


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


def note_out(note: ClinicalNote) -> dict:
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
            "participant_count": services.participant_count(g),
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


@router.get(
    "/patients/{patient_id}/weekly-hours",
    response={200: WeeklyHoursOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def weekly_hours(request, patient_id: int, week: str | None = None):
    """Attended and still-scheduled minutes, the projection, the window and the flags."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_hours_read(request.user, patient):
        return _deny(
            request,
            action=AuditAction.VIEW,
            object_type="weekly_hours",
            object_id=patient_id,
            patient_id=patient_id,
        )
    episode = selectors.hours_episode(patient)
    if episode is None:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=patient.pk,
            object_type="weekly_hours",
            detail={"via": "api"},
        )
        return Status(404, {"detail": "The patient has no admitted episode."})
    now = timezone.now()
    week = (week or selectors.current_week(episode.program, now)).upper()
    source = selectors.hours_rule_source(patient=patient, episode=episode, week=week)
    result = selectors.patient_weekly_hours(
        patient=patient, week=week, now=now, episode=episode, rule_source=source
    )
    rule = result.rule
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="weekly_hours",
        detail={"via": "api", "week": week},
    )
    return Status(
        200,
        {
            "patient_id": patient.pk,
            "week": week,
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
    response={200: list[AttendanceOut], 403: ErrorOut},
)
def attendance_list(request, occurrence_id: int):
    """The roster (created from the enrolments on first read)."""
    _, rows = services.attendance_roster_open(
        actor=request.user,
        occurrence_id=occurrence_id,
        client_address=client_address_of(request),
    )
    return Status(200, [_attendance(r) for r in rows])


@router.post(
    "/care/attendance/{attendance_id}", response={200: AttendanceOut, 400: ErrorOut, 403: ErrorOut}
)
def attendance_mark(request, attendance_id: int, payload: AttendanceIn):
    row = services.attendance_mark(
        actor=request.user,
        attendance_id=attendance_id,
        status=payload.status,
        check_in_at=payload.check_in_at,
        check_out_at=payload.check_out_at,
        reason=payload.reason,
        client_address=client_address_of(request),
    )
    return Status(200, _attendance(row))


@router.post(
    "/care/occurrences/{occurrence_id}/walk-ins",
    response={201: AttendanceOut, 400: ErrorOut, 403: ErrorOut},
)
def attendance_walk_in(request, occurrence_id: int, payload: WalkInIn):
    row = services.attendance_walk_in_add(
        actor=request.user,
        occurrence_id=occurrence_id,
        patient_id=payload.patient_id,
        status=payload.status,
        check_in_at=payload.check_in_at,
        client_address=client_address_of(request),
    )
    return Status(201, _attendance(row))


@router.get("/patients/{patient_id}/notes", response={200: list[NoteOut], 403: ErrorOut})
def notes_list(request, patient_id: int):
    """The patient's progress and group notes (never psychotherapy notes)."""
    patient = Patient.objects.filter(pk=patient_id).first()
    notes = selectors.notes_for_patient(user=request.user, patient=patient) if patient else None
    if notes is None:
        return _deny(
            request,
            action=AuditAction.LIST,
            object_type="clinical_note",
            object_id=f"patient:{patient_id}",
            patient_id=patient_id,
        )
    rows = list(notes[:500])
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="clinical_note",
        detail={"via": "api", "notes": [n.pk for n in rows]},
    )
    return Status(200, [note_out(n) for n in rows])


@router.post("/patients/{patient_id}/notes", response={201: NoteOut, 400: ErrorOut, 403: ErrorOut})
def note_create(request, patient_id: int, payload: NoteIn):
    note = services.note_create(
        actor=request.user,
        patient_id=patient_id,
        kind=payload.kind,
        note_format=payload.note_format,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        modality=payload.modality,
        appointment_id=payload.appointment_id,
        client_address=client_address_of(request),
    )
    return Status(201, note_out(note))


@router.get("/care/notes/{note_id}", response={200: NoteOut, 403: ErrorOut})
def note_detail(request, note_id: int):
    note = selectors.note_for_user(user=request.user, note_id=note_id)
    if note is None or note.participant_absent:
        existing = (
            ClinicalNote.objects.filter(pk=note_id).values_list("patient_id", flat=True).first()
        )
        return _deny(
            request,
            action=AuditAction.VIEW,
            object_type="clinical_note",
            object_id=note_id,
            patient_id=existing,
        )
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=note.patient_id,
        object_type="clinical_note",
        object_id=note.pk,
        detail={"via": "api"},
    )
    return Status(200, note_out(note))


@router.patch("/care/notes/{note_id}", response={200: NoteOut, 400: ErrorOut, 403: ErrorOut})
def note_update(request, note_id: int, payload: NoteUpdateIn):
    data = payload.dict(exclude_unset=True)
    note = services.note_update(
        actor=request.user,
        note_id=note_id,
        data=data,
        client_address=client_address_of(request),
    )
    return Status(200, note_out(note))


@router.post("/care/notes/{note_id}/sign", response={200: NoteOut, 400: ErrorOut, 403: ErrorOut})
def note_sign(request, note_id: int):
    note = services.note_sign(
        actor=request.user, note_id=note_id, client_address=client_address_of(request)
    )
    return Status(200, note_out(note))


@router.post("/care/notes/{note_id}/cosign", response={200: NoteOut, 400: ErrorOut, 403: ErrorOut})
def note_cosign(request, note_id: int):
    services.note_cosign(
        actor=request.user, note_id=note_id, client_address=client_address_of(request)
    )
    return Status(200, note_out(ClinicalNote.objects.get(pk=note_id)))


@router.post(
    "/care/notes/{note_id}/addenda", response={201: AddendumOut, 400: ErrorOut, 403: ErrorOut}
)
def note_addendum(request, note_id: int, payload: AddendumIn):
    addendum = services.note_addendum_add(
        actor=request.user,
        note_id=note_id,
        text=payload.text,
        client_address=client_address_of(request),
    )
    return Status(
        201,
        {
            "id": addendum.pk,
            "author": str(addendum.author),
            "text": addendum.text,
            "written_at": addendum.written_at,
        },
    )
