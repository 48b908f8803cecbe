"""Keep a group note's individual sections in step with attendance, losing no text.

A participant who is present, late or left early has a section; one marked absent keeps
theirs, flagged `participant_absent`, and re-marking them present clears the flag. A
signed group note is not touched (corrections are addenda).
"""

from __future__ import annotations

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance, ClinicalNote, GroupNote, NoteKind


def _sync(group_note: GroupNote, rows: list[Attendance]) -> None:
    sections = {s.patient_id: s for s in group_note.sections.all()}
    for row in rows:
        attending = row.status in ATTENDED
        section = sections.get(row.patient_id)
        if section is None:
            if attending:
                ClinicalNote.objects.create(
                    kind=NoteKind.GROUP,
                    patient_id=row.patient_id,
                    author_id=group_note.author_id,
                    group_note=group_note,
                    note_format=group_note.note_format,
                    modality=group_note.modality,
                )
            continue
        if section.participant_absent == (not attending) or section.is_signed:
            continue
        section.participant_absent = not attending
        section.save(update_fields=["participant_absent", "updated_at"])


def group_note_sync(group_note: GroupNote) -> None:
    if group_note.is_signed:
        return
    _sync(group_note, list(Attendance.objects.filter(occurrence_id=group_note.occurrence_id)))


def group_note_sync_patient(*, occurrence_id: int, patient_id: int) -> None:
    group_note = GroupNote.objects.filter(occurrence_id=occurrence_id).first()
    if group_note is None or group_note.is_signed:
        return
    _sync(
        group_note,
        list(Attendance.objects.filter(occurrence_id=occurrence_id, patient_id=patient_id)),
    )
