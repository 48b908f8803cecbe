"""Attendance, group and individual notes, psychotherapy notes, weekly hours.

Rules: stepwell/privacy/access/attendance.py and notes.py, README "Attendance, notes and weekly hours".
- Attendance: the session's facilitators and the directors of its program (issue 12).
- Group notes: written, edited and signed by the session's facilitators and the directors
  of its program; whoever takes attendance reads them.
- Notes: clinicians, prescribers, nurses and directors who see the chart read them;
  clinicians, prescribers and nurses write them; only the author edits, signs and adds
  addenda; a co-signer is a clinician, prescriber or director with an independent licence
  who sees the chart and is not the author.
- Psychotherapy notes: written by clinicians and prescribers who see the chart; read only
  by their author, never by anyone else, in no list, export or API.
- Weekly hours: the note readers and billing of the patient's program; step-down weeks
  are marked by clinicians and directors.
- A program's compliance: its directors.
"""

from __future__ import annotations

from datetime import timedelta

from stepwell.testing.matrix_clinic import MISSING_ID

from ..facts import (
    AUTHOR,
    BILLING,
    CLINICAL,
    CLINICIAN,
    DIRECTOR,
    INDEPENDENT,
    NURSE,
    PRESCRIBER,
    Author,
    Chart,
    Facilitator,
    InProgram,
    Person,
    Rule,
    portal_users,
    staff,
)
from ..harness import Away, Entry, On

ATTENDANCE = InProgram((DIRECTOR,)) | Facilitator()
GROUP_WRITERS = InProgram((DIRECTOR,)) | Facilitator()
NOTE_READERS = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
NOTE_WRITERS = Chart(CLINICAL)
PSYCHOTHERAPY = Chart((CLINICIAN, PRESCRIBER))
HOURS = NOTE_READERS | InProgram((BILLING,))
STEP_DOWN = Chart((CLINICIAN, DIRECTOR))
FULL = ("A", "A2", "B")
PROGRAMS = ("A", "B")


class Cosigner(Rule):
    """A clinician, prescriber or director with an independent licence who sees the chart
    and is not the author (the signed notes here are a counsellor's)."""

    def allows(self, person: str, key: str) -> bool:
        roles = Chart((CLINICIAN, PRESCRIBER, DIRECTOR))
        return person in INDEPENDENT and roles.allows(person, key)


GROUP_AUTHOR = Author({"A": "clinician", "B": "clinician_other"})
ON_OCCURRENCE = On({"occurrence_id": "occurrence"}, keys=PROGRAMS)
ON_SIGNED_OCCURRENCE = On({"occurrence_id": "occurrence_signed"}, keys=PROGRAMS)


