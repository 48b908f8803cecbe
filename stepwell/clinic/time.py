"""The program's today: dates of care are the program's local dates.

Times are stored in UTC; a day of care (a referral received, an admission, a plan's
review date, a questionnaire due) is the date where the program is. This is the one
place that turns a moment into that date.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.utils import timezone


def zone_today(zone_name: str, now: datetime | None = None) -> date:
    """The date in the time zone `zone_name` (an IANA name) at `now` (default: now)."""
    moment = timezone.now() if now is None else now
    return timezone.localtime(moment, zoneinfo.ZoneInfo(zone_name)).date()


def program_today(program, now: datetime | None = None) -> date:
    """The program's date at `now` (default: now), in the program's time zone."""
    return zone_today(program.timezone, now)
