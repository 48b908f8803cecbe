"""Properties of the level-of-care engine over every possible input (hypothesis)."""

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from stepwell.placement.inputs import (
    NOT_APPLICABLE_FOR_MENTAL_HEALTH_ONLY,
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
from stepwell.placement.levels import LevelOfCare, most_intensive
from stepwell.placement.rules import (
    RULE_SET_VERSION,
    RULE_SETS,
    placement_recommend,
    recommendation_to_dict,
)

ratings = st.integers(min_value=0, max_value=4)
# Findings that decide everything on their own are drawn rarely, so that most inputs
# exercise the dimension rules below them.
mostly_true = st.sampled_from([True, True, True, True, False])
mostly_false = st.sampled_from([False, False, False, False, True])
hours = st.floats(min_value=0, max_value=168, allow_nan=False)
days = st.none() | st.integers(min_value=0, max_value=7)

D1 = Dimension.D1_WITHDRAWAL
D2 = Dimension.D2_BIOMEDICAL
D3 = Dimension.D3_EMOTIONAL_BEHAVIORAL
D4 = Dimension.D4_READINESS
D5 = Dimension.D5_RELAPSE
D6 = Dimension.D6_RECOVERY_ENVIRONMENT
WM = LevelOfCare.WITHDRAWAL_MANAGEMENT


@st.composite
def treatment_history(draw):
    previous = draw(st.sampled_from(PreviousLowerLevel))
    if previous is PreviousLowerLevel.NONE:
        return previous, PreviousOutcome.NOT_TRIED
    return previous, draw(st.sampled_from([PreviousOutcome.INSUFFICIENT, PreviousOutcome.HELPED]))


@st.composite
def dimension_ratings(draw):
    return DimensionRatings(
        *(
            draw(st.none() | ratings)
            if dimension in NOT_APPLICABLE_FOR_MENTAL_HEALTH_ONLY
            else draw(ratings)
            for dimension in Dimension
        )
    )


@st.composite
def placement_inputs(draw):
    previous, outcome = draw(treatment_history())
    return PlacementInput(
        dimensions=draw(dimension_ratings()),
        mental_health_severity=draw(st.sampled_from(MentalHealthSeverity)),
        functional_impairment=draw(st.sampled_from(FunctionalImpairment)),
        suicide_risk=draw(st.sampled_from(SuicideRisk)),
        medically_stable=draw(mostly_true),
        needs_24h_structure=draw(mostly_false),
        available_hours_per_week=draw(hours),
        program_min_hours_per_week=draw(st.integers(min_value=1, max_value=20)),
        previous_lower_level=previous,
        previous_lower_level_outcome=outcome,
        step_down_from=draw(st.sampled_from(StepDownFrom)),
        iop_fit_criteria=tuple(
            draw(st.lists(st.sampled_from(IopFitCriterion), min_size=1, unique=True))
        ),
        offers_outpatient_withdrawal_care=draw(st.booleans()),
        available_days_per_week=draw(days),
    )


def higher(choice):
    return [member for member in type(choice) if member.rank > choice.rank]


def with_rating(assessment, dimension, rating):
    return replace(assessment, dimensions=assessment.dimensions.with_rating(dimension, rating))


def raised_one_risk(assessment):
    """Every input that differs from `assessment` by one risk finding, made worse.

    A dimension that does not apply (None) is the lowest risk: rating it at all raises it.
    """
    for dimension in Dimension:
        rating = assessment.dimensions.rating(dimension)
        for worse in range(0 if rating is None else rating + 1, 5):
            yield with_rating(assessment, dimension, worse)
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
    for rule_set in RULE_SETS.values():
        intensity = placement_recommend(assessment, rule_set=rule_set).level.intensity

        for worse in raised_one_risk(assessment):
            raised = placement_recommend(worse, rule_set=rule_set).level.intensity
            assert raised >= intensity, (rule_set.version, worse)


@given(placement_inputs())
def test_raising_a_risk_never_lowers_the_level_to_reassess_for_after_withdrawal(assessment):
    """Withdrawal management is a first step; the level that follows it is monotone too."""
    before = placement_recommend(assessment)

    for worse in raised_one_risk(assessment):
        after = placement_recommend(worse)
        if before.level is WM and after.level is WM:
            assert (
                after.after_withdrawal_management.intensity
                >= before.after_withdrawal_management.intensity
            ), worse


@given(placement_inputs())
def test_after_withdrawal_management_is_what_the_other_findings_call_for(assessment):
    recommendation = placement_recommend(assessment)
    without_withdrawal = placement_recommend(with_rating(assessment, D1, None))

    if recommendation.level is WM:
        assert recommendation.after_withdrawal_management is without_withdrawal.level
        assert recommendation.after_withdrawal_management is not WM
        assert "reassess_after_withdrawal_management" in [a.id for a in recommendation.actions]
    else:
        assert recommendation.after_withdrawal_management is None


@given(placement_inputs())
def test_withdrawal_management_only_for_withdrawal_risk_the_program_cannot_manage(assessment):
    level = placement_recommend(assessment).level
    withdrawal = assessment.dimensions.rating(D1)

    if level is WM:
        assert withdrawal == 3 or (
            withdrawal == 2 and not assessment.offers_outpatient_withdrawal_care
        )


@given(placement_inputs(), ratings)
def test_readiness_never_raises_the_level_on_its_own(assessment, readiness):
    """Without relapse risk or recovery environment at 3 or more, readiness changes nothing."""
    relapse = assessment.dimensions.rating(D5)
    low_other_risk = with_rating(
        with_rating(assessment, D5, None if relapse is None else min(relapse, 2)),
        D6,
        min(assessment.dimensions.rating(D6), 2),
    )
    changed = with_rating(low_other_risk, D4, readiness)

    assert placement_recommend(changed).level is placement_recommend(low_other_risk).level


@given(placement_inputs())
def test_physical_health_3_is_medically_monitored_and_emotional_3_is_php(assessment):
    """A rating of 3 adds exactly its own floor to what everything else calls for."""
    for dimension, floor in (
        (D2, LevelOfCare.MEDICALLY_MONITORED_INPATIENT),
        (D3, LevelOfCare.PARTIAL_HOSPITALIZATION),
    ):
        at_2 = placement_recommend(with_rating(assessment, dimension, 2)).level
        at_3 = placement_recommend(with_rating(assessment, dimension, 3)).level

        assert at_3 is most_intensive([at_2, floor])


@given(placement_inputs())
def test_high_suicide_risk_is_a_php_floor_with_a_same_day_safety_evaluation(assessment):
    recommendation = placement_recommend(replace(assessment, suicide_risk=SuicideRisk.HIGH))

    assert recommendation.level.intensity >= LevelOfCare.PARTIAL_HOSPITALIZATION.intensity
    assert [(a.id, a.required) for a in recommendation.actions][:1] == [
        ("same_day_safety_evaluation", True)
    ]


@given(placement_inputs(), st.sampled_from([D1, D2, D3, D5, D6]))
def test_imminent_risk_or_dimensions_other_than_readiness_at_4_never_yield_iop(
    assessment, dimension
):
    imminent = replace(assessment, suicide_risk=SuicideRisk.IMMINENT)
    extreme = with_rating(assessment, dimension, 4)

    assert placement_recommend(imminent).level is LevelOfCare.INPATIENT
    assert placement_recommend(extreme).level.intensity >= LevelOfCare.RESIDENTIAL.intensity


@given(placement_inputs(), hours, days)
def test_availability_is_a_barrier_never_a_reason_to_lower_the_level(
    assessment, available, available_days
):
    other = replace(
        assessment, available_hours_per_week=available, available_days_per_week=available_days
    )
    recommendation = placement_recommend(other)

    assert recommendation.level is placement_recommend(assessment).level
    below_minimum = available < assessment.program_min_hours_per_week
    hour_barriers = [b.id for b in recommendation.barriers if b.id.startswith("availability_below")]
    if recommendation.level is LevelOfCare.INTENSIVE_OUTPATIENT:
        assert hour_barriers == (["availability_below_program_minimum"] if below_minimum else [])
        too_few_days = available_days is not None and available_days < 3
        assert ("availability_fewer_than_3_days" in [b.id for b in recommendation.barriers]) is (
            too_few_days
        )


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


@given(placement_inputs())
def test_what_would_change_is_always_a_less_intensive_level(assessment):
    recommendation = placement_recommend(assessment)

    for would_change in recommendation.would_change:
        assert would_change.level.intensity < recommendation.level.intensity
        assert would_change.changes


@given(placement_inputs())
def test_every_recommendation_serialises_to_json(assessment):
    for rule_set in RULE_SETS.values():
        result = recommendation_to_dict(placement_recommend(assessment, rule_set=rule_set))

        assert json.loads(json.dumps(result)) == result
        assert result["rule_set"] == rule_set.version
