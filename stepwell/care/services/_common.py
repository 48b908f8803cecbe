"""Helpers the care services share: auditing refusals and finding rows."""

from __future__ import annotations

from stepwell.core.errors import AccessDenied
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditOutcome, audit_record


def existing_patient_id(patient_id: int | None) -> int | None:
    if patient_id is None:
        return None
    return patient_id if Patient.objects.filter(pk=patient_id).exists() else None


def refuse(
    *,
    actor,
    action: str,
    object_type: str,
    object_id,
    patient_id: int | None = None,
    client_address: str = "",
) -> AccessDenied:
    """Audit a denied attempt (outside the caller's transaction) and return the error."""
    audit_record(
        user=actor,
        action=action,
        patient_id=existing_patient_id(patient_id),
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
    )
    return AccessDenied()
