"""Each service called directly by a role that may not: refused, one denied audit row,
nothing changed (the service is the gate)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.consent import services
from stepwell.consent.models import (
    AmendmentRequest,
    BreakGlassGrant,
    Consent,
    Disclosure,
)
from stepwell.core.errors import AccessDenied
from stepwell.patients.models import CareTeamMember
from stepwell.privacy.models import AuditEvent
from stepwell.testing.dates import clinic_today

from .test_disclosures import ask


@pytest.fixture
def records(clinic):
    """Consents, an emergency disclosure, an emergency access and an amendment request of
    Avery (program A)."""
    today = clinic_today()
    CareTeamMember.objects.create(
        patient=clinic.patient_a, user=clinic.clinician_a, team_role="primary_clinician"
    )
    waiting = services.consent_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="hipaa_roi",
        program_ids=[clinic.program_a.pk],
        signature_method="portal",
        recipient_kind="named",
        recipients="Jordan Alder (sister)",
        purpose="family",
        sections=["attendance"],
        expires_on=today + timedelta(days=90),
    )
    emergency = services.emergency_disclosure_make(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        emergency="Unresponsive at home; the emergency physician asks for current diagnoses.",
        data=services.DisclosureInput(
            recipient="Dr. Lee",
            recipient_affiliation="County General emergency department",
            purpose="treatment",
            sections=("diagnoses",),
            date_from=None,
            date_to=None,
            document_format="pdf",
        ),
    )
    grant = services.break_glass_open(
        actor=clinic.clinician_b,
        record_number=clinic.patient_a.mrn,
        reason="Patient in crisis in the lobby; primary clinician away.",
    )
    amendment = services.amendment_request(
        actor=clinic.patient_user_a, section="diagnoses", request="The second diagnosis is wrong."
    )
    return {"consent": waiting, "emergency": emergency, "grant": grant, "amendment": amendment}


def state():
    return (
        list(Consent.objects.values_list("pk", "status", "signed_at")),
        list(Disclosure.objects.values_list("pk", "reviewed_at")),
        list(BreakGlassGrant.objects.values_list("pk", "reviewed_at")),
        list(AmendmentRequest.objects.values_list("pk", "status")),
    )


CALLS = {
    "consent_record by a nurse": (
        "nurse_a",
        lambda c, r: services.consent_record(
            actor=c.nurse_a,
            patient_id=c.patient_a.pk,
            kind="treatment",
            program_ids=[c.program_a.pk],
            signature_method="portal",
        ),
    ),
    "consent_sign by staff": (
        "clinician_a",
        lambda c, r: services.consent_sign(
            actor=c.clinician_a, consent_id=r["consent"].pk, signer_name="Avery Alder", agree=True
        ),
    ),
    "consent_revoke by billing": (
        "billing_a",
        lambda c, r: services.consent_revoke(actor=c.billing_a, consent_id=r["consent"].pk),
    ),
    "disclosure_make by a nurse": (
        "nurse_a",
        lambda c, r: services.disclosure_make(
            actor=c.nurse_a, patient_id=c.patient_a.pk, basis="hipaa_permitted", data=ask()
        ),
    ),
    "emergency_disclosure_make by billing": (
        "billing_a",
        lambda c, r: services.emergency_disclosure_make(
            actor=c.billing_a, patient_id=c.patient_a.pk, emergency="x", data=ask()
        ),
    ),
    "emergency_disclosure_review by a clinician": (
        "clinician_a",
        lambda c, r: services.emergency_disclosure_review(
            actor=c.clinician_a, disclosure_id=r["emergency"].pk, note="Fine."
        ),
    ),
    "break_glass_open by billing": (
        "billing_a",
        lambda c, r: services.break_glass_open(
            actor=c.billing_a, record_number=c.patient_b.mrn, reason="An emergency right now."
        ),
    ),
    "break_glass_review by a clinician": (
        "clinician_a",
        lambda c, r: services.break_glass_review(
            actor=c.clinician_a, grant_id=r["grant"].pk, note="Fine."
        ),
    ),
    "amendment_request by staff": (
        "clinician_a",
        lambda c, r: services.amendment_request(
            actor=c.clinician_a, section="diagnoses", request="Change it."
        ),
    ),
    "amendment_decide by a nurse": (
        "nurse_a",
        lambda c, r: services.amendment_decide(
            actor=c.nurse_a, amendment_id=r["amendment"].pk, accept=True, reason="Yes."
        ),
    ),
    "own_record_html by staff": (
        "clinician_a",
        lambda c, r: services.own_record_html(actor=c.clinician_a),
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_refused_role_changes_nothing_and_is_audited_once(clinic, records, name):
    who, call = CALLS[name]
    before = state()
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(AccessDenied):
        call(clinic, records)
    new = AuditEvent.objects.filter(seq__gt=seq)
    assert [(e.outcome, e.user_id) for e in new] == [("denied", getattr(clinic, who).pk)]
    assert state() == before


def test_break_glass_opens_the_chart_until_it_expires(clinic, records):
    from stepwell.privacy.access.patients import patients_visible_to

    grant = records["grant"]
    assert patients_visible_to(clinic.clinician_b).filter(pk=clinic.patient_a.pk).exists()
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        opened_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert not patients_visible_to(clinic.clinician_b).filter(pk=clinic.patient_a.pk).exists()
    reviewed = services.break_glass_review(
        actor=clinic.director_a, grant_id=grant.pk, note="Justified: crisis in the lobby."
    )
    assert reviewed.reviewed_by == clinic.director_a


def test_an_emergency_disclosure_is_reviewed_by_the_director(clinic, records):
    reviewed = services.emergency_disclosure_review(
        actor=clinic.director_a, disclosure_id=records["emergency"].pk, note="Bona fide."
    )
    assert reviewed.reviewed_at is not None
    assert reviewed.emergency.startswith("Unresponsive")


def test_an_amendment_is_decided_with_a_reason(clinic, records):
    decided = services.amendment_decide(
        actor=clinic.clinician_a,
        amendment_id=records["amendment"].pk,
        accept=False,
        reason="The diagnosis was confirmed at the assessment of 3 March.",
    )
    assert decided.status == "denied"
