"""The clinician's day: today's groups, notes still to write or sign, co-signatures
waiting, and for directors the notes left unsigned too long in their programs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import ClinicalNote, GroupNote, NoteKind
from stepwell.clinic.models import Program
from stepwell.clinic.selectors import programs_of_staff
from stepwell.patients.models import Episode
from stepwell.privacy.access.attendance import sessions_attendance_taken_by
from stepwell.privacy.access.notes import (
    NoteNeed,
    notes_visible_to,
    programs_compliance_reviewed_by,
    sessions_group_notes_written_by,
)
from stepwell.privacy.access.predicates import is_staff_member
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar.weeks import local_to_utc, utc_to_local
from stepwell.schedule.models import OccurrenceStatus, SessionOccurrence

ATTENDED_VALUES = sorted(s.value for s in ATTENDED)


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


def sessions_for_staff(*, user, start: datetime, end: datetime) -> QuerySet[SessionOccurrence]:
    """Group occurrences whose attendance the user takes (its facilitators, the program's
    directors): the worklist links only to what the user may open."""
    return (
        SessionOccurrence.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(pk__in=sessions_attendance_taken_by(user).values("pk"))
        .select_related("program", "group_note")
        .distinct()
        .order_by("starts_at")
    )


def worklist(*, user, now: datetime) -> dict[str, list[WorkItem]]:
    """The author's unsigned notes and groups still to document; co-signatures waiting."""
    late_hours = settings.STEPWELL_NOTE_LATE_HOURS
    mine: list[WorkItem] = [
        WorkItem(
            "group_note",
            f"Group note: {group_note.occurrence.title}",
            f"/care/sessions/{group_note.occurrence_id}/note/",
            group_note.ended_at,
            str(user),
            None,
            _age_hours(now, group_note.ended_at) > late_hours,
        )
        for group_note in GroupNote.objects.filter(
            Q(author_id=user.pk) | Q(occurrence__facilitators=user),
            signed_at__isnull=True,
            occurrence__in=sessions_group_notes_written_by(user).values("pk"),
        )
        .select_related("occurrence")
        .distinct()
    ]
    mine += [
        WorkItem(
            "clinical_note",
            f"{note.get_kind_display()} note: {note.patient.display_name}",
            f"/care/notes/{note.pk}/",
            note.ended_at,
            str(user),
            note.patient_id,
            _age_hours(now, note.ended_at) > late_hours,
        )
        for note in ClinicalNote.objects.filter(
            author_id=user.pk,
            signed_at__isnull=True,
            kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION),
        ).select_related("patient")
    ]
    undocumented = (
        SessionOccurrence.objects.filter(
            facilitators=user,
            status=OccurrenceStatus.SCHEDULED,
            ends_at__lte=now,
            ends_at__gte=now - timedelta(days=14),
            group_note__isnull=True,
        )
        .filter(attendance__status__in=ATTENDED_VALUES)
        .distinct()
    )
    mine += [
        WorkItem(
            "undocumented_group",
            f"Not yet documented: {occurrence.title}",
            f"/care/sessions/{occurrence.pk}/note/",
            occurrence.ends_at,
            str(user),
            None,
            _age_hours(now, occurrence.ends_at) > late_hours,
        )
        for occurrence in undocumented
    ]
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
        for note in notes_visible_to(user, NoteNeed.COSIGN)
        .filter(cosign_required=True, signed_at__isnull=False, cosignature__isnull=True)
        .select_related("patient", "author")[:200]
    ]
    return {"mine": mine, "cosign": cosign}


def director_late_notes(*, user, now: datetime) -> list[WorkItem]:
    """Unsigned notes older than STEPWELL_NOTE_DIRECTOR_HOURS in the director's programs."""
    program_ids = programs_compliance_reviewed_by(user)
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
            attendance__status__in=ATTENDED_VALUES,
        )
        .select_related("program")
        .prefetch_related("facilitators")
        .distinct()
    ]
    items.sort(key=lambda item: item.service_ended_at)
    return items


@dataclass(frozen=True)
class WorklistPage:
    today: date
    sessions: list[SessionOccurrence]
    mine: list[WorkItem]
    cosign: list[WorkItem]
    late_for_director: list[WorkItem]
    compliance_programs: list[Program]  # programs whose compliance the user reviews


def worklist_page(*, user, now: datetime) -> WorklistPage | None:
    """The notes worklist of a staff member (None for anyone else); the event names every
    patient listed."""
    if not is_staff_member(user):
        return None
    programs = list(programs_of_staff(user=user))
    zone = programs[0].timezone if programs else "UTC"
    today = utc_to_local(zone, now).date()
    sessions = sessions_for_staff(
        user=user,
        start=local_to_utc(zone, today, time.min),
        end=local_to_utc(zone, today + timedelta(days=1), time.min),
    )
    work = worklist(user=user, now=now)
    late_for_director = director_late_notes(user=user, now=now)
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="note_worklist",
        detail={
            "patients": sorted(
                {
                    i.patient_id
                    for i in [*work["mine"], *work["cosign"], *late_for_director]
                    if i.patient_id
                }
            )
        },
    )
    reviewed = programs_compliance_reviewed_by(user)
    return WorklistPage(
        today=today,
        sessions=list(sessions),
        mine=work["mine"],
        cosign=work["cosign"],
        late_for_director=late_for_director,
        compliance_programs=[p for p in programs if p.pk in reviewed],
    )
