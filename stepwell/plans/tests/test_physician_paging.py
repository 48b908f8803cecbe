"""The physician's list of plans waiting for their signature, on the worklist page and over
the API, comes 50 a page, longest waiting first, cut in SQL, in as many queries for 60
plans as for 3; the audit names the page's patients; who may not see it still may not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.patients.models import EpisodeState
from stepwell.plans.models import PlanSignature, PlanStatus, TreatmentPlan
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNED = datetime(2026, 9, 1, 15, tzinfo=UTC)


def _waiting(size: int):
    """A physician (a prescriber, MD) and `size` plans of their program signed by the
    clinician and waiting for the physician, plan n signed n days after SIGNED."""
    program = ProgramFactory()
    physician = UserFactory(
        roles=["program_director", "prescriber"], programs=[program], credentials="MD"
    )
    plans = []
    for n in range(size):
        episode = EpisodeFactory(
            program=program,
            state=EpisodeState.ACTIVE,
            admitted_on=SIGNED.date() - timedelta(days=10),
            patient__legal_last_name=f"Waiting{n:02d}",
        )
        plan = TreatmentPlan.objects.create(
            patient=episode.patient,
            episode=episode,
            version=1,
            status=PlanStatus.SIGNED,
            signed_at=SIGNED + timedelta(days=n),
            review_days=30,
            requires_physician_signature=True,
            created_by=physician,
        )
        PlanSignature.objects.create(
            plan=plan,
            role="clinician",
            method="electronic",
            signer=physician,
            signer_name="Synthetic",
            signed_at=plan.signed_at,
        )
        plans.append(plan)
    return physician, plans


URL = "/api/v1/plans/worklist/physician"


def test_the_api_lists_50_longest_waiting_first_then_the_rest(client):
    physician, plans = _waiting(60)
    verified_login(client, physician)
    first, second = client.get(URL), client.get(URL, {"offset": 50})
    assert first.status_code == second.status_code == 200
    assert (len(first.json()), len(second.json())) == (50, 10)
    assert [i["plan_id"] for i in first.json() + second.json()] == [p.pk for p in plans]
    event = AuditEvent.objects.filter(object_type="plan_worklist").latest("seq")
    assert event.detail["patients"] == sorted(p.patient_id for p in plans[50:])
    window = client.get(URL, {"limit": 3, "offset": 10}).json()
    assert [i["plan_id"] for i in window] == [p.pk for p in plans[10:13]]


def test_the_worklist_page_shows_50_waiting_plans_a_page(client):
    physician, plans = _waiting(60)
    verified_login(client, physician)
    first = client.get("/plans/worklist/")
    second = client.get("/plans/worklist/", {"page": 2})
    shown = [i.plan.pk for i in first.context["awaiting"] + second.context["awaiting"]]
    assert shown == [p.pk for p in plans]
    html = first.content.decode()
    assert "Page 1 of 2 · 60 plans waiting" in html
    assert 'aria-label="Plans waiting pages"' in html
    assert 'href="?page=2">next' in html


@pytest.mark.parametrize("size", [3, 60])
def test_the_physician_list_takes_as_many_queries_for_60_as_for_3(
    client, django_assert_max_num_queries, size
):
    physician, _ = _waiting(size)
    verified_login(client, physician)
    client.get(URL)  # per-process caches
    with django_assert_max_num_queries(13):
        assert len(client.get(URL).json()) == min(size, 50)
    client.get("/plans/worklist/")
    with django_assert_max_num_queries(23):
        response = client.get("/plans/worklist/")
    assert len(response.context["awaiting"]) == min(size, 50)


def test_who_may_not_see_the_list_is_refused_or_sees_nothing_as_before(client, clinic):
    _waiting(60)
    verified_login(client, clinic.patient_user_a)
    assert client.get(URL, {"offset": 50}).status_code == 403
    verified_login(client, clinic.prescriber_a)  # a physician of another program: none of them
    assert client.get(URL).json() == []
    verified_login(client, clinic.clinician_a)  # not a physician
    assert client.get(URL).json() == []
