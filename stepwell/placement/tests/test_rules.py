"""Engine tests: clinical vignettes, one or more per rule and per level (no database)."""

import json
from dataclasses import replace

import pytest

from stepwell.placement.inputs import (
    Dimension,
    DimensionRatings,
    IopFitCriterion,
    PlacementInputError,
    placement_input_from_dict,
)
from stepwell.placement.levels import LevelOfCare
from stepwell.placement.rules import (
    RULE_SET,
    Barrier,
    ClinicianDecision,
    PlacementDecisionError,
    RuleSet,
    WouldChange,
    placement_confirm,
    placement_override,
    placement_recommend,
    recommendation_to_dict,
)

OP = LevelOfCare.OUTPATIENT
IOP = LevelOfCare.INTENSIVE_OUTPATIENT
PHP = LevelOfCare.PARTIAL_HOSPITALIZATION
RES = LevelOfCare.RESIDENTIAL
WM = LevelOfCare.WITHDRAWAL_MANAGEMENT
INPT = LevelOfCare.INPATIENT

CALM_DIMENSIONS = {
    "d1_withdrawal": 0,
    "d2_biomedical": 1,
    "d3_emotional_behavioral": 1,
    "d4_readiness": 1,
    "d5_relapse": 1,
    "d6_recovery_environment": 0,
}

# A patient for whom no rule fires; each vignette changes only what it names.
CALM = {
    "dimensions": CALM_DIMENSIONS,
    "mental_health_severity": "mild",
    "functional_impairment": "mild",
    "suicide_risk": "low",
    "medically_stable": True,
    "needs_24h_structure": False,
    "available_hours_per_week": 12,
}


def vignette(dimensions=None, **fields):
    data = {**CALM, **fields, "dimensions": {**CALM_DIMENSIONS, **(dimensions or {})}}
    return placement_input_from_dict(data)


