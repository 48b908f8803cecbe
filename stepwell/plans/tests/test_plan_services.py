from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.plans import selectors, services
from stepwell.plans.models import (
    Objective,
    ObjectiveStatus,
    PlanStatus,
    ProgramPlanPolicy,
    TreatmentPlan,
)
from stepwell.plans.revisions import plan_changes
from stepwell.plans.services import MeasureIn
from stepwell.privacy.models import AuditEvent

from .conftest import write_plan

CHICAGO = ZoneInfo("America/Chicago")


def test_plan_needs_an_admitted_episode(clinic):
    with pytest.raises(ApplicationError) as caught:
        services.plan_create(
            actor=clinic.clinician_a, episode_id=clinic.team_patient_b.episodes.get().pk
        )
    assert caught.value.field_errors == {"episode": "The episode is referred."}


def test_sign_checks_completeness(clinic):
    plan = services.plan_create(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    with pytest.raises(ApplicationError) as caught:
        services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    assert caught.value.field_errors == {"problems": "Add at least one problem."}
    problem = services.problem_add(actor=clinic.clinician_a, plan_id=plan.pk, statement="Anxiety")
    goal = services.goal_add(
        actor=clinic.clinician_a,
        problem_id=problem.pk,
        domain="coping_skills",
        patient_words="Stop panicking at work",
        clinical_wording="Use two coping skills when anxious",
    )
    with pytest.raises(ApplicationError) as caught:
        services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    assert caught.value.field_errors == {
        f"goal_{goal.pk}_objectives": "Goal 1.1 needs at least one objective.",
        f"goal_{goal.pk}_interventions": "Goal 1.1 needs at least one intervention.",
    }


def test_signed_plan_is_immutable(clinic):
    plan = write_plan(clinic, sign=True)
    assert plan.status == PlanStatus.SIGNED
    problem = plan.problems.get()
    goal = problem.goals.get()
    with pytest.raises(ApplicationError):
        services.problem_add(actor=clinic.clinician_a, plan_id=plan.pk, statement="More")
    with pytest.raises(ApplicationError):
        services.goal_add(
            actor=clinic.clinician_a,
            problem_id=problem.pk,
            domain="resilience",
            patient_words="a",
            clinical_wording="b",
        )
    with pytest.raises(ApplicationError):
        services.plan_item_remove(actor=clinic.clinician_a, kind="goal", item_id=goal.pk)
    with pytest.raises(ApplicationError):
        services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    assert plan.problems.count() == 1
    assert problem.goals.count() == 1


def test_revision_is_a_new_version_and_shows_what_changed(clinic):
    signed = write_plan(clinic, sign=True)
    with pytest.raises(ApplicationError) as caught:
        services.plan_revise(actor=clinic.clinician_a, plan_id=signed.pk, reason="")
    assert caught.value.field_errors == {"reason": "Required."}
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=signed.pk, reason="Add sleep")
    assert (draft.version, draft.status, draft.previous_id) == (2, "draft", signed.pk)
    with pytest.raises(ApplicationError):
        services.plan_revise(actor=clinic.clinician_a, plan_id=signed.pk, reason="again")
    old_goal = signed.problems.get().goals.get()
    new_goal = draft.problems.get().goals.get()
    assert old_goal.lineage == new_goal.lineage and old_goal.pk != new_goal.pk
    services.plan_item_remove(
        actor=clinic.clinician_a, kind="intervention", item_id=new_goal.interventions.get().pk
    )
    services.intervention_add(
        actor=clinic.clinician_a,
        goal_id=new_goal.pk,
        modality="individual_therapy",
        minutes_per_session=50,
        sessions_per_week=1,
        duration_weeks=6,
        responsible=clinic.clinician_a,
    )
    problem = services.problem_add(
        actor=clinic.clinician_a, plan_id=draft.pk, statement="Poor sleep"
    )
    changes = plan_changes(signed, draft)
    assert [(c.kind, c.change, c.label) for c in changes] == [
        (
            "intervention",
            "added",
            "Individual therapy, 1 session a week, 50 minutes each, for 6 weeks",
        ),
        ("problem", "added", "Poor sleep"),
        (
            "intervention",
            "removed",
            "Group therapy, 3 sessions a week, 180 minutes each, for 8 weeks",
        ),
    ]
    assert problem.lineage != signed.problems.get().lineage
    # the signed version is untouched
    assert signed.problems.get().goals.get().interventions.get().modality == "group_therapy"
    assert selectors.plan_latest_signed(clinic.episode_a).pk == signed.pk


