"""How a recommendation explains itself: what would change it, the program's IOP fit, its
JSON form, and the clinician's decision next to it."""

import json

import pytest

from stepwell.placement.inputs import IopFitCriterion
from stepwell.placement.rules import (
    ClinicianDecision,
    PlacementDecisionError,
    WouldChange,
    placement_confirm,
    placement_override,
    placement_recommend,
    recommendation_to_dict,
)

from .vignettes import IOP, IOP_NOT_ENOUGH, MODERATE, PHP, RES, vignette

# --- what would change the answer ---------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "fields", "would_change"),
    [
        pytest.param(
            {"d1_withdrawal": 3},
            {},
            "If withdrawal risk (dimension 1) were rated 1 instead of 3, the recommendation "
            "would be outpatient.",
            id="withdrawal 3",
        ),
        pytest.param(
            {"d1_withdrawal": 3},
            {"offers_outpatient_withdrawal_care": True},
            "If withdrawal risk (dimension 1) were rated 2 instead of 3, the recommendation "
            "would be intensive outpatient.",
            id="withdrawal 3, program manages 2",
        ),
        pytest.param(
            {"d2_biomedical": 3},
            {},
            "If physical health (dimension 2) were rated 2 instead of 3, the recommendation "
            "would be intensive outpatient.",
            id="physical health 3",
        ),
        pytest.param(
            {"d6_recovery_environment": 4},
            {},
            "If recovery environment (dimension 6) were rated 3 instead of 4, the "
            "recommendation would be intensive outpatient.",
            id="recovery environment 4",
        ),
        pytest.param(
            {},
            {"mental_health_severity": "severe", "functional_impairment": "severe"},
            "If functional impairment were moderate rather than severe, the recommendation "
            "would be intensive outpatient.",
            id="severe symptoms",
        ),
        pytest.param(
            {},
            {"suicide_risk": "imminent", "medically_stable": False},
            "If suicide risk were high rather than imminent and the patient were medically "
            "stable, the recommendation would be partial hospitalization.",
            id="two deciding rules",
        ),
        pytest.param(
            {"d3_emotional_behavioral": 2, "d5_relapse": 2},
            {"mental_health_severity": "moderately_severe", "functional_impairment": "moderate"},
            "If emotional and behavioural health (dimension 3) were rated 1 instead of 2, "
            "relapse risk (dimension 5) were rated 1 instead of 2 and mental-health symptoms "
            "were mild rather than moderately severe, the recommendation would be outpatient.",
            id="three deciding rules",
        ),
        pytest.param(
            {"d5_relapse": 3},
            IOP_NOT_ENOUGH,
            "If the earlier intensive outpatient care had helped and relapse risk (dimension 5) "
            "were rated 2 instead of 3, the recommendation would be intensive outpatient.",
            id="relapse 3 after IOP",
        ),
        pytest.param(
            {"d4_readiness": 3, "d5_relapse": 3},
            {},
            "If readiness to change (dimension 4) were rated 2 instead of 3, the "
            "recommendation would be intensive outpatient.",
            id="low readiness with relapse risk",
        ),
        pytest.param(
            {},
            {"step_down_from": "inpatient"},
            "If the patient were not stepping down from inpatient, the recommendation would "
            "be outpatient.",
            id="step down",
        ),
        pytest.param(
            {},
            {"needs_24h_structure": True, "suicide_risk": "moderate"},
            "If the patient did not need 24-hour structure, the recommendation would be "
            "intensive outpatient.",
            id="24-hour structure",
        ),
    ],
)
def test_would_change(dimensions, fields, would_change):
    recommendation = placement_recommend(vignette(dimensions, **fields))

    assert [change.description for change in recommendation.would_change] == [would_change]


def test_would_change_is_computed_by_running_the_rules_again():
    recommendation = placement_recommend(vignette({"d1_withdrawal": 3}, suicide_risk="high"))

    assert recommendation.would_change == (
        WouldChange(("withdrawal risk (dimension 1) were rated 1 instead of 3",), PHP),
    )


def test_nothing_would_change_outpatient_by_lowering_risk():
    assert placement_recommend(vignette()).would_change == ()


# --- IOP fit ------------------------------------------------------------------------------

FIT = IopFitCriterion


