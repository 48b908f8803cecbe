"""Reads of notes, group notes and psychotherapy notes. Each starts from the acting user
and its access check; reads of a patient's record are audited, naming every patient a
page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet

from stepwell.care.attendance.selectors import attendance_by_patient, own_attendance_of_notes
from stepwell.care.hours.weekly import hours_episode
from stepwell.care.models import (
    Attendance,
    ClinicalNote,
    GroupNote,
    NoteAddendum,
    NoteKind,
    PsychotherapyNote,
)
from stepwell.care.notes.group_notes import participant_count, participant_counts
from stepwell.core.paging import page_of, window
from stepwell.patients.models import Patient
from stepwell.plans.models import Goal, TreatmentPlan
from stepwell.privacy.access.notes import (
    NoteNeed,
    access_group_note_read_by_id,
    access_hours_read,
    access_note_by_id,
    access_note_cosign,
    access_note_sign,
    access_note_write,
    access_patient_for_note_by_id,
    access_patient_notes_by_id,
    access_patient_private_notes_by_id,
    access_psychotherapy_note_write,
    sessions_group_notes_written_by,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.models import CurriculumModule


def plan_goals_for(patient: Patient):
    """Goals (with objectives) of the patient's newest signed plan, else newest draft."""
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-signed_at", "-version").first()
    if plan is None:
        return Goal.objects.none()
    return Goal.objects.filter(problem__plan=plan).prefetch_related("objectives")


# ---- a patient's notes ---------------------------------------------------------------


@dataclass(frozen=True)
class ChartNote:
    note: ClinicalNote
    participant_count: int | None  # a group section's participants, counted, never named
    own_attendance: Attendance | None  # this patient's attendance at the group


@dataclass(frozen=True)
class PatientNotes:
    patient: Patient
    notes: list[ChartNote]
    can_write: bool
    can_write_medication: bool
    can_private: bool
    can_hours: bool
    page: Page | None = None  # which page of the notes `notes` is (the chart's list)


NOTES_NEWEST_FIRST = ("-created_at", "-pk")


def _chart_notes(user, patient_id: int) -> tuple[Patient, QuerySet[ClinicalNote]]:
    """The patient (refused and audited when the user may not read their notes) and their
    progress and group notes (never psychotherapy notes), newest first."""
    patient = access_patient_notes_by_id(user, patient_id, object_id=f"patient:{patient_id}")
    notes = (
        ClinicalNote.objects.filter(patient=patient, participant_absent=False)
        .select_related(
            "patient", "author", "group_note", "group_note__curriculum_module", "cosignature"
        )
        .prefetch_related(
            "goals",
            "objectives",
            Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author")),
            Prefetch("group_note__addenda", queryset=NoteAddendum.objects.select_related("author")),
            "group_note__facilitators",
        )
        .order_by(*NOTES_NEWEST_FIRST)
    )
    return patient, notes


def _listed(user, patient: Patient, notes: list[ClinicalNote]) -> list[ChartNote]:
    """The notes shown, audited naming each of them (and no other)."""
    audit_record(
        user=user,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="clinical_note",
        detail={"notes": [n.pk for n in notes]},
    )
    own = own_attendance_of_notes(notes)
    counts = participant_counts([n.group_note for n in notes if n.group_note_id])
    return [
        ChartNote(
            note=n,
            participant_count=counts[n.group_note_id] if n.group_note_id else None,
            own_attendance=own.get(n.pk),
        )
        for n in notes
    ]


def patient_notes(*, user, patient_id: int, page_number: str | int | None = None) -> PatientNotes:
    """A page of the patient's notes for the chart, newest first, 50 a page (a page number
    that is not a number gives the first page, one past the end the last); the event names
    every note of the page."""
    patient, notes = _chart_notes(user, patient_id)
    page = page_of(notes, page_number)
    return PatientNotes(
        patient=patient,
        notes=_listed(user, patient, list(page)),
        can_write=access_note_write(user, patient, NoteKind.INDIVIDUAL),
        can_write_medication=access_note_write(user, patient, NoteKind.MEDICATION),
        can_private=access_psychotherapy_note_write(user, patient),
        can_hours=access_hours_read(user, patient),
        page=page,
    )


def patient_notes_window(*, user, patient_id: int, limit: int, offset: int) -> list[ChartNote]:
    """`limit` of the patient's notes after `offset`, newest first (the API's list), cut in
    SQL; the event names every note returned."""
    patient, notes = _chart_notes(user, patient_id)
    return _listed(user, patient, list(window(notes, limit=limit, offset=offset)))


@dataclass(frozen=True)
class NoteStart:
    patient: Patient
    zone: str  # the program's time zone, in which times are typed


def note_start(*, user, patient_id: int, kind: str) -> NoteStart:
    """A patient the user may start a note of this kind for (refused and audited
    otherwise), with the zone the page's times are read in."""
    patient = access_patient_for_note_by_id(user, patient_id, kind=kind)
    episode = hours_episode(patient)
    return NoteStart(patient=patient, zone=episode.program.timezone if episode else "UTC")


def note_for_user(*, user, note_id: int) -> ClinicalNote:
    """A note the user reads, before a change (the service audits the change)."""
    return access_note_by_id(user, note_id, need=NoteNeed.READ)


