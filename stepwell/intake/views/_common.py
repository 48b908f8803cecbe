"""Shared by the intake and plan pages: refusals rendered and audited, errors onto forms."""

from __future__ import annotations

from stepwell.privacy.audit import AuditAction, audit_request


def audit_view(request, *, patient_id: int, object_type: str, object_id) -> None:
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
    )
