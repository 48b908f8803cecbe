"""Follow-ups after discharge.

Rules: stepwell/privacy/access/followups.py, README "Follow-ups after discharge",
docs/followups.md.
- The worklist, an episode's follow-ups (API) and the chart's section: the chart's staff
  readers (clinicians, prescribers, nurses, intake coordinators, directors of the
  program; clinical staff on the care team). Billing, administrators and patients: none.
- Recording a phone call and sending a new link: clinicians, prescribers, nurses and
  intake coordinators who see the chart (not directors).
- A program's follow-up settings: its director, or an administrator.
- A one-time link opens its follow-up for whoever holds it.
"""

from __future__ import annotations

from ..facts import (
    CLINICAL,
    DIRECTOR,
    INTAKE,
    PROGRAM_WIDE,
    ROLES,
    Chart,
    InProgram,
    Person,
)
from ..harness import Entry, On

READERS = Chart(PROGRAM_WIDE)
RECORDERS = Chart((*CLINICAL, INTAKE))
FULL = ("A", "A2", "B")
WORKLIST_READERS = Person(
    frozenset(
        {
            "clinician",
            "clinician_other",
            "team_clinician",
            "prescriber",
            "nurse",
            "intake",
            "director",
            "director_elsewhere",
        }
    )
)
SETTERS = InProgram((DIRECTOR,)) | Person(frozenset({"administrator"}))
ON_FOLLOW_UP = On({"follow_up_id": "follow_up"}, keys=FULL)
ON_PROGRAM = On({"program_id": "program"}, keys=("A", "B"), scope="program")


def _token(world, key):
    return world.clinic.tokens["follow_up:A"]


PAGES = [
    Entry("GET", "follow-ups/", WORKLIST_READERS, lists=FULL, listed=READERS),
    Entry("GET", "follow-ups/{follow_up_id}/phone/", RECORDERS, on=ON_FOLLOW_UP),
    Entry(
        "POST",
        "follow-ups/{follow_up_id}/phone/",
        RECORDERS,
        on=ON_FOLLOW_UP,
        data={"reached": "no", "note": "Voicemail"},
        ok=302,
        location="/follow-ups/",
    ),
    Entry("POST", "follow-ups/{follow_up_id}/send/", RECORDERS, on=ON_FOLLOW_UP),
    Entry(
        "GET",
        "follow-ups/patients/{patient_id}/chart/",
        READERS,
        on=On({"patient_id": "patient"}, keys=FULL),
        shows=False,
    ),
    Entry("GET", "follow-ups/programs/{program_id}/settings/", SETTERS, on=ON_PROGRAM, shows=False),
    Entry(
        "POST",
        "follow-ups/programs/{program_id}/settings/",
        SETTERS,
        on=ON_PROGRAM,
        data={"days": "30, 90", "instruments": ["phq9"], "max_attempts": "3", "wait_days": "7"},
        ok=302,
        location="/follow-ups/programs/",
    ),
    Entry(
        "GET",
        "follow-ups/f/{token}/",
        Person(frozenset(ROLES)),
        public=True,
        on=On({"token": _token}, keys=("A",)),
        shows=False,
        note="the link is the key: whoever holds it answers",
    ),
    Entry(
        "GET",
        "follow-ups/f/{token}/",
        Person(frozenset()),
        public=True,
        refused=404,
        on=On({"token": lambda world, key: "not-a-link"}, keys=("",)),
        variant="unknown link",
    ),
]
OPERATIONS = [
    Entry(
        "GET",
        "/api/v1/episodes/{episode_id}/follow-ups",
        READERS,
        api=True,
        on=On({"episode_id": "episode"}, keys=FULL),
        shows=False,
    ),
]
