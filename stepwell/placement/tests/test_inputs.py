"""Reading a placement input: defaults, and every bad field named at once."""

from dataclasses import replace

import pytest

from stepwell.placement.inputs import (
    Dimension,
    DimensionRatings,
    IopFitCriterion,
    PlacementInputError,
    placement_input_from_dict,
)

from .vignettes import CALM, CALM_DIMENSIONS, vignette

DIMENSION_D5 = Dimension.D5_RELAPSE


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
    assert placement_input.offers_outpatient_withdrawal_care is False
    assert placement_input.available_days_per_week is None


def test_every_bad_field_is_named_at_once():
    data = {
        "dimensions": {
            "d1_withdrawal": 5,
            "d2_biomedical": True,
            "d3_emotional_behavioral": "2",
            "d4_readiness": None,
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
        "offers_outpatient_withdrawal_care": "no",
        "available_days_per_week": 8,
        "notes": "free text",
    }

    assert errors_for(data) == {
        "notes": "unknown field",
        "dimensions.d7_spirituality": "unknown field",
        "dimensions.d1_withdrawal": "must be from 0 to 4, got 5",
        "dimensions.d2_biomedical": "must be a whole number from 0 to 4",
        "dimensions.d3_emotional_behavioral": "must be a whole number from 0 to 4",
        "dimensions.d4_readiness": (
            "must be a whole number from 0 to 4; only withdrawal and relapse risk may be "
            "null (not applicable)"
        ),
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
        "offers_outpatient_withdrawal_care": "must be true or false",
        "available_days_per_week": "must be from 0 to 7, got 8",
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
            {"dimensions": {**CALM_DIMENSIONS, "d5_relapse": 2.5}},
            {
                "dimensions.d5_relapse": "must be a whole number from 0 to 4 or null (not applicable)"
            },
            id="relapse risk not whole",
        ),
        pytest.param(
            {"dimensions": {**CALM_DIMENSIONS, "d6_recovery_environment": None}},
            {
                "dimensions.d6_recovery_environment": (
                    "must be a whole number from 0 to 4; only withdrawal and relapse risk may "
                    "be null (not applicable)"
                )
            },
            id="recovery environment not applicable",
        ),
        pytest.param(
            {"available_days_per_week": 2.5},
            {"available_days_per_week": "must be a whole number of days from 0 to 7, or null"},
            id="half a day",
        ),
        pytest.param(
            {"available_days_per_week": -1},
            {"available_days_per_week": "must be from 0 to 7, got -1"},
            id="negative days",
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


def test_withdrawal_and_relapse_may_be_not_applicable():
    placement_input = vignette({"d1_withdrawal": None, "d5_relapse": None})

    assert placement_input.dimensions.d1_withdrawal is None
    assert placement_input.dimensions.d5_relapse is None
    assert placement_input.dimensions.at_least(DIMENSION_D5, 0) is False


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


def test_constructing_not_applicable_ratings_directly():
    assert DimensionRatings(None, 0, 0, 0, None, 0).d1_withdrawal is None

    with pytest.raises(PlacementInputError) as raised:
        DimensionRatings(0, None, 0, 0, 0, 0)
    assert raised.value.errors == {
        "dimensions.d2_biomedical": (
            "must be a whole number from 0 to 4; only withdrawal and relapse risk may be "
            "null (not applicable)"
        )
    }

    with pytest.raises(PlacementInputError) as raised:
        replace(vignette(), available_days_per_week=9)
    assert raised.value.errors == {"available_days_per_week": "must be from 0 to 7, got 9"}
