"""Signed plan versions are locked in the database itself (privacy/signed_records.py): the
version, its problems, their diagnoses, goals, objectives and interventions refuse every
change, and signatures, certifications, reviews and objective status updates are
append-only. What the services write after signing (patient and physician signatures,
recertification, objective progress, reviews, a revision) still works; drafts stay
editable. Runs on SQLite and, in make test's second pass, PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from stepwell.intake import services as intake_services
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.plans import selectors, services
from stepwell.plans.models import (
    Goal,
    Intervention,
    Objective,
    ObjectiveStatusUpdate,
    PhysicianCertification,
    PlanReview,
    PlanSignature,
    Problem,
    TreatmentPlan,
)
from stepwell.privacy.signed_records import (
    install_signed_record_triggers,
    signed_records_unlocked,
)
from stepwell.privacy.tests.signed import assert_every_table_refuses_raw_writes, refused

from .conftest import write_plan


@pytest.fixture(autouse=True)
def plan_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_signed_record_triggers(connection, "plans")


@dataclass
class Signed:
    plan: TreatmentPlan
    problem: Problem
    goal: Goal
    objective: Objective
    intervention: Intervention


@pytest.fixture
def signed(clinic) -> Signed:
    """Signed by clinician, patient and physician, recertified, with progress and a
    review: all through the services, with the triggers on."""
    plan = write_plan(clinic, sign=True)
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    services.physician_recertify(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    problem = plan.problems.get()
    goal = problem.goals.get()
    objective = goal.objectives.get()
    services.objective_status_record(
        actor=clinic.clinician_a, objective_id=objective.pk, status="in_progress", note="Started"
    )
    services.plan_review_record(
        actor=clinic.clinician_a, plan_id=plan.pk, outcome="continue", note="On track"
    )
    return Signed(plan, problem, goal, objective, goal.interventions.get())


def test_the_services_still_write_everything_that_follows_signing(signed):
    assert sorted(signed.plan.signatures.values_list("role", flat=True)) == [
        "clinician",
        "patient",
        "physician",
    ]
    assert list(signed.plan.certifications.values_list("kind", flat=True)) == [
        "certification",
        "recertification",
    ]
    assert ObjectiveStatusUpdate.objects.get().status == "in_progress"
    assert PlanReview.objects.get().outcome == "continue"
    signed.objective.refresh_from_db()
    assert signed.objective.status == "not_started"  # what was signed


def test_raw_sql_cannot_update_or_delete_a_locked_row_of_any_plans_table(signed):
    assert_every_table_refuses_raw_writes(
        "plans",
        {
            "plans_treatmentplan": signed.plan.pk,
            "plans_problem": signed.problem.pk,
            "plans_problem_diagnoses": Problem.diagnoses.through.objects.get(
                problem=signed.problem
            ).pk,
            "plans_goal": signed.goal.pk,
            "plans_objective": signed.objective.pk,
            "plans_intervention": signed.intervention.pk,
            "plans_plansignature": signed.plan.signatures.get(role="physician").pk,
            "plans_physiciancertification": signed.plan.certifications.first().pk,
            "plans_planreview": PlanReview.objects.get().pk,
            "plans_objectivestatusupdate": ObjectiveStatusUpdate.objects.get().pk,
        },
    )


def test_queryset_update_and_delete_of_a_signed_version_are_refused(signed):
    plans = TreatmentPlan.objects.filter(pk=signed.plan.pk)
    refused("plans_treatmentplan", lambda: plans.update(review_days=90))
    refused("plans_treatmentplan", lambda: plans.update(status="draft", signed_at=None))
    refused("plans_problem", lambda: Problem.objects.update(statement="Rewritten"))
    refused("plans_goal", lambda: Goal.objects.update(patient_words="Rewritten"))
    refused("plans_objective", lambda: Objective.objects.update(status="achieved"))
    refused("plans_intervention", lambda: Intervention.objects.update(sessions_per_week=5))
    refused("plans_intervention", Intervention.objects.all().delete)
    refused("plans_problem_diagnoses", signed.problem.diagnoses.clear)
    refused("plans_plansignature", lambda: PlanSignature.objects.update(signed_at=timezone.now()))
    refused("plans_physiciancertification", PhysicianCertification.objects.all().delete)
    refused("plans_planreview", lambda: PlanReview.objects.update(note="Rewritten"))
    refused("plans_objectivestatusupdate", ObjectiveStatusUpdate.objects.all().delete)
    plan = TreatmentPlan.objects.get(pk=signed.plan.pk)
    assert (plan.status, plan.review_days) == ("signed", signed.plan.review_days)
    assert Intervention.objects.get().sessions_per_week == 3
    assert signed.problem.diagnoses.count() == 1
    assert PhysicianCertification.objects.count() == 2


def test_nothing_is_added_to_or_moved_into_a_signed_version(clinic, signed):
    refused(
        "plans_problem",
        lambda: Problem.objects.create(plan=signed.plan, statement="Added after signing"),
    )
    refused(
        "plans_goal",
        lambda: Goal.objects.create(
            problem=signed.problem, domain="resilience", patient_words="x", clinical_wording="y"
        ),
    )
    refused(
        "plans_objective",
        lambda: Objective.objects.create(
            goal=signed.goal, description="Added", target_date=timezone.localdate()
        ),
    )
    refused(
        "plans_intervention",
        lambda: Intervention.objects.create(
            goal=signed.goal,
            modality="individual_therapy",
            minutes_per_session=50,
            sessions_per_week=1,
            duration_weeks=4,
            responsible=clinic.clinician_a,
        ),
    )
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=signed.plan.pk, reason="New")
    copied = draft.problems.get()
    refused("plans_problem", lambda: Problem.objects.filter(pk=copied.pk).update(plan=signed.plan))
    other = intake_services.assessment_diagnosis_add(
        actor=clinic.clinician_a,
        assessment_id=AssessmentDiagnosis.objects.get().assessment_id,
        code="F41.1",
    )
    refused("plans_problem_diagnoses", lambda: signed.problem.diagnoses.add(other))
    assert signed.plan.problems.count() == 1


def test_a_diagnosis_a_signed_problem_cites_cannot_be_deleted_from_under_it(signed):
    """The assessment this plan cites is still a draft; the plan's link keeps its diagnosis."""
    diagnosis = signed.problem.diagnoses.get()
    refused("plans_problem_diagnoses", AssessmentDiagnosis.objects.filter(pk=diagnosis.pk).delete)
    assert AssessmentDiagnosis.objects.filter(pk=diagnosis.pk).exists()


