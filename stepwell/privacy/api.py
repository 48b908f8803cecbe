from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from . import access
from .audit import AuditAction, AuditOutcome, audit_request
from .selectors import AuditFilter, audit_events_for

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime
    user_id: int | None
    username: str
    role: str
    patient_id: int | None
    action: str
    object_type: str
    object_id: str
    outcome: str
    client_address: str
    detail: dict


class ErrorOut(Schema):
    detail: str


@router.get("", response={200: list[AuditEventOut], 403: ErrorOut})
def audit_list(
    request,
    patient: int | None = None,
    action: str = "",
    outcome: str = "",
    sort: str = "-seq",
    limit: int = 100,
    offset: int = 0,
):
    """Audit events you may review (program directors: their programs' patients)."""
    if not access.access_audit_trail(request.user):
        audit_request(
            request,
            action=AuditAction.LIST,
            object_type="audit_trail",
            patient_id=patient,
            outcome=AuditOutcome.DENIED,
        )
        return Status(
            403, {"detail": "Only program directors and administrators review the audit trail."}
        )
    limit = max(1, min(limit, 1000))
    events = audit_events_for(
        user=request.user,
        criteria=AuditFilter(patient_id=patient, action=action, outcome=outcome, sort=sort),
    )
    page = list(events[offset : offset + limit])
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="audit_trail",
        patient_id=patient,
        detail={"via": "api"},
    )
    return Status(200, page)
