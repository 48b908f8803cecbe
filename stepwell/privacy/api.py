from __future__ import annotations

from datetime import datetime

from ninja import Query, Router

from stepwell.core.api_schemas import MAX_OFFSET, PAGE_SIZE, Out, responses
from stepwell.core.errors import ApplicationError

from .selectors import (
    AuditFilter,
    audit_detail_shown,
    audit_patients_named,
    audit_patients_shown,
    audit_trail_as_of,
)

MAX_LIMIT = 1000
MAX_ID = 2**63 - 1

router = Router(tags=["audit"])


class AuditEventOut(Out):
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


@router.get("", response=responses({200: list[AuditEventOut]}))
def audit_list(
    request,
    patient: int | None = None,
    action: str = "",
    outcome: str = "",
    sort: str = "-seq",
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    as_of: int | None = Query(None, ge=1, le=MAX_ID),
):
    """Audit events you may review (program directors: their programs' patients).

    `sort` is a column, optionally with `-` before it; a page at a time: `limit` 1 to 1000
    (50 unless asked), `offset` 0 to 10^9 (out of range: a 422 naming the parameter).
    The trail grows while you page through it; to keep the pages where they were, pass
    `as_of` on every page: events numbered below it only (for example the first page's
    newest `seq` plus one, sorted newest first).
    """
    if patient is not None and not 1 <= patient <= MAX_ID:
        raise ApplicationError(
            "The audit query is not valid.", field_errors={"patient": "Not a patient id."}
        )
    events, _ = audit_trail_as_of(
        user=request.user,
        criteria=AuditFilter(patient_id=patient, action=action, outcome=outcome, sort=sort),
        as_of=as_of,
        via="api",
    )
    page = list(events[offset : offset + limit])
    shown = audit_patients_shown(user=request.user, among=audit_patients_named(page))
    for event in page:
        event.detail = audit_detail_shown(event.detail, shown)
    return page
