"""Ids past the database's 64-bit integers are 'not found', never a server error (issue 10 §9)."""

from __future__ import annotations

import json

import pytest
from django.db import DataError, connection
from django.urls import NoReverseMatch, reverse

from stepwell.core.converters import MAX_RECORD_ID, RecordIdConverter, record_id_or_none
from stepwell.testing.auth import verified_login

HUGE = "9223372036854775808"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("12", 12),
        ("000012", 12),
        (str(MAX_RECORD_ID), MAX_RECORD_ID),
        (str(MAX_RECORD_ID + 1), None),
        (HUGE, None),
        ("-1", None),
        ("+1", None),
        ("1_000", None),
        (" 12", None),
        ("12\n", None),
        ("٣", None),  # Arabic-Indic three: int() reads it, an id does not
        ("３", None),  # fullwidth three
        ("²", None),
        ("", None),
        (None, None),
    ],
)
def test_record_id_or_none(text, number):
    assert record_id_or_none(text) == number


def test_reverse_refuses_an_id_no_route_would_match():
    assert reverse("care:note", kwargs={"note_id": 7}) == "/care/notes/7/"
    for bad in (-1, MAX_RECORD_ID + 1, int(HUGE)):
        with pytest.raises(NoReverseMatch):
            reverse("care:note", kwargs={"note_id": bad})
    assert RecordIdConverter().to_python("000") == 0


@pytest.mark.parametrize(
    "url",
    [
        f"/patients/{HUGE}/",
        f"/care/sessions/{HUGE}/note/",
        f"/plans/{HUGE}/",
        f"/schedule/{HUGE}/2026-W50/",
        f"/intake/referrals/{HUGE}/",
        "/measures/mine/-1/",
        "/care/notes/" + "9" * 40 + "/",
    ],
)
def test_page_ids_past_the_database_are_404(client, clinic, url):
    verified_login(client, clinic.director_a)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/patients?program={HUGE}",
        f"/api/v1/measures/alerts?patient_id={HUGE}",
    ],
)
def test_api_numbers_past_the_database_find_nothing(client, clinic, url):
    """SQLite's driver cannot even send 2**63: the API answers that in one place
    (stepwell/api.py) as 404. PostgreSQL compares it and finds nothing."""
    verified_login(client, clinic.director_a)
    response = client.get(url)
    if connection.vendor == "sqlite":
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found: no record has that number.", "errors": {}}
    else:
        assert (response.status_code, response.json()) == (200, [])


def test_the_referral_lists_program_past_the_database_is_named(client, clinic):
    """The referral list checks its program id's range itself (a 422 naming it, on both
    databases): its first page is read by a kept query, whose values go to the database
    as they are."""
    verified_login(client, clinic.director_a)
    response = client.get(f"/api/v1/intake/referrals?program={HUGE}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["program"]


def test_api_answers_a_value_the_database_refuses_with_400(rf):
    from stepwell.api import on_data_error

    response = on_data_error(rf.post("/api/v1/x"), DataError("value too long"))
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "detail": "A value is too long or out of range.",
        "errors": {},
    }


def test_api_username_past_its_column_is_not_a_server_error(client, db, on_postgres):
    """PostgreSQL enforces varchar(255): a 5,000-character username reached the login
    throttle's table and failed there (SQLite does not check lengths)."""
    response = client.post(
        "/api/v1/auth/token",
        {"username": "x" * 5000, "password": "x", "totp_code": "000000"},
        content_type="application/json",
    )
    assert response.status_code in (400, 401, 422)
