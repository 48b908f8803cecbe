"""Access to clinical notes, weekly hours and psychotherapy notes.

Roles count in the patient's (or the session's) program only. "In the patient's program"
means: the patient has an episode in a program where the user holds the role, or the
user is on the patient's care team and holds the role in some program. Every rule below
also needs the patient's chart (privacy.access.patients).

- Reading notes: clinicians, prescribers, nurses and directors in the patient's program.
- Writing individual notes: clinicians, prescribers and nurses in the patient's program;
  medication-management notes: prescribers in the patient's program.
- Group notes: the session's facilitators (co-facilitators too) who hold one of those
  roles anywhere, and the directors of the session's program, write, edit and sign
  them; nobody else, even in the same program. Whoever takes its attendance reads it.
- Only the author edits a draft individual note, signs it and adds addenda.
- Co-signing: a clinician, prescriber or director in the patient's program who holds a
  licence that practises independently (care/notes/cosignature.py), never the author.
- Weekly hours: who reads notes, and billing staff of the patient's programs (hours decide
  billable days; billing reads no note text: minimum necessary, §164.502(b)).
- Step-down (transition) weeks: clinicians and directors of the episode's program, or a
  clinician on the patient's care team.
- Psychotherapy notes (§164.501, docs/clinical-sources.md §4): written by clinicians and
  prescribers in the patient's program; read and changed only by their author, never by
  a director.
- A program's hours compliance and late notes: the program's directors.

A record the user may not reach and one that does not exist get the same audited refusal.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.care.models import ClinicalNote, GroupNote, NoteKind, PsychotherapyNote
from stepwell.care.notes.cosignature import credential_requires_cosign
from stepwell.clinic.models import Program
from stepwell.core.kept import RecordRead
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse
from stepwell.schedule.models import SessionOccurrence

from .attendance import sessions_attendance_taken_by
from .conditions import NOBODY, OnCareTeam, PatientCondition, in_any_of, patients_where
from .patients import (
    billing_condition,
    patient_condition,
    patient_id_meets,
    patient_meeting_or_refuse,
    patient_meets,
    patients_visible_to,
)
from .predicates import (
    as_record_id,
    holds_role_in,
    is_staff_member,
    programs_with,
    read_and_check,
)

_NOTE = RecordRead(ClinicalNote, "patient", "author", "group_note")
_PROGRAM = RecordRead(Program)


NOTE_READ_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
NOTE_WRITE_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE)
MEDICATION_NOTE_ROLES = (Role.PRESCRIBER,)
COSIGN_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.PROGRAM_DIRECTOR)
TRANSITION_WEEK_ROLES = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
PSYCHOTHERAPY_ROLES = (Role.CLINICIAN, Role.PRESCRIBER)


class NoteNeed(StrEnum):
    """What a caller needs of a clinical note."""

    READ = "read"  # any note of a patient whose notes the user reads
    CHART = "chart"  # as READ, but not a section kept for a participant marked absent
    AUTHOR = "author"  # as READ, and the user wrote it (edit a draft, sign, addenda)
    COSIGN = "cosign"  # a note the user may co-sign


def role_condition(user, *roles: str) -> PatientCondition:
    """Patients whose chart the user reads and who are in the user's program for one of
    the roles: an episode in a program where the user holds it, or the user is on the
    patient's care team and holds it in some program."""
    program_ids = programs_with(user, *roles)
    if not program_ids:
        return NOBODY
    return (in_any_of(program_ids) | OnCareTeam(user)) & patient_condition(user)


def patients_in_role(user, *roles: str) -> QuerySet[Patient]:
    return patients_where(role_condition(user, *roles))


def notes_condition(user) -> PatientCondition:
    return role_condition(user, *NOTE_READ_ROLES)


def patients_notes_visible_to(user) -> QuerySet[Patient]:
    return patients_in_role(user, *NOTE_READ_ROLES)


def hours_condition(user) -> PatientCondition:
    """Patients whose weekly hours the user reads: note readers and billing."""
    return notes_condition(user) | billing_condition(user)


def patients_hours_visible_to(user) -> QuerySet[Patient]:
    return Patient.objects.filter(hours_condition(user).q())


def _note_write_roles(kind: str) -> tuple[str, ...]:
    return MEDICATION_NOTE_ROLES if kind == NoteKind.MEDICATION else NOTE_WRITE_ROLES


# ---- boolean rules: whether a page shows a link or a button -------------------------


def access_notes_read(user, patient: Patient) -> bool:
    return notes_condition(user).holds_for(patient)


def access_note_write(user, patient: Patient, kind: str) -> bool:
    return role_condition(user, *_note_write_roles(kind)).holds_for(patient)


def access_note_sign(user, author_id: int | None) -> bool:
    """Edit a draft, sign it, add an addendum: the author only."""
    if not is_staff_member(user):
        return False
    return user.pk == author_id


def access_note_cosign(user, note: ClinicalNote) -> bool:
    if not is_staff_member(user):
        return False
    if user.pk == note.author_id:
        return False
    if credential_requires_cosign(user):
        return False
    return patient_id_meets(note.patient_id, role_condition(user, *COSIGN_ROLES))


