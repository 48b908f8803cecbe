"""Change that means something between two administrations of one instrument, and the
joint PHQ-9 + GAD-7 reliable recovery. No Django.

Rules (docs/clinical-sources.md §3.7):

- Reliable change by a points threshold stored with its source; the shipped defaults are
  NHS Talking Therapies (IAPT): PHQ-9 6 points, GAD-7 4 points, inclusive. A threshold
  marked unverified (PCL-5: sources disagree) never classifies a change as reliable; the
  result says the threshold is unverified.
- Jacobson & Truax (1991) RCI = (x2 - x1) / S_diff, S_diff = sqrt(2 * SE^2),
  SE = SD * sqrt(1 - r). |RCI| > 1.96 is reliable. Computed only where the definition
  carries a sourced SD and reliability; the method and parameters go with the result.
- Response: reduction from baseline of at least the definition's percentage (50%).
- Remission: current total below the definition's cut (PHQ-9 < 5; GAD-7 < 5).
- Reliable recovery (IAPT) is joint, never per instrument: at caseness on PHQ-9 (>= 10)
  or GAD-7 (>= 8) at the start, below caseness on both at the end, reliable improvement
  on at least one and reliable deterioration on neither (``reliable_recovery``).
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
    # None: no verified threshold and no RCI, so the change is never called reliable
    classification: ChangeClassification | None
    threshold_points: int | None
    threshold_source: str | None
    threshold_verified: bool | None  # None: the definition has no points threshold
    rci: float | None
    rci_method: str | None
    rci_parameters: JacobsonTruaxParameters | None
    response: bool | None  # None: no criterion, or a baseline of 0
    remission: bool | None
    caseness_at_baseline: bool | None  # None: the definition has no caseness cut
    below_caseness_now: bool | None

    def as_dict(self) -> dict[str, object]:
        """The ``stepwell change`` contract."""
        return {
            "change": self.change,
            "classification": self.classification and str(self.classification),
            "threshold_verified": self.threshold_verified,
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
    if threshold is not None and threshold.verified:
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
    caseness = parameters.caseness_at_or_above
    return ChangeResult(
        instrument=instrument.key,
        baseline=baseline_total,
        current=current_total,
        change=change,
        classification=classification,
        threshold_points=threshold.points if threshold is not None else None,
        threshold_source=threshold.source if threshold is not None else None,
        threshold_verified=threshold.verified if threshold is not None else None,
        rci=rci,
        rci_method=JACOBSON_TRUAX_METHOD if rci is not None else None,
        rci_parameters=parameters.jacobson_truax,
        response=response,
        remission=remission,
        caseness_at_baseline=None if caseness is None else baseline_total >= caseness.value,
        below_caseness_now=None if caseness is None else current_total < caseness.value,
    )


@dataclass(frozen=True)
class JointOutcome:
    """IAPT reliable recovery over PHQ-9 and GAD-7 together.

    ``reliable_recovery`` is None when it does not apply: a measure is missing at either
    time, or neither measure was at caseness at the start. ``reason`` says which.
    """

    reliable_recovery: bool | None
    reason: str
    caseness_at_baseline: bool
    below_caseness_on_both: bool
    reliable_improvement: bool  # on at least one measure
    reliable_deterioration: bool  # on either measure

    def as_dict(self) -> dict[str, object]:
        return {
            "reliable_recovery": self.reliable_recovery,
            "reason": self.reason,
            "caseness_at_baseline": self.caseness_at_baseline,
            "below_caseness_on_both": self.below_caseness_on_both,
            "reliable_improvement": self.reliable_improvement,
            "reliable_deterioration": self.reliable_deterioration,
        }


Totals = tuple[int, int]  # (baseline, current)


def reliable_recovery(
    *,
    phq9: Instrument,
    gad7: Instrument,
    phq9_totals: Totals | None,
    gad7_totals: Totals | None,
) -> JointOutcome:
    """IAPT reliable recovery from the first and latest PHQ-9 and GAD-7 totals.

    Caseness, reliable improvement and deterioration come from each definition's change
    parameters (PHQ-9: caseness 10, 6 points; GAD-7: caseness 8, 4 points). Raises
    ChangeError for an impossible total or a definition without those parameters.
    """
    for instrument in (phq9, gad7):
        parameters = instrument.change
        if parameters.caseness_at_or_above is None or parameters.reliable_change is None:
            raise ChangeError(f"{instrument.abbreviation} has no caseness or reliable-change cut")
    if phq9_totals is None or gad7_totals is None:
        return JointOutcome(
            None, "needs a first and a latest PHQ-9 and GAD-7", False, False, False, False
        )
    results = [
        change_between(phq9, *phq9_totals),
        change_between(gad7, *gad7_totals),
    ]
    caseness = any(result.caseness_at_baseline for result in results)
    below_both = all(result.below_caseness_now for result in results)
    improved = any(r.classification is ChangeClassification.RELIABLE_IMPROVEMENT for r in results)
    deteriorated = any(
        r.classification is ChangeClassification.RELIABLE_DETERIORATION for r in results
    )
    if not caseness:
        return JointOutcome(
            None, "below caseness on both at the start", False, below_both, improved, deteriorated
        )
    recovered = below_both and improved and not deteriorated
    return JointOutcome(recovered, "", True, below_both, improved, deteriorated)


def _classify(improved: bool, deteriorated: bool) -> ChangeClassification:
    if improved:
        return ChangeClassification.RELIABLE_IMPROVEMENT
    if deteriorated:
        return ChangeClassification.RELIABLE_DETERIORATION
    return ChangeClassification.NO_RELIABLE_CHANGE


def _reliable_change_index(parameters: JacobsonTruaxParameters, change: int) -> float:
    """Jacobson & Truax 1991, J Consult Clin Psychol 59:12-19 (docs/clinical-sources.md §3.7)."""
    standard_error = parameters.standard_deviation * math.sqrt(1 - parameters.reliability)
    standard_error_of_difference = math.sqrt(2 * standard_error**2)
    return change / standard_error_of_difference
