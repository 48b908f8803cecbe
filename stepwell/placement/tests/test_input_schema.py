"""The placement input's typed boundary: wrong types, missing, unknown and out-of-range
fields, each named by its path; what a file gives reaches the engine unchanged."""

import pytest

from stepwell.placement.input_schema import PlacementInputModel, read_placement_input
from stepwell.placement.inputs import PlacementInputError, placement_input_from_dict

from .vignettes import CALM, CALM_DIMENSIONS


def errors_for(data):
    with pytest.raises(PlacementInputError) as raised:
        read_placement_input(data)
    return raised.value.errors


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param(
            {"dimensions": {}},
            {f"dimensions.{name}": "required" for name in CALM_DIMENSIONS},
            id="every dimension missing",
        ),
        pytest.param(
            {"dimensions": {**CALM_DIMENSIONS, "d2_biomedical": "1"}},
            {"dimensions.d2_biomedical": "must be a whole number from 0 to 4"},
            id="rating as text",
        ),
        pytest.param(
            {"iop_fit_criteria": "needs_structured_treatment"},
            {
                "iop_fit_criteria": (
                    "must be a non-empty list drawn from: symptoms_interfere_with_daily_life, "
                    "needs_structured_treatment, limited_time_for_full_time_care, "
                    "lower_intensity_not_enough"
                )
            },
            id="criteria not a list",
        ),
        pytest.param(
            {"available_hours_per_week": 168.5},
            {"available_hours_per_week": "must be from 0 to 168, got 168.5"},
            id="hours above a week",
        ),
        pytest.param(
            {"program_min_hours_per_week": 200},
            {"program_min_hours_per_week": "must be more than 0 and at most 168, got 200"},
            id="program hours above a week",
        ),
        pytest.param(
            {"available_days_per_week": "3"},
            {"available_days_per_week": "must be a whole number of days from 0 to 7, or null"},
            id="days as text",
        ),
        pytest.param(
            {"medically_stable": None},
            {"medically_stable": "must be true or false"},
            id="flag null",
        ),
        pytest.param(
            {"dimensions": {**CALM_DIMENSIONS, "d0_spirit": 1}},
            {"dimensions.d0_spirit": "unknown field"},
            id="unknown dimension",
        ),
    ],
)
def test_bad_fields_are_named_by_their_path(fields, errors):
    assert errors_for({**CALM, **fields}) == errors


def test_a_bad_level_does_not_also_blame_its_outcome():
    assert errors_for({**CALM, "previous_lower_level": "rehab"}) == {
        "previous_lower_level": (
            "must be one of: none, outpatient, intensive_outpatient, partial_hospitalization"
        )
    }


def test_values_reach_the_engine_as_given():
    placement_input = placement_input_from_dict(
        {**CALM, "available_hours_per_week": 12, "program_min_hours_per_week": 7.5}
    )
    assert placement_input.available_hours_per_week == 12
    assert isinstance(placement_input.available_hours_per_week, int)
    assert placement_input.program_min_hours_per_week == 7.5
    assert placement_input.dimensions.d5_relapse == 1


def test_the_model_documents_every_field_as_json_schema():
    schema = PlacementInputModel.model_json_schema()
    assert set(schema["required"]) == {
        "dimensions",
        "mental_health_severity",
        "functional_impairment",
        "suicide_risk",
        "medically_stable",
        "needs_24h_structure",
        "available_hours_per_week",
    }
    assert schema["additionalProperties"] is False
