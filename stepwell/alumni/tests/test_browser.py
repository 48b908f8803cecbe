"""In a real browser: a clinician adds a weekly alumni group on the program's alumni page
(a bad place first, shown next to its field); the alumnus finds it on their portal page and
answers "I'll be there"; the clinician sees the answer on the meeting's page and takes
attendance at a meeting that has started."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.alumni import services
from stepwell.alumni.models import AlumniAttendance, AlumniRsvp
from stepwell.clinic.time import program_today
from stepwell.testing.auth import verified_login

from .conftest import discharge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user):
    page.context.clear_cookies()
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


def test_an_alumni_group_from_planning_to_attendance(browser_page, clinic):
    page = browser_page
    program = clinic.program_a
    today = program_today(program)
    discharge(clinic, clinic.episode_a, clinic.clinician_a, on=today - timedelta(days=3))
    first = today + timedelta(days=7)

    _log_in(page, clinic.clinician_a)
    page.goto(f"{page.base_url}/alumni/")
    page.wait_for_url(f"**/alumni/programs/{program.pk}/")
    form = page.get_by_test_id("event-form")
    form.locator("#id_title").fill("Thursday alumni circle")
    form.locator("#id_format").select_option("in_person")
    form.locator("#id_recurrence").select_option("weekly")
    form.locator("#id_first_day").fill(first.isoformat())
    form.locator("#id_start_time").fill("18:30")
    form.locator("#id_duration_minutes").fill("90")
    form.locator("#id_repeats_until").fill((first + timedelta(days=21)).isoformat())
    form.locator("button[type=submit]").click()
    page.get_by_text("Say where the group meets.").wait_for()
    form = page.get_by_test_id("event-form")
    form.locator("#id_place").fill("Room 4")
    form.locator("button[type=submit]").click()
    page.get_by_text("“Thursday alumni circle” is on the alumni calendar.").wait_for()
    assert page.get_by_test_id("coming-meetings").inner_text().count("Thursday alumni circle") == 4

    _log_in(page, clinic.patient_user_a)
    page.goto(f"{page.base_url}/")
    page.wait_for_url("**/alumni/portal/")
    calendar = page.get_by_test_id("alumni-calendar")
    assert "Thursday alumni circle" in calendar.inner_text()
    assert "Room 4" in calendar.inner_text()
    calendar.locator("article").first.get_by_role("button", name="I'll be there").click()
    page.get_by_text("Thanks, your answer is saved.").wait_for()
    assert page.get_by_test_id("my-answer").first.inner_text() == "yes"
    assert page.goto(f"{page.base_url}/measures/mine/").status == 403

    _log_in(page, clinic.clinician_a)
    rsvp = AlumniRsvp.objects.get()
    page.goto(f"{page.base_url}/alumni/meetings/{rsvp.meeting_id}/")
    assert "Avery Alder" in page.get_by_test_id("attendance-form").inner_text()
    assert "yes" in page.get_by_test_id("attendance-form").inner_text()

    earlier = services.alumni_event_create(
        actor=clinic.clinician_a,
        program_id=program.pk,
        title="Alumni breakfast",
        format="in_person",
        place="Cafe",
        recurrence="once",
        first_day=today - timedelta(days=1),
        start_time=time(9, 0),
        duration_minutes=60,
        now=timezone.now() - timedelta(days=3),
    )
    page.goto(f"{page.base_url}/alumni/meetings/{earlier.meetings.get().pk}/")
    page.get_by_label("present").check()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("It is not counted as treatment.").wait_for()
    assert list(AlumniAttendance.objects.values_list("patient_id", "present")) == [
        (clinic.patient_a.pk, True)
    ]
