"""The dates of an alumni event: a pure function of its first date and recurrence.

No Django: the dates are local dates of the program; the service turns them into UTC
instants in the program's time zone.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

MAX_SPAN_DAYS = 366  # a recurring group is planned at most a year ahead

STEPS = {
    "weekly": relativedelta(weeks=1),
    "fortnightly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
}


def meeting_dates(first: date, recurrence: str, until: date | None) -> list[date]:
    """Every date of the event: the first alone for a one-off; otherwise the first and
    each step after it up to `until` (inclusive). A monthly event on the 31st meets on
    the last day of shorter months."""
    if recurrence == "once":
        return [first]
    step = STEPS[recurrence]
    if until is None or until < first:
        raise ValueError("A recurring event needs an end date on or after its first date.")
    if until > first + timedelta(days=MAX_SPAN_DAYS):
        raise ValueError("A recurring event is planned at most a year ahead.")
    dates, n = [], 0
    while True:
        day = first + step * n
        if day > until:
            return dates
        dates.append(day)
        n += 1
