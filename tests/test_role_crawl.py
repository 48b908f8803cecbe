"""Each role finds its work, and no page shows a link that answers 403 (issue 12).

For every role, a crawl starts at the home page (/) and follows the links of each page it
reaches, two levels deep, on a small clinic with a group, notes and a plan; every link
followed must answer something other than 403. A second crawl starts at a patient's chart
(with a family contact and a coverage) for each staff role that opens it, so the chart's
own pages (details, family contacts, coverages, plans) are reached within the page budget.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from urllib.parse import urljoin, urlparse

import pytest
from django.utils import timezone

from stepwell.billing.services import coverage_add
from stepwell.care.attendance import services as attendance_services
from stepwell.care.notes import group_notes
from stepwell.patients.contacts import family_contact_add
from stepwell.patients.models import CareTeamMember
from stepwell.schedule.models import Enrollment, SessionOccurrence
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PayerFactory

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/accounts/logout", "/static/", "/api/", "/healthz", "mailto:", "javascript:")
MAX_PAGES = 45
ROLES = [
    "clinician_a",
    "prescriber_a",
    "nurse_a",
    "director_a",
    "intake_a",
    "billing_a",
    "admin",
    "patient_user_a",
]


@pytest.fixture
def busy_clinic(clinic):
    """Today's group facilitated by clinician_a with patient_a enrolled, attendance taken
    and a draft group note; patient_a on clinician_a's care team."""
    now = timezone.now()
    occurrence = SessionOccurrence.objects.create(
        program=clinic.program_a,
        kind="process_group",
        title="Process group",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=60),
        capacity=12,
        enrolled_count=1,
    )
    occurrence.facilitators.set([clinic.clinician_a])
    Enrollment.objects.create(occurrence=occurrence, patient=clinic.patient_a)
    CareTeamMember.objects.get_or_create(
        patient=clinic.patient_a, user=clinic.clinician_a, defaults={"team_role": "clinician"}
    )
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=occurrence.pk
    )
    attendance_services.attendance_mark(
        actor=clinic.clinician_a, attendance_id=rows[0].pk, status="present"
    )
    group_notes.group_note_open(actor=clinic.clinician_a, occurrence_id=occurrence.pk)
    family_contact_add(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        data={"name": "Robin Alder", "relationship": "sister"},
    )
    coverage_add(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        payer_id=PayerFactory(name="Crawl Payer").pk,
        member_id="CR-1",
    )
    return clinic


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        if href.startswith(("http://", "https://")) and "testserver" not in href:
            continue
        url = urljoin(base, href)
        path = urlparse(url).path
        query = urlparse(url).query
        if any(path.startswith(s) or href.startswith(s) for s in SKIP):
            continue
        found.append(path + (f"?{query}" if query else ""))
    return found


def _crawl(client, start: str) -> tuple[list[str], set[str]]:
    """Follow links from `start`, two levels deep: the links that answer 403 (or, on the
    start page and its own links, anything but 200) and the pages seen."""
    seen: set[str] = set()
    queue = deque([(start, 0, "(start)")])
    forbidden = []
    while queue and len(seen) < MAX_PAGES:
        url, depth, source = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code == 403 or (depth <= 1 and response.status_code != 200):
            # No link answers 403; the start page's own links all open.
            forbidden.append(f"{url} answers {response.status_code} (linked from {source})")
            continue
        final = response.request["PATH_INFO"]
        if depth >= 2 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _links(final, response.content.decode()):
            if link not in seen:
                queue.append((link, depth + 1, final))
    return forbidden, seen


@pytest.mark.parametrize("who", ROLES)
def test_no_link_a_role_is_shown_answers_403(client, busy_clinic, who):
    verified_login(client, getattr(busy_clinic, who))
    forbidden, seen = _crawl(client, "/")
    assert forbidden == [], f"{who} is shown links that answer 403: {forbidden}"
    assert len(seen) >= 5, f"the crawl reached only {sorted(seen)}"


CHART_ROLES = ["clinician_a", "prescriber_a", "nurse_a", "director_a", "intake_a", "billing_a"]


@pytest.mark.parametrize("who", CHART_ROLES)
def test_no_link_on_a_chart_answers_403(client, busy_clinic, who):
    verified_login(client, getattr(busy_clinic, who))
    chart = f"/patients/{busy_clinic.patient_a.pk}/"
    forbidden, seen = _crawl(client, chart)
    assert forbidden == [], f"{who} is shown links that answer 403: {forbidden}"
    coverages = f"/billing/patients/{busy_clinic.patient_a.pk}/coverages/"
    assert coverages in seen, f"{who}'s chart crawl missed the coverages: {sorted(seen)}"
    if who in ("clinician_a", "director_a", "intake_a"):
        details = f"/patients/{busy_clinic.patient_a.pk}/details/"
        assert details in seen
        forbidden, seen = _crawl(client, details)  # its contact and coverage pages
        assert forbidden == [], f"{who} is shown links that answer 403: {forbidden}"
        assert any(url.startswith("/contacts/") for url in seen), sorted(seen)


def test_each_role_lands_on_its_home(client, busy_clinic):
    verified_login(client, busy_clinic.clinician_a)
    html = client.get("/").content.decode()
    assert 'data-testid="home-groups"' in html and "Process group" in html
    assert 'data-testid="home-notes"' in html
    assert "/measures/alerts/" in html and "/plans/worklist/" in html
    client.logout()
    verified_login(client, busy_clinic.director_a)
    html = client.get("/").content.decode()
    assert 'data-testid="home-director"' in html
    assert f"/care/programs/{busy_clinic.program_a.pk}/compliance/" in html
    assert f"/schedule/{busy_clinic.program_a.pk}/" in html
    client.logout()
    verified_login(client, busy_clinic.admin)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/setup/"
    client.logout()
    verified_login(client, busy_clinic.prescriber_a)
    html = client.get("/").content.decode()
    assert "/plans/worklist/" in html
    assert "/care/programs/" not in html  # no director links
