"""The program calendar over JSON: the same selectors, services and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from stepwell.accounts.models import UserKind
from stepwell.clinic.models import Program
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request, client_address_of

from . import access, selectors, services
from .calendar import iso_week_bounds
from .models import SessionOccurrence

router = Router(tags=["schedule"])
NOT_AVAILABLE = "Not found, or you do not have access to this record."


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class PersonOut(Schema):
    id: int
    name: str


class ItemOut(Schema):
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    local_day: date
    time: str
    room: str
    program: str
    staff: list[PersonOut]
    patients: list[PersonOut]
    occurrence_id: int | None
    appointment_id: int | None
    enrolled: int
    capacity: int
    module: str


class WeekOut(Schema):
    week: str
    items: list[ItemOut]


class EnrollmentIn(Schema):
    occurrence_id: int
    patient_id: int


class AppointmentIn(Schema):
    patient_id: int
    staff_id: int
    program_id: int
    kind: str
    starts_at: datetime
    minutes: int = Field(60, ge=15, le=240)


class BookedOut(Schema):
    id: int
    kind: str
    patient_id: int
    starts_at: datetime
    ends_at: datetime


def _item(item: selectors.WeekItem) -> dict:
    return {
        "kind": item.kind,
        "title": item.title,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "local_day": item.local_day,
        "time": item.time_label,
        "room": item.room,
        "program": item.program,
        "staff": [{"id": p.id, "name": p.name} for p in item.staff],
        "patients": [{"id": p.id, "name": p.name} for p in item.patients],
        "occurrence_id": item.occurrence_id,
        "appointment_id": item.appointment_id,
        "enrolled": item.enrolled,
        "capacity": item.capacity,
        "module": item.module,
    }


def _week(week: str) -> str:
    iso_week_bounds(week)  # ApplicationError names the field: a 400
    return week.upper()


def _denied(request, *, object_type: str, object_id, patient_id=None, action=AuditAction.VIEW):
    audit_request(
        request,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        detail={"via": "api"},
    )
    return Status(403, {"detail": NOT_AVAILABLE})


@router.get("/schedule/programs/{program_id}/week/{week}", response={200: WeekOut, 403: ErrorOut})
def program_week(request, program_id: int, week: str):
    """The week's group sessions and appointments; attendees only those you may see."""
    user = request.user
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not access.access_program_schedule_read(user, program):
        return _denied(request, object_type="program_week", object_id=f"{program_id}/{week}")
    week = _week(week)
    data = selectors.program_week(user=user, program=program, week=week)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="program_week",
        object_id=f"{program.pk}/{week}",
        detail={"patients": data.patient_ids, "via": "api"},
    )
    return Status(200, {"week": week, "items": [_item(i) for i in data.items]})


@router.get("/patients/{patient_id}/schedule", response={200: WeekOut, 403: ErrorOut})
def patient_schedule(request, patient_id: int, week: str | None = None):
    """A patient's bookings of one ISO week (default: this week)."""
    user = request.user
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_patient_schedule_read(user, patient):
        return _denied(
            request,
            object_type="patient_schedule",
            object_id=patient_id,
            patient_id=patient.pk if patient else None,
        )
    zone = selectors.patient_zone(patient)
    week = _week(week) if week else selectors.week_default(None, _today(zone))
    items = selectors.patient_week(patient=patient, week=week, zone=zone)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="patient_schedule",
        object_id=week,
        detail={"via": "api"},
    )
    return Status(200, {"week": week, "items": [_item(i) for i in items]})


def _today(zone: str) -> date:
    from django.utils import timezone

    from .calendar import utc_to_local

    return utc_to_local(zone, timezone.now()).date()


def _patient_id_if_exists(patient_id: int) -> int | None:
    return patient_id if Patient.objects.filter(pk=patient_id).exists() else None


@router.post("/schedule/enrollments", response={201: BookedOut, 400: ErrorOut, 403: ErrorOut})
def enrollment_book(request, payload: EnrollmentIn):
    """Book a patient into a group session (program directors), checked like the optimizer."""
    user = request.user
    occurrence = (
        SessionOccurrence.objects.select_related("program").filter(pk=payload.occurrence_id).first()
    )
    if (
        occurrence is None
        or user.kind != UserKind.STAFF
        or not access.access_program_schedule_manage(user, occurrence.program)
    ):
        return _denied(
            request,
            object_type="enrollment",
            object_id="new",
            patient_id=_patient_id_if_exists(payload.patient_id),
            action=AuditAction.CREATE,
        )
    try:
        enrollment = services.enrollment_book(
            actor=user,
            occurrence_id=occurrence.pk,
            patient_id=payload.patient_id,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return _denied(
            request,
            object_type="enrollment",
            object_id="new",
            patient_id=_patient_id_if_exists(payload.patient_id),
            action=AuditAction.CREATE,
        )
    return Status(
        201,
        {
            "id": enrollment.pk,
            "kind": occurrence.kind,
            "patient_id": enrollment.patient_id,
            "starts_at": occurrence.starts_at,
            "ends_at": occurrence.ends_at,
        },
    )


@router.post("/schedule/appointments", response={201: BookedOut, 400: ErrorOut, 403: ErrorOut})
def appointment_book(request, payload: AppointmentIn):
    """Book an individual or medication appointment (program directors)."""
    user = request.user
    program = Program.objects.filter(pk=payload.program_id).first()
    if program is None or not access.access_program_schedule_manage(user, program):
        return _denied(
            request,
            object_type="appointment",
            object_id="new",
            patient_id=_patient_id_if_exists(payload.patient_id),
            action=AuditAction.CREATE,
        )
    if payload.starts_at.tzinfo is None:
        raise ApplicationError(
            "Give starts_at with its UTC offset, e.g. 2026-12-07T15:00:00Z.",
            field_errors={"starts_at": "Needs a UTC offset."},
        )
    try:
        appointment = services.appointment_book(
            actor=user,
            patient_id=payload.patient_id,
            staff_id=payload.staff_id,
            program=program,
            kind=payload.kind,
            starts_at=payload.starts_at,
            minutes=payload.minutes,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return _denied(
            request,
            object_type="appointment",
            object_id="new",
            patient_id=_patient_id_if_exists(payload.patient_id),
            action=AuditAction.CREATE,
        )
    return Status(
        201,
        {
            "id": appointment.pk,
            "kind": appointment.kind,
            "patient_id": appointment.patient_id,
            "starts_at": appointment.starts_at,
            "ends_at": appointment.ends_at,
        },
    )
