"""The first plan's due date, the physician's worklist, and the words for a plan's signatures."""

from datetime import timedelta

import pytest

from stepwell.clinic.time import program_today
from stepwell.patients.models import EpisodeState
from stepwell.plans import selectors, services
from stepwell.plans.models import ProgramPlanPolicy
from stepwell.plans.selectors import signature_status_of
from stepwell.testing.factories import UserFactory

from .conftest import write_plan


@pytest.mark.parametrize(
    ("locked", "missing", "key", "label"),
    [
        (False, [], "draft", "Draft"),
        (False, ["patient", "physician"], "draft", "Draft"),
        (True, [], "signed", "Signed"),
        (True, ["patient"], "awaiting_patient", "Awaiting patient"),
        (True, ["physician"], "awaiting_physician", "Awaiting physician"),
        (
            True,
            ["patient", "physician"],
            "awaiting_patient_and_physician",
            "Awaiting patient and physician",
        ),
    ],
)
def test_signature_status_words(locked, missing, key, label):
    status = signature_status_of(locked=locked, missing=missing)
    assert (status.key, status.label, status.complete) == (key, label, key == "signed")


def test_signed_only_with_every_required_signature(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    plan = write_plan(clinic)
    assert selectors.plan_signature_status(plan).label == "Draft"
    plan = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    assert selectors.plan_signature_status(plan).label == "Awaiting patient and physician"
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    assert selectors.plan_signature_status(plan).label == "Awaiting patient"
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    assert selectors.plan_signature_status(plan).label == "Signed"


def test_awaiting_physician_after_the_patient_signs(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    plan = write_plan(clinic, sign=True)
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    assert selectors.plan_signature_status(plan).label == "Awaiting physician"


# -- the first plan's due date ----------------------------------------------------------------


def _admitted(clinic, days_ago: int):
    episode = clinic.episode_a
    episode.admitted_on = program_today(clinic.program_a) - timedelta(days=days_ago)
    episode.save()
    return episode


def _first_plan_items(user, today=None):
    return [
        (i.due_on, i.overdue, i.detail)
        for i in selectors.plan_worklist(user=user, today=today)
        if i.kind == "first_plan"
    ]


def test_first_plan_due_seven_days_after_admission_by_default(clinic):
    episode = _admitted(clinic, 3)
    today = program_today(clinic.program_a)
    assert selectors.first_plan_due_on(episode) == episode.admitted_on + timedelta(days=7)
    assert _first_plan_items(clinic.clinician_a, today) == [
        (today + timedelta(days=4), False, "No plan yet")
    ]


def test_first_plan_overdue_with_a_draft(clinic):
    episode = _admitted(clinic, 10)
    today = program_today(clinic.program_a)
    write_plan(clinic)
    assert _first_plan_items(clinic.clinician_a, today) == [
        (episode.admitted_on + timedelta(days=7), True, "Draft v1, not signed")
    ]


def test_first_plan_awaiting_patient_is_still_listed(clinic):
    _admitted(clinic, 10)
    write_plan(clinic, sign=True)
    [(_, overdue, detail)] = _first_plan_items(clinic.clinician_a)
    assert (overdue, detail) == (True, "v1 awaiting patient")


def test_a_fully_signed_first_plan_leaves_the_worklist(clinic):
    _admitted(clinic, 10)
    plan = write_plan(clinic, sign=True)
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    assert _first_plan_items(clinic.clinician_a) == []
    # a later revision waiting for signatures does not bring it back
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=plan.pk, reason="Update")
    services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert _first_plan_items(clinic.clinician_a) == []


def test_first_plan_not_yet_due_within_the_week_is_not_listed(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, first_plan_due_days=14)
    episode = _admitted(clinic, 2)
    today = program_today(clinic.program_a)
    assert selectors.first_plan_due_on(episode) == today + timedelta(days=12)
    assert _first_plan_items(clinic.clinician_a, today) == []
    assert _first_plan_items(clinic.clinician_a, today + timedelta(days=5)) == [
        (today + timedelta(days=12), False, "No plan yet")
    ]


@pytest.mark.parametrize(("days", "admitted_ago", "overdue"), [(1, 2, True), (3, 2, False)])
def test_first_plan_days_are_per_program(clinic, days, admitted_ago, overdue):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, first_plan_due_days=days)
    _admitted(clinic, admitted_ago)
    [(_, late, _)] = _first_plan_items(clinic.clinician_a)
    assert late is overdue


def test_first_plan_worklist_only_for_open_episodes_and_the_care_team(clinic):
    episode = _admitted(clinic, 10)
    assert _first_plan_items(clinic.clinician_b) == []
    assert _first_plan_items(clinic.billing_a) == []
    episode.state = EpisodeState.DISCHARGED
    episode.discharged_on = program_today(clinic.program_a)
    episode.save()
    assert _first_plan_items(clinic.clinician_a) == []


# -- plans waiting for the physician ---------------------------------------------------------


def _awaiting(user):
    return [(i.patient, i.plan) for i in selectors.physician_signature_worklist(user=user)]


def test_physician_worklist_lists_plans_waiting_for_the_physician(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    plan = write_plan(clinic)
    assert _awaiting(clinic.prescriber_a) == []  # a draft is not ready for the physician
    plan = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    assert _awaiting(clinic.prescriber_a) == [(clinic.patient_a, plan)]
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    assert _awaiting(clinic.prescriber_a) == []


def test_physician_worklist_is_empty_for_others(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    write_plan(clinic, sign=True)
    nurse_practitioner = UserFactory(
        roles=["prescriber"], programs=[clinic.program_a], credentials="PMHNP-BC"
    )
    other_program_md = UserFactory(
        roles=["prescriber"], programs=[clinic.program_b], credentials="MD"
    )
    md_clinician = UserFactory(roles=["clinician"], programs=[clinic.program_a], credentials="MD")
    for user in (nurse_practitioner, other_program_md, md_clinician, clinic.clinician_a):
        assert _awaiting(user) == []


def test_plans_not_needing_a_physician_are_not_listed(clinic):
    write_plan(clinic, sign=True)
    assert _awaiting(clinic.prescriber_a) == []
