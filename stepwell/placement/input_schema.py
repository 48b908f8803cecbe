"""The placement input's typed boundary: pydantic models of docs/placement-input.md.

`read_placement_input` validates decoded JSON against `PlacementInputModel` and builds the
engine's frozen `PlacementInput` (inputs.py). Every bad field is named at once, in the
words the dataclasses use for the same problem (`rating_problem`, `hours_problem`, ...),
so a file, the API and a direct construction all say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from stepwell.core.typed_input import MESSAGES, field_errors, problem
from stepwell.placement.inputs import (
    DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK,
    Dimension,
    DimensionRatings,
    FunctionalImpairment,
    IopFitCriterion,
    MentalHealthSeverity,
    PlacementInput,
    PlacementInputError,
    PreviousLowerLevel,
    PreviousOutcome,
    StepDownFrom,
    SuicideRisk,
    days_problem,
    history_problem,
    hours_problem,
    rating_problem,
)

_MESSAGES = {**MESSAGES, "missing": "required"}
_Choice = TypeVar("_Choice", bound=StrEnum)


def _choice(choices: type[_Choice]) -> Callable[[object], _Choice]:
    def read(value: object) -> _Choice:
        if isinstance(value, str) and value in set(choices):
            return choices(value)
        raise problem(f"must be one of: {', '.join(member.value for member in choices)}")

    return read


def _rating(dimension: Dimension) -> Callable[[object], object]:
    def read(value: object) -> object:
        if message := rating_problem(value, dimension):
            raise problem(message)
        return value

    return read


def _hours(*, allow_zero: bool) -> Callable[[object], object]:
    def read(value: object) -> object:
        if message := hours_problem(value, allow_zero=allow_zero):
            raise problem(message)
        return value

    return read


def _days(value: object) -> object:
    if message := days_problem(value):
        raise problem(message)
    return value


def _criteria(value: object) -> object:
    allowed = ", ".join(criterion.value for criterion in IopFitCriterion)
    if not isinstance(value, list) or not value:
        raise problem(f"must be a non-empty list drawn from: {allowed}")
    if any(not isinstance(item, str) or item not in set(IopFitCriterion) for item in value):
        raise problem(f"every item must be one of: {allowed}")
    if len(set(value)) != len(value):
        raise problem("must not repeat a criterion")
    return tuple(IopFitCriterion(item) for item in value)


def _ratings(value: object) -> object:
    if not isinstance(value, dict):
        raise problem("must be an object with the six dimension ratings")
    return value


def _rated(dimension: Dimension) -> object:
    return BeforeValidator(_rating(dimension))


Flag = Annotated[bool, Strict()]
Hours = Annotated[int | float, BeforeValidator(_hours(allow_zero=True))]


class DimensionRatingsModel(BaseModel):
    """The six ratings 0-4; withdrawal and relapse risk may be null (not applicable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    d1_withdrawal: Annotated[int | None, _rated(Dimension.D1_WITHDRAWAL)]
    d2_biomedical: Annotated[int, _rated(Dimension.D2_BIOMEDICAL)]
    d3_emotional_behavioral: Annotated[int, _rated(Dimension.D3_EMOTIONAL_BEHAVIORAL)]
    d4_readiness: Annotated[int, _rated(Dimension.D4_READINESS)]
    d5_relapse: Annotated[int | None, _rated(Dimension.D5_RELAPSE)]
    d6_recovery_environment: Annotated[int, _rated(Dimension.D6_RECOVERY_ENVIRONMENT)]


class PlacementInputModel(BaseModel):
    """One patient's placement input; field order matters: the outcome checks the level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dimensions: Annotated[DimensionRatingsModel, BeforeValidator(_ratings)]
    mental_health_severity: Annotated[
        MentalHealthSeverity, BeforeValidator(_choice(MentalHealthSeverity))
    ]
    functional_impairment: Annotated[
        FunctionalImpairment, BeforeValidator(_choice(FunctionalImpairment))
    ]
    suicide_risk: Annotated[SuicideRisk, BeforeValidator(_choice(SuicideRisk))]
    medically_stable: Flag
    needs_24h_structure: Flag
    available_hours_per_week: Hours
    program_min_hours_per_week: Annotated[
        int | float, BeforeValidator(_hours(allow_zero=False))
    ] = DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK
    previous_lower_level: Annotated[
        PreviousLowerLevel, BeforeValidator(_choice(PreviousLowerLevel))
    ] = PreviousLowerLevel.NONE
    previous_lower_level_outcome: Annotated[
        PreviousOutcome, BeforeValidator(_choice(PreviousOutcome))
    ] = Field(default=PreviousOutcome.NOT_TRIED, validate_default=True)
    step_down_from: Annotated[StepDownFrom, BeforeValidator(_choice(StepDownFrom))] = (
        StepDownFrom.NONE
    )
    iop_fit_criteria: Annotated[tuple[IopFitCriterion, ...], BeforeValidator(_criteria)] = tuple(
        IopFitCriterion
    )
    offers_outpatient_withdrawal_care: Flag = False
    available_days_per_week: Annotated[int | None, BeforeValidator(_days)] = None

    @field_validator("previous_lower_level_outcome")
    @classmethod
    def _outcome_matches_history(
        cls, outcome: PreviousOutcome, info: ValidationInfo
    ) -> PreviousOutcome:
        previous = info.data.get("previous_lower_level")
        if previous is not None and (message := history_problem(previous, outcome)):
            raise problem(message)
        return outcome


def read_placement_input(data: object) -> PlacementInput:
    """Read a placement input from decoded JSON, naming every bad field at once."""
    if not isinstance(data, dict):
        raise PlacementInputError({"input": "must be a JSON object"})
    try:
        model = PlacementInputModel.model_validate(data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for field, message in field_errors(error, messages=_MESSAGES):
            errors.setdefault(field, message)
        raise PlacementInputError(errors) from None
    values = dict(model)
    values["dimensions"] = DimensionRatings(**dict(model.dimensions))
    return PlacementInput(**values)
