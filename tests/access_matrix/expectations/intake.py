"""Referrals, intake assessments, availability, placement and admission.

Rules: stepwell/privacy/access/intake.py, README "From referral to a signed treatment plan".
- Referrals (board, new, one referral, contacts, moves): intake coordinators, clinicians
  and directors of the referral's program (not through a care team: the board is a
  program's work list).
- Reading an assessment or a placement decision: the chart's clinical readers.
- Drafting an assessment (fields, diagnoses, history, availability): intake coordinators
  and clinicians. Signing, addenda and placement decisions: clinicians.
- Admission: clinicians and directors of the episode's program.
- The patient's availability: the patient, intake coordinators and clinicians.
- The diagnosis code search and the placement engine hold no patient data: staff.
"""

from __future__ import annotations

from stepwell.testing.matrix_clinic import ENGINE_INPUT_IOP, MISSING_ID

from ..facts import (
    CLINICIAN,
    DIRECTOR,
    INTAKE,
    PROGRAM_WIDE,
    Chart,
    InProgram,
    Own,
    Person,
    staff,
)
from ..harness import Entry, On

REFERRAL_ROLES = (INTAKE, CLINICIAN, DIRECTOR)
REFERRALS = Chart(REFERRAL_ROLES, care_team=False)
READERS = Chart(PROGRAM_WIDE)
DRAFTERS = Chart((INTAKE, CLINICIAN))
CLINICIANS = Chart((CLINICIAN,))
ADMITTING = InProgram((CLINICIAN, DIRECTOR))
AVAILABILITY = Own() | DRAFTERS
REFERRAL_HOLDERS = Person(
    frozenset({"clinician", "clinician_other", "team_clinician", "intake", "director"})
    | {"director_elsewhere"}
)
STAFF = staff() | Person(frozenset({"superuser"}))

FULL = ("A", "A2", "B")
WAITING = ("RA", "RB")
ON_DRAFT = On({"assessment_id": "assessment"}, keys=FULL)
ON_SIGNED = On({"assessment_id": "assessment_signed"}, keys=FULL)


def _program(world, key):
    return MISSING_ID if key == "missing" else world.programs[key].pk


def _referral(world, key):
    return {
        "program": _program(world, key),
        "legal_first_name": "Quinn",
        "legal_last_name": "Quarry",
        "date_of_birth": "1991-04-02",
        "sex_assigned_at_birth": "male",
        "source": "self",
        "reason": "Low mood for months",
        "urgency": "routine",
    }


def _placement(world, key):
    dimensions = ENGINE_INPUT_IOP["dimensions"]
    fields = {k: v for k, v in ENGINE_INPUT_IOP.items() if k != "dimensions"}
    form = {**dimensions, **fields, "decide": "1", "step_down_from": "none"}
    for name in ("medically_stable", "needs_24h_structure"):
        form[name] = "yes" if form[name] else "no"
    return form


def _admission(world, key):
    clinician = "clinician" if key in ("RA", "", "missing") else "clinician_other"
    return {"primary_clinician": world.users[clinician].pk}


