"""A follow-up link completed on a phone-sized page: the daily job sends the link through
the outbox, the person opens it from the message, misses a question, answers, and the
link is used up; the staff worklist shows the follow-up completed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail

from stepwell.followups import services
from stepwell.followups.models import FollowUp
from stepwell.messaging.models import Message

from .conftest import DISCHARGED_ON, JOB


@pytest.mark.browser
def test_follow_up_answered_on_a_phone(live_server, discharged, phone_page):
    services.follow_ups_daily(
        actor=JOB, program_id=discharged.program_a.pk, today=DISCHARGED_ON + timedelta(days=30)
    )
    [email] = mail.outbox  # delivered from the outbox; the stored body drops the link
    assert email.to == ["avery@example.org"]
    path = re.search(r"/follow-ups/f/[\w-]+/", email.body).group(0)
    assert Message.objects.get().link_removed
    page = phone_page
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").inner_text() == "A short check-in"
    assert "Avery" not in page.content() and "Adult MH" not in page.content()
    for number in range(1, 10):
        page.get_by_test_id(f"field-phq9_{number}").get_by_text("Not at all").click()
    page.get_by_test_id("field-phq9_10").get_by_text("Not difficult at all").click()
    for number in range(1, 7):  # GAD-7 item 7 left blank
        page.get_by_test_id(f"field-gad7_{number}").get_by_text("Several days").click()
    page.get_by_test_id("field-in_treatment").get_by_text("Yes", exact=True).click()
    page.get_by_label("If yes, where?").fill("Weekly therapy at a community clinic")
    page.get_by_test_id("field-readmitted_higher_level").get_by_text("No", exact=True).click()
    page.get_by_label("In the last 30 days, on how many days").fill("0")
    page.get_by_test_id("field-employment").get_by_text("Working", exact=True).click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Send my answers").click()
    assert "Choose an answer." in page.get_by_test_id("field-gad7_7").inner_text()
    assert FollowUp.objects.get().status == "sent"
    page.get_by_test_id("field-gad7_7").get_by_text("Not at all").click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_test_id("follow-up-done").wait_for()
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.method) == ("completed", "link")
    assert {s.instrument_key: s.total for s in follow_up.scores.all()} == {"phq9": 0, "gad7": 6}
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").inner_text() == "This link is not valid any more"
