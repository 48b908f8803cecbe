"""What a program week could hold: the weekdays the program regularly meets and the days
it is closed (holidays). The weekly-hours rule prorates by them (care/hours/rules.py), the
optimizer export asks for what the open days allow, and bookings refuse closed days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from stepwell.clinic.models import Program
from stepwell.core.errors import ApplicationError
from stepwell.core.kept import KeptRecords, KeptRows, Many
from stepwell.schedule.calendar.weeks import recurrence_dates, utc_to_local
from stepwell.schedule.models import GroupSeries, Holiday

WEEKDAYS_MON_TO_FRI = frozenset(range(5))
NOT_PROGRAMMING = ("alumni_group",)  # alumni meet after discharge: not the patients' week

# Read on every caseload and compliance page for its programs: kept compiled, the
# programs as one list parameter (stepwell/core/kept.py).
_PROGRAMS = Many(Program._meta.pk)
_HOLIDAYS = KeptRows(
    Holiday,
    lambda programs, first, last: Holiday.objects.filter(
        program_id__any_of=programs, date__gte=first, date__lte=last
    ).values_list("program_id", "date", "name"),
    programs=_PROGRAMS,
    first=Holiday._meta.get_field("date"),
    last=Holiday._meta.get_field("date"),
)
_PROGRAMMING = KeptRecords(
    GroupSeries,
    lambda programs: GroupSeries.objects.filter(program_id__any_of=programs, active=True).exclude(
        kind__in=NOT_PROGRAMMING
    ),
    programs=_PROGRAMS,
)


def program_closures(program: Program, first: date, last: date) -> dict[date, str]:
    """The program's holidays between two dates, by date."""
    return programs_closures([program.pk], first, last)[program.pk]


def program_closure_on(program: Program, day: date) -> str | None:
    """The holiday's name when the program is closed that day, else None."""
    return program_closures(program, day, day).get(day)


def programs_closures(program_ids, first: date, last: date) -> dict[int, dict[date, str]]:
    """program_closures of several programs, by program id, in one query."""
    found: dict[int, dict[date, str]] = {program_id: {} for program_id in program_ids}
    for program_id, day, name in _HOLIDAYS.rows(programs=list(found), first=first, last=last):
        found[program_id][day] = name
    return found


def program_open_weekdays(program: Program, monday: date) -> frozenset[int]:
    """Weekdays (0 = Monday) the program's groups regularly meet around this week, judged
    over two weeks so fortnightly groups count; Monday to Friday when it has none."""
    return programs_open_weekdays([(program.pk, monday)])[program.pk, monday]


def programs_open_weekdays(weeks) -> dict[tuple[int, date], frozenset[int]]:
    """program_open_weekdays of each (program id, Monday), reading the programs' groups in
    one query (a report over thirteen weeks, a caseload over several programs)."""
    wanted = list(dict.fromkeys(weeks))
    active: dict[int, list[GroupSeries]] = {program_id: [] for program_id, _ in wanted}
    for series in _PROGRAMMING.records(programs=list(active)):
        active[series.program_id].append(series)
    found: dict[tuple[int, date], frozenset[int]] = {}
    for program_id, monday in wanted:
        last = monday + timedelta(days=13)
        weekdays = {
            day.weekday()
            for series in active[program_id]
            for day in recurrence_dates(
                series.recurrence, series.starts_on, series.ends_on, monday, last
            )
        }
        found[program_id, monday] = frozenset(weekdays) or WEEKDAYS_MON_TO_FRI
    return found


def refuse_closed_day(program: Program, starts_at: datetime, field: str) -> None:
    """A program holiday is a closure: nothing is booked on it, by hand or by plan."""
    day = utc_to_local(program.timezone, starts_at).date()
    name = program_closure_on(program, day)
    if name is not None:
        raise ApplicationError(
            f"The program is closed on {day:%a %Y-%m-%d} ({name}).",
            field_errors={field: f"Closed: {name}."},
        )
