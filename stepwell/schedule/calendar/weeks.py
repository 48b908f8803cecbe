"""Time on the program calendar: ISO weeks, local wall-clock times to UTC, recurrence.

Times are stored in UTC and shown in the program's zone (DESIGN.md). A local time that
does not exist on a spring-forward day resolves like the wall clock would (zoneinfo's
fold=0); weekly minutes are always computed from the stored UTC instants.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr

from stepwell.core.errors import ApplicationError

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# A week outside these years is a typo, and its neighbours could leave Python's dates.
FIRST_WEEK_YEAR = 1900
LAST_WEEK_YEAR = 2999
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def iso_week_bounds(week: str) -> tuple[date, date]:
    """'2026-W50' -> (Monday, Sunday). A clear error names the field otherwise.

    Only ASCII digits count (int() would also read '٢٠٢٦'), the year lies between
    FIRST_WEEK_YEAR and LAST_WEEK_YEAR and the week exists in that year.
    """
    match = _WEEK.fullmatch(week.upper()) if isinstance(week, str) else None
    if match is None:
        raise ApplicationError(
            f"{week!r} is not an ISO week like 2026-W50.",
            field_errors={"week": "Use the form 2026-W50."},
        )
    year, number = int(match[1]), int(match[2])
    if not FIRST_WEEK_YEAR <= year <= LAST_WEEK_YEAR:
        raise ApplicationError(
            f"{week} is outside the calendar.",
            field_errors={"week": f"Choose a year between {FIRST_WEEK_YEAR} and {LAST_WEEK_YEAR}."},
        )
    weeks_in_year = date(year, 12, 28).isocalendar()[1]
    if not 1 <= number <= weeks_in_year:
        raise ApplicationError(
            f"{year} has no week {number}.",
            field_errors={"week": f"{year} has weeks 01 to {weeks_in_year}."},
        )
    monday = date.fromisocalendar(year, number, 1)
    return monday, monday + timedelta(days=6)


def iso_week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_to_utc(zone_name: str, day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=zoneinfo.ZoneInfo(zone_name)).astimezone(UTC)


def utc_to_local(zone_name: str, moment: datetime) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name))


def week_utc_range(zone_name: str, week: str) -> tuple[datetime, datetime]:
    monday, sunday = iso_week_bounds(week)
    return local_to_utc(zone_name, monday, time.min), local_to_utc(
        zone_name, sunday + timedelta(days=1), time.min
    )


def validate_recurrence(rule: str) -> None:
    text = (rule or "").strip()
    if not text or text.upper().startswith(("DTSTART", "RRULE:")):
        raise ApplicationError(
            "Give an RRULE like FREQ=WEEKLY;BYDAY=MO,WE.",
            field_errors={"recurrence": "Use FREQ=WEEKLY;BYDAY=MO,WE."},
        )
    try:
        rrulestr(f"RRULE:{text}", dtstart=datetime(2026, 1, 5, 9, 0))  # noqa: DTZ001 - naive local dtstart by design
    except (ValueError, TypeError) as error:
        raise ApplicationError(
            f"Not a valid recurrence rule: {error}", field_errors={"recurrence": str(error)}
        ) from error


def recurrence_dates(
    rule: str, starts_on: date, ends_on: date | None, first: date, last: date
) -> list[date]:
    """Dates the rule meets within [first, last], never before starts_on or after ends_on."""
    start = datetime.combine(starts_on, time.min)
    rule_set = rrulestr(f"RRULE:{rule}", dtstart=start)
    lower = max(first, starts_on)
    upper = min(last, ends_on) if ends_on else last
    if lower > upper:
        return []
    hits = rule_set.between(
        datetime.combine(lower, time.min), datetime.combine(upper, time.max), inc=True
    )
    return [hit.date() for hit in hits]