def access_hours_read(user, patient: Patient) -> bool:
    return hours_condition(user).holds_for(patient)


def access_transition_week_mark(user, episode: Episode) -> bool:
    return episodes_transition_marked_by(user).filter(pk=episode.pk).exists()


def access_psychotherapy_note_write(user, patient: Patient) -> bool:
    return role_condition(user, *PSYCHOTHERAPY_ROLES).holds_for(patient)


def access_psychotherapy_note_read(user, note: PsychotherapyNote) -> bool:
    if not is_staff_member(user):
        return False
    return note.author_id == user.pk


def access_program_compliance(user, program_id: int) -> bool:
    return holds_role_in(user, program_id, Role.PROGRAM_DIRECTOR)


def programs_compliance_reviewed_by(user) -> frozenset[int]:
    """The programs whose hours compliance and late notes the user reviews."""
    return programs_with(user, Role.PROGRAM_DIRECTOR)


def access_group_note_write(user, occurrence: SessionOccurrence) -> bool:
    return sessions_group_notes_written_by(user).filter(pk=occurrence.pk).exists()


def access_group_note_read(user, occurrence: SessionOccurrence) -> bool:
    return sessions_group_notes_read_by(user).filter(pk=occurrence.pk).exists()


# ---- scoped querysets ------------------------------------------------------------


def sessions_group_notes_written_by(user) -> QuerySet[SessionOccurrence]:
    """Sessions whose group note the user writes, edits and signs: the session's
    facilitators who write notes in some program, and the directors of its program."""
    scope = Q(pk__in=[])
    if programs_with(user, *NOTE_WRITE_ROLES):
        scope |= Q(facilitators=user)
    director_of = programs_with(user, Role.PROGRAM_DIRECTOR)
    if director_of:
        scope |= Q(program_id__in=director_of)
    return SessionOccurrence.objects.filter(scope).distinct()


def sessions_group_notes_read_by(user) -> QuerySet[SessionOccurrence]:
    """Sessions whose group note the user reads: its writers, and who takes attendance."""
    return SessionOccurrence.objects.filter(
        Q(pk__in=sessions_group_notes_written_by(user).values("pk"))
        | Q(pk__in=sessions_attendance_taken_by(user).values("pk"))
    )


def notes_visible_to(user, need: NoteNeed = NoteNeed.READ) -> QuerySet[ClinicalNote]:
    """Clinical notes (never psychotherapy notes) the user may read, author or co-sign."""
    if need == NoteNeed.COSIGN:
        if not is_staff_member(user) or credential_requires_cosign(user):
            return ClinicalNote.objects.none()
        patients = patients_in_role(user, *COSIGN_ROLES)
        return ClinicalNote.objects.filter(patient__in=patients.values("pk")).exclude(
            author_id=user.pk
        )
    notes = ClinicalNote.objects.filter(patient__in=patients_notes_visible_to(user).values("pk"))
    if need == NoteNeed.CHART:
        return notes.filter(participant_absent=False)
    if need == NoteNeed.AUTHOR:
        return notes.filter(author_id=user.pk)
    return notes


def episodes_transition_marked_by(user) -> QuerySet[Episode]:
    """Episodes whose step-down weeks the user marks."""
    program_ids = programs_with(user, *TRANSITION_WEEK_ROLES)
    scope = Q(pk__in=[])
    if program_ids:
        scope |= Q(program_id__in=program_ids)
    if programs_with(user, Role.CLINICIAN):
        scope |= Q(patient__care_team__user=user)
    return Episode.objects.filter(scope, patient__in=patients_visible_to(user).values("pk"))


# ---- fetch and check in one call ---------------------------------------------------


def access_note_by_id(
    user, note_id, *, need: NoteNeed = NoteNeed.READ, action: str = AuditAction.VIEW
) -> ClinicalNote:
    """The clinical note, fetched from what the user may do with notes, or an audited
    refusal naming the note's patient when it exists."""
    return read_and_check(
        _NOTE,
        note_id,
        lambda note: note_allowed(user, note, need),
        user=user,
        action=action,
        object_type="clinical_note",
    )


def note_allowed(user, note: ClinicalNote, need: NoteNeed = NoteNeed.READ) -> bool:
    """Whether the note is in ``notes_visible_to(user, need)``, answered from the note and
    its patient's facts (privacy.access.conditions) instead of a query built from the
    user's whole scope; a test holds the two equal."""
    if need == NoteNeed.COSIGN:
        if not is_staff_member(user) or credential_requires_cosign(user):
            return False
        if note.author_id == user.pk:
            return False
        condition = role_condition(user, *COSIGN_ROLES)
    else:
        if need == NoteNeed.CHART and note.participant_absent:
            return False
        if need == NoteNeed.AUTHOR and note.author_id != user.pk:
            return False
        condition = notes_condition(user)
    return patient_meets(note.patient, {"allowed": condition})["allowed"]