def test_changed_fields_are_listed(clinic):
    signed = write_plan(clinic, sign=True)
    objective = signed.problems.get().goals.get().objectives.get()
    services.objective_status_record(
        actor=clinic.clinician_a, objective_id=objective.pk, status="in_progress", note="started"
    )
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=signed.pk, reason="Review")
    [change] = plan_changes(signed, draft)
    assert (change.kind, change.change) == ("objective", "changed")
    assert [(f.field, f.before, f.after) for f in change.fields] == [
        ("status", "Not started", "In progress")
    ]


def test_objective_status_on_signed_plan_is_appended(clinic):
    plan = write_plan(clinic, sign=True)
    objective = plan.problems.get().goals.get().objectives.get()
    update = services.objective_status_record(
        actor=clinic.clinician_a, objective_id=objective.pk, status="achieved"
    )
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.NOT_STARTED  # the signed content is unchanged
    assert update.status == "achieved"
    with pytest.raises(ApplicationError):
        services.objective_status_record(
            actor=clinic.clinician_a, objective_id=objective.pk, status="finished"
        )


def test_objective_measure_validation(clinic):
    plan = write_plan(clinic)
    goal = plan.problems.get().goals.get()
    with pytest.raises(ApplicationError) as caught:
        services.objective_add(
            actor=clinic.clinician_a,
            goal_id=goal.pk,
            description="x",
            target_date=program_today(clinic.program_a) - timedelta(days=1),
            measure=MeasureIn(kind="questionnaire_total", instrument="PHQ 9"),
        )
    assert set(caught.value.field_errors) == {
        "instrument",
        "comparison",
        "target_value",
        "target_date",
    }
    with pytest.raises(ApplicationError) as caught:
        services.objective_add(
            actor=clinic.clinician_a,
            goal_id=goal.pk,
            description="Attend",
            target_date=timezone.localdate(),
            measure=MeasureIn(kind="attendance_rate", comparison="at_least", target_value=120),
        )
    assert caught.value.field_errors == {"target_value": "A rate is at most 100 (%)."}
    module = services.objective_add(
        actor=clinic.clinician_a,
        goal_id=goal.pk,
        description="Finish the relapse-prevention module",
        target_date=timezone.localdate() + timedelta(days=30),
        measure=MeasureIn(kind="curriculum_module", module="Relapse prevention 1", target_value=5),
    )
    assert (module.target_value, module.measure_text) == (
        None,
        "complete module “Relapse prevention 1”",
    )


def test_clinic_domain_needs_a_name(clinic):
    plan = write_plan(clinic)
    problem = plan.problems.get()
    with pytest.raises(ApplicationError) as caught:
        services.goal_add(
            actor=clinic.clinician_a,
            problem_id=problem.pk,
            domain="clinic",
            patient_words="a",
            clinical_wording="b",
        )
    assert caught.value.field_errors == {"domain_label": "Required for the clinic's own domain."}
    goal = services.goal_add(
        actor=clinic.clinician_a,
        problem_id=problem.pk,
        domain="clinic",
        domain_label="Vocational",
        patient_words="a",
        clinical_wording="b",
    )
    assert goal.domain_name == "Vocational"


def test_signatures_and_physician_certification(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    plan = write_plan(clinic)
    assert plan.requires_physician_signature is True
    with pytest.raises(ApplicationError):
        services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    plan = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    assert selectors.missing_signatures(plan) == ["patient", "physician"]
    with pytest.raises(ApplicationError):
        services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="in_person")
    signature = services.plan_sign_patient(
        actor=clinic.patient_user_a, plan_id=plan.pk, method="portal"
    )
    assert (signature.signer_name, signature.method) == ("Avery Alder", "portal")
    with pytest.raises(ApplicationError):
        services.plan_sign_patient(actor=clinic.nurse_a, plan_id=plan.pk, method="in_person")
    with pytest.raises(AccessDenied):
        services.plan_sign_physician(
            actor=clinic.clinician_a, plan_id=plan.pk, attests_nine_hours=True
        )
    certification = services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    today = program_today(clinic.program_a)
    assert (certification.kind, certification.certified_on, certification.recertify_by) == (
        "certification",
        today,
        today + timedelta(days=60),
    )
    assert selectors.missing_signatures(plan) == []
    with override_settings(STEPWELL_RECERTIFICATION_DAYS=30):
        again = services.physician_recertify(
            actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
        )
    assert (again.kind, again.recertify_by) == ("recertification", today + timedelta(days=30))


