"""Group notes, individual and medication notes: draft, sign, co-sign, addenda.

Signing follows clinical-facts.md §7: the shared group record (topic, interventions,
facilitators with credentials, start/stop, number of participants, modality) and one
individual section per present participant, each filled in, different from every other
participant's and naming no other participant. A signed note is locked (DESIGN.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.plans.models import Goal, Objective
from stepwell.privacy.access.notes import (
    NoteNeed,
    access_group_note_by_id,
    access_group_session_by_id,
    access_note_by_id,
    access_patient_for_note_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.models import Appointment, CurriculumModule

from ..attendance_states import ATTENDED
from ..cosignature import credential_requires_cosign
from ..models import (
    ClinicalNote,
    GroupNote,
    Modality,
    NoteCosignature,
    NoteKind,
    RiskCheck,
)
from ..note_formats import (
    SECTION_FIELDS,
    NoteFormat,
    SectionText,
    cloned_sections,
    empty_sections,
    name_tokens,
    other_participant_mentions,
)
from .sections import group_note_sync

SHARED_FIELDS = ("topic", "interventions", "started_at", "ended_at", "modality", "note_format")
NOTE_FIELDS = (*SECTION_FIELDS, "risk_check", "risk_notes", "medication_changes")


def _format(value: str) -> str:
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


def _locked(note) -> None:
    if note.is_signed:
        raise ApplicationError(
            "This note is signed and locked; add an addendum to correct it.",
            field_errors={"note": "Signed notes cannot be edited."},
        )


def _set_links(note: ClinicalNote, goal_ids, objective_ids, prefix: str = "") -> None:
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


def _apply_note_fields(note: ClinicalNote, data: dict, prefix: str = "") -> list[str]:
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


# ---- group notes -----------------------------------------------------------------


def group_note_open(*, actor, occurrence_id: int) -> GroupNote:
    """The occurrence's group note, started by the first staff member to open it."""
    occurrence = access_group_session_by_id(actor, occurrence_id, action=AuditAction.VIEW)
    with transaction.atomic():
        group_note, created = GroupNote.objects.get_or_create(
            occurrence=occurrence,
            defaults={
                "author": actor,
                "topic": occurrence.curriculum_module.title
                if occurrence.curriculum_module
                else occurrence.title,
                "curriculum_module": occurrence.curriculum_module,
                "started_at": occurrence.starts_at,
                "ended_at": occurrence.ends_at,
                "modality": Modality.TELEHEALTH
                if occurrence.telehealth_url and not occurrence.room_id
                else Modality.IN_PERSON,
            },
        )
        if created:
            group_note.facilitators.set(occurrence.facilitators.all())
            if not group_note.facilitators.exists():
                group_note.facilitators.add(actor)
        group_note_sync(group_note)
        note_audit(
            actor,
            AuditAction.CREATE if created else AuditAction.VIEW,
            group_note,
            patients=sorted(group_note.sections.values_list("patient_id", flat=True)),
        )
    return group_note


@transaction.atomic
def _group_note_update(
    actor, group_note: GroupNote, shared: dict, sections: dict[int, dict]
) -> GroupNote:
    _locked(group_note)
    changed = []
    for field in SHARED_FIELDS:
        if (
            field in shared
            and shared[field] is not None
            and getattr(group_note, field) != shared[field]
        ):
            setattr(group_note, field, shared[field])
            changed.append(field)
    _format(group_note.note_format)
    if group_note.modality not in Modality.values:
        raise ApplicationError("Choose a modality.", field_errors={"modality": "Invalid."})
    if "curriculum_module_id" in shared:
        module_id = shared["curriculum_module_id"]
        if (
            module_id
            and not CurriculumModule.objects.filter(
                pk=module_id, program_id=group_note.occurrence.program_id
            ).exists()
        ):
            raise ApplicationError(
                "Choose a module of this program.",
                field_errors={"curriculum_module": "Not a module of this program."},
            )
        group_note.curriculum_module_id = module_id or None
        changed.append("curriculum_module")
    if group_note.started_at >= group_note.ended_at:
        raise ApplicationError(
            "The group must stop after it starts.",
            field_errors={"ended_at": "Must be after the start time."},
        )
    group_note.full_clean()
    group_note.save()
    own = {s.pk: s for s in group_note.sections.all()}
    for note_id, data in sections.items():
        section = own.get(int(note_id))
        if section is None:
            raise ApplicationError(
                "That section is not part of this group note.",
                field_errors={f"section-{note_id}": "Unknown section."},
            )
        prefix = f"section-{section.pk}-"
        section_changed = _apply_note_fields(section, data, prefix)
        if section.note_format != group_note.note_format:
            section.note_format = group_note.note_format
            section_changed.append("note_format")
        if section.modality != group_note.modality:
            section.modality = group_note.modality
        section.full_clean()
        section.save()
        _set_links(section, data.get("goal_ids"), data.get("objective_ids"), prefix)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=section.patient_id,
            object_type="clinical_note",
            object_id=section.pk,
            detail={"fields": section_changed, "group_note": group_note.pk},
        )
    for section in own.values():
        if section.note_format != group_note.note_format:
            section.note_format = group_note.note_format
            section.save(update_fields=["note_format", "updated_at"])
    note_audit(actor, AuditAction.UPDATE, group_note, fields=changed)
    return group_note


