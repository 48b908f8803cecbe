"""What a clinician enters for a level-of-care recommendation; input_schema.py reads it from JSON.

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
            if (problem := rating_problem(self.rating(dimension), dimension))
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
        if problem := hours_problem(self.available_hours_per_week, allow_zero=True):
            errors["available_hours_per_week"] = problem
        if problem := days_problem(self.available_days_per_week):
            errors["available_days_per_week"] = problem
        if problem := hours_problem(self.program_min_hours_per_week, allow_zero=False):
            errors["program_min_hours_per_week"] = problem
        if problem := history_problem(self.previous_lower_level, self.previous_lower_level_outcome):
            errors["previous_lower_level_outcome"] = problem
        if errors:
            raise PlacementInputError(errors)


def placement_input_from_dict(data: object) -> PlacementInput:
    """Read a placement input from decoded JSON, naming every bad field at once.

    The pydantic models of the input live in input_schema.py, which builds these
    dataclasses; imported here on use, as it imports this module.
    """
    from stepwell.placement.input_schema import read_placement_input

    return read_placement_input(data)


def rating_problem(value: object, dimension: Dimension) -> str | None:
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


def hours_problem(value: object, *, allow_zero: bool) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number of hours"
    if allow_zero and not 0 <= value <= HOURS_IN_A_WEEK:
        return f"must be from 0 to {HOURS_IN_A_WEEK}, got {value}"
    if not allow_zero and not 0 < value <= HOURS_IN_A_WEEK:
        return f"must be more than 0 and at most {HOURS_IN_A_WEEK}, got {value}"
    return None


def days_problem(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number of days from 0 to {DAYS_IN_A_WEEK}, or null"
    if not 0 <= value <= DAYS_IN_A_WEEK:
        return f"must be from 0 to {DAYS_IN_A_WEEK}, got {value}"
    return None


def history_problem(previous: PreviousLowerLevel, outcome: PreviousOutcome) -> str | None:
    if previous is PreviousLowerLevel.NONE and outcome is not PreviousOutcome.NOT_TRIED:
        return "must be not_tried when previous_lower_level is none"
    if previous is not PreviousLowerLevel.NONE and outcome is PreviousOutcome.NOT_TRIED:
        return "must be insufficient or helped when previous_lower_level is given"
    return None
