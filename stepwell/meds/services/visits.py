"""Prescriber visits: the medication-management note (care.ClinicalNote of kind
medication) is the visit; here it gets its structured side-effect checklist and the
medication changes made in it, each linked to the note. The note's author writes them
while the note is a draft; the note's "medication changes" text is filled in from the
changes, so the signed note says what changed (docs/clinical-sources.md §7)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from stepwell.care.models import ClinicalNote, Modality, NoteKind
from stepwell.care.notes import services as note_services
from stepwell.privacy.access.meds import access_visit_note_by_id
from stepwell.privacy.access.notes import access_patient_for_note_by_id
from stepwell.privacy.audit import AuditAction

from ..models import Medication, MedicationVisit, SideEffect, SideEffectSeverity
from .common import meds_audit, refused
from .medications import MedicationData, medication_create, medication_update


def visit_start(
    *,
    actor,
    patient_id: int,
    started_at: datetime,
    ended_at: datetime,
    modality: str = Modality.IN_PERSON,
    appointment_id: int | None = None,
) -> MedicationVisit:
    """Start a medication-management visit: its note (SOAP) and its checklist. Who may
    write a medication note is checked first, outside the transaction, so a refusal's
    audit row is not rolled back with it."""
    access_patient_for_note_by_id(actor, patient_id, kind=NoteKind.MEDICATION)
    with transaction.atomic():
        note = note_services.note_create(
            actor=actor,
            patient_id=patient_id,
            kind="medication",
            note_format="soap",
            started_at=started_at,
            ended_at=ended_at,
            modality=modality,
            appointment_id=appointment_id,
        )
        visit = MedicationVisit.objects.create(note=note)
    return visit


def _draft_visit(actor, note_id, action) -> tuple[ClinicalNote, MedicationVisit]:
    note = access_visit_note_by_id(actor, note_id, author=True, action=action)
    if note.is_signed:
        raise refused("note", "The visit's note is signed; add an addendum to the note instead.")
    visit, _ = MedicationVisit.objects.get_or_create(note=note)
    return note, visit


def visit_side_effects_record(
    *, actor, note_id: int, side_effects: dict[str, str], notes: str = ""
) -> MedicationVisit:
    """The checklist: every common side effect answered, none to severe."""
    note, visit = _draft_visit(actor, note_id, AuditAction.UPDATE)
    unknown = sorted(set(side_effects) - set(SideEffect.values))
    if unknown:
        raise refused(unknown[0], "Not a side effect of the checklist.")
    for effect in SideEffect:
        severity = side_effects.get(effect.value, "")
        if severity not in SideEffectSeverity.values:
            raise refused(effect.value, f"{effect.label}: choose none, mild, moderate or severe.")
    with transaction.atomic():
        visit = MedicationVisit.objects.select_for_update().get(pk=visit.pk)
        visit.side_effects = {effect.value: side_effects[effect.value] for effect in SideEffect}
        visit.side_effect_notes = (notes or "").strip()[:2000]
        visit.save()
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=note.patient_id,
            object_type="medication_visit",
            object_id=note.pk,
            reported=[e for e, s in visit.side_effects.items() if s != SideEffectSeverity.NONE],
        )
    return visit


def visit_medication_change(
    *,
    actor,
    note_id: int,
    medication_id: int | None = None,
    dose: object = None,
    unit: str | None = None,
    frequency: str | None = None,
    status: str | None = None,
    status_reason: str = "",
    new: MedicationData | None = None,
) -> Medication:
    """Change (or stop) a medication, or start a new one, in this visit."""
    note, _ = _draft_visit(actor, note_id, AuditAction.UPDATE)
    with transaction.atomic():
        if new is not None:
            medication = medication_create(
                actor=actor, patient_id=note.patient_id, data=new, visit_note=note
            )
            line = f"Started {medication.name} {medication.dose_text}."
        else:
            current = Medication.objects.filter(pk=medication_id, patient_id=note.patient_id)
            before = current.first()
            if before is None:
                raise refused("medication_id", "Choose one of this patient's medications.")
            medication = medication_update(
                actor=actor,
                medication_id=before.pk,
                dose=dose,
                unit=unit,
                frequency=frequency,
                status=status,
                status_reason=status_reason,
                visit_note=note,
            )
            line = f"{medication.name}: {before.dose_text} -> {medication.dose_text}"
            if medication.status != before.status:
                line = f"{medication.name}: {medication.get_status_display().lower()}"
            line += f" ({status_reason.strip()})." if status_reason.strip() else "."
        text = "\n".join(t for t in (note.medication_changes.strip(), line) if t)
        note_services.note_update(actor=actor, note_id=note.pk, data={"medication_changes": text})
    return medication
