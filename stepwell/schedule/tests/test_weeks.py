"""ISO weeks from addresses and forms: any text is a week or a 400 naming `week` (issue 10
§9: '9999-W52' used to overflow Python's dates on the next-week link)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.core.errors import ApplicationError
from stepwell.schedule.calendar.selectors import week_neighbours
from stepwell.schedule.calendar.weeks import (
    FIRST_WEEK_YEAR,
    LAST_WEEK_YEAR,
    iso_week_bounds,
    iso_week_of,
    week_utc_range,
)
from stepwell.testing.auth import verified_login

BAD_WEEKS = [
    "9999-W52",  # the next week is past date.max
    "0001-W01",  # the previous week is before date.min
    "0000-W01",
    "1899-W52",
    "3000-W01",
    "2026-W54",
    "2025-W53",  # 2025 has 52 weeks
    "2026-W00",
    "abc",
    "",
    "2026-50",
    "2026-W5",
    "٢٠٢٦-W01",  # Arabic-Indic digits: int() reads them, a week does not
    "２０２６-W01",  # fullwidth digits
    "2026-W0١",
    " 2026-W01",
    "2026-W01\n",
    "+2026-W01",
    "2_026-W01",
]


@pytest.mark.parametrize("week", BAD_WEEKS)
def test_a_bad_week_is_a_field_error(week):
    with pytest.raises(ApplicationError) as caught:
        iso_week_bounds(week)
    assert set(caught.value.field_errors) == {"week"}


@pytest.mark.parametrize(
    ("week", "monday"),
    [
        ("2026-W50", date(2026, 12, 7)),
        ("2026-w01", date(2025, 12, 29)),
        ("2020-W53", date(2020, 12, 28)),  # a 53-week year
        ("2026-W53", date(2026, 12, 28)),
        (f"{FIRST_WEEK_YEAR}-W01", date(1900, 1, 1)),
        (f"{LAST_WEEK_YEAR}-W52", date(2999, 12, 23)),
    ],
)
def test_good_weeks(week, monday):
    assert iso_week_bounds(week) == (monday, monday + timedelta(days=6))


@given(st.text(max_size=12))
def test_any_text_is_a_week_or_a_field_error(text):
    try:
        monday, sunday = iso_week_bounds(text)
    except ApplicationError as error:
        field_errors = error.field_errors
        assert set(field_errors) == {"week"}
        return
    # Everything a week page computes from a valid week stays inside the calendar.
    assert monday.weekday() == 0 and sunday - monday == timedelta(days=6)
    assert iso_week_of(monday) == text.upper()
    week_neighbours(text.upper())
    week_utc_range("Pacific/Kiritimati", text)
    week_utc_range("Pacific/Pago_Pago", text)


@given(st.integers(FIRST_WEEK_YEAR, LAST_WEEK_YEAR), st.integers(1, 53))
def test_every_week_of_the_calendar_and_its_neighbours(year, number):
    week = f"{year}-W{number:02d}"
    weeks_in_year = date(year, 12, 28).isocalendar()[1]
    if number > weeks_in_year:
        with pytest.raises(ApplicationError):
            iso_week_bounds(week)
        return
    monday, _ = iso_week_bounds(week)
    assert monday.isocalendar()[:2] == (year, number)
    previous_week, next_week = week_neighbours(week)
    assert previous_week == iso_week_of(monday - timedelta(days=7))
    assert next_week == iso_week_of(monday + timedelta(days=7))


@pytest.mark.parametrize("week", ["9999-W52", "0000-W01", "0001-W01", "2026-W54", "abc"])
def test_schedule_pages_answer_a_bad_week_with_400(client, clinic, week):
    verified_login(client, clinic.director_a)
    for url in [
        f"/schedule/{clinic.program_a.pk}/{week}/",
        f"/schedule/{clinic.program_a.pk}/{week}/book/",
        f"/schedule/patients/{clinic.patient_a.pk}/{week}/",
        f"/schedule/staff/{clinic.clinician_a.pk}/{week}/",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert set(response.context["field_errors"]) == {"week"}
        assert "<strong>week</strong>" in response.content.decode()
    response = client.post(f"/schedule/{clinic.program_a.pk}/{week}/optimize/")
    assert response.status_code == 400


def test_a_bad_week_tells_nothing_to_someone_without_access(client, clinic):
    verified_login(client, clinic.clinician_b)
    assert client.get(f"/schedule/{clinic.program_a.pk}/9999-W52/").status_code == 403


@pytest.mark.parametrize("week", ["9999-W52", "0000-W01", "2026-W54", "abc"])
def test_schedule_api_answers_a_bad_week_with_400(client, clinic, week):
    verified_login(client, clinic.director_a)
    for url in [
        f"/api/v1/schedule/programs/{clinic.program_a.pk}/week/{week}",
        f"/api/v1/patients/{clinic.patient_a.pk}/schedule?week={week}",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert set(response.json()["errors"]) == {"week"}
