"""Rule set stepwell-loc-2026.11, kept unchanged so decisions that name it can be re-run.

Superseded by stepwell-loc-2027.1 after the clinical review of 2026-12
(docs/clinical-sources.md §1.4): this set sends moderate withdrawal risk to intensive
outpatient care, a physical-health or emotional rating of 3 to residential care, and lets
low readiness raise the level on its own. Do not change it; write a new version instead.
"""

from __future__ import annotations

from dataclasses import replace

from stepwell.placement.inputs import Dimension, MentalHealthSeverity, PreviousLowerLevel
from stepwell.placement.inputs import SuicideRisk as Risk
from stepwell.placement.ruleset import Relief, Rule, RuleSet, dimension_rule, words
from stepwell.placement.rulesets.common import (
    DAILY,
    EXTREME,
    INPATIENT,
    IOP,
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

VERSION = "stepwell-loc-2026.11"

_D = Dimension

# (dimension, ratings, minimum level, why); a higher rating never demands a lower level.
_DIMENSION_BANDS = (
    (_D.D1_WITHDRAWAL, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D.D1_WITHDRAWAL, range(3, 4), WITHDRAWAL, "refer for withdrawal management first"),
    (_D.D1_WITHDRAWAL, range(4, 5), INPATIENT, EXTREME),
    (_D.D2_BIOMEDICAL, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D.D2_BIOMEDICAL, range(3, 4), RESIDENTIAL, "needs medical monitoring around the clock"),
    (_D.D2_BIOMEDICAL, range(4, 5), INPATIENT, EXTREME),
    (_D.D3_EMOTIONAL_BEHAVIORAL, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D.D3_EMOTIONAL_BEHAVIORAL, range(3, 4), RESIDENTIAL, TWENTY_FOUR_HOURS),
    (_D.D3_EMOTIONAL_BEHAVIORAL, range(4, 5), INPATIENT, EXTREME),
    (_D.D4_READINESS, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D.D4_READINESS, range(3, 4), PHP, DAILY),
    (_D.D4_READINESS, range(4, 5), RESIDENTIAL, TWENTY_FOUR_HOURS),
    (_D.D5_RELAPSE, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D.D5_RELAPSE, range(3, 4), PHP, DAILY),
    (_D.D5_RELAPSE, range(4, 5), RESIDENTIAL, TWENTY_FOUR_HOURS),
    (_D.D6_RECOVERY_ENVIRONMENT, range(2, 3), IOP, MORE_THAN_WEEKLY),
    (_D.D6_RECOVERY_ENVIRONMENT, range(3, 5), RESIDENTIAL, TWENTY_FOUR_HOURS),
)

_MODERATE_OR_WORSE_SYMPTOMS = Rule(
    id="moderate_or_worse_symptoms",
    description=(
        "Mental-health symptoms are moderate or worse: needs structured treatment several "
        "times a week."
    ),
    level=IOP,
    applies=lambda assessment: (
        assessment.mental_health_severity.rank >= MentalHealthSeverity.MODERATE.rank
    ),
    relieve=lambda assessment: Relief(
        f"mental-health symptoms were mild rather than "
        f"{words(assessment.mental_health_severity.value)}",
        replace(assessment, mental_health_severity=MentalHealthSeverity.MILD),
    ),
)

RULE_SET = RuleSet(
    version=VERSION,
    rules=(
        suicide_risk_rule(
            Risk.IMMINENT, INPATIENT, "needs emergency evaluation for inpatient care now"
        ),
        MEDICALLY_UNSTABLE,
        *(dimension_rule(*band) for band in _DIMENSION_BANDS),
        NEEDS_24H_STRUCTURE,
        suicide_risk_rule(
            Risk.HIGH, PHP, "needs daily structured treatment with safety monitoring"
        ),
        SEVERE_SYMPTOMS_SEVERE_IMPAIRMENT,
        lower_level_not_enough_rule(PreviousLowerLevel.PARTIAL_HOSPITALIZATION, RESIDENTIAL),
        lower_level_not_enough_rule(PreviousLowerLevel.INTENSIVE_OUTPATIENT, PHP),
        suicide_risk_rule(Risk.MODERATE, IOP, "needs more than weekly contact"),
        _MODERATE_OR_WORSE_SYMPTOMS,
        lower_level_not_enough_rule(PreviousLowerLevel.OUTPATIENT, IOP),
        STEP_DOWN,
    ),
    baseline=NO_HIGHER_NEED,
    barriers=weekly_hours_barriers,
)