PAGES = [
    Entry(
        "GET",
        "intake/referrals/",
        REFERRAL_HOLDERS,
        lists=WAITING,
        listed=REFERRALS,
    ),
    Entry("GET", "intake/referrals/new/", REFERRAL_HOLDERS),
    Entry(
        "POST",
        "intake/referrals/new/",
        InProgram(REFERRAL_ROLES),
        on=On({}, keys=("A", "B"), scope="program"),
        data=_referral,
        ok=302,
        location="/intake/referrals/",
        note="a program one may not take referrals for, or none, is the API's refusal (403)",
    ),
    Entry(
        "GET",
        "intake/referrals/{referral_id}/",
        REFERRALS,
        on=On({"referral_id": "referral"}),
    ),
    Entry(
        "POST",
        "intake/referrals/{referral_id}/contact/",
        REFERRALS,
        on=On({"referral_id": "referral"}, keys=WAITING),
        data={"method": "phone", "outcome": "reached", "note": "Called back"},
        ok=302,
        location="/intake/referrals/",
    ),
    Entry(
        "POST",
        "intake/referrals/{referral_id}/move/",
        REFERRALS,
        on=On({"referral_id": "referral"}, keys=WAITING),
        data={"to_state": "declined", "reason": "Chose another program"},
        ok=302,
        location="/intake/referrals/",
    ),
    Entry(
        "POST",
        "intake/episodes/{episode_id}/assessment/",
        DRAFTERS,
        on=On({"episode_id": "episode"}, keys=FULL),
        ok=302,
        location="/intake/assessments/",
        writes=False,
        note="each episode has a draft open already: it is the one returned",
    ),
    Entry("GET", "intake/assessments/{assessment_id}/", READERS, on=ON_DRAFT),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/",
        DRAFTERS,
        on=ON_DRAFT,
        data={"presenting_problems": "Worse sleep", "risk_level": "low", "patient_goals": "Work"},
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/sign/",
        CLINICIANS,
        on=ON_DRAFT,
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/addenda/",
        CLINICIANS,
        on=ON_SIGNED,
        data={"text": "Correction: sleeps six hours"},
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/diagnoses/",
        DRAFTERS,
        on=ON_DRAFT,
        data={"code": "F32.1"},
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/diagnoses/{diagnosis_id}/remove/",
        DRAFTERS,
        on=On({"assessment_id": "assessment", "diagnosis_id": "diagnosis"}, keys=FULL),
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/previous-treatment/",
        DRAFTERS,
        on=ON_DRAFT,
        data={"level_of_care": "outpatient", "outcome": "completed"},
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/previous-treatment/{treatment_id}/remove/",
        DRAFTERS,
        on=On({"assessment_id": "assessment", "treatment_id": "previous_treatment"}, keys=FULL),
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/availability/",
        DRAFTERS,
        on=ON_DRAFT,
        data={"weekday": "6", "start": "06:00", "end": "06:30"},
        ok=302,
        location="/intake/assessments/",
    ),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/availability/{window_id}/remove/",
        DRAFTERS,
        on=On({"assessment_id": "assessment", "window_id": "window"}, keys=FULL),
        ok=302,
        location="/intake/assessments/",
    ),
    Entry("GET", "intake/assessments/{assessment_id}/placement/", CLINICIANS, on=ON_SIGNED),
    Entry(
        "POST",
        "intake/assessments/{assessment_id}/placement/",
        CLINICIANS,
        on=ON_SIGNED,
        data=_placement,
        ok=302,
        location="/intake/placement-decisions/",
    ),
    Entry(
        "GET",
        "intake/placement-decisions/{decision_id}/",
        READERS,
        on=On({"decision_id": "decision"}, keys=("A", "A2", "B", *WAITING)),
    ),
    Entry(
        "POST",
        "intake/placement-decisions/{decision_id}/",
        ADMITTING,
        on=On({"decision_id": "decision"}, keys=WAITING),
        data=_admission,
        ok=302,
        location="/patients/",
    ),
    Entry(
        "GET",
        "intake/diagnosis-codes/",
        STAFF,
        query={"q": "F33"},
    ),
    Entry(
        "GET",
        "intake/patients/{patient_id}/availability/",
        AVAILABILITY,
        on=On({"patient_id": "patient"}, keys=FULL),
        shows=False,
    ),
    Entry(
        "POST",
        "intake/patients/{patient_id}/availability/",
        AVAILABILITY,
        on=On({"patient_id": "patient"}, keys=FULL),
        data={"weekday": "6", "start": "06:00", "end": "06:30"},
        ok=302,
        location="/intake/patients/",
    ),
    Entry(
        "POST",
        "intake/patients/{patient_id}/availability/{window_id}/remove/",
        AVAILABILITY,
        on=On({"patient_id": "patient", "window_id": "window"}, keys=FULL),
        ok=302,
        location="/intake/patients/",
    ),
]


def _api_referral(world, key):
    form = _referral(world, key)
    return {
        "program_id": form["program"],
        "source": "self",
        "reason": "Low mood for months",
        "patient": {k: form[k] for k in ("legal_first_name", "legal_last_name")}
        | {"date_of_birth": "1991-04-02", "sex_assigned_at_birth": "male"},
    }


def _api_admission(world, key):
    return {
        "care_team": [
            {
                "user_id": _admission(world, key)["primary_clinician"],
                "team_role": "primary_clinician",
            }
        ]
    }


