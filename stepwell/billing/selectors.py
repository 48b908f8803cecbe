"""Reads of coverage. Callers have already decided that the user may see the patient."""

from __future__ import annotations

from datetime import date

from stepwell.patients.models import Patient

from .models import Coverage, CoveragePriority, PayerKind

_PRIORITY_ORDER = {
    CoveragePriority.PRIMARY: 0,
    CoveragePriority.SECONDARY: 1,
    CoveragePriority.TERTIARY: 2,
}


def coverages_in_force(*, patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages in force on a day, primary first."""
    rows = [
        c for c in Coverage.objects.filter(patient=patient).select_related("payer") if c.covers(on)
    ]
    return sorted(rows, key=lambda c: (_PRIORITY_ORDER.get(c.priority, 9), c.pk))


def coverage_primary(*, patient: Patient, on: date) -> Coverage | None:
    rows = coverages_in_force(patient=patient, on=on)
    return rows[0] if rows else None


def patient_has_medicare(*, patient: Patient, on: date) -> bool:
    """True when any coverage in force on the day is Medicare."""
    return any(
        c.payer.kind == PayerKind.MEDICARE for c in coverages_in_force(patient=patient, on=on)
    )
