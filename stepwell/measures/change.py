"""Change that means something between two administrations of one instrument. No Django.

Rules (clinical-facts.md §4, "Reliable and clinically significant change"):

- Reliable change by a points threshold stored with its source; the shipped defaults are
  NHS Talking Therapies (IAPT): PHQ-9 6 points, GAD-7 4 points, inclusive
  (NCT05134103 outcome definitions).
- Jacobson & Truax (1991) RCI = (x2 - x1) / S_diff, S_diff = sqrt(2 * SE^2),
  SE = SD * sqrt(1 - r). |RCI| > 1.96 is reliable. Computed only where the definition
  carries a sourced SD and reliability; the method and parameters go with the result.
- Response: reduction from baseline of at least the definition's percentage (50%).
- Remission: current total below the definition's cut (PHQ-9 < 5; GAD-7 < 5 per issue 1).
- Recovery (IAPT): baseline at or above caseness (PHQ-9 >= 10, GAD-7 >= 8), current below
  it, together with reliable improvement. Not applicable (None) when the baseline was
  below caseness.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from stepwell.measures.definitions.model import Instrument, JacobsonTruaxParameters

JACOBSON_TRUAX_METHOD = "jacobson_truax_1991"
JACOBSON_TRUAX_CRITICAL_VALUE = 1.96


class ChangeClassification(enum.StrEnum):
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    RELIABLE_DETERIORATION = "reliable_deterioration"


class ChangeError(ValueError):
    """The totals cannot be compared on this instrument."""


@dataclass(frozen=True)
class ChangeResult:
    instrument: str
    baseline: int
    current: int
    change: int  # current - baseline, in points
    classification: ChangeClassification | None  # None: no sourced threshold or RCI
    threshold_points: int | None
    threshold_source: str | None
    rci: float | None
    rci_method: str | None
    rci_parameters: JacobsonTruaxParameters | None
    response: bool | None  # None: no criterion, or a baseline of 0
    remission: bool | None
    recovery: bool | None  # None: no caseness cut, or baseline below caseness

    def as_dict(self) -> dict[str, object]:
        """The ``stepwell change`` contract."""
        return {
            "change": self.change,
            "classification": self.classification and str(self.classification),
            "response": self.response,
            "remission": self.remission,
        }


def change_between(instrument: Instrument, baseline_total: int, current_total: int) -> ChangeResult:
    """Compare two totals of ``instrument`` (baseline first). Raises ChangeError."""
    total_range = instrument.total_range
    if total_range is None:
        raise ChangeError(f"{instrument.abbreviation} has no numeric total to compare")
    for name, total in (("baseline", baseline_total), ("current", current_total)):
        if isinstance(total, bool) or not isinstance(total, int):
            raise ChangeError(f"{name} total must be an integer")
        if not total_range[0] <= total <= total_range[1]:
            low, high = total_range
            raise ChangeError(
                f"{name} total {total} is outside {instrument.abbreviation}'s {low}-{high}"
            )
    parameters = instrument.change
    change = current_total - baseline_total
    improvement = change if parameters.higher_is_better else -change
    rci = None
    if parameters.jacobson_truax is not None:
        rci = _reliable_change_index(parameters.jacobson_truax, change)

    threshold = parameters.reliable_change
    if threshold is not None:
        classification = _classify(
            improvement >= threshold.points, -improvement >= threshold.points
        )
    elif rci is not None:
        reliable = abs(rci) > JACOBSON_TRUAX_CRITICAL_VALUE
        classification = _classify(reliable and improvement > 0, reliable and improvement < 0)
    else:
        classification = None

    response = None
    if parameters.response is not None and baseline_total > 0:
        percent = parameters.response.reduction_at_least_percent
        response = 100 * (baseline_total - current_total) >= percent * baseline_total
    remission = None
    if parameters.remission_below is not None:
        remission = current_total < parameters.remission_below.value
    recovery = None
    caseness = parameters.caseness_at_or_above
    if caseness is not None and baseline_total >= caseness.value:
        recovery = (
            current_total < caseness.value
            and classification is ChangeClassification.RELIABLE_IMPROVEMENT
        )
    return ChangeResult(
        instrument=instrument.key,
        baseline=baseline_total,
        current=current_total,
        change=change,
        classification=classification,
        threshold_points=threshold and threshold.points,
        threshold_source=threshold and threshold.source,
        rci=rci,
        rci_method=JACOBSON_TRUAX_METHOD if rci is not None else None,
        rci_parameters=parameters.jacobson_truax,
        response=response,
        remission=remission,
        recovery=recovery,
    )


def _classify(improved: bool, deteriorated: bool) -> ChangeClassification:
    if improved:
        return ChangeClassification.RELIABLE_IMPROVEMENT
    if deteriorated:
        return ChangeClassification.RELIABLE_DETERIORATION
    return ChangeClassification.NO_RELIABLE_CHANGE


def _reliable_change_index(parameters: JacobsonTruaxParameters, change: int) -> float:
    """Jacobson & Truax 1991, J Consult Clin Psychol 59:12-19 (clinical-facts.md §4)."""
    standard_error = parameters.standard_deviation * math.sqrt(1 - parameters.reliability)
    standard_error_of_difference = math.sqrt(2 * standard_error**2)
    return change / standard_error_of_difference