def note_view(*, user, note_id: int, need: NoteNeed = NoteNeed.READ) -> ClinicalNote:
    """A note the user reads, audited as viewed."""
    note = access_note_by_id(user, note_id, need=need)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=note.patient_id,
        object_type="clinical_note",
        object_id=note.pk,
    )
    return note


@dataclass(frozen=True)
class SectionDetails:
    """One patient's section as its form shows it: the plan goals it may link."""

    note: ClinicalNote
    goals: list[Goal]
    goal_ids: set[int]
    objective_ids: set[int]
    attendance: Attendance | None = None


def _section_details(note: ClinicalNote, attendance: Attendance | None = None) -> SectionDetails:
    return SectionDetails(
        note=note,
        goals=list(plan_goals_for(note.patient)),
        goal_ids=set(note.goals.values_list("pk", flat=True)),
        objective_ids=set(note.objectives.values_list("pk", flat=True)),
        attendance=attendance,
    )


@dataclass(frozen=True)
class NotePage:
    note: ClinicalNote
    section: SectionDetails
    participant_count: int | None
    own_attendance: Attendance | None
    can_edit: bool
    can_addendum: bool
    can_cosign: bool


def note_page(*, user, note: ClinicalNote) -> NotePage:
    """What the note page shows of a note the user reads (from note_view or
    note_for_user), and what they may do with it."""
    note = ClinicalNote.objects.select_related("patient", "author", "group_note").get(pk=note.pk)
    author = access_note_sign(user, note.author_id)
    return NotePage(
        note=note,
        section=_section_details(note),
        participant_count=participant_count(note.group_note) if note.group_note_id else None,
        own_attendance=own_attendance_of_notes([note]).get(note.pk),
        can_edit=author and not note.is_signed and note.kind != NoteKind.GROUP,
        can_addendum=author and note.is_signed,
        can_cosign=note.is_signed
        and note.cosign_required
        and not hasattr(note, "cosignature")
        and access_note_cosign(user, note),
    )


# ---- group notes ---------------------------------------------------------------------


def group_note_writable(*, user, occurrence_id: int) -> bool:
    """Whether the user writes this session's group note (else they may only read it)."""
    return sessions_group_notes_written_by(user).filter(pk=occurrence_id).exists()


def group_note_of_session(*, user, occurrence_id: int) -> GroupNote:
    """The session's group note, which the user reads, before a change."""
    return access_group_note_read_by_id(user, occurrence_id)


def group_note_view(*, user, occurrence_id: int) -> GroupNote:
    """The session's group note read without becoming its author (a director, or who
    takes attendance); the event names every participant whose section it shows."""
    group_note = access_group_note_read_by_id(user, occurrence_id)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="group_note",
        object_id=group_note.pk,
        detail={"patients": sorted(group_note.sections.values_list("patient_id", flat=True))},
    )
    return group_note


@dataclass(frozen=True)
class GroupNoteDetails:
    group_note: GroupNote
    sections: list[SectionDetails]  # participants who attended
    absent_sections: list[SectionDetails]  # kept for participants now marked absent
    participant_count: int
    facilitators: list[str]
    modules: list[CurriculumModule]
    can_edit: bool


def group_note_details(*, user, group_note: GroupNote) -> GroupNoteDetails:
    """What the group note page shows of a note the user reads (from group_note_open,
    group_note_view or group_note_of_session)."""
    group_note = GroupNote.objects.select_related("occurrence__program", "curriculum_module").get(
        pk=group_note.pk
    )
    attendance = attendance_by_patient(group_note.occurrence_id)
    sections = [
        _section_details(s, attendance.get(s.patient_id))
        for s in group_note.sections.select_related("patient").order_by("patient__legal_last_name")
    ]
    return GroupNoteDetails(
        group_note=group_note,
        sections=[s for s in sections if not s.note.participant_absent],
        absent_sections=[s for s in sections if s.note.participant_absent],
        participant_count=participant_count(group_note),
        facilitators=group_note.facilitator_names
        if group_note.is_signed
        else [str(u) for u in group_note.facilitators.all()],
        modules=list(CurriculumModule.objects.filter(program_id=group_note.occurrence.program_id)),
        can_edit=not group_note.is_signed and access_note_sign(user, group_note.author_id),
    )


# ---- psychotherapy notes ---------------------------------------------------------------


@dataclass(frozen=True)
class PrivateNotes:
    patient: Patient
    notes: list[PsychotherapyNote]  # only ever the user's own
    page: Page | None = None


def private_notes(*, user, patient_id: int, page_number: str | int | None = None) -> PrivateNotes:
    """The user's own psychotherapy notes about the patient, newest first, 50 a page: not
    even a director reads another's. The event names the page's notes, never their text."""
    patient = access_patient_private_notes_by_id(user, patient_id)
    page = page_of(
        PsychotherapyNote.objects.filter(author_id=user.pk, patient=patient).order_by(
            *NOTES_NEWEST_FIRST
        ),
        page_number,
    )
    notes = list(page)
    audit_record(
        user=user,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="psychotherapy_note",
        detail={"notes": [n.pk for n in notes]},
    )
    return PrivateNotes(patient=patient, notes=notes, page=page)
