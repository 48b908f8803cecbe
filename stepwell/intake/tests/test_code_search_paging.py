"""The diagnosis-code search of the API comes a page at a time (`limit` after `offset`) in
the search's order: codes starting with the query, then codes with every word of it."""

from __future__ import annotations

import pytest

from stepwell.intake.diagnosis_codes import diagnosis_code_search
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/diagnosis-codes"


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["code"] for c in response.json()]


def test_the_search_answers_50_codes_then_the_next_ones_in_its_order(client, clinic):
    everything = [c.code for c in diagnosis_code_search("F1", limit=2000)]
    verified_login(client, clinic.intake_a)
    first = _codes(client.get(URL, {"q": "F1"}))
    second = _codes(client.get(URL, {"q": "F1", "offset": 50}))
    assert len(everything) > 100
    assert first == everything[:50]
    assert second == everything[50:100]  # each once, none lost between the pages


def test_the_last_page_holds_what_is_left(client, clinic):
    everything = [c.code for c in diagnosis_code_search("z915", limit=2000)]
    verified_login(client, clinic.clinician_a)
    assert _codes(client.get(URL, {"q": "z915", "limit": 2})) == everything[:2]
    assert _codes(client.get(URL, {"q": "z915", "limit": 2, "offset": 2})) == everything[2:]
    assert _codes(client.get(URL, {"q": "z915", "offset": 500})) == []


def test_a_patient_is_still_refused_the_search(client, clinic):
    verified_login(client, clinic.patient_user_a)
    assert client.get(URL, {"q": "F1", "offset": 50}).status_code == 403


@pytest.mark.parametrize("query", ["z915", "F1"])
def test_the_search_reads_no_rows_whatever_it_finds(
    client, clinic, django_assert_max_num_queries, query
):
    """The code set is a file held in memory: the queries are the session's and the
    user's, the same for 3 codes found as for 590."""
    verified_login(client, clinic.intake_a)
    client.get(URL, {"q": query})
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"q": query})
    assert response.status_code == 200
