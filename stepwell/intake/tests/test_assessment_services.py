from datetime import time

import pytest

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.intake import services
from stepwell.intake.models import AssessmentStatus, AvailabilityWindow
from stepwell.intake.services import WindowIn
from stepwell.privacy.models import AuditEvent

from .conftest import complete_assessment, make_referral


def test_draft_edit_then_sign_then_no_edits(clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    assert assessment.status == AssessmentStatus.DRAFT
    signed = services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    assert signed.status == AssessmentStatus.SIGNED
    assert signed.signed_by == clinic.clinician_a
    assert signed.signed_at is not None
    with pytest.raises(ApplicationError) as caught:
        services.assessment_update(
            actor=clinic.clinician_a, assessment_id=assessment.pk, data={"strengths": "x"}
        )
    assert "addendum" in caught.value.message
    with pytest.raises(ApplicationError):
        services.assessment_diagnosis_add(
            actor=clinic.clinician_a, assessment_id=assessment.pk, code="F41.1"
        )
    signed.refresh_from_db()
    assert signed.strengths == ""
    assert list(signed.diagnoses.values_list("code", flat=True)) == ["F33.1"]


def test_sign_names_what_is_missing(clinic):
    referral = make_referral(clinic)
    assessment = services.assessment_start(actor=clinic.clinician_a, episode_id=referral.episode_id)
    with pytest.raises(ApplicationError) as caught:
        services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    assert set(caught.value.field_errors) == {
        "presenting_problems",
        "risk_level",
        "patient_goals",
        "diagnoses",
    }
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_start_returns_the_open_draft(clinic):
    referral = make_referral(clinic)
    first = services.assessment_start(actor=clinic.intake_a, episode_id=referral.episode_id)
    again = services.assessment_start(actor=clinic.clinician_a, episode_id=referral.episode_id)
    assert first.pk == again.pk


def test_unknown_fields_and_bad_choice_are_field_errors(clinic):
    referral = make_referral(clinic)
    assessment = services.assessment_start(actor=clinic.clinician_a, episode_id=referral.episode_id)
    with pytest.raises(ApplicationError) as caught:
        services.assessment_update(
            actor=clinic.clinician_a, assessment_id=assessment.pk, data={"mood": "x"}
        )
    assert caught.value.field_errors == {"mood": "Unknown field."}
    with pytest.raises(ApplicationError) as caught:
        services.assessment_update(
            actor=clinic.clinician_a, assessment_id=assessment.pk, data={"risk_level": "extreme"}
        )
    assert list(caught.value.field_errors) == ["risk_level"]


def test_previous_treatment(clinic):
    referral = make_referral(clinic)
    assessment = services.assessment_start(actor=clinic.clinician_a, episode_id=referral.episode_id)
    with pytest.raises(ApplicationError) as caught:
        services.previous_treatment_add(
            actor=clinic.clinician_a, assessment_id=assessment.pk, level_of_care="x", outcome="y"
        )
    assert set(caught.value.field_errors) == {"level_of_care", "outcome"}
    treatment = services.previous_treatment_add(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        level_of_care="outpatient",
        outcome="partly_helped",
        when="2024",
    )
    assert str(treatment) == "Outpatient: Partly helped"


def test_addendum_only_on_signed(clinic):
    referral = make_referral(clinic)
    draft = complete_assessment(clinic, referral, sign=False)
    with pytest.raises(ApplicationError):
        services.assessment_addendum_add(actor=clinic.clinician_a, assessment_id=draft.pk, text="x")
    services.assessment_sign(actor=clinic.clinician_a, assessment_id=draft.pk)
    addendum = services.assessment_addendum_add(
        actor=clinic.clinician_a,
        assessment_id=draft.pk,
        text="Patient later reported night shifts.",
    )
    assert addendum.author == clinic.clinician_a
    assert draft.addenda.count() == 1


def test_intake_coordinator_drafts_but_cannot_sign(clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    with pytest.raises(AccessDenied):
        services.assessment_sign(actor=clinic.intake_a, assessment_id=assessment.pk)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert (
        AuditEvent.objects.filter(
            object_type="intake_assessment", outcome="denied", patient_id=referral.patient_id
        ).count()
        == 1
    )


@pytest.mark.parametrize("who", ["clinician_b", "billing_a", "admin", "patient_user_a"])
def test_assessment_writes_denied(clinic, who):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    with pytest.raises(AccessDenied):
        services.assessment_update(
            actor=getattr(clinic, who), assessment_id=assessment.pk, data={"strengths": "x"}
        )
    assessment.refresh_from_db()
    assert assessment.strengths == ""


def test_availability_windows_are_validated(clinic):
    patient_id = clinic.patient_a.pk
    window = services.availability_window_add(
        actor=clinic.clinician_a, patient_id=patient_id, weekday=0, start=time(17), end=time(21)
    )
    assert str(window) == "Monday 17:00-21:00"
    assert window.minutes == 240
    with pytest.raises(ApplicationError) as caught:
        services.availability_window_add(
            actor=clinic.clinician_a, patient_id=patient_id, weekday=0, start=time(20), end=time(22)
        )
    assert caught.value.field_errors == {"start": "Overlaps Monday 17:00-21:00."}
    touching = services.availability_window_add(
        actor=clinic.clinician_a, patient_id=patient_id, weekday=0, start=time(21), end=time(22)
    )
    assert touching.start == time(21)
    with pytest.raises(ApplicationError) as caught:
        services.availability_window_add(
            actor=clinic.clinician_a, patient_id=patient_id, weekday=7, start=time(10), end=time(9)
        )
    assert set(caught.value.field_errors) == {"weekday", "end"}


def test_availability_set_replaces_and_names_overlaps(clinic):
    patient_id = clinic.patient_a.pk
    with pytest.raises(ApplicationError) as caught:
        services.availability_set(
            actor=clinic.clinician_a,
            patient_id=patient_id,
            windows=[WindowIn(1, time(9), time(12)), WindowIn(1, time(11), time(13))],
        )
    assert caught.value.field_errors == {"windows.1.start": "Overlaps window 0."}
    saved = services.availability_set(
        actor=clinic.clinician_a,
        patient_id=patient_id,
        windows=[WindowIn(3, time(9), time(12)), WindowIn(1, time(18), time(21))],
    )
    assert [str(w) for w in saved] == ["Tuesday 18:00-21:00", "Thursday 09:00-12:00"]


def test_availability_denied_for_other_program(clinic):
    with pytest.raises(AccessDenied):
        services.availability_window_add(
            actor=clinic.clinician_b,
            patient_id=clinic.patient_a.pk,
            weekday=0,
            start=time(9),
            end=time(10),
        )
    assert AvailabilityWindow.objects.count() == 0