@pytest.mark.parametrize(
    ("fields", "criteria", "fits"),
    [
        pytest.param(
            {
                **MODERATE,
                "previous_lower_level": "outpatient",
                "previous_lower_level_outcome": "insufficient",
            },
            {
                FIT.SYMPTOMS_INTERFERE_WITH_DAILY_LIFE: True,
                FIT.NEEDS_STRUCTURED_TREATMENT: True,
                FIT.LIMITED_TIME_FOR_FULL_TIME_CARE: True,
                FIT.LOWER_INTENSITY_NOT_ENOUGH: True,
            },
            True,
            id="every criterion met",
        ),
        pytest.param(
            MODERATE,
            {
                FIT.SYMPTOMS_INTERFERE_WITH_DAILY_LIFE: True,
                FIT.NEEDS_STRUCTURED_TREATMENT: True,
                FIT.LIMITED_TIME_FOR_FULL_TIME_CARE: True,
                FIT.LOWER_INTENSITY_NOT_ENOUGH: None,
            },
            True,
            id="no earlier treatment to judge",
        ),
        pytest.param(
            {
                "mental_health_severity": "moderate",
                "functional_impairment": "mild",
                "previous_lower_level": "outpatient",
                "previous_lower_level_outcome": "helped",
                "available_hours_per_week": 30,
            },
            {
                FIT.SYMPTOMS_INTERFERE_WITH_DAILY_LIFE: False,
                FIT.NEEDS_STRUCTURED_TREATMENT: False,
                FIT.LIMITED_TIME_FOR_FULL_TIME_CARE: False,
                FIT.LOWER_INTENSITY_NOT_ENOUGH: False,
            },
            False,
            id="little interference, outpatient helped, time for full-time care",
        ),
        pytest.param(
            {
                **MODERATE,
                "available_hours_per_week": 30,
                "iop_fit_criteria": [
                    "symptoms_interfere_with_daily_life",
                    "needs_structured_treatment",
                ],
            },
            {FIT.SYMPTOMS_INTERFERE_WITH_DAILY_LIFE: True, FIT.NEEDS_STRUCTURED_TREATMENT: True},
            True,
            id="program uses two criteria",
        ),
    ],
)
def test_iop_fit(fields, criteria, fits):
    iop_fit = placement_recommend(vignette(**fields)).iop_fit

    assert iop_fit.criteria == criteria
    assert iop_fit.fits is fits


# --- JSON ---------------------------------------------------------------------------------


def test_recommendation_to_dict():
    recommendation = placement_recommend(
        vignette(
            {"d1_withdrawal": 3},
            **MODERATE,
            available_hours_per_week=4,
            iop_fit_criteria=["lower_intensity_not_enough"],
        )
    )

    result = recommendation_to_dict(recommendation)

    assert json.loads(json.dumps(result)) == result
    assert result == {
        "level": "withdrawal_management",
        "after_withdrawal_management": "intensive_outpatient",
        "rationale": [
            {
                "rule": "d1_withdrawal_3",
                "level": "withdrawal_management",
                "description": (
                    "Withdrawal risk (dimension 1) is rated 3: withdrawal management first, "
                    "then reassess the level of care."
                ),
            },
            {
                "rule": "moderate_or_worse_symptoms_with_impairment",
                "level": "intensive_outpatient",
                "description": (
                    "Mental-health symptoms are moderate or worse, with at least moderate "
                    "functional impairment or after less intensive care was not enough: needs "
                    "structured treatment several times a week."
                ),
            },
        ],
        "actions": [
            {
                "action": "reassess_after_withdrawal_management",
                "required": True,
                "description": (
                    "After withdrawal management, reassess the level of care: the other "
                    "findings call for intensive outpatient."
                ),
            }
        ],
        "barriers": [
            {
                "barrier": "availability_below_program_minimum",
                "description": (
                    "The patient can attend 4 hours a week; the program's minimum for "
                    "intensive outpatient is 9 hours a week."
                ),
            }
        ],
        "would_change": [
            {
                "changes": ["withdrawal risk (dimension 1) were rated 1 instead of 3"],
                "level": "intensive_outpatient",
                "description": (
                    "If withdrawal risk (dimension 1) were rated 1 instead of 3, the "
                    "recommendation would be intensive outpatient."
                ),
            }
        ],
        "iop_fit": {"criteria": {"lower_intensity_not_enough": None}, "fits": True},
        "rule_set": "stepwell-loc-2027.1",
    }


# --- the clinician's decision -------------------------------------------------------------


def test_confirm_keeps_the_recommendation():
    recommendation = placement_recommend(vignette(**MODERATE))

    decision = placement_confirm(recommendation)

    assert decision == ClinicianDecision(recommendation, IOP, overridden=False, reason=None)


def test_override_keeps_both_levels_and_the_reason():
    recommendation = placement_recommend(vignette(needs_24h_structure=True))

    decision = placement_override(
        recommendation, level=IOP, reason="  Sober-living bed starts Monday.  "
    )

    assert decision == ClinicianDecision(
        recommendation, IOP, overridden=True, reason="Sober-living bed starts Monday."
    )
    assert decision.recommendation.level is RES


def test_override_needs_a_reason_and_a_different_level():
    recommendation = placement_recommend(vignette(**MODERATE))

    with pytest.raises(PlacementDecisionError) as raised:
        placement_override(recommendation, level=IOP, reason=" ")

    assert raised.value.errors == {
        "level": "is the recommended level; confirm the recommendation instead",
        "reason": "an override needs a reason",
    }
