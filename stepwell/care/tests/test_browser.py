"""A clinician takes attendance for a group on the tablet page, then writes and signs the
group note for every participant in one sitting."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.care.models import Attendance, ClinicalNote, GroupNote
from stepwell.care.tests.conftest import admitted_patient, make_occurrence
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


@pytest.mark.browser
def test_clinician_takes_attendance_and_signs_the_group_note(browser_page, clinic):
    page = browser_page
    dana = admitted_patient(clinic.program_a, "Dana", "Dogwood")
    emery = admitted_patient(clinic.program_a, "Emery", "Elmwood")
    # Half an hour ago, but never before the program's midnight: the care page lists the
    # program's sessions of today (its date, not UTC's), so in the first half hour of
    # the program's day a session started 30 minutes ago was yesterday's and not listed.
    now = timezone.now()
    midnight = now.astimezone(ZoneInfo(clinic.program_a.timezone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    occurrence = make_occurrence(
        clinic.program_a,
        starts_at=max(now - timedelta(minutes=30), midnight + timedelta(seconds=30)),
        facilitators=[clinic.clinician_a],
        patients=[clinic.patient_a, dana, emery],
    )
    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/care/")
    page.get_by_role("link", name="Attendance").first.click()
    rows = page.get_by_test_id("attendance-row")
    rows.first.wait_for()
    assert rows.count() == 3
    for patient, button in ((clinic.patient_a, "present"), (dana, "present"), (emery, "late")):
        row_id = Attendance.objects.get(patient=patient).pk
        page.locator(f"#attendance-row-{row_id}").get_by_test_id(f"mark-{button}").click()
        page.locator(f'#attendance-row-{row_id}[data-status="{button}"]').wait_for()
    assert sorted(Attendance.objects.values_list("status", flat=True)) == [
        "late",
        "present",
        "present",
    ]
    page.get_by_test_id("group-note-link").click()
    page.locator("#id_interventions").fill("DBT distress tolerance skills; psychoeducation")
    note = GroupNote.objects.get(occurrence=occurrence)
    for i, section in enumerate(note.sections.order_by("pk")):
        prefix = f"section-{section.pk}-"
        page.get_by_test_id(f"{prefix}behavior").fill(
            f"Arrived calm; spoke {i + 1} times about work stress."
        )
        page.get_by_test_id(f"{prefix}intervention").fill(
            f"Coached TIPP; practised paced breathing round {i + 1}."
        )
        page.get_by_test_id(f"{prefix}response").fill(
            f"Rated distress down by {i + 2} points after practice."
        )
        page.get_by_test_id(f"{prefix}plan").fill(
            f"Practise the skill {i + 3} times before the next group."
        )
        page.get_by_test_id(f"{prefix}risk_check").select_option("no_risk")
    page.get_by_test_id("sign-group-note").click()
    page.get_by_test_id("signed-banner").wait_for()
    assert "for 3 participants" in page.get_by_test_id("signed-banner").inner_text()
    assert ClinicalNote.objects.filter(group_note=note, signed_at__isnull=False).count() == 3
    # In one patient's notes: the shared section and the count, not the others' names.
    page.goto(f"{page.base_url}/care/patients/{dana.pk}/notes/")
    content = page.content()
    assert "DBT distress tolerance skills" in content
    assert "Emery" not in content and "Avery" not in content
    assert page.get_by_test_id("participant-count").first.inner_text() == "3"
