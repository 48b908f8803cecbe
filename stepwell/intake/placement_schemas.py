"""Typed API input for the level-of-care engine (docs/placement-input.md).

The schema checks types and ranges, so OpenAPI documents every field and a malformed
request gets 422 naming the field; the engine's own reader still checks what spans fields
(an earlier level needs its outcome) and answers 400.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field

from stepwell.placement.inputs import (
    DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK,
    FunctionalImpairment,
    IopFitCriterion,
    MentalHealthSeverity,
    PreviousLowerLevel,
    PreviousOutcome,
    StepDownFrom,
    SuicideRisk,
)

Rating = Annotated[int, Field(ge=0, le=4, strict=True)]
WeeklyHours = Annotated[float, Field(ge=0, le=168, strict=True)]


class DimensionRatingsIn(Schema):
    """The six dimension ratings, 0-4; withdrawal and relapse may be null (not applicable)."""

    model_config = ConfigDict(extra="forbid")

    d1_withdrawal: Rating | None
    d2_biomedical: Rating
    d3_emotional_behavioral: Rating
    d4_readiness: Rating
    d5_relapse: Rating | None
    d6_recovery_environment: Rating


class PlacementInputIn(Schema):
    model_config = ConfigDict(extra="forbid")

    dimensions: DimensionRatingsIn
    mental_health_severity: MentalHealthSeverity
    functional_impairment: FunctionalImpairment
    suicide_risk: SuicideRisk
    medically_stable: Annotated[bool, Field(strict=True)]
    needs_24h_structure: Annotated[bool, Field(strict=True)]
    available_hours_per_week: WeeklyHours
    available_days_per_week: Annotated[int, Field(ge=0, le=7, strict=True)] | None = None
    program_min_hours_per_week: Annotated[float, Field(gt=0, le=168, strict=True)] = (
        DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK
    )
    previous_lower_level: PreviousLowerLevel = PreviousLowerLevel.NONE
    previous_lower_level_outcome: PreviousOutcome = PreviousOutcome.NOT_TRIED
    step_down_from: StepDownFrom = StepDownFrom.NONE
    iop_fit_criteria: Annotated[list[IopFitCriterion], Field(min_length=1)] = list(IopFitCriterion)
    offers_outpatient_withdrawal_care: Annotated[bool, Field(strict=True)] = False

    def engine_input(self) -> dict:
        """What the caller sent, as JSON; the engine fills in the defaults."""
        return self.model_dump(mode="json", exclude_unset=True)


class PlacementDecisionIn(Schema):
    engine_input: PlacementInputIn
    decided_level: str = ""
    override_reason: str = ""
