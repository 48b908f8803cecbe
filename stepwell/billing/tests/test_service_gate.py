"""Each billing service called directly by a role that may not: refused (AccessDenied),
exactly one denied audit row, nothing changed. Billing staff work on their own
program's patients only; coverage is recorded by billing, intake and directors of the
patient's program."""

from __future__ import annotations

from datetime import date

import pytest

from stepwell.billing import services
from stepwell.billing.models import Authorization, Coverage, EligibilityCheck, UtilizationReview
from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import CoverageFactory, PayerFactory

START, END = date(2026, 11, 2), date(2026, 12, 13)


def _denied(object_type: str) -> int:
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type).count()


@pytest.fixture
def coverage(clinic):
    return CoverageFactory(patient=clinic.patient_a, payer=PayerFactory())


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "intake_a", "admin", "patient_user_a"])
def test_authorization_create_refused(clinic, coverage, name):
    with pytest.raises(AccessDenied):
        services.authorization_create(
            actor=getattr(clinic, name),
            patient_id=clinic.patient_a.pk,
            program_id=clinic.program_a.pk,
            payer_id=coverage.payer_id,
            starts_on=START,
            ends_on=END,
            number="A-1",
            units_approved=10,
        )
    assert _denied("authorization") == 1
    assert not Authorization.objects.exists()


def test_authorization_create_for_another_programs_patient_refused(clinic):
    """billing_a bills program A; patient_b is in program B only."""
    payer = CoverageFactory(patient=clinic.patient_b).payer
    with pytest.raises(AccessDenied):
        services.authorization_create(
            actor=clinic.billing_a,
            patient_id=clinic.patient_b.pk,
            program_id=clinic.program_b.pk,
            payer_id=payer.pk,
            starts_on=START,
            ends_on=END,
            number="B-1",
            units_approved=10,
        )
    assert _denied("authorization") == 1 and not Authorization.objects.exists()


@pytest.fixture
def authorization(clinic, coverage):
    return services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=START,
        ends_on=END,
        status="pending",
    )


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "admin"])
def test_review_services_refused(clinic, authorization, name):
    review = authorization.reviews.get()
    with pytest.raises(AccessDenied):
        services.review_outcome_record(
            actor=getattr(clinic, name),
            review_id=review.pk,
            outcome="approved",
            units_added=10,
            number="X-9",
        )
    assert _denied("utilization_review") == 1
    review.refresh_from_db()
    assert review.outcome == "pending"
    with pytest.raises(AccessDenied):
        services.review_schedule(
            actor=getattr(clinic, name), authorization_id=authorization.pk, due_on=END
        )
    assert _denied("authorization") == 1
    assert UtilizationReview.objects.count() == 1
    authorization.refresh_from_db()
    assert (authorization.status, authorization.units_approved) == ("pending", 0)


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "admin", "patient_user_a"])
def test_coverage_changes_refused(clinic, coverage, name):
    actor = getattr(clinic, name)
    with pytest.raises(AccessDenied):
        services.coverage_update(actor=actor, coverage_id=coverage.pk, member_id="CHANGED")
    with pytest.raises(AccessDenied):
        services.coverage_end(actor=actor, coverage_id=coverage.pk, ends_on=END, reason="x")
    with pytest.raises(AccessDenied):
        services.eligibility_check_record(
            actor=actor,
            coverage_id=coverage.pk,
            checked_on=START,
            method="phone",
            result="active",
        )
    assert _denied("coverage") == 3
    fresh = Coverage.objects.get(pk=coverage.pk)
    assert (fresh.member_id, fresh.effective_to) == (coverage.member_id, None)
    assert not EligibilityCheck.objects.exists()
