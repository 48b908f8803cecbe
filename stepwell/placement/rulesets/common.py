"""Rules and barriers that more than one rule-set version uses, in our own words.

Sources: docs/clinical-sources.md §1.1 (placement by the highest-risk finding, clinician
judgement of 24-hour structure) and §1.2 (weekly hours of each level).
"""

from __future__ import annotations

from dataclasses import replace

from stepwell.placement.inputs import (
    FunctionalImpairment,
    MentalHealthSeverity,
    PlacementInput,
    PreviousLowerLevel,
    PreviousOutcome,
    StepDownFrom,
    SuicideRisk,
)
from stepwell.placement.levels import LevelOfCare
from stepwell.placement.ruleset import Barrier, Relief, Rule, words

OP = LevelOfCare.OUTPATIENT
IOP = LevelOfCare.INTENSIVE_OUTPATIENT
PHP = LevelOfCare.PARTIAL_HOSPITALIZATION
RESIDENTIAL = LevelOfCare.RESIDENTIAL
WITHDRAWAL = LevelOfCare.WITHDRAWAL_MANAGEMENT
MEDICALLY_MONITORED = LevelOfCare.MEDICALLY_MONITORED_INPATIENT
INPATIENT = LevelOfCare.INPATIENT

# Partial hospitalization needs 20 or more hours a week (sources §1.2).
PHP_MIN_HOURS_PER_WEEK = 20

MORE_THAN_WEEKLY = "moderate risk needs more than weekly outpatient care"
DAILY = "severe risk needs daily structured treatment"
TWENTY_FOUR_HOURS = "needs a 24-hour structured setting"
EXTREME = "extreme risk needs inpatient or emergency evaluation"


def suicide_risk_rule(risk: SuicideRisk, level: LevelOfCare, why: str) -> Rule:
    lower = list(SuicideRisk)[risk.rank - 1]
    return Rule(
        id=f"suicide_risk_{risk.value}",
        description=f"Suicide risk is {risk.value}: {why}.",
        level=level,
        applies=lambda assessment: assessment.suicide_risk is risk,
        relieve=lambda assessment: Relief(
            f"suicide risk were {lower.value} rather than {risk.value}",
            replace(assessment, suicide_risk=lower),
        ),
    )


def lower_level_not_enough_rule(previous: PreviousLowerLevel, level: LevelOfCare) -> Rule:
    return Rule(
        id=f"{previous.value}_not_enough",
        description=(
            f"{words(previous.value).capitalize()} care was tried and was not enough: "
            f"step up to at least {level.label}."
        ),
        level=level,
        applies=lambda assessment: (
            assessment.previous_lower_level is previous
            and assessment.previous_lower_level_outcome is PreviousOutcome.INSUFFICIENT
        ),
        relieve=lambda assessment: Relief(
            f"the earlier {words(previous.value)} care had helped",
            replace(assessment, previous_lower_level_outcome=PreviousOutcome.HELPED),
        ),
    )


MEDICALLY_UNSTABLE = Rule(
    id="medically_unstable",
    description=(
        "The patient is not medically stable: needs medical evaluation before any "
        "program can take them."
    ),
    level=INPATIENT,
    applies=lambda assessment: not assessment.medically_stable,
    relieve=lambda assessment: Relief(
        "the patient were medically stable", replace(assessment, medically_stable=True)
    ),
)

NEEDS_24H_STRUCTURE = Rule(
    id="needs_24h_structure",
    description="The clinician judges that the patient needs 24-hour structure.",
    level=RESIDENTIAL,
    applies=lambda assessment: assessment.needs_24h_structure,
    relieve=lambda assessment: Relief(
        "the patient did not need 24-hour structure",
        replace(assessment, needs_24h_structure=False),
    ),
)

SEVERE_SYMPTOMS_SEVERE_IMPAIRMENT = Rule(
    id="severe_symptoms_severe_impairment",
    description=(
        "Severe mental-health symptoms with severe functional impairment: needs daily "
        "structured treatment."
    ),
    level=PHP,
    applies=lambda assessment: (
        assessment.mental_health_severity is MentalHealthSeverity.SEVERE
        and assessment.functional_impairment is FunctionalImpairment.SEVERE
    ),
    relieve=lambda assessment: Relief(
        "functional impairment were moderate rather than severe",
        replace(assessment, functional_impairment=FunctionalImpairment.MODERATE),
    ),
)

STEP_DOWN = Rule(
    id="step_down",
    description=(
        "Stepping down from a more intensive level of care: keep structure several times "
        "a week while care is reduced."
    ),
    level=IOP,
    applies=lambda assessment: assessment.step_down_from is not StepDownFrom.NONE,
    relieve=lambda assessment: Relief(
        f"the patient were not stepping down from {words(assessment.step_down_from)}",
        replace(assessment, step_down_from=StepDownFrom.NONE),
    ),
)

NO_HIGHER_NEED = Rule(
    id="no_higher_need",
    description="No finding calls for more than outpatient care.",
    level=OP,
    applies=lambda assessment: True,
)


def hours(value: float) -> str:
    return f"{value:g}"


def weekly_hours_barriers(
    placement_input: PlacementInput, level: LevelOfCare
) -> tuple[Barrier, ...]:
    """Availability below what the level needs is stated, never used to lower it."""
    available = placement_input.available_hours_per_week
    minimum = placement_input.program_min_hours_per_week
    if level is IOP and available < minimum:
        return (
            Barrier(
                "availability_below_program_minimum",
                f"The patient can attend {hours(available)} hours a week; the program's "
                f"minimum for intensive outpatient is {hours(minimum)} hours a week.",
            ),
        )
    if level is PHP and available < PHP_MIN_HOURS_PER_WEEK:
        return (
            Barrier(
                "availability_below_php_minimum",
                f"The patient can attend {hours(available)} hours a week; partial "
                f"hospitalization needs at least {PHP_MIN_HOURS_PER_WEEK} hours a week.",
            ),
        )
    return ()
