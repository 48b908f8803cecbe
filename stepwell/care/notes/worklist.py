"""The clinician's day: today's groups, notes still to write or sign, co-signatures
waiting, and for directors the notes left unsigned too long in their programs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.paginator import Page
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance, ClinicalNote, GroupNote, NoteKind
from stepwell.clinic.models import Program
from stepwell.clinic.selectors import programs_of_staff
from stepwell.core.paging import page_of
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


# ---- the lists, found, ordered and paged in SQL ------------------------------------------
#
# Each list unites a few kinds of work (a group note, a patient's note, a group not yet
# documented) as rows of (pk, work, ended), ordered by when the session ended; a page of rows
# is cut in SQL and only its records are then loaded.

WORK_ORDER = ("ended", "work", "pk")


def _work_rows(queryset: QuerySet, kind: str, ended_field: str) -> QuerySet:
    return (
        queryset.order_by()
        .annotate(work=Value(kind, output_field=CharField()), ended=F(ended_field))
        .values("pk", "work", "ended")
    )


def _united(group_notes: QuerySet, notes: QuerySet, undocumented: QuerySet) -> QuerySet:
    return (
        _work_rows(group_notes, "group_note", "ended_at")
        .union(
            _work_rows(notes, "clinical_note", "ended_at"),
            _work_rows(undocumented, "undocumented_group", "ends_at"),
            all=True,
        )
        .order_by(*WORK_ORDER)
    )


def _attended() -> Exists:
    """Someone attended the session (present, late or left early)."""
    return Exists(
        Attendance.objects.filter(occurrence_id=OuterRef("pk"), status__in=ATTENDED_VALUES)
    )


def my_work(*, user, now: datetime) -> QuerySet:
    """The author's unsigned notes, and groups of the last 14 days still to document, by
    when the session ended, as (pk, work, ended) rows."""
    facilitated = SessionOccurrence.objects.filter(facilitators=user).values("pk")
    group_notes = GroupNote.objects.filter(
        Q(author_id=user.pk) | Q(occurrence_id__in=facilitated),
        signed_at__isnull=True,
        occurrence_id__in=sessions_group_notes_written_by(user).values("pk"),
    )
    notes = ClinicalNote.objects.filter(
        author_id=user.pk,
        signed_at__isnull=True,
        kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION),
    )
    undocumented = SessionOccurrence.objects.filter(
        _attended(),
        pk__in=facilitated,
        status=OccurrenceStatus.SCHEDULED,
        ends_at__lte=now,
        ends_at__gte=now - timedelta(days=14),
        group_note__isnull=True,
    )
    return _united(group_notes, notes, undocumented)


def director_late_work(*, user, now: datetime) -> QuerySet:
    """Unsigned notes older than STEPWELL_NOTE_DIRECTOR_HOURS in the director's programs
    (and groups of the last 28 days not documented), as (pk, work, ended) rows."""
    program_ids = programs_compliance_reviewed_by(user)
    cutoff = now - timedelta(hours=settings.STEPWELL_NOTE_DIRECTOR_HOURS)
    group_notes = GroupNote.objects.filter(
        signed_at__isnull=True, ended_at__lt=cutoff, occurrence__program_id__in=program_ids
    )
    program_patients = Episode.objects.filter(program_id__in=program_ids).values("patient_id")
    notes = ClinicalNote.objects.filter(
        signed_at__isnull=True,
        kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION),
        ended_at__lt=cutoff,
        patient_id__in=program_patients,
    )
    undocumented = SessionOccurrence.objects.filter(
        _attended(),
        program_id__in=program_ids,
        status=OccurrenceStatus.SCHEDULED,
        ends_at__lt=cutoff,
        ends_at__gte=now - timedelta(days=28),
        group_note__isnull=True,
    )
    return _united(group_notes, notes, undocumented)


def cosign_waiting(*, user) -> QuerySet[ClinicalNote]:
    """Signed notes waiting for the user's co-signature, longest waiting first."""
    return (
        notes_visible_to(user, NoteNeed.COSIGN)
        .filter(cosign_required=True, signed_at__isnull=False, cosignature__isnull=True)
        .select_related("patient", "author")
        .order_by("signed_at", "pk")
    )


_LOADED = {
    "group_note": lambda: GroupNote.objects.select_related(
        "occurrence", "occurrence__program", "author"
    ),
    "clinical_note": lambda: ClinicalNote.objects.select_related("patient", "author"),
    "undocumented_group": lambda: SessionOccurrence.objects.select_related(
        "program"
    ).prefetch_related("facilitators"),
}


