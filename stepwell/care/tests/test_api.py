"""API: weekly hours, attendance, notes; role matrix; nothing leaks or changes."""

from __future__ import annotations

import pytest

from stepwell.care.models import Attendance, ClinicalNote, NoteAddendum
from stepwell.care.tests.conftest import AFTER
from stepwell.care.tests.helpers import signed_group
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import CoverageFactory, PayerFactory

DENIED = ["clinician_b", "intake_a", "admin", "patient_user_a"]


def test_weekly_hours_api(client, clinic, group, clock):
    CoverageFactory(patient=clinic.patient_a, payer=PayerFactory(name="Plan", hours_rule="h0015"))
    signed_group(clinic, group, now=AFTER)
    verified_login(client, clinic.clinician_a)
    response = client.get(f"/api/v1/patients/{clinic.patient_a.pk}/weekly-hours?week=2026-W50")
    assert response.status_code == 200
    body = response.json()
    assert body["attended_minutes"] == 180
    assert body["scheduled_minutes"] == 0
    assert body["projected_minutes"] == 180
    assert body["window"] == {"min": 540, "max": 1140}
    assert [f["code"] for f in body["flags"]] == ["below_minimum", "few_days"]
    assert body["rule"] == {
        "name": "H0015 (Plan)",
        "kind": "h0015",
        "source": "Plan, primary coverage.",
        "min_weekly_minutes": None,
        "min_daily_minutes": 180,
        "min_days": 3,
        "day_counts_from_minutes": 180,
    }
    assert (body["min_days"], body["counted_days"], body["prorated"]) == (3, 1, False)
    assert body["days"][0]["services"] == 1
    assert body["days"][0]["counts"] is True
    assert AuditEvent.objects.filter(
        object_type="weekly_hours", patient_id=clinic.patient_a.pk
    ).exists()
    bad = client.get(f"/api/v1/patients/{clinic.patient_a.pk}/weekly-hours?week=50")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"week": "Use the form 2026-W50."}


