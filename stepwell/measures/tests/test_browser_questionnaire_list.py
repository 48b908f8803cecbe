"""In a real browser: the chart shows the patient's 10 newest questionnaires and links
to all of them; their own page shows 50 and loads the next 50 in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from stepwell.accounts.models import Role
from stepwell.measures.models import Administration, AdministrationStatus
from stepwell.patients.models import CareTeamMember, EpisodeState
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_the_chart_links_to_every_questionnaire_and_their_page_pages_in_place(browser_page):
    page = browser_page
    episode = EpisodeFactory(state=EpisodeState.ACTIVE)
    clinician = UserFactory(roles=[Role.CLINICIAN], programs=[episode.program])
    patient = episode.patient
    CareTeamMember.objects.create(patient=patient, user=clinician, team_role="primary_clinician")
    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    Administration.objects.bulk_create(
        Administration(
            patient=patient,
            episode=episode,
            instrument_key="phq9",
            instrument_version="1.1.0",
            status=AdministrationStatus.COMPLETED,
            answers={},
            total=n % 27,
            completed_at=start + timedelta(days=n),
        )
        for n in range(60)
    )
    newest_first = list(Administration.objects.filter(patient=patient).values_list("pk", flat=True))
    cookie = verified_login(Client(), clinician).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])

    def rows() -> list[int]:
        found = page.locator('#administrations tr[data-testid^="administration-"]')
        return [
            int(t.removeprefix("administration-"))
            for t in found.evaluate_all("rows => rows.map(r => r.dataset.testid)")
        ]

    page.goto(f"{page.base_url}/patients/{patient.pk}/")
    assert rows() == newest_first[:10]
    assert "(the 10 newest of 60)" in page.get_by_test_id("administrations").inner_text()
    page.get_by_test_id("all-administrations").click()
    page.wait_for_url(f"**/measures/patients/{patient.pk}/administrations/")
    assert rows() == newest_first[:50]
    page.get_by_test_id("administrations").get_by_role("link", name="next").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#administrations tr[data-testid]').length === 10"
    )
    assert rows() == newest_first[50:]
    assert page.url.endswith(f"/measures/patients/{patient.pk}/administrations/")  # in place
