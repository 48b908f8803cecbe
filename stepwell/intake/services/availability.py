"""The patient's weekly availability windows, which the scheduler reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.access.intake import access_availability_patient_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import AvailabilityWindow, Weekday


@dataclass(frozen=True)
class WindowIn:
    weekday: int
    start: time
    end: time


def _window_errors(window: WindowIn, prefix: str = "") -> dict[str, str]:
    errors = {}
    if window.weekday not in Weekday.values:
        errors[f"{prefix}weekday"] = "Choose a day from Monday (0) to Sunday (6)."
    if window.start >= window.end:
        errors[f"{prefix}end"] = "Must be after the start time."
    return errors


def _overlaps(a: WindowIn, b: WindowIn) -> bool:
    return a.weekday == b.weekday and a.start < b.end and b.start < a.end


def _audit(actor, patient, **detail):
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        patient_id=patient.pk,
        object_type="availability",
        object_id=patient.pk,
        detail=detail,
    )


def _patient_to_keep(actor, patient_id: int) -> Patient:
    """The gate: the patient themselves, or their intake and clinicians."""
    return access_availability_patient_by_id(actor, patient_id, action=AuditAction.UPDATE)


def availability_window_add(
    *, actor, patient_id: int, weekday: int, start: time, end: time
) -> AvailabilityWindow:
    patient = _patient_to_keep(actor, patient_id)
    window = WindowIn(weekday, start, end)
    errors = _window_errors(window)
    if errors:
        raise ApplicationError("The window could not be added.", field_errors=errors)
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        for other in patient.availability_windows.all():
            if _overlaps(window, WindowIn(other.weekday, other.start, other.end)):
                raise ApplicationError(
                    "The window overlaps another one.",
                    field_errors={"start": f"Overlaps {other}."},
                )
        created = AvailabilityWindow.objects.create(
            patient=patient, weekday=weekday, start=start, end=end
        )
        _audit(actor, patient, added=str(created))
    return created


def availability_window_remove(*, actor, patient_id: int, window_id: int) -> None:
    patient = _patient_to_keep(actor, patient_id)
    with transaction.atomic():
        window = patient.availability_windows.filter(pk=window_id).first()
        if window is None:
            raise ApplicationError("No such window.", field_errors={"window": "Not found."})
        removed = str(window)
        window.delete()
        _audit(actor, patient, removed=removed)


def availability_set(
    *, actor, patient_id: int, windows: list[WindowIn]
) -> list[AvailabilityWindow]:
    """Replace all of the patient's windows at once; every bad window is named."""
    patient = _patient_to_keep(actor, patient_id)
    errors: dict[str, str] = {}
    for index, window in enumerate(windows):
        errors.update(_window_errors(window, prefix=f"windows.{index}."))
    for index, window in enumerate(windows):
        for other_index in range(index):
            if _overlaps(window, windows[other_index]):
                errors[f"windows.{index}.start"] = f"Overlaps window {other_index}."
    if errors:
        raise ApplicationError("The availability could not be saved.", field_errors=errors)
    with transaction.atomic():
        patient.availability_windows.all().delete()
        created = AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(patient=patient, weekday=w.weekday, start=w.start, end=w.end)
            for w in windows
        )
        _audit(actor, patient, windows=[str(w) for w in created])
    return list(patient.availability_windows.all())
