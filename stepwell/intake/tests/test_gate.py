"""The intake services are the gate: called directly by a user who may not, each is
refused, the refusal is audited once, and nothing changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.intake import services
from stepwell.intake.models import (
    AssessmentAddendum,
    AssessmentDiagnosis,
    AvailabilityWindow,
    IntakeAssessment,
    PlacementDecision,
    PreviousTreatment,
    Referral,
    ReferralEvent,
)
from stepwell.patients.models import CareTeamMember, Episode, EpisodeEvent, Patient
from stepwell.privacy.models import AuditEvent

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral

MODELS = (
    Patient,
    Episode,
    EpisodeEvent,
    CareTeamMember,
    Referral,
    ReferralEvent,
    IntakeAssessment,
    AssessmentDiagnosis,
    PreviousTreatment,
    AssessmentAddendum,
    PlacementDecision,
    AvailabilityWindow,
)


def snapshot():
    return [list(model.objects.order_by("pk").values()) for model in MODELS]


@dataclass
class Records:
    referral: Referral  # new, with a draft assessment
    draft: IntakeAssessment
    treatment: PreviousTreatment
    diagnosis: AssessmentDiagnosis
    window: AvailabilityWindow
    signed: IntakeAssessment  # of a second referral, signed, with a placement decision
    decision: PlacementDecision


@pytest.fixture
def records(clinic) -> Records:
    referral = make_referral(clinic)
    draft = complete_assessment(clinic, referral, sign=False)
    treatment = services.previous_treatment_add(
        actor=clinic.clinician_a,
        assessment_id=draft.pk,
        level_of_care="outpatient",
        outcome="partly_helped",
    )
    window = services.availability_window_add(
        actor=clinic.clinician_a,
        patient_id=referral.patient_id,
        weekday=0,
        start=time(17),
        end=time(20),
    )
    second = make_referral(clinic, legal_first_name="Sage", legal_last_name="Holly")
    signed = complete_assessment(clinic, second)
    decision = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=signed.pk, engine_input=ENGINE_INPUT_IOP
    )
    return Records(
        referral=referral,
        draft=draft,
        treatment=treatment,
        diagnosis=draft.diagnoses.get(),
        window=window,
        signed=signed,
        decision=decision,
    )


CALLS = {
    "referral_create": lambda c, r: services.referral_create(
        actor=c.nurse_a,
        program_id=c.program_a.pk,
        source="self",
        reason="Low mood",
        patient_data={"legal_first_name": "Ash"},
    ),
    "referral_create_for_a_patient_not_seen": lambda c, r: services.referral_create(
        actor=c.intake_a,
        program_id=c.program_a.pk,
        source="self",
        reason="Low mood",
        patient_id=c.patient_b.pk,
    ),
    "referral_transition": lambda c, r: services.referral_transition(
        actor=c.nurse_a, referral_id=r.referral.pk, to_state="contacted"
    ),
    "referral_contact_record": lambda c, r: services.referral_contact_record(
        actor=c.clinician_b, referral_id=r.referral.pk, method="phone", outcome="reached"
    ),
    "assessment_start": lambda c, r: services.assessment_start(
        actor=c.nurse_a, episode_id=r.referral.episode_id
    ),
    "assessment_update": lambda c, r: services.assessment_update(
        actor=c.nurse_a, assessment_id=r.draft.pk, data={"strengths": "x"}
    ),
    "previous_treatment_add": lambda c, r: services.previous_treatment_add(
        actor=c.director_a,
        assessment_id=r.draft.pk,
        level_of_care="outpatient",
        outcome="helped",
    ),
    "previous_treatment_remove": lambda c, r: services.previous_treatment_remove(
        actor=c.prescriber_a, assessment_id=r.draft.pk, treatment_id=r.treatment.pk
    ),
    "assessment_diagnosis_add": lambda c, r: services.assessment_diagnosis_add(
        actor=c.nurse_a, assessment_id=r.draft.pk, code="F41.1"
    ),
    "assessment_diagnosis_remove": lambda c, r: services.assessment_diagnosis_remove(
        actor=c.billing_a, assessment_id=r.draft.pk, diagnosis_id=r.diagnosis.pk
    ),
    "assessment_sign": lambda c, r: services.assessment_sign(
        actor=c.intake_a, assessment_id=r.draft.pk
    ),
    "assessment_addendum_add": lambda c, r: services.assessment_addendum_add(
        actor=c.intake_a, assessment_id=r.signed.pk, text="Correction"
    ),
    "placement_preview": lambda c, r: services.placement_preview(
        actor=c.patient_user_a, engine_input=ENGINE_INPUT_IOP
    ),
    "placement_decide": lambda c, r: services.placement_decide(
        actor=c.intake_a, assessment_id=r.signed.pk, engine_input=ENGINE_INPUT_IOP
    ),
    "admission_admit": lambda c, r: services.admission_admit(
        actor=c.intake_a,
        placement_decision_id=r.decision.pk,
        care_team=[(c.clinician_a.pk, "primary_clinician")],
    ),
    "availability_window_add": lambda c, r: services.availability_window_add(
        actor=c.patient_user_b,
        patient_id=r.referral.patient_id,
        weekday=1,
        start=time(9),
        end=time(10),
    ),
    "availability_window_remove": lambda c, r: services.availability_window_remove(
        actor=c.nurse_a, patient_id=r.referral.patient_id, window_id=r.window.pk
    ),
    "availability_set": lambda c, r: services.availability_set(
        actor=c.director_a, patient_id=r.referral.patient_id, windows=[]
    ),
}


@pytest.mark.parametrize("call", CALLS)
def test_a_refused_service_is_audited_once_and_changes_nothing(clinic, records, call):
    before, denied_before = snapshot(), AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        CALLS[call](clinic, records)
    assert AuditEvent.objects.filter(outcome="denied").count() == denied_before + 1
    assert snapshot() == before


def test_every_intake_service_has_a_refusal_test():
    """A new service in intake.services gets a line in CALLS."""
    use_cases = {
        name
        for name in services.__all__
        if callable(getattr(services, name))
        and name not in ("WindowIn", "admitted_from_for", "placement_recheck")
    }
    assert use_cases <= {name.split("_for_")[0] for name in CALLS}
