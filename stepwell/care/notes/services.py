"""Individual and medication-management notes: draft, sign, co-sign.

A medication-management note records the medication changes discussed; a note needs a
supervisor's co-signature unless its author practises independently (care/notes/cosignature.py,
docs/clinical-sources.md §4). A signed note is locked: corrections are addenda.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.care.models import ClinicalNote, Modality, NoteCosignature, NoteKind, RiskCheck
from stepwell.care.notes.content import (
    check_session_started,
    note_audit,
    note_fields_apply,
    note_format_checked,
    note_links_set,
    note_unlocked,
    section_text,
    signing_refusal,
)
from stepwell.care.notes.cosignature import credential_requires_cosign
from stepwell.care.notes.formats import NoteFormat, empty_sections
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.notes import NoteNeed, access_note_by_id, access_patient_for_note_by_id
from stepwell.privacy.audit import AuditAction
from stepwell.schedule.models import Appointment


def note_create(
    *,
    actor,
    patient_id: int,
    kind: str,
    started_at: datetime,
    ended_at: datetime,
    note_format: str = NoteFormat.BIRP,
    modality: str = Modality.IN_PERSON,
    appointment_id: int | None = None,
) -> ClinicalNote:
    """Start an individual or medication-management note (medication: prescribers)."""
    patient = access_patient_for_note_by_id(actor, patient_id, kind=kind)
    if kind not in (NoteKind.INDIVIDUAL, NoteKind.MEDICATION):
        raise ApplicationError(
            "Write an individual or a medication-management note here.",
            field_errors={"kind": "Choose individual or medication."},
        )
    if (
        appointment_id
        and not Appointment.objects.filter(pk=appointment_id, patient_id=patient.pk).exists()
    ):
        raise ApplicationError(
            "That appointment is not this patient's.",
            field_errors={"appointment_id": "Choose one of this patient's appointments."},
        )
    if started_at >= ended_at:
        raise ApplicationError(
            "The session must stop after it starts.",
            field_errors={"ended_at": "Must be after the start time."},
        )
    if modality not in Modality.values:
        raise ApplicationError("Choose a modality.", field_errors={"modality": "Invalid."})
    with transaction.atomic():
        note = ClinicalNote(
            kind=kind,
            patient=patient,
            author=actor,
            appointment_id=appointment_id,
            note_format=note_format_checked(note_format),
            started_at=started_at,
            ended_at=ended_at,
            modality=modality,
        )
        note.full_clean()
        note.save()
        note_audit(actor, AuditAction.CREATE, note, kind=kind)
    return note


def note_update(*, actor, note_id: int, data: dict) -> ClinicalNote:
    """Edit a draft individual or medication note (author only). Group sections are
    edited through group_note_update. A value of None, or a key left out, leaves the
    field as it is."""
    note = access_note_by_id(actor, note_id, need=NoteNeed.AUTHOR, action=AuditAction.UPDATE)
    if note.kind == NoteKind.GROUP:
        raise ApplicationError(
            "Edit a group section on its group note.", field_errors={"note": "Group section."}
        )
    with transaction.atomic():
        note = ClinicalNote.objects.select_for_update().get(pk=note.pk)
        note_unlocked(note)
        changed = note_fields_apply(note, data)
        for field in ("started_at", "ended_at", "modality"):
            if data.get(field) is not None and getattr(note, field) != data[field]:
                setattr(note, field, data[field])
                changed.append(field)
        if data.get("note_format"):
            note.note_format = note_format_checked(data["note_format"])
            changed.append("note_format")
        if note.kind != NoteKind.MEDICATION and note.medication_changes:
            raise ApplicationError(
                "Medication changes belong in a medication-management note.",
                field_errors={"medication_changes": "Only on medication notes."},
            )
        if note.started_at >= note.ended_at:
            raise ApplicationError(
                "The session must stop after it starts.",
                field_errors={"ended_at": "Must be after the start time."},
            )
        if note.modality not in Modality.values:
            raise ApplicationError("Choose a modality.", field_errors={"modality": "Invalid."})
        note.full_clean()
        note.save()
        note_links_set(note, data.get("goal_ids"), data.get("objective_ids"))
        note_audit(actor, AuditAction.UPDATE, note, fields=changed)
    return note


def note_sign(*, actor, note_id: int, now: datetime | None = None) -> ClinicalNote:
    """Sign a draft individual or medication note (author only); it is locked after."""
    note = access_note_by_id(actor, note_id, need=NoteNeed.AUTHOR, action="sign")
    if note.kind == NoteKind.GROUP:
        raise ApplicationError(
            "Sign a group section by signing its group note.",
            field_errors={"note": "Sign the group note."},
        )
    with transaction.atomic():
        note = ClinicalNote.objects.select_for_update().select_related("patient").get(pk=note.pk)
        note_unlocked(note)
        now = now or timezone.now()
        program = note.appointment.program if note.appointment_id else None
        check_session_started(note.started_at, now, program)
        problems = empty_sections(section_text(note))
        if problems:
            raise signing_refusal(problems, lambda key: "")
        if note.risk_check == RiskCheck.NOT_ASSESSED:
            raise ApplicationError(
                "Not signed: record the risk check.",
                field_errors={"risk_check": "Record the risk check."},
            )
        if note.kind == NoteKind.MEDICATION and not note.medication_changes.strip():
            raise ApplicationError(
                "Not signed: record the medication changes discussed (or 'none').",
                field_errors={"medication_changes": "Record the changes discussed, or 'none'."},
            )
        note.signed_at = now
        note.cosign_required = credential_requires_cosign(actor)
        note.save()
        note_audit(actor, "sign", note)
    return note


def note_cosign(*, actor, note_id: int, now: datetime | None = None) -> NoteCosignature:
    """A supervisor's co-signature on a signed note whose author needs one."""
    note = access_note_by_id(actor, note_id, need=NoteNeed.COSIGN, action="cosign")
    if not note.is_signed or not note.cosign_required:
        raise ApplicationError(
            "Only a signed note that needs a co-signature can be co-signed.",
            field_errors={"note": "No co-signature needed."},
        )
    with transaction.atomic():
        if NoteCosignature.objects.filter(note=note).exists():
            raise ApplicationError(
                "This note is already co-signed.", field_errors={"note": "Already co-signed."}
            )
        cosignature = NoteCosignature.objects.create(
            note=note,
            cosigner=actor,
            cosigner_name=str(actor),
            signed_at=now or timezone.now(),
        )
        note_audit(actor, "cosign", note)
    return cosignature