def _local(world, days_ago: int, hour: int) -> str:
    day = (world.clinic.now - timedelta(days=days_ago)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def _new_note(world, key):
    return {
        "kind": "individual",
        "started_at": _local(world, 3, 10),
        "ended_at": _local(world, 3, 11),
        "note_format": "birp",
    }


def _walk_in(world, key):
    walk_in = {"A": "Ad", "B": "Bd"}.get(key)
    return {"patient_id": world.patients[walk_in].pk if walk_in else MISSING_ID}


def _week(world, key):
    from stepwell.schedule.calendar.weeks import iso_week_of

    return iso_week_of(world.clinic.now.date())


def _own_private_notes(world, person, key):
    from stepwell.testing.matrix_clinic import psychotherapy_text

    return [
        text
        for author, text in world.psychotherapy_texts()
        if author == person and text == psychotherapy_text(key, person)
    ]


STAFF = staff() | Person(frozenset({"superuser"}))
TO_HOME = {"patient": Away("/"), "other_patient": Away("/")}
PAGES = [
    Entry("GET", "care/", STAFF | portal_users(), variants=TO_HOME),
    Entry("GET", "care/sessions/{occurrence_id}/attendance/", ATTENDANCE, on=ON_OCCURRENCE),
    Entry(
        "POST",
        "care/sessions/{occurrence_id}/walk-in/",
        ATTENDANCE,
        on=ON_OCCURRENCE,
        data=_walk_in,
        ok=302,
        location="/care/sessions/",
    ),
    Entry(
        "POST",
        "care/attendance/{attendance_id}/",
        ATTENDANCE,
        on=On({"attendance_id": "attendance"}, keys=PROGRAMS),
        data={"status": "absent_excused"},
        ok=302,
        location="/care/sessions/",
    ),
    Entry(
        "POST",
        "care/attendance/{attendance_id}/",
        ATTENDANCE,
        on=On({"attendance_id": "attendance"}, keys=PROGRAMS),
        data={"status": "absent_excused"},
        htmx=True,
        variant="htmx",
        note="the tablet's roster: the row comes back in place",
    ),
    Entry(
        "GET",
        "care/sessions/{occurrence_id}/note/",
        GROUP_WRITERS | InProgram((DIRECTOR,)),
        on=ON_OCCURRENCE,
    ),
    Entry(
        "POST",
        "care/sessions/{occurrence_id}/note/",
        GROUP_WRITERS,
        on=ON_OCCURRENCE,
        data={"topic": "Urge surfing", "interventions": "Mindfulness"},
        ok=302,
        location="/care/sessions/",
    ),
    Entry(
        "POST",
        "care/sessions/{occurrence_id}/note/addendum/",
        GROUP_WRITERS,
        on=ON_SIGNED_OCCURRENCE,
        data={"text": "The group ended ten minutes early."},
        ok=302,
        location="/care/sessions/",
    ),
    Entry(
        "GET",
        "care/patients/{patient_id}/notes/",
        NOTE_READERS,
        on=On({"patient_id": "patient"}, keys=FULL),
    ),
    Entry(
        "GET",
        "care/patients/{patient_id}/notes/new/",
        NOTE_WRITERS,
        on=On({"patient_id": "patient"}, keys=FULL),
    ),
    Entry(
        "POST",
        "care/patients/{patient_id}/notes/new/",
        NOTE_WRITERS,
        on=On({"patient_id": "patient"}, keys=FULL),
        data=_new_note,
        ok=302,
        location="/care/notes/",
    ),
    Entry("GET", "care/notes/{note_id}/", NOTE_READERS, on=On({"note_id": "note"}, keys=FULL)),
    Entry(
        "POST",
        "care/notes/{note_id}/",
        Author(AUTHOR),
        on=On({"note_id": "note"}, keys=FULL),
        data={"action": "save", "behavior": "Engaged and calm."},
        ok=302,
        location="/care/notes/",
        variant="save",
    ),
    Entry(
        "POST",
        "care/notes/{note_id}/",
        Cosigner(),
        on=On({"note_id": "note_signed"}, keys=FULL),
        data={"action": "cosign"},
        ok=302,
        location="/care/notes/",
        variant="cosign",
    ),
    Entry(
        "POST",
        "care/notes/{note_id}/",
        GROUP_AUTHOR,
        on=On({"note_id": "group_section_signed"}, keys=PROGRAMS),
        data={"action": "addendum", "text": "Left at 11:50 for a ride."},
        ok=302,
        location="/care/notes/",
        variant="addendum",
    ),
    Entry(
        "GET",
        "care/patients/{patient_id}/hours/",
        HOURS,
        on=On({"patient_id": "patient"}, keys=FULL),
    ),
    Entry(
        "POST",
        "care/patients/{patient_id}/hours/",
        STEP_DOWN,
        on=On({"patient_id": "patient"}, keys=FULL),
        data=lambda world, key: {"week": _week(world, key), "reason": "Stepping down to OP"},
        ok=302,
        location="/care/patients/",
    ),
    Entry(
        "GET",
        "care/patients/{patient_id}/private-notes/",
        PSYCHOTHERAPY,
        on=On({"patient_id": "patient"}, keys=FULL),
        contains=_own_private_notes,
        note="the author's own psychotherapy notes, nobody else's (the harness checks that "
        "no answer anywhere shows another author's)",
    ),
    Entry(
        "POST",
        "care/patients/{patient_id}/private-notes/",
        PSYCHOTHERAPY,
        on=On({"patient_id": "patient"}, keys=FULL),
        data={"text": "Private process note"},
        ok=302,
        location="/care/patients/",
    ),
    Entry(
        "GET",
        "care/programs/{program_id}/compliance/",
        InProgram((DIRECTOR,)),
        on=On({"program_id": "program"}, keys=PROGRAMS, scope="program"),
    ),
]


def _api_note(world, key):
    return {
        "kind": "individual",
        "started_at": (world.clinic.now - timedelta(days=3)).isoformat(),
        "ended_at": (world.clinic.now - timedelta(days=3, minutes=-50)).isoformat(),
    }


OPERATIONS = [
    Entry(
        "GET",
        "/api/v1/patients/{patient_id}/weekly-hours",
        HOURS,
        api=True,
        on=On({"patient_id": "patient"}, keys=FULL),
    ),
    Entry(
        "GET",
        "/api/v1/care/occurrences/{occurrence_id}/attendance",
        ATTENDANCE,
        api=True,
        on=ON_OCCURRENCE,
    ),
    Entry(
        "POST",
        "/api/v1/care/attendance/{attendance_id}",
        ATTENDANCE,
        api=True,
        on=On({"attendance_id": "attendance"}, keys=PROGRAMS),
        data={"status": "absent_excused"},
    ),
    Entry(
        "POST",
        "/api/v1/care/occurrences/{occurrence_id}/walk-ins",
        ATTENDANCE,
        api=True,
        on=ON_OCCURRENCE,
        data=_walk_in,
        ok=201,
    ),
    Entry(
        "GET",
        "/api/v1/patients/{patient_id}/notes",
        NOTE_READERS,
        api=True,
        on=On({"patient_id": "patient"}, keys=FULL),
    ),
    Entry(
        "POST",
        "/api/v1/patients/{patient_id}/notes",
        NOTE_WRITERS,
        api=True,
        on=On({"patient_id": "patient"}, keys=FULL),
        data=_api_note,
        ok=201,
    ),
    Entry(
        "GET",
        "/api/v1/care/notes/{note_id}",
        NOTE_READERS,
        api=True,
        on=On({"note_id": "note"}, keys=FULL),
    ),
    Entry(
        "PATCH",
        "/api/v1/care/notes/{note_id}",
        Author(AUTHOR),
        api=True,
        on=On({"note_id": "note"}, keys=FULL),
        data={"behavior": "Engaged and calm."},
    ),
    Entry(
        "POST",
        "/api/v1/care/notes/{note_id}/sign",
        Author(AUTHOR),
        api=True,
        on=On({"note_id": "note"}, keys=FULL),
    ),
    Entry(
        "POST",
        "/api/v1/care/notes/{note_id}/cosign",
        Cosigner(),
        api=True,
        on=On({"note_id": "note_signed"}, keys=FULL),
    ),
    Entry(
        "POST",
        "/api/v1/care/notes/{note_id}/addenda",
        GROUP_AUTHOR,
        api=True,
        on=On({"note_id": "group_section_signed"}, keys=PROGRAMS),
        data={"text": "Left at 11:50 for a ride."},
        ok=201,
    ),
]
