"""The plan page, chart, worklist and API show who still has to sign, and the physician's
certification asks for the credential and the 9-hour attestation."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from stepwell.clinic.time import program_today
from stepwell.plans import services
from stepwell.plans.models import PhysicianCertification, ProgramPlanPolicy
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

from .conftest import write_plan


def _physician_plan(clinic):
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    return write_plan(clinic, sign=True)


def _status(html: str) -> str:
    start = html.index('data-testid="plan-status">') + len('data-testid="plan-status">')
    return html[start : html.index("</span>", start)]


def test_header_and_chart_say_signed_only_when_complete(client, clinic):
    plan = _physician_plan(clinic)
    verified_login(client, clinic.clinician_a)
    assert _status(client.get(f"/plans/{plan.pk}/").content.decode()) == (
        "Awaiting patient and physician"
    )
    chart = client.get(f"/plans/patients/{clinic.patient_a.pk}/").content.decode()
    assert '<span data-testid="chart-plan-status">awaiting patient and physician</span>' in chart
    services.plan_sign_patient(actor=clinic.patient_user_a, plan_id=plan.pk, method="portal")
    assert _status(client.get(f"/plans/{plan.pk}/").content.decode()) == "Awaiting physician"
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plan.pk, attests_nine_hours=True
    )
    assert _status(client.get(f"/plans/{plan.pk}/").content.decode()) == "Signed"
    chart = client.get(f"/plans/patients/{clinic.patient_a.pk}/").content.decode()
    assert '<span data-testid="chart-plan-status">signed</span>' in chart


def test_physician_signs_with_the_attestation(client, clinic):
    plan = _physician_plan(clinic)
    verified_login(client, clinic.prescriber_a)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="sign-physician"' in html
    assert "needs intensive outpatient services for at least 9 hours a week" in html
    refused = client.post(f"/plans/{plan.pk}/sign/physician/", {})
    assert refused.status_code == 400
    assert 'data-testid="error-attests_nine_hours"' in refused.content.decode()
    assert not PhysicianCertification.objects.exists()
    signed = client.post(f"/plans/{plan.pk}/sign/physician/", {"attests_nine_hours": "on"})
    assert signed.status_code == 302
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="certification-statement"' in html
    assert 'data-testid="recertify-form"' in html
    refused = client.post(f"/plans/{plan.pk}/recertify/", {})
    assert refused.status_code == 400
    assert PhysicianCertification.objects.count() == 1
    client.post(f"/plans/{plan.pk}/recertify/", {"recertify-attests_nine_hours": "on"})
    assert PhysicianCertification.objects.latest("pk").kind == "recertification"


def test_nurse_practitioner_sees_why_and_is_refused(client, clinic):
    plan = _physician_plan(clinic)
    practitioner = UserFactory(roles=["prescriber"], programs=[clinic.program_a], credentials="NP")
    verified_login(client, practitioner)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="sign-physician"' not in html
    assert "Your credential (NP) is not a physician&#x27;s." in html
    response = client.post(f"/plans/{plan.pk}/sign/physician/", {"attests_nine_hours": "on"})
    assert response.status_code == 400
    assert "Medicare certification needs a physician (MD or DO)" in response.content.decode()
    assert not plan.signatures.filter(role="physician").exists()


def test_worklist_page_lists_first_plans_and_plans_for_the_physician(client, clinic):
    episode = clinic.episode_a
    episode.admitted_on = program_today(clinic.program_a) - timedelta(days=9)
    episode.save()
    verified_login(client, clinic.clinician_a)
    html = client.get("/plans/worklist/").content.decode()
    assert 'data-testid="worklist-first_plan"' in html
    assert "No plan yet" in html and "overdue" in html
    assert 'data-testid="physician-worklist"' not in html
    plan = _physician_plan(clinic)
    client.logout()
    verified_login(client, clinic.prescriber_a)
    html = client.get("/plans/worklist/").content.decode()
    assert "v1 awaiting patient and physician" in html
    physician_table = html[html.index('data-testid="physician-worklist"') :]
    assert f'href="/plans/{plan.pk}/"' in physician_table
    assert "v1: sign and certify" in physician_table


def test_api_shows_status_worklists_and_certification(client, clinic):
    plan = _physician_plan(clinic)
    episode = clinic.episode_a
    episode.admitted_on = program_today(clinic.program_a) - timedelta(days=9)
    episode.save()
    verified_login(client, clinic.prescriber_a)
    body = client.get(f"/api/v1/plans/{plan.pk}").json()
    assert (body["signature_status"], body["missing_signatures"]) == (
        "awaiting_patient_and_physician",
        ["patient", "physician"],
    )
    [first] = [i for i in client.get("/api/v1/plans/worklist").json() if i["kind"] == "first_plan"]
    assert (first["plan_id"], first["overdue"], first["detail"]) == (
        plan.pk,
        True,
        "v1 awaiting patient and physician",
    )
    assert client.get("/api/v1/plans/worklist/physician").json() == [
        {
            "patient_id": clinic.patient_a.pk,
            "episode_id": episode.pk,
            "plan_id": plan.pk,
            "waiting_since": plan.signed_at.astimezone(ZoneInfo("America/Chicago"))
            .date()
            .isoformat(),
        }
    ]
    refused = client.post(
        f"/api/v1/plans/{plan.pk}/signatures",
        {"role": "physician"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "attests_nine_hours": "Confirm that the patient needs at least 9 hours a week."
    }
    signed = client.post(
        f"/api/v1/plans/{plan.pk}/signatures",
        {"role": "physician", "attests_nine_hours": True},
        content_type="application/json",
    ).json()
    assert signed["signature_status"] == "awaiting_patient"
    assert signed["certification"]["statement_version"] == "stepwell-iop-certification-2027.1"
    assert signed["certification"]["physician_credentials"] == "MD"
    recertified = client.post(
        f"/api/v1/plans/{plan.pk}/recertifications",
        {"attests_nine_hours": True},
        content_type="application/json",
    )
    assert recertified.json()["certification"]["kind"] == "recertification"


def test_api_refuses_a_nurse_practitioner_with_the_reason(client, clinic):
    plan = _physician_plan(clinic)
    verified_login(
        client,
        UserFactory(roles=["prescriber"], programs=[clinic.program_a], credentials="PMHNP"),
    )
    response = client.post(
        f"/api/v1/plans/{plan.pk}/signatures",
        {"role": "physician", "attests_nine_hours": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Your credential (PMHNP) is not a physician's.")
    assert client.get("/api/v1/plans/worklist/physician").json() == []
