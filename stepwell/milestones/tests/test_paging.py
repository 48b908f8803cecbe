"""A patient's milestones come 50 a page, cut in SQL: the API (`limit`, `offset`), the
chart section (`page`, newest first; its links go to the section, not to the chart it is
loaded into) and the patient's progress page (`page` for the timeline, oldest first, and
`objectives_page` for the objectives met). The same refusals as before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stepwell.milestones.models import Milestone
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.html import without_tokens

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2026, 3, 2)


def _recorded(clinic, count: int):
    """`count` recorded milestones, one a day, titled by their day."""
    Milestone.objects.bulk_create(
        Milestone(
            patient=clinic.patient_a,
            episode=clinic.episode_a,
            kind="recorded",
            code="recorded",
            title=f"Day{n:02d}",
            text="Synthetic.",
            achieved_on=FIRST_DAY + timedelta(days=n),
            evidence={"recorded_by": "Clinician A"},
            recorded_by=clinic.clinician_a,
        )
        for n in range(count)
    )


def _objectives(clinic, count: int):
    Milestone.objects.bulk_create(
        Milestone(
            patient=clinic.patient_a,
            episode=clinic.episode_a,
            kind="computed",
            code=f"objective_met:objective-{n:02d}",
            title=f"Objective{n:02d}",
            achieved_on=FIRST_DAY + timedelta(days=n),
            evidence={"objective": f"Objective{n:02d}"},
        )
        for n in range(count)
    )


def _api(clinic) -> str:
    return f"/api/v1/patients/{clinic.patient_a.pk}/milestones"


def test_the_api_lists_milestones_50_at_a_time_newest_first(client, clinic):
    _recorded(clinic, 60)
    verified_login(client, clinic.clinician_a)
    first, second = client.get(_api(clinic)), client.get(_api(clinic), {"offset": 50})
    assert first.status_code == second.status_code == 200
    titles = [m["title"] for m in first.json() + second.json()]
    assert (len(first.json()), len(second.json())) == (50, 10)
    assert titles == [f"Day{n:02d}" for n in reversed(range(60))]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/patients/{pk}/milestones", {"limit": 5}),
        ("/milestones/patients/{pk}/", {"page": 2}),
    ],
)
def test_someone_outside_the_chart_is_still_refused(client, clinic, url, params):
    _recorded(clinic, 60)
    verified_login(client, clinic.billing_a)
    response = client.get(url.format(pk=clinic.patient_a.pk), params)
    assert response.status_code == 403
    assert "Day" not in without_tokens(response.content.decode())
    assert AuditEvent.objects.filter(user_id=clinic.billing_a.pk, outcome="denied").exists()


def test_the_chart_section_shows_50_milestones_a_page(client, clinic):
    _recorded(clinic, 60)
    verified_login(client, clinic.clinician_a)
    url = f"/milestones/patients/{clinic.patient_a.pk}/"
    first, second = client.get(url), client.get(url, {"page": 2})
    titles = [
        m.title for m in [*first.context["chart"].milestones, *second.context["chart"].milestones]
    ]
    assert titles == [f"Day{n:02d}" for n in reversed(range(60))]
    assert len(first.context["chart"].milestones) == 50
    assert f'href="{url}?page=2"' in first.content.decode()
    fragment = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Day00" in fragment and "Day10" not in fragment


def test_the_progress_page_pages_the_timeline_and_the_objectives_apart(client, clinic):
    _recorded(clinic, 60)
    _objectives(clinic, 55)
    verified_login(client, clinic.patient_user_a)
    first = client.get("/milestones/mine/")
    progress = first.context["progress"]
    assert [m.title for m in progress.milestones][:3] == ["Day00", "Objective00", "Day01"]
    assert len(progress.milestones) == 50 and progress.milestones.paginator.count == 115
    assert [m.title for m in progress.objectives_met] == [f"Objective{n:02d}" for n in range(50)]
    later = client.get("/milestones/mine/", {"page": 3, "objectives_page": 2}).context["progress"]
    same_days = [title for n in range(50, 55) for title in (f"Day{n}", f"Objective{n}")]
    assert [m.title for m in later.milestones] == [*same_days, *(f"Day{n}" for n in range(55, 60))]
    assert [m.title for m in later.objectives_met] == [f"Objective{n:02d}" for n in range(50, 55)]
    body = first.content.decode()
    assert "?page=2#timeline-h" in body and "?objectives_page=2#objectives-h" in body


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    ("who", "url", "bound"),
    [
        # one more on SQLite than on PostgreSQL (11 and 15 there), whose audit append goes
        # in one round trip: `make test` without PostgreSQL runs these on SQLite
        ("clinician_a", "/api/v1/patients/{pk}/milestones", 12),
        ("clinician_a", "/milestones/patients/{pk}/", 16),
        ("patient_user_a", "/milestones/mine/", 15),
    ],
)
def test_the_queries_do_not_grow_with_the_rows(
    client, clinic, django_assert_max_num_queries, count, who, url, bound
):
    _recorded(clinic, count)
    _objectives(clinic, count)
    verified_login(client, getattr(clinic, who))
    url = url.format(pk=clinic.patient_a.pk)
    client.get(url)  # per-process caches
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
