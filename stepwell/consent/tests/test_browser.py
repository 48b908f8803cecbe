"""The main journey in a real browser: the patient signs a Part 2 consent naming their
family doctor on the portal; the clinician's disclosure is refused before it and made
after it; the patient sees it in their accounting of disclosures."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.test import Client

from stepwell.consent.models import Disclosure
from stepwell.consent.services import consent_record
from stepwell.testing.auth import verified_login
from stepwell.testing.dates import clinic_today

from .conftest import RECIPIENT

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    page.context.clear_cookies()
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


def _disclose(page, patient_id, consent_label=None):
    page.goto(f"{page.base_url}/consent/patients/{patient_id}/disclosures/new/")
    form = page.get_by_test_id("disclose-form")
    if consent_label:
        form.locator("select[name=consent_id]").select_option(label=consent_label)
    else:
        form.locator("select[name=basis]").select_option("hipaa_permitted")
    form.get_by_label("Recipient (as the consent names them)").fill(RECIPIENT)
    form.locator("select[name=purpose]").select_option("treatment")
    form.get_by_label("Diagnoses").check()
    form.get_by_role("button", name="Disclose").click()


@pytest.mark.browser
def test_consent_disclosure_and_accounting_in_the_browser(browser_page, part2):
    clinic, page = part2, browser_page
    patient = clinic.patient_b
    prepared = consent_record(
        actor=clinic.clinician_b,
        patient_id=patient.pk,
        kind="part2",
        program_ids=[clinic.program_b.pk],
        signature_method="portal",
        recipient_kind="named",
        recipients=RECIPIENT,
        purpose="treatment",
        sections=["diagnoses"],
        information_description="Alcohol use diagnoses.",
        expires_on=clinic_today() + timedelta(days=90),
    )

    _log_in(page, clinic.clinician_b)
    _disclose(page, patient.pk)
    assert "written Part 2 consent" in page.content()
    assert not Disclosure.objects.exists()

    _log_in(page, clinic.patient_user_b)
    page.goto(f"{page.base_url}/consent/mine/")
    page.get_by_role("link", name="Read and sign").click()
    page.get_by_label("Type your full legal name").fill("Blake Birch")
    page.get_by_label("I have read this consent and agree").check()
    page.get_by_role("button", name="Sign").click()
    page.get_by_test_id("my-consents").wait_for()
    assert "Signed" in page.get_by_test_id("my-consents").inner_text()

    _log_in(page, clinic.clinician_b)
    prepared.refresh_from_db()
    _disclose(page, patient.pk, consent_label=str(prepared))
    page.get_by_role("heading", name=f"Disclosure to {RECIPIENT}").wait_for()
    assert "42 CFR part 2" in page.content()

    _log_in(page, clinic.patient_user_b)
    page.goto(f"{page.base_url}/consent/mine/")
    accounting = page.get_by_test_id("accounting").inner_text()
    assert RECIPIENT in accounting and "Treatment" in accounting
