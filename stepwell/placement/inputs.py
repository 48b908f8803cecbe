"""What a clinician enters for a level-of-care recommendation, and how it is read from JSON.

The six substance-use dimensions carry only their ASAM 3rd-edition names and our own short
descriptors (docs/clinical-sources.md §1.1, "Licence": store dimension names and clinician
ratings, never criteria text). Ratings are 0-4: 0 no or minimal risk, 1 mild, 2 moderate,
3 significant or severe, 4 extreme (sources §1.1). For a patient treated for mental health
only, withdrawal risk (dimension 1) and relapse risk (dimension 5) may be None: not
applicable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class PlacementInputError(ValueError):
    """Bad placement input; `errors` maps each offending field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class _OrderedChoice(StrEnum):
    """A coded answer whose members are declared from least to most risk."""

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)


class MentalHealthSeverity(_OrderedChoice):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"


class FunctionalImpairment(_OrderedChoice):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class SuicideRisk(_OrderedChoice):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    IMMINENT = "imminent"


class PreviousLowerLevel(_OrderedChoice):
    NONE = "none"
    OUTPATIENT = "outpatient"
    INTENSIVE_OUTPATIENT = "intensive_outpatient"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization"


class PreviousOutcome(StrEnum):
    NOT_TRIED = "not_tried"
    INSUFFICIENT = "insufficient"
    HELPED = "helped"


class StepDownFrom(_OrderedChoice):
    NONE = "none"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization"
    RESIDENTIAL = "residential"
    INPATIENT = "inpatient"


class IopFitCriterion(StrEnum):
    """The program's own IOP-fit criteria, in our words."""

    SYMPTOMS_INTERFERE_WITH_DAILY_LIFE = "symptoms_interfere_with_daily_life"
    NEEDS_STRUCTURED_TREATMENT = "needs_structured_treatment"
    LIMITED_TIME_FOR_FULL_TIME_CARE = "limited_time_for_full_time_care"
    LOWER_INTENSITY_NOT_ENOUGH = "lower_intensity_not_enough"


class Dimension(StrEnum):
    """The six substance-use dimensions: ASAM 3rd-edition names (sources §1.1) and our labels."""

    D1_WITHDRAWAL = "d1_withdrawal"
    D2_BIOMEDICAL = "d2_biomedical"
    D3_EMOTIONAL_BEHAVIORAL = "d3_emotional_behavioral"
    D4_READINESS = "d4_readiness"
    D5_RELAPSE = "d5_relapse"
    D6_RECOVERY_ENVIRONMENT = "d6_recovery_environment"

    @property
    def number(self) -> int:
        return list(Dimension).index(self) + 1

    @property
    def asam_name(self) -> str:
        """The 3rd-edition dimension name; the name only, never criteria text."""
        return _DIMENSION_NAMES[self]

    @property
    def label(self) -> str:
        return _DIMENSION_LABELS[self]

    @property
    def may_be_not_applicable(self) -> bool:
        """Withdrawal and relapse risk do not apply to a mental-health-only patient."""
        return self in NOT_APPLICABLE_FOR_MENTAL_HEALTH_ONLY


_DIMENSION_NAMES = {
    Dimension.D1_WITHDRAWAL: "Acute Intoxication and/or Withdrawal Potential",
    Dimension.D2_BIOMEDICAL: "Biomedical Conditions and Complications",
    Dimension.D3_EMOTIONAL_BEHAVIORAL: (
        "Emotional, Behavioral, or Cognitive Conditions and Complications"
    ),
    Dimension.D4_READINESS: "Readiness to Change",
    Dimension.D5_RELAPSE: "Relapse, Continued Use, or Continued Problem Potential",
    Dimension.D6_RECOVERY_ENVIRONMENT: "Recovery/Living Environment",
}

_DIMENSION_LABELS = {
    Dimension.D1_WITHDRAWAL: "withdrawal risk",
    Dimension.D2_BIOMEDICAL: "physical health",
    Dimension.D3_EMOTIONAL_BEHAVIORAL: "emotional and behavioural health",
    Dimension.D4_READINESS: "readiness to change",
    Dimension.D5_RELAPSE: "relapse risk",
    Dimension.D6_RECOVERY_ENVIRONMENT: "recovery environment",
}

NOT_APPLICABLE_FOR_MENTAL_HEALTH_ONLY = frozenset({Dimension.D1_WITHDRAWAL, Dimension.D5_RELAPSE})

RATING_MIN = 0
RATING_MAX = 4
HOURS_IN_A_WEEK = 168
DAYS_IN_A_WEEK = 7
DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK = 9  # adult IOP floor, sources §1.2 and §2.1


