"""The dates of an alumni event (pure engine, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.alumni.calendar import MAX_SPAN_DAYS, meeting_dates


def test_a_one_off_meets_once():
    assert meeting_dates(date(2026, 12, 5), "once", None) == [date(2026, 12, 5)]


def test_weekly_up_to_and_including_the_last_date():
    assert meeting_dates(date(2026, 11, 23), "weekly", date(2026, 12, 14)) == [
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 14),
    ]


def test_fortnightly_skips_a_week():
    assert meeting_dates(date(2026, 11, 23), "fortnightly", date(2026, 12, 20)) == [
        date(2026, 11, 23),
        date(2026, 12, 7),
    ]


def test_monthly_on_the_31st_meets_on_the_last_day_of_short_months():
    assert meeting_dates(date(2027, 1, 31), "monthly", date(2027, 4, 30)) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


@pytest.mark.parametrize(
    "until", [None, date(2026, 11, 22), date(2026, 11, 23) + timedelta(days=MAX_SPAN_DAYS + 1)]
)
def test_a_recurring_event_needs_an_end_within_a_year(until):
    with pytest.raises(ValueError, match=r"end date|a year"):
        meeting_dates(date(2026, 11, 23), "weekly", until)


@given(
    first=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    span=st.integers(0, MAX_SPAN_DAYS),
    recurrence=st.sampled_from(["weekly", "fortnightly"]),
)
def test_weekly_dates_keep_the_weekday_and_stay_in_range(first, span, recurrence):
    until = first + timedelta(days=span)
    dates = meeting_dates(first, recurrence, until)
    step = 7 if recurrence == "weekly" else 14
    assert dates[0] == first
    assert all(d.weekday() == first.weekday() for d in dates)
    assert all(b - a == timedelta(days=step) for a, b in pairwise(dates))
    assert dates[-1] <= until < dates[-1] + timedelta(days=step)
    assert len(dates) == span // step + 1
