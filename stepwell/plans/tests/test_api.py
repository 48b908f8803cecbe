from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.plans.models import TreatmentPlan
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import write_plan


def test_plan_over_the_api(client, clinic):
    verified_login(client, clinic.clinician_a)
    created = client.post(f"/api/v1/plans/episodes/{clinic.episode_a.pk}")
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    problem = client.post(
        f"/api/v1/plans/{plan_id}/problems",
        {"statement": "Low mood"},
        content_type="application/json",
    ).json()["id"]
    goal = client.post(
        f"/api/v1/plans/problems/{problem}/goals",
        {
            "domain": "mental_health",
            "patient_words": "Feel better",
            "clinical_wording": "Reduce PHQ-9",
        },
        content_type="application/json",
    ).json()["id"]
    target = (timezone.localdate() + timedelta(days=30)).isoformat()
    objective = client.post(
        f"/api/v1/plans/goals/{goal}/objectives",
        {
            "description": "PHQ-9 below 10",
            "target_date": target,
            "measure_kind": "questionnaire_total",
            "instrument": "phq9",
            "comparison": "below",
            "target_value": 10,
        },
        content_type="application/json",
    )
    assert objective.status_code == 201
    early = client.post(
        f"/api/v1/plans/{plan_id}/signatures",
        {"role": "clinician"},
        content_type="application/json",
    )
    assert early.status_code == 400
    assert early.json()["errors"] == {
        f"goal_{goal}_interventions": "Goal 1.1 needs at least one intervention."
    }
    client.post(
        f"/api/v1/plans/goals/{goal}/interventions",
        {
            "modality": "group_therapy",
            "minutes_per_session": 180,
            "sessions_per_week": 3,
            "duration_weeks": 8,
            "responsible_id": clinic.clinician_a.pk,
        },
        content_type="application/json",
    )
    signed = client.post(
        f"/api/v1/plans/{plan_id}/signatures",
        {"role": "clinician"},
        content_type="application/json",
    )
    body = signed.json()
    assert (body["status"], body["missing_signatures"]) == ("signed", ["patient"])
    assert body["problems"][0]["goals"][0]["objectives"][0]["measure"] == "PHQ-9 total below 10"


@pytest.mark.parametrize("who", ["clinician_b", "billing_a", "intake_a", "patient_user_b"])
def test_plan_api_denied(client, clinic, who):
    plan = write_plan(clinic, sign=True)
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/api/v1/plans/{plan.pk}")
    assert response.status_code == 403
    assert "Avery" not in response.content.decode()
    revise = client.post(
        f"/api/v1/plans/{plan.pk}/revisions", {"reason": "x"}, content_type="application/json"
    )
    assert revise.status_code == 403
    assert TreatmentPlan.objects.count() == 1
    assert AuditEvent.objects.filter(outcome="denied", patient_id=plan.patient_id).count() == 2


def test_every_plans_operation_declares_its_error_answers():
    from stepwell.api import api

    schema = api.get_openapi_schema()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/plans/")
        for method, operation in methods.items()
    ]
    assert len(operations) == 14
    for path, method, operation in operations:
        declared = {str(code) for code in operation["responses"]}
        assert {"400", "401", "403", "404", "422"} <= declared, (method, path)
        assert "treatment plans" in operation["tags"]


def test_api_refusal_is_audited_once_and_changes_nothing(client, clinic):
    """A nurse of program A who is a clinician in program B adds nothing to A's plan."""
    from stepwell.accounts.models import Role
    from stepwell.testing.factories import UserFactory

    plan = write_plan(clinic)
    verified_login(
        client,
        UserFactory(grants=[(Role.NURSE, clinic.program_a), (Role.CLINICIAN, clinic.program_b)]),
    )
    assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 200
    response = client.post(
        f"/api/v1/plans/{plan.pk}/problems", {"statement": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    from stepwell.api import NOT_AVAILABLE

    assert response.json()["detail"] == NOT_AVAILABLE
    assert "Avery" not in response.content.decode()
    assert plan.problems.count() == 1
    assert (
        AuditEvent.objects.filter(
            outcome="denied", object_type="treatment_plan", patient_id=plan.patient_id
        ).count()
        == 1
    )
