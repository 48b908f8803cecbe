"""An administrator creates an enrolment code in clinic setup; the staff member logs in with
their password and the code, enrols their authenticator app and reaches their home page and caseload.
Real Chromium, real server, with the Content-Security-Policy on: the browser reports no
violation on the way."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PASSWORD

from .test_login import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrolment_with_a_code_from_the_administrator(browser_page, clinic, client):
    page = browser_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    verified_login(client, clinic.admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )
    page.goto(f"{page.base_url}/setup/accounts/user/{clinic.clinician_a.pk}/change/")
    assert "none: enrols at next login" in page.content()
    page.click("text=Create enrolment code")
    page.click("input[type=submit][value='Create the code']")
    code = page.get_by_test_id("enrolment-code").inner_text().strip()
    assert len(code) == 14
    page.context.clear_cookies()

    page.goto(page.base_url + "/")
    page.fill("#id_username", "clin_a")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/mfa/setup/")
    assert page.locator("svg").count() == 0  # no secret before the code
    page.fill("#id_enrolment_code", code.lower().replace("-", " "))
    page.click("main button[type=submit]")
    page.locator("main svg").wait_for()
    device = TOTPDevice.objects.get(user=clinic.clinician_a, confirmed=False)
    page.fill("#id_code", current_code(device))
    page.click("main button[type=submit]")
    page.get_by_test_id("home-heading").wait_for()  # the clinician's home page (/)
    assert "Your authenticator app is set up." in page.content()
    page.click("main a:has-text('Caseload')")
    page.wait_for_url("**/caseload/")
    assert "Avery Alder" in page.locator("#caseload-table").inner_text()
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == []
