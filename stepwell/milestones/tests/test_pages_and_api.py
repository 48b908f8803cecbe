"""The milestone pages and the API, through the client (htmx variants too)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.accounts.models import Role
from stepwell.milestones import services
from stepwell.milestones.models import Milestone, MilestoneSharing
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

from .builders import build_journey

pytestmark = pytest.mark.django_db
JOB = system_actor("milestones-compute")


@pytest.fixture
def journey():
    built = build_journey(portal=True)
    services.milestones_compute(actor=JOB, episode_id=built.episode.pk)
    return built


def test_the_api_lists_the_milestones_in_the_issues_shape(client, journey):
    services.milestone_record(
        actor=journey.clinician,
        patient_id=journey.patient.pk,
        title="Called a friend instead of drinking",
        text="Told the group about it.",
        achieved_on=journey.today,
    )
    verified_login(client, journey.clinician)
    answer = client.get(f"/api/v1/patients/{journey.patient.pk}/milestones")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body[0] == {
        "code": "recorded",
        "title": "Called a friend instead of drinking",
        "achieved_on": journey.today.isoformat(),
        "kind": "recorded",
        "evidence": {
            "recorded_by": journey.clinician.get_full_name(),
            "text": "Told the group about it.",
        },
    }
    response = next(m for m in body if m["code"] == "response:phq9")
    assert response["kind"] == "computed"
    assert response["evidence"]["baseline"] == 18 and response["evidence"]["score"] == 9
    assert set(body[0]) == {"code", "title", "achieved_on", "kind", "evidence"}
    assert AuditEvent.objects.filter(
        action="list", object_type="milestone", patient_id=journey.patient.pk
    ).exists()


def test_the_api_refuses_billing_and_an_unknown_patient_alike(client, journey):
    billing = UserFactory(roles=[Role.BILLING], programs=[journey.program])
    verified_login(client, billing)
    refused = client.get(f"/api/v1/patients/{journey.patient.pk}/milestones")
    missing = client.get("/api/v1/patients/999999/milestones")
    assert refused.status_code == missing.status_code == 403
    assert refused.json() == missing.json()
    assert AuditEvent.objects.filter(outcome="denied", object_type="milestone").count() == 2


def test_the_chart_section_shows_milestones_and_records_one(client, journey):
    verified_login(client, journey.clinician)
    chart = client.get(f"/milestones/patients/{journey.patient.pk}/", HTTP_HX_REQUEST="true")
    assert chart.status_code == 200
    text = chart.content.decode()
    assert "Response on the PHQ-9" in text and "<html" not in text
    assert "Record a milestone" in text
    posted = client.post(
        f"/milestones/patients/{journey.patient.pk}/record/",
        {"title": "Slept through the night", "text": "First time in months.", "achieved_on": ""},
    )
    assert posted.status_code == 400
    assert "This field is required." in posted.content.decode()
    posted = client.post(
        f"/milestones/patients/{journey.patient.pk}/record/",
        {
            "title": "Slept through the night",
            "text": "First time in months.",
            "achieved_on": (journey.today + timedelta(days=2)).isoformat(),
        },
    )
    assert posted.status_code == 400
    assert "The date cannot be in the future." in posted.content.decode()
    assert not Milestone.objects.filter(kind="recorded").exists()
    posted = client.post(
        f"/milestones/patients/{journey.patient.pk}/record/",
        {
            "title": "Slept through the night",
            "text": "First time in months.",
            "achieved_on": journey.today.isoformat(),
        },
    )
    assert posted.status_code == 302
    assert Milestone.objects.get(kind="recorded").title == "Slept through the night"


def test_the_chart_includes_the_section_loader(client, journey):
    verified_login(client, journey.clinician)
    chart = client.get(f"/patients/{journey.patient.pk}/")
    assert f'hx-get="/milestones/patients/{journey.patient.pk}/"' in chart.content.decode()


def test_staff_record_the_patients_answer_and_check_now(client, journey):
    verified_login(client, journey.clinician)
    assert (
        client.post(
            f"/milestones/patients/{journey.patient.pk}/sharing/", {"named_in_group": "maybe"}
        ).status_code
        == 400
    )
    assert not MilestoneSharing.objects.exists()
    client.post(f"/milestones/patients/{journey.patient.pk}/sharing/", {"named_in_group": "yes"})
    assert MilestoneSharing.objects.get().named_in_group is True
    checked = client.post(f"/milestones/patients/{journey.patient.pk}/compute/", follow=True)
    assert "No new milestones since the last check." in checked.content.decode()


def test_the_portal_progress_page_shows_the_patients_own_progress(client, journey):
    client.force_login(journey.patient.user)
    page = client.get("/milestones/mine/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your PHQ-9 went from 18 to 9: a reliable improvement, and at least halved." in text
    assert "4 weeks of attendance without an unexcused absence" in text
    assert "Walk 20 minutes three times a week" in text  # the objective met
    home = client.get("/portal/")
    assert "/milestones/mine/" in home.content.decode()
    saved = client.post("/milestones/mine/sharing/", {"named_in_group": "yes"})
    assert saved.status_code == 302
    assert MilestoneSharing.objects.get(patient=journey.patient).named_in_group is True
    bad = client.post("/milestones/mine/sharing/", {})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()


def test_staff_have_no_portal_progress_page(client, journey):
    verified_login(client, journey.clinician)
    assert client.get("/milestones/mine/").status_code == 403


def test_the_roster_shows_this_weeks_milestones_of_those_who_said_yes(client, journey):
    other = build_journey(weeks=1)
    occurrence = journey.occurrences[-1]
    # a second participant in the same session, who did not say yes
    occurrence.attendance.create(
        patient=other.patient,
        status="present",
        session_starts_at=occurrence.starts_at,
        session_ends_at=occurrence.ends_at,
    )
    this_monday = journey.today - timedelta(days=journey.today.weekday())
    for patient in (journey.patient, other.patient):
        Milestone.objects.create(
            patient=patient,
            episode=patient.episodes.get(),
            kind="recorded",
            code="recorded",
            title=f"Spoke up in group ({patient.pk})",
            achieved_on=this_monday,
        )
    MilestoneSharing.objects.create(
        patient=journey.patient, named_in_group=True, updated_by=journey.clinician
    )
    verified_login(client, journey.facilitator)
    page = client.get(f"/milestones/sessions/{occurrence.pk}/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Spoke up in group ({journey.patient.pk})" in text
    assert f"Spoke up in group ({other.patient.pk})" not in text
    assert "4 weeks of attendance" not in text  # earned in an earlier week
    # someone who does not keep the roster is refused
    verified_login(client, journey.clinician)
    assert client.get(f"/milestones/sessions/{occurrence.pk}/").status_code == 403
