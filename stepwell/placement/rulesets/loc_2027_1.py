"""Rule set stepwell-loc-2027.1: the program's default placement rules, in our own words.

Each rule, with its source and how sure we are of it, is listed in
docs/clinical-sources.md §1.4 (built on §1.1, a rating is not a level, and §1.2, the weekly
hours and days of each level). These are program defaults, not ASAM decision rules, and
reproduce no ASAM text.
"""

from __future__ import annotations

from dataclasses import replace

from stepwell.placement.inputs import (
    Dimension,
    FunctionalImpairment,
    MentalHealthSeverity,
    PlacementInput,
    PreviousLowerLevel,
    SuicideRisk,
)
from stepwell.placement.levels import LevelOfCare
from stepwell.placement.ruleset import (
    ActionRule,
    Barrier,
    Relief,
    Rule,
    RuleSet,
    dimension_rule,
    relieve_dimension,
    words,
)
from stepwell.placement.rulesets.common import (
    EXTREME,
    INPATIENT,
    IOP,
    MEDICALLY_MONITORED,
    MEDICALLY_UNSTABLE,
    MORE_THAN_WEEKLY,
    NEEDS_24H_STRUCTURE,
    NO_HIGHER_NEED,
    PHP,
    RESIDENTIAL,
    SEVERE_SYMPTOMS_SEVERE_IMPAIRMENT,
    STEP_DOWN,
    TWENTY_FOUR_HOURS,
    WITHDRAWAL,
    lower_level_not_enough_rule,
    suicide_risk_rule,
    weekly_hours_barriers,
)

VERSION = "stepwell-loc-2027.1"

# Intensive outpatient care and partial hospitalization meet at least 3 days a week
# (sources §1.2 and §2.2).
MIN_DAYS_PER_WEEK = 3

_D1 = Dimension.D1_WITHDRAWAL
_D2 = Dimension.D2_BIOMEDICAL
_D3 = Dimension.D3_EMOTIONAL_BEHAVIORAL
_D4 = Dimension.D4_READINESS
_D5 = Dimension.D5_RELAPSE
_D6 = Dimension.D6_RECOVERY_ENVIRONMENT


# --- withdrawal (dimension 1) -------------------------------------------------------------


def _no_withdrawal_care_needed(assessment: PlacementInput) -> Relief:
    """Relief to the highest withdrawal rating this program manages without a referral."""
    rating = 2 if assessment.offers_outpatient_withdrawal_care else 1
    return relieve_dimension(_D1, rating)(assessment)


_WITHDRAWAL_RULES = (
    dimension_rule(_D1, range(4, 5), INPATIENT, EXTREME, withdrawal=True),
    Rule(
        id="d1_withdrawal_3",
        description=(
            "Withdrawal risk (dimension 1) is rated 3: withdrawal management first, then "
            "reassess the level of care."
        ),
        level=WITHDRAWAL,
        applies=lambda assessment: assessment.dimensions.rating(_D1) == 3,
        relieve=_no_withdrawal_care_needed,
        withdrawal=True,
    ),
    Rule(
        id="d1_withdrawal_2_without_outpatient_withdrawal_care",
        description=(
            "Withdrawal risk (dimension 1) is rated 2 and this program offers no "
            "prescriber-monitored outpatient withdrawal care: refer for withdrawal management."
        ),
        level=WITHDRAWAL,
        applies=lambda assessment: (
            assessment.dimensions.rating(_D1) == 2
            and not assessment.offers_outpatient_withdrawal_care
        ),
        relieve=relieve_dimension(_D1, 1),
        withdrawal=True,
    ),
    Rule(
        id="d1_withdrawal_2_with_outpatient_withdrawal_care",
        description=(
            "Withdrawal risk (dimension 1) is rated 2: intensive outpatient care with the "
            "program's prescriber-monitored withdrawal care."
        ),
        level=IOP,
        applies=lambda assessment: (
            assessment.dimensions.rating(_D1) == 2 and assessment.offers_outpatient_withdrawal_care
        ),
        relieve=relieve_dimension(_D1, 1),
        withdrawal=True,
    ),
)


# --- the other dimensions -----------------------------------------------------------------

