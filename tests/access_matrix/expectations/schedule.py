"""The program calendar: weeks, optimizer runs, bookings, cancellations, calendar feeds.

Rules: stepwell/privacy/access/schedule.py, README "Calendar feeds".
- A program's week: its clinicians, prescribers, nurses, intake coordinators and directors.
- Running the optimizer, accepting a plan, booking and cancelling: the program's directors.
- A patient's week: the patient, and the chart's clinical readers.
- A staff member's week: the staff member, and the reading roles of a program they share.
- A patient's feed: the patient, or a clinician or director who sees the chart.
- A staff member's feed: only they make or read it; a director of a program they share
  may turn it off.
- The feed itself (.ics): whoever holds its secret address.
"""

from __future__ import annotations

from datetime import timedelta

from stepwell.testing.matrix_clinic import MISSING_ID

from ..facts import (
    CLINICAL,
    CLINICIAN,
    DIRECTOR,
    GRANTS,
    INTAKE,
    PROGRAM_WIDE,
    ROLES,
    Chart,
    InProgram,
    Own,
    Person,
    Rule,
    portal_users,
    staff,
)
from ..harness import Away, Entry, On

READING = (*CLINICAL, INTAKE, DIRECTOR)
PROGRAM_READERS = InProgram(READING)
MANAGERS = InProgram((DIRECTOR,))
PATIENT_WEEK = Chart(PROGRAM_WIDE) | Own()
PATIENT_FEED = Chart((CLINICIAN, DIRECTOR)) | Own()
PROGRAMS = ("A", "B")
FULL = ("A", "A2", "B")
EVERYONE = Person(frozenset(ROLES))


def _programs_of(person: str) -> set:
    return {program for _, program in GRANTS.get(person, ()) if program}


class StaffWeek(Rule):
    """The staff member, or a reading role of a program they share."""

    def allows(self, person: str, key: str) -> bool:
        if person == key:
            return True
        shared = _programs_of(key)
        return any(InProgram(READING).allows(person, program) for program in shared)


class OwnFeed(Rule):
    def allows(self, person: str, key: str) -> bool:
        return person == key


class FeedRevoker(Rule):
    """The staff member, or a director of a program they share."""

    def allows(self, person: str, key: str) -> bool:
        if person == key:
            return True
        return any(MANAGERS.allows(person, program) for program in _programs_of(key))


def _week(world, key):
    return world.clinic.weeks[key if key in world.clinic.weeks else "A"]


def _patient_week(world, key):
    from stepwell.schedule.calendar.weeks import iso_week_of

    return iso_week_of(world.clinic.now.date())


def _enrol(world, key):
    key = "A" if key == "missing" else key
    return {
        "form": "enrol",
        "enrol-patient": world.patients["Ad" if key == "A" else "Bd"].pk,
        "enrol-occurrence": world.id_of("future_occurrence", key),
    }


