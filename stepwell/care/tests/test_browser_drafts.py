"""In a real browser (issue 12): drafts are saved as the user types, the page warns before
an idle logout, signing asks for confirmation saying what cannot be undone, and htmx
forms show their field errors (a 400 reply is swapped in, not discarded)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.care.notes import services as note_services
from stepwell.intake import services as intake_services
from stepwell.intake.models import AvailabilityWindow
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


def _draft_note(clinic):
    started = timezone.now() - timedelta(hours=2)
    return note_services.note_create(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=started,
        ended_at=started + timedelta(minutes=50),
    )


@pytest.mark.browser
def test_a_note_is_saved_as_the_clinician_types_and_signing_asks_first(browser_page, clinic):
    page = browser_page
    note = _draft_note(clinic)
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/care/notes/{note.pk}/")
    field = page.locator("textarea[name='behavior']")
    field.click()
    field.type("Arrived on time; engaged and brighter.", delay=5)
    page.locator("[data-autosave-status][data-saved='yes']").wait_for()
    assert "Draft saved at" in page.inner_text("[data-autosave-status]")
    note.refresh_from_db()
    assert note.behavior == "Arrived on time; engaged and brighter."
    assert note.signed_at is None  # a draft, not signed
    page.get_by_test_id("sign-note").click()
    page.wait_for_load_state()
    assert page.dialogs and "cannot be edited or unsigned" in page.dialogs[-1]


@pytest.mark.browser
def test_the_page_warns_a_minute_before_an_idle_logout(browser_page, clinic, settings):
    settings.SESSION_COOKIE_AGE = 64  # the warning comes after 4 s less what has gone by
    page = browser_page
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/care/")
    warning = page.get_by_test_id("idle-warning")
    assert not warning.is_visible()
    warning.wait_for(state="visible", timeout=10000)
    assert "signed out in about a minute" in warning.inner_text()
    page.locator("[data-stay-signed-in]").click()
    warning.wait_for(state="hidden")


@pytest.mark.browser
def test_htmx_forms_show_their_field_errors(browser_page, clinic):
    """An invalid diagnosis code and an availability window that ends before it starts:
    the 400 reply's errors are shown next to the fields, nothing is saved."""
    page = browser_page
    assessment = intake_services.assessment_start(
        actor=clinic.clinician_a, episode_id=clinic.episode_a.pk
    )
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/intake/assessments/{assessment.pk}/")
    page.fill("#id_code", "XYZ.999")
    page.click("button:has-text('Add diagnosis')")
    page.get_by_test_id("error-code").wait_for()
    assert assessment.diagnoses.count() == 0
    page.select_option("#availability select[name='weekday']", "1")
    page.fill("#availability input[name='start']", "15:00")
    page.fill("#availability input[name='end']", "09:00")
    page.click("button:has-text('Add window')")
    page.locator(
        "#availability .errorlist, #availability [data-testid='form-errors']"
    ).first.wait_for()
    assert not AvailabilityWindow.objects.filter(patient=clinic.patient_a).exists()
