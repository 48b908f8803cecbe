"""Questionnaires, scores and safety alerts.

Rules: stepwell/privacy/access/measures.py, README "Measurement-based care", docs/measures.md.
- Reading scores: the chart's clinical readers (clinicians, prescribers, nurses, intake
  coordinators, directors); a patient reads their own.
- Recording in session and sending a link: clinicians, prescribers, nurses and intake
  coordinators who see the chart.
- Safety alerts (worklist, acknowledging): clinicians, prescribers, nurses and directors
  who see the chart.
- A one-time link opens its questionnaire for whoever holds it; the portal's
  questionnaires are the patient's own.
"""

from __future__ import annotations

from stepwell.testing.matrix_clinic import PHQ9_WITH_RISK

from ..facts import (
    CLINICAL,
    CLINICIAN,
    DIRECTOR,
    INTAKE,
    NURSE,
    PRESCRIBER,
    PROGRAM_WIDE,
    ROLES,
    Chart,
    Own,
    Person,
    portal_users,
    staff,
)
from ..harness import Entry, On

READERS = Chart(PROGRAM_WIDE) | Own()
RECORDERS = Chart((*CLINICAL, INTAKE))
ALERTS = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
ALERT_HOLDERS = Person(
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
FULL = ("A", "A2", "B")
EVERYONE = Person(frozenset(ROLES))
SIGNED_IN = staff() | portal_users() | Person(frozenset({"superuser"}))
ON_PATIENT = On({"patient_id": "patient"}, keys=FULL)
GAD7 = {f"gad7_{n}": "1" for n in range(1, 8)}


def _token(world, key):
    return world.clinic.tokens[f"questionnaire:{key}"]


PAGES = [
    Entry("GET", "measures/alerts/", ALERT_HOLDERS, lists=FULL, listed=ALERTS),
    Entry(
        "GET",
        "measures/alerts/",
        ALERT_HOLDERS,
        lists=FULL,
        listed=ALERTS,
        htmx=True,
        variant="htmx",
    ),
    Entry(
        "POST",
        "measures/alerts/{alert_id}/acknowledge/",
        ALERTS,
        on=On({"alert_id": "alert"}, keys=FULL),
        data={"note": "Safety plan reviewed by phone"},
        ok=302,
        location="/measures/alerts/",
    ),
    Entry(
        "GET",
        "measures/patients/{patient_id}/record/",
        RECORDERS,
        on=ON_PATIENT,
        query={"instrument": "gad7"},
    ),
    Entry(
        "POST",
        "measures/patients/{patient_id}/record/",
        RECORDERS,
        on=ON_PATIENT,
        data={"instrument": "gad7", **GAD7},
        ok=302,
        location="/patients/",
    ),
    Entry("GET", "measures/patients/{patient_id}/administrations/", READERS, on=ON_PATIENT),
    Entry(
        "GET",
        "measures/patients/{patient_id}/administrations/",
        READERS,
        on=ON_PATIENT,
        htmx=True,
        variant="htmx",
        shows=False,
        note="the chart's section: its rows, not the patient's name",
    ),
    Entry(
        "POST",
        "measures/patients/{patient_id}/send/",
        RECORDERS,
        on=ON_PATIENT,
        data={"instrument": "phq9"},
    ),
    Entry(
        "GET",
        "measures/q/{token}/",
        EVERYONE,
        public=True,
        on=On({"token": _token}, keys=("A",)),
        shows=False,
        note="the link is the key: whoever holds it answers",
    ),
    Entry(
        "GET",
        "measures/q/{token}/",
        Person(frozenset()),
        public=True,
        refused=404,
        on=On({"token": lambda world, key: "not-a-link"}, keys=("",)),
        variant="unknown link",
    ),
    Entry("GET", "measures/mine/", portal_users()),
    Entry(
        "GET",
        "measures/mine/{administration_id}/",
        Own(),
        on=On({"administration_id": "due_administration"}, keys=FULL),
        shows=False,
    ),
]

API = "/api/v1/measures"
OPERATIONS = [
    Entry("GET", f"{API}/instruments", SIGNED_IN, api=True),
    Entry(
        "GET",
        f"{API}/patients/{{patient_id}}/administrations",
        READERS,
        api=True,
        on=ON_PATIENT,
    ),
    Entry(
        "POST",
        f"{API}/patients/{{patient_id}}/administrations",
        RECORDERS,
        api=True,
        on=ON_PATIENT,
        data={"instrument": "phq9", "answers": {k: int(v) for k, v in PHQ9_WITH_RISK.items()}},
        ok=201,
    ),
    Entry(
        "GET",
        f"{API}/patients/{{patient_id}}/outcomes",
        READERS,
        api=True,
        on=ON_PATIENT,
        shows=False,
        note="the trajectories name no one",
    ),
    Entry(
        "GET",
        f"{API}/alerts",
        ALERT_HOLDERS,
        api=True,
        lists=FULL,
        listed=ALERTS,
        note="refused (403) to whoever holds no alert role, as the worklist page",
    ),
    Entry(
        "POST",
        f"{API}/alerts/{{alert_id}}/acknowledge",
        ALERTS,
        api=True,
        on=On({"alert_id": "alert"}, keys=FULL),
        data={"note": "Safety plan reviewed by phone"},
    ),
]
