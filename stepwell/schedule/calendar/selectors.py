"""Reads of the program calendar for the pages and the API, each starting from the user.

Each selector fetches what it shows through privacy.access.schedule, which refuses
(audited) a user who may not see it, then checks the week in the address (an
ApplicationError naming `week`, answered 400). A read that shows patients is written to
the audit trail naming every patient it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.patients.models import Patient
from stepwell.privacy.access.schedule import (
    access_occurrence_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar.weeks import (
    iso_week_bounds,
    iso_week_of,
    utc_to_local,
)
from stepwell.schedule.models import (
    SessionOccurrence,
)


def week_default(program: Program | None = None, today: date | None = None) -> str:
    """The ISO week of `today`, by default the program's today (UTC's without a program)."""
    if today is None:
        today = program_today(program) if program else timezone.now().date()
    return iso_week_of(today)


def week_neighbours(week: str) -> tuple[str, str]:
    monday, _ = iso_week_bounds(week)
    return iso_week_of(monday - timedelta(days=7)), iso_week_of(monday + timedelta(days=7))


def week_checked(week: str) -> str:
    """The week of an address, upper-cased; an ApplicationError naming `week` if it is none."""
    iso_week_bounds(week)
    return week.upper()


@dataclass
class OccurrenceCancelPage:
    occurrence: SessionOccurrence
    patients: list[Patient]
    local_start: datetime
    week: str


def occurrence_cancel_read(*, user, occurrence_id: int) -> OccurrenceCancelPage:
    """The session and who is booked into it, for the director of its program; audited
    naming every patient listed."""
    occurrence = access_occurrence_by_id(user, occurrence_id, action=AuditAction.UPDATE)
    patients = [e.patient for e in occurrence.enrollments.select_related("patient")]
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="occurrence",
        object_id=occurrence.pk,
        detail={"patients": [patient.pk for patient in patients]},
    )
    local_start = utc_to_local(occurrence.program.timezone, occurrence.starts_at)
    return OccurrenceCancelPage(
        occurrence=occurrence,
        patients=patients,
        local_start=local_start,
        week=iso_week_of(local_start.date()),
    )
