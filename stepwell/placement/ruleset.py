"""What a placement rule set is made of: rules, the actions and barriers it reports.

A rule set is versioned data (docs/clinical-sources.md §1.1). Each rule names the minimum
level one finding demands; the engine in rules.py takes the most intensive level any
fired rule demands. Actions (a same-day safety evaluation, engagement work) and barriers
(availability, housing) are reported next to the level and never change it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from stepwell.placement.inputs import Dimension, PlacementInput
from stepwell.placement.levels import LevelOfCare


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
    # A withdrawal finding: left out when naming the level to reassess for after
    # withdrawal management.
    withdrawal: bool = False


@dataclass(frozen=True)
class Action:
    """Something the team must (required) or should do, whatever level is chosen."""

    id: str
    description: str
    required: bool


@dataclass(frozen=True)
class ActionRule:
    id: str
    required: bool
    applies: Callable[[PlacementInput], bool]
    describe: Callable[[PlacementInput], str]


@dataclass(frozen=True)
class Barrier:
    id: str
    description: str


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    baseline: Rule  # fires only when no other rule does
    # (input, level the program would deliver) -> what stands in the way of it
    barriers: Callable[[PlacementInput, LevelOfCare], tuple[Barrier, ...]]
    actions: tuple[ActionRule, ...] = ()


def words(value: str) -> str:
    return value.replace("_", " ")


def relieve_dimension(dimension: Dimension, to: int) -> Callable[[PlacementInput], Relief]:
    """Relief that rates one dimension `to` instead of its current rating."""

    def relieve(assessment: PlacementInput) -> Relief:
        rating = assessment.dimensions.rating(dimension)
        return Relief(
            f"{dimension.label} (dimension {dimension.number}) were rated {to} instead of {rating}",
            replace(assessment, dimensions=assessment.dimensions.with_rating(dimension, to)),
        )

    return relieve


def dimension_rule(
    dimension: Dimension, ratings: range, level: LevelOfCare, why: str, *, withdrawal=False
) -> Rule:
    """A rule that fires when one dimension is rated within `ratings`."""
    rated = " or ".join(str(rating) for rating in ratings)
    return Rule(
        id=f"{dimension.value}_{'_or_'.join(str(rating) for rating in ratings)}",
        description=(
            f"{dimension.label.capitalize()} (dimension {dimension.number}) is rated {rated}: "
            f"{why}."
        ),
        level=level,
        applies=lambda assessment: assessment.dimensions.rating(dimension) in ratings,
        relieve=relieve_dimension(dimension, ratings.start - 1),
        withdrawal=withdrawal,
    )
