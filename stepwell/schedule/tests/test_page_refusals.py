"""Pages and API over the gate: refusals come before reading the input, roles count per
program, rule refusals show on the page that asked, and the API declares its errors."""

from __future__ import annotations

from datetime import time

import pytest

from stepwell.accounts.models import Role
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import CalendarFeed, Enrollment, SchedulePlanRun, SessionOccurrence
from stepwell.schedule.planning import services as planning_services
from stepwell.schedule.planning.tasks import plan_run_execute
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory


def _denials():
    return AuditEvent.objects.filter(outcome="denied")


def _monday_group(calendar) -> SessionOccurrence:
    return SessionOccurrence.objects.get(
        series=calendar.process,
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 0)),
    )


def test_a_director_of_another_program_reads_this_week_and_manages_nothing(client, calendar):
    clinic = calendar.clinic
    user = UserFactory(
        username="dir_b_clin_a",
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_b), (Role.CLINICIAN, clinic.program_a)],
    )
    verified_login(client, user)
    week = f"/schedule/{clinic.program_a.pk}/{calendar.week}/"
    page = client.get(week)
    assert page.status_code == 200
    assert 'data-testid="run-optimizer"' not in page.content.decode()
    assert client.get(week + "book/").status_code == 403
    booked = client.post(
        week + "book/",
        {
            "form": "enrol",
            "enrol-patient": clinic.patient_a.pk,
            "enrol-occurrence": _monday_group(calendar).pk,
        },
    )
    assert booked.status_code == 403
    assert client.post(week + "optimize/").status_code == 403
    assert not Enrollment.objects.exists()
    assert not SchedulePlanRun.objects.exists()
    assert _denials().filter(username="dir_b_clin_a").count() == 3


@pytest.mark.parametrize(("who", "status"), [("director_a", 400), ("clinician_a", 403)])
def test_a_bad_week_is_400_for_the_director_and_403_for_anyone_else(client, calendar, who, status):
    clinic = calendar.clinic
    verified_login(client, getattr(clinic, who))
    response = client.post(f"/schedule/{clinic.program_a.pk}/2026-W99/optimize/")
    assert response.status_code == status
    assert not SchedulePlanRun.objects.exists()
    assert _denials().exists() is (status == 403)
    if status == 400:
        assert "week" in response.content.decode()


def test_the_cancel_page_names_its_patients_in_the_audit_trail(client, calendar):
    clinic = calendar.clinic
    occurrence = _monday_group(calendar)
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
    )
    verified_login(client, clinic.director_a)
    page = client.get(f"/schedule/sessions/{occurrence.pk}/cancel/")
    assert "Avery Alder" in page.content.decode()
    event = AuditEvent.objects.get(object_type="occurrence", action="list")
    assert (event.username, event.detail) == ("dir_a", {"patients": [clinic.patient_a.pk]})


def test_cancelling_a_cancelled_session_shows_why_on_the_form(client, calendar):
    clinic = calendar.clinic
    occurrence = _monday_group(calendar)
    calendar_services.occurrence_cancel(
        actor=clinic.director_a, occurrence_id=occurrence.pk, reason="Ice"
    )
    verified_login(client, clinic.director_a)
    again = client.post(f"/schedule/sessions/{occurrence.pk}/cancel/", {"reason": "Snow"})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "The session is already cancelled.",
        "occurrence: Already cancelled.",
    ]


@pytest.mark.parametrize(("who", "status"), [("patient_user_a", 400), ("clinician_b", 403)])
def test_a_feed_button_that_is_not_one(client, calendar, who, status):
    clinic = calendar.clinic
    verified_login(client, getattr(clinic, who))
    response = client.post(f"/schedule/patients/{clinic.patient_a.pk}/feed/", {"action": "hack"})
    assert response.status_code == status
    assert not CalendarFeed.objects.exists()
    assert _denials().count() == (1 if status == 403 else 0)
    if status == 400:
        assert "action" in response.content.decode()


def test_the_feed_buttons_show_and_hide_details(client, calendar):
    clinic = calendar.clinic
    verified_login(client, clinic.patient_user_a)
    url = f"/schedule/patients/{clinic.patient_a.pk}/feed/"
    assert client.post(url, {"action": "create"}).status_code == 302
    client.post(url, {"action": "details", "show_details": "1"})
    assert CalendarFeed.objects.get().show_details is True
    client.post(url, {"action": "details", "show_details": "0"})
    assert CalendarFeed.objects.get().show_details is False
    client.post(url, {"action": "revoke"})
    assert CalendarFeed.objects.get().revoked_at is not None


def test_a_plan_that_cannot_be_booked_says_why_on_the_run_page(client, calendar):
    clinic = calendar.clinic
    run = planning_services.plan_run_start(
        actor=clinic.director_a, program_id=clinic.program_a.pk, week=calendar.week, enqueue=False
    )
    run = plan_run_execute(run, seconds=1)
    first = run.plan["patients"][0]["sessions"][0]
    SessionOccurrence.objects.filter(pk=int(first[1:])).update(capacity=0)
    verified_login(client, clinic.director_a)
    response = client.post(f"/schedule/runs/{run.pk}/accept/", follow=True)
    assert response.redirect_chain[-1][0] == f"/schedule/runs/{run.pk}/"
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        f"The plan was not accepted: Avery Alder (P{clinic.patient_a.pk}): The session is full."
    ]
    assert not Enrollment.objects.exists()


def test_a_patient_without_a_record_is_refused_their_schedule(client, db):
    from stepwell.accounts.models import UserKind

    orphan = UserFactory(username="no_record", kind=UserKind.PATIENT)
    client.force_login(orphan)
    assert client.get("/schedule/").status_code == 403
    assert _denials().get().object_type == "patient_schedule"


def test_every_schedule_operation_declares_its_errors():
    from stepwell.api import api

    schema = api.get_openapi_schema()
    operations = [
        (path, operation)
        for path, methods in schema["paths"].items()
        for operation in methods.values()
        if "schedule" in operation.get("tags", [])
    ]
    assert len(operations) == 4
    for path, operation in operations:
        declared = {str(code) for code in operation["responses"]}
        assert {"400", "401", "403", "404", "422"} <= declared, path


def test_api_a_missing_program_is_refused_like_a_forbidden_one(client, calendar):
    clinic = calendar.clinic
    verified_login(client, clinic.clinician_a)
    for program_id in (clinic.program_b.pk, 987654):
        response = client.get(f"/api/v1/schedule/programs/{program_id}/week/{calendar.week}")
        assert response.status_code == 403
        assert response.json()["detail"] == "Not found, or you do not have access to this record."
    assert _denials().count() == 2
