"""Group notes: the shared section written once, one section per participant present.

Signing follows docs/clinical-sources.md §4: the shared group record (topic,
interventions, facilitators with credentials, start/stop, number of participants,
modality) and one individual section per present participant, each filled in, different
from every other participant's and naming no other participant. A signed note is locked.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance, ClinicalNote, GroupNote, Modality, RiskCheck
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
from stepwell.care.notes.formats import (
    cloned_sections,
    empty_sections,
    name_tokens,
    other_participant_mentions,
)
from stepwell.care.notes.sections import group_note_sync
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.notes import access_group_note_by_id, access_group_session_by_id
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.models import CurriculumModule

SHARED_FIELDS = ("topic", "interventions", "started_at", "ended_at", "modality", "note_format")


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
    note_unlocked(group_note)
    changed = []
    for field in SHARED_FIELDS:
        if (
            field in shared
            and shared[field] is not None
            and getattr(group_note, field) != shared[field]
        ):
            setattr(group_note, field, shared[field])
            changed.append(field)
    note_format_checked(group_note.note_format)
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
        section_changed = note_fields_apply(section, data, prefix)
        if section.note_format != group_note.note_format:
            section.note_format = group_note.note_format
            section_changed.append("note_format")
        if section.modality != group_note.modality:
            section.modality = group_note.modality
        section.full_clean()
        section.save()
        note_links_set(section, data.get("goal_ids"), data.get("objective_ids"), prefix)
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
    return Attendance.objects.filter(
        occurrence_id=group_note.occurrence_id, status__in=[s.value for s in ATTENDED]
    ).count()


def participant_counts(group_notes: list[GroupNote]) -> dict[int, int]:
    """`participant_count` of many group notes, the unsigned ones counted in one query
    (a list of notes asks as often for 50 as for 3)."""
    counts = {g.pk: g.participant_count for g in group_notes if g.participant_count is not None}
    unsigned = {g.occurrence_id: g.pk for g in group_notes if g.pk not in counts}
    if not unsigned:
        return counts
    attended = dict(
        Attendance.objects.filter(
            occurrence_id__in=unsigned, status__in=[s.value for s in ATTENDED]
        )
        .order_by()
        .values("occurrence_id")
        .annotate(n=Count("pk"))
        .values_list("occurrence_id", "n")
    )
    return counts | {pk: attended.get(occurrence_id, 0) for occurrence_id, pk in unsigned.items()}


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
    group_note = (
        GroupNote.objects.select_for_update().select_related("occurrence").get(pk=group_note.pk)
    )
    note_unlocked(group_note)
    check_session_started(group_note.occurrence.starts_at, now, group_note.occurrence.program)
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

    texts = [section_text(s) for s in sections]
    problems = [p for t in texts for p in empty_sections(t)]
    if problems:
        raise signing_refusal(problems, prefix_for)
    problems = cloned_sections(texts)
    if problems:
        raise signing_refusal(problems, prefix_for)
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
        raise signing_refusal(problems, prefix_for)
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
