"""Reads of the outbox: staff see the messages to the patients they see (and their own
safety pages); a patient sees the messages sent to them. Each patient named is audited."""

from __future__ import annotations

from stepwell.privacy.access import messaging as access
from stepwell.privacy.access.patients import access_own_patient
from stepwell.privacy.audit import AuditAction, audit_record

from .models import ContactPreference, Message

OUTBOX_PAGE = 200


def outbox(*, actor, state: str = "", limit: int = OUTBOX_PAGE) -> list[Message]:
    """The newest messages the user may read, optionally of one state."""
    messages = access.access_outbox(actor)
    if state:
        messages = messages.filter(state=state)
    rows = list(messages.order_by("-created_at", "-pk")[:limit])
    for patient_id in sorted({m.patient_id for m in rows if m.patient_id}):
        audit_record(
            user=actor,
            action=AuditAction.VIEW,
            patient_id=patient_id,
            object_type="outbox",
            object_id=patient_id,
        )
    return rows


def own_messages(*, actor) -> tuple[object, list[Message], ContactPreference | None]:
    """The patient's own messages and contact preferences (portal)."""
    patient = access_own_patient(actor, object_type="messages")
    rows = list(Message.objects.filter(patient=patient).order_by("-created_at", "-pk")[:100])
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="messages",
        object_id=patient.pk,
    )
    return patient, rows, ContactPreference.objects.filter(patient=patient).first()