# (name, dimension ratings, other fields, level, fired rules most intensive first)
VIGNETTES = [
    ("calm, mild symptoms", {}, {}, OP, ["no_higher_need"]),
    (
        "first treatment, moderate depression",
        {},
        {"mental_health_severity": "moderate", "functional_impairment": "moderate"},
        IOP,
        ["moderate_or_worse_symptoms"],
    ),
    (
        "weekly therapy was not enough",
        {},
        {"previous_lower_level": "outpatient", "previous_lower_level_outcome": "insufficient"},
        IOP,
        ["outpatient_not_enough"],
    ),
    (
        "weekly therapy helped",
        {},
        {"previous_lower_level": "outpatient", "previous_lower_level_outcome": "helped"},
        OP,
        ["no_higher_need"],
    ),
    ("step down from residential", {}, {"step_down_from": "residential"}, IOP, ["step_down"]),
    ("moderate suicide risk", {}, {"suicide_risk": "moderate"}, IOP, ["suicide_risk_moderate"]),
    ("withdrawal risk 2", {"d1_withdrawal": 2}, {}, IOP, ["d1_withdrawal_2"]),
    ("physical health 2", {"d2_biomedical": 2}, {}, IOP, ["d2_biomedical_2"]),
    (
        "emotional and behavioural 2",
        {"d3_emotional_behavioral": 2},
        {},
        IOP,
        ["d3_emotional_behavioral_2"],
    ),
    ("readiness 2", {"d4_readiness": 2}, {}, IOP, ["d4_readiness_2"]),
    ("relapse risk 2", {"d5_relapse": 2}, {}, IOP, ["d5_relapse_2"]),
    (
        "recovery environment 2",
        {"d6_recovery_environment": 2},
        {},
        IOP,
        ["d6_recovery_environment_2"],
    ),
    (
        "severe symptoms, severe impairment",
        {},
        {"mental_health_severity": "severe", "functional_impairment": "severe"},
        PHP,
        ["severe_symptoms_severe_impairment", "moderate_or_worse_symptoms"],
    ),
    (
        "severe symptoms, moderate impairment",
        {},
        {"mental_health_severity": "severe", "functional_impairment": "moderate"},
        IOP,
        ["moderate_or_worse_symptoms"],
    ),
    ("high suicide risk", {}, {"suicide_risk": "high"}, PHP, ["suicide_risk_high"]),
    (
        "IOP was not enough",
        {},
        {
            "previous_lower_level": "intensive_outpatient",
            "previous_lower_level_outcome": "insufficient",
        },
        PHP,
        ["intensive_outpatient_not_enough"],
    ),
    ("readiness 3", {"d4_readiness": 3}, {}, PHP, ["d4_readiness_3"]),
    ("relapse risk 3", {"d5_relapse": 3}, {}, PHP, ["d5_relapse_3"]),
    (
        "PHP was not enough",
        {},
        {
            "previous_lower_level": "partial_hospitalization",
            "previous_lower_level_outcome": "insufficient",
        },
        RES,
        ["partial_hospitalization_not_enough"],
    ),
    ("needs 24-hour structure", {}, {"needs_24h_structure": True}, RES, ["needs_24h_structure"]),
    (
        "unsafe home",
        {"d6_recovery_environment": 3},
        {},
        RES,
        ["d6_recovery_environment_3_or_4"],
    ),
    (
        "dangerous home",
        {"d6_recovery_environment": 4},
        {},
        RES,
        ["d6_recovery_environment_3_or_4"],
    ),
    (
        "emotional and behavioural 3",
        {"d3_emotional_behavioral": 3},
        {},
        RES,
        ["d3_emotional_behavioral_3"],
    ),
    ("physical health 3", {"d2_biomedical": 3}, {}, RES, ["d2_biomedical_3"]),
    ("readiness 4", {"d4_readiness": 4}, {}, RES, ["d4_readiness_4"]),
    ("relapse risk 4", {"d5_relapse": 4}, {}, RES, ["d5_relapse_4"]),
    (
        "withdrawal risk 3 with moderate symptoms",
        {"d1_withdrawal": 3},
        {"mental_health_severity": "moderate"},
        WM,
        ["d1_withdrawal_3", "moderate_or_worse_symptoms"],
    ),
    (
        "withdrawal risk 3 and unsafe home: withdrawal management first",
        {"d1_withdrawal": 3, "d6_recovery_environment": 3},
        {},
        WM,
        ["d1_withdrawal_3", "d6_recovery_environment_3_or_4"],
    ),
    ("imminent suicide risk", {}, {"suicide_risk": "imminent"}, INPT, ["suicide_risk_imminent"]),
    (
        "imminent suicide risk on a step down",
        {},
        {"suicide_risk": "imminent", "step_down_from": "partial_hospitalization"},
        INPT,
        ["suicide_risk_imminent", "step_down"],
    ),
    ("medically unstable", {}, {"medically_stable": False}, INPT, ["medically_unstable"]),
    ("withdrawal risk 4", {"d1_withdrawal": 4}, {}, INPT, ["d1_withdrawal_4"]),
    ("physical health 4", {"d2_biomedical": 4}, {}, INPT, ["d2_biomedical_4"]),
    (
        "emotional and behavioural 4",
        {"d3_emotional_behavioral": 4},
        {},
        INPT,
        ["d3_emotional_behavioral_4"],
    ),
]


@pytest.mark.parametrize(
    ("dimensions", "fields", "level", "fired"),
    [pytest.param(*row[1:], id=row[0]) for row in VIGNETTES],
)
def test_vignette(dimensions, fields, level, fired):
    recommendation = placement_recommend(vignette(dimensions, **fields))

    assert recommendation.level is level
    assert [firing.rule_id for firing in recommendation.rationale] == fired
    assert recommendation.rule_set == "stepwell-loc-2026.11"


def test_vignettes_cover_every_rule_and_every_level():
    fired = {rule_id for *_, rule_ids in VIGNETTES for rule_id in rule_ids}
    levels = {row[3] for row in VIGNETTES}

    assert fired == {rule.id for rule in RULE_SET.rules} | {RULE_SET.baseline.id}
    assert levels == set(LevelOfCare)


