"""Level-of-care recommendation: a versioned rule set and a generic engine over it.

Clinical basis: /work/shared/domain/clinical-facts.md §1.1. Each 0-4 dimension rating and
each other finding demands a minimum level; the recommendation is the most intensive level
any fired rule demands ("the highest-risk dimension(s) are matched to the least intensive
level that can safely manage them"; placement is never a sum or an average). The engine
only suggests: a clinician confirms or overrides with a reason, and both are kept (facts
§1.1, "→ Impl: never auto-place").

The rules are our own coarse program defaults in our own words. They do not reproduce ASAM
criteria text or decision trees (facts §1.1, "ASAM licensing"). Changing any rule means a
new RULE_SET_VERSION, which every Recommendation records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from stepwell.placement.inputs import (
    Dimension,
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

RULE_SET_VERSION = "stepwell-loc-2026.11"

# Partial hospitalization needs 20 or more hours a week (facts §1.1 table and §2, "PHP contrast").
PHP_MIN_HOURS_PER_WEEK = 20

_IOP = LevelOfCare.INTENSIVE_OUTPATIENT
_PHP = LevelOfCare.PARTIAL_HOSPITALIZATION
_RESIDENTIAL = LevelOfCare.RESIDENTIAL
_WITHDRAWAL = LevelOfCare.WITHDRAWAL_MANAGEMENT
_INPATIENT = LevelOfCare.INPATIENT


@dataclass(frozen=True)
class Relief:
    """The input as it would be without one finding, and that difference in plain words."""

    clause: str  # completes "If ..., the recommendation would be ..."
    placement_input: PlacementInput


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    level: LevelOfCare  # the minimum level this finding demands
    applies: Callable[[PlacementInput], bool]
    relieve: Callable[[PlacementInput], Relief] | None = None


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    baseline: Rule  # fires only when no other rule does


@dataclass(frozen=True)
class RuleFiring:
    rule_id: str
    description: str
    level: LevelOfCare


@dataclass(frozen=True)
class Barrier:
    id: str
    description: str


@dataclass(frozen=True)
class WouldChange:
    changes: tuple[str, ...]
    level: LevelOfCare

    @property
    def description(self) -> str:
        *first, last = self.changes
        condition = f"{', '.join(first)} and {last}" if first else last
        return f"If {condition}, the recommendation would be {self.level.label}."


@dataclass(frozen=True)
class IopFit:
    """The program's own IOP-fit criteria: True, False, or None when the input cannot tell.

    `fits` is True when none of the program's criteria is False. It reports the program's
    criteria only and never changes the recommended level.
    """

    criteria: dict[IopFitCriterion, bool | None]
    fits: bool


@dataclass(frozen=True)
class Recommendation:
    level: LevelOfCare
    rationale: tuple[RuleFiring, ...]
    barriers: tuple[Barrier, ...]
    would_change: tuple[WouldChange, ...]
    iop_fit: IopFit
    rule_set: str


class PlacementDecisionError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


@dataclass(frozen=True)
class ClinicianDecision:
    """What the clinician chose, kept next to what the engine recommended."""

    recommendation: Recommendation
    level: LevelOfCare
    overridden: bool
    reason: str | None


# --- the rule set -------------------------------------------------------------------------


def _words(value: str) -> str:
    return value.replace("_", " ")


def _dimension_rule(dimension: Dimension, ratings: range, level: LevelOfCare, why: str) -> Rule:
    rated = " or ".join(str(rating) for rating in ratings)
    below = ratings.start - 1

    def relieve(assessment: PlacementInput) -> Relief:
        rating = assessment.dimensions.rating(dimension)
        return Relief(
            f"{dimension.label} (dimension {dimension.number}) were rated {below} instead of "
            f"{rating}",
            replace(
                assessment,
                dimensions=assessment.dimensions.with_rating(dimension, below),
            ),
        )

    return Rule(
        id=f"{dimension.value}_{'_or_'.join(str(rating) for rating in ratings)}",
        description=(
            f"{dimension.label.capitalize()} (dimension {dimension.number}) is rated {rated}: "
            f"{why}."
        ),
        level=level,
        applies=lambda assessment: assessment.dimensions.rating(dimension) in ratings,
        relieve=relieve,
    )


_MORE_THAN_WEEKLY = "moderate risk needs more than weekly outpatient care"
_DAILY = "severe risk needs daily structured treatment"
_TWENTY_FOUR_HOURS = "needs a 24-hour structured setting"
_EXTREME = "extreme risk needs inpatient or emergency evaluation"

# (dimension, ratings, minimum level, why); a higher rating never demands a lower level.
_DIMENSION_BANDS = (
    (Dimension.D1_WITHDRAWAL, range(2, 3), _IOP, _MORE_THAN_WEEKLY),
    (Dimension.D1_WITHDRAWAL, range(3, 4), _WITHDRAWAL, "refer for withdrawal management first"),
    (Dimension.D1_WITHDRAWAL, range(4, 5), _INPATIENT, _EXTREME),
    (Dimension.D2_BIOMEDICAL, range(2, 3), _IOP, _MORE_THAN_WEEKLY),
    (
        Dimension.D2_BIOMEDICAL,
        range(3, 4),
        _RESIDENTIAL,
        "needs medical monitoring around the clock",
    ),
    (Dimension.D2_BIOMEDICAL, range(4, 5), _INPATIENT, _EXTREME),
    (Dimension.D3_EMOTIONAL_BEHAVIORAL, range(2, 3), _IOP, _MORE_THAN_WEEKLY),
    (Dimension.D3_EMOTIONAL_BEHAVIORAL, range(3, 4), _RESIDENTIAL, _TWENTY_FOUR_HOURS),
    (Dimension.D3_EMOTIONAL_BEHAVIORAL, range(4, 5), _INPATIENT, _EXTREME),
    (Dimension.D4_READINESS, range(2, 3), _IOP, _MORE_THAN_WEEKLY),
    (Dimension.D4_READINESS, range(3, 4), _PHP, _DAILY),
    (Dimension.D4_READINESS, range(4, 5), _RESIDENTIAL, _TWENTY_FOUR_HOURS),
    (Dimension.D5_RELAPSE, range(2, 3), _IOP, _MORE_THAN_WEEKLY),
    (Dimension.D5_RELAPSE, range(3, 4), _PHP, _DAILY),
    (Dimension.D5_RELAPSE, range(4, 5), _RESIDENTIAL, _TWENTY_FOUR_HOURS),
    (Dimension.D6_RECOVERY_ENVIRONMENT, range(2, 3), _IOP, _MORE_THAN_WEEKLY),
    (Dimension.D6_RECOVERY_ENVIRONMENT, range(3, 5), _RESIDENTIAL, _TWENTY_FOUR_HOURS),
)


def _suicide_risk_rule(risk: SuicideRisk, level: LevelOfCare, why: str) -> Rule:
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


def _lower_level_not_enough_rule(previous: PreviousLowerLevel, level: LevelOfCare) -> Rule:
    return Rule(
        id=f"{previous.value}_not_enough",
        description=(
            f"{_words(previous.value).capitalize()} care was tried and was not enough: "
            f"step up to at least {level.label}."
        ),
        level=level,
        applies=lambda assessment: (
            assessment.previous_lower_level is previous
            and assessment.previous_lower_level_outcome is PreviousOutcome.INSUFFICIENT
        ),
        relieve=lambda assessment: Relief(
            f"the earlier {_words(previous.value)} care had helped",
            replace(assessment, previous_lower_level_outcome=PreviousOutcome.HELPED),
        ),
    )


_SAFETY_RULES = (
    _suicide_risk_rule(
        SuicideRisk.IMMINENT, _INPATIENT, "needs emergency evaluation for inpatient care now"
    ),
    Rule(
        id="medically_unstable",
        description=(
            "The patient is not medically stable: needs medical evaluation before any "
            "program can take them."
        ),
        level=_INPATIENT,
        applies=lambda assessment: not assessment.medically_stable,
        relieve=lambda assessment: Relief(
            "the patient were medically stable", replace(assessment, medically_stable=True)
        ),
    ),
)

_STRUCTURE_RULES = (
    Rule(
        id="needs_24h_structure",
        description="The clinician judges that the patient needs 24-hour structure.",
        level=_RESIDENTIAL,
        applies=lambda assessment: assessment.needs_24h_structure,
        relieve=lambda assessment: Relief(
            "the patient did not need 24-hour structure",
            replace(assessment, needs_24h_structure=False),
        ),
    ),
    _suicide_risk_rule(
        SuicideRisk.HIGH, _PHP, "needs daily structured treatment with safety monitoring"
    ),
    Rule(
        id="severe_symptoms_severe_impairment",
        description=(
            "Severe mental-health symptoms with severe functional impairment: needs daily "
            "structured treatment."
        ),
        level=_PHP,
        applies=lambda assessment: (
            assessment.mental_health_severity is MentalHealthSeverity.SEVERE
            and assessment.functional_impairment is FunctionalImpairment.SEVERE
        ),
        relieve=lambda assessment: Relief(
            "functional impairment were moderate rather than severe",
            replace(assessment, functional_impairment=FunctionalImpairment.MODERATE),
        ),
    ),
    _lower_level_not_enough_rule(PreviousLowerLevel.PARTIAL_HOSPITALIZATION, _RESIDENTIAL),
    _lower_level_not_enough_rule(PreviousLowerLevel.INTENSIVE_OUTPATIENT, _PHP),
    _suicide_risk_rule(SuicideRisk.MODERATE, _IOP, "needs more than weekly contact"),
    Rule(
        id="moderate_or_worse_symptoms",
        description=(
            "Mental-health symptoms are moderate or worse: needs structured treatment several "
            "times a week."
        ),
        level=_IOP,
        applies=lambda assessment: (
            assessment.mental_health_severity.rank >= MentalHealthSeverity.MODERATE.rank
        ),
        relieve=lambda assessment: Relief(
            "mental-health symptoms were mild rather than "
            f"{_words(assessment.mental_health_severity.value)}",
            replace(assessment, mental_health_severity=MentalHealthSeverity.MILD),
        ),
    ),
    _lower_level_not_enough_rule(PreviousLowerLevel.OUTPATIENT, _IOP),
    Rule(
        id="step_down",
        description=(
            "Stepping down from a more intensive level of care: keep structure several times "
            "a week while care is reduced."
        ),
        level=_IOP,
        applies=lambda assessment: assessment.step_down_from is not StepDownFrom.NONE,
        relieve=lambda assessment: Relief(
            f"the patient were not stepping down from {_words(assessment.step_down_from)}",
            replace(assessment, step_down_from=StepDownFrom.NONE),
        ),
    ),
)

RULE_SET = RuleSet(
    version=RULE_SET_VERSION,
    rules=(
        *_SAFETY_RULES,
        *(_dimension_rule(*band) for band in _DIMENSION_BANDS),
        *_STRUCTURE_RULES,
    ),
    baseline=Rule(
        id="no_higher_need",
        description="No finding calls for more than outpatient care.",
        level=LevelOfCare.OUTPATIENT,
        applies=lambda assessment: True,
    ),
)


# --- the engine ---------------------------------------------------------------------------


def placement_recommend(
    placement_input: PlacementInput, *, rule_set: RuleSet = RULE_SET
) -> Recommendation:
    """Recommend the most intensive level any fired rule demands (facts §1.1)."""
    fired = _fired_rules(placement_input, rule_set)
    level = most_intensive([rule.level for rule in fired])
    deciding = tuple(rule for rule in fired if rule.level is level)
    most_intensive_first = sorted(fired, key=lambda rule: -rule.level.intensity)
    return Recommendation(
        level=level,
        rationale=tuple(
            RuleFiring(rule.id, rule.description, rule.level) for rule in most_intensive_first
        ),
        barriers=_barriers(placement_input, level),
        would_change=_would_change(placement_input, level, deciding, rule_set),
        iop_fit=_iop_fit(placement_input, level),
        rule_set=rule_set.version,
    )


def _fired_rules(placement_input: PlacementInput, rule_set: RuleSet) -> tuple[Rule, ...]:
    fired = tuple(rule for rule in rule_set.rules if rule.applies(placement_input))
    return fired or (rule_set.baseline,)


def _would_change(
    placement_input: PlacementInput,
    level: LevelOfCare,
    deciding: tuple[Rule, ...],
    rule_set: RuleSet,
) -> tuple[WouldChange, ...]:
    """Re-run the rules without the deciding findings and report where the answer moves."""
    if any(rule.relieve is None for rule in deciding):
        return ()
    changes = []
    relieved = placement_input
    for rule in deciding:
        relief = rule.relieve(relieved)
        changes.append(relief.clause)
        relieved = relief.placement_input
    new_level = most_intensive([rule.level for rule in _fired_rules(relieved, rule_set)])
    if new_level is level:
        return ()
    return (WouldChange(tuple(changes), new_level),)


def _hours(hours: float) -> str:
    return f"{hours:g}"


def _barriers(placement_input: PlacementInput, level: LevelOfCare) -> tuple[Barrier, ...]:
    """Availability below what the recommended level needs is stated, never used to lower it."""
    available = placement_input.available_hours_per_week
    minimum = placement_input.program_min_hours_per_week
    if level is _IOP and available < minimum:
        return (
            Barrier(
                "availability_below_program_minimum",
                f"The patient can attend {_hours(available)} hours a week; the program's "
                f"minimum for intensive outpatient is {_hours(minimum)} hours a week.",
            ),
        )
    if level is _PHP and available < PHP_MIN_HOURS_PER_WEEK:
        return (
            Barrier(
                "availability_below_php_minimum",
                f"The patient can attend {_hours(available)} hours a week; partial "
                f"hospitalization needs at least {PHP_MIN_HOURS_PER_WEEK} hours a week.",
            ),
        )
    return ()


def _iop_fit(placement_input: PlacementInput, level: LevelOfCare) -> IopFit:
    outcome = placement_input.previous_lower_level_outcome
    answers: dict[IopFitCriterion, bool | None] = {
        IopFitCriterion.SYMPTOMS_INTERFERE_WITH_DAILY_LIFE: (
            placement_input.mental_health_severity.rank >= MentalHealthSeverity.MODERATE.rank
            and placement_input.functional_impairment.rank >= FunctionalImpairment.MODERATE.rank
        ),
        IopFitCriterion.NEEDS_STRUCTURED_TREATMENT: level.intensity >= _IOP.intensity,
        IopFitCriterion.LIMITED_TIME_FOR_FULL_TIME_CARE: (
            placement_input.available_hours_per_week < PHP_MIN_HOURS_PER_WEEK
        ),
        IopFitCriterion.LOWER_INTENSITY_NOT_ENOUGH: (
            None
            if outcome is PreviousOutcome.NOT_TRIED
            else outcome is PreviousOutcome.INSUFFICIENT
        ),
    }
    criteria = {criterion: answers[criterion] for criterion in placement_input.iop_fit_criteria}
    return IopFit(criteria=criteria, fits=all(answer is not False for answer in criteria.values()))


# --- the clinician's decision --------------------------------------------------------------


def placement_confirm(recommendation: Recommendation) -> ClinicianDecision:
    return ClinicianDecision(recommendation, recommendation.level, overridden=False, reason=None)


def placement_override(
    recommendation: Recommendation, *, level: LevelOfCare, reason: str
) -> ClinicianDecision:
    """A clinician may place elsewhere, with a documented reason (facts §1.1)."""
    errors = {}
    if level is recommendation.level:
        errors["level"] = "is the recommended level; confirm the recommendation instead"
    if not reason.strip():
        errors["reason"] = "an override needs a reason"
    if errors:
        raise PlacementDecisionError(errors)
    return ClinicianDecision(recommendation, level, overridden=True, reason=reason.strip())


# --- JSON ---------------------------------------------------------------------------------


def recommendation_to_dict(recommendation: Recommendation) -> dict[str, object]:
    return {
        "level": recommendation.level.value,
        "rationale": [
            {"rule": firing.rule_id, "level": firing.level.value, "description": firing.description}
            for firing in recommendation.rationale
        ],
        "barriers": [
            {"barrier": barrier.id, "description": barrier.description}
            for barrier in recommendation.barriers
        ],
        "would_change": [
            {
                "changes": list(would_change.changes),
                "level": would_change.level.value,
                "description": would_change.description,
            }
            for would_change in recommendation.would_change
        ],
        "iop_fit": {
            "criteria": {
                criterion.value: answer
                for criterion, answer in recommendation.iop_fit.criteria.items()
            },
            "fits": recommendation.iop_fit.fits,
        },
        "rule_set": recommendation.rule_set,
    }
