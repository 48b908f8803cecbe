"""Treatment plans: the editor, signatures, revisions, reviews, the worklists.

Rules: stepwell/privacy/access/plans.py, README "Treatment plan".
- Reading: clinicians, prescribers, nurses and directors who see the chart; the patient
  reads their own signed plan.
- Writing drafts, signing as clinician, revisions, reviews and objective status: clinicians.
- Signing as physician and recertifying: prescribers (an MD or DO).
- The patient's signature: the patient on the portal, or a clinician, nurse or prescriber
  who witnesses it in person.
"""

from __future__ import annotations

from datetime import timedelta

from ..facts import (
    CLINICIAN,
    DIRECTOR,
    NURSE,
    PRESCRIBER,
    PROGRAM_WIDE,
    Chart,
    Own,
    Person,
    portal_users,
)
from ..harness import Away, Entry, On

READERS = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
EDITORS = Chart((CLINICIAN,))
PHYSICIANS = Chart((PRESCRIBER,))
WITNESSES = Chart((CLINICIAN, NURSE, PRESCRIBER)) | Own()
SIGNED = ("A", "A2", "B")
DRAFTS = ("Ad", "Bd")
STAFF = Person(
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
            "billing",
            "administrator",
            "superuser",
        }
    )
)
ON_SIGNED = On({"plan_id": "plan"}, keys=SIGNED)
ON_DRAFT = On({"plan_id": "draft_plan"}, keys=DRAFTS)
ON_DRAFT_GOAL = On({"goal_id": "draft_plan_goal"}, keys=DRAFTS)
TO_PLAN = "/plans/"


def admit_waiting(world, key):
    """Admit the waiting referral (RA, RB) so its episode can get a first plan."""
    from stepwell.intake import services as intake

    clinician = world.users["clinician" if key == "RA" else "clinician_other"]
    intake.admission_admit(
        actor=clinician,
        placement_decision_id=world.id_of("decision", key),
        care_team=[(clinician.pk, "primary_clinician")],
    )


def sign_as_physician(world, key):
    """A physician certification to recertify."""
    from stepwell.plans import services as plans

    physician = world.users["prescriber_b" if key == "B" else "prescriber"]
    plans.plan_sign_physician(
        actor=physician, plan_id=world.id_of("plan", key), attests_nine_hours=True
    )


def _responsible(world, key):
    return world.users["clinician_other" if key == "Bd" else "clinician"].pk


def _prefixed(prefix_of, fields):
    def data(world, key):
        goal = world.id_of(prefix_of[1], key if key != "missing" else "Ad")
        values = fields(world, key) if callable(fields) else fields
        return {f"{prefix_of[0]}{goal}-{name}": value for name, value in values.items()}

    return data


GOAL = {"domain": "coping_skills", "patient_words": "Sleep better", "clinical_wording": "Sleep"}


def _objective(world, key):
    target = (world.clinic.now + timedelta(days=90)).date().isoformat()
    return {"description": "Sleep 7 hours", "target_date": target, "measure_kind": "none"}


def _intervention(world, key):
    return {
        "modality": "individual_therapy",
        "minutes_per_session": 50,
        "sessions_per_week": 1,
        "duration_weeks": 8,
        "responsible": _responsible(world, key),
    }


CHART_READERS = Chart(PROGRAM_WIDE)


def _lists_the_plan(world, person, key):
    """The section links the episode's signed plan (the full records have one) to those
    who read plans; an intake coordinator sees the intake part only."""
    if key not in SIGNED or not READERS.allows(person, key):
        return []
    return [f"/plans/{world.id_of('plan', key)}/"]


