"""Signed progress notes as US Core DocumentReferences, and a Provenance for every
signature (plans, notes, assessments).

Progress notes go out: they are part of the record a receiving clinician needs, and US
Core's clinical notes include the progress note (LOINC 11506-3, docs/clinical-sources.md
§6). Only signed notes (a draft is not yet part of the record) and never psychotherapy
notes, which HIPAA keeps outside the record (§4): this module is never given one.
"""

from __future__ import annotations

import base64
from datetime import datetime

from stepwell.care.notes.formats import SECTION_LABELS, sections_of
from stepwell.interop import codes

from .base import coding, concept, instant, meta

RISK_LABELS = {
    "not_assessed": "not yet assessed",
    "no_risk": "screened, no risk indicated",
    "risk_addressed": "risk indicated, safety plan reviewed",
    "risk_escalated": "risk indicated, escalated",
}


def note_times(note) -> tuple[datetime | None, datetime | None]:
    if note.group_note_id:
        return note.group_note.started_at, note.group_note.ended_at
    return note.started_at, note.ended_at


def note_text(note, *, author_name: str) -> str:
    """The note as plain text: heading, the shared group section, the patient's sections,
    risk check, medication changes, co-signature and addenda. Nothing about another
    participant: a group section holds only what signing allowed into it."""
    started, ended = note_times(note)
    lines = [f"{note.get_kind_display()} note ({note.get_note_format_display()})"]
    if started and ended:
        lines.append(f"Session: {instant(started)} to {instant(ended)}")
    lines.append(f"Modality: {note.get_modality_display()}")
    lines.append(f"Signed by {author_name} at {instant(note.signed_at)}")
    group = note.group_note
    if group is not None:
        if group.topic:
            lines.append(f"Group topic: {group.topic}")
        if group.curriculum_module_id:
            lines.append(f"Curriculum module: {group.curriculum_module.title}")
        if group.interventions:
            lines.append(f"Group interventions: {group.interventions}")
        if group.facilitator_names:
            lines.append("Facilitators: " + "; ".join(group.facilitator_names))
        if group.participant_count is not None:
            lines.append(f"Participants: {group.participant_count}")
    lines.append("")
    for field in sections_of(note.note_format):
        lines.append(f"{SECTION_LABELS[field]}: {getattr(note, field)}")
    lines.append(f"Risk check: {RISK_LABELS.get(note.risk_check, note.risk_check)}")
    if note.risk_notes:
        lines.append(f"Risk notes: {note.risk_notes}")
    if note.medication_changes:
        lines.append(f"Medication changes discussed: {note.medication_changes}")
    cosignature = getattr(note, "cosignature", None)
    if cosignature is not None:
        lines.append(
            f"Co-signed by {cosignature.cosigner_name} at {instant(cosignature.signed_at)}"
        )
    addenda = list(note.addenda.all())
    if group is not None:
        addenda += list(group.addenda.all())
    for addendum in sorted(addenda, key=lambda a: (a.written_at, a.pk)):
        lines.append(f"Addendum {instant(addendum.written_at)}: {addendum.text}")
    return "\n".join(lines) + "\n"


def document_reference_resource(
    note,
    *,
    text: str,
    patient_ref: dict,
    author_ref: dict,
    authenticator_ref: dict | None,
    encounter_ref: dict | None,
    part2: bool,
) -> dict:
    started, ended = note_times(note)
    title = f"{note.get_kind_display()} note"
    return {
        "resourceType": "DocumentReference",
        "id": str(note.pk),
        "meta": meta("DocumentReference", part2=part2),
        "status": "current",
        "docStatus": "final",
        "type": concept(title, dict(codes.PROGRESS_NOTE)),
        "category": [
            concept("", coding(codes.DOCUMENT_CATEGORY, "clinical-note", "Clinical Note"))
        ],
        "subject": patient_ref,
        "date": instant(note.signed_at),
        "author": [author_ref],
        "authenticator": authenticator_ref,
        "description": title,
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "en-US",
                    "data": base64.b64encode(text.encode()).decode("ascii"),
                    "title": title,
                    "creation": instant(note.signed_at),
                }
            }
        ],
        "context": {
            "encounter": [encounter_ref] if encounter_ref else [],
            "period": {"start": instant(started), "end": instant(ended)},
        },
    }


def provenance_resource(
    *,
    resource_id: str,
    targets: list[dict],
    recorded: datetime,
    agents: list[tuple[str, str, dict, str]],
    part2: bool,
) -> dict:
    """One signature. `agents` are (participant type code, its display, who, role text):
    author for the clinician who signs, verifier for a physician or a co-signer, attester
    for the patient agreeing to the plan, enterer for staff who witnessed a patient's
    signature in person."""
    return {
        "resourceType": "Provenance",
        "id": resource_id,
        "meta": meta("Provenance", part2=part2),
        "target": targets,
        "recorded": instant(recorded),
        "agent": [
            {
                "type": concept("", coding(codes.PROVENANCE_PARTICIPANT, code, display)),
                "role": [{"text": role}] if role else [],
                "who": who,
            }
            for code, display, who, role in agents
        ],
    }
