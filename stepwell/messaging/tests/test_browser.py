"""In a real browser: the clinician presses Send on the chart's questionnaires, the page
says it went by email as the patient chose, and the outbox shows it sent (delivered after
the commit by the task backend to Django's test mailbox)."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.test import Client

from stepwell.messaging.models import Message
from stepwell.messaging.services import contact_preference_set
from stepwell.testing.auth import verified_login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    page.context.clear_cookies()
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


@pytest.mark.browser
def test_staff_send_a_questionnaire_and_see_it_in_the_outbox(browser_page, clinic):
    page = browser_page
    patient = clinic.patient_a
    patient.email = "avery@example.org"
    patient.save()
    contact_preference_set(
        actor=clinic.clinician_a, patient_id=patient.pk, channel="email", reminders=False
    )
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/patients/{patient.pk}/")
    page.get_by_test_id("questionnaire-deliver").click()
    notice = page.get_by_test_id("link-delivered")
    notice.wait_for()
    assert "Sent by email to avery@example.org" in notice.inner_text()
    message = Message.objects.get(purpose="questionnaire")
    assert message.state == "sent"
    [email] = mail.outbox
    assert email.to == ["avery@example.org"]
    assert email.body.startswith("Stepwell: you have a new questionnaire. http")
    page.goto(f"{page.base_url}/messages/")
    row = page.get_by_test_id("outbox").locator("tr", has_text="Questionnaire link")
    assert "Sent" in row.inner_text()
