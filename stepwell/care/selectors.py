"""Reads for attendance, notes and hours; each starts from the acting user or is called
after an access check. The weekly-hours reads live in weekly_hours.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import patients_visible_to
from stepwell.schedule.models import Enrollment, OccurrenceStatus, SessionOccurrence

from . import access
from .models import (
    Attendance,
    ClinicalNote,
    GroupNote,
    NoteKind,
    PsychotherapyNote,
)
from .weekly_hours import (  # noqa: F401 - the hours reads, re-exported for callers
    HOURS_EPISODE_STATES,
    ComplianceRow,
    ProgramWeek,
    current_week,
    hold_days,
    hours_episode,
    hours_rule_source,
    patient_weekly_hours,
    program_compliance,
)

# ---- sessions and notes --------------------------------------------------------------


def sessions_for_staff(*, user, start: datetime, end: datetime) -> QuerySet[SessionOccurrence]:
    """Group occurrences the user facilitates or whose program they work in."""
    program_ids = list(user.program_memberships.values_list("program_id", flat=True))
    return (
        SessionOccurrence.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(Q(facilitators=user) | Q(program_id__in=program_ids))
        .select_related("program", "group_note")
        .distinct()
        .order_by("starts_at")
    )


def notes_for_patient(*, user, patient: Patient) -> QuerySet[ClinicalNote] | None:
    """The patient's notes the user may read (never psychotherapy notes), or None."""
    if not access.access_notes_read(user, patient):
        return None
    return (
        ClinicalNote.objects.filter(patient=patient, participant_absent=False)
        .select_related("author", "group_note", "group_note__curriculum_module", "cosignature")
        .prefetch_related(
            "goals", "objectives", "addenda", "group_note__addenda", "group_note__facilitators"
        )
        .order_by("-created_at")
    )


def attendance_by_patient(occurrence_id: int) -> dict[int, Attendance]:
    return {row.patient_id: row for row in Attendance.objects.filter(occurrence_id=occurrence_id)}


def own_attendance_of_notes(notes) -> dict[int, Attendance]:
    """For each group-section note, the attendance of that note's own patient at the group:
    a patient's chart shows their own status and minutes, never the others'."""
    sections = [n for n in notes if n.group_note_id]
    if not sections:
        return {}
    occurrence_of = dict(
        GroupNote.objects.filter(pk__in={n.group_note_id for n in sections}).values_list(
            "pk", "occurrence_id"
        )
    )
    rows = {
        (row.occurrence_id, row.patient_id): row
        for row in Attendance.objects.filter(
            occurrence_id__in=set(occurrence_of.values()),
            patient_id__in={n.patient_id for n in sections},
        )
    }
    return {
        n.pk: rows[(occurrence_of[n.group_note_id], n.patient_id)]
        for n in sections
        if (occurrence_of[n.group_note_id], n.patient_id) in rows
    }


def note_for_user(*, user, note_id: int) -> ClinicalNote | None:
    note = ClinicalNote.objects.select_related("patient").filter(pk=note_id).first()
    if note is None or not access.access_notes_read(user, note.patient):
        return None
    return note


def psychotherapy_notes_of_author(*, user, patient: Patient) -> QuerySet[PsychotherapyNote]:
    """Only ever the user's own: not even directors read another's."""
    if not access.access_psychotherapy_note_write(user, patient):
        return PsychotherapyNote.objects.none()
    return PsychotherapyNote.objects.filter(author=user, patient=patient)


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "group_note", "clinical_note", "undocumented_group", "cosign"
    title: str
    url: str
    service_ended_at: datetime
    author: str
    patient_id: int | None
    late: bool


def _age_hours(now: datetime, ended_at: datetime) -> float:
    return (now - ended_at).total_seconds() / 3600


