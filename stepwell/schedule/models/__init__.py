"""The schedule app's records, one module per room: calendar.py (rooms, curriculum, group
series, holidays, occurrences, staff time), booking.py (enrolments, appointments, slot
claims, feeds) and planning.py (optimizer runs). Django finds the models here; the app
label and table names are those of the single models.py they came from."""

from stepwell.schedule.models.booking import (
    CLAIM_MINUTES,
    Appointment,
    AppointmentKind,
    BookingClaim,
    BookingSource,
    CalendarFeed,
    Enrollment,
    ResourceType,
)
from stepwell.schedule.models.calendar import (
    CurriculumModule,
    GroupSeries,
    Holiday,
    OccurrenceStatus,
    Room,
    SessionKind,
    SessionOccurrence,
    StaffAvailability,
    StaffLeave,
    StaffSchedulingProfile,
    Weekday,
)
from stepwell.schedule.models.planning import (
    PlanRunMode,
    PlanRunStatus,
    SchedulePlanRun,
)

__all__ = [
    "CLAIM_MINUTES",
    "Appointment",
    "AppointmentKind",
    "BookingClaim",
    "BookingSource",
    "CalendarFeed",
    "CurriculumModule",
    "Enrollment",
    "GroupSeries",
    "Holiday",
    "OccurrenceStatus",
    "PlanRunMode",
    "PlanRunStatus",
    "ResourceType",
    "Room",
    "SchedulePlanRun",
    "SessionKind",
    "SessionOccurrence",
    "StaffAvailability",
    "StaffLeave",
    "StaffSchedulingProfile",
    "Weekday",
]
