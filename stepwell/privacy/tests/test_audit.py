"""The audit trail is append-only and its chain names any changed, inserted or deleted event."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from stepwell.privacy.audit import audit_record, audit_verify
from stepwell.privacy.models import AuditEvent
from stepwell.privacy.triggers import install_append_only_triggers


@pytest.fixture(autouse=True)
def append_only_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_append_only_triggers(connection)


def _events(n, user=None):
    return [
        audit_record(user=user, action="view", patient_id=i, object_type="patient", object_id=i)
        for i in range(1, n + 1)
    ]


def _without_triggers(sql, params=()):
    """Tamper as an attacker with database access would: around the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditevent_no_delete")
            cursor.execute(sql, params)
        else:
            cursor.execute("ALTER TABLE privacy_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE privacy_auditevent ENABLE TRIGGER USER")


def test_events_chain_in_order(db):
    events = _events(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_verify() == []


def test_event_records_user_role_and_time_in_utc(clinic):
    event = audit_record(
        user=clinic.clinician_a,
        action="view",
        patient_id=clinic.patient_a.pk,
        object_type="patient",
        object_id=clinic.patient_a.pk,
        client_address="10.0.0.5",
    )
    event.refresh_from_db()
    assert event.username == "clin_a"
    assert event.role == "clinician"
    assert event.client_address == "10.0.0.5"
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_patient_user_is_recorded_with_role_patient(clinic):
    event = audit_record(user=clinic.patient_user_a, action="view", patient_id=clinic.patient_a.pk)
    assert event.role == "patient"


def test_model_refuses_update_and_delete(db):
    event = _events(1)[0]
    event.action = "export"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_database_refuses_update_and_delete(db):
    _events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="export")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 2
    assert audit_verify() == []


def test_verify_names_a_changed_event(db):
    _events(5)
    _without_triggers("UPDATE privacy_auditevent SET action = 'export' WHERE seq = 3")
    problems = audit_verify()
    assert [(p.seq, p.problem.split(":")[0]) for p in problems] == [(3, "changed")]


def test_verify_names_a_deleted_event(db):
    _events(5)
    _without_triggers("DELETE FROM privacy_auditevent WHERE seq = 2")
    problems = audit_verify()
    assert [(p.seq, p.problem) for p in problems] == [
        (2, "deleted: events 2 are missing"),
        (3, "inserted or reordered: it does not follow the event before it"),
    ]


def test_verify_names_a_deleted_tail(db):
    _events(4)
    _without_triggers("DELETE FROM privacy_auditevent WHERE seq >= 3")
    problems = audit_verify()
    assert [(p.seq, p.problem) for p in problems] == [
        (3, "deleted: events 3-4 at the end are missing")
    ]


def test_verify_names_an_inserted_event(db):
    events = _events(3)
    # Renumber to make room, then insert a forged event between 1 and 2.
    _without_triggers("UPDATE privacy_auditevent SET seq = seq + 1000 WHERE seq >= 2")
    _without_triggers("UPDATE privacy_auditevent SET seq = seq - 999 WHERE seq >= 1000")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO privacy_auditevent (seq, occurred_at, user_id, username, role, patient_id, action, object_type,"
            " object_id, outcome, client_address, detail, prev_hash, hash) VALUES (2, %s, NULL, 'mallory', '', 9,"
            " 'view', 'patient', '9', 'allowed', '', '{}', %s, %s)",
            [events[0].occurred_at, events[0].hash, "f" * 64],
        )
    problems = audit_verify()
    assert problems[0].seq == 2
    assert problems[0].problem.startswith("changed")
    assert {p.seq for p in problems} >= {2, 3}


def test_verify_command_reports_intact_and_broken(db, capsys):
    _events(2)
    call_command("audit", "verify")
    assert "Audit trail intact: 2 events verified." in capsys.readouterr().out
    _without_triggers("UPDATE privacy_auditevent SET username = 'someone' WHERE seq = 1")
    with pytest.raises(CommandError, match="NOT intact: 1 problem"):
        call_command("audit", "verify")
    assert "event 1: changed" in capsys.readouterr().err


def test_privilege_change_is_audited(clinic):
    from stepwell.clinic.services import staff_privileges_set

    staff_privileges_set(
        actor=clinic.admin,
        staff=clinic.nurse_a,
        roles={"nurse", "clinician"},
        program_ids={clinic.program_a.pk, clinic.program_b.pk},
    )
    event = AuditEvent.objects.filter(action="privilege_change").latest("seq")
    assert event.username == "admin"
    assert event.object_id == str(clinic.nurse_a.pk)
    assert event.detail == {
        "roles_added": ["clinician"],
        "roles_removed": [],
        "programs_added": [clinic.program_b.pk],
        "programs_removed": [],
    }
    assert clinic.nurse_a.role_assignments.count() == 2