PAGES = [
    Entry(
        "GET",
        "plans/patients/{patient_id}/",
        CHART_READERS,
        on=On({"patient_id": "patient"}, keys=("A", "A2", "B", "Ad")),
        contains=_lists_the_plan,
        note="the chart's intake-and-plans section as a page of its own (no JavaScript)",
    ),
    Entry(
        "GET",
        "plans/patients/{patient_id}/",
        CHART_READERS,
        on=On({"patient_id": "patient"}, keys=("A", "A2", "B", "Ad")),
        htmx=True,
        shows=False,
        contains=_lists_the_plan,
        variant="htmx",
        note="loaded into the chart: the section alone, which names no one",
    ),
    Entry(
        "GET",
        "plans/worklist/",
        STAFF | portal_users(),
        variants={"patient": Away("/"), "other_patient": Away("/")},
    ),
    Entry(
        "POST",
        "plans/episodes/{episode_id}/",
        EDITORS,
        on=On({"episode_id": "episode"}, keys=("RA", "RB")),
        prepare=admit_waiting,
        ok=302,
        location=TO_PLAN,
    ),
    Entry("GET", "plans/{plan_id}/", READERS | Own(), on=ON_SIGNED),
    Entry(
        "POST",
        "plans/{plan_id}/problems/",
        EDITORS,
        on=ON_DRAFT,
        data={"p-statement": "Isolation"},
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/{plan_id}/problems/",
        EDITORS,
        on=ON_DRAFT,
        data={"p-statement": "Isolation"},
        htmx=True,
        variant="htmx",
        note="the editor comes back in place",
    ),
    Entry(
        "POST",
        "plans/problems/{problem_id}/goals/",
        EDITORS,
        on=On({"problem_id": "draft_plan_problem"}, keys=DRAFTS),
        data=_prefixed(("g", "draft_plan_problem"), GOAL),
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/goals/{goal_id}/objectives/",
        EDITORS,
        on=ON_DRAFT_GOAL,
        data=_prefixed(("o", "draft_plan_goal"), _objective),
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/goals/{goal_id}/interventions/",
        EDITORS,
        on=ON_DRAFT_GOAL,
        data=_prefixed(("i", "draft_plan_goal"), _intervention),
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/items/{kind}/{item_id}/remove/",
        EDITORS,
        on=On(
            {"kind": lambda w, k: "intervention", "item_id": "draft_plan_intervention"},
            keys=DRAFTS,
        ),
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/items/{kind}/{item_id}/edit/",
        EDITORS,
        on=On(
            {"kind": lambda w, k: "objective", "item_id": "draft_plan_objective"},
            keys=DRAFTS,
        ),
        data=_prefixed(
            ("edit-objective-", "draft_plan_objective"),
            lambda w, k: {
                "description": "Sleep 7 hours",
                "target_date": (w.clinic.now + timedelta(days=90)).date().isoformat(),
            },
        ),
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/{plan_id}/sign/{role}/",
        EDITORS,
        on=On({"plan_id": "draft_plan", "role": lambda w, k: "clinician"}, keys=DRAFTS),
        ok=302,
        location=TO_PLAN,
        variant="clinician",
    ),
    Entry(
        "POST",
        "plans/{plan_id}/sign/{role}/",
        WITNESSES,
        on=On({"plan_id": "plan", "role": lambda w, k: "patient"}, keys=SIGNED),
        ok=302,
        location=TO_PLAN,
        variant="patient",
    ),
    Entry(
        "POST",
        "plans/{plan_id}/sign/{role}/",
        PHYSICIANS,
        on=On({"plan_id": "plan", "role": lambda w, k: "physician"}, keys=SIGNED),
        data={"attests_nine_hours": "on"},
        ok=302,
        location=TO_PLAN,
        variant="physician",
    ),
    Entry(
        "POST",
        "plans/{plan_id}/recertify/",
        PHYSICIANS,
        on=ON_SIGNED,
        prepare=sign_as_physician,
        data={"recertify-attests_nine_hours": "on"},
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/{plan_id}/revise/",
        EDITORS,
        on=ON_SIGNED,
        data={"reason": "New goal"},
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/{plan_id}/reviews/",
        EDITORS,
        on=ON_SIGNED,
        data={"outcome": "continue", "note": "On track"},
        ok=302,
        location=TO_PLAN,
    ),
    Entry(
        "POST",
        "plans/objectives/{objective_id}/status/",
        EDITORS,
        on=On({"objective_id": "plan_objective"}, keys=SIGNED),
        data={"status": "in_progress"},
        ok=302,
        location=TO_PLAN,
    ),
]

API = "/api/v1/plans"


OPERATIONS = [
    Entry(
        "GET",
        f"{API}/worklist",
        STAFF,
        api=True,
        note="refused (403) to patients, who have the portal; staff may get an empty list",
    ),
    Entry(
        "GET",
        f"{API}/worklist/physician",
        STAFF,
        api=True,
        note="refused (403) to patients, who have the portal; staff may get an empty list",
    ),
    Entry("GET", f"{API}/{{plan_id}}", READERS | Own(), api=True, on=ON_SIGNED),
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}",
        EDITORS,
        api=True,
        on=On({"episode_id": "episode"}, keys=("RA", "RB")),
        prepare=admit_waiting,
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/problems",
        EDITORS,
        api=True,
        on=ON_DRAFT,
        data={"statement": "Isolation"},
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/problems/{{problem_id}}/goals",
        EDITORS,
        api=True,
        on=On({"problem_id": "draft_plan_problem"}, keys=DRAFTS),
        data=GOAL,
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/goals/{{goal_id}}/objectives",
        EDITORS,
        api=True,
        on=ON_DRAFT_GOAL,
        data=_objective,
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/goals/{{goal_id}}/interventions",
        EDITORS,
        api=True,
        on=ON_DRAFT_GOAL,
        data=lambda world, key: {
            **{k: v for k, v in _intervention(world, key).items() if k != "responsible"},
            "responsible_id": _responsible(world, key),
        },
        ok=201,
    ),
    Entry(
        "DELETE",
        f"{API}/items/{{kind}}/{{item_id}}",
        EDITORS,
        api=True,
        on=On(
            {"kind": lambda w, k: "intervention", "item_id": "draft_plan_intervention"},
            keys=DRAFTS,
        ),
        ok=204,
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/signatures",
        WITNESSES,
        api=True,
        on=ON_SIGNED,
        data={"role": "patient"},
        variant="patient",
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/signatures",
        EDITORS,
        api=True,
        on=On({"plan_id": "draft_plan"}, keys=DRAFTS),
        data={"role": "clinician"},
        variant="clinician",
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/signatures",
        PHYSICIANS,
        api=True,
        on=ON_SIGNED,
        data={"role": "physician", "attests_nine_hours": True},
        variant="physician",
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/recertifications",
        PHYSICIANS,
        api=True,
        on=ON_SIGNED,
        prepare=sign_as_physician,
        data={"attests_nine_hours": True},
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/revisions",
        EDITORS,
        api=True,
        on=ON_SIGNED,
        data={"reason": "New goal"},
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/{{plan_id}}/reviews",
        EDITORS,
        api=True,
        on=ON_SIGNED,
        data={"outcome": "continue", "note": "On track"},
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/objectives/{{objective_id}}/status",
        EDITORS,
        api=True,
        on=On({"objective_id": "plan_objective"}, keys=SIGNED),
        data={"status": "in_progress"},
        ok=201,
    ),
]
