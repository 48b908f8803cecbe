"""Bad input on the care pages: a 400 naming the field, or a 404, never a server error
(issue 10 §9); nothing is written when the answer cannot be built."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.care.attendance import services as attendance_services
from stepwell.care.models import Attendance, ClinicalNote, GroupNote
from stepwell.care.notes import services as note_services
from stepwell.care.tests.conftest import DURING, GROUP_START
from stepwell.schedule.models import Appointment, CurriculumModule
from stepwell.testing.auth import verified_login


@pytest.fixture
def appointment_row(clinic):
    """An individual appointment's attendance row (no group occurrence)."""
    appointment = Appointment.objects.create(
        patient=clinic.patient_a,
        staff=clinic.clinician_a,
        program=clinic.program_a,
        kind="individual",
        starts_at=GROUP_START,
        ends_at=GROUP_START + timedelta(minutes=50),
    )
    return attendance_services.attendance_for_appointment_open(
        actor=clinic.clinician_a, appointment_id=appointment.pk
    )


def test_marking_an_appointment_goes_back_to_the_patients_week(
    client, clinic, appointment_row, clock
):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/care/attendance/{appointment_row.pk}/",
        {"status": "present", "check_in_at": "2026-12-08T09:00"},
    )
    # Tuesday 2026-12-08 is in ISO week 2026-W50 (program zone America/Chicago).
    assert response.status_code == 302
    assert response["Location"] == f"/schedule/patients/{clinic.patient_a.pk}/2026-W50/"
    appointment_row.refresh_from_db()
    assert appointment_row.status == "present"
    # The check-in was read in the program's zone (09:00 CST = 15:00 UTC), not as UTC.
    assert appointment_row.check_in_at == GROUP_START


def test_marking_an_appointment_with_htmx_returns_its_row(client, clinic, appointment_row):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/care/attendance/{appointment_row.pk}/", {"status": "present"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="attendance-row-{appointment_row.pk}"' in response.content.decode()


def test_no_write_when_the_answer_cannot_be_built(client, clinic, appointment_row, monkeypatch):
    """The write and the answer share one transaction: a failing answer leaves the row."""
    from stepwell.care.views import attendance as view

    def broken_render(*args, **kwargs):
        raise RuntimeError("the row template failed")

    monkeypatch.setattr(view, "render", broken_render)
    verified_login(client, clinic.clinician_a)
    with pytest.raises(RuntimeError, match="the row template failed"):
        client.post(
            f"/care/attendance/{appointment_row.pk}/",
            {"status": "present"},
            HTTP_HX_REQUEST="true",
        )
    appointment_row.refresh_from_db()
    assert appointment_row.status == "expected"
    assert appointment_row.recorded_by is None


def test_a_refused_mark_with_bad_times_shows_nothing_of_the_row(client, clinic, group):
    row = Attendance.objects.create(
        occurrence=group.occurrence,
        patient=group.dana,
        session_starts_at=group.occurrence.starts_at,
        session_ends_at=group.occurrence.ends_at,
    )
    verified_login(client, clinic.clinician_b)
    response = client.post(
        f"/care/attendance/{row.pk}/",
        {"status": "present", "check_in_at": "not a time"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert "Dogwood" not in response.content.decode()


@pytest.mark.parametrize(
    ("value", "zone"), [("9999-12-31T23:59", "America/Chicago"), ("0001-01-01T00:00", "Asia/Tokyo")]
)
def test_check_in_at_the_edge_of_the_calendar_is_a_field_error(client, clinic, group, value, zone):
    clinic.program_a.timezone = zone  # shifting to UTC leaves Python's calendar
    clinic.program_a.save()
    row = Attendance.objects.create(
        occurrence=group.occurrence,
        patient=group.dana,
        session_starts_at=group.occurrence.starts_at,
        session_ends_at=group.occurrence.ends_at,
    )
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/care/attendance/{row.pk}/",
        {"status": "present", "check_in_at": value},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps the row, which shows the field error
    assert "Give a date and time within the calendar." in response.content.decode()
    row.refresh_from_db()
    assert row.status == "expected"


def _open_group_note(client, clinic, group):
    """Attendance taken (everyone present), then the note opened on its page."""
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    for row in rows:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=DURING
        )
    verified_login(client, clinic.clinician_a)
    assert client.get(f"/care/sessions/{group.occurrence.pk}/note/").status_code == 200
    return GroupNote.objects.get(occurrence=group.occurrence)


@pytest.mark.parametrize("value", ["abc", "٣", "３", "²", "1" + "0" * 39, "-1", "1.5"])
def test_group_note_module_must_be_one_of_the_list(client, clinic, group, value):
    note = _open_group_note(client, clinic, group)
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/note/",
        {"topic": "Changed topic", "curriculum_module": value},
    )
    assert response.status_code == 400
    assert response.context["field_errors"] == {
        "curriculum_module": "Choose one of the listed options."
    }
    assert "Choose one of the listed options." in response.content.decode()
    note.refresh_from_db()
    assert note.topic != "Changed topic"


