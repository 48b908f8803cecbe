"""The main journey in a real browser: the prescriber reconciles at admission and, in a
medication visit, records the side-effect checklist and raises a dose; the patient sees
the new dose on the portal and answers the adherence question; the prescriber sees the
answer beside the list."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.meds import services
from stepwell.meds.models import Adherence, MedicationVisit, Reconciliation
from stepwell.testing.auth import verified_login

from .conftest import sertraline

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    page.context.clear_cookies()
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


def _wall_clock(program, moment) -> str:
    return timezone.localtime(moment, ZoneInfo(program.timezone)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.browser
def test_reconcile_change_a_dose_and_answer_adherence_on_the_portal(browser_page, diagnosed):
    clinic, page = diagnosed, browser_page
    medication = services.medication_create(
        actor=clinic.prescriber_a, patient_id=clinic.patient_a.pk, data=sertraline()
    )
    _log_in(page, clinic.prescriber_a)

    # Admission reconciliation from the chart's medication section (loaded by htmx).
    page.goto(f"{page.base_url}/patients/{clinic.patient_a.pk}/")
    page.get_by_test_id("chart-meds").wait_for()
    page.locator(f"#id_occasion_{clinic.episode_a.pk}").select_option("admission")
    page.get_by_test_id(f"reconcile-{clinic.episode_a.pk}").click()
    page.get_by_test_id("reconciliation-items").wait_for()
    page.get_by_test_id("sign-reconciliation").click()
    assert "Decide continue, change or stop for: sertraline" in (
        page.get_by_test_id("sign-error").inner_text()
    )
    item = page.get_by_test_id(f"item-{medication.pk}")
    item.locator("select[name=decision]").select_option("continue")
    page.get_by_test_id(f"decide-{medication.pk}").click()
    page.get_by_test_id("sign-reconciliation").click()
    page.get_by_test_id("chart-meds").wait_for()
    reconciliation = Reconciliation.objects.get()
    assert reconciliation.signed_at is not None
    assert reconciliation.items.get().decision == "continue"

    # A medication visit: the checklist, then a higher dose linked to the visit.
    page.get_by_test_id("chart-meds").locator("summary", has_text="Record").click()
    now = timezone.now()
    page.locator("#id_visit-started_at").fill(
        _wall_clock(clinic.program_a, now - timedelta(minutes=50))
    )
    page.locator("#id_visit-ended_at").fill(
        _wall_clock(clinic.program_a, now - timedelta(minutes=20))
    )
    page.get_by_test_id("start-visit").click()
    form = page.get_by_test_id("side-effects-form")
    form.wait_for()
    for effect in ("sedation", "weight_gain", "sexual_dysfunction", "gi_upset", "tremor"):
        form.locator(f"input[name={effect}][value=none]").check()
    form.locator("input[name=activation][value=mild]").check()
    form.locator("input[name=dizziness][value=none]").check()
    form.get_by_role("button", name="Save side effects").click()
    change = page.get_by_test_id("change-form")
    change.wait_for()
    change.locator("select[name=medication_id]").select_option(str(medication.pk))
    change.locator("input[name=dose]").fill("100")
    change.locator("input[name=status_reason]").fill("Partial response at 50 mg")
    change.get_by_role("button", name="Save change").click()
    changes = page.get_by_test_id("visit-changes")
    changes.get_by_text("100 mg").wait_for()
    assert "50 mg by mouth, once daily →" in changes.inner_text()
    visit = MedicationVisit.objects.get()
    assert visit.side_effects["activation"] == "mild"
    assert medication.changes.get(kind="dose").visit_note_id == visit.note_id

    # The patient: the new dose on the portal, and this week's adherence answer.
    _log_in(page, clinic.patient_user_a)
    page.goto(f"{page.base_url}/portal/")
    page.get_by_role("link", name="My medications").click()
    assert "sertraline: 100 mg by mouth, once daily" in page.content()
    form = page.get_by_test_id("adherence-form")
    form.get_by_label("Some days").check()
    form.locator("textarea, input[name=why_not]").first.fill("Ran out on Friday")
    form.get_by_role("button", name="Send my answer").click()
    page.get_by_test_id("my-answers").get_by_text("Some days").wait_for()
    assert Adherence.objects.get().why_not == "Ran out on Friday"

    # The prescriber sees it beside the list.
    _log_in(page, clinic.prescriber_a)
    page.goto(f"{page.base_url}/patients/{clinic.patient_a.pk}/")
    adherence = page.get_by_test_id("adherence")
    adherence.get_by_text("Ran out on Friday").wait_for()
    assert "follow up" in adherence.inner_text()
