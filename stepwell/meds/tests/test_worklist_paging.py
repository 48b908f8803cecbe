"""The medication worklist is read a page at a time in SQL (worklists.worklist_rows): 50
items a page, ordered by the kind of work, the patient's name and the record; the page's
patients alone are audited; a page costs as many queries for 60 patients as for 3. The
visit-due rule, done in SQL per time zone, agrees with the program's calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from stepwell.care.models import ClinicalNote, NoteKind
from stepwell.clinic.time import program_today
from stepwell.meds import worklists
from stepwell.meds.models import Adherence
from stepwell.patients.models import EpisodeState
from stepwell.plans.models import Goal, Intervention, Problem, TreatmentPlan
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

ADMITTED = date(2026, 9, 7)


def _admitted(clinic, count: int) -> list:
    """`count` patients admitted to program A (Row00 on), none reconciled yet."""
    return [
        EpisodeFactory(
            program=clinic.program_a,
            state=EpisodeState.ADMITTED,
            admitted_on=ADMITTED,
            patient__legal_last_name=f"Row{n:02d}",
        )
        for n in range(count)
    ]


def _worrying_answers(episodes) -> None:
    Adherence.objects.bulk_create(
        Adherence(
            patient=e.patient,
            week="2026-W40",
            answer="none",
            answered_at=timezone.now() - timedelta(days=1),
        )
        for e in episodes
    )


def _names(items) -> list[str]:
    return [item.patient.legal_last_name for item in items]


def test_the_worklist_shows_50_items_a_page_in_its_order(client, clinic):
    episodes = _admitted(clinic, 60)
    _worrying_answers(episodes[:3])
    verified_login(client, clinic.prescriber_a)
    first = client.get("/meds/worklist/")
    second = client.get("/meds/worklist/", {"page": 2})
    one = [item for item, _ in first.context["items"]]
    two = [item for item, _ in second.context["items"]]
    assert (len(one), len(two)) == (50, 14)  # Avery and 60 admissions, 3 answers
    admissions = ["Alder", *(f"Row{n:02d}" for n in range(60))]
    assert _names(one + two) == [*admissions, "Row00", "Row01", "Row02"]
    assert [i.kind for i in two[-3:]] == ["adherence"] * 3
    assert {i.kind for i in one} == {"reconciliation_due"}
    assert "Page 1 of 2 · 64 items" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="meds_worklist").latest("seq")
    assert event.detail["patients"] == sorted({i.patient.pk for i in two})  # the page's only
    assert len(event.detail["patients"]) == 14
    past_the_end = client.get("/meds/worklist/", {"page": 9})
    assert len(past_the_end.context["items"]) == 14


def test_the_selector_takes_a_limit_and_an_offset(clinic):
    _admitted(clinic, 12)
    rows = worklists.worklist(user=clinic.prescriber_a, limit=5, offset=10)
    assert _names(rows) == ["Row09", "Row10", "Row11"]


def test_outside_the_scope_the_worklist_is_as_before(client, clinic):
    _admitted(clinic, 60)
    verified_login(client, clinic.billing_a)
    response = client.get("/meds/worklist/", {"page": 2})
    assert response.status_code == 200
    assert response.context["items"] == []  # billing reads no medication record
    assert "Nothing to do." in response.content.decode()
    verified_login(client, clinic.patient_user_a)
    assert client.get("/meds/worklist/")["Location"] == "/"  # patients have the portal


@pytest.mark.parametrize("count", [3, 60])
def test_a_page_makes_as_many_queries_for_60_patients_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    episodes = _admitted(clinic, count)
    _worrying_answers(episodes)
    verified_login(client, clinic.prescriber_a)
    client.get("/meds/worklist/")  # per-process caches
    with django_assert_max_num_queries(17):
        response = client.get("/meds/worklist/")
    assert len(response.context["items"]) == min(50, 2 * count + 1)


def _medication_management(episode, author, sessions_per_week: int) -> None:
    plan = TreatmentPlan.objects.create(
        patient=episode.patient, episode=episode, version=1, review_days=30, created_by=author
    )
    goal = Goal.objects.create(
        problem=Problem.objects.create(plan=plan, statement="Low mood"),
        domain="mental_health",
        patient_words="Feel better",
        clinical_wording="Reduce depressive symptoms",
    )
    Intervention.objects.create(
        goal=goal,
        modality="medication_management",
        minutes_per_session=20,
        sessions_per_week=sessions_per_week,
        duration_weeks=8,
        responsible=author,
    )
    TreatmentPlan.objects.filter(pk=plan.pk).update(status="signed", signed_at=timezone.now())


def _visit_due(clinic) -> list:
    return [i for i in worklists.worklist(user=clinic.prescriber_a) if i.kind == "visit_due"]


@pytest.mark.parametrize(("zone", "sessions"), [("Pacific/Kiritimati", 2), ("America/Adak", 1)])
def test_a_visit_is_due_on_the_programs_own_calendar(clinic, zone, sessions):
    """Last visits an hour apart over ten days, in zones far from UTC either way: the
    item is there exactly when the last visit's date there plus the interval is today or
    past, and says that date."""
    clinic.program_a.timezone = zone
    clinic.program_a.save()
    _medication_management(clinic.episode_a, clinic.prescriber_a, sessions)
    interval = worklists.visit_interval_days(sessions)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    note = ClinicalNote.objects.create(
        kind=NoteKind.MEDICATION,
        patient=clinic.patient_a,
        author=clinic.prescriber_a,
        started_at=now,
        ended_at=now + timedelta(minutes=20),
    )
    today = program_today(clinic.program_a)
    for hours in range(0, 24 * 10, 5):
        started: datetime = now - timedelta(hours=hours)
        ClinicalNote.objects.filter(pk=note.pk).update(
            started_at=started, ended_at=started + timedelta(minutes=20)
        )
        due_on = program_today(clinic.program_a, started) + timedelta(days=interval)
        expected = [due_on] if due_on <= today else []
        assert [i.due_on for i in _visit_due(clinic)] == expected, (hours, started)