@dataclass(frozen=True)
class DimensionRatings:
    d1_withdrawal: int | None
    d2_biomedical: int
    d3_emotional_behavioral: int
    d4_readiness: int
    d5_relapse: int | None
    d6_recovery_environment: int

    def __post_init__(self) -> None:
        errors = {
            f"dimensions.{dimension}": problem
            for dimension in Dimension
            if (problem := _rating_problem(self.rating(dimension), dimension))
        }
        if errors:
            raise PlacementInputError(errors)

    def rating(self, dimension: Dimension) -> int | None:
        """The 0-4 rating, or None when the dimension does not apply."""
        return getattr(self, dimension.value)

    def at_least(self, dimension: Dimension, rating: int) -> bool:
        """True when the dimension applies and is rated `rating` or higher."""
        value = self.rating(dimension)
        return value is not None and value >= rating

    def with_rating(self, dimension: Dimension, rating: int | None) -> DimensionRatings:
        # __post_init__ refuses None for a dimension that must be rated.
        return dataclasses.replace(self, **{dimension.value: rating})  # type: ignore[arg-type]


@dataclass(frozen=True)
class PlacementInput:
    dimensions: DimensionRatings
    mental_health_severity: MentalHealthSeverity
    functional_impairment: FunctionalImpairment
    suicide_risk: SuicideRisk
    medically_stable: bool
    needs_24h_structure: bool
    available_hours_per_week: float
    program_min_hours_per_week: float = DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK
    previous_lower_level: PreviousLowerLevel = PreviousLowerLevel.NONE
    previous_lower_level_outcome: PreviousOutcome = PreviousOutcome.NOT_TRIED
    step_down_from: StepDownFrom = StepDownFrom.NONE
    iop_fit_criteria: tuple[IopFitCriterion, ...] = tuple(IopFitCriterion)
    # The program's prescriber monitors mild to moderate withdrawal as an outpatient.
    offers_outpatient_withdrawal_care: bool = False
    # Distinct weekdays the patient can attend; None when not known.
    available_days_per_week: int | None = None

    @property
    def lower_level_not_enough(self) -> bool:
        """Some less intensive care was tried and was not enough."""
        return self.previous_lower_level_outcome is PreviousOutcome.INSUFFICIENT

    @property
    def intensive_outpatient_not_enough(self) -> bool:
        """Intensive outpatient care, or something more intensive, was tried and was not enough."""
        return (
            self.lower_level_not_enough
            and self.previous_lower_level.rank >= PreviousLowerLevel.INTENSIVE_OUTPATIENT.rank
        )

    def __post_init__(self) -> None:
        errors = {}
        if problem := _hours_problem(self.available_hours_per_week, allow_zero=True):
            errors["available_hours_per_week"] = problem
        if problem := _days_problem(self.available_days_per_week):
            errors["available_days_per_week"] = problem
        if problem := _hours_problem(self.program_min_hours_per_week, allow_zero=False):
            errors["program_min_hours_per_week"] = problem
        if problem := _history_problem(
            self.previous_lower_level, self.previous_lower_level_outcome
        ):
            errors["previous_lower_level_outcome"] = problem
        if errors:
            raise PlacementInputError(errors)


_REQUIRED = object()


def placement_input_from_dict(data: object) -> PlacementInput:
    """Read a placement input from decoded JSON, naming every bad field at once."""
    if not isinstance(data, dict):
        raise PlacementInputError({"input": "must be a JSON object"})
    errors: dict[str, str] = {}
    for key in data:
        if key not in _FIELDS:
            errors[str(key)] = "unknown field"
    values: dict[str, Any] = {}
    for field, (reader, default) in _FIELDS.items():
        if field not in data:
            if default is _REQUIRED:
                errors[field] = "required"
            else:
                values[field] = default
            continue
        value, field_errors = reader(field, data[field])
        if field_errors:
            errors.update(field_errors)
        else:
            values[field] = value
    if "previous_lower_level" in values and "previous_lower_level_outcome" in values:
        problem = _history_problem(
            values["previous_lower_level"], values["previous_lower_level_outcome"]
        )
        if problem:
            errors["previous_lower_level_outcome"] = problem
    if errors:
        raise PlacementInputError(errors)
    return PlacementInput(**values)


def _rating_problem(value: object, dimension: Dimension) -> str | None:
    if value is None and dimension.may_be_not_applicable:
        return None
    if value is None:
        return (
            f"must be a whole number from {RATING_MIN} to {RATING_MAX}; only withdrawal "
            "and relapse risk may be null (not applicable)"
        )
    if isinstance(value, bool) or not isinstance(value, int):
        nullable = " or null (not applicable)" if dimension.may_be_not_applicable else ""
        return f"must be a whole number from {RATING_MIN} to {RATING_MAX}{nullable}"
    if not RATING_MIN <= value <= RATING_MAX:
        return f"must be from {RATING_MIN} to {RATING_MAX}, got {value}"
    return None


