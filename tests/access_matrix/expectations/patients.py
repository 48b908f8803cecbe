"""Home, caseload, registration, the chart, care teams, portal invitations, episodes.

Rules: README "Who sees what" and stepwell/privacy/access/patients.py.
- The chart: clinicians, prescribers, nurses (their programs and care teams), intake
  coordinators and directors (their programs); billing gets the billing view of its
  programs' patients; a patient is sent to the portal.
- Registration: intake coordinators, clinicians and directors, in their programs.
- Care team and portal invitation: clinicians and directors of a program where the
  patient has an open episode (access_care_team_edit).
- Episode transitions: clinicians and directors of the episode's program and clinicians on
  the care team; intake coordinators only before admission (all the episodes here are
  active).
"""

from __future__ import annotations

import json

from stepwell.testing.matrix_clinic import MISSING_ID

from ..facts import (
    BILLING,
    CLINICIAN,
    DIRECTOR,
    INTAKE,
    PROGRAM_WIDE,
    Chart,
    InProgram,
    Own,
    Person,
    portal_users,
    staff,
)
from ..harness import Away, Entry, On

ADMITTED = ("A", "A2", "B")
EVERY_PATIENT = ("A", "A2", "B", "Ad", "Bd", "RA", "RB")
CHART_READERS = Chart(PROGRAM_WIDE)
DETAIL_EDITORS = Chart((INTAKE, CLINICIAN, DIRECTOR))  # issue 12: details kept up to date
BILLING_VIEW = InProgram((BILLING,))
REGISTERING = (INTAKE, CLINICIAN, DIRECTOR)
CARE_TEAM_EDIT = InProgram((CLINICIAN, DIRECTOR))
TRANSITION = Chart((CLINICIAN, DIRECTOR))
SIGNED_IN = staff() | portal_users() | Person(frozenset({"superuser"}))
STAFF_ACCOUNTS = staff() | Person(frozenset({"superuser"}))


def _program(world, key):
    return MISSING_ID if key == "missing" else world.programs[key].pk


def _registration(world, key):
    return {
        "program": _program(world, key),
        "legal_first_name": "Quinn",
        "legal_last_name": "Quarry",
        "date_of_birth": "1991-04-02",
        "sex_assigned_at_birth": "male",
    }


def _details(world, key):
    from stepwell.patients.models import Patient

    # The missing-record cell sends a valid body for a patient that does not exist.
    patient = Patient.objects.get(pk=world.patients[key if key != "missing" else "A"].pk)
    return {
        "legal_first_name": patient.legal_first_name,
        "legal_last_name": patient.legal_last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex_assigned_at_birth": patient.sex_assigned_at_birth,
        "phone": "555-0142",
    }


def _care_team_member(world, key):
    person = "nurse" if key.startswith("A") else "prescriber_b"
    return {"user": world.users[person].pk, "team_role": "nurse"}


def _chart_view(world, person, key, sent):
    """Billing gets the billing view; everyone else who may, the clinical chart, audited."""
    from stepwell.privacy.models import AuditEvent

    sections = [t for t in ("Emergency contact", "Care team", "History") if t in sent.body]
    if person == "billing":
        if sections or "Member ID" not in sent.body:
            return f"billing must get the billing view only (it shows {sections})"
        return None
    if len(sections) < 3:
        return "the chart's clinical content is missing"
    viewed = AuditEvent.objects.filter(
        action="view", object_type="patient", patient_id=world.patients[key].pk
    )
    return (
        None
        if viewed.filter(username=world.users[person].username).exists()
        else ("the chart was read without an audit event")
    )


def _api_patient_fields(world, person, key, sent):
    data = json.loads(sent.body)
    clinical = "emergency_contact_name" in data and "care_team" in data
    if person == "billing":
        if {"emergency_contact_name", "care_team"} & set(data) or "insurance_member_id" not in data:
            return "billing must get the billing fields only"
        return None
    return None if clinical else "the clinical fields are missing"


def _on_hold(world, person, key, sent):
    from stepwell.patients.models import Episode

    state = Episode.objects.get(pk=world.id_of("episode", key)).state
    return None if state == "on_hold" else f"the episode is {state}, not on hold"


def _chart_of(world, key):
    return f"/patients/{world.patients[key].pk}/"


ON_PATIENT = On({"patient_id": "patient"}, keys=ADMITTED)
ON_EPISODE = On({"episode_id": "episode"}, keys=ADMITTED)
ON_CONTACT = On({"contact_id": "family_contact"}, keys=ADMITTED)
FAMILY_CONTACT = {"name": "Matrix Kin", "relationship": "aunt", "consented_to_involvement": "on"}


def _details_of(world, key):
    return f"/patients/{world.patients[key].pk}/details/"


