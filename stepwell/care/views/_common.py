"""What the care pages share: refusals, local times in forms, field errors."""

from __future__ import annotations

from datetime import datetime

from stepwell.core.converters import record_id_or_none
from stepwell.core.errors import ApplicationError
from stepwell.schedule.calendar import utc_to_local

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def local_input(zone: str, moment: datetime | None) -> str:
    return utc_to_local(zone, moment).strftime(LOCAL_INPUT) if moment else ""


def parse_local(zone: str, value: str, field: str) -> datetime | None:
    """A datetime-local input in the program's zone, as an aware UTC instant."""
    from stepwell.schedule.calendar import local_to_utc

    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = datetime.strptime(value, LOCAL_INPUT)  # noqa: DTZ007 - local wall clock, zone applied next
    except ValueError as error:
        raise ApplicationError(
            "Give a date and time like 2026-12-08T09:30.",
            field_errors={field: "Invalid date/time."},
        ) from error
    try:
        return local_to_utc(zone, naive.date(), naive.time())
    except OverflowError as error:  # 0001-01-01 or 9999-12-31 shifted out of the calendar
        raise ApplicationError(
            "Give a date and time within the calendar.",
            field_errors={field: "Invalid date/time."},
        ) from error


NOT_LISTED = "Choose one of the listed options."


def posted_id(value: str | None, field: str) -> int | None:
    """A record chosen on a form (a select's value): None when left empty.

    Anything but plain digits ('abc', '٣', '²', 40 digits) is a field error, not a crash.
    """
    value = (value or "").strip()
    if not value:
        return None
    number = record_id_or_none(value)
    if number is None:
        raise ApplicationError(NOT_LISTED, field_errors={field: NOT_LISTED})
    return number


def posted_ids(values: list[str], field: str) -> list[int]:
    """Ticked checkboxes: every value must be a record id."""
    return [number for value in values if (number := posted_id(value, field)) is not None]


def error_context(error: ApplicationError | None) -> dict:
    if error is None:
        return {"error": None, "field_errors": {}}
    return {"error": error.message, "field_errors": error.field_errors}
