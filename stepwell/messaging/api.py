"""The outbox over the API (staff)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from stepwell.core.api_schemas import responses

from . import selectors

router = Router(tags=["messages"])


class MessageOut(Schema):
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
def outbox(request, state: str = ""):
    """The newest messages to the patients the user sees (and the user's own pages)."""
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
        for m in selectors.outbox(actor=request.user, state=state[:8])
    ]
