"""In a real browser (issue 12): the words of a draft plan's problems, goals and objectives
are saved as the clinician types, through the same edit service as the Save button."""

from __future__ import annotations

import pytest
from django.test import Client

from stepwell.plans.models import Goal
from stepwell.testing.auth import verified_login

from .conftest import write_plan

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


@pytest.mark.browser
def test_a_draft_goal_is_saved_as_the_clinician_types(browser_page, clinic):
    page = browser_page
    plan = write_plan(clinic)
    goal = Goal.objects.get(problem__plan=plan)
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/plans/{plan.pk}/")
    page.get_by_test_id("edit-goal").locator("summary").click()
    form = page.get_by_test_id("edit-goal-form")
    field = form.locator(f"textarea[name='edit-goal-{goal.pk}-patient_words']")
    field.fill("")
    field.type("I want to get back to my evening walks", delay=5)
    form.locator("[data-autosave-status][data-saved='yes']").wait_for()
    assert "Draft saved at" in form.locator("[data-autosave-status]").inner_text()
    goal.refresh_from_db()
    assert goal.patient_words == "I want to get back to my evening walks"
    field.fill("")
    field.type(" ", delay=5)  # the goal's words are required: not saved, and it says so
    form.locator("[data-autosave-status][data-saved='no']").wait_for()
    goal.refresh_from_db()
    assert goal.patient_words == "I want to get back to my evening walks"
