"""The milestone journey in a real browser: the clinician checks the record and records a
milestone from the chart; the patient reads their progress on the portal and says yes to
being named in group; the facilitator's roster then shows the milestone of the week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from stepwell.milestones.models import Milestone, MilestoneSharing
from stepwell.testing.auth import verified_login

from .builders import build_journey

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    page.context.clear_cookies()
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


@pytest.mark.browser
def test_record_read_on_the_portal_and_celebrate_in_group(browser_page):
    page = browser_page
    journey = build_journey(portal=True)
    patient = journey.patient

    # The clinician: the chart's Milestones section (loaded by htmx), "check now".
    _log_in(page, journey.clinician)
    page.goto(f"{page.base_url}/patients/{patient.pk}/")
    section = page.get_by_test_id("chart-milestones")
    section.wait_for()
    page.get_by_test_id("milestones-compute").click()
    page.get_by_test_id("chart-milestones").wait_for()
    assert "New milestones:" in page.locator(".messages").inner_text()
    assert "Response on the PHQ-9" in page.get_by_test_id("milestone-list").inner_text()

    # Record one: a date in the future is refused with the field named, then accepted.
    page.get_by_test_id("chart-milestones").locator("summary", has_text="Record").click()
    form = page.get_by_test_id("milestone-record-form")
    form.get_by_label("Milestone").fill("Used a grounding skill at work")
    form.get_by_label("What happened").fill("Stayed in the meeting and used 5-4-3-2-1.")
    form.get_by_label("Date").fill((journey.today + timedelta(days=3)).isoformat())
    form.get_by_role("button", name="Record milestone").click()
    page.get_by_text("The date cannot be in the future.").wait_for()
    assert not Milestone.objects.filter(kind="recorded").exists()
    form = page.get_by_test_id("milestone-record-form")
    form.get_by_label("Date").fill(journey.today.isoformat())
    form.get_by_role("button", name="Record milestone").click()
    page.get_by_text("Milestone recorded: Used a grounding skill at work.").wait_for()

    # The patient: portal home -> progress; the timeline, the scores in words, the answer.
    _log_in(page, patient.user)
    page.goto(f"{page.base_url}/portal/")
    page.get_by_test_id("portal-progress-link").click()
    timeline = page.get_by_test_id("progress-timeline")
    timeline.wait_for()
    assert "Used a grounding skill at work" in timeline.inner_text()
    assert "4 weeks of attendance without an unexcused absence" in timeline.inner_text()
    assert (
        page.get_by_test_id("trajectory-phq9")
        .inner_text()
        .startswith("Your PHQ-9 went from 18 to 9: a reliable improvement, and at least halved.")
    )
    assert "Walk 20 minutes" in page.get_by_test_id("progress-objectives").inner_text()
    page.get_by_test_id("own-sharing-form").get_by_label("Yes").check()
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_text("Your answer is saved.").wait_for()
    assert MilestoneSharing.objects.get(patient=patient).named_in_group is True

    # The facilitator's roster names the milestone of the week.
    _log_in(page, journey.facilitator)
    page.goto(f"{page.base_url}/care/sessions/{journey.occurrences[-1].pk}/attendance/")
    celebrate = page.get_by_test_id("roster-milestones")
    celebrate.wait_for()
    assert "Used a grounding skill at work" in celebrate.inner_text()
    assert patient.display_name in celebrate.inner_text()