PAGES = [
    Entry(
        "GET",
        "",
        SIGNED_IN,
        note="each role's home page (issue 12); an administrator with no program role lands on setup",
        variants={
            "patient": Away("/portal/"),
            "other_patient": Away("/portal/"),
            "administrator": Away("/setup/"),
        },
    ),
    Entry(
        "GET",
        "caseload/",
        SIGNED_IN,
        lists=EVERY_PATIENT,
        listed=CHART_READERS | BILLING_VIEW,
        variants={"patient": Away("/"), "other_patient": Away("/")},
    ),
    Entry(
        "GET",
        "caseload/",
        SIGNED_IN,
        lists=EVERY_PATIENT,
        listed=CHART_READERS | BILLING_VIEW,
        variants={"patient": Away("/"), "other_patient": Away("/")},
        htmx=True,
        variant="htmx",
    ),
    Entry(
        "GET",
        "patients/new/",
        Person(frozenset({"clinician", "clinician_other", "team_clinician", "intake"}))
        | Person(frozenset({"director", "director_elsewhere"})),
    ),
    Entry(
        "POST",
        "patients/new/",
        InProgram(REGISTERING),
        on=On({}, keys=("A", "B"), scope="program"),
        data=_registration,
        ok=302,
        location="/patients/",
        note="a program one may not register in, or none, is the API's refusal (403)",
    ),
    Entry(
        "GET",
        "patients/{patient_id}/",
        CHART_READERS | BILLING_VIEW | Own(),
        on=ON_PATIENT,
        variants={"patient": Away("/portal/"), "other_patient": Away("/portal/")},
        check=_chart_view,
    ),
    Entry(
        "POST",
        "patients/{patient_id}/care-team/",
        CARE_TEAM_EDIT,
        on=ON_PATIENT,
        data=_care_team_member,
        ok=302,
        location=_chart_of,
    ),
    Entry(
        "POST",
        "patients/{patient_id}/care-team/{member_id}/remove/",
        CARE_TEAM_EDIT,
        on=On({"patient_id": "patient", "member_id": "care_team_member"}, keys=ADMITTED),
        ok=302,
        location=_chart_of,
    ),
    Entry("GET", "patients/{patient_id}/details/", DETAIL_EDITORS, on=ON_PATIENT),
    Entry(
        "POST",
        "patients/{patient_id}/details/",
        DETAIL_EDITORS,
        on=ON_PATIENT,
        data=_details,
        ok=302,
        location=_chart_of,
    ),
    Entry("GET", "patients/{patient_id}/contacts/new/", DETAIL_EDITORS, on=ON_PATIENT),
    Entry(
        "POST",
        "patients/{patient_id}/contacts/new/",
        DETAIL_EDITORS,
        on=ON_PATIENT,
        data=FAMILY_CONTACT,
        ok=302,
        location=_details_of,
    ),
    Entry("GET", "contacts/{contact_id}/", DETAIL_EDITORS, on=ON_CONTACT),
    Entry(
        "POST",
        "contacts/{contact_id}/",
        DETAIL_EDITORS,
        on=ON_CONTACT,
        data=FAMILY_CONTACT,
        ok=302,
        location=_details_of,
    ),
    Entry(
        "POST",
        "contacts/{contact_id}/remove/",
        DETAIL_EDITORS,
        on=ON_CONTACT,
        ok=302,
        location=_details_of,
    ),
    Entry(
        "POST",
        "patients/{patient_id}/portal-invite/",
        CARE_TEAM_EDIT,
        on=On({"patient_id": "patient"}, keys=("Ad", "A2", "Bd")),
        ok=302,
        location=_chart_of,
    ),
    Entry(
        "GET",
        "episodes/{episode_id}/transition/",
        TRANSITION,
        on=ON_EPISODE,
        note="the form only for those who may move the episode",
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/transition/",
        TRANSITION,
        on=ON_EPISODE,
        data={"to_state": "on_hold", "reason": "Travel"},
        ok=302,
        location=_chart_of,
        check=_on_hold,
    ),
]


API_PATIENT = {"patient_id": "patient"}
OPERATIONS = [
    Entry(
        "PATCH",
        "/api/v1/patients/{patient_id}",
        DETAIL_EDITORS,
        api=True,
        on=ON_PATIENT,
        data={"phone": "555-0143"},
    ),
    Entry(
        "GET",
        "/api/v1/patients",
        SIGNED_IN,
        api=True,
        query={"state": "all"},
        lists=EVERY_PATIENT,
        listed=CHART_READERS | BILLING_VIEW | Own(),
    ),
    Entry(
        "POST",
        "/api/v1/patients",
        InProgram(REGISTERING),
        api=True,
        on=On({}, keys=("A", "B"), scope="program"),
        data=lambda world, key: {**_registration(world, key), "program_id": _program(world, key)},
        ok=201,
    ),
    Entry(
        "GET",
        "/api/v1/patients/{patient_id}",
        CHART_READERS | BILLING_VIEW | Own(),
        api=True,
        on=On(API_PATIENT, keys=ADMITTED),
        check=_api_patient_fields,
    ),
    Entry(
        "GET",
        "/api/v1/episodes/{episode_id}",
        CHART_READERS | Own(),
        api=True,
        on=ON_EPISODE,
    ),
    Entry(
        "POST",
        "/api/v1/episodes/{episode_id}/transitions",
        TRANSITION,
        api=True,
        on=ON_EPISODE,
        data={"to_state": "on_hold", "reason": "Travel"},
        check=_on_hold,
    ),
]
