"""Physician signature and certification: credential, 9-hour attestation, Medicare."""

from datetime import timedelta

import pytest

from stepwell.billing.models import Coverage, Payer
from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.plans import selectors, services
from stepwell.plans.certification import NINE_HOURS_STATEMENT
from stepwell.plans.models import PhysicianCertification, ProgramPlanPolicy
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import UserFactory

from .conftest import write_plan


def _prescriber(clinic, credentials):
    return UserFactory(roles=["prescriber"], programs=[clinic.program_a], credentials=credentials)


def _medicare(patient, *, start=None, end=None, kind="medicare"):
    payer, _ = Payer.objects.get_or_create(
        name=f"Synthetic {kind}", defaults={"kind": kind, "hours_rule": "medicare_iop"}
    )
    return Coverage.objects.create(
        patient=patient, payer=payer, effective_from=start, effective_to=end
    )


def _signed_by_clinician_and_patient(clinic):
    plan = write_plan(clinic, sign=True)
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    return plan


@pytest.mark.parametrize("credentials", ["MD", "DO", "MD, PhD", "D.O.", "PhD, MD"])
def test_md_or_do_signs_and_certifies(clinic, credentials):
    plan = _signed_by_clinician_and_patient(clinic)
    physician = _prescriber(clinic, credentials)
    certification = services.plan_sign_physician(
        actor=physician, plan_id=plan.pk, attests_nine_hours=True
    )
    assert (certification.physician, certification.physician_credentials) == (
        physician,
        credentials,
    )
    assert plan.signatures.filter(role="physician", signer=physician).exists()


@pytest.mark.parametrize("credentials", ["NP", "PMHNP", "PMHNP-BC", "APRN", "PA-C", "DNP", ""])
def test_a_non_physician_prescriber_cannot_sign_as_physician(clinic, credentials):
    plan = _signed_by_clinician_and_patient(clinic)
    prescriber = _prescriber(clinic, credentials)
    with pytest.raises(ApplicationError) as caught:
        services.plan_sign_physician(actor=prescriber, plan_id=plan.pk, attests_nine_hours=True)
    assert not isinstance(caught.value, AccessDenied)  # a clear refusal, not a generic one
    assert "Medicare certification needs a physician (MD or DO)" in caught.value.message
    assert set(caught.value.field_errors) == {"physician"}
    assert not plan.signatures.filter(role="physician").exists()
    assert not PhysicianCertification.objects.exists()
    assert AuditEvent.objects.filter(
        user_id=prescriber.pk,
        object_type="treatment_plan",
        object_id=str(plan.pk),
        outcome="denied",
    ).exists()


def test_a_non_physician_cannot_recertify(clinic):
    plan = _signed_by_clinician_and_patient(clinic)
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    with pytest.raises(ApplicationError) as caught:
        services.physician_recertify(
            actor=_prescriber(clinic, "PMHNP"), plan_id=plan.pk, attests_nine_hours=True
        )
    assert caught.value.message.startswith("Your credential (PMHNP) is not a physician's.")
    assert PhysicianCertification.objects.count() == 1


def test_a_physician_without_the_prescriber_role_is_refused(clinic):
    plan = _signed_by_clinician_and_patient(clinic)
    md_clinician = UserFactory(roles=["clinician"], programs=[clinic.program_a], credentials="MD")
    with pytest.raises(AccessDenied):
        services.plan_sign_physician(actor=md_clinician, plan_id=plan.pk, attests_nine_hours=True)


@pytest.mark.parametrize("attests", [False, None, "yes"])
def test_the_nine_hour_statement_must_be_attested(clinic, attests):
    plan = _signed_by_clinician_and_patient(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.plan_sign_physician(
            actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=attests
        )
    assert caught.value.field_errors == {
        "attests_nine_hours": "Confirm that the patient needs at least 9 hours a week."
    }
    assert not plan.signatures.filter(role="physician").exists()
    assert not PhysicianCertification.objects.exists()


def test_certification_keeps_the_attested_statement(clinic):
    plan = _signed_by_clinician_and_patient(clinic)
    first = services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    assert (first.kind, first.statement_version, first.statement_text) == (
        "certification",
        "stepwell-iop-certification-2027.1",
        NINE_HOURS_STATEMENT.certification,
    )
    assert "at least 9 hours a week" in first.statement_text
    with pytest.raises(ApplicationError) as caught:
        services.physician_recertify(
            actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=False
        )
    assert set(caught.value.field_errors) == {"attests_nine_hours"}
    again = services.physician_recertify(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    assert (again.kind, again.statement_text) == (
        "recertification",
        NINE_HOURS_STATEMENT.recertification,
    )
    assert again.recertify_by == program_today(clinic.program_a) + timedelta(days=60)


def test_recertification_needs_a_certification_first(clinic):
    plan = _signed_by_clinician_and_patient(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.physician_recertify(
            actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
        )
    assert caught.value.field_errors == {"plan": "No certification yet."}


# -- when the physician is required ----------------------------------------------------------


def test_no_policy_and_no_medicare_needs_no_physician(clinic):
    plan = write_plan(clinic, sign=True)
    assert plan.requires_physician_signature is False
    assert selectors.required_signature_roles(plan) == ("clinician", "patient")


def test_program_policy_requires_the_physician(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    plan = write_plan(clinic, sign=True)
    assert plan.requires_physician_signature is True


def test_medicare_coverage_requires_the_physician(clinic):
    _medicare(clinic.patient_a)
    draft = write_plan(clinic)
    assert draft.requires_physician_signature is True
    signed = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert selectors.missing_signatures(signed) == ["patient", "physician"]


def test_other_coverage_does_not(clinic):
    _medicare(clinic.patient_a, kind="commercial")
    assert write_plan(clinic, sign=True).requires_physician_signature is False


def test_medicare_added_to_a_draft_counts_when_the_clinician_signs(clinic):
    draft = write_plan(clinic)
    assert draft.requires_physician_signature is False
    _medicare(clinic.patient_a)
    signed = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert signed.requires_physician_signature is True


def test_medicare_that_ended_before_signing_does_not(clinic):
    today = program_today(clinic.program_a)
    coverage = _medicare(clinic.patient_a)
    draft = write_plan(clinic)
    assert draft.requires_physician_signature is True
    coverage.effective_to = today - timedelta(days=1)
    coverage.save()
    signed = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert signed.requires_physician_signature is False


def test_medicare_starting_after_signing_asks_the_physician_for_the_current_version(clinic):
    plan = _signed_by_clinician_and_patient(clinic)
    today = program_today(clinic.program_a)
    assert selectors.plan_signature_status(plan).label == "Signed"
    _medicare(clinic.patient_a, start=today + timedelta(days=3))
    assert selectors.missing_signatures(plan) == []
    assert selectors.missing_signatures(plan, today + timedelta(days=3)) == ["physician"]
    _medicare(clinic.patient_a, start=today)
    plan.refresh_from_db()
    assert plan.requires_physician_signature is False  # the signed version is not edited
    assert selectors.plan_signature_status(plan).label == "Awaiting physician"
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    assert selectors.plan_signature_status(plan).label == "Signed"


def test_superseded_versions_keep_what_was_fixed_at_signing(clinic):
    first = _signed_by_clinician_and_patient(clinic)
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=first.pk, reason="Update")
    second = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    _medicare(clinic.patient_a)
    assert selectors.missing_signatures(first) == []
    assert selectors.missing_signatures(second) == ["patient", "physician"]