ON_PROGRAM = On({"program_id": "program"}, keys=PROGRAMS, scope="program")
ON_WEEK = On({"program_id": "program", "week": _week}, keys=PROGRAMS, scope="program")
ON_STAFF = On({"user_id": "user"}, keys=("clinician", "clinician_other"), scope="staff")
STAFF = staff() | Person(frozenset({"superuser"}))
READERS_ANYWHERE = [
    person for person in ROLES if any(role in READING for role, _ in GRANTS.get(person, ()))
]
PAGES = [
    Entry(
        "GET",
        "schedule/",
        STAFF | portal_users(),
        variants={
            **dict.fromkeys(READERS_ANYWHERE, 302),
            "patient": Away("/schedule/patients/"),
            "other_patient": Away("/schedule/patients/"),
        },
        note="staff who read a program's week are sent to it; other staff see an empty page",
    ),
    Entry(
        "GET",
        "schedule/{program_id}/",
        PROGRAM_READERS,
        on=ON_PROGRAM,
        ok=302,
        location="/schedule/",
    ),
    Entry("GET", "schedule/{program_id}/{week}/", PROGRAM_READERS, on=ON_WEEK),
    Entry(
        "GET",
        "schedule/{program_id}/{week}/",
        PROGRAM_READERS,
        on=ON_WEEK,
        htmx=True,
        variant="htmx",
    ),
    Entry("GET", "schedule/{program_id}/{week}/book/", MANAGERS, on=ON_WEEK),
    Entry(
        "POST",
        "schedule/{program_id}/{week}/book/",
        MANAGERS,
        on=ON_WEEK,
        data=_enrol,
        ok=302,
        location="/schedule/",
    ),
    Entry(
        "POST",
        "schedule/{program_id}/{week}/optimize/",
        MANAGERS,
        on=ON_WEEK,
        ok=302,
        location="/schedule/runs/",
    ),
    Entry(
        "GET",
        "schedule/sessions/{occurrence_id}/cancel/",
        MANAGERS,
        on=On({"occurrence_id": "future_occurrence"}, keys=PROGRAMS, scope="program"),
    ),
    Entry(
        "POST",
        "schedule/sessions/{occurrence_id}/cancel/",
        MANAGERS,
        on=On({"occurrence_id": "future_occurrence"}, keys=PROGRAMS, scope="program"),
        data={"reason": "Facilitator ill"},
        ok=302,
        location="/schedule/",
    ),
    Entry(
        "GET",
        "schedule/runs/{run_id}/",
        MANAGERS,
        on=On({"run_id": "run"}, keys=PROGRAMS, scope="program"),
    ),
    Entry(
        "POST",
        "schedule/runs/{run_id}/accept/",
        MANAGERS,
        on=On({"run_id": "run"}, keys=PROGRAMS, scope="program"),
        ok=302,
        location="/schedule/",
        note="the run failed: accepting it says so on the run's page",
    ),
    Entry(
        "GET",
        "schedule/patients/{patient_id}/",
        PATIENT_WEEK,
        on=On({"patient_id": "patient"}, keys=FULL),
        ok=302,
        location="/schedule/patients/",
    ),
    Entry(
        "POST",
        "schedule/patients/{patient_id}/feed/",
        PATIENT_FEED,
        on=On({"patient_id": "patient"}, keys=FULL),
        data={"action": "create"},
        ok=302,
        location="/schedule/patients/",
    ),
    Entry(
        "GET",
        "schedule/patients/{patient_id}/{week}/",
        PATIENT_WEEK,
        on=On({"patient_id": "patient", "week": _patient_week}, keys=FULL),
        shows=False,
    ),
    Entry(
        "GET",
        "schedule/staff/{user_id}/",
        StaffWeek(),
        on=ON_STAFF,
        ok=302,
        location="/schedule/staff/",
    ),
    Entry(
        "POST",
        "schedule/staff/{user_id}/feed/",
        FeedRevoker(),
        on=ON_STAFF,
        data={"action": "revoke"},
        ok=302,
        location="/schedule/staff/",
        variant="revoke",
    ),
    Entry(
        "POST",
        "schedule/staff/{user_id}/feed/",
        OwnFeed(),
        on=ON_STAFF,
        data={"action": "create"},
        ok=302,
        location="/schedule/staff/",
        variant="create",
    ),
    Entry(
        "GET",
        "schedule/staff/{user_id}/{week}/",
        StaffWeek(),
        on=On(
            {"user_id": "user", "week": _patient_week},
            keys=("clinician", "clinician_other"),
            scope="staff",
        ),
    ),
    Entry(
        "GET",
        "calendar/{token}.ics",
        EVERYONE,
        public=True,
        on=On({"token": lambda world, key: world.clinic.tokens[f"feed:{key}"]}, keys=("A",)),
        shows=False,
        note="the address is the key",
    ),
    Entry(
        "GET",
        "calendar/{token}.ics",
        Person(frozenset()),
        public=True,
        refused=404,
        on=On({"token": lambda world, key: "not-a-feed"}, keys=("",)),
        variant="unknown feed",
        note="an unknown address is a 404, audited as denied (as a wrong questionnaire link)",
    ),
]


def _api_enrolment(world, key):
    if key == "missing":
        return {"occurrence_id": MISSING_ID, "patient_id": world.patients["Ad"].pk}
    return {
        "occurrence_id": world.id_of("future_occurrence", key),
        "patient_id": world.patients["Ad" if key == "A" else "Bd"].pk,
    }


def _api_appointment(world, key):
    program = MISSING_ID if key == "missing" else world.programs[key].pk
    patient, staff_key = ("Ad", "clinician") if key != "B" else ("Bd", "clinician_other")
    starts = (world.clinic.now + timedelta(days=8)).replace(hour=20, minute=0, second=0)
    return {
        "patient_id": world.patients[patient].pk,
        "staff_id": world.users[staff_key].pk,
        "program_id": program,
        "kind": "individual",
        "starts_at": starts.isoformat(),
        "minutes": 60,
    }


OPERATIONS = [
    Entry(
        "GET",
        "/api/v1/schedule/programs/{program_id}/week/{week}",
        PROGRAM_READERS,
        api=True,
        on=ON_WEEK,
    ),
    Entry(
        "GET",
        "/api/v1/patients/{patient_id}/schedule",
        PATIENT_WEEK,
        api=True,
        on=On({"patient_id": "patient"}, keys=FULL),
    ),
    Entry(
        "POST",
        "/api/v1/schedule/enrollments",
        MANAGERS,
        api=True,
        on=On({}, keys=PROGRAMS, scope="program"),
        data=_api_enrolment,
        ok=201,
    ),
    Entry(
        "POST",
        "/api/v1/schedule/appointments",
        MANAGERS,
        api=True,
        on=On({}, keys=PROGRAMS, scope="program"),
        data=_api_appointment,
        ok=201,
    ),
]
