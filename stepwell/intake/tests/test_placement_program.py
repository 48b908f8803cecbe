"""Placement under the program's setting and track, prefilled from the signed assessment."""

from datetime import time

import pytest

from stepwell.core.errors import ApplicationError
from stepwell.intake import selectors, services
from stepwell.intake.models import PlacementDecision
from stepwell.placement.inputs import placement_input_from_dict
from stepwell.placement.rules import placement_recommend, recommendation_to_dict, rule_set_for
from stepwell.testing.auth import verified_login

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral

WITHDRAWAL_2 = {
    **ENGINE_INPUT_IOP,
    "dimensions": {**ENGINE_INPUT_IOP["dimensions"], "d1_withdrawal": 2},
}
MENTAL_HEALTH_ONLY = {
    **ENGINE_INPUT_IOP,
    "dimensions": {**ENGINE_INPUT_IOP["dimensions"], "d1_withdrawal": None, "d5_relapse": None},
}


def _signed(clinic, **program):
    for field, value in program.items():
        setattr(clinic.program_a, field, value)
    clinic.program_a.save()
    referral = make_referral(clinic)
    return referral, complete_assessment(clinic, referral)


def _decide(clinic, assessment, engine_input):
    return services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=engine_input
    )


@pytest.mark.parametrize(
    ("offers", "level"),
    [(True, "intensive_outpatient"), (False, "withdrawal_management")],
)
def test_withdrawal_risk_2_follows_the_programs_setting(clinic, offers, level):
    _, assessment = _signed(clinic, offers_outpatient_withdrawal_care=offers)

    decision = _decide(clinic, assessment, WITHDRAWAL_2)

    assert decision.recommended_level == level
    assert decision.engine_input["offers_outpatient_withdrawal_care"] is offers


def test_the_input_cannot_contradict_the_programs_setting(clinic):
    _, assessment = _signed(clinic)

    with pytest.raises(ApplicationError) as caught:
        _decide(clinic, assessment, {**WITHDRAWAL_2, "offers_outpatient_withdrawal_care": True})

    assert caught.value.field_errors == {
        "offers_outpatient_withdrawal_care": (
            "is the program's setting (false); change it in the program's settings"
        )
    }
    assert PlacementDecision.objects.count() == 0


def test_a_mental_health_program_accepts_withdrawal_and_relapse_as_not_applicable(clinic):
    _, assessment = _signed(clinic)

    decision = _decide(clinic, assessment, MENTAL_HEALTH_ONLY)

    assert decision.recommended_level == "intensive_outpatient"
    assert decision.engine_input["dimensions"]["d1_withdrawal"] is None


@pytest.mark.parametrize(
    ("track", "words"), [("substance_use", "substance use"), ("dual_diagnosis", "dual diagnosis")]
)
def test_a_substance_use_program_needs_withdrawal_and_relapse_rated(clinic, track, words):
    _, assessment = _signed(clinic, track=track)

    with pytest.raises(ApplicationError) as caught:
        _decide(clinic, assessment, {**MENTAL_HEALTH_ONLY, "suicide_risk": "maybe"})

    assert caught.value.field_errors == {
        "suicide_risk": "must be one of: none, low, moderate, high, imminent",
        "d1_withdrawal": f"rate withdrawal risk: {words} programs treat substance use, so it applies",
        "d5_relapse": f"rate relapse risk: {words} programs treat substance use, so it applies",
    }
    assert PlacementDecision.objects.count() == 0


def test_a_preview_without_a_program_uses_the_inputs_own_setting(clinic):
    recommendation = services.placement_preview(
        actor=clinic.clinician_a,
        engine_input={**WITHDRAWAL_2, "offers_outpatient_withdrawal_care": True},
    )

    assert recommendation.level == "intensive_outpatient"


# --- re-checking a decision made under an older rule set ---------------------------------

OLD_INPUT = {
    **ENGINE_INPUT_IOP,
    "dimensions": {**ENGINE_INPUT_IOP["dimensions"], "d2_biomedical": 3},
}


def _old_decision(clinic, assessment):
    old = placement_recommend(
        placement_input_from_dict(OLD_INPUT), rule_set=rule_set_for("stepwell-loc-2026.11")
    )
    return PlacementDecision.objects.create(
        assessment=assessment,
        episode=assessment.episode,
        engine_input=OLD_INPUT,
        engine_output=recommendation_to_dict(old),
        rule_set=old.rule_set,
        recommended_level=old.level.value,
        decided_level=old.level.value,
        decided_by=clinic.clinician_a,
    )