def test_rule_ids_are_unique():
    ids = [rule.id for rule in RULE_SET.rules]

    assert len(ids) == len(set(ids)) == 28


def test_rationale_is_in_plain_words():
    recommendation = placement_recommend(
        vignette({"d1_withdrawal": 3}, mental_health_severity="moderate")
    )

    assert [(f.level, f.description) for f in recommendation.rationale] == [
        (WM, "Withdrawal risk (dimension 1) is rated 3: refer for withdrawal management first."),
        (
            IOP,
            "Mental-health symptoms are moderate or worse: needs structured treatment several "
            "times a week.",
        ),
    ]


def test_rule_set_version_is_recorded_from_the_rule_set_used():
    trial = RuleSet(version="trial-1", rules=RULE_SET.rules, baseline=RULE_SET.baseline)

    assert placement_recommend(vignette(), rule_set=trial).rule_set == "trial-1"


def test_dimension_names_are_the_third_edition_names_only():
    assert [dimension.asam_name for dimension in Dimension] == [
        "Acute Intoxication and/or Withdrawal Potential",
        "Biomedical Conditions and Complications",
        "Emotional, Behavioral, or Cognitive Conditions and Complications",
        "Readiness to Change",
        "Relapse, Continued Use, or Continued Problem Potential",
        "Recovery/Living Environment",
    ]


# --- barriers -----------------------------------------------------------------------------

MODERATE = {"mental_health_severity": "moderate", "functional_impairment": "moderate"}


@pytest.mark.parametrize(
    ("fields", "level", "barriers"),
    [
        pytest.param(
            {**MODERATE, "available_hours_per_week": 6},
            IOP,
            [
                Barrier(
                    "availability_below_program_minimum",
                    "The patient can attend 6 hours a week; the program's minimum for "
                    "intensive outpatient is 9 hours a week.",
                )
            ],
            id="IOP, 6 of 9 hours",
        ),
        pytest.param({**MODERATE, "available_hours_per_week": 9}, IOP, [], id="IOP, 9 of 9 hours"),
        pytest.param(
            {**MODERATE, "available_hours_per_week": 10.5, "program_min_hours_per_week": 12},
            IOP,
            [
                Barrier(
                    "availability_below_program_minimum",
                    "The patient can attend 10.5 hours a week; the program's minimum for "
                    "intensive outpatient is 12 hours a week.",
                )
            ],
            id="IOP, program minimum 12",
        ),
        pytest.param(
            {"suicide_risk": "high", "available_hours_per_week": 15},
            PHP,
            [
                Barrier(
                    "availability_below_php_minimum",
                    "The patient can attend 15 hours a week; partial hospitalization needs at "
                    "least 20 hours a week.",
                )
            ],
            id="PHP, 15 hours",
        ),
        pytest.param({"suicide_risk": "high", "available_hours_per_week": 20}, PHP, [], id="PHP"),
        pytest.param({"available_hours_per_week": 1}, OP, [], id="outpatient, 1 hour"),
        pytest.param(
            {"needs_24h_structure": True, "available_hours_per_week": 0},
            RES,
            [],
            id="residential, 0 hours",
        ),
    ],
)
def test_barriers(fields, level, barriers):
    recommendation = placement_recommend(vignette(**fields))

    assert recommendation.level is level
    assert list(recommendation.barriers) == barriers


