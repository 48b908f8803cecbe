"""What a refused page request returns: nothing of the record, and an audited denial."""

from __future__ import annotations

from django.shortcuts import render

from .audit import AuditAction, AuditOutcome, audit_request


def page_denied(
    request,
    *,
    object_type: str,
    object_id="",
    patient_id: int | None = None,
    action=AuditAction.VIEW,
):
    """Audit the refused attempt (naming the patient only when one exists) and answer 403.

    A missing record and a forbidden one get the same answer, so a refusal never tells
    whether the record exists.
    """
    from stepwell.patients.models import Patient

    if patient_id is not None and not Patient.objects.filter(pk=patient_id).exists():
        patient_id = None
    audit_request(
        request,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
    )
    return render(request, "core/denied.html", status=403)
