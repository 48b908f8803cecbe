from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from stepwell.core.errors import ApplicationError

from . import access
from .audit import AuditAction, AuditOutcome, audit_request
from .selectors import AuditFilter, audit_detail_shown, audit_events_for, audit_patients_shown

MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_ID = 2**63 - 1

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
    errors: dict[str, str] = {}


@router.get("", response={200: list[AuditEventOut], 400: ErrorOut, 403: ErrorOut})
def audit_list(
    request,
    patient: int | None = None,
    action: str = "",
    outcome: str = "",
    sort: str = "-seq",
    limit: int = 100,
    offset: int = 0,
):
    """Audit events you may review (program directors: their programs' patients).

    `sort` is a column, optionally with `-` before it; `limit` 1 to 1000; `offset` 0 to 10^9.
    """
    if patient is not None and not 1 <= patient <= MAX_ID:
        raise ApplicationError(
            "The audit query is not valid.", field_errors={"patient": "Not a patient id."}
        )
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
    errors = {}
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"Give a number from 1 to {MAX_LIMIT}."
    if not 0 <= offset <= MAX_OFFSET:
        errors["offset"] = f"Give a number from 0 to {MAX_OFFSET}."
    if errors:
        raise ApplicationError("The audit query is not valid.", field_errors=errors)
    events = audit_events_for(
        user=request.user,
        criteria=AuditFilter(patient_id=patient, action=action, outcome=outcome, sort=sort),
    )
    shown = audit_patients_shown(user=request.user)
    page = list(events[offset : offset + limit])
    for event in page:
        event.detail = audit_detail_shown(event.detail, shown)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="audit_trail",
        patient_id=patient,
        detail={"via": "api"},
    )
    return Status(200, page)