def test_attendance_api(client, clinic, group, clock):
    verified_login(client, clinic.clinician_a)
    rows = client.get(f"/api/v1/care/occurrences/{group.occurrence.pk}/attendance").json()
    assert len(rows) == 3
    dana = next(r for r in rows if r["patient_id"] == group.dana.pk)
    response = client.post(
        f"/api/v1/care/attendance/{dana['id']}",
        {"status": "late", "check_in_at": "2026-12-08T15:45:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["minutes_attended"] == 135
    illegal = client.post(
        f"/api/v1/care/attendance/{dana['id']}",
        {"status": "expected"},
        content_type="application/json",
    )
    assert illegal.status_code == 400
    assert illegal.json()["errors"] == {
        "status": "From late only: absent_excused, absent_unexcused, left_early, present."
    }


def test_notes_api_never_names_other_participants(client, clinic, group):
    _, sections = signed_group(clinic, group, now=AFTER)
    verified_login(client, clinic.director_a)
    response = client.get(f"/api/v1/patients/{clinic.patient_a.pk}/notes")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Dana" not in text and "Emery" not in text
    (note,) = response.json()
    assert note["group"]["participant_count"] == 3
    assert note["sections"]["behavior"].endswith("engaged, affect brighter.")
    detail = client.get(f"/api/v1/care/notes/{sections[clinic.patient_a.pk].pk}")
    assert detail.status_code == 200


def test_individual_note_lifecycle_api(client, clinic, clock):
    verified_login(client, clinic.clinician_a)
    created = client.post(
        f"/api/v1/patients/{clinic.patient_a.pk}/notes",
        {
            "kind": "individual",
            "note_format": "girp",
            "started_at": "2026-12-08T16:00:00Z",
            "ended_at": "2026-12-08T16:53:00Z",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    note_id = created.json()["id"]
    empty = client.post(f"/api/v1/care/notes/{note_id}/sign")
    assert empty.status_code == 400
    assert set(empty.json()["errors"]) == {"goal", "intervention", "response", "plan"}
    client.patch(
        f"/api/v1/care/notes/{note_id}",
        {
            "goal": "Reduce isolation",
            "intervention": "BA",
            "response": "Planned a call",
            "plan": "Review",
            "risk_check": "no_risk",
        },
        content_type="application/json",
    )
    assert client.post(f"/api/v1/care/notes/{note_id}/sign").json()["signed_at"] is not None
    locked = client.patch(
        f"/api/v1/care/notes/{note_id}", {"plan": "x"}, content_type="application/json"
    )
    assert locked.status_code == 400
    addendum = client.post(
        f"/api/v1/care/notes/{note_id}/addenda",
        {"text": "Also discussed sleep."},
        content_type="application/json",
    )
    assert addendum.status_code == 201
    assert ClinicalNote.objects.get(pk=note_id).plan == "Review"


@pytest.mark.parametrize("who", DENIED)
def test_api_role_matrix(client, clinic, group, who):
    _, sections = signed_group(clinic, group, now=AFTER)
    user = getattr(clinic, who)
    verified_login(client, user)
    row = Attendance.objects.get(patient=clinic.patient_a)
    note_id = sections[clinic.patient_a.pk].pk
    calls = [
        ("get", f"/api/v1/patients/{clinic.patient_a.pk}/weekly-hours?week=2026-W50", None),
        ("get", f"/api/v1/care/occurrences/{group.occurrence.pk}/attendance", None),
        ("post", f"/api/v1/care/attendance/{row.pk}", {"status": "absent_unexcused"}),
        (
            "post",
            f"/api/v1/care/occurrences/{group.occurrence.pk}/walk-ins",
            {"patient_id": clinic.patient_a.pk},
        ),
        ("get", f"/api/v1/patients/{clinic.patient_a.pk}/notes", None),
        ("get", f"/api/v1/care/notes/{note_id}", None),
        (
            "post",
            f"/api/v1/patients/{clinic.patient_a.pk}/notes",
            {
                "kind": "individual",
                "started_at": "2026-12-08T16:00:00Z",
                "ended_at": "2026-12-08T17:00:00Z",
            },
        ),
        ("patch", f"/api/v1/care/notes/{note_id}", {"plan": "x"}),
        ("post", f"/api/v1/care/notes/{note_id}/sign", None),
        ("post", f"/api/v1/care/notes/{note_id}/addenda", {"text": "x"}),
    ]
    for method, url, payload in calls:
        before = AuditEvent.objects.filter(user_id=user.pk, outcome="denied").count()
        kwargs = {"content_type": "application/json"} if payload is not None else {}
        response = (
            getattr(client, method)(url, payload, **kwargs)
            if payload is not None
            else getattr(client, method)(url)
        )
        assert response.status_code in (401, 403), (url, response.status_code)
        body = response.content.decode()
        assert "Avery" not in body and "Alder" not in body
        if response.status_code == 403:
            assert (
                AuditEvent.objects.filter(user_id=user.pk, outcome="denied").count() == before + 1
            ), url
    row.refresh_from_db()
    assert row.status == "present"
    assert NoteAddendum.objects.count() == 0
    assert ClinicalNote.objects.filter(kind="individual").count() == 0
    assert ClinicalNote.objects.get(pk=note_id).plan.endswith("until next group.")


def test_billing_api_hours_yes_notes_no(client, clinic, group):
    signed_group(clinic, group, now=AFTER)
    verified_login(client, clinic.billing_a)
    assert (
        client.get(f"/api/v1/patients/{clinic.patient_a.pk}/weekly-hours?week=2026-W50").status_code
        == 200
    )
    response = client.get(f"/api/v1/patients/{clinic.patient_a.pk}/notes")
    assert response.status_code == 403
    assert "Distress" not in response.content.decode()
