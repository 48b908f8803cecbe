"""Reads of the outbox: staff see the messages to the patients they see (and their own
safety pages); a patient sees the messages sent to them. Every list comes a page at a
time, newest first; one audit event names the patients of the page."""

from __future__ import annotations

from django.core.paginator import Page
from django.db.models import QuerySet

from stepwell.core.paging import PAGE_SIZE, page_of, window
from stepwell.privacy.access import messaging as access
from stepwell.privacy.access.patients import access_own_patient
from stepwell.privacy.audit import AuditAction, audit_record

from .models import ContactPreference, Message


def _outbox_rows(actor, state: str) -> QuerySet[Message]:
    """The messages the user may read (or the audited refusal), of one state if asked,
    newest first."""
    messages = access.access_outbox(actor)
    if state:
        messages = messages.filter(state=state)
    return messages.order_by("-created_at", "-pk")


def _audit_outbox(actor, rows, **detail) -> None:
    audit_record(
        user=actor,
        action=AuditAction.LIST,
        object_type="outbox",
        detail={"patients": sorted({m.patient_id for m in rows if m.patient_id}), **detail},
    )


def outbox_page(*, actor, state: str = "", page_number=None) -> Page:
    """A page of the outbox (50 messages), optionally of one state."""
    page = page_of(_outbox_rows(actor, state), page_number)
    _audit_outbox(actor, page, state=state)
    return page


def outbox(*, actor, state: str = "", limit: int = PAGE_SIZE, offset: int = 0) -> list[Message]:
    """`limit` of the messages the user may read after `offset`, optionally of one state
    (the API's list)."""
    rows = list(window(_outbox_rows(actor, state), limit=limit, offset=offset))
    _audit_outbox(actor, rows, state=state, via="api")
    return rows


def own_messages(*, actor, page_number=None) -> tuple[object, Page, ContactPreference | None]:
    """The patient's own messages (50 a page, newest first) and contact preferences
    (portal)."""
    patient = access_own_patient(actor, object_type="messages")
    rows = page_of(
        Message.objects.filter(patient=patient).order_by("-created_at", "-pk"), page_number
    )
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="messages",
        object_id=patient.pk,
    )
    return patient, rows, ContactPreference.objects.filter(patient=patient).first()
