"""List pages come 50 rows a page, with the filters done in SQL and kept by the page links."""

from __future__ import annotations

import re
from datetime import date

import pytest

from stepwell.patients.models import CareTeamMember, EpisodeState
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician_with_60(client):
    """A clinician with 60 admitted patients (last names Row00..Row59) and 5 referred ones."""
    program = ProgramFactory()
    clinician = UserFactory(roles=["clinician"], programs=[program])
    for n in range(60):
        episode = EpisodeFactory(
            program=program,
            state=EpisodeState.ADMITTED,
            admitted_on=date(2026, 10, 5),
            patient__legal_last_name=f"Row{n:02d}",
        )
        CareTeamMember.objects.create(
            patient=episode.patient, user=clinician, team_role="primary_clinician"
        )
    for _ in range(5):
        episode = EpisodeFactory(program=program, state=EpisodeState.REFERRED)
        CareTeamMember.objects.create(
            patient=episode.patient, user=clinician, team_role="primary_clinician"
        )
    verified_login(client, clinician)
    return clinician


def _rows(response) -> list:
    return list(response.context["rows"])


def test_the_caseload_shows_50_episodes_then_the_rest(client, clinician_with_60):
    first = client.get("/caseload/", {"state": "admitted"})
    second = client.get("/caseload/", {"state": "admitted", "page": 2})
    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 10
    names = [e.patient.legal_last_name for e, _ in _rows(first) + _rows(second)]
    assert sorted(names) == [f"Row{n:02d}" for n in range(60)]  # each once, none lost
    assert b"Page 1 of 2" in first.content
    assert b"state=admitted&amp;page=2" in first.content  # the link keeps the filter


def test_the_filter_is_applied_before_paging(client, clinician_with_60):
    response = client.get("/caseload/", {"state": "referred", "page": 1})
    assert len(_rows(response)) == 5
    assert {e.state for e, _ in _rows(response)} == {"referred"}
    assert b"Page 1 of" not in response.content  # one page: no pager


@pytest.mark.parametrize(
    ("page", "expected_rows"), [("abc", 50), ("99", 15), ("-1", 50), ("0", 50)]
)
def test_a_bad_page_number_falls_back_to_a_page_that_exists(
    client, clinician_with_60, page, expected_rows
):
    """Not a number or below 1: the first page; past the end: the last page."""
    response = client.get("/caseload/", {"state": "open", "page": page})
    assert response.status_code == 200
    assert len(_rows(response)) == expected_rows


def test_the_api_lists_patients_50_at_a_time(client, clinician_with_60):
    first = client.get("/api/v1/patients", {"state": "admitted"})
    second = client.get("/api/v1/patients", {"state": "admitted", "offset": 50})
    assert first.status_code == second.status_code == 200
    assert len(first.json()) == 50
    assert len(second.json()) == 10
    ids = [p["id"] for p in first.json() + second.json()]
    assert len(set(ids)) == 60  # each patient once across the pages
    referred = client.get("/api/v1/patients", {"state": "referred", "limit": 3, "offset": 3})
    assert len(referred.json()) == 2  # the filter first, then the page


def test_the_audit_page_shows_50_events_a_page_and_keeps_its_filters(client):
    from stepwell.privacy.audit import AuditAction, audit_record

    admin = UserFactory(roles=["administrator"])
    for n in range(60):
        audit_record(user=admin, action=AuditAction.VIEW, object_type="program", object_id=n)
    verified_login(client, admin)
    first = client.get("/privacy/audit/", {"object_type": "program"})
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.object_list) == 50
    assert page.has_next and not page.has_previous
    second = client.get("/privacy/audit/", {"object_type": "program", "page": 2})
    assert len(second.context["page"].object_list) == 10
    assert not second.context["page"].has_next
    assert {e["object_type"] for e in second.context["page"].object_list} == {"program"}
    # The trail is not counted (it grows with every request): the pager says which events
    # the page shows, and its links keep the filter and the sort.
    assert "Page 1 · events 1–50" in first.content.decode()
    assert "Page 2 · events 51–60" in second.content.decode()
    shown = [e["seq"] for e in [*page.object_list, *second.context["page"].object_list]]
    assert shown == sorted(shown, reverse=True) and len(set(shown)) == 60
    # The links keep the filter, the sort and the trail as the first page showed it:
    # events written meanwhile do not push the first page's rows onto the next.
    link = re.search(r'href="\?([^"]*page=2)"', first.content.decode()).group(1)
    assert link.startswith("object_type=program&amp;as_of=") and "sort=-seq" in link
    for n in range(5):
        audit_record(user=admin, action=AuditAction.VIEW, object_type="program", object_id=n)
    kept = client.get("/privacy/audit/?" + link.replace("&amp;", "&"))
    assert [e["seq"] for e in kept.context["page"]] == shown[50:]
    moved = client.get("/privacy/audit/", {"object_type": "program", "page": 2})
    assert [e["seq"] for e in moved.context["page"]] != shown[50:]  # without it, the rows move


def test_the_plan_worklist_shows_50_due_items_a_page(client, clinician_with_60):
    """60 admitted patients with no plan: 60 first plans due."""
    first = client.get("/plans/worklist/")
    second = client.get("/plans/worklist/", {"page": 2})
    past_the_end = client.get("/plans/worklist/", {"page": 7})
    assert len(first.context["items"]) == 50
    assert len(second.context["items"]) == 10
    assert len(past_the_end.context["items"]) == 10  # the last page
    shown = {i.patient.pk for i in [*first.context["items"], *second.context["items"]]}
    assert len(shown) == 60
    assert b"Page 1 of 2" in first.content
