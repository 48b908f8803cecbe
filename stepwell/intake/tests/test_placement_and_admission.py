import pytest

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.intake import services
from stepwell.intake.models import PlacementDecision, ReferralState
from stepwell.patients.models import CareTeamRole, EpisodeState
from stepwell.privacy.models import AuditEvent

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral


def _assessed(clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral)
    referral.refresh_from_db()
    return referral, assessment


def test_confirm_keeps_engine_input_output_and_rule_set(clinic):
    _, assessment = _assessed(clinic)
    decision = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    assert decision.recommended_level == "intensive_outpatient"
    assert decision.decided_level == "intensive_outpatient"
    assert decision.overridden is False
    # The program's own setting is stored with what the clinician entered.
    assert decision.engine_input == {**ENGINE_INPUT_IOP, "offers_outpatient_withdrawal_care": False}
    assert decision.engine_output["level"] == "intensive_outpatient"
    assert decision.rule_set == decision.engine_output["rule_set"] == "stepwell-loc-2027.1"


def test_override_needs_a_reason_and_keeps_both(clinic):
    _, assessment = _assessed(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.placement_decide(
            actor=clinic.clinician_a,
            assessment_id=assessment.pk,
            engine_input=ENGINE_INPUT_IOP,
            decided_level="partial_hospitalization",
        )
    assert caught.value.field_errors == {"override_reason": "an override needs a reason"}
    decision = services.placement_decide(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        engine_input=ENGINE_INPUT_IOP,
        decided_level="partial_hospitalization",
        override_reason="Lives alone, recent crisis visit",
    )
    assert (decision.recommended_level, decision.decided_level, decision.overridden) == (
        "intensive_outpatient",
        "partial_hospitalization",
        True,
    )


def test_bad_engine_input_is_field_errors(clinic):
    _, assessment = _assessed(clinic)
    bad = {**ENGINE_INPUT_IOP, "suicide_risk": "maybe"}
    bad["dimensions"] = {**ENGINE_INPUT_IOP["dimensions"], "d1_withdrawal": 7}
    with pytest.raises(ApplicationError) as caught:
        services.placement_decide(
            actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=bad
        )
    assert caught.value.field_errors == {
        "d1_withdrawal": "must be from 0 to 4, got 7",
        "suicide_risk": "must be one of: none, low, moderate, high, imminent",
    }
    assert PlacementDecision.objects.count() == 0


def test_decision_needs_signed_assessment(clinic):
    referral = make_referral(clinic)
    draft = complete_assessment(clinic, referral, sign=False)
    with pytest.raises(ApplicationError):
        services.placement_decide(
            actor=clinic.clinician_a, assessment_id=draft.pk, engine_input=ENGINE_INPUT_IOP
        )


@pytest.mark.parametrize("who", ["intake_a", "nurse_a", "clinician_b", "patient_user_a"])
def test_decision_denied(clinic, who):
    _, assessment = _assessed(clinic)
    with pytest.raises(AccessDenied):
        services.placement_decide(
            actor=getattr(clinic, who), assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
        )
    assert PlacementDecision.objects.count() == 0
    assert (
        AuditEvent.objects.filter(object_type="placement_decision", outcome="denied").count() == 1
    )


def test_admission_admits_assigns_team_and_closes_referral(clinic):
    referral, assessment = _assessed(clinic)
    decision = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    episode = services.admission_admit(
        actor=clinic.clinician_a,
        placement_decision_id=decision.pk,
        care_team=[
            (clinic.clinician_a.pk, CareTeamRole.PRIMARY_CLINICIAN),
            (clinic.prescriber_a.pk, CareTeamRole.PRESCRIBER),
        ],
    )
    referral.refresh_from_db()
    assert episode.state == EpisodeState.ADMITTED
    assert referral.state == ReferralState.ADMITTED
    assert referral.admitted_on == episode.admitted_on
    assert referral.days_to_admission == 10
    assert {(m.user_id, m.team_role) for m in referral.patient.care_team.all()} == {
        (clinic.clinician_a.pk, "primary_clinician"),
        (clinic.prescriber_a.pk, "prescriber"),
    }
    change = episode.level_of_care_changes.get()
    assert (change.direction, change.level_of_care) == ("admitted_from", "outpatient")
    assert AuditEvent.objects.filter(action="admit", patient_id=referral.patient_id).count() == 1


def test_admission_refuses_a_level_the_program_does_not_provide(clinic):
    referral, assessment = _assessed(clinic)
    decision = services.placement_decide(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        engine_input=ENGINE_INPUT_IOP,
        decided_level="residential",
        override_reason="Unsafe at home",
    )
    with pytest.raises(ApplicationError) as caught:
        services.admission_admit(
            actor=clinic.clinician_a,
            placement_decision_id=decision.pk,
            care_team=[(clinic.clinician_a.pk, CareTeamRole.PRIMARY_CLINICIAN)],
        )
    assert "Refer the patient elsewhere" in caught.value.field_errors["placement_decision"]
    referral.refresh_from_db()
    assert referral.episode.state == EpisodeState.ASSESSED


def test_admission_needs_primary_clinician_and_latest_decision(clinic):
    _, assessment = _assessed(clinic)
    older = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    with pytest.raises(ApplicationError) as caught:
        services.admission_admit(
            actor=clinic.clinician_a, placement_decision_id=older.pk, care_team=[]
        )
    assert set(caught.value.field_errors) == {"placement_decision", "care_team"}


@pytest.mark.parametrize("who", ["intake_a", "nurse_a", "clinician_b", "prescriber_a"])
def test_admission_denied_changes_nothing(clinic, who):
    referral, assessment = _assessed(clinic)
    decision = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    with pytest.raises(AccessDenied):
        services.admission_admit(
            actor=getattr(clinic, who),
            placement_decision_id=decision.pk,
            care_team=[(clinic.clinician_a.pk, CareTeamRole.PRIMARY_CLINICIAN)],
        )
    referral.refresh_from_db()
    assert referral.state == ReferralState.ASSESSED
    assert referral.episode.state == EpisodeState.ASSESSED
    assert referral.patient.care_team.count() == 0
    assert AuditEvent.objects.filter(object_type="admission", outcome="denied").count() == 1