def worklist(*, user, now: datetime) -> dict[str, list[WorkItem]]:
    """The author's unsigned notes and groups still to document; co-signatures waiting."""
    late_hours = settings.STEPWELL_NOTE_LATE_HOURS
    mine: list[WorkItem] = []
    for group_note in GroupNote.objects.filter(author=user, signed_at__isnull=True).select_related(
        "occurrence"
    ):
        mine.append(
            WorkItem(
                "group_note",
                f"Group note: {group_note.occurrence.title}",
                f"/care/sessions/{group_note.occurrence_id}/note/",
                group_note.ended_at,
                str(user),
                None,
                _age_hours(now, group_note.ended_at) > late_hours,
            )
        )
    for note in ClinicalNote.objects.filter(
        author=user, signed_at__isnull=True, kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION)
    ).select_related("patient"):
        mine.append(
            WorkItem(
                "clinical_note",
                f"{note.get_kind_display()} note: {note.patient.display_name}",
                f"/care/notes/{note.pk}/",
                note.ended_at,
                str(user),
                note.patient_id,
                _age_hours(now, note.ended_at) > late_hours,
            )
        )
    undocumented = (
        SessionOccurrence.objects.filter(
            facilitators=user,
            status=OccurrenceStatus.SCHEDULED,
            ends_at__lte=now,
            ends_at__gte=now - timedelta(days=14),
            group_note__isnull=True,
        )
        .filter(attendance__status__in=["present", "late", "left_early"])
        .distinct()
    )
    for occurrence in undocumented:
        mine.append(
            WorkItem(
                "undocumented_group",
                f"Not yet documented: {occurrence.title}",
                f"/care/sessions/{occurrence.pk}/note/",
                occurrence.ends_at,
                str(user),
                None,
                _age_hours(now, occurrence.ends_at) > late_hours,
            )
        )
    mine.sort(key=lambda item: item.service_ended_at)
    cosign = [
        WorkItem(
            "cosign",
            f"Co-sign {note.get_kind_display().lower()} note: {note.patient.display_name}",
            f"/care/notes/{note.pk}/",
            note.ended_at or note.signed_at,
            str(note.author),
            note.patient_id,
            False,
        )
        for note in ClinicalNote.objects.filter(
            cosign_required=True,
            signed_at__isnull=False,
            cosignature__isnull=True,
            patient__in=patients_visible_to(user),
        )
        .exclude(author=user)
        .select_related("patient", "author")[:200]
        if access.access_note_cosign(user, note)
    ]
    return {"mine": mine, "cosign": cosign}


def director_late_notes(*, user, now: datetime) -> list[WorkItem]:
    """Unsigned notes older than STEPWELL_NOTE_DIRECTOR_HOURS in the director's programs."""
    program_ids = [
        pid
        for pid in user.program_memberships.values_list("program_id", flat=True)
        if access.access_program_compliance(user, pid)
    ]
    if not program_ids:
        return []
    cutoff = now - timedelta(hours=settings.STEPWELL_NOTE_DIRECTOR_HOURS)
    items = [
        WorkItem(
            "group_note",
            f"Group note: {g.occurrence.title} ({g.occurrence.program.name})",
            f"/care/sessions/{g.occurrence_id}/note/",
            g.ended_at,
            str(g.author),
            None,
            True,
        )
        for g in GroupNote.objects.filter(
            signed_at__isnull=True, ended_at__lt=cutoff, occurrence__program_id__in=program_ids
        ).select_related("occurrence", "occurrence__program", "author")
    ]
    program_patients = Episode.objects.filter(program_id__in=program_ids).values("patient_id")
    items += [
        WorkItem(
            "clinical_note",
            f"{n.get_kind_display()} note: {n.patient.display_name}",
            f"/care/notes/{n.pk}/",
            n.ended_at,
            str(n.author),
            n.patient_id,
            True,
        )
        for n in ClinicalNote.objects.filter(
            signed_at__isnull=True,
            kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION),
            ended_at__lt=cutoff,
            patient_id__in=program_patients,
        ).select_related("patient", "author")
    ]
    items += [
        WorkItem(
            "undocumented_group",
            f"Not yet documented: {o.title} ({o.program.name})",
            f"/care/sessions/{o.pk}/note/",
            o.ends_at,
            ", ".join(str(f) for f in o.facilitators.all()),
            None,
            True,
        )
        for o in SessionOccurrence.objects.filter(
            program_id__in=program_ids,
            status=OccurrenceStatus.SCHEDULED,
            ends_at__lt=cutoff,
            ends_at__gte=now - timedelta(days=28),
            group_note__isnull=True,
            attendance__status__in=["present", "late", "left_early"],
        )
        .select_related("program")
        .prefetch_related("facilitators")
        .distinct()
    ]
    items.sort(key=lambda item: item.service_ended_at)
    return items


def enrollments_for(occurrence: SessionOccurrence) -> QuerySet[Enrollment]:
    return occurrence.enrollments.select_related("patient")


def plan_goals_for(patient: Patient):
    """Goals (with objectives) of the patient's newest signed plan, else newest draft."""
    from stepwell.plans.models import Goal, TreatmentPlan

    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-signed_at", "-version").first()
    if plan is None:
        return Goal.objects.none()
    return Goal.objects.filter(problem__plan=plan).prefetch_related("objectives")
