"""Pages: attendance (htmx rows), group note, patient notes, hours, compliance,
worklist; role matrix asserting denied requests change nothing, leak nothing, are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.care.attendance import services as attendance_services
from stepwell.care.hours import selectors as hours_selectors
from stepwell.care.models import Attendance, ClinicalNote, GroupNote
from stepwell.care.notes import group_notes
from stepwell.care.tests.conftest import AFTER, GROUP_START
from stepwell.care.tests.helpers import birp, signed_group
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

OTHER_ROLES = ["clinician_b", "billing_a", "intake_a", "admin", "patient_user_a"]


def _fresh_denials(user):
    return AuditEvent.objects.filter(user_id=user.pk, outcome="denied")


def test_attendance_page_and_htmx_row_update(client, clinic, group, clock):
    verified_login(client, clinic.clinician_a)
    response = client.get(f"/care/sessions/{group.occurrence.pk}/attendance/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="attendance-row"') == 3
    assert "Dana Dogwood" in html
    row = Attendance.objects.get(patient=group.dana)
    response = client.post(
        f"/care/attendance/{row.pk}/",
        {"status": "late", "check_in_at": "2026-12-08T09:30"},  # local CST = 15:30 UTC
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.startswith(f'<tr id="attendance-row-{row.pk}"')
    assert "<html" not in fragment
    assert 'data-status="late"' in fragment
    assert "150 min" in fragment
    row.refresh_from_db()
    assert (row.status, row.minutes_attended) == ("late", 150)
    assert Attendance.objects.get(patient=group.emery).status == "expected"
    # An illegal change comes back in the row, naming the allowed ones.
    other = Attendance.objects.get(patient=group.emery)
    response = client.post(
        f"/care/attendance/{other.pk}/", {"status": "left_early"}, HTTP_HX_REQUEST="true"
    )
    assert "From expected only: absent_excused, absent_unexcused, cancelled_by_program, late, " in (
        response.content.decode()
    )
    other.refresh_from_db()
    assert other.status == "expected"


def test_walk_in_page(client, clinic, group):
    from stepwell.care.tests.conftest import admitted_patient

    joiner = admitted_patient(clinic.program_a, "Morgan", "Maple")
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/care/sessions/{group.occurrence.pk}/attendance/").content.decode()
    assert "Morgan Maple" in html
    response = client.post(
        f"/care/sessions/{group.occurrence.pk}/walk-in/",
        {"patient_id": joiner.pk, "status": "late"},
    )
    assert response.status_code == 302
    # After the session a late arrival needs a time: refused, nothing added.
    assert Attendance.objects.filter(patient=joiner).count() == 0


def test_group_note_page_save_and_sign_errors_named(client, clinic, group, clock):
    verified_login(client, clinic.clinician_a)
    client.get(f"/care/sessions/{group.occurrence.pk}/attendance/")
    for row in Attendance.objects.all():
        client.post(
            f"/care/attendance/{row.pk}/", {"status": "present", "check_in_at": "2026-12-08T09:00"}
        )
    html = client.get(f"/care/sessions/{group.occurrence.pk}/note/").content.decode()
    assert 'data-testid="participant-count">3<' in html
    note = GroupNote.objects.get()
    sections = {s.patient_id: s for s in note.sections.all()}
    post = {
        "topic": "Distress tolerance",
        "interventions": "DBT skills",
        "modality": "in_person",
        "note_format": "birp",
        "started_at": "2026-12-08T09:00",
        "ended_at": "2026-12-08T12:00",
        "action": "sign",
    }
    for i, section in enumerate(sections.values()):
        for field, value in birp(f"Member {i}").items():
            post[f"section-{section.pk}-{field}"] = value
    dana = sections[group.dana.pk]
    post[f"section-{dana.pk}-plan"] = ""
    response = client.post(f"/care/sessions/{group.occurrence.pk}/note/", post)
    assert response.status_code == 400
    assert "Dana Dogwood: Plan is empty." in response.content.decode()
    assert GroupNote.objects.get().signed_at is None
    assert (
        ClinicalNote.objects.get(pk=dana.pk).behavior == "Member 1: engaged, affect brighter."
    )  # saved
    post[f"section-{dana.pk}-plan"] = "Attend Thursday."
    response = client.post(f"/care/sessions/{group.occurrence.pk}/note/", post)
    assert response.status_code == 302
    assert GroupNote.objects.get().signed_at is not None
    assert ClinicalNote.objects.filter(signed_at__isnull=False).count() == 3


def test_patient_note_shows_count_never_other_names(client, clinic, group):
    signed_group(clinic, group, now=AFTER)
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/care/patients/{clinic.patient_a.pk}/notes/").content.decode()
    assert "Distress tolerance" in html
    assert 'data-testid="participant-count">3<' in html
    assert "Dana" not in html
    assert "Dogwood" not in html
    assert "Emery" not in html
    event = AuditEvent.objects.filter(object_type="clinical_note", action="list").last()
    assert event.patient_id == clinic.patient_a.pk


def test_a_patients_group_note_shows_their_own_attendance(client, clinic, group):
    _, sections = signed_group(clinic, group, now=AFTER)
    dana_row = Attendance.objects.get(patient=group.dana)
    # A correction after the fact: Dana came 45 minutes late.
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=dana_row.pk,
        status="late",
        check_in_at=GROUP_START + timedelta(minutes=45),
        reason="Signed in late at the desk",
        now=AFTER,
    )
    verified_login(client, clinic.clinician_a)
    own = 'data-testid="own-attendance">'
    html = client.get(f"/care/patients/{clinic.patient_a.pk}/notes/").content.decode()
    assert f"{own}Present, 180 min</dd>" in html
    html = client.get(f"/care/patients/{group.dana.pk}/notes/").content.decode()
    assert f"{own}Late, 135 min (in 09:45)</dd>" in html
    assert "Present, 180 min" not in html  # nobody else's attendance
    html = client.get(f"/care/notes/{sections[group.dana.pk].pk}/").content.decode()
    assert f"{own}Late, 135 min (in 09:45)</dd>" in html
    html = client.get(f"/care/sessions/{group.occurrence.pk}/note/").content.decode()
    assert f'data-testid="section-attendance-{group.dana.pk}">Late, 135 min<' in html
    assert f'data-testid="section-attendance-{clinic.patient_a.pk}">Present, 180 min<' in html


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_role_matrix_pages_denied_change_nothing_leak_nothing(client, clinic, group, who):
    _, sections = signed_group(clinic, group, now=AFTER)
    user = getattr(clinic, who)
    verified_login(client, user)
    row = Attendance.objects.get(patient=clinic.patient_a)
    urls = [
        ("get", f"/care/sessions/{group.occurrence.pk}/attendance/", {}),
        ("post", f"/care/attendance/{row.pk}/", {"status": "absent_unexcused"}),
        (
            "post",
            f"/care/sessions/{group.occurrence.pk}/walk-in/",
            {"patient_id": clinic.patient_a.pk},
        ),
        ("get", f"/care/sessions/{group.occurrence.pk}/note/", {}),
        ("get", f"/care/patients/{clinic.patient_a.pk}/notes/", {}),
        ("get", f"/care/notes/{sections[clinic.patient_a.pk].pk}/", {}),
        (
            "post",
            f"/care/notes/{sections[clinic.patient_a.pk].pk}/",
            {"action": "addendum", "text": "x"},
        ),
        ("get", f"/care/patients/{clinic.patient_a.pk}/notes/new/", {}),
        ("get", f"/care/patients/{clinic.patient_a.pk}/private-notes/", {}),
        ("get", f"/care/programs/{clinic.program_a.pk}/compliance/", {}),
    ]
    if who != "billing_a":
        urls.append(("get", f"/care/patients/{clinic.patient_a.pk}/hours/", {}))
    for method, url, data in urls:
        before = _fresh_denials(user).count()
        response = getattr(client, method)(url, data)
        body = response.content.decode()
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"] in ("/", "/portal/"), url
            continue
        assert "Avery" not in body, url
        assert "Alder" not in body, url
        assert _fresh_denials(user).count() == before + 1, url
    row.refresh_from_db()
    assert row.status == "present"
    assert ClinicalNote.objects.filter(addenda__isnull=False).count() == 0


def test_billing_reads_hours_not_notes(client, clinic, group):
    signed_group(clinic, group, now=AFTER)
    verified_login(client, clinic.billing_a)
    assert (
        client.get(f"/care/patients/{clinic.patient_a.pk}/hours/?week=2026-W50").status_code == 200
    )
    assert client.get(f"/care/patients/{clinic.patient_a.pk}/notes/").status_code == 403


def test_hours_and_compliance_pages(client, clinic, group, clock):
    signed_group(clinic, group, now=AFTER)
    verified_login(client, clinic.director_a)
    html = client.get(f"/care/patients/{clinic.patient_a.pk}/hours/?week=2026-W50").content.decode()
    assert 'data-testid="attended"><strong>3.0 h</strong> (180 min)' in html
    assert 'data-flag="below_minimum"' in html
    html = client.get(
        f"/care/programs/{clinic.program_a.pk}/compliance/?week=2026-W50"
    ).content.decode()
    assert html.count('data-testid="compliance-row"') == 3
    assert 'data-testid="below-count"><strong>3</strong> of 3' in html
    event = AuditEvent.objects.filter(object_type="program_compliance").last()
    assert sorted(event.detail["patients"]) == sorted(
        [clinic.patient_a.pk, group.dana.pk, group.emery.pk]
    )
    bad = client.get(f"/care/patients/{clinic.patient_a.pk}/hours/?week=2026-50")
    assert bad.status_code == 400
    assert "That week cannot be shown; this week is shown instead." in bad.content.decode()
    assert "Week: Use the form 2026-W50." in bad.content.decode()


def test_worklists_late_for_author_and_director(client, clinic):
    from django.utils import timezone

    from stepwell.care.tests.conftest import make_occurrence

    past = make_occurrence(
        clinic.program_a,
        starts_at=timezone.now() - timedelta(days=4),
        facilitators=[clinic.clinician_a],
        patients=[clinic.patient_a],
    )
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=past.pk
    )
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[0].pk,
        status="present",
        check_in_at=past.starts_at,
    )
    verified_login(client, clinic.clinician_a)
    html = client.get("/care/").content.decode()
    assert "Not yet documented: Process group" in html
    assert 'data-testid="late"' in html
    group_notes.group_note_open(actor=clinic.clinician_a, occurrence_id=past.pk)
    html = client.get("/care/").content.decode()
    assert "Group note: Process group" in html
    assert "Not yet documented" not in html
    verified_login(client, clinic.director_a)
    html = client.get("/care/").content.decode()
    assert html.count('data-testid="director-item"') == 1
    assert "Hours compliance: Adult MH" in html
    # The director reads the group note without becoming its author.
    response = client.get(f"/care/sessions/{past.pk}/note/")
    assert response.status_code == 200
    assert GroupNote.objects.get(occurrence=past).author == clinic.clinician_a


def test_caseload_shows_hours_badges_only_to_who_reads_hours(client, clinic, group):
    verified_login(client, clinic.clinician_a)
    html = client.get("/caseload/?program=&state=open").content.decode()
    # Avery, Dana and Emery attend program A: each row has this week's projection.
    assert html.count('data-testid="hours-badge"') == 3
    verified_login(client, clinic.intake_a)  # sees the caseload, not the hours
    html = client.get("/caseload/?program=&state=open").content.decode()
    assert "Dana Dogwood" in html
    assert 'data-testid="hours-badge"' not in html


def _badge_queries(clinic, patients) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        hours = hours_selectors.caseload_week_hours(
            user=clinic.clinician_a, patient_ids=[p.pk for p in patients], now=AFTER
        )
    assert set(hours) == {p.pk for p in patients}
    return len(queries)


def test_caseload_badges_take_the_same_queries_for_any_number_of_rows(clinic, group):
    """Issue 19: the badge was computed per row by a template tag (about 8 queries a row)."""
    from stepwell.care.tests.conftest import admitted_patient

    few = [clinic.patient_a, group.dana]
    many = [*few, group.emery] + [
        admitted_patient(clinic.program_a, f"P{i}", "Q") for i in range(6)
    ]
    _badge_queries(clinic, few)  # the user's roles are read once, then kept
    assert _badge_queries(clinic, few) == _badge_queries(clinic, many) <= 12
