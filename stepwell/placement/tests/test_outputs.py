"""What a recommendation says besides its level: required and advised actions, the level
to reassess for after withdrawal management, and barriers."""

import pytest

from stepwell.placement.rules import (
    Action,
    Barrier,
    placement_recommend,
)

from .vignettes import INPT, IOP, IOP_NOT_ENOUGH, MMI, MODERATE, OP, PHP, RES, WM, vignette

# --- actions ------------------------------------------------------------------------------

SAME_DAY = Action(
    "same_day_safety_evaluation",
    "Suicide risk is high: a same-day safety evaluation is required before the patient "
    "leaves today, whatever level is chosen.",
    required=True,
)


@pytest.mark.parametrize(
    ("dimensions", "fields", "level", "actions"),
    [
        pytest.param({}, {}, OP, [], id="calm"),
        pytest.param({}, {"suicide_risk": "moderate"}, IOP, [], id="moderate suicide risk"),
        pytest.param({}, {"suicide_risk": "high"}, PHP, [SAME_DAY], id="high suicide risk"),
        pytest.param(
            {},
            {"suicide_risk": "high", "needs_24h_structure": True},
            RES,
            [SAME_DAY],
            id="high suicide risk, residential",
        ),
        pytest.param(
            {},
            {"suicide_risk": "imminent"},
            INPT,
            [
                Action(
                    "emergency_evaluation_now",
                    "Suicide risk is imminent: arrange an emergency evaluation now; the "
                    "patient should not leave until it is done.",
                    required=True,
                )
            ],
            id="imminent suicide risk",
        ),
        pytest.param(
            {"d4_readiness": 3},
            {},
            OP,
            [
                Action(
                    "engagement_work",
                    "Readiness to change (dimension 4) is rated 3: add engagement work (for "
                    "example motivational interviewing) to the plan. Low readiness does not "
                    "raise the level on its own.",
                    required=False,
                )
            ],
            id="readiness 3",
        ),
        pytest.param(
            {"d1_withdrawal": 3, "d3_emotional_behavioral": 3},
            {},
            WM,
            [
                Action(
                    "reassess_after_withdrawal_management",
                    "After withdrawal management, reassess the level of care: the other "
                    "findings call for partial hospitalization.",
                    required=True,
                )
            ],
            id="withdrawal 3 then partial hospitalization",
        ),
    ],
)
def test_actions(dimensions, fields, level, actions):
    recommendation = placement_recommend(vignette(dimensions, **fields))

    assert recommendation.level is level
    assert list(recommendation.actions) == actions


# --- the level to reassess for after withdrawal management --------------------------------


@pytest.mark.parametrize(
    ("dimensions", "fields", "level", "after"),
    [
        pytest.param({"d1_withdrawal": 3}, {}, WM, OP, id="withdrawal 3 alone"),
        pytest.param({"d1_withdrawal": 3}, MODERATE, WM, IOP, id="withdrawal 3, moderate symptoms"),
        pytest.param(
            {"d1_withdrawal": 3, "d3_emotional_behavioral": 3},
            {},
            WM,
            PHP,
            id="withdrawal 3, emotional 3",
        ),
        pytest.param(
            {"d1_withdrawal": 3},
            {"needs_24h_structure": True},
            WM,
            RES,
            id="withdrawal 3, needs 24-hour structure",
        ),
        pytest.param(
            {"d1_withdrawal": 2, "d5_relapse": 3},
            IOP_NOT_ENOUGH,
            WM,
            PHP,
            id="withdrawal 2 without outpatient withdrawal care, relapse 3 after IOP",
        ),
        pytest.param(
            {"d1_withdrawal": 2},
            {"offers_outpatient_withdrawal_care": True},
            IOP,
            None,
            id="withdrawal 2 managed in the program",
        ),
        pytest.param(
            {"d1_withdrawal": 3, "d2_biomedical": 3},
            {},
            MMI,
            None,
            id="medically monitored setting manages withdrawal too",
        ),
        pytest.param({}, MODERATE, IOP, None, id="no withdrawal finding"),
    ],
)
def test_after_withdrawal_management(dimensions, fields, level, after):
    recommendation = placement_recommend(vignette(dimensions, **fields))

    assert recommendation.level is level
    assert recommendation.after_withdrawal_management is after


