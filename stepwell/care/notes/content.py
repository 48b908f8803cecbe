"""What every note's writing shares: its fields, its format, its links to the plan, the
lock on a signed note, and its audit event. Used by the group, individual and addendum
services; it checks no access (the services do, first).
"""

from __future__ import annotations

from datetime import datetime

from stepwell.care.models import ClinicalNote, GroupNote, RiskCheck
from stepwell.care.notes.formats import SECTION_FIELDS, NoteFormat, SectionText
from stepwell.core.errors import ApplicationError
from stepwell.plans.models import Goal, Objective
from stepwell.privacy.audit import audit_record
from stepwell.schedule.calendar.weeks import utc_to_local

NOTE_FIELDS = (*SECTION_FIELDS, "risk_check", "risk_notes", "medication_changes")


def note_format_checked(value: str) -> str:
    """A note format, or a refusal naming `note_format`."""
    if value not in {f.value for f in NoteFormat}:
        raise ApplicationError(
            f"{value!r} is not a note format.",
            field_errors={"note_format": "Choose BIRP, GIRP, DAP or SOAP."},
        )
    return value


def note_audit(actor, action, note: ClinicalNote | GroupNote, **detail) -> None:
    """One audit event for a note or group note; a group note names no patient itself."""
    is_group = isinstance(note, GroupNote)
    audit_record(
        user=actor,
        action=action,
        patient_id=None if is_group else note.patient_id,
        object_type="group_note" if is_group else "clinical_note",
        object_id=note.pk,
        detail=detail,
    )


def note_unlocked(note) -> None:
    """Refuse to change a signed note: corrections are addenda."""
    if note.is_signed:
        raise ApplicationError(
            "This note is signed and locked; add an addendum to correct it.",
            field_errors={"note": "Signed notes cannot be edited."},
        )


def note_links_set(note: ClinicalNote, goal_ids, objective_ids, prefix: str = "") -> None:
    """Link the note to the patient's own plan goals and objectives, nobody else's."""
    if goal_ids is not None:
        goals = list(
            Goal.objects.filter(pk__in=goal_ids, problem__plan__patient_id=note.patient_id)
        )
        if len(goals) != len(set(goal_ids)):
            raise ApplicationError(
                "Link only this patient's own plan goals.",
                field_errors={f"{prefix}goal_ids": "Not a goal of this patient's plan."},
            )
        note.goals.set(goals)
    if objective_ids is not None:
        objectives = list(
            Objective.objects.filter(
                pk__in=objective_ids, goal__problem__plan__patient_id=note.patient_id
            )
        )
        if len(objectives) != len(set(objective_ids)):
            raise ApplicationError(
                "Link only this patient's own plan objectives.",
                field_errors={f"{prefix}objective_ids": "Not an objective of this patient's plan."},
            )
        note.objectives.set(objectives)


def note_fields_apply(note: ClinicalNote, data: dict, prefix: str = "") -> list[str]:
    """Set the section texts, risk check and medication changes given (None: unchanged);
    the names of the fields that changed."""
    changed = []
    for field in NOTE_FIELDS:
        if field in data and data[field] is not None:
            value = str(data[field])
            if field == "risk_check" and value not in RiskCheck.values:
                raise ApplicationError(
                    "Choose a risk check.", field_errors={f"{prefix}risk_check": "Invalid."}
                )
            if getattr(note, field) != value:
                setattr(note, field, value)
                changed.append(field)
    return changed


def section_text(section: ClinicalNote) -> SectionText:
    """A section's texts for the signing checks (care/notes/formats.py)."""
    return SectionText(
        key=section.pk,
        patient_label=section.patient.display_name,
        note_format=section.note_format,
        texts={field: getattr(section, field) for field in SECTION_FIELDS},
    )


def signing_refusal(problems, prefix_for) -> ApplicationError:
    """The refusal to sign, naming each field (with its section's prefix) and its problem."""
    field_errors = {}
    for problem in problems:
        field_errors.setdefault(f"{prefix_for(problem.key)}{problem.field}", problem.message)
    return ApplicationError(
        "Not signed: " + " ".join(p.message for p in problems[:5]), field_errors=field_errors
    )


def check_session_started(starts_at: datetime, now: datetime, program=None) -> None:
    """Nothing is signed before it happened: a note of a session is signed only once the
    session has started (times shown in the program's zone; docs/clinical-sources.md §4)."""
    if now >= starts_at:
        return
    zone = program.timezone if program is not None else "UTC"
    local = utc_to_local(zone, starts_at)
    raise ApplicationError(
        f"Not signed: the session starts at {local:%a %d %b %H:%M} ({zone}); "
        "a note is signed after the session has taken place.",
        field_errors={"signed_at": "Not before the session starts."},
    )
