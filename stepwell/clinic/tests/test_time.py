"""The program's today: one function, the date where the program is."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from stepwell.clinic.time import program_today, zone_today

LATE_EVENING_IN_CHICAGO = datetime(2026, 3, 1, 5, 30, tzinfo=UTC)  # 23:30 on Feb 28 there


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/Chicago", date(2026, 2, 28)),
        ("America/Los_Angeles", date(2026, 2, 28)),
        ("UTC", date(2026, 3, 1)),
        ("Asia/Tokyo", date(2026, 3, 1)),
        ("Pacific/Kiritimati", date(2026, 3, 1)),
    ],
)
def test_the_date_is_the_programs_local_date(zone, expected):
    program = SimpleNamespace(timezone=zone)
    assert program_today(program, LATE_EVENING_IN_CHICAGO) == expected
    assert zone_today(zone, LATE_EVENING_IN_CHICAGO) == expected


def test_without_a_moment_it_is_now_there():
    program = SimpleNamespace(timezone="Asia/Tokyo")
    expected = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
    assert program_today(program) == expected
    assert zone_today("Asia/Tokyo") == expected


def test_the_current_time_zone_of_a_request_does_not_matter():
    program = SimpleNamespace(timezone="America/Chicago")
    with timezone.override("Asia/Tokyo"):
        assert program_today(program, LATE_EVENING_IN_CHICAGO) == date(2026, 2, 28)
