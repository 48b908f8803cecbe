"""Objective progress computed from measures, never typed in.

Plans read measures; measures never import plans. The measures app is optional here: when
it offers no reading for a measure, progress says "no data".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from .models import Comparison, MeasureKind, Objective


@dataclass(frozen=True)
class Reading:
    value: float
    as_of: date | None


@dataclass(frozen=True)
class Progress:
    state: str  # "met", "not_met", "no_data" or "not_measured"
    current: float | None
    as_of: date | None
    text: str


NOT_MEASURED = Progress("not_measured", None, None, "")
NO_DATA = Progress("no_data", None, None, "no data")


def latest_questionnaire_total(patient, instrument: str) -> Reading | None:
    """The patient's latest total on the instrument, from stepwell.measures if it offers one."""
    try:
        from stepwell.measures import selectors as measures_selectors
    except ImportError:
        return None
    reader = getattr(measures_selectors, "latest_total", None)
    if reader is not None:
        try:
            return _as_reading(reader(patient=patient, instrument=instrument))
        except TypeError:
            pass
    return _latest_completed_administration(patient, instrument)


def _latest_completed_administration(patient, instrument: str) -> Reading | None:
    """Read stepwell.measures' Administration table (completed, scored) when it exists."""
    try:
        from stepwell.measures.models import Administration
    except ImportError:
        return None
    found = (
        Administration.objects.filter(
            patient=patient,
            instrument_key=instrument,
            status="completed",
            total__isnull=False,
        )
        .order_by("-completed_at", "-pk")
        .first()
    )
    return _as_reading(found)


def _as_reading(found) -> Reading | None:
    if found is None:
        return None
    if isinstance(found, int | float | Decimal):
        return Reading(float(found), None)
    total = getattr(found, "total", None)
    if total is None:
        return None
    when = getattr(found, "administered_on", None) or getattr(found, "completed_on", None)
    if when is None:
        moment = getattr(found, "completed_at", None) or getattr(found, "administered_at", None)
        when = timezone.localdate(moment) if moment is not None else None
    return Reading(float(total), when)


def _reading_for(objective: Objective, patient) -> Reading | None:
    if objective.measure_kind == MeasureKind.QUESTIONNAIRE_TOTAL:
        return latest_questionnaire_total(patient, objective.instrument)
    # Attendance, abstinence and curriculum have no source yet (schedule/care apps).
    return None


def objective_progress(objective: Objective, patient) -> Progress:
    if objective.measure_kind == MeasureKind.NONE:
        return NOT_MEASURED
    reading = _reading_for(objective, patient)
    if reading is None:
        return NO_DATA
    target = float(objective.target_value) if objective.target_value is not None else None
    if target is None:
        return NO_DATA
    met = (
        reading.value < target
        if objective.comparison == Comparison.BELOW
        else reading.value >= target
    )
    when = f" on {reading.as_of:%Y-%m-%d}" if reading.as_of else ""
    verdict = "target met" if met else "target not yet met"
    return Progress(
        "met" if met else "not_met",
        reading.value,
        reading.as_of,
        f"latest {reading.value:g}{when}: {verdict}",
    )
