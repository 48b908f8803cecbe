"""Shared by the intake and plan pages: refusals rendered and audited, errors onto forms."""

from __future__ import annotations

from django.shortcuts import render

from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request


def denied(request, *, object_type: str, object_id="", patient_id=None, action=AuditAction.VIEW):
    audit_request(
        request,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
    )
    return render(request, "core/denied.html", status=403)


def apply_errors(form, error: ApplicationError) -> None:
    """Put each field error next to its field; anything else goes at the top of the form."""
    placed = False
    for field, message in error.field_errors.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
        else:
            form.add_error(None, f"{field.replace('_', ' ')}: {message}")
            placed = True
    if not placed:
        form.add_error(None, error.message)


def audit_view(request, *, patient_id: int, object_type: str, object_id) -> None:
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
    )
