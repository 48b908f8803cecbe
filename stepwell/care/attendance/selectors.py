"""Reads for taking attendance. Each starts from the acting user and its access check."""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.care.attendance.services import walk_in_candidates
from stepwell.care.models import Attendance, ClinicalNote, GroupNote
from stepwell.patients.models import Patient
from stepwell.privacy.access.attendance import (
    access_attendance_by_id,
    access_session_attendance_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.models import SessionOccurrence


@dataclass(frozen=True)
class RosterExtras:
    """What the roster page shows beside the rows: who may still join, and the note."""

    walk_in_choices: list[Patient]
    group_note: GroupNote | None


def roster_session(*, user, occurrence_id: int, action: str = AuditAction.CREATE):
    """The session whose attendance the user takes, before a walk-in is added."""
    return access_session_attendance_by_id(
        user,
        occurrence_id,
        action=action,
        object_type="attendance",
        object_id=f"occurrence:{occurrence_id}",
    )


def roster_extras(*, user, occurrence_id: int) -> RosterExtras:
    """The patients of the session's program who are not on its roster yet, and its group
    note. The walk-in list shows names and record numbers: the event names each of them."""
    occurrence: SessionOccurrence = access_session_attendance_by_id(user, occurrence_id)
    choices = list(
        walk_in_candidates(occurrence)
        .exclude(attendance__occurrence=occurrence)
        .order_by("legal_last_name", "legal_first_name", "pk")
    )
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="walk_in_choices",
        object_id=occurrence.pk,
        detail={"patients": sorted(p.pk for p in choices)},
    )
    return RosterExtras(
        walk_in_choices=choices,
        group_note=GroupNote.objects.filter(occurrence=occurrence).first(),
    )


def attendance_row(*, user, attendance_id: int) -> Attendance:
    """One attendance row the user may mark (its session and program loaded), before the
    change; the change itself is audited by attendance_mark."""
    return access_attendance_by_id(user, attendance_id, action=AuditAction.UPDATE)


def attendance_by_patient(occurrence_id: int) -> dict[int, Attendance]:
    """A session's attendance by patient, for a group note the caller may read."""
    return {row.patient_id: row for row in Attendance.objects.filter(occurrence_id=occurrence_id)}


def own_attendance_of_notes(notes: list[ClinicalNote]) -> dict[int, Attendance]:
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
