"""Releasing a discharged patient's future bookings: a step of the discharge use case
(patients.services.episode_transition), not a use case of its own. The caller has checked
access and runs this inside its transaction."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F

from stepwell.schedule.calendar.weeks import utc_to_local
from stepwell.schedule.models import (
    Appointment,
    BookingClaim,
    Enrollment,
    OccurrenceStatus,
    SessionOccurrence,
)


def _when(program, moment: datetime) -> str:
    return f"{utc_to_local(program.timezone, moment):%a %d %b %Y %H:%M}"


def patient_bookings_release(*, patient_id: int, program_id: int, after: datetime) -> list[str]:
    """Cancel the patient's bookings in the program that start after `after`: group
    enrolments are removed (the seat is freed, the session's count goes down) and
    appointments are marked cancelled with their staff, room and patient time freed.
    Returns one line per booking cancelled, in time order, for the confirmation page and
    the audit trail. Sessions already begun are left alone: they happened."""
    released: list[tuple[datetime, str]] = []
    enrollments = list(
        Enrollment.objects.select_for_update()
        .select_related("occurrence__program")
        .filter(
            patient_id=patient_id,
            occurrence__program_id=program_id,
            occurrence__starts_at__gt=after,
        )
    )
    for enrollment in enrollments:
        occurrence = enrollment.occurrence
        released.append(
            (
                occurrence.starts_at,
                f"Group: {occurrence.title}, {_when(occurrence.program, occurrence.starts_at)}",
            )
        )
        enrollment.delete()  # its claims go with it
        SessionOccurrence.objects.filter(pk=occurrence.pk, enrolled_count__gt=0).update(
            enrolled_count=F("enrolled_count") - 1
        )
    appointments = list(
        Appointment.objects.select_for_update()
        .select_related("program", "staff")
        .filter(
            patient_id=patient_id,
            program_id=program_id,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gt=after,
        )
    )
    for appointment in appointments:
        released.append(
            (
                appointment.starts_at,
                f"{appointment.get_kind_display()} with {appointment.staff}, "
                f"{_when(appointment.program, appointment.starts_at)}",
            )
        )
        appointment.status = OccurrenceStatus.CANCELLED
        appointment.save(update_fields=["status"])
        BookingClaim.objects.filter(appointment=appointment).delete()
    return [text for _, text in sorted(released, key=lambda item: item[0])]
