"""A director fits a newcomer into a week that is already booked: picks "fit chosen
patients" and the newcomer on the week page, reviews who would change (only the
newcomer), accepts, and everyone else's bookings are the same rows as before. The
booking page shows the staff's working hours."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.management import call_command

from stepwell.intake.models import AvailabilityWindow
from stepwell.schedule.models import Enrollment, PlanRunMode, PlanRunStatus, SchedulePlanRun
from stepwell.schedule.planning import services as planning_services
from stepwell.schedule.planning.tasks import plan_run_execute
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_director_fits_a_newcomer_into_a_booked_week(browser_page, calendar, client, settings):
    settings.STEPWELL_OPTIMIZER_SECONDS = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    clinic = calendar.clinic
    first = planning_services.plan_run_start(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        week=calendar.week,
        enqueue=False,
    )
    plan_run_execute(first, seconds=20, work=2.0)
    planning_services.plan_accept(actor=clinic.director_a, run_id=first.pk)
    avery_before = set(Enrollment.objects.filter(patient=clinic.patient_a).values_list("pk"))
    assert avery_before
    noor = PatientFactory(legal_first_name="Noor", legal_last_name="Nadir")
    EpisodeFactory(patient=noor, program=clinic.program_a, state="active")
    for day in range(5):
        AvailabilityWindow.objects.create(
            patient=noor, weekday=day, start=time(8, 30), end=time(13, 0)
        )

    verified_login(client, clinic.director_a)
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )
    page.goto(f"{page.base_url}/schedule/{clinic.program_a.pk}/{calendar.week}/")
    assert page.get_by_test_id("mode-keep").is_checked()  # keeping bookings is the default
    page.get_by_test_id("mode-fit").check()
    page.get_by_test_id("fit-patients").select_option(str(noor.pk))
    page.get_by_test_id("run-optimizer").click()
    page.get_by_test_id("run-progress").wait_for()

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    summary = page.get_by_test_id("run-summary")
    summary.wait_for(timeout=30000)
    assert "Fit chosen patients" in page.get_by_test_id("run-mode").inner_text()
    changes = page.get_by_test_id("changes").inner_text()
    assert "Noor Nadir" in changes
    assert "Avery Alder" not in changes
    assert page.get_by_test_id("moved-warning").count() == 0
    page.get_by_test_id("accept").click()
    page.wait_for_url(f"**/schedule/{clinic.program_a.pk}/{calendar.week}/")
    assert "is booked" in page.locator(".messages").inner_text()
    assert "Noor Nadir" in page.locator("#week-grid").inner_text()
    run = SchedulePlanRun.objects.exclude(pk=first.pk).get()
    assert (run.mode, run.status) == (PlanRunMode.FIT, PlanRunStatus.ACCEPTED)
    assert set(Enrollment.objects.filter(patient=clinic.patient_a).values_list("pk")) == (
        avery_before
    )
    assert Enrollment.objects.filter(patient=noor).exists()

    page.goto(f"{page.base_url}/schedule/{clinic.program_a.pk}/{calendar.week}/book/")
    hours = page.get_by_test_id("staff-hours").inner_text()
    assert str(clinic.clinician_a) in hours
    assert "Mon 08:00–17:00" in hours
