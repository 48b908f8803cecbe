"""A patient completes a PHQ-9 by one-time link on a phone and raises a safety alert."""

from __future__ import annotations

import os

import pytest

from stepwell.measures import services
from stepwell.measures.models import Alert

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.mark.browser
def test_patient_completes_phq9_by_link_on_a_phone(live_server, clinic, phone_page):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    page = phone_page
    page.goto(f"{live_server.url}/measures/q/{sent.token}/")
    assert page.locator("h1").inner_text() == "Patient Health Questionnaire-9"
    assert "Avery" not in page.content()
    for number in range(1, 9):
        page.get_by_test_id(f"item-{number}").get_by_text("Several days").click()
    page.get_by_test_id("item-9").get_by_text("More than half the days").click()
    page.get_by_test_id("item-10").get_by_text("Somewhat difficult").click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.get_by_role("button", name="Send my answers").click()
    crisis = page.get_by_test_id("crisis-resources")
    crisis.wait_for()
    assert "Call or text 988 (Suicide & Crisis Lifeline)" in crisis.inner_text()
    alert = Alert.objects.get()
    assert (alert.kind, alert.status, alert.patient_id) == (
        "suicide_risk",
        "open",
        clinic.patient_a.pk,
    )
    assert alert.administration.total == 10
    assert alert.administration.source == "link"
    page.goto(f"{live_server.url}/measures/q/{sent.token}/")
    assert page.locator("h1").inner_text() == "This link is not valid any more"


@pytest.mark.browser
def test_patient_leaves_an_item_blank_and_the_risk_answer_is_kept(live_server, clinic, phone_page):
    clinic.program_a.on_call_clinician = clinic.prescriber_a
    clinic.program_a.save()
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    page = phone_page
    page.goto(f"{live_server.url}/measures/q/{sent.token}/")
    for link, href in (("Call 988", "tel:988"), ("Text 988", "sms:988"), ("Call 911", "tel:911")):
        anchor = page.get_by_test_id("crisis-line").get_by_role("link", name=link)
        assert anchor.get_attribute("href") == href
        assert anchor.is_visible()
    for number in (1, 2, 4, 5, 6, 7, 8):  # item 3 left blank
        page.get_by_test_id(f"item-{number}").get_by_text("Not at all").click()
    page.get_by_test_id("item-9").get_by_text("More than half the days").click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_test_id("crisis-resources").wait_for()
    assert "Some questions were left blank" in page.content()
    assert page.get_by_test_id("crisis-line").get_by_role("link", name="Call 988").is_visible()
    alert = Alert.objects.get()
    assert (alert.immediate, alert.administration.status) == (True, "incomplete")
    assert alert.pages.get().clinician_id == clinic.prescriber_a.pk


@pytest.mark.browser
def test_on_call_clinician_goes_from_the_banner_to_the_worklist_and_acknowledges(
    live_server, clinic, phone_page
):
    """The banner names no one; its link opens the worklist, which names the patient."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from stepwell.testing.auth import verified_login

    clinic.program_a.on_call_clinician = clinic.prescriber_a
    clinic.program_a.save()
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(),
        token=sent.token,
        answers={f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": 2, "phq9_10": 1},
    )
    alert = Alert.objects.get()
    session = verified_login(Client(), clinic.prescriber_a).cookies["sessionid"].value
    page = phone_page
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/caseload/")
    banner = page.get_by_test_id("safety-banner")
    assert "A patient of Adult MH gave an answer" in banner.inner_text()
    assert "Avery" not in banner.inner_text()
    banner.get_by_test_id("safety-banner-open").click()
    row = page.get_by_test_id(f"alert-{alert.pk}")
    row.wait_for()
    assert "Avery Alder" in row.inner_text()
    row.get_by_label("Action taken").fill("Called the patient; safety plan reviewed.")
    row.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Acknowledged by").wait_for()
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id) == ("acknowledged", clinic.prescriber_a.pk)
    page.goto(f"{live_server.url}/caseload/")
    assert page.get_by_test_id("safety-banner").count() == 0
