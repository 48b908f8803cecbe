"""The issue's bad input, on the page and through the API alike: a dose that is not a
positive number, a stop date before the start, an unknown RxNorm code, a controlled
substance with no prescriber. Each is refused (400) with the field named next to it,
and nothing is written."""

from __future__ import annotations

import json

import pytest

from stepwell.meds.models import Medication, MedicationChange
from stepwell.testing.auth import verified_login

GOOD = {
    "formulary_key": "sertraline",
    "dose": "50",
    "unit": "mg",
    "route": "oral",
    "frequency": "once daily",
    "start_date": "2026-10-01",
}
BAD = [
    pytest.param({"dose": "-5"}, "dose", "positive number", id="negative-dose"),
    pytest.param({"dose": "0"}, "dose", "positive number", id="zero-dose"),
    pytest.param({"dose": "fifty"}, "dose", "positive number", id="dose-not-a-number"),
    pytest.param({"stop_date": "2026-09-30"}, "stop_date", "before the start", id="stop-first"),
    pytest.param(
        {"formulary_key": "", "rxnorm_code": "99999999"},
        "rxnorm_code",
        "RxNorm",
        id="unknown-rxnorm",
    ),
    pytest.param(
        {"formulary_key": "lorazepam"}, "prescriber_id", "controlled substance", id="no-prescriber"
    ),
    pytest.param(
        {"formulary_key": "", "name": "Street pill", "controlled_schedule": "II"},
        "prescriber_id",
        "controlled substance",
        id="free-text-controlled-no-prescriber",
    ),
]


def _field_block(body: str, prefix: str, field: str) -> str:
    """The page's block of one field: its label, input and errors."""
    blocks = body.split('<div class="field">')
    (block,) = [b for b in blocks if f'name="{prefix}{field}"' in b]
    return block.split('<div class="field">')[0]


@pytest.mark.parametrize(("overrides", "field", "words"), BAD)
def test_the_page_refuses_with_the_error_next_to_the_field(
    client, diagnosed, overrides, field, words
):
    verified_login(client, diagnosed.nurse_a)
    posted = {f"med-{k}": v for k, v in {**GOOD, **overrides}.items()}
    answer = client.post(f"/meds/patients/{diagnosed.patient_a.pk}/medications/", posted)
    assert answer.status_code == 400
    block = _field_block(answer.content.decode(), "med-", field)
    assert "errorlist" in block and words in block, block
    assert not Medication.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "words"), BAD)
def test_the_api_refuses_with_the_field_named(client, diagnosed, overrides, field, words):
    verified_login(client, diagnosed.nurse_a)
    answer = client.post(
        f"/api/v1/patients/{diagnosed.patient_a.pk}/medications",
        json.dumps({**GOOD, **overrides}),
        content_type="application/json",
    )
    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert list(errors) == [field] and words in errors[field]
    assert not Medication.objects.exists()


CHANGES = [
    pytest.param({"dose": "-1"}, "dose", id="negative-dose"),
    pytest.param({"dose": "abc"}, "dose", id="dose-not-a-number"),
    pytest.param(
        {"status": "stopped", "status_reason": "Done", "stop_date": "2026-09-01"},
        "stop_date",
        id="stop-before-start",
    ),
]


@pytest.mark.parametrize(("change", "field"), CHANGES)
def test_a_bad_change_is_refused_on_the_page_and_the_api(
    client, diagnosed, on_sertraline, change, field
):
    verified_login(client, diagnosed.prescriber_a)
    page = client.post(f"/meds/medications/{on_sertraline.pk}/", change)
    assert page.status_code == 400
    block = _field_block(page.content.decode(), "", field)
    assert "errorlist" in block, block
    api = client.patch(
        f"/api/v1/medications/{on_sertraline.pk}",
        json.dumps(change),
        content_type="application/json",
    )
    assert api.status_code == 400 and list(api.json()["errors"]) == [field]
    on_sertraline.refresh_from_db()
    assert (str(on_sertraline.dose), on_sertraline.status) == ("50.000", "active")
    assert on_sertraline.stop_date is None
    assert MedicationChange.objects.filter(medication=on_sertraline).count() == 1  # started
