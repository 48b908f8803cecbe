"""Signed intake assessments are locked in the database itself (privacy/signed_records.py):
the assessment, its diagnoses and previous treatments refuse every change, addenda are
append-only; drafts stay editable and the placement decision still follows signing. Runs
on SQLite and, in make test's second pass, PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from stepwell.intake import services
from stepwell.intake.models import (
    AssessmentAddendum,
    AssessmentDiagnosis,
    IntakeAssessment,
    PreviousTreatment,
)
from stepwell.privacy.signed_records import install_signed_record_triggers
from stepwell.privacy.tests.signed import assert_every_table_refuses_raw_writes, refused

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral


@pytest.fixture(autouse=True)
def intake_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_signed_record_triggers(connection, "intake")


@pytest.fixture
def signed(clinic) -> IntakeAssessment:
    """Written, signed and added to through the services, with the triggers on."""
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    services.previous_treatment_add(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        level_of_care="outpatient",
        outcome="partly_helped",
        when="2024",
    )
    assessment = services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    services.assessment_addendum_add(
        actor=clinic.clinician_a, assessment_id=assessment.pk, text="Sleep is worse than stated."
    )
    return assessment


def test_signing_addenda_and_placement_still_work(clinic, signed):
    assert signed.status == "signed"
    assert signed.signed_by == clinic.clinician_a
    assert AssessmentAddendum.objects.get().text == "Sleep is worse than stated."
    decision = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=signed.pk, engine_input=ENGINE_INPUT_IOP
    )
    assert decision.assessment_id == signed.pk


def test_raw_sql_cannot_update_or_delete_a_locked_row_of_any_intake_table(signed):
    assert_every_table_refuses_raw_writes(
        "intake",
        {
            "intake_intakeassessment": signed.pk,
            "intake_assessmentdiagnosis": signed.diagnoses.get().pk,
            "intake_previoustreatment": signed.previous_treatments.get().pk,
            "intake_assessmentaddendum": signed.addenda.get().pk,
        },
    )


def test_queryset_update_and_delete_of_a_signed_assessment_are_refused(signed):
    same = IntakeAssessment.objects.filter(pk=signed.pk)
    refused("intake_intakeassessment", lambda: same.update(strengths="Rewritten"))
    refused(
        "intake_intakeassessment",
        lambda: same.update(status="draft", signed_at=None, signed_by=None),
    )
    refused("intake_assessmentdiagnosis", lambda: signed.diagnoses.update(primary=False))
    refused("intake_assessmentdiagnosis", signed.diagnoses.all().delete)
    refused("intake_previoustreatment", lambda: signed.previous_treatments.update(notes="x"))
    refused("intake_previoustreatment", signed.previous_treatments.all().delete)
    refused("intake_assessmentaddendum", lambda: signed.addenda.update(text="Rewritten"))
    refused("intake_assessmentaddendum", signed.addenda.all().delete)
    stored = IntakeAssessment.objects.get(pk=signed.pk)
    assert (stored.status, stored.strengths) == ("signed", "")
    assert list(stored.diagnoses.values_list("code", "primary")) == [("F33.1", True)]
    assert stored.previous_treatments.get().notes == ""
    assert stored.addenda.get().text == "Sleep is worse than stated."


def test_nothing_is_added_to_or_moved_into_a_signed_assessment(clinic, signed):
    refused(
        "intake_assessmentdiagnosis",
        lambda: AssessmentDiagnosis.objects.create(
            assessment=signed, code="F41.1", description="Generalized anxiety disorder"
        ),
    )
    refused(
        "intake_previoustreatment",
        lambda: PreviousTreatment.objects.create(
            assessment=signed, level_of_care="residential", outcome="helped"
        ),
    )
    draft = services.assessment_start(actor=clinic.clinician_a, episode_id=signed.episode_id)
    anxiety = services.assessment_diagnosis_add(
        actor=clinic.clinician_a, assessment_id=draft.pk, code="F41.1"
    )
    refused(
        "intake_assessmentdiagnosis",
        lambda: AssessmentDiagnosis.objects.filter(pk=anxiety.pk).update(assessment=signed),
    )
    assert signed.diagnoses.count() == 1


def test_a_draft_stays_editable_with_the_triggers_on(clinic):
    assessment = complete_assessment(clinic, make_referral(clinic), sign=False)
    services.assessment_update(
        actor=clinic.clinician_a, assessment_id=assessment.pk, data={"strengths": "Curious"}
    )
    # A new primary unsets the old one with an UPDATE; removing it promotes the next.
    alcohol = services.assessment_diagnosis_add(
        actor=clinic.clinician_a, assessment_id=assessment.pk, code="F10.20", primary=True
    )
    services.assessment_diagnosis_remove(
        actor=clinic.clinician_a, assessment_id=assessment.pk, diagnosis_id=alcohol.pk
    )
    treatment = services.previous_treatment_add(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        level_of_care="outpatient",
        outcome="helped",
    )
    services.previous_treatment_remove(
        actor=clinic.clinician_a, assessment_id=assessment.pk, treatment_id=treatment.pk
    )
    stored = IntakeAssessment.objects.get(pk=assessment.pk)
    assert stored.strengths == "Curious"
    assert list(stored.diagnoses.values_list("code", "primary")) == [("F33.1", True)]
    assert not stored.previous_treatments.exists()
    signed = services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    assert signed.status == "signed"


def test_removing_a_diagnosis_of_a_signed_assessment_is_a_rule_refusal_not_a_500(
    client, clinic, signed
):
    """The service refuses (400, naming the status) before any DELETE reaches the trigger."""
    from stepwell.testing.auth import verified_login

    diagnosis = signed.diagnoses.first()
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/intake/assessments/{signed.pk}/diagnoses/{diagnosis.pk}/remove/")
    assert response.status_code == 400
    assert "signed and cannot be edited" in response.content.decode()
    assert AssessmentDiagnosis.objects.filter(pk=diagnosis.pk).exists()