def _hours_problem(value: object, *, allow_zero: bool) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number of hours"
    if allow_zero and not 0 <= value <= HOURS_IN_A_WEEK:
        return f"must be from 0 to {HOURS_IN_A_WEEK}, got {value}"
    if not allow_zero and not 0 < value <= HOURS_IN_A_WEEK:
        return f"must be more than 0 and at most {HOURS_IN_A_WEEK}, got {value}"
    return None


def _days_problem(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number of days from 0 to {DAYS_IN_A_WEEK}, or null"
    if not 0 <= value <= DAYS_IN_A_WEEK:
        return f"must be from 0 to {DAYS_IN_A_WEEK}, got {value}"
    return None


def _history_problem(previous: PreviousLowerLevel, outcome: PreviousOutcome) -> str | None:
    if previous is PreviousLowerLevel.NONE and outcome is not PreviousOutcome.NOT_TRIED:
        return "must be not_tried when previous_lower_level is none"
    if previous is not PreviousLowerLevel.NONE and outcome is PreviousOutcome.NOT_TRIED:
        return "must be insufficient or helped when previous_lower_level is given"
    return None


def _read_dimensions(field: str, value: object) -> tuple[Any, dict[str, str]]:
    if not isinstance(value, dict):
        return None, {field: "must be an object with the six dimension ratings"}
    errors = {f"{field}.{key}": "unknown field" for key in value if key not in set(Dimension)}
    ratings = {}
    for dimension in Dimension:
        if dimension.value not in value:
            errors[f"{field}.{dimension}"] = "required"
        elif problem := _rating_problem(value[dimension.value], dimension):
            errors[f"{field}.{dimension}"] = problem
        else:
            ratings[dimension.value] = value[dimension.value]
    return (None if errors else DimensionRatings(**ratings)), errors


def _choice_reader(choices: type[StrEnum]):
    def read(field: str, value: object) -> tuple[Any, dict[str, str]]:
        allowed = ", ".join(member.value for member in choices)
        if not isinstance(value, str) or value not in set(choices):
            return None, {field: f"must be one of: {allowed}"}
        return choices(value), {}

    return read


def _read_bool(field: str, value: object) -> tuple[Any, dict[str, str]]:
    if not isinstance(value, bool):
        return None, {field: "must be true or false"}
    return value, {}


def _hours_reader(*, allow_zero: bool):
    def read(field: str, value: object) -> tuple[Any, dict[str, str]]:
        if problem := _hours_problem(value, allow_zero=allow_zero):
            return None, {field: problem}
        return value, {}

    return read


def _read_days(field: str, value: object) -> tuple[Any, dict[str, str]]:
    if problem := _days_problem(value):
        return None, {field: problem}
    return value, {}


def _read_iop_fit_criteria(field: str, value: object) -> tuple[Any, dict[str, str]]:
    allowed = ", ".join(criterion.value for criterion in IopFitCriterion)
    if not isinstance(value, list) or not value:
        return None, {field: f"must be a non-empty list drawn from: {allowed}"}
    if any(not isinstance(item, str) or item not in set(IopFitCriterion) for item in value):
        return None, {field: f"every item must be one of: {allowed}"}
    if len(set(value)) != len(value):
        return None, {field: "must not repeat a criterion"}
    return tuple(IopFitCriterion(item) for item in value), {}


# field name -> (reader, default); a reader returns (value, {field: problem}).
_FIELDS: dict[str, tuple[Any, Any]] = {
    "dimensions": (_read_dimensions, _REQUIRED),
    "mental_health_severity": (_choice_reader(MentalHealthSeverity), _REQUIRED),
    "functional_impairment": (_choice_reader(FunctionalImpairment), _REQUIRED),
    "suicide_risk": (_choice_reader(SuicideRisk), _REQUIRED),
    "medically_stable": (_read_bool, _REQUIRED),
    "needs_24h_structure": (_read_bool, _REQUIRED),
    "available_hours_per_week": (_hours_reader(allow_zero=True), _REQUIRED),
    "program_min_hours_per_week": (
        _hours_reader(allow_zero=False),
        DEFAULT_PROGRAM_MIN_HOURS_PER_WEEK,
    ),
    "previous_lower_level": (
        _choice_reader(PreviousLowerLevel),
        PreviousLowerLevel.NONE,
    ),
    "previous_lower_level_outcome": (
        _choice_reader(PreviousOutcome),
        PreviousOutcome.NOT_TRIED,
    ),
    "step_down_from": (_choice_reader(StepDownFrom), StepDownFrom.NONE),
    "iop_fit_criteria": (_read_iop_fit_criteria, tuple(IopFitCriterion)),
    "offers_outpatient_withdrawal_care": (_read_bool, False),
    "available_days_per_week": (_read_days, None),
}
