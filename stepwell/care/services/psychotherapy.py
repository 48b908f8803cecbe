"""Psychotherapy notes (HIPAA §164.501): the author's private process notes.

Kept apart from the record: no session times, no attendance, no link to a session, never
in the chart, an export or the API, read and written only by their author. The audit
trail records that a note was written or read, never its text.
"""

from __future__ import annotations

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_record

from .. import access
from ..models import PsychotherapyNote
from ._common import refuse


def _text(text: str) -> str:
    if not (text or "").strip():
        raise ApplicationError("Write the note.", field_errors={"text": "Required."})
    return text.strip()


def psychotherapy_note_create(
    *, actor, patient_id: int, text: str, client_address: str = ""
) -> PsychotherapyNote:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_psychotherapy_note_write(actor, patient):
        raise refuse(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="psychotherapy_note",
            object_id="new",
            patient_id=patient_id,
            client_address=client_address,
        )
    with transaction.atomic():
        note = PsychotherapyNote(author=actor, patient=patient, text=_text(text))
        note.full_clean()
        note.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="psychotherapy_note",
            object_id=note.pk,
            client_address=client_address,
        )
    return note


def psychotherapy_note_update(
    *, actor, note_id: int, text: str, client_address: str = ""
) -> PsychotherapyNote:
    note = PsychotherapyNote.objects.filter(pk=note_id).first()
    if note is None or not access.access_psychotherapy_note_read(actor, note):
        raise refuse(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="psychotherapy_note",
            object_id=note_id,
            patient_id=note.patient_id if note else None,
            client_address=client_address,
        )
    with transaction.atomic():
        note.text = _text(text)
        note.full_clean()
        note.save()
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=note.patient_id,
            object_type="psychotherapy_note",
            object_id=note.pk,
            client_address=client_address,
        )
    return note
