"""The main journey through the pages and the API: a disclosure of a Part 2 patient's
record is refused without consent, made with one (the document carries the notice), seen
in the patient's accounting on the portal, and refused again after revocation."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from stepwell.consent.models import Consent, Disclosure
from stepwell.consent.notices import PART2_NOTICE
from stepwell.testing.auth import verified_login
from stepwell.testing.dates import clinic_today

from .conftest import RECIPIENT


def disclose_form(consent_id=""):
    return {
        "basis": "consent" if consent_id else "hipaa_permitted",
        "consent_id": consent_id,
        "recipient": RECIPIENT,
        "purpose": "treatment",
        "sections": ["diagnoses"],
        "document_format": "pdf",
    }


def test_the_journey_through_the_pages(client, part2):
    clinic = part2
    patient = clinic.patient_b
    verified_login(client, clinic.clinician_b)
    page = client.get(f"/consent/patients/{patient.pk}/")
    assert page.status_code == 200 and b"42 CFR Part 2 records" in page.content

    refused = client.post(f"/consent/patients/{patient.pk}/disclosures/new/", disclose_form())
    assert refused.status_code == 400
    assert b"written Part 2 consent" in refused.content
    assert not Disclosure.objects.exists()

    missing = client.post(
        f"/consent/patients/{patient.pk}/consents/new/",
        {"kind": "part2", "program_ids": [clinic.program_b.pk], "signature_method": "paper"},
    )
    assert (
        missing.status_code == 400
        and b"Say whether the consent names its recipients" in missing.content
    )
    today = clinic_today()
    made = client.post(
        f"/consent/patients/{patient.pk}/consents/new/",
        {
            "kind": "part2",
            "program_ids": [clinic.program_b.pk],
            "signature_method": "paper",
            "recipient_kind": "named",
            "recipients": RECIPIENT,
            "purpose": "treatment",
            "sections": ["diagnoses", "measures"],
            "information_description": "Alcohol use diagnoses and scores.",
            "expires_on": (today + timedelta(days=180)).isoformat(),
            "signer_name": "Blake Birch",
            "signed_on": today.isoformat(),
            "scan": SimpleUploadedFile("c.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        },
    )
    assert made.status_code == 302
    consent = Consent.objects.get()

    done = client.post(
        f"/consent/patients/{patient.pk}/disclosures/new/", disclose_form(consent.pk)
    )
    assert done.status_code == 302
    disclosure = Disclosure.objects.get()
    document = client.get(f"/consent/disclosures/{disclosure.pk}/")
    assert PART2_NOTICE[:60].encode() in document.content

    client.logout()
    verified_login(client, clinic.patient_user_b)
    mine = client.get("/consent/mine/")
    assert RECIPIENT.encode() in mine.content
    assert client.post(f"/consent/consents/{consent.pk}/revoke/").status_code == 302
    assert Consent.objects.get().status == "revoked"

    client.logout()
    verified_login(client, clinic.clinician_b)
    again = client.post(
        f"/consent/patients/{patient.pk}/disclosures/new/", disclose_form(consent.pk)
    )
    assert again.status_code == 400
    assert Disclosure.objects.count() == 1


def test_the_journey_through_the_api(client, part2):
    clinic = part2
    patient = clinic.patient_b
    verified_login(client, clinic.clinician_b)
    body = {
        "recipient": RECIPIENT,
        "purpose": "treatment",
        "sections": ["diagnoses"],
        "document_format": "fhir",
    }
    url = f"/api/v1/patients/{patient.pk}/disclosures"
    refused = client.post(url, body | {"basis": "hipaa_permitted"}, content_type="application/json")
    assert refused.status_code == 400
    assert "Part 2" in refused.json()["errors"]["basis"]

    today = clinic_today()
    created = client.post(
        f"/api/v1/patients/{patient.pk}/consents",
        {
            "kind": "part2",
            "program_ids": [clinic.program_b.pk],
            "signature_method": "paper",
            "recipient_kind": "named",
            "recipients": [RECIPIENT],
            "purpose": "treatment",
            "sections": ["diagnoses"],
            "information_description": "Alcohol use diagnoses.",
            "expires_on": (today + timedelta(days=30)).isoformat(),
            "signer_name": "Blake Birch",
            "signed_on": today.isoformat(),
            "scan_base64": base64.b64encode(b"%PDF-1.4 x").decode(),
            "scan_content_type": "application/pdf",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    consent_id = created.json()["id"]

    made = client.post(url, body | {"consent_id": consent_id}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["part2"] is True
    document = client.get(made.json()["document_url"])
    assert b"42CFRPart2" in document.content and b"NORDSCLCD" in document.content
    assert [d["recipient"] for d in client.get(url).json()] == [RECIPIENT]

    revoked = client.post(
        f"/api/v1/consents/{consent_id}/revoke",
        {"note": "by phone"},
        content_type="application/json",
    )
    assert revoked.json()["status"] == "revoked"
    again = client.post(url, body | {"consent_id": consent_id}, content_type="application/json")
    assert again.status_code == 400
    assert Disclosure.objects.count() == 1


def test_the_own_record_api_is_the_patients_alone(client, part2):
    verified_login(client, part2.patient_user_b)
    own = client.get(f"/api/v1/patients/{part2.patient_b.pk}/record")
    assert own.status_code == 200 and own.json()["resourceType"] == "Bundle"
    assert client.get(f"/api/v1/patients/{part2.patient_a.pk}/record").status_code == 403
    page = client.get("/consent/mine/record/")
    assert page.status_code == 200 and b"Blake" in page.content
    pdf = client.get("/consent/mine/record/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_emergency_disclosure_through_the_pages_and_its_review(client, clinic):
    verified_login(client, clinic.clinician_a)
    url = f"/consent/patients/{clinic.patient_a.pk}/emergency/new/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"recipient": "Dr. Lee", "sections": ["diagnoses"]})
    assert missing.status_code == 400 and not Disclosure.objects.exists()
    made = client.post(
        url,
        {
            "emergency": "Unresponsive at home; the ED asks for current diagnoses.",
            "recipient": "Dr. Lee",
            "recipient_affiliation": "County General emergency department",
            "sections": ["diagnoses"],
            "document_format": "pdf",
        },
    )
    assert made.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.basis == "medical_emergency"
    review = f"/consent/disclosures/{disclosure.pk}/review/"
    assert client.post(review, {"note": "Mine to review?"}).status_code == 403
    client.logout()
    verified_login(client, clinic.director_a)
    assert client.post(review, {"note": "Bona fide emergency."}).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.reviewed_by == clinic.director_a