# --- barriers -----------------------------------------------------------------------------


def _hours_barrier(hours, minimum=9):
    return Barrier(
        "availability_below_program_minimum",
        f"The patient can attend {hours} hours a week; the program's minimum for "
        f"intensive outpatient is {minimum} hours a week.",
    )


HOUSING = Barrier(
    "recovery_housing_referral",
    "Recovery environment (dimension 6) is rated 3: refer to recovery housing (for example "
    "a sober-living home) so that the patient attends from a safer place.",
)


@pytest.mark.parametrize(
    ("dimensions", "fields", "level", "barriers"),
    [
        pytest.param(
            {}, {**MODERATE, "available_hours_per_week": 6}, IOP, [_hours_barrier(6)], id="6 of 9"
        ),
        pytest.param({}, {**MODERATE, "available_hours_per_week": 9}, IOP, [], id="9 of 9"),
        pytest.param(
            {},
            {**MODERATE, "available_hours_per_week": 10.5, "program_min_hours_per_week": 12},
            IOP,
            [_hours_barrier(10.5, 12)],
            id="program minimum 12",
        ),
        pytest.param(
            {},
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
        pytest.param(
            {}, {"suicide_risk": "high", "available_hours_per_week": 20}, PHP, [], id="PHP"
        ),
        pytest.param({}, {"available_hours_per_week": 1}, OP, [], id="outpatient, 1 hour"),
        pytest.param(
            {},
            {"needs_24h_structure": True, "available_hours_per_week": 0},
            RES,
            [],
            id="residential, 0 hours",
        ),
        pytest.param(
            {},
            {**MODERATE, "available_days_per_week": 2},
            IOP,
            [
                Barrier(
                    "availability_fewer_than_3_days",
                    "The patient can attend on 2 days a week; intensive outpatient needs at "
                    "least 3 days a week.",
                )
            ],
            id="IOP, 2 days",
        ),
        pytest.param(
            {},
            {"suicide_risk": "high", "available_hours_per_week": 24, "available_days_per_week": 1},
            PHP,
            [
                Barrier(
                    "availability_fewer_than_3_days",
                    "The patient can attend on 1 day a week; partial hospitalization needs at "
                    "least 3 days a week.",
                )
            ],
            id="PHP, 1 day",
        ),
        pytest.param({}, {**MODERATE, "available_days_per_week": 3}, IOP, [], id="IOP, 3 days"),
        pytest.param({}, {**MODERATE, "available_days_per_week": None}, IOP, [], id="days unknown"),
        pytest.param({}, {"available_days_per_week": 1}, OP, [], id="outpatient, 1 day"),
        pytest.param(
            {},
            {**MODERATE, "available_hours_per_week": 4, "available_days_per_week": 0},
            IOP,
            [
                _hours_barrier(4),
                Barrier(
                    "availability_fewer_than_3_days",
                    "The patient can attend on 0 days a week; intensive outpatient needs at "
                    "least 3 days a week.",
                ),
            ],
            id="IOP, no time at all",
        ),
        pytest.param({"d6_recovery_environment": 3}, {}, IOP, [HOUSING], id="environment 3, IOP"),
        pytest.param(
            {"d6_recovery_environment": 3, "d5_relapse": 3},
            {"available_hours_per_week": 25},
            PHP,
            [HOUSING],
            id="environment 3, PHP",
        ),
        pytest.param(
            {"d6_recovery_environment": 3},
            {"needs_24h_structure": True},
            RES,
            [],
            id="environment 3, residential houses the patient",
        ),
        pytest.param({"d6_recovery_environment": 4}, {}, RES, [], id="environment 4, residential"),
        pytest.param(
            {"d1_withdrawal": 3, "d6_recovery_environment": 3},
            {"available_hours_per_week": 5},
            WM,
            [_hours_barrier(5), HOUSING],
            id="withdrawal first, then IOP: barriers of the IOP that follows",
        ),
    ],
)
def test_barriers(dimensions, fields, level, barriers):
    recommendation = placement_recommend(vignette(dimensions, **fields))

    assert recommendation.level is level
    assert list(recommendation.barriers) == barriers
