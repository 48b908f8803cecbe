"""A patient's discharge overview and a program's support-group directory come 50 rows a
page, cut in SQL, in as many queries for 60 rows as for 3; refusals stay as they were."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from stepwell.discharge.models import SupportGroup
from stepwell.patients.models import Episode, EpisodeState
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db


def _past_episodes(clinic, count: int) -> list[Episode]:
    """Avery's earlier stays in program A, the n-th admitted n weeks before 2026-09-01
    (each discharged a week later), besides her open episode."""
    start = date(2026, 9, 1)
    return Episode.objects.bulk_create(
        Episode(
            patient=clinic.patient_a,
            program=clinic.program_a,
            state=EpisodeState.DISCHARGED,
            referred_on=start - timedelta(weeks=n, days=3),
            admitted_on=start - timedelta(weeks=n),
            discharged_on=start - timedelta(weeks=n) + timedelta(days=6),
        )
        for n in range(count)
    )


def _overview(clinic) -> str:
    return f"/patients/{clinic.patient_a.pk}/discharge/"


def test_the_overview_shows_50_episodes_a_page_latest_admitted_first(client, clinic):
    past = _past_episodes(clinic, 59)
    verified_login(client, clinic.clinician_a)
    first = client.get(_overview(clinic))
    second = client.get(_overview(clinic), {"page": 2})
    shown = [r.episode.pk for r in list(first.context["rows"]) + list(second.context["rows"])]
    assert shown == [clinic.episode_a.pk, *(e.pk for e in past)]
    assert "Page 1 of 2 · 60 episodes" in first.content.decode()
    assert 'href="?page=2">next' in first.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_overview_takes_as_many_queries_for_60_episodes_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _past_episodes(clinic, count)
    verified_login(client, clinic.clinician_a)
    client.get(_overview(clinic))
    with django_assert_max_num_queries(15):
        response = client.get(_overview(clinic))
    assert len(response.context["rows"]) == min(count + 1, 50)


def test_the_overview_is_refused_as_before(client, clinic):
    _past_episodes(clinic, 59)
    verified_login(client, clinic.clinician_b)
    assert client.get(_overview(clinic), {"page": 2}).status_code == 403


def _groups(clinic, count: int) -> list[SupportGroup]:
    """`count` active groups of program A, the n-th meeting n minutes after 07:00 on
    Monday, and one taken out of the directory."""
    made = SupportGroup.objects.bulk_create(
        SupportGroup(
            program=clinic.program_a,
            kind="local",
            name=f"Group {n:02d}",
            meeting_day=0,
            meeting_time=time(7, n),
            place="Hall",
            created_by=clinic.director_a,
        )
        for n in range(count)
    )
    SupportGroup.objects.create(
        program=clinic.program_a,
        kind="aa",
        name="Gone",
        meeting_day=0,
        meeting_time=time(6),
        place="Hall",
        active=False,
        created_by=clinic.director_a,
    )
    return made


def test_after_a_refused_group_the_page_links_go_to_the_directory(client, clinic):
    _groups(clinic, 60)
    verified_login(client, clinic.director_a)
    url = f"/discharge/programs/{clinic.program_a.pk}/"
    response = client.post(f"{url}support-groups", {"name": ""})
    assert response.status_code == 400
    assert f'href="{url}?page=2"' in response.content.decode()


def test_the_directory_shows_50_groups_a_page_by_meeting_time(client, clinic):
    made = _groups(clinic, 60)
    verified_login(client, clinic.director_a)
    url = f"/discharge/programs/{clinic.program_a.pk}/"
    first, second = client.get(url), client.get(url, {"page": 2})
    shown = list(first.context["page"].groups) + list(second.context["page"].groups)
    assert [g.pk for g in shown] == [g.pk for g in made]  # the inactive one never
    assert "Page 2 of 2 · 60 support groups" in second.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_directory_takes_as_many_queries_for_60_groups_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _groups(clinic, count)
    verified_login(client, clinic.director_a)
    url = f"/discharge/programs/{clinic.program_a.pk}/"
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_the_directory_is_refused_to_a_patient_as_before(client, clinic):
    _groups(clinic, 60)
    client.force_login(clinic.patient_user_a)
    response = client.get(f"/discharge/programs/{clinic.program_a.pk}/", {"page": 2})
    assert response.status_code == 403
