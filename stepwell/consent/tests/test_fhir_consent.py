"""Consents in the FHIR record ($everything): a Consent resource per consent, valid and
round-tripped, with its status through its life, its scope, the regulation as its policy,
the named recipient as the provision's actor, and the Part 2 labels."""

from __future__ import annotations

from datetime import date, timedelta

from stepwell.consent.services import consent_revoke
from stepwell.interop.export import patient_everything
from stepwell.interop.record_consents import consent_status
from stepwell.interop.tests.checks import assert_valid_bundle, is_part2, of_type
from stepwell.testing.dates import clinic_today
from stepwell.testing.factories import CareTeamMemberFactory

from .conftest import RECIPIENT, part2_consent

BASE = "https://stepwell.test/api/v1/fhir/"
PART2_POLICY = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"


def _consents(clinic):
    CareTeamMemberFactory(patient=clinic.patient_b, user=clinic.clinician_b)
    bundle = patient_everything(
        actor=clinic.clinician_b, patient_id=clinic.patient_b.pk, base_url=BASE
    )
    assert_valid_bundle(bundle)
    return of_type(bundle, "Consent")


def test_a_signed_part2_consent_is_an_active_consent_resource(part2):
    consent = part2_consent(part2)
    (resource,) = _consents(part2)
    assert resource["id"] == f"consent-{consent.pk}"
    assert resource["status"] == "active"
    assert resource["scope"]["coding"][0]["code"] == "patient-privacy"
    assert resource["policy"] == [{"uri": PART2_POLICY}]
    assert resource["patient"]["reference"] == f"Patient/{part2.patient_b.pk}"
    (actor,) = resource["provision"]["actor"]
    assert actor["reference"] == {"display": RECIPIENT}
    assert actor["role"]["coding"][0]["code"] == "IRCP"
    assert resource["provision"]["period"]["end"] == consent.expires_on.isoformat()
    assert is_part2(resource)


def test_a_revoked_consent_is_inactive(part2):
    consent = part2_consent(part2)
    consent_revoke(actor=part2.clinician_b, consent_id=consent.pk, note="Patient asked.")
    (resource,) = _consents(part2)
    assert resource["status"] == "inactive"


def test_status_through_a_consents_life(part2):
    consent = part2_consent(part2)
    today = clinic_today()
    assert consent_status(consent, today) == "active"
    assert consent_status(consent, consent.expires_on + timedelta(days=1)) == "inactive"
    consent.status = "awaiting_signature"
    assert consent_status(consent, date(2026, 1, 1)) == "proposed"