def test_a_decision_under_the_old_rule_set_is_rechecked_under_the_current_one(clinic):
    _, assessment = _signed(clinic)
    old = _old_decision(clinic, assessment)

    recheck = services.placement_recheck(old)

    assert old.recommended_level == "residential"
    assert (recheck.level.value, recheck.rule_set) == (
        "medically_monitored_inpatient",
        "stepwell-loc-2027.1",
    )
    assert services.placement_recheck(_decide(clinic, assessment, ENGINE_INPUT_IOP)) is None


def test_the_decision_page_shows_the_recheck_and_the_levels_in_words(client, clinic):
    _, assessment = _signed(clinic)
    old = _old_decision(clinic, assessment)
    verified_login(client, clinic.clinician_a)

    html = client.get(f"/intake/placement-decisions/{old.pk}/").content.decode()

    assert '<dd data-testid="recommended">Residential</dd>' in html
    assert (
        "This decision used rule set stepwell-loc-2026.11. Under the current rule set "
        "(stepwell-loc-2027.1) the same ratings would recommend <strong>medically monitored "
        "inpatient</strong>; consider a new decision."
    ) in html


# --- prefill from the signed assessment --------------------------------------------------


def _assessment_with_history(clinic, *, source="hospital_step_down", treatments=()):
    referral = services.referral_create(
        actor=clinic.intake_a,
        program_id=clinic.program_a.pk,
        source=source,
        reason="Stepping down",
        received_on=None,
        patient_data={
            "legal_first_name": "Rowan",
            "legal_last_name": "Quarry",
            "date_of_birth": "1988-05-06",
            "sex_assigned_at_birth": "male",
        },
    )
    assessment = complete_assessment(clinic, referral, sign=False)
    services.assessment_update(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        data={
            "risk_level": "high",
            "symptom_severity": "moderately_severe",
            "functional_impairment": "severe",
        },
    )
    for level, outcome in treatments:
        services.previous_treatment_add(
            actor=clinic.clinician_a,
            assessment_id=assessment.pk,
            level_of_care=level,
            outcome=outcome,
        )
    services.availability_set(
        actor=clinic.clinician_a,
        patient_id=referral.patient_id,
        windows=[
            services.WindowIn(0, time(17, 0), time(20, 0)),
            services.WindowIn(1, time(17, 0), time(20, 0)),
            services.WindowIn(1, time(9, 0), time(10, 30)),
        ],
    )
    return services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)


def test_prefill_takes_every_rating_the_assessment_gives(clinic):
    assessment = _assessment_with_history(
        clinic,
        treatments=[
            ("outpatient", "helped"),
            ("intensive_outpatient", "partly_helped"),
            ("inpatient", "completed"),
        ],
    )

    prefill = selectors.placement_prefill(assessment)

    assert prefill.values == {
        "suicide_risk": "high",
        "mental_health_severity": "moderately_severe",
        "functional_impairment": "severe",
        "previous_lower_level": "intensive_outpatient",
        "previous_lower_level_outcome": "insufficient",
        "step_down_from": "inpatient",
        "available_hours_per_week": 7.5,
        "available_days_per_week": 2,
        "d1_withdrawal": "na",
        "d5_relapse": "na",
    }
    assert prefill.sources["suicide_risk"] == "risk level on the assessment"


@pytest.mark.parametrize(
    ("source", "treatments", "expected"),
    [
        pytest.param(
            "primary_care",
            [],
            {
                "previous_lower_level": "none",
                "previous_lower_level_outcome": "not_tried",
                "step_down_from": "none",
            },
            id="no earlier care",
        ),
        pytest.param(
            "php_or_residential_step_down",
            [("residential", "completed"), ("outpatient", "left_early")],
            {"previous_lower_level": "outpatient", "step_down_from": "residential"},
            id="left early says nothing about the outcome",
        ),
        pytest.param(
            "php_or_residential_step_down",
            [("partial_hospitalization", "helped")],
            {
                "previous_lower_level": "partial_hospitalization",
                "previous_lower_level_outcome": "helped",
                "step_down_from": "partial_hospitalization",
            },
            id="step down from PHP that helped",
        ),
        pytest.param(
            "php_or_residential_step_down",
            [],
            {"previous_lower_level": "none", "previous_lower_level_outcome": "not_tried"},
            id="step down from an unrecorded level is left to the clinician",
        ),
    ],
)
def test_prefill_of_earlier_care(clinic, source, treatments, expected):
    assessment = _assessment_with_history(clinic, source=source, treatments=treatments)

    values = selectors.placement_prefill(assessment).values

    fields = ("previous_lower_level", "previous_lower_level_outcome", "step_down_from")
    assert {key: values[key] for key in fields if key in values} == expected


def test_a_substance_use_program_prefills_no_not_applicable(clinic):
    clinic.program_a.track = "substance_use"
    clinic.program_a.save()
    assessment = _assessment_with_history(clinic)

    values = selectors.placement_prefill(assessment).values

    assert "d1_withdrawal" not in values
    assert "d5_relapse" not in values
