"""The outbox over the API (staff)."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses

from . import selectors

router = Router(tags=["messages"])


class MessageOut(Out):
    id: int
    patient_id: int | None
    purpose: str
    channel: str
    state: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str


@router.get("/messages", response=responses({200: list[MessageOut]}))
def outbox(
    request,
    state: str = "",
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The messages to the patients the user sees (and the user's own pages), newest
    first, optionally of one `state`, a page at a time: `limit` (50 unless asked, at most
    500) after `offset`."""
    rows = selectors.outbox(actor=request.user, state=state[:8], limit=limit, offset=offset)
    return [
        {
            "id": m.pk,
            "patient_id": m.patient_id,
            "purpose": m.purpose,
            "channel": m.channel,
            "state": m.state,
            "attempts": m.attempts,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
            "last_error": m.last_error,
        }
        for m in rows
    ]
