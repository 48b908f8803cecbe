"""Consents with every required element, disclosures checked against them, the accounting,
and revocation (42 CFR 2.31, 2.32; docs/clinical-sources.md §9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.consent.models import Consent, Disclosure
from stepwell.consent.notices import PART2_NOTICE
from stepwell.consent.selectors import patient_privacy
from stepwell.consent.services import DisclosureInput, consent_revoke, disclosure_make
from stepwell.core.errors import ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.testing.dates import clinic_today

from .conftest import RECIPIENT, part2_consent


def ask(recipient=RECIPIENT, sections=("diagnoses",), document_format="pdf", purpose="treatment"):
    return DisclosureInput(
        recipient=recipient,
        purpose=purpose,
        sections=tuple(sections),
        date_from=None,
        date_to=None,
        document_format=document_format,
    )


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"recipients": ""}, "recipients"),
        ({"purpose": ""}, "purpose"),
        ({"sections": []}, "sections"),
        ({"information_description": ""}, "information_description"),
        ({"expires_on": None, "expiry_event": ""}, "expires_on"),
        ({"signer_name": ""}, "signer_name"),
        ({"signed_on": None}, "signed_on"),
        ({"scan": None}, "scan"),
        ({"program_ids": []}, "programs"),
    ],
)
def test_a_consent_missing_a_required_element_is_refused_naming_it(part2, missing, field):
    with pytest.raises(ApplicationError) as error:
        part2_consent(part2, **missing)
    assert field in error.value.field_errors
    assert not Consent.objects.exists()


def test_an_expiry_in_the_past_is_refused(part2):
    yesterday = clinic_today() - timedelta(days=1)
    with pytest.raises(ApplicationError) as error:
        part2_consent(part2, expires_on=yesterday)
    assert "in the past" in error.value.field_errors["expires_on"]
    assert not Consent.objects.exists()


def test_part2_disclosure_refused_without_consent_made_with_one_and_refused_after_revoking(
    part2,
):
    clinic = part2
    patient = clinic.patient_b
    with pytest.raises(ApplicationError) as error:
        disclosure_make(
            actor=clinic.clinician_b, patient_id=patient.pk, basis="hipaa_permitted", data=ask()
        )
    assert "Part 2" in error.value.field_errors["basis"]
    denied = AuditEvent.objects.filter(object_type="disclosure", outcome="denied")
    assert denied.count() == 1
    assert not Disclosure.objects.exists()

    consent = part2_consent(clinic)
    disclosure = disclosure_make(
        actor=clinic.clinician_b,
        patient_id=patient.pk,
        basis="consent",
        consent_id=consent.pk,
        data=ask(),
    )
    assert disclosure.part2
    assert PART2_NOTICE[:80] in disclosure.document
    accounting = patient_privacy(actor=clinic.patient_user_b, patient_id=patient.pk)
    assert [(d.recipient, d.purpose) for d in accounting.disclosures] == [(RECIPIENT, "treatment")]

    consent_revoke(actor=clinic.patient_user_b, consent_id=consent.pk)
    with pytest.raises(ApplicationError) as error:
        disclosure_make(
            actor=clinic.clinician_b,
            patient_id=patient.pk,
            basis="consent",
            consent_id=consent.pk,
            data=ask(),
        )
    assert "consent" in error.value.field_errors
    assert Disclosure.objects.count() == 1


def test_a_recipient_the_consent_does_not_name_is_refused(part2):
    consent = part2_consent(part2)
    with pytest.raises(ApplicationError) as error:
        disclosure_make(
            actor=part2.clinician_b,
            patient_id=part2.patient_b.pk,
            basis="consent",
            consent_id=consent.pk,
            data=ask(recipient="Acme Staffing Ltd"),
        )
    assert "Acme Staffing Ltd" in error.value.field_errors["recipient"]
    assert not Disclosure.objects.exists()


def test_a_section_the_consent_does_not_cover_is_refused(part2):
    consent = part2_consent(part2)
    with pytest.raises(ApplicationError) as error:
        disclosure_make(
            actor=part2.clinician_b,
            patient_id=part2.patient_b.pk,
            basis="consent",
            consent_id=consent.pk,
            data=ask(sections=("notes",)),
        )
    assert "sections" in error.value.field_errors
    assert not Disclosure.objects.exists()


def test_a_fhir_disclosure_carries_the_label_and_the_notice(part2):
    import json

    from stepwell.consent.fhir import bundle_has_notice

    consent = part2_consent(part2)
    disclosure = disclosure_make(
        actor=part2.clinician_b,
        patient_id=part2.patient_b.pk,
        basis="consent",
        consent_id=consent.pk,
        data=ask(document_format="fhir"),
    )
    bundle = json.loads(disclosure.document)
    codes = {s["code"] for s in bundle["meta"]["security"]}
    assert {"42CFRPart2", "R", "NORDSCLCD"} <= codes
    assert bundle_has_notice(bundle)