# --- what would change the answer ---------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "fields", "would_change"),
    [
        pytest.param(
            {"d1_withdrawal": 3},
            {"mental_health_severity": "moderate"},
            "If withdrawal risk (dimension 1) were rated 2 instead of 3, the recommendation "
            "would be intensive outpatient.",
            id="withdrawal",
        ),
        pytest.param(
            {"d6_recovery_environment": 4},
            {},
            "If recovery environment (dimension 6) were rated 2 instead of 4, the "
            "recommendation would be intensive outpatient.",
            id="recovery environment",
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
            {"mental_health_severity": "moderately_severe"},
            "If emotional and behavioural health (dimension 3) were rated 1 instead of 2, "
            "relapse risk (dimension 5) were rated 1 instead of 2 and mental-health symptoms "
            "were mild rather than moderately severe, the recommendation would be outpatient.",
            id="three deciding rules",
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
            {
                "previous_lower_level": "partial_hospitalization",
                "previous_lower_level_outcome": "insufficient",
            },
            "If the earlier partial hospitalization care had helped, the recommendation would "
            "be outpatient.",
            id="previous level",
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
        WouldChange(("withdrawal risk (dimension 1) were rated 2 instead of 3",), PHP),
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
                FIT.NEEDS_STRUCTURED_TREATMENT: True,
                FIT.LIMITED_TIME_FOR_FULL_TIME_CARE: False,
                FIT.LOWER_INTENSITY_NOT_ENOUGH: False,
            },
            False,
            id="little interference, outpatient helped, time for full-time care",
        ),
        pytest.param(
            {},
            {
                FIT.SYMPTOMS_INTERFERE_WITH_DAILY_LIFE: False,
                FIT.NEEDS_STRUCTURED_TREATMENT: False,
                FIT.LIMITED_TIME_FOR_FULL_TIME_CARE: True,
                FIT.LOWER_INTENSITY_NOT_ENOUGH: None,
            },
            False,
            id="outpatient",
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
            mental_health_severity="moderate",
            available_hours_per_week=4,
            iop_fit_criteria=["lower_intensity_not_enough"],
        )
    )

    result = recommendation_to_dict(recommendation)

    assert json.loads(json.dumps(result)) == result
    assert result == {
        "level": "withdrawal_management",
        "rationale": [
            {
                "rule": "d1_withdrawal_3",
                "level": "withdrawal_management",
                "description": (
                    "Withdrawal risk (dimension 1) is rated 3: refer for withdrawal management "
                    "first."
                ),
            },
            {
                "rule": "moderate_or_worse_symptoms",
                "level": "intensive_outpatient",
                "description": (
                    "Mental-health symptoms are moderate or worse: needs structured treatment "
                    "several times a week."
                ),
            },
        ],
        "barriers": [],
        "would_change": [
            {
                "changes": ["withdrawal risk (dimension 1) were rated 2 instead of 3"],
                "level": "intensive_outpatient",
                "description": (
                    "If withdrawal risk (dimension 1) were rated 2 instead of 3, the "
                    "recommendation would be intensive outpatient."
                ),
            }
        ],
        "iop_fit": {"criteria": {"lower_intensity_not_enough": None}, "fits": True},
        "rule_set": "stepwell-loc-2026.11",
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


# --- input errors -------------------------------------------------------------------------


def errors_for(data):
    with pytest.raises(PlacementInputError) as raised:
        placement_input_from_dict(data)
    return raised.value.errors


def test_defaults_for_optional_fields():
    placement_input = placement_input_from_dict(CALM)

    assert placement_input.program_min_hours_per_week == 9
    assert placement_input.previous_lower_level == "none"
    assert placement_input.previous_lower_level_outcome == "not_tried"
    assert placement_input.step_down_from == "none"
    assert placement_input.iop_fit_criteria == tuple(IopFitCriterion)


def test_every_bad_field_is_named_at_once():
    data = {
        "dimensions": {
            "d1_withdrawal": 5,
            "d2_biomedical": True,
            "d3_emotional_behavioral": "2",
            "d4_readiness": 1.5,
            "d5_relapse": -1,
            "d7_spirituality": 1,
        },
        "mental_health_severity": "very bad",
        "functional_impairment": None,
        "suicide_risk": "HIGH",
        "medically_stable": "yes",
        "needs_24h_structure": 0,
        "available_hours_per_week": "ten",
        "program_min_hours_per_week": 0,
        "previous_lower_level": "residential",
        "step_down_from": "outpatient",
        "iop_fit_criteria": ["symptoms_interfere_with_daily_life", "good_insurance"],
        "notes": "free text",
    }

    assert errors_for(data) == {
        "notes": "unknown field",
        "dimensions.d7_spirituality": "unknown field",
        "dimensions.d1_withdrawal": "must be from 0 to 4, got 5",
        "dimensions.d2_biomedical": "must be a whole number from 0 to 4",
        "dimensions.d3_emotional_behavioral": "must be a whole number from 0 to 4",
        "dimensions.d4_readiness": "must be a whole number from 0 to 4",
        "dimensions.d5_relapse": "must be from 0 to 4, got -1",
        "dimensions.d6_recovery_environment": "required",
        "mental_health_severity": (
            "must be one of: none, mild, moderate, moderately_severe, severe"
        ),
        "functional_impairment": "must be one of: none, mild, moderate, severe",
        "suicide_risk": "must be one of: none, low, moderate, high, imminent",
        "medically_stable": "must be true or false",
        "needs_24h_structure": "must be true or false",
        "available_hours_per_week": "must be a number of hours",
        "program_min_hours_per_week": "must be more than 0 and at most 168, got 0",
        "previous_lower_level": (
            "must be one of: none, outpatient, intensive_outpatient, partial_hospitalization"
        ),
        "step_down_from": "must be one of: none, partial_hospitalization, residential, inpatient",
        "iop_fit_criteria": (
            "every item must be one of: symptoms_interfere_with_daily_life, "
            "needs_structured_treatment, limited_time_for_full_time_care, "
            "lower_intensity_not_enough"
        ),
    }


def test_missing_required_fields_are_named():
    assert errors_for({}) == {
        "dimensions": "required",
        "mental_health_severity": "required",
        "functional_impairment": "required",
        "suicide_risk": "required",
        "medically_stable": "required",
        "needs_24h_structure": "required",
        "available_hours_per_week": "required",
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param(
            {"dimensions": [1, 2, 3, 4, 0, 1]},
            {"dimensions": "must be an object with the six dimension ratings"},
            id="dimensions not an object",
        ),
        pytest.param(
            {"available_hours_per_week": 200},
            {"available_hours_per_week": "must be from 0 to 168, got 200"},
            id="more hours than a week has",
        ),
        pytest.param(
            {"available_hours_per_week": True},
            {"available_hours_per_week": "must be a number of hours"},
            id="hours as a boolean",
        ),
        pytest.param(
            {"previous_lower_level_outcome": "insufficient"},
            {"previous_lower_level_outcome": "must be not_tried when previous_lower_level is none"},
            id="outcome without a previous level",
        ),
        pytest.param(
            {"previous_lower_level": "outpatient"},
            {
                "previous_lower_level_outcome": (
                    "must be insufficient or helped when previous_lower_level is given"
                )
            },
            id="previous level without an outcome",
        ),
        pytest.param(
            {"iop_fit_criteria": []},
            {
                "iop_fit_criteria": (
                    "must be a non-empty list drawn from: symptoms_interfere_with_daily_life, "
                    "needs_structured_treatment, limited_time_for_full_time_care, "
                    "lower_intensity_not_enough"
                )
            },
            id="no IOP-fit criteria",
        ),
        pytest.param(
            {"iop_fit_criteria": ["needs_structured_treatment", "needs_structured_treatment"]},
            {"iop_fit_criteria": "must not repeat a criterion"},
            id="repeated IOP-fit criterion",
        ),
    ],
)
def test_field_errors(fields, errors):
    assert errors_for({**CALM, **fields}) == errors


def test_input_must_be_an_object():
    assert errors_for([CALM]) == {"input": "must be a JSON object"}


def test_constructing_out_of_range_values_directly_names_the_field():
    with pytest.raises(PlacementInputError) as raised:
        DimensionRatings(0, 0, 5, 0, 0, 0)
    assert raised.value.errors == {
        "dimensions.d3_emotional_behavioral": "must be from 0 to 4, got 5"
    }

    with pytest.raises(PlacementInputError) as raised:
        replace(vignette(), available_hours_per_week=-1)
    assert raised.value.errors == {"available_hours_per_week": "must be from 0 to 168, got -1"}
