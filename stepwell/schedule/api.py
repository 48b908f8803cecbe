"""The program calendar over JSON: the same selectors and services as the pages, which
decide access and write the audit trail; stepwell.api answers their refusals."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from stepwell.core.api_schemas import Out, responses
from stepwell.schedule.booking import selectors as booking_selectors
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.booking.week_items import WeekItem

router = Router(tags=["schedule"])


class PersonOut(Out):
    id: int
    name: str


class ItemOut(Out):
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


class WeekOut(Out):
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


class BookedOut(Out):
    id: int
    kind: str
    patient_id: int
    starts_at: datetime
    ends_at: datetime


def _item(item: WeekItem) -> dict:
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


@router.get("/schedule/programs/{program_id}/week/{week}", response=responses({200: WeekOut}))
def program_week(request, program_id: int, week: str):
    """The week's group sessions and appointments; attendees only those you may see."""
    page = booking_selectors.program_week_read(user=request.user, program_id=program_id, week=week)
    return Status(200, {"week": page.week, "items": [_item(i) for i in page.items]})


@router.get("/patients/{patient_id}/schedule", response=responses({200: WeekOut}))
def patient_schedule(request, patient_id: int, week: str | None = None):
    """A patient's bookings of one ISO week (default: this week)."""
    user = request.user
    if week is None:
        week = booking_selectors.patient_week_default(user=user, patient_id=patient_id)
    page = booking_selectors.patient_week_read(user=user, patient_id=patient_id, week=week)
    return Status(200, {"week": page.week, "items": [_item(i) for i in page.items]})


@router.post("/schedule/enrollments", response=responses({201: BookedOut}))
def enrollment_book(request, payload: EnrollmentIn):
    """Book a patient into a group session (program directors), checked like the optimizer."""
    enrollment = booking_services.enrollment_book(
        actor=request.user, occurrence_id=payload.occurrence_id, patient_id=payload.patient_id
    )
    occurrence = enrollment.occurrence
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


@router.post("/schedule/appointments", response=responses({201: BookedOut}))
def appointment_book(request, payload: AppointmentIn):
    """Book an individual or medication appointment (program directors)."""
    appointment = booking_services.appointment_book(
        actor=request.user,
        patient_id=payload.patient_id,
        staff_id=payload.staff_id,
        program_id=payload.program_id,
        kind=payload.kind,
        starts_at=payload.starts_at,
        minutes=payload.minutes,
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
