"""Properties of the level-of-care engine over every possible input (hypothesis)."""

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from stepwell.placement.inputs import (
    Dimension,
    DimensionRatings,
    FunctionalImpairment,
    IopFitCriterion,
    MentalHealthSeverity,
    PlacementInput,
    PreviousLowerLevel,
    PreviousOutcome,
    StepDownFrom,
    SuicideRisk,
)
from stepwell.placement.levels import LevelOfCare
from stepwell.placement.rules import (
    RULE_SET_VERSION,
    placement_recommend,
    recommendation_to_dict,
)

ratings = st.integers(min_value=0, max_value=4)
hours = st.floats(min_value=0, max_value=168, allow_nan=False)


@st.composite
def treatment_history(draw):
    previous = draw(st.sampled_from(PreviousLowerLevel))
    if previous is PreviousLowerLevel.NONE:
        return previous, PreviousOutcome.NOT_TRIED
    return previous, draw(st.sampled_from([PreviousOutcome.INSUFFICIENT, PreviousOutcome.HELPED]))


@st.composite
def placement_inputs(draw):
    previous, outcome = draw(treatment_history())
    return PlacementInput(
        dimensions=DimensionRatings(*(draw(ratings) for _ in Dimension)),
        mental_health_severity=draw(st.sampled_from(MentalHealthSeverity)),
        functional_impairment=draw(st.sampled_from(FunctionalImpairment)),
        suicide_risk=draw(st.sampled_from(SuicideRisk)),
        medically_stable=draw(st.booleans()),
        needs_24h_structure=draw(st.booleans()),
        available_hours_per_week=draw(hours),
        program_min_hours_per_week=draw(st.integers(min_value=1, max_value=20)),
        previous_lower_level=previous,
        previous_lower_level_outcome=outcome,
        step_down_from=draw(st.sampled_from(StepDownFrom)),
        iop_fit_criteria=tuple(
            draw(st.lists(st.sampled_from(IopFitCriterion), min_size=1, unique=True))
        ),
    )


def higher(choice):
    return [member for member in type(choice) if member.rank > choice.rank]


def raised_one_risk(assessment):
    """Every input that differs from `assessment` by one risk finding, made worse."""
    for dimension in Dimension:
        rating = assessment.dimensions.rating(dimension)
        for worse in range(rating + 1, 5):
            yield replace(
                assessment, dimensions=assessment.dimensions.with_rating(dimension, worse)
            )
    for field in ("mental_health_severity", "functional_impairment", "suicide_risk"):
        for worse in higher(getattr(assessment, field)):
            yield replace(assessment, **{field: worse})
    if assessment.medically_stable:
        yield replace(assessment, medically_stable=False)
    if not assessment.needs_24h_structure:
        yield replace(assessment, needs_24h_structure=True)
    if assessment.step_down_from is StepDownFrom.NONE:
        for source in higher(assessment.step_down_from):
            yield replace(assessment, step_down_from=source)
    # Earlier treatment that did not work, at the same or a more intensive level.
    for previous in [assessment.previous_lower_level, *higher(assessment.previous_lower_level)]:
        if previous is not PreviousLowerLevel.NONE:
            yield replace(
                assessment,
                previous_lower_level=previous,
                previous_lower_level_outcome=PreviousOutcome.INSUFFICIENT,
            )


@given(placement_inputs())
def test_raising_any_single_risk_never_lowers_the_intensity(assessment):
    intensity = placement_recommend(assessment).level.intensity

    for worse in raised_one_risk(assessment):
        assert placement_recommend(worse).level.intensity >= intensity, worse


@given(placement_inputs())
def test_the_level_is_the_most_intensive_level_a_fired_rule_demands(assessment):
    recommendation = placement_recommend(assessment)

    assert recommendation.level in set(LevelOfCare)
    assert recommendation.rationale
    assert recommendation.level is recommendation.rationale[0].level
    assert all(
        firing.level.intensity <= recommendation.level.intensity
        for firing in recommendation.rationale
    )
    assert recommendation.rule_set == RULE_SET_VERSION


@given(placement_inputs(), st.sampled_from(Dimension))
def test_imminent_risk_or_any_dimension_at_4_never_yields_iop(assessment, dimension):
    imminent = replace(assessment, suicide_risk=SuicideRisk.IMMINENT)
    extreme = replace(assessment, dimensions=assessment.dimensions.with_rating(dimension, 4))

    assert placement_recommend(imminent).level is LevelOfCare.INPATIENT
    assert placement_recommend(extreme).level.intensity >= LevelOfCare.RESIDENTIAL.intensity


@given(placement_inputs(), hours)
def test_availability_is_a_barrier_never_a_reason_to_lower_the_level(assessment, available):
    other = replace(assessment, available_hours_per_week=available)
    recommendation = placement_recommend(other)

    assert recommendation.level is placement_recommend(assessment).level
    below_minimum = available < assessment.program_min_hours_per_week
    if recommendation.level is LevelOfCare.INTENSIVE_OUTPATIENT:
        assert [barrier.id for barrier in recommendation.barriers] == (
            ["availability_below_program_minimum"] if below_minimum else []
        )


@given(placement_inputs())
def test_what_would_change_is_always_a_less_intensive_level(assessment):
    recommendation = placement_recommend(assessment)

    for would_change in recommendation.would_change:
        assert would_change.level.intensity < recommendation.level.intensity
        assert would_change.changes


@given(placement_inputs())
def test_every_recommendation_serialises_to_json(assessment):
    result = recommendation_to_dict(placement_recommend(assessment))

    assert json.loads(json.dumps(result)) == result
    assert result["rule_set"] == RULE_SET_VERSION
