"""A program week as the planning sees it: its bounds, the moment before which nothing is
planned, week minutes by the wall clock, and the bookings a plan may replace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.schedule.calendar.weeks import (
    iso_week_bounds,
    local_to_utc,
    utc_to_local,
    week_utc_range,
)
from stepwell.schedule.models import (
    Appointment,
    BookingSource,
    Enrollment,
    Holiday,
    OccurrenceStatus,
)
from stepwell.schedule.optimizer.instance import (
    DAYS,
    MINUTES_PER_DAY,
)
from stepwell.schedule.planning.spans import Span, closed_days

WEEK_MINUTES = 7 * MINUTES_PER_DAY


def week_minute_of(zone: str, monday: date, moment: datetime) -> int:
    """Minutes since the local Monday 00:00 by the wall clock (so DST weeks read right)."""
    local = utc_to_local(zone, moment)
    return (local.date() - monday).days * MINUTES_PER_DAY + local.hour * 60 + local.minute


@dataclass(frozen=True)
class PlanningWeek:
    """A program week as the planning sees it: bounds, and the moment before which
    nothing is planned (now, inside the current week)."""

    program: Program
    week: str
    monday: date
    starts_at: datetime
    ends_at: datetime
    cutoff: datetime

    @classmethod
    def of(cls, program: Program, week: str, now: datetime | None = None) -> PlanningWeek:
        monday, _ = iso_week_bounds(week)
        starts_at, ends_at = week_utc_range(program.timezone, week)
        moment = now or timezone.now()
        cutoff = min(max(starts_at, moment), ends_at)
        return cls(program, week.upper(), monday, starts_at, ends_at, cutoff)

    @property
    def cutoff_minute(self) -> int:
        if self.cutoff <= self.starts_at:
            return 0
        if self.cutoff >= self.ends_at:
            return WEEK_MINUTES
        return week_minute_of(self.program.timezone, self.monday, self.cutoff)

    def minute(self, moment: datetime) -> int:
        return week_minute_of(self.program.timezone, self.monday, moment)

    def span(self, starts_at: datetime, ends_at: datetime) -> Span:
        return self.minute(starts_at), self.minute(ends_at)

    def moment(self, day: str, clock: str) -> datetime:
        hours, minutes = (int(part) for part in clock.split(":"))
        local_day = self.monday + timedelta(days=DAYS.index(day))
        return local_to_utc(self.program.timezone, local_day, time(hours, minutes))


def replaceable_enrollments(planning: PlanningWeek):
    """The optimizer's own future group bookings of the week: an accepted plan replaces them."""
    return Enrollment.objects.filter(
        source=BookingSource.OPTIMIZER,
        occurrence__program=planning.program,
        occurrence__starts_at__gte=planning.cutoff,
        occurrence__starts_at__lt=planning.ends_at,
    )


def replaceable_appointments(planning: PlanningWeek):
    return Appointment.objects.filter(
        source=BookingSource.OPTIMIZER,
        program=planning.program,
        starts_at__gte=planning.cutoff,
        starts_at__lt=planning.ends_at,
    )


@dataclass(frozen=True)
class WeekFrame:
    """What holds for everyone in the week: its days, holidays, and what is closed to
    planning (the past and the holidays), plus the bookings the plan may replace."""

    planning: PlanningWeek
    holidays: frozenset[date]
    closed: tuple[Span, ...]
    own_enrollments: frozenset[int]
    own_appointments: frozenset[int]

    @classmethod
    def of(cls, planning: PlanningWeek) -> WeekFrame:
        monday = planning.monday
        holidays = frozenset(
            Holiday.objects.filter(
                program=planning.program, date__gte=monday, date__lte=monday + timedelta(6)
            ).values_list("date", flat=True)
        )
        past = [(0, planning.cutoff_minute)] if planning.cutoff_minute else []
        return cls(
            planning=planning,
            holidays=holidays,
            closed=tuple(past + closed_days(set(holidays), monday)),
            own_enrollments=frozenset(
                replaceable_enrollments(planning).values_list("pk", flat=True)
            ),
            own_appointments=frozenset(
                replaceable_appointments(planning).values_list("pk", flat=True)
            ),
        )


@dataclass(frozen=True)
class FixedBookings:
    """Bookings the plan keeps: seats they take per occurrence, and per patient their spans
    and, in this program, their minutes, minutes per day and count per kind."""

    seats_taken: Mapping[int, int] = field(default_factory=lambda: defaultdict(int))
    spans: Mapping[int, list[Span]] = field(default_factory=lambda: defaultdict(list))
    minutes: Mapping[int, int] = field(default_factory=lambda: defaultdict(int))
    day_minutes: Mapping[int, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    kinds: Mapping[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def add(self, patient_id: int, planning: PlanningWeek, item, kind: str, *, counts: bool):
        self.spans[patient_id].append(planning.span(item.starts_at, item.ends_at))
        if counts:
            self.minutes[patient_id] += item.minutes
            self.kinds[patient_id][kind] += 1
            day = planning.minute(item.starts_at) // MINUTES_PER_DAY
            self.day_minutes[patient_id][day] += item.minutes


def fixed_bookings(frame: WeekFrame, patient_ids: set[int]) -> FixedBookings:
    """Enrolments and appointments of the week that the plan does not own."""
    planning = frame.planning
    program_id = planning.program.pk
    fixed = FixedBookings()
    for enrollment in (
        Enrollment.objects.filter(
            occurrence__starts_at__lt=planning.ends_at,
            occurrence__ends_at__gt=planning.starts_at,
            occurrence__status=OccurrenceStatus.SCHEDULED,
        )
        .exclude(pk__in=frame.own_enrollments)
        .select_related("occurrence")
    ):
        occurrence = enrollment.occurrence
        if occurrence.program_id == program_id:
            fixed.seats_taken[occurrence.pk] += 1
        if enrollment.patient_id in patient_ids:
            counts = occurrence.program_id == program_id
            fixed.add(enrollment.patient_id, planning, occurrence, occurrence.kind, counts=counts)
    for appointment in Appointment.objects.filter(
        patient_id__in=patient_ids,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__lt=planning.ends_at,
        ends_at__gt=planning.starts_at,
    ).exclude(pk__in=frame.own_appointments):
        counts = appointment.program_id == program_id
        fixed.add(appointment.patient_id, planning, appointment, appointment.kind, counts=counts)
    return fixed
