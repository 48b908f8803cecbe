"""Psychotherapy notes (HIPAA §164.501): the author's private process notes.

Kept apart from the record: no session times, no attendance, no link to a session, never
in the chart, an export or the API, read and written only by their author. The audit
trail records that a note was written or read, never its text.
"""

from __future__ import annotations

from django.db import transaction

from stepwell.care.models import PsychotherapyNote
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.notes import (
    access_patient_private_notes_by_id,
    access_psychotherapy_note_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record


def _text(text: str) -> str:
    if not (text or "").strip():
        raise ApplicationError("Write the note.", field_errors={"text": "Required."})
    return text.strip()


def psychotherapy_note_create(*, actor, patient_id: int, text: str) -> PsychotherapyNote:
    """A private note by its author, a clinician or prescriber in the patient's program."""
    patient = access_patient_private_notes_by_id(
        actor, patient_id, action=AuditAction.CREATE, object_id="new"
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
        )
    return note


def psychotherapy_note_update(*, actor, note_id: int, text: str) -> PsychotherapyNote:
    """Change a private note: its author only, never anyone else."""
    note = access_psychotherapy_note_by_id(actor, note_id, action=AuditAction.UPDATE)
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
        )
    return note
