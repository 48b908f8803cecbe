"""A patient's notes (page and API), the private notes, the notes worklist and the API
roster come 50 rows a page, cut in SQL, newest or longest waiting first, in as many
queries for 60 rows as for 3; the audit names only the rows shown; refusals stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from stepwell.care.attendance import services as attendance_services
from stepwell.care.models import Attendance, ClinicalNote, GroupNote, PsychotherapyNote
from stepwell.care.tests.conftest import admitted_patient
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.models import Enrollment, SessionOccurrence
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)


def _notes(clinic, count: int, *, signed: bool = True, ended_days_ago: int = 30) -> list[int]:
    """`count` individual notes of Avery by clinician A, note n created n minutes after
    BASE (ids in creation order)."""
    ended = NOW - timedelta(days=ended_days_ago)
    made = ClinicalNote.objects.bulk_create(
        ClinicalNote(
            kind="individual",
            patient=clinic.patient_a,
            author=clinic.clinician_a,
            started_at=ended - timedelta(minutes=50 + n),
            ended_at=ended - timedelta(minutes=n),
            plan=f"Synthetic plan {n}",
            signed_at=ended if signed else None,
        )
        for n in range(count)
    )
    for n, note in enumerate(made):
        ClinicalNote.objects.filter(pk=note.pk).update(created_at=BASE + timedelta(minutes=n))
    return [note.pk for note in made]


# ---- a patient's notes: the chart page and the API ------------------------------------


def test_the_api_lists_notes_newest_first_50_then_the_rest(client, clinic):
    ids = _notes(clinic, 60)
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/patients/{clinic.patient_a.pk}/notes"
    first, second = client.get(url), client.get(url, {"offset": 50})
    assert first.status_code == second.status_code == 200
    shown = [n["id"] for n in first.json() + second.json()]
    assert (len(first.json()), len(second.json())) == (50, 10)
    assert shown == ids[::-1]  # newest first, each once, none lost
    assert [n["id"] for n in client.get(url, {"limit": 5, "offset": 55}).json()] == ids[4::-1]


def test_the_api_audit_names_only_the_notes_returned(client, clinic):
    ids = _notes(clinic, 60)
    verified_login(client, clinic.clinician_a)
    client.get(f"/api/v1/patients/{clinic.patient_a.pk}/notes", {"offset": 50})
    event = AuditEvent.objects.filter(object_type="clinical_note", action="list").latest("seq")
    assert event.detail["notes"] == ids[9::-1]


def test_the_notes_page_shows_50_then_the_rest_with_a_pager(client, clinic):
    ids = _notes(clinic, 60)
    verified_login(client, clinic.clinician_a)
    url = f"/care/patients/{clinic.patient_a.pk}/notes/"
    first, second = client.get(url), client.get(url, {"page": 2})
    shown = [n.pk for n, _, _ in first.context["notes"] + second.context["notes"]]
    assert shown == ids[::-1]
    assert "Page 1 of 2 · 60 notes" in first.content.decode()
    assert 'href="?page=2">next' in first.content.decode()
    event = AuditEvent.objects.filter(object_type="clinical_note", action="list").latest("seq")
    assert event.detail["notes"] == ids[9::-1]


@pytest.mark.parametrize("count", [3, 60])
def test_the_notes_take_as_many_queries_for_60_as_for_3(
    client, clinic, group, django_assert_max_num_queries, count
):
    _notes(clinic, count)
    _group_section(clinic, group)  # a group section too: its count is read for all at once
    verified_login(client, clinic.clinician_a)
    page = f"/care/patients/{clinic.patient_a.pk}/notes/"
    api = f"/api/v1/patients/{clinic.patient_a.pk}/notes"
    client.get(page)  # per-process caches
    with django_assert_max_num_queries(25):  # the patient, then its facts for the rule
        assert client.get(page).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(api).status_code == 200


def _group_section(clinic, group) -> None:
    note = GroupNote.objects.create(
        occurrence=group.occurrence,
        author=clinic.clinician_a,
        started_at=group.occurrence.starts_at,
        ended_at=group.occurrence.ends_at,
    )
    ClinicalNote.objects.create(
        kind="group", patient=clinic.patient_a, author=clinic.clinician_a, group_note=note
    )


@pytest.mark.parametrize("who", ["clinician_b", "billing_a"])
def test_who_may_not_read_the_notes_is_refused_as_before(client, clinic, who):
    _notes(clinic, 60)
    verified_login(client, getattr(clinic, who))
    assert client.get(f"/api/v1/patients/{clinic.patient_a.pk}/notes").status_code == 403
    assert (
        client.get(f"/care/patients/{clinic.patient_a.pk}/notes/", {"page": 2}).status_code == 403
    )


# ---- the author's private notes --------------------------------------------------------


def test_the_private_notes_come_50_a_page_newest_first(client, clinic):
    made = PsychotherapyNote.objects.bulk_create(
        PsychotherapyNote(author=clinic.clinician_a, patient=clinic.patient_a, text=f"Private {n}")
        for n in range(60)
    )
    for n, note in enumerate(made):
        PsychotherapyNote.objects.filter(pk=note.pk).update(created_at=BASE + timedelta(hours=n))
    ids = [note.pk for note in made]
    verified_login(client, clinic.clinician_a)
    url = f"/care/patients/{clinic.patient_a.pk}/private-notes/"
    first, second = client.get(url), client.get(url, {"page": 2})
    assert [n.pk for n in first.context["notes"] + second.context["notes"]] == ids[::-1]
    assert "Page 2 of 2 · 60 private notes" in second.content.decode()
    event = AuditEvent.objects.filter(object_type="psychotherapy_note").latest("seq")
    assert event.detail["notes"] == ids[9::-1]
    verified_login(client, clinic.director_a)
    assert client.get(url, {"page": 2}).status_code == 403


# ---- the roster over the API -----------------------------------------------------------


def _roster(clinic, size: int) -> SessionOccurrence:
    occurrence = SessionOccurrence.objects.create(
        program=clinic.program_a,
        kind="process_group",
        title="Large group",
        starts_at=BASE,
        ends_at=BASE + timedelta(hours=3),
        capacity=size,
        enrolled_count=size,
    )
    occurrence.facilitators.set([clinic.clinician_a])
    for n in range(size):
        patient = admitted_patient(clinic.program_a, f"First{n:02d}", f"Roster{n:02d}")
        Enrollment.objects.create(occurrence=occurrence, patient=patient)
    return occurrence


def test_the_api_roster_comes_50_a_page_by_name(client, clinic):
    occurrence = _roster(clinic, 60)
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/care/occurrences/{occurrence.pk}/attendance"
    first, second = client.get(url), client.get(url, {"offset": 50})
    assert (len(first.json()), len(second.json())) == (50, 10)
    names = [row["patient"] for row in first.json() + second.json()]
    assert names == [f"First{n:02d} Roster{n:02d}" for n in range(60)]
    assert Attendance.objects.filter(occurrence=occurrence).count() == 60  # all created once
    event = AuditEvent.objects.filter(object_type="attendance_roster").latest("seq")
    assert sorted(event.detail["patients"]) == sorted(row["patient_id"] for row in second.json())


@pytest.mark.parametrize("size", [3, 60])
def test_the_api_roster_takes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, size
):
    occurrence = _roster(clinic, size)
    attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=occurrence.pk
    )
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/care/occurrences/{occurrence.pk}/attendance"
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_the_roster_is_refused_to_who_does_not_take_attendance(client, clinic):
    occurrence = _roster(clinic, 60)
    verified_login(client, clinic.clinician_b)
    response = client.get(f"/api/v1/care/occurrences/{occurrence.pk}/attendance", {"offset": 50})
    assert response.status_code == 403
    assert not Attendance.objects.filter(occurrence=occurrence).exists()


# ---- the notes worklist ----------------------------------------------------------------


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _undocumented_group(clinic) -> SessionOccurrence:
    """A group clinician A facilitated three days before NOW, attended, with no note."""
    starts = NOW - timedelta(days=3)
    occurrence = SessionOccurrence.objects.create(
        program=clinic.program_a,
        kind="process_group",
        title="Undocumented group",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=12,
    )
    occurrence.facilitators.set([clinic.clinician_a])
    Attendance.objects.create(
        occurrence=occurrence,
        patient=clinic.patient_a,
        status="present",
        session_starts_at=occurrence.starts_at,
        session_ends_at=occurrence.ends_at,
    )
    return occurrence


def _items(response, key: str) -> list[tuple[str, str]]:
    return [(item.kind, item.url) for item in response.context[key]]


def test_my_notes_to_finish_come_50_a_page_oldest_first(client, clinic, at_now):
    ids = _notes(clinic, 59, signed=False, ended_days_ago=5)
    group = _undocumented_group(clinic)  # ended after every note: the last item
    verified_login(client, clinic.clinician_a)
    first, second = client.get("/care/"), client.get("/care/", {"page": 2})
    mine = _items(first, "mine") + _items(second, "mine")
    assert (len(first.context["mine"]), len(second.context["mine"])) == (50, 10)
    expected = [("clinical_note", f"/care/notes/{pk}/") for pk in ids[::-1]]
    assert mine == [*expected, ("undocumented_group", f"/care/sessions/{group.pk}/note/")]
    assert "Page 1 of 2 · 60 notes to finish" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="note_worklist").latest("seq")
    assert event.detail["patients"] == [clinic.patient_a.pk]


def test_the_directors_late_notes_come_50_a_page(client, clinic, at_now):
    ids = _notes(clinic, 60, signed=False, ended_days_ago=10)
    verified_login(client, clinic.director_a)
    first, second = client.get("/care/"), client.get("/care/", {"page": 2})
    late = _items(first, "late_for_director") + _items(second, "late_for_director")
    assert late == [("clinical_note", f"/care/notes/{pk}/") for pk in ids[::-1]]
    assert first.content.decode().count('data-testid="director-item"') == 50
    assert "Page 2 of 2 · 60 late notes" in second.content.decode()
    verified_login(client, clinic.clinician_b)  # another program's clinician: none of them
    assert client.get("/care/", {"page": 2}).context["late_for_director"] == []


def test_the_home_page_counts_every_late_note_not_the_first_page(client, clinic, at_now):
    _notes(clinic, 60, signed=False, ended_days_ago=10)
    verified_login(client, clinic.director_a)
    assert "60 note(s) unsigned past the director's threshold" in client.get("/").content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_worklist_takes_as_many_queries_for_60_as_for_3(
    client, clinic, at_now, django_assert_max_num_queries, count
):
    _notes(clinic, count, signed=False, ended_days_ago=10)
    _undocumented_group(clinic)
    verified_login(client, clinic.director_a)
    client.get("/care/")
    with django_assert_max_num_queries(17):
        response = client.get("/care/")
    assert len(response.context["late_for_director"]) == min(count, 50)
