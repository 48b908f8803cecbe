from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from stepwell.plans import selectors, services
from stepwell.plans.models import TreatmentPlan
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import write_plan


def test_chart_shows_plan_section_and_start_button(client, clinic):
    verified_login(client, clinic.clinician_a)
    section_url = f"/plans/patients/{clinic.patient_a.pk}/"
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert f'hx-get="{section_url}"' in chart  # the chart loads the section
    html = client.get(section_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert 'data-testid="chart-intake-plans"' in html
    assert 'data-testid="start-plan"' in html
    assert AuditEvent.objects.filter(
        object_type="plan_chart_section", outcome="allowed", patient_id=clinic.patient_a.pk
    ).exists()
    response = client.post(f"/plans/episodes/{clinic.episode_a.pk}/")
    plan = TreatmentPlan.objects.get()
    assert response.url == f"/plans/{plan.pk}/"


def test_editor_adds_items_with_htmx_and_shows_field_errors(client, clinic):
    plan = services.plan_create(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    verified_login(client, clinic.clinician_a)
    bad = client.post(f"/plans/{plan.pk}/problems/", {"p-statement": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert bad.content.decode().lstrip().startswith('<div id="plan-editor">')
    assert 'data-testid="error-statement"' in bad.content.decode()
    ok = client.post(
        f"/plans/{plan.pk}/problems/", {"p-statement": "Panic at work"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200
    assert "Panic at work" in ok.content.decode()
    problem = plan.problems.get()
    goal = client.post(
        f"/plans/problems/{problem.pk}/goals/",
        {
            f"g{problem.pk}-domain": "coping_skills",
            f"g{problem.pk}-patient_words": "Stay at my desk",
            f"g{problem.pk}-clinical_wording": "Use grounding skills",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Stay at my desk" in goal.content.decode()
    goal_id = problem.goals.get().pk
    objective = client.post(
        f"/plans/goals/{goal_id}/objectives/",
        {
            f"o{goal_id}-description": "GAD-7 below 10",
            f"o{goal_id}-target_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            f"o{goal_id}-measure_kind": "questionnaire_total",
            f"o{goal_id}-instrument": "gad7",
        },
        HTTP_HX_REQUEST="true",
    )
    assert objective.status_code == 400
    html = objective.content.decode()
    assert "Choose below or at least." in html
    assert "Give the target value." in html


def test_signed_plan_page_signatures_and_revision_diff(client, clinic):
    plan = write_plan(clinic, sign=True)
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="problem-form"' not in html
    assert "Still needed: patient." in html
    due = selectors.plan_review_due_on(plan)
    assert due == timezone.localdate(plan.signed_at, ZoneInfo("America/Chicago")) + timedelta(
        days=30
    )
    assert f'data-testid="review-due">{due:%Y-%m-%d}<' in html
    response = client.post(f"/plans/{plan.pk}/revise/", {"reason": "Add sleep goal"})
    draft = TreatmentPlan.objects.get(version=2)
    assert response.url == f"/plans/{draft.pk}/"
    client.post(f"/plans/{draft.pk}/problems/", {"p-statement": "Poor sleep"})
    html = client.get(f"/plans/{draft.pk}/").content.decode()
    assert "What changed since v1" in html
    assert "<strong>added</strong> problem: Poor sleep" in html


def test_patient_signs_own_plan_on_portal(client, clinic):
    plan = write_plan(clinic, sign=True)
    verified_login(client, clinic.patient_user_a)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Sign my plan" in html
    response = client.post(f"/plans/{plan.pk}/sign/patient/")
    assert response.status_code == 302
    assert plan.signatures.get(role="patient").method == "portal"


def test_patient_cannot_see_draft(client, clinic):
    plan = write_plan(clinic)
    verified_login(client, clinic.patient_user_a)
    assert client.get(f"/plans/{plan.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["clinician_b", "billing_a", "admin", "intake_a", "patient_user_b"])
def test_plan_hidden_and_unchanged_for_others(client, clinic, who):
    plan = write_plan(clinic, sign=True)
    verified_login(client, getattr(clinic, who))
    page = client.get(f"/plans/{plan.pk}/")
    assert page.status_code == 403
    assert "Avery" not in page.content.decode()
    sign = client.post(f"/plans/{plan.pk}/sign/patient/")
    assert sign.status_code == 403
    assert not plan.signatures.filter(role="patient").exists()
    assert (
        AuditEvent.objects.filter(
            object_type="treatment_plan", outcome="denied", patient_id=plan.patient_id
        ).count()
        == 2
    )


def test_worklist_lists_due_reviews(client, clinic):
    plan = write_plan(clinic, sign=True)
    TreatmentPlan.objects.filter(pk=plan.pk).update(signed_at=timezone.now() - timedelta(days=29))
    verified_login(client, clinic.clinician_a)
    html = client.get("/plans/worklist/").content.decode()
    assert "Avery Alder" in html
    assert "Plan review (v1)" in html


# -- the chart's intake-and-plans section ------------------------------------------------


def test_chart_section_without_javascript_is_a_page(client, clinic):
    plan = write_plan(clinic, sign=True)
    verified_login(client, clinic.nurse_a)
    html = client.get(f"/plans/patients/{clinic.patient_a.pk}/").content.decode()
    assert "<html" in html
    assert f'href="/plans/{plan.pk}/"' in html
    assert 'data-testid="start-plan"' not in html  # a nurse reads plans, writes none


def test_chart_section_for_intake_shows_intake_but_no_plans(client, clinic):
    plan = write_plan(clinic, sign=True)
    verified_login(client, clinic.intake_a)
    html = client.get(
        f"/plans/patients/{clinic.patient_a.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Intake assessment" in html
    assert f"/plans/{plan.pk}/" not in html
    assert "chart-plan-status" not in html


@pytest.mark.parametrize("who", ["patient_user_a", "billing_a", "clinician_b", "admin"])
def test_chart_section_refused(client, clinic, who):
    write_plan(clinic, sign=True)
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/plans/patients/{clinic.patient_a.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "Avery" not in response.content.decode()
    assert "Treatment plan" not in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            object_type="plan_chart_section", outcome="denied", patient_id=clinic.patient_a.pk
        ).count()
        == 1
    )


# -- roles per program on the pages ------------------------------------------------------


def test_a_nurse_here_who_is_a_clinician_elsewhere_cannot_edit_here(client, clinic):
    """Roles are per program: clinician in B does not make a nurse of A an editor in A."""
    from stepwell.accounts.models import Role
    from stepwell.testing.factories import UserFactory

    plan = write_plan(clinic)
    nurse = UserFactory(grants=[(Role.NURSE, clinic.program_a), (Role.CLINICIAN, clinic.program_b)])
    verified_login(client, nurse)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Depressed mood" in page  # reads the plan
    assert 'data-testid="problem-form"' not in page
    assert 'data-testid="sign-clinician"' not in page
    response = client.post(f"/plans/{plan.pk}/problems/", {"p-statement": "Poor sleep"})
    assert response.status_code == 403
    signed = client.post(f"/plans/{plan.pk}/sign/clinician/")
    assert signed.status_code == 403
    plan.refresh_from_db()
    assert (plan.status, plan.problems.count()) == ("draft", 1)
    assert (
        AuditEvent.objects.filter(
            object_type="treatment_plan", outcome="denied", patient_id=plan.patient_id
        ).count()
        == 2
    )


def test_incomplete_plan_shows_why_on_the_page(client, clinic):
    plan = services.plan_create(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/plans/{plan.pk}/sign/clinician/")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="action-errors"' in html
    assert "Add at least one problem." in html
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_bad_item_kind_is_refused(client, clinic):
    write_plan(clinic)
    verified_login(client, clinic.clinician_a)
    response = client.post("/plans/items/signature/1/remove/")
    assert response.status_code == 403
