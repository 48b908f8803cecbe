"""The plan worklist page and API make as many queries for many due items as for few, and
page them 50 at a time: the database counts and slices, only the rows shown are loaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.billing.models import Coverage
from stepwell.clinic.time import program_today
from stepwell.patients.models import EpisodeState
from stepwell.plans.models import (
    PhysicianCertification,
    PlanReview,
    PlanSignature,
    PlanStatus,
    TreatmentPlan,
)
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, PayerFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 4, 40  # episodes; each kind of episode below brings one or more due items


def _plan(episode, staff, *, version, signed, roles=(), previous=None):
    signed_at = datetime(2026, 9, 1, 15, tzinfo=UTC) if signed else None
    plan = TreatmentPlan.objects.create(
        patient=episode.patient,
        episode=episode,
        version=version,
        previous=previous,
        status=PlanStatus.SIGNED if signed else PlanStatus.DRAFT,
        signed_at=signed_at,
        review_days=30,
        created_by=staff,
    )
    for role in roles:
        PlanSignature.objects.create(
            plan=plan,
            role=role,
            method="electronic",
            signer=staff,
            signer_name="Synthetic",
            signed_at=signed_at,
        )
    return plan


def _clinic(size: int):
    """`size` admitted episodes, in turn: no plan; a draft; a signed version waiting for
    the patient and, Medicare covering them, the physician; a complete version with a
    review and a certification, both due, and a draft of the next version."""
    program = ProgramFactory()
    staff = UserFactory(
        roles=["program_director", "prescriber"], programs=[program], credentials="MD"
    )
    medicare = PayerFactory(kind="medicare")
    today = program_today(program)
    for n in range(size):
        episode = EpisodeFactory(
            program=program,
            state=EpisodeState.ACTIVE,
            admitted_on=today - timedelta(days=60 + n % 7),
            patient__legal_last_name=f"Synthetic{n:03d}",
        )
        kind = n % 4
        if kind == 1:
            _plan(episode, staff, version=1, signed=False)
        elif kind == 2:
            Coverage.objects.create(patient=episode.patient, payer=medicare)
            _plan(episode, staff, version=1, signed=True, roles=["clinician"])
        elif kind == 3:
            plan = _plan(
                episode, staff, version=1, signed=True, roles=["clinician", "patient", "physician"]
            )
            PlanReview.objects.create(
                plan=plan,
                reviewed_on=today - timedelta(days=25),
                outcome="continue",
                note="Synthetic review",
                reviewer=staff,
            )
            PhysicianCertification.objects.create(
                episode=episode,
                plan=plan,
                physician=staff,
                kind="certification",
                certified_on=today - timedelta(days=40),
                recertify_by=today + timedelta(days=3),
            )
            _plan(episode, staff, version=2, signed=False, previous=plan)
    return staff


# The bounds are what the pages make with a couple of queries to spare, the same for both
# sizes (a query per row would pass the small clinic and fail the large one).
@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/plans/worklist/", 32),
        ("/api/v1/plans/worklist", 26),
        ("/api/v1/plans/worklist/physician", 21),
    ],
)
@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_worklist_makes_as_many_queries_for_many_rows_as_for_few(
    client, django_assert_max_num_queries, url, bound, size
):
    verified_login(client, _clinic(size))
    client.get(url)  # fills per-process caches
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200


def test_the_worklist_pages_fifty_items_and_audits_the_patients_shown(client):
    staff = _clinic(LARGE)
    verified_login(client, staff)
    # 40 episodes, ten of each kind: 30 first plans, 20 reviews (the versions waiting for
    # signatures are signed, so their reviews fall due too), 10 recertifications.
    html = client.get("/plans/worklist/").content.decode()
    assert "Page 1 of 2 · 60 due" in html
    assert html.count("Synthetic") >= 50
    shown = (
        AuditEvent.objects.filter(object_type="plan_worklist")
        .order_by("pk")
        .last()
        .detail["patients"]
    )
    everything = client.get("/api/v1/plans/worklist?limit=500").json()
    assert len(everything) == 60
    assert [row["due_on"] for row in everything] == sorted(row["due_on"] for row in everything)
    kinds = [row["kind"] for row in everything]
    assert (kinds.count("first_plan"), kinds.count("plan_review")) == (30, 20)
    assert kinds.count("recertification") == 10
    assert {row["patient_id"] for row in everything[:50]} <= set(shown)
    details = {row["detail"] for row in everything if row["kind"] == "first_plan"}
    assert details == {"No plan yet", "Draft v1, not signed", "v1 awaiting patient and physician"}
    assert client.get("/api/v1/plans/worklist?limit=20&offset=50").json() == everything[50:]
    assert len(client.get("/api/v1/plans/worklist/physician").json()) == 10


def test_the_second_page_of_the_worklist(client):
    verified_login(client, _clinic(LARGE))
    html = client.get("/plans/worklist/?page=2").content.decode()
    assert "Page 2 of 2 · 60 due" in html
    listed = (
        AuditEvent.objects.filter(object_type="plan_worklist")
        .order_by("pk")
        .last()
        .detail["patients"]
    )
    page_two = client.get("/api/v1/plans/worklist?limit=50&offset=50").json()
    assert len(page_two) == 10
    assert {row["patient_id"] for row in page_two} <= set(listed)


def test_a_page_past_the_end_shows_the_last_a_word_the_first(client):
    verified_login(client, _clinic(LARGE))
    assert "Page 2 of 2 · 60 due" in client.get("/plans/worklist/?page=9").content.decode()
    assert "Page 1 of 2 · 60 due" in client.get("/plans/worklist/?page=x").content.decode()
    assert "Page 1 of 2 · 60 due" in client.get("/plans/worklist/?page=-3").content.decode()
    huge = client.get(f"/plans/worklist/?page={10**30}").content.decode()
    assert "Page 2 of 2 · 60 due" in huge


def test_staff_with_no_program_see_nothing_due(client):
    _clinic(SMALL)
    nurse = UserFactory(roles=["nurse"], programs=[])
    verified_login(client, nurse)
    response = client.get("/plans/worklist/")
    assert response.status_code == 200
    assert response.context["items"] == []
    assert client.get("/api/v1/plans/worklist").json() == []
