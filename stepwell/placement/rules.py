"""Level-of-care recommendation: a generic engine over versioned rule sets.

Clinical basis: docs/clinical-sources.md §1.1. Each 0-4 dimension rating and each other
finding demands a minimum level; the recommendation is the most intensive level any fired
rule demands (the highest-risk findings are matched to the least intensive level that can
manage them safely; placement is never a sum or an average). The engine only suggests: a
clinician confirms or overrides with a reason, and both are kept (never auto-place).

The rules are our own program defaults in our own words (stepwell/placement/rulesets/,
sources §1.4).
They do not reproduce ASAM criteria text or decision trees. Changing any rule means a new
rule-set version, which every Recommendation records.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.placement.inputs import (
    FunctionalImpairment,
    IopFitCriterion,
    MentalHealthSeverity,
    PlacementInput,
    PreviousOutcome,
)
from stepwell.placement.levels import LevelOfCare, most_intensive
from stepwell.placement.ruleset import Action, Barrier, Relief, Rule, RuleSet
from stepwell.placement.rulesets import CURRENT, RULE_SETS, UnknownRuleSet, rule_set_for
from stepwell.placement.rulesets.common import PHP_MIN_HOURS_PER_WEEK

RULE_SET = CURRENT
RULE_SET_VERSION = CURRENT.version

__all__ = [
    "PHP_MIN_HOURS_PER_WEEK",
    "RULE_SET",
    "RULE_SETS",
    "RULE_SET_VERSION",
    "Action",
    "Barrier",
    "ClinicianDecision",
    "IopFit",
    "PlacementDecisionError",
    "Recommendation",
    "Relief",
    "Rule",
    "RuleFiring",
    "RuleSet",
    "UnknownRuleSet",
    "WouldChange",
    "placement_confirm",
    "placement_override",
    "placement_recommend",
    "recommendation_to_dict",
    "rule_set_for",
]

_IOP = LevelOfCare.INTENSIVE_OUTPATIENT
_WITHDRAWAL = LevelOfCare.WITHDRAWAL_MANAGEMENT


@dataclass(frozen=True)
class RuleFiring:
    rule_id: str
    description: str
    level: LevelOfCare


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
    # Required or advised steps the findings call for, whatever level is chosen.
    actions: tuple[Action, ...] = ()
    # When the level is withdrawal management: the level the other findings call for,
    # to reassess once withdrawal care is done. None otherwise.
    after_withdrawal_management: LevelOfCare | None = None


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


# --- the engine ---------------------------------------------------------------------------


def placement_recommend(
    placement_input: PlacementInput, *, rule_set: RuleSet = RULE_SET
) -> Recommendation:
    """Recommend the most intensive level any fired rule demands (sources §1.1)."""
    fired = _fired_rules(placement_input, rule_set)
    level = most_intensive([rule.level for rule in fired])
    deciding = tuple(rule for rule in fired if rule.level is level)
    most_intensive_first = sorted(fired, key=lambda rule: -rule.level.intensity)
    after_withdrawal = _after_withdrawal(fired, level, rule_set)
    return Recommendation(
        level=level,
        rationale=tuple(
            RuleFiring(rule.id, rule.description, rule.level) for rule in most_intensive_first
        ),
        barriers=rule_set.barriers(placement_input, after_withdrawal or level),
        would_change=_would_change(placement_input, level, deciding, rule_set),
        iop_fit=_iop_fit(placement_input, level),
        rule_set=rule_set.version,
        actions=_actions(placement_input, rule_set, after_withdrawal),
        after_withdrawal_management=after_withdrawal,
    )


def _fired_rules(placement_input: PlacementInput, rule_set: RuleSet) -> tuple[Rule, ...]:
    fired = tuple(rule for rule in rule_set.rules if rule.applies(placement_input))
    return fired or (rule_set.baseline,)


def _after_withdrawal(
    fired: tuple[Rule, ...], level: LevelOfCare, rule_set: RuleSet
) -> LevelOfCare | None:
    """The level every finding but withdrawal calls for, when the level is withdrawal care."""
    if level is not _WITHDRAWAL:
        return None
    others = [rule.level for rule in fired if not rule.withdrawal]
    return most_intensive(others or [rule_set.baseline.level])


def _actions(
    placement_input: PlacementInput, rule_set: RuleSet, after_withdrawal: LevelOfCare | None
) -> tuple[Action, ...]:
    actions = [
        Action(rule.id, rule.describe(placement_input), rule.required)
        for rule in rule_set.actions
        if rule.applies(placement_input)
    ]
    if after_withdrawal is not None:
        actions.append(
            Action(
                "reassess_after_withdrawal_management",
                "After withdrawal management, reassess the level of care: the other findings "
                f"call for {after_withdrawal.label}.",
                required=True,
            )
        )
    return tuple(actions)


def _would_change(
    placement_input: PlacementInput,
    level: LevelOfCare,
    deciding: tuple[Rule, ...],
    rule_set: RuleSet,
) -> tuple[WouldChange, ...]:
    """Re-run the rules without the deciding findings and report where the answer moves."""
    changes = []
    relieved = placement_input
    for rule in deciding:
        if rule.relieve is None:
            return ()  # a deciding rule that cannot be relieved: no counterfactual
        relief = rule.relieve(relieved)
        changes.append(relief.clause)
        relieved = relief.placement_input
    new_level = most_intensive([rule.level for rule in _fired_rules(relieved, rule_set)])
    if new_level.intensity >= level.intensity:
        return ()
    return (WouldChange(tuple(changes), new_level),)


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
    """A clinician may place elsewhere, with a documented reason (sources §1.1)."""
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
    after = recommendation.after_withdrawal_management
    return {
        "level": recommendation.level.value,
        "after_withdrawal_management": after.value if after else None,
        "rationale": [
            {"rule": firing.rule_id, "level": firing.level.value, "description": firing.description}
            for firing in recommendation.rationale
        ],
        "actions": [
            {"action": action.id, "required": action.required, "description": action.description}
            for action in recommendation.actions
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
