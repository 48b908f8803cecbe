"""A director runs the optimizer for a small program, watches the progress, accepts the week.

The run goes through the real database task backend: the page shows it queued and polls;
the worker (run here in the test's thread) solves it; the page then offers the plan."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from stepwell.schedule.models import Enrollment, PlanRunStatus, SchedulePlanRun
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_director_runs_the_optimizer_and_accepts_the_week(browser_page, calendar, client, settings):
    settings.STEPWELL_OPTIMIZER_SECONDS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    clinic = calendar.clinic
    verified_login(client, clinic.director_a)
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )
    page.goto(f"{page.base_url}/schedule/{clinic.program_a.pk}/{calendar.week}/")
    assert "Avery Alder" not in page.locator("#week-grid").inner_text()  # nobody booked yet
    page.get_by_test_id("run-optimizer").click()
    progress = page.get_by_test_id("run-progress")
    progress.wait_for()
    assert "Waiting for a worker" in progress.inner_text()
    assert page.locator("#run-body").get_attribute("hx-trigger") == "every 1s"

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    summary = page.get_by_test_id("run-summary")
    summary.wait_for(timeout=20000)
    assert "1 of 1 patients fully served" in summary.inner_text()
    assert page.locator("#run-body").get_attribute("hx-trigger") is None
    assert "Avery Alder" in page.get_by_test_id("per-patient").inner_text()
    assert "Nothing booked yet" in page.get_by_test_id("changes").inner_text()
    page.get_by_test_id("accept").click()
    page.wait_for_url(f"**/schedule/{clinic.program_a.pk}/{calendar.week}/")
    assert "is booked" in page.locator(".messages").inner_text()
    assert "Avery Alder" in page.locator("#week-grid").inner_text()
    run = SchedulePlanRun.objects.get()
    assert run.status == PlanRunStatus.ACCEPTED
    assert Enrollment.objects.filter(patient=clinic.patient_a, source="optimizer").count() == len(
        run.plan["patients"][0]["sessions"]
    )
