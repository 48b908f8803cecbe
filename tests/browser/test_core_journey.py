"""A therapist logs in (password + TOTP), opens the caseload, opens a chart, and is refused
another program's patient. Real Chromium, real server."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_therapist_journey(browser_page, clinic):
    page = browser_page
    device = TOTPDevice.objects.create(user=clinic.clinician_a, name="phone", confirmed=True)
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "clin_a")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/mfa/")
    page.fill("#id_code", code_for(device))
    page.click("main button[type=submit]")
    page.get_by_test_id("home-heading").wait_for()  # the clinician's home page (/)
    page.click("main a:has-text('Caseload')")
    page.wait_for_url("**/caseload/")
    assert page.locator("h1").inner_text() == "Caseload"
    table = page.locator("#caseload-table")
    assert "Avery Alder" in table.inner_text()
    assert "Birch" not in table.inner_text()
    # htmx filter: search narrows the table without a page load
    # (locator waits: the Content-Security-Policy forbids the eval a string predicate needs)
    page.fill("#id_q", "zzz-nobody")
    page.locator("#caseload-table", has_text="No patients match").first.wait_for()
    page.fill("#id_q", "")
    page.locator("#caseload-table", has_text="Avery Alder").first.wait_for()
    page.click("text=Avery Alder")
    page.wait_for_url(f"**/patients/{clinic.patient_a.pk}/")
    assert "Demographics" in page.content()
    assert "Who viewed this record recently" in page.content()
    response = page.goto(f"{page.base_url}/patients/{clinic.patient_b.pk}/")
    assert response.status == 403
    assert "You do not have access" in page.content()
    assert "Birch" not in page.content()
