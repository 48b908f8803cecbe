"""The templates' `date` filter (stepwell.core.templatetags.dates) writes what Django's
writes, for every value and format, quicker for the formats it writes itself."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.core.templatetags import dates

WRITTEN_HERE = [*dates.DAY_FORMATS, *dates.TIME_FORMATS, *dates.ZONED_FORMATS]
# Formats the pages use that go to Django's filter, and the default (no format).
LEFT_TO_DJANGO = ["D Y-m-d", "D Y-m-d H:i", "l j F Y, H:i", "j M Y", "M j H:i", "D", None]
ZONES = [
    "America/Chicago",  # the demo clinic's: an hour back in November, forward in March
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # half an hour of daylight saving
    "Asia/Kathmandu",  # a quarter-hour offset
    "UTC",
]

zones = st.one_of(
    st.sampled_from([zoneinfo.ZoneInfo(key) for key in ZONES]),
    st.just(dt.UTC),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
    ),
)
aware_times = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=zones
)
formats = st.sampled_from(WRITTEN_HERE + LEFT_TO_DJANGO)


@settings(max_examples=400)
@given(value=aware_times, format=formats)
def test_an_aware_time_is_written_as_django_writes_it(value, format):
    assert dates.date(value, format) == django_date(value, format)


@settings(max_examples=200)
@given(value=st.datetimes(min_value=dt.datetime(1, 1, 1)), format=formats)
def test_a_time_without_its_zone_is_written_as_django_writes_it(value, format):
    assert dates.date(value, format) == django_date(value, format)


@settings(max_examples=200)
@given(value=st.dates(), format=st.sampled_from([*dates.DAY_FORMATS, "D Y-m-d", "j M Y"]))
def test_a_day_is_written_as_django_writes_it(value, format):
    assert dates.date(value, format) == django_date(value, format)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        # the hour Chicago's clocks go back (1 November 2026, 06:00-07:00 UTC shown twice
        # as 01:00-02:00): no zone name, as Django writes it
        (dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC), "2026-11-01 01:30:00 "),
        (dt.datetime(2026, 11, 1, 7, 30, tzinfo=dt.UTC), "2026-11-01 01:30:00 "),
        (dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC), "2026-11-01 02:30:00 CST"),
        (dt.datetime(2026, 7, 4, 17, 5, 9, tzinfo=dt.UTC), "2026-07-04 12:05:09 CDT"),
        (dt.datetime(999, 3, 4, 17, 5, 9, tzinfo=dt.UTC), "0999-03-04 11:14:33 LMT"),
    ],
)
def test_the_audit_trails_format_in_the_clinics_zone(value, written):
    shown = timezone.localtime(value, zoneinfo.ZoneInfo("America/Chicago"))
    assert dates.date(shown, "Y-m-d H:i:s T") == written == django_date(shown, "Y-m-d H:i:s T")


@pytest.mark.parametrize("value", [None, "", "not a date", 17])
def test_what_is_not_a_date_is_left_to_django(value):
    for format in WRITTEN_HERE:
        assert dates.date(value, format) == django_date(value, format)


def test_a_day_has_no_time_of_day():
    with pytest.raises(TypeError, match="time-related"):
        dates.date(dt.date(2026, 12, 5), "Y-m-d H:i")


def test_every_template_gets_this_filter_in_the_pages_time_zone():
    template = Template('{{ value|date:"Y-m-d H:i" }}|{{ value|date:"D Y-m-d H:i" }}')
    assert template.nodelist[0].filter_expression.filters[0][0] is dates.date
    value = dt.datetime(2026, 12, 5, 3, 4, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        assert template.render(Context({"value": value})) == (
            "2026-12-04 21:04|Fri 2026-12-04 21:04"
        )