def group_note_update(
    *,
    actor,
    group_note_id: int,
    shared: dict | None = None,
    sections: dict[int, dict] | None = None,
) -> GroupNote:
    """Save the shared section and any individual sections (author, draft only).

    `shared` holds the GroupNote's fields and `curriculum_module_id`; `sections` maps a
    section's note id to its fields, `goal_ids` and `objective_ids`. A value of None, or
    a key left out, leaves the field as it is.
    """
    group_note = access_group_note_by_id(actor, group_note_id, action=AuditAction.UPDATE)
    return _group_note_update(actor, group_note, shared or {}, sections or {})


def attended_sections(group_note: GroupNote) -> list[ClinicalNote]:
    return list(
        group_note.sections.filter(participant_absent=False)
        .select_related("patient")
        .order_by("patient__legal_last_name", "patient__legal_first_name")
    )


def participant_count(group_note: GroupNote) -> int:
    """Participants who attended (present, late or left early), from attendance."""
    if group_note.participant_count is not None:
        return group_note.participant_count
    from ..models import Attendance

    return Attendance.objects.filter(
        occurrence_id=group_note.occurrence_id, status__in=[s.value for s in ATTENDED]
    ).count()


def _section_text(section: ClinicalNote) -> SectionText:
    return SectionText(
        key=section.pk,
        patient_label=section.patient.display_name,
        note_format=section.note_format,
        texts={field: getattr(section, field) for field in SECTION_FIELDS},
    )


def _problems_to_error(problems, prefix_for) -> ApplicationError:
    field_errors = {}
    for problem in problems:
        field_errors.setdefault(f"{prefix_for(problem.key)}{problem.field}", problem.message)
    return ApplicationError(
        "Not signed: " + " ".join(p.message for p in problems[:5]), field_errors=field_errors
    )


def _risk_problems(sections: list[ClinicalNote], prefix_for) -> dict[str, str]:
    return {
        f"{prefix_for(s.pk)}risk_check": f"{s.patient.display_name}: record the risk check."
        for s in sections
        if s.risk_check == RiskCheck.NOT_ASSESSED
    }


def _signature_names(users) -> list[str]:
    return [str(u) for u in users]


@transaction.atomic
def _group_note_sign(actor, group_note: GroupNote, now: datetime):
    group_note = GroupNote.objects.select_for_update().get(pk=group_note.pk)
    _locked(group_note)
    group_note_sync(group_note)
    if not (group_note.topic.strip() or group_note.curriculum_module_id):
        raise ApplicationError(
            "Not signed: give the topic or curriculum module.",
            field_errors={"topic": "Give the topic or choose the module."},
        )
    if not group_note.interventions.strip():
        raise ApplicationError(
            "Not signed: name the interventions used.",
            field_errors={"interventions": "Name the interventions used."},
        )
    sections = attended_sections(group_note)
    if not sections:
        raise ApplicationError(
            "Not signed: nobody is marked present; take attendance first.",
            field_errors={"attendance": "Mark who attended."},
        )

    def prefix_for(key: int) -> str:
        return f"section-{key}-"

    texts = [_section_text(s) for s in sections]
    problems = [p for t in texts for p in empty_sections(t)]
    if problems:
        raise _problems_to_error(problems, prefix_for)
    problems = cloned_sections(texts)
    if problems:
        raise _problems_to_error(problems, prefix_for)
    roster = list(
        group_note.occurrence.attendance.select_related("patient").values_list(
            "patient_id",
            "patient__legal_first_name",
            "patient__legal_last_name",
            "patient__preferred_name",
        )
    )
    for text, section in zip(texts, sections, strict=True):
        others = {
            str(pid): name_tokens(first, last, preferred)
            for pid, first, last, preferred in roster
            if pid != section.patient_id
        }
        problems += other_participant_mentions(text, others)
    if problems:
        raise _problems_to_error(problems, prefix_for)
    risk = _risk_problems(sections, prefix_for)
    if risk:
        raise ApplicationError("Not signed: " + " ".join(risk.values()), field_errors=risk)
    cosign = credential_requires_cosign(actor)
    for section in sections:
        section.signed_at = now
        section.cosign_required = cosign
        section.started_at = group_note.started_at
        section.ended_at = group_note.ended_at
        section.save()
        note_audit(actor, "sign", section, group_note=group_note.pk)
    group_note.participant_count = len(sections)
    group_note.facilitator_names = _signature_names(group_note.facilitators.all())
    group_note.signed_at = now
    group_note.save()
    note_audit(actor, "sign", group_note, participants=len(sections))
    return group_note


def group_note_sign(*, actor, group_note_id: int, now: datetime | None = None) -> GroupNote:
    """Sign the group note for every participant present (author only)."""
    group_note = access_group_note_by_id(actor, group_note_id, action="sign")
    return _group_note_sign(actor, group_note, now or timezone.now())


# ---- individual and medication notes -----------------------------------------------


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
            note_format=_format(note_format),
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
        _locked(note)
        changed = _apply_note_fields(note, data)
        for field in ("started_at", "ended_at", "modality"):
            if data.get(field) is not None and getattr(note, field) != data[field]:
                setattr(note, field, data[field])
                changed.append(field)
        if data.get("note_format"):
            note.note_format = _format(data["note_format"])
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
        _set_links(note, data.get("goal_ids"), data.get("objective_ids"))
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
        _locked(note)
        problems = empty_sections(_section_text(note))
        if problems:
            raise _problems_to_error(problems, lambda key: "")
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
        note.signed_at = now or timezone.now()
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