API = "/api/v1/intake"
OPERATIONS = [
    Entry(
        "GET",
        f"{API}/referrals",
        REFERRAL_HOLDERS,
        api=True,
        lists=WAITING,
        listed=REFERRALS,
        note="refused (403) to whoever has no referral board, as the page",
    ),
    Entry(
        "POST",
        f"{API}/referrals",
        InProgram(REFERRAL_ROLES),
        api=True,
        on=On({}, keys=("A", "B"), scope="program"),
        data=_api_referral,
        ok=201,
    ),
    Entry(
        "GET",
        f"{API}/referrals/{{referral_id}}",
        REFERRALS,
        api=True,
        on=On({"referral_id": "referral"}),
    ),
    Entry(
        "POST",
        f"{API}/referrals/{{referral_id}}/transitions",
        REFERRALS,
        api=True,
        on=On({"referral_id": "referral"}, keys=WAITING),
        data={"to_state": "declined", "reason": "Chose another program"},
    ),
    Entry(
        "POST",
        f"{API}/referrals/{{referral_id}}/contacts",
        REFERRALS,
        api=True,
        on=On({"referral_id": "referral"}, keys=WAITING),
        data={"method": "phone", "outcome": "reached"},
    ),
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}/assessments",
        DRAFTERS,
        api=True,
        on=On({"episode_id": "episode"}, keys=FULL),
        ok=201,
        writes=False,
        note="each episode has a draft open already: it is the one returned",
    ),
    Entry("GET", f"{API}/assessments/{{assessment_id}}", READERS, api=True, on=ON_DRAFT),
    Entry(
        "PATCH",
        f"{API}/assessments/{{assessment_id}}",
        DRAFTERS,
        api=True,
        on=ON_DRAFT,
        data={"presenting_problems": "Worse sleep"},
    ),
    Entry(
        "POST",
        f"{API}/assessments/{{assessment_id}}/diagnoses",
        DRAFTERS,
        api=True,
        on=ON_DRAFT,
        data={"code": "F32.1"},
        ok=201,
    ),
    Entry("POST", f"{API}/assessments/{{assessment_id}}/sign", CLINICIANS, api=True, on=ON_DRAFT),
    Entry(
        "POST",
        f"{API}/assessments/{{assessment_id}}/addenda",
        CLINICIANS,
        api=True,
        on=ON_SIGNED,
        data={"text": "Correction: sleeps six hours"},
        ok=201,
    ),
    Entry(
        "GET",
        f"{API}/patients/{{patient_id}}/availability",
        AVAILABILITY | READERS,
        api=True,
        on=On({"patient_id": "patient"}, keys=FULL),
        shows=False,
        note="the weekly windows name no one; the patient reads their own, as on the page",
    ),
    Entry(
        "PUT",
        f"{API}/patients/{{patient_id}}/availability",
        AVAILABILITY,
        api=True,
        on=On({"patient_id": "patient"}, keys=FULL),
        data=[{"weekday": 1, "start": "08:00", "end": "20:00"}],
    ),
    Entry(
        "POST",
        f"{API}/placement/recommend",
        STAFF,
        api=True,
        data=ENGINE_INPUT_IOP,
        writes=False,
        note="the engine's recommendation; nothing is saved",
    ),
    Entry(
        "POST",
        f"{API}/assessments/{{assessment_id}}/placement-decisions",
        CLINICIANS,
        api=True,
        on=ON_SIGNED,
        data={"engine_input": ENGINE_INPUT_IOP},
        ok=201,
    ),
    Entry(
        "GET",
        f"{API}/placement-decisions/{{decision_id}}",
        READERS,
        api=True,
        on=On({"decision_id": "decision"}, keys=("A", "A2", "B", *WAITING)),
        shows=False,
        note="the decision names its episode, not the patient",
    ),
    Entry(
        "POST",
        f"{API}/placement-decisions/{{decision_id}}/admission",
        ADMITTING,
        api=True,
        on=On({"decision_id": "decision"}, keys=WAITING),
        data=_api_admission,
    ),
    Entry(
        "GET",
        f"{API}/diagnosis-codes",
        STAFF,
        api=True,
        query={"q": "F33"},
    ),
]