def test_group_note_module_of_another_program_is_refused(client, clinic, group):
    note = _open_group_note(client, clinic, group)
    other = CurriculumModule.objects.create(
        program=clinic.program_b, position=1, title="Other program"
    )
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/note/",
        {"topic": "Changed topic", "curriculum_module": str(other.pk)},
    )
    assert response.status_code == 400
    assert "Not a module of this program." in response.content.decode()
    note.refresh_from_db()
    assert note.curriculum_module_id is None


def test_group_note_module_is_saved(client, clinic, group):
    note = _open_group_note(client, clinic, group)
    module = CurriculumModule.objects.create(
        program=clinic.program_a, position=1, title="Urge surfing"
    )
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/note/",
        {"topic": "Urges", "curriculum_module": str(module.pk)},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.curriculum_module_id == module.pk


@pytest.mark.parametrize("value", ["²", "abc", "9" * 19])
def test_group_note_goal_ids_must_be_ids(client, clinic, group, value):
    note = _open_group_note(client, clinic, group)
    section = note.sections.get(patient=group.dana)
    field = f"section-{section.pk}-goal_ids"
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/note/", {"topic": "Changed", field: value}
    )
    assert response.status_code == 400
    assert response.context["field_errors"] == {field: "Choose one of the listed options."}
    note.refresh_from_db()
    assert note.topic != "Changed"


@pytest.mark.parametrize(
    "url",
    [
        "/care/sessions/9223372036854775808/note/",
        "/care/sessions/9223372036854775807/note/",
        "/care/sessions/-1/note/",
        "/care/attendance/" + "1" + "0" * 39 + "/",
        "/care/notes/9223372036854775808/",
    ],
)
def test_ids_too_large_for_the_database_are_not_found(client, clinic, url):
    verified_login(client, clinic.clinician_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "present"}).status_code == 404


@pytest.mark.parametrize(
    "week", ["9999-W52", "0000-W01", "0001-W01", "2026-W54", "abc", "٢٠٢٦-W01"]
)
def test_hours_pages_answer_a_bad_week_with_400(client, clinic, week):
    verified_login(client, clinic.director_a)
    for url in [
        f"/care/patients/{clinic.patient_a.pk}/hours/?week={week}",
        f"/care/programs/{clinic.program_a.pk}/compliance/?week={week}",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert set(response.context["field_errors"]) == {"week"}
        assert "Week: " in response.content.decode()


@pytest.mark.parametrize("week", ["9999-W52", "0000-W01", "2026-W54", "abc"])
def test_weekly_hours_api_answers_a_bad_week_with_400(client, clinic, week):
    verified_login(client, clinic.director_a)
    response = client.get(f"/api/v1/patients/{clinic.patient_a.pk}/weekly-hours?week={week}")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"week"}


def _draft_note(clinic):
    return note_services.note_create(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=GROUP_START,
        ended_at=GROUP_START + timedelta(minutes=50),
    )


@pytest.mark.parametrize("value", ["abc", "٣", "1" + "0" * 39])
def test_a_notes_goal_ids_must_be_ids(client, clinic, value):
    note = _draft_note(clinic)
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/care/notes/{note.pk}/", {"plan": "Changed", "goal_ids": value})
    assert response.status_code == 400
    assert response.context["field_errors"] == {"goal_ids": "Choose one of the listed options."}
    note.refresh_from_db()
    assert note.plan == ""


def test_a_note_of_another_kind_is_a_field_error(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/care/patients/{clinic.patient_a.pk}/notes/new/",
        {"kind": "group", "started_at": "2026-12-08T09:00", "ended_at": "2026-12-08T10:00"},
    )
    assert response.status_code == 400
    assert response.context["field_errors"] == {"kind": "Choose individual or medication."}
    assert "Choose individual or medication." in response.content.decode()


def test_a_new_notes_times_are_read_in_the_programs_zone(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/care/patients/{clinic.patient_a.pk}/notes/new/",
        {"kind": "individual", "started_at": "2026-12-08T09:00", "ended_at": ""},
    )
    assert response.status_code == 400
    assert response.context["field_errors"] == {"ended_at": "Required."}
    response = client.post(
        f"/care/patients/{clinic.patient_a.pk}/notes/new/",
        {"kind": "individual", "started_at": "2026-12-08T09:00", "ended_at": "2026-12-08T09:50"},
    )
    assert response.status_code == 302
    note = ClinicalNote.objects.get(kind="individual")
    assert note.started_at == GROUP_START  # 09:00 America/Chicago is 15:00 UTC


@pytest.mark.parametrize("value", ["abc", "", "٣"])
def test_a_walk_in_must_name_a_listed_patient(client, clinic, group, value):
    verified_login(client, clinic.clinician_a)
    client.get(f"/care/sessions/{group.occurrence.pk}/attendance/")
    before = Attendance.objects.count()
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/walk-in/", {"patient_id": value}, follow=True
    )
    assert response.status_code == 200
    assert Attendance.objects.count() == before
    body = response.content.decode()
    assert "Choose one of the listed options." in body or "Choose the patient." in body


def test_a_walk_in_of_another_program_is_refused_by_the_rule(client, clinic, group):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/walk-in/",
        {"patient_id": clinic.patient_b.pk},
        follow=True,
    )
    assert "Choose an admitted patient of this program." in response.content.decode()
    assert not Attendance.objects.filter(patient=clinic.patient_b).exists()