def _records(rows: list[dict]) -> dict[str, dict]:
    """The records of a page of rows, one query a kind."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["work"], []).append(row["pk"])
    return {kind: _LOADED[kind]().in_bulk(pks) for kind, pks in wanted.items()}


def _my_item(kind: str, record, user, now: datetime) -> WorkItem:
    late = settings.STEPWELL_NOTE_LATE_HOURS
    if kind == "group_note":
        return WorkItem(
            kind,
            f"Group note: {record.occurrence.title}",
            f"/care/sessions/{record.occurrence_id}/note/",
            record.ended_at,
            str(user),
            None,
            _age_hours(now, record.ended_at) > late,
        )
    if kind == "clinical_note":
        return WorkItem(
            kind,
            f"{record.get_kind_display()} note: {record.patient.display_name}",
            f"/care/notes/{record.pk}/",
            record.ended_at,
            str(user),
            record.patient_id,
            _age_hours(now, record.ended_at) > late,
        )
    return WorkItem(
        kind,
        f"Not yet documented: {record.title}",
        f"/care/sessions/{record.pk}/note/",
        record.ends_at,
        str(user),
        None,
        _age_hours(now, record.ends_at) > late,
    )


def _late_item(kind: str, record) -> WorkItem:
    if kind == "group_note":
        occurrence = record.occurrence
        return WorkItem(
            kind,
            f"Group note: {occurrence.title} ({occurrence.program.name})",
            f"/care/sessions/{record.occurrence_id}/note/",
            record.ended_at,
            str(record.author),
            None,
            True,
        )
    if kind == "clinical_note":
        return WorkItem(
            kind,
            f"{record.get_kind_display()} note: {record.patient.display_name}",
            f"/care/notes/{record.pk}/",
            record.ended_at,
            str(record.author),
            record.patient_id,
            True,
        )
    return WorkItem(
        kind,
        f"Not yet documented: {record.title} ({record.program.name})",
        f"/care/sessions/{record.pk}/note/",
        record.ends_at,
        ", ".join(str(f) for f in record.facilitators.all()),
        None,
        True,
    )


def _cosign_item(note: ClinicalNote) -> WorkItem:
    return WorkItem(
        "cosign",
        f"Co-sign {note.get_kind_display().lower()} note: {note.patient.display_name}",
        f"/care/notes/{note.pk}/",
        note.ended_at or note.signed_at,
        str(note.author),
        note.patient_id,
        False,
    )


def _page_items(page: Page, make) -> list[WorkItem]:
    rows = list(page)
    records = _records(rows)
    return [make(row["work"], records[row["work"]][row["pk"]]) for row in rows]


@dataclass(frozen=True)
class WorklistPage:
    today: date
    sessions: list[SessionOccurrence]
    mine: list[WorkItem]  # the items of each list on the page asked for
    cosign: list[WorkItem]
    late_for_director: list[WorkItem]
    compliance_programs: list[Program]  # programs whose compliance the user reviews
    mine_page: Page | None = None
    cosign_page: Page | None = None
    late_page: Page | None = None  # None: not a director


def worklist_page(
    *, user, now: datetime, page_number: str | int | None = None
) -> WorklistPage | None:
    """The notes worklist of a staff member (None for anyone else): today's groups, and
    50 items a page of each list (my notes, co-signatures, the director's late notes), one
    page number for all three (a list shorter than the page asked for shows its last
    page). The event names every patient listed on the page."""
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
    mine_page = page_of(my_work(user=user, now=now), page_number)
    mine = _page_items(mine_page, lambda kind, record: _my_item(kind, record, user, now))
    cosign_page = page_of(cosign_waiting(user=user), page_number)
    cosign = [_cosign_item(note) for note in cosign_page]
    reviewed = programs_compliance_reviewed_by(user)
    late_page = page_of(director_late_work(user=user, now=now), page_number) if reviewed else None
    late = _page_items(late_page, _late_item) if late_page else []
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="note_worklist",
        detail={
            "patients": sorted({i.patient_id for i in [*mine, *cosign, *late] if i.patient_id})
        },
    )
    return WorklistPage(
        today=today,
        sessions=list(sessions),
        mine=mine,
        cosign=cosign,
        late_for_director=late,
        compliance_programs=[p for p in programs if p.pk in reviewed],
        mine_page=mine_page,
        cosign_page=cosign_page,
        late_page=late_page,
    )
