"""Pages and API: a role matrix per endpoint that touches a patient (denied requests change
nothing, show nothing of the record and are audited), the htmx partials, booking errors."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.test import override_settings

from stepwell.privacy.models import AuditEvent
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import (
    Appointment,
    CalendarFeed,
    Enrollment,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
)
from stepwell.schedule.planning.tasks import plan_run_execute
from stepwell.testing.auth import verified_login

NAME = "Avery Alder"
READERS = ["clinician_a", "prescriber_a", "nurse_a", "intake_a", "director_a"]
OUTSIDERS = ["clinician_b", "billing_a", "admin", "patient_user_b"]


def _monday_group(calendar) -> SessionOccurrence:
    return SessionOccurrence.objects.get(
        series=calendar.process,
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 0)),
    )


@pytest.fixture
def booked(calendar):
    clinic = calendar.clinic
    booking_services.enrollment_book(
        actor=clinic.director_a,
        occurrence_id=_monday_group(calendar).pk,
        patient_id=clinic.patient_a.pk,
    )
    booking_services.appointment_book(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        staff_id=clinic.prescriber_a.pk,
        program_id=clinic.program_a.pk,
        kind="medication",
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(12, 0)),
        minutes=30,
    )
    return calendar


def _denied_audited(object_type: str) -> bool:
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type).exists()


@pytest.mark.parametrize("who", READERS + OUTSIDERS + ["patient_user_a"])
def test_program_week_matrix(client, booked, who):
    clinic = booked.clinic
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/schedule/{clinic.program_a.pk}/{booked.week}/")
    html = response.content.decode()
    if who in READERS:
        assert response.status_code == 200
        assert NAME in html
        assert "Process group" in html
        assert ("Run optimizer" in html) is (who == "director_a")
        event = AuditEvent.objects.get(object_type="program_week", outcome="allowed")
        assert event.detail["patients"] == [clinic.patient_a.pk]
    else:
        assert response.status_code == 403
        assert NAME not in html
        assert _denied_audited("program_week")


@pytest.mark.parametrize("by", ["day", "room", "staff"])
def test_program_week_views_and_htmx_partial(client, booked, by):
    clinic = booked.clinic
    verified_login(client, clinic.clinician_a)
    url = f"/schedule/{clinic.program_a.pk}/{booked.week}/?by={by}"
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith(
        f'\n<div id="week-grid" data-view="{by}">'
    ) or partial.lstrip().startswith(f'<div id="week-grid" data-view="{by}">')
    assert "<html" not in partial
    assert NAME in partial
    heading = {"day": "Monday", "room": "Group Room A", "staff": str(clinic.clinician_a)}[by]
    assert heading in partial


def test_program_week_defaults_to_this_week_with_neighbours(client, booked):
    from stepwell.schedule.calendar.selectors import week_default, week_neighbours

    clinic = booked.clinic
    verified_login(client, clinic.clinician_a)
    response = client.get(f"/schedule/{clinic.program_a.pk}/")
    this_week = week_default(clinic.program_a)
    assert response.url == f"/schedule/{clinic.program_a.pk}/{this_week}/"
    html = client.get(response.url).content.decode()
    previous_week, next_week = week_neighbours(this_week)
    assert f"/schedule/{clinic.program_a.pk}/{previous_week}/?by=day" in html
    assert f"/schedule/{clinic.program_a.pk}/{next_week}/?by=day" in html
    assert client.get(f"/schedule/{clinic.program_a.pk}/2026-W99/").status_code == 400


def test_director_can_plan_next_week_from_this_week(client, booked):
    from stepwell.schedule.calendar.selectors import week_default, week_neighbours

    clinic = booked.clinic
    verified_login(client, clinic.director_a)
    this_week = week_default(clinic.program_a)
    _, next_week = week_neighbours(this_week)
    html = client.get(f"/schedule/{clinic.program_a.pk}/{this_week}/").content.decode()
    assert f'action="/schedule/{clinic.program_a.pk}/{next_week}/optimize/"' in html
    assert f"Plan next week ({next_week})" in html
    later = client.get(f"/schedule/{clinic.program_a.pk}/{next_week}/").content.decode()
    assert "Plan next week" not in later


@pytest.mark.parametrize(
    "who", ["patient_user_a", "clinician_a", "director_a", "nurse_a", *OUTSIDERS]
)
def test_patient_week_matrix(client, booked, who):
    clinic = booked.clinic
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/schedule/patients/{clinic.patient_a.pk}/{booked.week}/")
    html = response.content.decode()
    if who in OUTSIDERS:
        assert response.status_code == 403
        assert NAME not in html
        event = AuditEvent.objects.get(outcome="denied", object_type="patient_schedule")
        assert event.patient_id == clinic.patient_a.pk
    else:
        assert response.status_code == 200
        assert NAME in html
        assert "Process group" in html
        assert 'data-testid="week-minutes">120 minutes' in html
        assert AuditEvent.objects.filter(
            action="view", object_type="patient_schedule", patient_id=clinic.patient_a.pk
        ).exists()
        assert ('data-testid="feed"' in html) is (who != "nurse_a")


@pytest.mark.parametrize(
    "who", ["prescriber_a", "director_a", "clinician_b", "billing_a", "patient_user_a"]
)
def test_staff_week_matrix(client, booked, who):
    clinic = booked.clinic
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/schedule/staff/{clinic.prescriber_a.pk}/{booked.week}/")
    html = response.content.decode()
    if who in ("prescriber_a", "director_a"):
        assert response.status_code == 200
        assert NAME in html
        assert "Medication management" in html
    else:
        assert response.status_code == 403
        assert NAME not in html
        assert _denied_audited("staff_schedule")


@pytest.mark.parametrize(
    "who", ["director_a", "clinician_a", "clinician_b", "billing_a", "patient_user_a"]
)
def test_manual_enrolment_matrix(client, calendar, who):
    clinic = calendar.clinic
    verified_login(client, getattr(clinic, who))
    url = f"/schedule/{clinic.program_a.pk}/{calendar.week}/book/"
    response = client.post(
        url,
        {
            "form": "enrol",
            "enrol-patient": clinic.patient_a.pk,
            "enrol-occurrence": _monday_group(calendar).pk,
        },
    )
    if who == "director_a":
        assert response.status_code == 302
        assert Enrollment.objects.filter(patient=clinic.patient_a).count() == 1
    else:
        assert response.status_code == 403
        assert NAME not in response.content.decode()
        assert Enrollment.objects.count() == 0
        assert _denied_audited("booking")


def test_booking_refusal_shows_next_to_the_field(client, booked):
    clinic = booked.clinic
    verified_login(client, clinic.director_a)
    url = f"/schedule/{clinic.program_a.pk}/{booked.week}/book/"
    response = client.post(
        url,
        {
            "form": "appointment",
            "appt-patient": clinic.patient_a.pk,
            "appt-kind": "individual",
            "appt-staff": clinic.clinician_a.pk,
            "appt-day": booked.monday.isoformat(),
            "appt-starts_at": "09:30",
            "appt-minutes": "60",
        },
    )
    assert response.status_code == 400
    form = response.context["appointment_form"]
    assert form.errors["patient"] == ["Already booked: Process group at Mon 09:00."]
    assert Appointment.objects.filter(kind="individual").count() == 0
    enrol = client.post(
        url,
        {
            "form": "enrol",
            "enrol-patient": clinic.patient_a.pk,
            "enrol-occurrence": _monday_group(booked).pk,
        },
    )
    assert enrol.context["enrol_form"].errors["patient"] == ["Already in this session."]


def test_booking_on_a_holiday_shows_the_closure_next_to_the_field(client, calendar):
    from stepwell.schedule.models import Holiday

    clinic = calendar.clinic
    Holiday.objects.create(program=clinic.program_a, date=calendar.monday, name="Staff training")
    verified_login(client, clinic.director_a)
    url = f"/schedule/{clinic.program_a.pk}/{calendar.week}/book/"
    response = client.post(
        url,
        {
            "form": "appointment",
            "appt-patient": clinic.patient_a.pk,
            "appt-kind": "individual",
            "appt-staff": clinic.clinician_a.pk,
            "appt-day": calendar.monday.isoformat(),
            "appt-starts_at": "13:00",
            "appt-minutes": "60",
        },
    )
    assert response.status_code == 400
    assert response.context["appointment_form"].errors["starts_at"] == ["Closed: Staff training."]
    assert Appointment.objects.count() == 0


@override_settings(STEPWELL_OPTIMIZER_SECONDS=1)
@pytest.mark.parametrize("who", ["director_a", "clinician_a", "billing_a", "patient_user_a"])
def test_run_start_and_accept_matrix(client, calendar, who):
    clinic = calendar.clinic
    verified_login(client, getattr(clinic, who))
    response = client.post(f"/schedule/{clinic.program_a.pk}/{calendar.week}/optimize/")
    if who != "director_a":
        assert response.status_code == 403
        assert SchedulePlanRun.objects.count() == 0
        run = plan_run_execute(
            SchedulePlanRun.objects.create(
                program=clinic.program_a, week=calendar.week, requested_by=clinic.director_a
            ),
            seconds=1,
        )
        page = client.get(f"/schedule/runs/{run.pk}/")
        assert page.status_code == 403
        assert NAME not in page.content.decode()
        assert client.post(f"/schedule/runs/{run.pk}/accept/").status_code == 403
        run.refresh_from_db()
        assert run.status == PlanRunStatus.DONE
        assert Enrollment.objects.count() == 0
        assert _denied_audited("schedule_plan_run")
        return
    run = SchedulePlanRun.objects.get()
    assert response.url == f"/schedule/runs/{run.pk}/"
    html = client.get(response.url).content.decode()
    assert run.status == PlanRunStatus.DONE or 'data-status="done"' in html
    assert "1 of 1</strong> patients fully served" in html
    assert "hx-trigger" not in html
    assert NAME in html
    accepted = client.post(f"/schedule/runs/{run.pk}/accept/")
    assert accepted.status_code == 302
    run.refresh_from_db()
    assert run.status == PlanRunStatus.ACCEPTED
    assert Enrollment.objects.filter(source="optimizer").count() == len(
        run.plan["patients"][0]["sessions"]
    )


def test_run_page_polls_until_done(client, calendar):
    clinic = calendar.clinic
    run = SchedulePlanRun.objects.create(
        program=clinic.program_a,
        week=calendar.week,
        requested_by=clinic.director_a,
        progress=40,
        status=PlanRunStatus.RUNNING,
        message="Optimizing",
    )
    verified_login(client, clinic.director_a)
    partial = client.get(f"/schedule/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert '<progress id="run-progress-bar" max="100" value="40">' in partial
    assert "<html" not in partial
    plan_run_execute(run, seconds=1)
    done = client.get(f"/schedule/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert 'data-testid="accept"' in done


@pytest.mark.parametrize(
    "who", ["patient_user_a", "clinician_a", "nurse_a", "clinician_b", "patient_user_b"]
)
def test_patient_feed_matrix(client, calendar, who):
    clinic = calendar.clinic
    verified_login(client, getattr(clinic, who))
    response = client.post(f"/schedule/patients/{clinic.patient_a.pk}/feed/", {"action": "create"})
    if who in ("patient_user_a", "clinician_a"):
        assert response.status_code == 302
        assert CalendarFeed.objects.filter(patient=clinic.patient_a).count() == 1
    else:
        assert response.status_code == 403
        assert NAME not in response.content.decode()
        assert CalendarFeed.objects.count() == 0
        event = AuditEvent.objects.get(outcome="denied", object_type="calendar_feed")
        assert event.patient_id == clinic.patient_a.pk


def test_chart_links_to_the_week(client, calendar):
    clinic = calendar.clinic
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert f'href="/schedule/patients/{clinic.patient_a.pk}/"' in html


# -- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clinician_a", "director_a", *OUTSIDERS])
def test_api_program_week_matrix(client, booked, who):
    clinic = booked.clinic
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/api/v1/schedule/programs/{clinic.program_a.pk}/week/{booked.week}")
    body = response.content.decode()
    if who in ("clinician_a", "director_a"):
        assert response.status_code == 200
        data = response.json()
        assert data["week"] == booked.week
        group = next(i for i in data["items"] if i["occurrence_id"] == _monday_group(booked).pk)
        assert group["patients"] == [{"id": clinic.patient_a.pk, "name": NAME}]
        assert group["time"] == "09:00–10:30"
    else:
        assert response.status_code == 403
        assert NAME not in body
        assert _denied_audited("program_week")


@pytest.mark.parametrize("who", ["patient_user_a", "clinician_a", *OUTSIDERS])
def test_api_patient_schedule_matrix(client, booked, who):
    clinic = booked.clinic
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/api/v1/patients/{clinic.patient_a.pk}/schedule?week={booked.week}")
    if who in ("patient_user_a", "clinician_a"):
        assert response.status_code == 200
        kinds = sorted(item["kind"] for item in response.json()["items"])
        assert kinds == ["medication", "process_group"]
    else:
        assert response.status_code == 403
        assert NAME not in response.content.decode()
        assert AuditEvent.objects.get(outcome="denied").patient_id == clinic.patient_a.pk


@pytest.mark.parametrize("who", ["director_a", "clinician_a", "billing_a", "patient_user_a"])
def test_api_enrol_matrix(client, calendar, who):
    clinic = calendar.clinic
    verified_login(client, getattr(clinic, who))
    payload = {"occurrence_id": _monday_group(calendar).pk, "patient_id": clinic.patient_a.pk}
    response = client.post(
        "/api/v1/schedule/enrollments", json.dumps(payload), content_type="application/json"
    )
    if who == "director_a":
        assert response.status_code == 201
        assert response.json()["patient_id"] == clinic.patient_a.pk
        again = client.post(
            "/api/v1/schedule/enrollments", json.dumps(payload), content_type="application/json"
        )
        assert again.status_code == 400
        assert again.json() == {
            "detail": "Already booked into this session.",
            "errors": {"patient": "Already in this session."},
        }
    else:
        assert response.status_code == 403
        assert NAME not in response.content.decode()
        assert Enrollment.objects.count() == 0
        assert AuditEvent.objects.get(outcome="denied").patient_id == clinic.patient_a.pk


def test_api_appointment_booking_and_refusal(client, booked):
    clinic = booked.clinic
    verified_login(client, clinic.director_a)
    payload = {
        "patient_id": clinic.patient_a.pk,
        "staff_id": clinic.clinician_a.pk,
        "program_id": clinic.program_a.pk,
        "kind": "individual",
        "starts_at": local_to_utc("America/Chicago", booked.monday, time(11, 0)).isoformat(),
        "minutes": 60,
    }
    response = client.post(
        "/api/v1/schedule/appointments", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"staff": "Already booked: Psychoeducation at Mon 10:45."}
    payload["starts_at"] = local_to_utc("America/Chicago", booked.monday, time(13, 0)).isoformat()
    payload["minutes"] = 60
    clinic.patient_a.availability_windows.filter(weekday=0).update(end=time(15, 0))
    ok = client.post(
        "/api/v1/schedule/appointments", json.dumps(payload), content_type="application/json"
    )
    assert ok.status_code == 201
    assert Appointment.objects.filter(kind="individual").count() == 1
