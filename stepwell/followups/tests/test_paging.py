"""The follow-up worklist and an episode's follow-ups over the API come 50 a page, cut in
SQL after the access scope and the status filter, with as many queries for 60 as for 3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.followups.models import FollowUp, FollowUpStatus
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import DISCHARGED_ON

pytestmark = pytest.mark.django_db


def _follow_ups(clinic, count: int, *, first_day: int = 1, status=FollowUpStatus.DUE):
    """`count` follow-ups of Avery's discharged episode, a day apart from `first_day`."""
    completed = status == FollowUpStatus.COMPLETED
    return FollowUp.objects.bulk_create(
        FollowUp(
            episode=clinic.episode_a,
            patient=clinic.patient_a,
            program=clinic.program_a,
            days_after_discharge=day,
            due_on=DISCHARGED_ON + timedelta(days=day),
            instruments=["phq9"],
            status=status,
            method="phone" if completed else "",
            completed_at=datetime(2026, 12, 1, tzinfo=UTC) if completed else None,
        )
        for day in range(first_day, first_day + count)
    )


def _shown(response) -> list[int]:
    return [row.follow_up.pk for row in response.context["rows"]]


def test_the_worklist_shows_50_follow_ups_then_the_rest_soonest_due_first(client, discharged):
    follow_ups = _follow_ups(discharged, 60)
    verified_login(client, discharged.nurse_a)
    first = client.get("/follow-ups/")
    second = client.get("/follow-ups/", {"page": 2})
    assert first.status_code == second.status_code == 200
    assert len(_shown(first)) == 50
    assert _shown(first) + _shown(second) == [f.pk for f in follow_ups]  # each once, in order
    assert "Page 1 of 2 · 60 follow-ups" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="follow_up_worklist").latest("seq")
    assert event.detail["patients"] == [discharged.patient_a.pk]


def test_the_worklist_filter_comes_before_the_page_and_stays_in_its_links(client, discharged):
    _follow_ups(discharged, 3)
    completed = _follow_ups(discharged, 55, first_day=100, status=FollowUpStatus.COMPLETED)
    verified_login(client, discharged.nurse_a)
    first = client.get("/follow-ups/", {"status": "completed"})
    second = client.get("/follow-ups/", {"status": "completed", "page": 2})
    assert _shown(first) + _shown(second) == [f.pk for f in completed]
    assert "status=completed&amp;page=2" in first.content.decode()
    due = client.get("/follow-ups/", {"status": "due", "page": 4})
    assert len(_shown(due)) == 3  # past the end: the last (only) page
    assert "Page 1 of" not in due.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_worklist_makes_as_many_queries_for_60_as_for_3(
    client, discharged, django_assert_max_num_queries, count
):
    _follow_ups(discharged, count)
    verified_login(client, discharged.clinician_a)
    client.get("/follow-ups/")  # per-process caches
    with django_assert_max_num_queries(15):
        response = client.get("/follow-ups/")
    assert len(_shown(response)) == min(count, 50)


def test_the_worklist_is_still_refused_to_billing(client, discharged):
    _follow_ups(discharged, 60)
    verified_login(client, discharged.billing_a)
    assert client.get("/follow-ups/", {"page": 2}).status_code == 403
    assert AuditEvent.objects.get(object_type="follow_up_worklist").outcome == "denied"


def _url(clinic) -> str:
    return f"/api/v1/episodes/{clinic.episode_a.pk}/follow-ups"


def test_the_api_lists_an_episodes_follow_ups_50_at_a_time(client, discharged):
    follow_ups = _follow_ups(discharged, 60)
    verified_login(client, discharged.clinician_a)
    first = client.get(_url(discharged))
    second = client.get(_url(discharged), {"offset": 50})
    assert first.status_code == second.status_code == 200
    assert len(first.json()) == 50
    assert [f["id"] for f in first.json() + second.json()] == [f.pk for f in follow_ups]
    event = AuditEvent.objects.filter(object_type="follow_up").latest("seq")
    assert event.detail["follow_ups"] == [f["id"] for f in second.json()]  # the page only


@pytest.mark.parametrize("count", [3, 60])
def test_the_api_makes_as_many_queries_for_60_follow_ups_as_for_3(
    client, discharged, django_assert_max_num_queries, count
):
    _follow_ups(discharged, count)
    verified_login(client, discharged.clinician_a)
    client.get(_url(discharged))
    # 16: the episode is read, then allowed from its patient's facts (two plain queries,
    # not one built from the user's scope; see access_episode_by_id).
    with django_assert_max_num_queries(16):
        response = client.get(_url(discharged))
    assert len(response.json()) == min(count, 50)


def test_the_api_still_refuses_a_clinician_of_another_program(client, discharged):
    _follow_ups(discharged, 60)
    verified_login(client, discharged.clinician_b)
    response = client.get(_url(discharged), {"offset": 50})
    assert response.status_code == 403
    assert AuditEvent.objects.get(object_type="follow_up").outcome == "denied"
