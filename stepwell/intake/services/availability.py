"""The patient's weekly availability windows, which the scheduler reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_record

from .. import access
from ..models import AvailabilityWindow, Weekday
from ._common import deny


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


def _load_patient(*, actor, patient_id: int, client_address: str) -> Patient:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_availability_edit(actor, patient):
        raise deny(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="availability",
            object_id=patient_id,
            patient_id=patient.pk if patient else None,
            client_address=client_address,
        )
    return patient


def _audit(actor, patient, client_address, **detail):
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        patient_id=patient.pk,
        object_type="availability",
        object_id=patient.pk,
        client_address=client_address,
        detail=detail,
    )


def availability_window_add(
    *, actor, patient_id: int, weekday: int, start: time, end: time, client_address: str = ""
) -> AvailabilityWindow:
    patient = _load_patient(actor=actor, patient_id=patient_id, client_address=client_address)
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
        _audit(actor, patient, client_address, added=str(created))
    return created


def availability_window_remove(
    *, actor, patient_id: int, window_id: int, client_address: str = ""
) -> None:
    patient = _load_patient(actor=actor, patient_id=patient_id, client_address=client_address)
    with transaction.atomic():
        window = patient.availability_windows.filter(pk=window_id).first()
        if window is None:
            raise ApplicationError("No such window.", field_errors={"window": "Not found."})
        removed = str(window)
        window.delete()
        _audit(actor, patient, client_address, removed=removed)


def availability_set(
    *, actor, patient_id: int, windows: list[WindowIn], client_address: str = ""
) -> list[AvailabilityWindow]:
    """Replace all of the patient's windows at once; every bad window is named."""
    patient = _load_patient(actor=actor, patient_id=patient_id, client_address=client_address)
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
        _audit(actor, patient, client_address, windows=[str(w) for w in created])
    return list(patient.availability_windows.all())