def test_a_revision_is_a_draft_that_stays_editable_and_can_be_signed(clinic, signed):
    services.plan_review_record(
        actor=clinic.clinician_a, plan_id=signed.plan.pk, outcome="revise", note="New goal"
    )
    draft = selectors.plan_draft(clinic.episode_a)
    goal = draft.problems.get().goals.get()
    objective = goal.objectives.get()
    assert objective.status == "in_progress"  # the appended progress, carried over
    services.objective_status_record(
        actor=clinic.clinician_a, objective_id=objective.pk, status="achieved"
    )
    assert Goal.objects.filter(pk=goal.pk).update(patient_words="In my words") == 1
    services.objective_add(
        actor=clinic.clinician_a,
        goal_id=goal.pk,
        description="Walk three times a week",
        target_date=timezone.localdate() + timedelta(days=28),
    )
    services.plan_item_remove(actor=clinic.clinician_a, kind="objective", item_id=objective.pk)
    assert [o.description for o in goal.objectives.all()] == ["Walk three times a week"]
    services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert TreatmentPlan.objects.get(pk=draft.pk).status == "signed"
    first = Objective.objects.get(pk=signed.objective.pk)
    assert (first.status, first.description) == ("not_started", signed.objective.description)


def test_the_demo_lifts_the_lock_only_inside_its_block(signed):
    moment = signed.plan.signed_at - timedelta(days=20)
    with signed_records_unlocked(connection, "plans"):
        TreatmentPlan.objects.filter(pk=signed.plan.pk).update(signed_at=moment)
        PlanSignature.objects.update(signed_at=moment)
    assert TreatmentPlan.objects.get(pk=signed.plan.pk).signed_at == moment
    refused(
        "plans_treatmentplan",
        lambda: TreatmentPlan.objects.filter(pk=signed.plan.pk).update(signed_at=None),
    )


def test_an_error_inside_the_lifted_block_puts_the_lock_back(signed):
    def failing_seed():
        with signed_records_unlocked(connection, "plans"):
            TreatmentPlan.objects.filter(pk=signed.plan.pk).update(review_days=1)
            raise RuntimeError("seeding failed")

    with pytest.raises(RuntimeError):
        failing_seed()
    assert TreatmentPlan.objects.get(pk=signed.plan.pk).review_days == signed.plan.review_days
    refused(
        "plans_treatmentplan",
        lambda: TreatmentPlan.objects.filter(pk=signed.plan.pk).update(review_days=1),
    )


@pytest.mark.parametrize("kind", ["goal", "objective", "intervention"])
def test_removing_an_item_of_a_signed_plan_is_a_rule_refusal_not_the_triggers_500(
    client, clinic, signed, kind
):
    """The service refuses (400, naming the plan) before any DELETE reaches the trigger."""
    from stepwell.testing.auth import verified_login

    item = getattr(signed, kind)
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/plans/items/{kind}/{item.pk}/remove/")
    assert response.status_code == 400
    assert "signed and cannot be changed" in response.content.decode()
    assert type(item).objects.filter(pk=item.pk).exists()
