"""Medications, allergies, reconciliations, medication visits, adherence and drug tests.

Rules: stepwell/privacy/access/meds.py, README "Medications and drug testing",
docs/medications.md.
- Reading the medication record: clinicians, prescribers, nurses and directors in the
  patient's program, or on the care team with a clinical role. Intake, billing and the
  administrator read none of it.
- Writing medications, allergies, reconciliations and naloxone: prescribers and nurses;
  the PDMP attestation and a medication visit: prescribers; a visit's checklist: the
  author of its note.
- Drug tests are Part 2 records of the program that did them: program B's (a Part 2
  program) are read only by holders of a reading role in B; program A's also by the rest
  of the care team. Ordered and resulted by clinicians, prescribers and nurses of the
  test's program.
- Random testing: the program's director.
- The adherence question: the patient, on the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..facts import (
    CLINICIAN,
    DIRECTOR,
    NURSE,
    PRESCRIBER,
    PROGRAM_OF,
    Author,
    Chart,
    InProgram,
    Person,
    Rule,
    portal_users,
    staff,
)
from ..harness import Away, Entry, On

READ = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
WRITE = Chart((PRESCRIBER, NURSE))
PRESCRIBES = Chart((PRESCRIBER,))
TESTERS = InProgram((CLINICIAN, PRESCRIBER, NURSE))
DIRECTORS = InProgram((DIRECTOR,))
VISIT_AUTHORS = Author({"A": "prescriber", "A2": "prescriber", "B": "prescriber_b"})
PART2_PROGRAMS = {"B"}


@dataclass(frozen=True)
class TestReaders(Rule):
    """Readers of a drug test: a reading role in the test's program; outside a Part 2
    program, anyone who reads the patient's medication record."""

    def allows(self, person: str, key: str) -> bool:
        if InProgram((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR)).allows(person, key):
            return True
        return PROGRAM_OF[key] not in PART2_PROGRAMS and READ.allows(person, key)


FULL = ("A", "A2", "B")
ON_PATIENT = On({"patient_id": "patient"}, keys=FULL)
ON_MEDICATION = On({"medication_id": "medication"}, keys=FULL)
ON_RECONCILIATION = On({"reconciliation_id": "reconciliation"}, keys=FULL)
ON_EPISODE = On({"episode_id": "episode"}, keys=FULL)
ON_VISIT = On({"note_id": "visit"}, keys=FULL)
ON_TEST = On({"test_id": "drug_test"}, keys=FULL)
ON_PROGRAM = On({"program_id": "program"}, keys=("A", "B"), scope="program")
WORKLIST_USERS = staff() | Person(frozenset({"superuser"}))
PATIENTS_AWAY = {"patient": Away("/"), "other_patient": Away("/")}


def _base(key: str) -> str:
    """The record a body names: for the id that does not exist, the first one's."""
    return key if key in PROGRAM_OF else FULL[0]


def _today(world, key=None) -> str:
    return world.clinic.today.isoformat()


def _medication_form(world, key) -> dict:
    return {
        "med-formulary_key": "escitalopram",
        "med-dose": "10",
        "med-unit": "mg",
        "med-route": "oral",
        "med-frequency": "once daily",
        "med-start_date": _today(world),
    }


def _visit_form(world, key) -> dict:
    start = world.clinic.now - timedelta(hours=6)
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "visit-started_at": start.strftime(fmt),
        "visit-ended_at": (start + timedelta(minutes=30)).strftime(fmt),
    }


def _order_form(world, key) -> dict:
    return {
        "test-episode": world.programs[PROGRAM_OF[_base(key)]].pk,
        "test-method": "laboratory",
        "test-reason": "clinical",
        "test-scheduled_on": _today(world),
        "test-panel": ["cocaine", "opiates"],
    }


def _decision(world, key) -> dict:
    return {
        "action": "decide",
        "medication_id": world.id_of("medication", _base(key)),
        "decision": "continue",
    }


SIDE_EFFECTS = {
    "action": "side_effects",
    **{
        effect: "none"
        for effect in (
            "sedation",
            "weight_gain",
            "sexual_dysfunction",
            "gi_upset",
            "activation",
            "tremor",
            "dizziness",
        )
    },
}


def _to_chart(world, key) -> str:
    return f"/meds/patients/{world.patients[key].pk}/"


