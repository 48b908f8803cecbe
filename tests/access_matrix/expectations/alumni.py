"""The alumni community: the alumnus's portal pages and the staff pages that run it.

Rules: stepwell/privacy/access/alumni.py, README "Alumni".
- The alumni portal pages: an alumnus only (a discharged patient with no open episode who
  did not opt out). The matrix's portal users are current patients: refused, like staff.
  The alumnus's own pages are tested in stepwell/alumni/tests.
- Running a program's alumni community (events, meetings, attendance, mentors, pairings,
  opt-outs): clinicians, prescribers, nurses and the director holding that role in the
  program.
"""

from __future__ import annotations

from datetime import timedelta

from ..facts import CLINICAL, DIRECTOR, InProgram, Person
from ..harness import Entry, On

API = "/api/v1/alumni"
PROGRAMS = ("A", "B")
RUNNERS = InProgram((*CLINICAL, DIRECTOR))
ALUMNI_ONLY = Person(frozenset())  # no matrix person is an alumnus
# Staff holding a runner's role in some program: one program leads to its page.
SOMEWHERE = Person(
    frozenset(
        {
            "clinician",
            "clinician_other",
            "team_clinician",
            "prescriber",
            "nurse",
            "director",
            "director_elsewhere",
        }
    )
)


def on(kind: str) -> On:
    return On({kind.split(":")[0]: kind.split(":")[1]}, keys=PROGRAMS, scope="program")


ON_PROGRAM = on("program_id:program")
ON_MEETING = on("meeting_id:alumni_meeting")
ON_PAST = on("meeting_id:alumni_meeting_past")


def _key(key: str) -> str:
    return key if key in PROGRAMS else "A"


def _event(world, key):
    day = world.clinic.now.date() + timedelta(days=10)
    return {
        "title": "Matrix new group",
        "format": "in_person",
        "place": "Room 3",
        "recurrence": "once",
        "first_day": day.isoformat(),
        "start_time": "17:00",
        "duration_minutes": "60",
    }


def _pairing(world, key):
    k = _key(key)
    return {
        "mentor": world.id_of("mentor_alumnus", k),
        "patient": world.id_of("patient", k),
        "patient_agreed_on": world.clinic.today.isoformat(),
        "agreed_how": "phone",
    }


def _present(world, key):
    return {f"present_{world.id_of('alumnus', _key(key))}": "on"}


def _api_present(world, key):
    return {"present": [world.id_of("alumnus", _key(key))]}


PAGES = [
    Entry("GET", "alumni/portal/", ALUMNI_ONLY),
    Entry(
        "POST",
        "alumni/portal/meetings/{meeting_id}/rsvp/",
        ALUMNI_ONLY,
        on=ON_MEETING,
        data={"answer": "yes"},
        ok=302,
    ),
    Entry("GET", "alumni/portal/mentor/", ALUMNI_ONLY),
    Entry("POST", "alumni/portal/mentor/", ALUMNI_ONLY, data={"about": "I can help"}, ok=302),
    Entry("GET", "alumni/portal/leave/", ALUMNI_ONLY),
    Entry("POST", "alumni/portal/leave/", ALUMNI_ONLY, data={"reason": ""}),
    Entry(
        "GET",
        "alumni/",
        SOMEWHERE,
        ok=302,
        location="/alumni/programs/",
        variants={"director_elsewhere": 200},
    ),
    Entry(
        "GET",
        "alumni/programs/{program_id}/",
        RUNNERS,
        on=ON_PROGRAM,
        contains=lambda world, person, key: [f"Ardent{key}"],
    ),
    Entry(
        "POST",
        "alumni/programs/{program_id}/events/",
        RUNNERS,
        on=ON_PROGRAM,
        data=_event,
        ok=302,
        location="/alumni/programs/",
    ),
    Entry(
        "POST",
        "alumni/programs/{program_id}/pairings/",
        RUNNERS,
        on=ON_PROGRAM,
        data=_pairing,
        ok=302,
        location="/alumni/programs/",
    ),
    Entry("GET", "alumni/meetings/{meeting_id}/", RUNNERS, on=ON_MEETING),
    Entry(
        "POST",
        "alumni/meetings/{meeting_id}/",
        RUNNERS,
        on=ON_PAST,
        data=_present,
        ok=302,
        location="/alumni/meetings/",
    ),
    Entry(
        "POST",
        "alumni/meetings/{meeting_id}/cancel/",
        RUNNERS,
        on=ON_MEETING,
        ok=302,
        location="/alumni/meetings/",
    ),
    Entry(
        "POST",
        "alumni/mentors/{mentor_id}/approve/",
        RUNNERS,
        on=on("mentor_id:mentor_volunteer"),
        ok=302,
        location="/alumni/programs/",
    ),
    Entry(
        "POST",
        "alumni/pairings/{pairing_id}/end/",
        RUNNERS,
        on=on("pairing_id:mentor_pairing"),
        data={"reason": "Goals met"},
        ok=302,
        location="/alumni/programs/",
    ),
    Entry(
        "POST",
        "alumni/people/{patient_id}/opt-out/",
        RUNNERS,
        on=on("patient_id:volunteer"),
        data={"reason": "Told us by phone"},
        ok=302,
        location="/alumni/",
    ),
    Entry(
        "POST",
        "alumni/people/{patient_id}/rejoin/",
        RUNNERS,
        on=on("patient_id:former"),
        ok=302,
        location="/alumni/",
    ),
]
OPERATIONS = [
    Entry("GET", f"{API}/programs/{{program_id}}/events", RUNNERS, api=True, on=ON_PROGRAM),
    Entry(
        "POST",
        f"{API}/programs/{{program_id}}/events",
        RUNNERS,
        api=True,
        on=ON_PROGRAM,
        data=lambda world, key: _event(world, key) | {"duration_minutes": 60},
        ok=201,
    ),
    Entry("GET", f"{API}/meetings/{{meeting_id}}/attendance", RUNNERS, api=True, on=ON_PAST),
    Entry(
        "POST",
        f"{API}/meetings/{{meeting_id}}/attendance",
        RUNNERS,
        api=True,
        on=ON_PAST,
        data=_api_present,
    ),
    Entry(
        "POST",
        f"{API}/meetings/{{meeting_id}}/rsvp",
        ALUMNI_ONLY,
        api=True,
        on=ON_MEETING,
        data={"answer": "yes"},
    ),
]
