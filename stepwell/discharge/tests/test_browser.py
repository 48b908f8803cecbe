"""The discharge journey in a real browser: the clinician drafts the summary from the
chart, writes and signs it, writes the aftercare plan with the patient (a contact without
consent is refused), downloads both PDFs; the patient signs the plan on the portal and
downloads it; with the program's gate on, the discharge then goes through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.discharge import services
from stepwell.discharge.models import AftercarePlan, DischargeSummary
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    page.context.clear_cookies()
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


def _download(page, test_id) -> bytes:
    with page.expect_download() as info:
        page.get_by_test_id(test_id).click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


@pytest.mark.browser
def test_summary_aftercare_plan_and_pdfs(browser_page, diagnosed):
    clinic, page = diagnosed, browser_page
    page.set_default_timeout(60000)  # the chart and the PDFs are slow on a busy machine
    services.discharge_policy_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        documents_required=True,
        exempt_dispositions=["left_against_advice", "administrative"],
        after_hours_line="555-0199",
    )
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/patients/{clinic.patient_a.pk}/")
    page.get_by_test_id(f"discharge-link-{clinic.episode_a.pk}").click()
    assert "Sign the discharge summary first" in page.get_by_test_id("gate").inner_text()

    # The summary: drafted from the record, written, signed.
    page.get_by_test_id("draft-summary").click()
    assert "F33.1" in page.get_by_test_id("summary-document").inner_text()
    form = page.get_by_test_id("summary-form")
    form.get_by_label("Disposition").select_option("completed")
    form.get_by_label("Course of treatment").fill("Groups and weekly therapy; grounding skills.")
    form.get_by_label("Condition at discharge").fill("Mood improved; no safety concerns.")
    form.get_by_label("Recommendations").fill("Weekly outpatient therapy.")
    page.get_by_test_id("save-summary").click()
    page.get_by_test_id("sign-summary").click()
    page.get_by_test_id("add-addendum").wait_for()
    assert DischargeSummary.objects.get().status == "signed"

    # The aftercare plan, written with the patient.
    page.get_by_test_id("start-plan").click()
    plan_form = page.get_by_test_id("plan-form")
    plan_form.get_by_label("Warning signs").fill("Skipping meals")
    plan_form.get_by_label("Coping strategies that worked").fill("Call my sister; walk")
    page.get_by_test_id("save-plan").click()
    contact = page.get_by_test_id("contact-form")
    contact.get_by_label("Name").fill("Jo Alder")
    contact.get_by_label("Relationship").fill("Sister")
    contact.get_by_label("Phone").fill("555-0100")
    page.get_by_test_id("add-contact").click()
    assert "only with the patient's consent" in page.get_by_test_id("contact-form").inner_text()
    contact = page.get_by_test_id("contact-form")
    contact.get_by_label("The patient agrees").check()
    page.get_by_test_id("add-contact").click()
    assert "Jo Alder (Sister): 555-0100" in page.get_by_test_id("aftercare-contacts").inner_text()
    later = (timezone.localdate() + timedelta(days=14)).isoformat()
    appointment = page.get_by_test_id("appointment-form")
    appointment.get_by_label("Provider's name").fill("Dr. Rivera")
    appointment.get_by_label("Date and time").fill(f"{later}T10:00")
    appointment.get_by_label("Place").fill("Main St clinic")
    page.get_by_test_id("add-appointment").click()
    assert "Dr. Rivera" in page.get_by_test_id("aftercare-appointments").inner_text()
    assert "988" in page.get_by_test_id("crisis-resources").inner_text()

    assert _download(page, "summary-pdf").startswith(b"%PDF-")
    assert _download(page, "aftercare-pdf").startswith(b"%PDF-")

    # The patient reads and signs the plan on the portal, and takes it home as a PDF.
    _log_in(page, clinic.patient_user_a)
    page.goto(f"{page.base_url}/portal/")
    page.get_by_test_id("portal-aftercare-link").click()
    assert "Skipping meals" in page.get_by_test_id("aftercare-document").inner_text()
    page.get_by_test_id("portal-sign").click()
    assert "Signed" in page.get_by_test_id("aftercare-document").inner_text()
    assert AftercarePlan.objects.get().signature_method == "portal"
    assert _download(page, "aftercare-pdf").startswith(b"%PDF-")

    # With both signed, the gate lets the discharge through.
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/episodes/{clinic.episode_a.pk}/discharge/")
    assert "can be discharged" in page.get_by_test_id("gate").inner_text()