def access_patient_notes_by_id(
    user,
    patient_id,
    *,
    action: str = AuditAction.LIST,
    object_type: str = "clinical_note",
    object_id: object = None,
) -> Patient:
    """A patient whose notes the user reads, or an audited refusal."""
    return _patient_in(notes_condition(user), user, patient_id, action, object_type, object_id)


def access_patient_for_note_by_id(
    user, patient_id, *, kind: str, action: str = AuditAction.CREATE
) -> Patient:
    """A patient the user may write a note of this kind for, or an audited refusal."""
    condition = role_condition(user, *_note_write_roles(kind))
    return _patient_in(condition, user, patient_id, action, "clinical_note", "new")


def access_patient_hours_by_id(user, patient_id, *, action: str = AuditAction.VIEW) -> Patient:
    """A patient whose weekly hours the user reads, or an audited refusal."""
    return _patient_in(hours_condition(user), user, patient_id, action, "weekly_hours", None)


def access_patient_private_notes_by_id(
    user, patient_id, *, action: str = AuditAction.LIST, object_id: object = None
) -> Patient:
    """A patient the user may keep psychotherapy notes about, or an audited refusal."""
    condition = role_condition(user, *PSYCHOTHERAPY_ROLES)
    object_id = f"patient:{patient_id}" if object_id is None else object_id
    return _patient_in(condition, user, patient_id, action, "psychotherapy_note", object_id)


def _patient_in(condition, user, patient_id, action, object_type, object_id) -> Patient:
    return patient_meeting_or_refuse(
        user, patient_id, condition, action=action, object_type=object_type, object_id=object_id
    )


def access_psychotherapy_note_by_id(
    user, note_id, *, action: str = AuditAction.VIEW
) -> PsychotherapyNote:
    """The user's own psychotherapy note, or an audited refusal: nobody else's, ever."""
    notes = (
        PsychotherapyNote.objects.filter(author_id=user.pk)
        if is_staff_member(user)
        else PsychotherapyNote.objects.none()
    )
    note = notes.filter(pk=as_record_id(note_id)).first()
    if note is None:
        stored = PsychotherapyNote.objects.filter(pk=as_record_id(note_id))
        raise refuse(
            actor=user,
            action=action,
            object_type="psychotherapy_note",
            object_id=note_id,
            patient_id=stored.values_list("patient_id", flat=True).first(),
        )
    return note


def access_group_session_by_id(
    user, occurrence_id, *, action: str = AuditAction.VIEW
) -> SessionOccurrence:
    """A session whose group note the user writes, or an audited refusal."""
    occurrence = (
        sessions_group_notes_written_by(user)
        .select_related("program", "curriculum_module")
        .filter(pk=as_record_id(occurrence_id))
        .first()
    )
    if occurrence is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="group_note",
            object_id=f"occurrence:{occurrence_id}",
        )
    return occurrence


def access_group_note_by_id(user, group_note_id, *, action: str = AuditAction.UPDATE) -> GroupNote:
    """A group note of a session the user writes notes for (its facilitators share it;
    directors of its program), or an audited refusal."""
    group_note = (
        GroupNote.objects.select_related("occurrence__program")
        .filter(
            pk=as_record_id(group_note_id),
            occurrence__in=sessions_group_notes_written_by(user).values("pk"),
        )
        .first()
    )
    if group_note is None:
        raise refuse(actor=user, action=action, object_type="group_note", object_id=group_note_id)
    return group_note


def access_group_note_read_by_id(
    user, occurrence_id, *, action: str = AuditAction.VIEW
) -> GroupNote:
    """The written group note of a session whose group notes the user reads, or an
    audited refusal."""
    group_note = (
        GroupNote.objects.select_related("occurrence__program", "curriculum_module")
        .filter(
            occurrence_id=as_record_id(occurrence_id),
            occurrence__in=sessions_group_notes_read_by(user).values("pk"),
        )
        .first()
    )
    if group_note is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="group_note",
            object_id=f"occurrence:{occurrence_id}",
        )
    return group_note


def access_episode_transition_week_by_id(
    user, episode_id, *, action: str = AuditAction.CREATE
) -> Episode:
    """An episode whose step-down weeks the user marks, or an audited refusal."""
    episode = (
        episodes_transition_marked_by(user)
        .select_related("patient", "program")
        .filter(pk=as_record_id(episode_id))
        .first()
    )
    if episode is None:
        stored = Episode.objects.filter(pk=as_record_id(episode_id))
        raise refuse(
            actor=user,
            action=action,
            object_type="transition_week",
            object_id=f"episode:{episode_id}",
            patient_id=stored.values_list("patient_id", flat=True).first(),
        )
    return episode


def access_program_compliance_by_id(user, program_id, *, action: str = AuditAction.LIST) -> Program:
    """A program whose hours compliance the user reviews (its directors), or an audited
    refusal."""
    record_id = as_record_id(program_id)
    reviewed = record_id in programs_compliance_reviewed_by(user)
    program = _PROGRAM.one(record_id) if reviewed else None
    if program is None:
        raise refuse(
            actor=user, action=action, object_type="program_compliance", object_id=program_id
        )
    return program
