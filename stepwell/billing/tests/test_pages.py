"""The billing pages and API operations: the worklist of billable weeks with the fix of
each blocked day, writing claims from the page (field errors on the form), the claim
review and download, and refusals for roles that do not bill."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.billing.models import ClaimBatch
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .records import WEEK_1, attended_group, covered, diagnosed, provider_and_charges
from .test_claims import H0015
from .x12_check import pyx12_errors


@pytest.fixture
def record(clinic):
    provider_and_charges(clinic.program_a)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    covered(clinic.patient_a, **H0015)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=WEEK_1)
    attended_group(
        clinic.program_a,
        clinic.clinician_a,
        clinic.patient_a,
        day=WEEK_1 + timedelta(1),
        sign=False,
    )
    return clinic


def test_worklist_claims_review_and_download(client, record):
    clinic = record
    verified_login(client, clinic.billing_a)
    assert client.get("/billing/").url == f"/billing/programs/{clinic.program_a.pk}/"
    page = client.get(f"/billing/programs/{clinic.program_a.pk}/?date_from={WEEK_1}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="billable"' in html and 'data-status="blocked"' in html
    assert "the note is not signed" in html and "Fix:" in html
    assert "Distress tolerance" not in html and "Named two triggers" not in html
    listed = AuditEvent.objects.filter(object_type="billing_days", action="list").last()
    assert listed.detail["patients"] == [clinic.patient_a.pk]

    bad = client.post(
        f"/billing/programs/{clinic.program_a.pk}/claims/",
        {"date_from": str(WEEK_1), "date_to": str(WEEK_1 - timedelta(1)), "file_format": "837i"},
    )
    assert bad.status_code == 400 and "On or after the first day." in bad.content.decode()
    assert not ClaimBatch.objects.exists()

    made = client.post(
        f"/billing/programs/{clinic.program_a.pk}/claims/",
        {"date_from": str(WEEK_1), "date_to": str(WEEK_1 + timedelta(6)), "file_format": "837i"},
    )
    batch = ClaimBatch.objects.get()
    assert made.status_code == 302 and made.url == f"/billing/claims/{batch.pk}/"
    review = client.get(made.url).content.decode()
    assert "H0015" in review and "Avery Alder" in review
    download = client.get(f"/billing/claims/{batch.pk}/download/")
    assert download["Content-Disposition"].endswith('.837"')
    assert pyx12_errors(download.content.decode()) == (True, [])
    assert AuditEvent.objects.filter(
        object_type="claim_batch", action="export", detail__download=True
    ).exists()


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "admin"])
def test_billing_pages_refuse_roles_that_do_not_bill(client, record, name):
    clinic = record
    verified_login(client, getattr(clinic, name))
    page = client.get(f"/billing/programs/{clinic.program_a.pk}/")
    assert page.status_code == 403
    post = client.post(
        f"/billing/programs/{clinic.program_a.pk}/claims/",
        {"date_from": str(WEEK_1), "date_to": str(WEEK_1 + timedelta(6)), "file_format": "837i"},
    )
    assert post.status_code == 403
    assert not ClaimBatch.objects.exists()
    assert AuditEvent.objects.filter(outcome="denied").count() == 2


def test_billing_api(client, record):
    clinic = record
    verified_login(client, clinic.billing_a)
    days = client.get(
        f"/api/v1/billing/programs/{clinic.program_a.pk}/days",
        {"date_from": str(WEEK_1), "date_to": str(WEEK_1)},
    ).json()["days"]
    assert [(d["status"], [p["code"] for p in d["problems"]]) for d in days] == [
        ("billable", []),
        ("blocked", ["note_unsigned"]),
    ]
    made = client.post(
        f"/api/v1/billing/programs/{clinic.program_a.pk}/claims",
        {"date_from": str(WEEK_1), "date_to": str(WEEK_1 + timedelta(6)), "file_format": "csv"},
        content_type="application/json",
    )
    assert made.status_code == 201
    claims = made.json()["claims"]
    assert [(c["statement_from"], len(c["lines"])) for c in claims] == [(str(WEEK_1), 1)]
    again = client.post(
        f"/api/v1/billing/programs/{clinic.program_a.pk}/claims",
        {"date_from": str(WEEK_1), "date_to": str(WEEK_1 + timedelta(6)), "file_format": "csv"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "date_from" in again.json()["errors"]
    read = client.get(f"/api/v1/billing/claims/{made.json()['id']}")
    assert (
        read.status_code == 200
        and read.json()["claims"][0]["lines"][0]["procedure_code"] == "H0015"
    )
    verified_login(client, clinic.clinician_a)
    assert client.get(f"/api/v1/billing/claims/{made.json()['id']}").status_code == 403


def test_authorizations_show_units_left_and_reviews_due(client, clinic):
    from stepwell.billing import services
    from stepwell.billing.models import Coverage
    from stepwell.billing.selectors import work

    provider_and_charges(clinic.program_a)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    payer = covered(clinic.patient_a, requires_authorization=True, **H0015).payer
    assert Coverage.objects.count() == 1
    authorization = services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=payer.pk,
        starts_on=WEEK_1,
        ends_on=WEEK_1 + timedelta(days=60),
        number="AUTH-9",
        units_approved=4,
    )
    services.review_schedule(
        actor=clinic.billing_a, authorization_id=authorization.pk, due_on=WEEK_1 + timedelta(9)
    )
    for offset in (0, 1):
        attended_group(
            clinic.program_a,
            clinic.clinician_a,
            clinic.patient_a,
            day=WEEK_1 + timedelta(days=offset),
        )
    (row,) = work.authorizations_in_use(
        user=clinic.billing_a, program_id=clinic.program_a.pk, today=WEEK_1 + timedelta(days=7)
    )
    assert (row.usage.units_used, row.usage.units_left) == (2, 2)
    assert row.warnings == ("2 of 4 unit(s) left", "review due 2026-11-11")
    listed = AuditEvent.objects.filter(object_type="authorization", action="list").get()
    assert listed.detail["patients"] == [clinic.patient_a.pk]
