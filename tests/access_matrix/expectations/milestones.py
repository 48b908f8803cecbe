"""Milestones: the chart section, the patient's progress page, the roster's milestones of
the week, and the API.

Rules: stepwell/privacy/access/milestones.py, README "Progress and milestones",
docs/milestones.md.
- Reading a patient's milestones: whoever reads the chart, and the patient themselves.
- Recording one, the patient's answer to "may we name you in group", and "check now":
  clinicians, prescribers, nurses and directors of the patient's program, or on the care
  team with a clinical role.
- The progress page and the patient's own answer: the patient, on the portal.
- This week's milestones on a session's roster: its facilitators and the program's
  directors.
"""

from __future__ import annotations

from stepwell.testing.matrix_records import MATRIX_MILESTONE

from ..facts import (
    CLINICIAN,
    DIRECTOR,
    NURSE,
    PRESCRIBER,
    Chart,
    Facilitator,
    InProgram,
    Own,
    portal_users,
)
from ..harness import Entry, On

READ = Chart() | Own()
WRITE = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
ROSTER = InProgram((DIRECTOR,)) | Facilitator()
FULL = ("A", "A2", "B")
ON_PATIENT = On({"patient_id": "patient"}, keys=FULL)
ON_OCCURRENCE = On({"occurrence_id": "occurrence"}, keys=("A", "B"))


def _milestone(world, person, key):
    return [MATRIX_MILESTONE]


def _today(world, key=None) -> str:
    return world.clinic.today.isoformat()


def _to_chart(world, key) -> str:
    return f"/milestones/patients/{world.patients[key].pk}/"


PAGES = [
    Entry("GET", "milestones/mine/", portal_users(), contains=_milestone),
    Entry(
        "POST",
        "milestones/mine/sharing/",
        portal_users(),
        data={"named_in_group": "yes"},
        ok=302,
        location="/milestones/mine/",
    ),
    Entry("GET", "milestones/patients/{patient_id}/", READ, on=ON_PATIENT, contains=_milestone),
    Entry(
        "GET",
        "milestones/patients/{patient_id}/",
        READ,
        on=ON_PATIENT,
        htmx=True,
        variant="htmx",
        shows=False,
        contains=_milestone,
        note="the fragment goes into the chart, which names the patient",
    ),
    Entry(
        "POST",
        "milestones/patients/{patient_id}/record/",
        WRITE,
        on=ON_PATIENT,
        data=lambda world, key: {
            "title": "Used a skill at work",
            "text": "Breathing exercise before a meeting.",
            "achieved_on": _today(world),
        },
        ok=302,
        location=_to_chart,
    ),
    Entry(
        "POST",
        "milestones/patients/{patient_id}/sharing/",
        WRITE,
        on=ON_PATIENT,
        data={"named_in_group": "yes"},
        ok=302,
        location=_to_chart,
    ),
    Entry(
        "POST",
        "milestones/patients/{patient_id}/compute/",
        WRITE,
        on=ON_PATIENT,
        ok=302,
        location=_to_chart,
        writes=False,
        note="the matrix clinic's record earns nothing new; the check itself writes nothing",
    ),
    Entry(
        "GET",
        "milestones/sessions/{occurrence_id}/",
        ROSTER,
        on=ON_OCCURRENCE,
        shows=False,
        note="names only the participants who said yes (nobody in the matrix clinic)",
    ),
]

API = "/api/v1"
OPERATIONS = [
    Entry(
        "GET",
        f"{API}/patients/{{patient_id}}/milestones",
        READ,
        api=True,
        on=ON_PATIENT,
        shows=False,
        contains=_milestone,
        note="the issue's shape has no patient_id; the matrix milestone's title shows the record",
    ),
]
