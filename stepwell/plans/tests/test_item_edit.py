"""Plan items are edited while the plan is a draft, never after signing (issue 12); the
objective's questionnaire is a pick-list and responsible staff are clinical staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.plans import services
from stepwell.plans.forms import ObjectiveForm
from stepwell.plans.models import Goal, Objective, Problem
from stepwell.plans.selectors.pages import program_staff_of
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

from .conftest import write_plan

pytestmark = pytest.mark.django_db


def test_draft_items_are_edited_with_their_history(clinic):
    plan = write_plan(clinic)
    problem = plan.problems.get()
    services.plan_item_update(
        actor=clinic.clinician_a,
        kind="problem",
        item_id=problem.pk,
        data={"statement": "Low mood keeps them from work"},
    )
    assert Problem.objects.get(pk=problem.pk).statement == "Low mood keeps them from work"
    event = AuditEvent.objects.filter(object_type="treatment_plan").order_by("seq").last()
    assert event.detail["fields"] == ["statement"]
    objective = Objective.objects.get(goal__problem=problem)
    with pytest.raises(ApplicationError) as error:
        services.plan_item_update(
            actor=clinic.clinician_a,
            kind="objective",
            item_id=objective.pk,
            data={"target_date": program_today(plan.episode.program) - timedelta(days=1)},
        )
    assert error.value.field_errors == {"target_date": "Cannot be in the past."}


def test_a_signed_plan_is_not_edited(clinic):
    plan = write_plan(clinic, sign=True)
    goal = Goal.objects.get(problem__plan=plan)
    with pytest.raises((ApplicationError, AccessDenied)):
        services.plan_item_update(
            actor=clinic.clinician_a,
            kind="goal",
            item_id=goal.pk,
            data={"patient_words": "Changed after signing"},
        )
    assert Goal.objects.get(pk=goal.pk).patient_words == "I want to feel like myself again"


def test_someone_outside_the_plan_is_refused(clinic):
    plan = write_plan(clinic)
    problem = plan.problems.get()
    with pytest.raises(AccessDenied):
        services.plan_item_update(
            actor=clinic.clinician_b,
            kind="problem",
            item_id=problem.pk,
            data={"statement": "Not theirs"},
        )
    assert Problem.objects.get(pk=problem.pk).statement == "Depressed mood keeps them from work"


def test_the_plan_page_edits_an_objective_and_shows_errors(client, clinic):
    plan = write_plan(clinic)
    objective = Objective.objects.get(goal__problem__plan=plan)
    verified_login(client, clinic.clinician_a)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="edit-objective"' in page
    prefix = f"edit-objective-{objective.pk}"
    new_date = (timezone.localdate() + timedelta(days=50)).isoformat()
    response = client.post(
        f"/plans/items/objective/{objective.pk}/edit/",
        {
            f"{prefix}-description": "PHQ-9 below 10 in seven weeks",
            f"{prefix}-target_date": new_date,
        },
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.description == "PHQ-9 below 10 in seven weeks"
    bad = client.post(
        f"/plans/items/objective/{objective.pk}/edit/",
        {f"{prefix}-description": "", f"{prefix}-target_date": new_date},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400
    assert "Description: This field is required." in bad.content.decode()


def test_the_questionnaire_is_a_pick_list_of_instruments():
    form = ObjectiveForm(
        {
            "description": "x",
            "target_date": "2030-01-01",
            "measure_kind": "questionnaire_total",
            "instrument": "PHQ-9",
        }
    )
    assert not form.is_valid()
    assert "instrument" in form.errors
    labels = dict(form.fields["instrument"].choices)
    assert labels["phq9"].startswith("PHQ-9")


def test_responsible_staff_are_clinical_staff_only(clinic):
    plan = write_plan(clinic)
    biller = UserFactory(roles=["billing"], programs=[clinic.program_a])
    staff = set(program_staff_of(plan))
    assert clinic.clinician_a in staff
    assert biller not in staff
    goal = Goal.objects.get(problem__plan=plan)
    with pytest.raises(ApplicationError) as error:
        services.intervention_add(
            actor=clinic.clinician_a,
            goal_id=goal.pk,
            modality="group_therapy",
            minutes_per_session=180,
            sessions_per_week=3,
            duration_weeks=8,
            responsible=biller,
        )
    assert "responsible" in error.value.field_errors
