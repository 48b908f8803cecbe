"""Shared steps for page and API tests."""

from __future__ import annotations

from stepwell.care.attendance import services as attendance_services
from stepwell.care.notes import group_notes
from stepwell.care.tests.conftest import DURING


def birp(text: str) -> dict:
    return {
        "behavior": f"{text}: engaged, affect brighter.",
        "intervention": f"{text}: DBT distress tolerance, TIPP practised.",
        "response": f"{text}: named two triggers and a coping step.",
        "plan": f"{text}: log urges daily until next group.",
        "risk_check": "no_risk",
    }


def signed_group(clinic, group, *, now):
    """Attendance taken (three present) and the group note signed by clinician_a."""
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    for row in rows:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=DURING
        )
    note = group_notes.group_note_open(actor=clinic.clinician_a, occurrence_id=group.occurrence.pk)
    sections = {s.patient_id: s for s in note.sections.all()}
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        shared={"topic": "Distress tolerance", "interventions": "DBT skills"},
        sections={s.pk: birp(f"Member {i}") for i, s in enumerate(sections.values())},
    )
    group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=now)
    return note, sections