def test_in_person_patient_signature_recorded_by_staff(clinic):
    plan = write_plan(clinic, sign=True)
    signature = services.plan_sign_patient(
        actor=clinic.nurse_a, plan_id=plan.pk, method="in_person", signer_name="Avery Alder"
    )
    assert (signature.signer, signature.method) == (clinic.nurse_a, "in_person")
    with pytest.raises(AccessDenied):
        services.plan_sign_patient(actor=clinic.patient_user_b, plan_id=plan.pk, method="portal")


def test_review_due_dates_and_worklist(clinic):
    plan = write_plan(clinic, sign=True)
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    today = timezone.localdate(plan.signed_at, CHICAGO)  # the program's local date
    assert selectors.plan_review_due_on(plan) == today + timedelta(days=30)
    assert selectors.plan_worklist(user=clinic.clinician_a, today=today) == []
    soon = selectors.plan_worklist(user=clinic.clinician_a, today=today + timedelta(days=25))
    assert [(i.kind, i.due_on, i.overdue) for i in soon] == [
        ("plan_review", today + timedelta(days=30), False)
    ]
    late = selectors.plan_worklist(user=clinic.clinician_a, today=today + timedelta(days=31))
    assert late[0].overdue is True
    assert selectors.plan_worklist(user=clinic.clinician_b, today=today + timedelta(days=31)) == []
    with pytest.raises(ApplicationError) as caught:
        services.plan_review_record(
            actor=clinic.clinician_a, plan_id=plan.pk, outcome="continue", note=""
        )
    assert caught.value.field_errors == {"note": "Summarise the review."}
    services.plan_review_record(
        actor=clinic.clinician_a,
        plan_id=plan.pk,
        outcome="continue",
        note="On track",
        reviewed_on=today,
    )
    assert selectors.plan_review_due_on(plan) == today + timedelta(days=30)


def test_review_cadence_is_configurable(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, review_days=14)
    plan = write_plan(clinic, sign=True)
    assert selectors.plan_review_due_on(plan) == timezone.localdate(
        plan.signed_at, CHICAGO
    ) + timedelta(days=14)


@override_settings(STEPWELL_PLAN_REVIEW_DAYS=45)
def test_review_default_comes_from_settings(clinic):
    plan = write_plan(clinic, sign=True)
    assert plan.review_days == 45


def test_review_that_revises_opens_a_draft(clinic):
    plan = write_plan(clinic, sign=True)
    services.plan_review_record(
        actor=clinic.clinician_a, plan_id=plan.pk, outcome="revise", note="New goal needed"
    )
    draft = selectors.plan_draft(clinic.episode_a)
    assert (draft.version, draft.revision_reason.endswith("New goal needed")) == (2, True)


@pytest.mark.parametrize(
    "who", ["nurse_a", "prescriber_a", "intake_a", "clinician_b", "billing_a", "patient_user_a"]
)
def test_plan_writes_denied_change_nothing(clinic, who):
    plan = write_plan(clinic)
    with pytest.raises(AccessDenied):
        services.problem_add(actor=getattr(clinic, who), plan_id=plan.pk, statement="x")
    with pytest.raises(AccessDenied):
        services.plan_sign_clinician(actor=getattr(clinic, who), plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert plan.problems.count() == 1
    assert (
        AuditEvent.objects.filter(
            object_type="treatment_plan", outcome="denied", patient_id=plan.patient_id
        ).count()
        == 2
    )


def test_superseded_version_takes_no_more_signatures(clinic):
    first = write_plan(clinic, sign=True)
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=first.pk, reason="r")
    services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    with pytest.raises(ApplicationError) as caught:
        services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=first.pk, method="portal")
    assert caught.value.field_errors == {"plan": "Superseded."}
    assert selectors.plan_is_superseded(first) is True
    assert TreatmentPlan.objects.filter(episode=clinic.episode_a).count() == 2
    assert Objective.objects.filter(goal__problem__plan=first).count() == 1
