"""What the care pages share: refusals, local times in forms, field errors."""

from __future__ import annotations

from datetime import datetime

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
    return local_to_utc(zone, naive.date(), naive.time())


def error_context(error: ApplicationError | None) -> dict:
    if error is None:
        return {"error": None, "field_errors": {}}
    return {"error": error.message, "field_errors": error.field_errors}