# (dimension, ratings, minimum level, why). A rating of 2 raises the level only for
# dimensions 1, 2, 3 and 5; readiness to change (4) never raises it on its own.
_DIMENSION_BANDS = (
    (_D2, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (
        _D2,
        range(3, 4),
        MEDICALLY_MONITORED,
        "needs a medically monitored setting with nursing care around the clock, not a "
        "clinically managed residence",
    ),
    (_D2, range(4, 5), INPATIENT, EXTREME),
    (_D3, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (
        _D3,
        range(3, 4),
        PHP,
        "needs daily structured treatment; residential care only when the clinician judges "
        "that 24-hour structure is needed",
    ),
    (_D3, range(4, 5), INPATIENT, EXTREME),
    (_D5, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D5, range(4, 5), RESIDENTIAL, TWENTY_FOUR_HOURS),
    (
        _D6,
        range(3, 4),
        IOP,
        "needs intensive outpatient care or more, with a referral to recovery housing",
    ),
    (_D6, range(4, 5), RESIDENTIAL, TWENTY_FOUR_HOURS),
)


def _relapse_3_needs_daily_care(assessment: PlacementInput) -> bool:
    return assessment.intensive_outpatient_not_enough or assessment.dimensions.at_least(_D6, 3)


_RELAPSE_3_RULES = (
    Rule(
        id="d5_relapse_3_after_iop_or_with_unsafe_environment",
        description=(
            "Relapse risk (dimension 5) is rated 3, and intensive outpatient care was not "
            "enough or the recovery environment is rated 3 or more: needs daily structured "
            "treatment."
        ),
        level=PHP,
        applies=lambda assessment: (
            assessment.dimensions.rating(_D5) == 3 and _relapse_3_needs_daily_care(assessment)
        ),
        relieve=relieve_dimension(_D5, 2),
    ),
    Rule(
        id="d5_relapse_3",
        description=(
            "Relapse risk (dimension 5) is rated 3: intensive outpatient care with close "
            "monitoring; partial hospitalization only after intensive outpatient care was "
            "not enough or with an unsafe recovery environment."
        ),
        level=IOP,
        applies=lambda assessment: (
            assessment.dimensions.rating(_D5) == 3 and not _relapse_3_needs_daily_care(assessment)
        ),
        relieve=relieve_dimension(_D5, 2),
    ),
)

_LOW_READINESS_WITH_RISK = Rule(
    id="low_readiness_with_relapse_or_environment_risk",
    description=(
        "Readiness to change (dimension 4) is rated 3 or 4 together with relapse risk or "
        "recovery environment rated 3 or more: needs daily structured treatment."
    ),
    level=PHP,
    applies=lambda assessment: (
        assessment.dimensions.at_least(_D4, 3)
        and (assessment.dimensions.at_least(_D5, 3) or assessment.dimensions.at_least(_D6, 3))
    ),
    relieve=relieve_dimension(_D4, 2),
)


# --- mental-health findings ---------------------------------------------------------------

_MODERATE_SYMPTOMS_WITH_IMPAIRMENT = Rule(
    id="moderate_or_worse_symptoms_with_impairment",
    description=(
        "Mental-health symptoms are moderate or worse, with at least moderate functional "
        "impairment or after less intensive care was not enough: needs structured treatment "
        "several times a week."
    ),
    level=IOP,
    applies=lambda assessment: (
        assessment.mental_health_severity.rank >= MentalHealthSeverity.MODERATE.rank
        and (
            assessment.functional_impairment.rank >= FunctionalImpairment.MODERATE.rank
            or assessment.lower_level_not_enough
        )
    ),
    relieve=lambda assessment: Relief(
        "mental-health symptoms were mild rather than "
        f"{words(assessment.mental_health_severity.value)}",
        replace(assessment, mental_health_severity=MentalHealthSeverity.MILD),
    ),
)


# --- actions and barriers -----------------------------------------------------------------

_ACTIONS = (
    ActionRule(
        id="emergency_evaluation_now",
        required=True,
        applies=lambda assessment: assessment.suicide_risk is SuicideRisk.IMMINENT,
        describe=lambda assessment: (
            "Suicide risk is imminent: arrange an emergency evaluation now; the patient "
            "should not leave until it is done."
        ),
    ),
    ActionRule(
        id="same_day_safety_evaluation",
        required=True,
        applies=lambda assessment: assessment.suicide_risk is SuicideRisk.HIGH,
        describe=lambda assessment: (
            "Suicide risk is high: a same-day safety evaluation is required before the "
            "patient leaves today, whatever level is chosen."
        ),
    ),
    ActionRule(
        id="engagement_work",
        required=False,
        applies=lambda assessment: assessment.dimensions.at_least(_D4, 3),
        describe=lambda assessment: (
            f"Readiness to change (dimension 4) is rated {assessment.dimensions.rating(_D4)}: "
            "add engagement work (for example motivational interviewing) to the plan. Low "
            "readiness does not raise the level on its own."
        ),
    ),
)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def barriers(placement_input: PlacementInput, level: LevelOfCare) -> tuple[Barrier, ...]:
    """What stands in the way of the level; availability and housing never change it."""
    found = list(weekly_hours_barriers(placement_input, level))
    days = placement_input.available_days_per_week
    if level in (IOP, PHP) and days is not None and days < MIN_DAYS_PER_WEEK:
        found.append(
            Barrier(
                "availability_fewer_than_3_days",
                f"The patient can attend on {_days(days)} a week; {level.label} needs at "
                f"least {MIN_DAYS_PER_WEEK} days a week.",
            )
        )
    if level in (IOP, PHP) and placement_input.dimensions.rating(_D6) == 3:
        found.append(
            Barrier(
                "recovery_housing_referral",
                "Recovery environment (dimension 6) is rated 3: refer to recovery housing "
                "(for example a sober-living home) so that the patient attends from a "
                "safer place.",
            )
        )
    return tuple(found)


RULE_SET = RuleSet(
    version=VERSION,
    rules=(
        suicide_risk_rule(
            SuicideRisk.IMMINENT, INPATIENT, "needs an emergency evaluation for inpatient care now"
        ),
        MEDICALLY_UNSTABLE,
        *_WITHDRAWAL_RULES,
        *(dimension_rule(*band) for band in _DIMENSION_BANDS),
        NEEDS_24H_STRUCTURE,
        lower_level_not_enough_rule(PreviousLowerLevel.PARTIAL_HOSPITALIZATION, RESIDENTIAL),
        suicide_risk_rule(
            SuicideRisk.HIGH,
            PHP,
            "needs daily structured treatment and a same-day safety evaluation",
        ),
        SEVERE_SYMPTOMS_SEVERE_IMPAIRMENT,
        lower_level_not_enough_rule(PreviousLowerLevel.INTENSIVE_OUTPATIENT, PHP),
        *_RELAPSE_3_RULES,
        _LOW_READINESS_WITH_RISK,
        suicide_risk_rule(SuicideRisk.MODERATE, IOP, "needs more than weekly contact"),
        _MODERATE_SYMPTOMS_WITH_IMPAIRMENT,
        lower_level_not_enough_rule(PreviousLowerLevel.OUTPATIENT, IOP),
        STEP_DOWN,
    ),
    baseline=NO_HIGHER_NEED,
    barriers=barriers,
    actions=_ACTIONS,
)