PAGES = [
    Entry(
        "GET",
        "meds/worklist/",
        WORKLIST_USERS | portal_users(),
        lists=FULL,
        listed=WRITE,
        variants=PATIENTS_AWAY,
        note="the open admission reconciliations are listed to whoever writes them",
    ),
    Entry("GET", "meds/mine/", portal_users()),
    Entry(
        "POST",
        "meds/mine/",
        portal_users(),
        data={"answer": "most", "why_not": "Forgot on the weekend"},
        ok=302,
        location="/meds/mine/",
    ),
    Entry("GET", "meds/patients/{patient_id}/", READ, on=ON_PATIENT),
    Entry(
        "GET",
        "meds/patients/{patient_id}/",
        READ,
        on=ON_PATIENT,
        htmx=True,
        variant="htmx",
        shows=False,
        contains=lambda world, person, key: ["sertraline", "No known allergies"],
        note="the fragment goes into the chart, which names the patient",
    ),
    Entry(
        "POST",
        "meds/patients/{patient_id}/medications/",
        WRITE,
        on=ON_PATIENT,
        data=_medication_form,
        ok=302,
        location=_to_chart,
    ),
    Entry("GET", "meds/medications/{medication_id}/", READ, on=ON_MEDICATION),
    Entry(
        "POST",
        "meds/medications/{medication_id}/",
        WRITE,
        on=ON_MEDICATION,
        data={"dose": "75", "status_reason": "Partial response"},
        ok=302,
        location=_to_chart,
    ),
    Entry(
        "POST",
        "meds/patients/{patient_id}/allergies/",
        WRITE,
        on=ON_PATIENT,
        data={"allergy-kind": "allergy", "allergy-substance": "penicillin"},
        ok=302,
        location=_to_chart,
    ),
    Entry(
        "POST",
        "meds/patients/{patient_id}/addiction/",
        WRITE,
        on=ON_PATIENT,
        data=lambda world, key: {
            "what": "naloxone",
            "nx-naloxone": "offered",
            "nx-on": _today(world),
        },
        ok=302,
        location=_to_chart,
        variant="naloxone",
    ),
    Entry(
        "POST",
        "meds/patients/{patient_id}/addiction/",
        PRESCRIBES,
        on=ON_PATIENT,
        data=lambda world, key: {
            "what": "pdmp",
            "pdmp-checked_on": _today(world),
            "pdmp-state": "IL",
        },
        ok=302,
        location=_to_chart,
        variant="pdmp",
    ),
    Entry(
        "POST",
        "meds/patients/{patient_id}/visits/",
        PRESCRIBES,
        on=ON_PATIENT,
        data=_visit_form,
        ok=302,
        location="/meds/visits/",
    ),
    Entry("GET", "meds/visits/{note_id}/", READ, on=ON_VISIT),
    Entry(
        "POST",
        "meds/visits/{note_id}/",
        VISIT_AUTHORS,
        on=ON_VISIT,
        data=SIDE_EFFECTS,
        ok=302,
        location="/meds/visits/",
    ),
    Entry(
        "POST",
        "meds/episodes/{episode_id}/reconciliations/",
        WRITE,
        on=ON_EPISODE,
        data={"occasion": "discharge"},
        ok=302,
        location="/meds/reconciliations/",
    ),
    Entry("GET", "meds/reconciliations/{reconciliation_id}/", READ, on=ON_RECONCILIATION),
    Entry(
        "POST",
        "meds/reconciliations/{reconciliation_id}/",
        WRITE,
        on=ON_RECONCILIATION,
        data=_decision,
        ok=302,
        location="/meds/reconciliations/",
        writes=False,
        note="deciding again what is already decided writes the same values",
    ),
    Entry(
        "POST",
        "meds/patients/{patient_id}/drug-tests/",
        TESTERS,
        on=ON_PATIENT,
        data=_order_form,
        ok=302,
        location="/meds/drug-tests/",
    ),
    Entry("GET", "meds/drug-tests/{test_id}/", TestReaders(), on=ON_TEST),
    Entry(
        "POST",
        "meds/drug-tests/{test_id}/",
        TESTERS,
        on=ON_TEST,
        data={"action": "review", "note": "Negative screen discussed"},
        ok=302,
        location="/meds/drug-tests/",
    ),
    Entry("GET", "meds/programs/{program_id}/testing/", DIRECTORS, on=ON_PROGRAM, shows=False),
    Entry(
        "POST",
        "meds/programs/{program_id}/testing/",
        DIRECTORS,
        on=ON_PROGRAM,
        data={"action": "schedule", "tests_per_week": "1", "weekdays": ["0", "2"], "active": "on"},
        ok=302,
        location="/meds/programs/",
    ),
]


def _medication_body(world, key) -> dict:
    return {
        "formulary_key": "escitalopram",
        "dose": "10",
        "unit": "mg",
        "frequency": "once daily",
        "start_date": _today(world),
    }


def _reconciliation_body(world, key) -> dict:
    return {
        "occasion": "level_change",
        "decisions": [
            {"medication_id": world.id_of("medication", _base(key)), "decision": "continue"}
        ],
    }


def _test_body(world, key) -> dict:
    return {
        "collected_at": (world.clinic.now - timedelta(hours=1)).isoformat(),
        "observed": True,
        "results": {"cocaine": "negative"},
    }


API = "/api/v1"
OPERATIONS = [
    Entry("GET", f"{API}/patients/{{patient_id}}/medications", READ, api=True, on=ON_PATIENT),
    Entry(
        "POST",
        f"{API}/patients/{{patient_id}}/medications",
        WRITE,
        api=True,
        on=ON_PATIENT,
        data=_medication_body,
        ok=201,
    ),
    Entry(
        "PATCH",
        f"{API}/medications/{{medication_id}}",
        WRITE,
        api=True,
        on=ON_MEDICATION,
        data={"dose": "75"},
    ),
    Entry("GET", f"{API}/patients/{{patient_id}}/allergies", READ, api=True, on=ON_PATIENT),
    Entry(
        "POST",
        f"{API}/patients/{{patient_id}}/allergies",
        WRITE,
        api=True,
        on=ON_PATIENT,
        data={"kind": "allergy", "substance": "penicillin", "severity": "moderate"},
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}/reconciliations",
        WRITE,
        api=True,
        on=ON_EPISODE,
        data=_reconciliation_body,
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}/reconciliations/{{reconciliation_id}}/sign",
        WRITE,
        api=True,
        on=On(
            {"episode_id": "episode", "reconciliation_id": "reconciliation"},
            keys=FULL,
            missing="reconciliation_id",
        ),
    ),
    Entry("GET", f"{API}/patients/{{patient_id}}/drug-tests", READ, api=True, on=ON_PATIENT),
    Entry(
        "POST",
        f"{API}/patients/{{patient_id}}/drug-tests",
        TESTERS,
        api=True,
        on=ON_PATIENT,
        data=_test_body,
        ok=201,
    ),
]
