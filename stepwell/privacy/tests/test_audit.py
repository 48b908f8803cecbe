"""The audit trail is append-only and its chain names any changed, inserted or deleted event."""

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from stepwell.privacy import chain
from stepwell.privacy.audit import audit_batch, audit_record, audit_verify
from stepwell.privacy.models import (
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    AuditEventPatient,
)
from stepwell.privacy.triggers import install_append_only_triggers, remove_append_only_triggers
from stepwell.privacy.verify import audit_chain_verify


@pytest.fixture(autouse=True)
def append_only_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_append_only_triggers(connection)


def _events(n, user=None):
    return [
        audit_record(user=user, action="view", patient_id=i, object_type="patient", object_id=i)
        for i in range(1, n + 1)
    ]


def tamper(sql, params=()):
    """Tamper as an attacker with database access would: around the append-only triggers."""
    remove_append_only_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    install_append_only_triggers(connection)


def kinds(problems):
    return [(p.seq, p.problem.split(":")[0]) for p in problems]


def test_events_chain_in_order(db):
    events = _events(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.version for e in events] == [2, 2, 2]
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_verify() == []
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, events[2].hash)


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


def test_patients_named_in_the_detail_are_recorded(db):
    event = audit_record(action="list", patient_id=3, detail={"patients": [3, 7, "9"], "x": 5})
    assert set(
        AuditEventPatient.objects.filter(event_seq=event.seq).values_list("patient_id", flat=True)
    ) == {7, 9}


def test_model_refuses_update_and_delete(db):
    event = _events(1)[0]
    event.action = "export"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(RuntimeError):
        AuditChainHead.objects.get().delete()


def test_database_refuses_update_and_delete(db):
    _events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="export")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 2
    assert audit_verify() == []


def test_database_refuses_changes_to_named_patients_and_checkpoints(db):
    from stepwell.privacy.actors import system_actor
    from stepwell.privacy.checkpoints import audit_checkpoint_create

    audit_record(action="list", detail={"patients": [4, 5]})
    checkpoint, _ = audit_checkpoint_create(actor=system_actor("test"))
    for queryset, change in (
        (AuditEventPatient.objects.all(), {"patient_id": 6}),
        (AuditCheckpoint.objects.filter(pk=checkpoint.pk), {"seq": 0}),
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            queryset.delete()
    assert AuditEventPatient.objects.count() == 2
    assert AuditCheckpoint.objects.get().seq == 1


def test_database_lets_the_head_only_follow_the_chain(db):
    events = _events(3)
    attempts = [
        {"last_seq": 2, "last_hash": events[1].hash},  # rewound to an earlier event
        {"last_seq": 4, "last_hash": "f" * 64},  # ahead of the chain
        {"last_seq": 0, "last_hash": "0" * 64},  # back to the start
    ]
    for change in attempts:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            AuditChainHead.objects.filter(pk=1).update(**change)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditChainHead.objects.all().delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditChainHead.objects.create(pk=2, last_seq=0)
    assert AuditChainHead.objects.get().last_seq == 3
    audit_record(action="view")  # the append path still moves it
    assert AuditChainHead.objects.get().last_seq == 4
    assert audit_verify() == []


def test_the_head_may_move_forward_several_events_to_one_that_exists(db):
    """What a batch does at its end; anything else forward is still refused."""
    from stepwell.privacy.audit import _move_head

    events = _events(3)
    with audit_batch():
        extra = _events(3)
        assert AuditChainHead.objects.get().last_seq == 3  # not moved inside the batch
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            # ahead of the chain by a number that exists, with another event's hash
            AuditChainHead.objects.filter(pk=1).update(last_seq=5, last_hash=events[0].hash)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (6, extra[-1].hash)
    assert audit_verify() == []
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _move_head(1, 9, "e" * 64)  # to an event that does not exist


def test_a_batch_moves_the_head_once_and_the_chain_verifies(db):
    from django.test.utils import CaptureQueriesContext

    _events(2)
    with CaptureQueriesContext(connection) as queries, audit_batch():
        events = _events(20)
    head_writes = [
        q
        for q in queries.captured_queries
        if q["sql"].replace('"', "").startswith("UPDATE privacy_auditchainhead")
    ]
    assert len(head_writes) == 1
    assert [e.seq for e in events] == list(range(3, 23))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (22, events[-1].hash)
    assert audit_verify() == []
    assert audit_record(action="view").seq == 23  # and the usual append follows it
    assert audit_verify() == []


def test_events_of_a_rolled_back_savepoint_leave_no_gap_in_a_batch(db):
    def refused_step():
        with transaction.atomic():
            _events(3)
            raise RuntimeError("a refused step")

    with audit_batch():
        _events(2)
        with pytest.raises(RuntimeError):
            refused_step()
        after = _events(1)[0]
    assert after.seq == 3
    assert AuditChainHead.objects.get().last_seq == 3
    assert audit_verify() == []


def test_a_failed_batch_leaves_neither_events_nor_a_moved_head(db):
    def failing_build():
        with audit_batch():
            _events(4)
            raise RuntimeError("the demo build failed")

    _events(1)
    with pytest.raises(RuntimeError):
        failing_build()
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().last_seq == 1
    assert audit_verify() == []


def test_verify_names_a_changed_event(db):
    _events(5)
    tamper("UPDATE privacy_auditevent SET action = 'export' WHERE seq = 3")
    assert kinds(audit_verify()) == [(3, "changed")]


def test_verify_names_a_changed_id(db):
    _events(3)
    tamper("UPDATE privacy_auditevent SET id = id + 100 WHERE seq = 2")
    assert kinds(audit_verify()) == [(2, "changed")]


def test_verify_names_a_deleted_event(db):
    _events(5)
    tamper("DELETE FROM privacy_auditevent WHERE seq = 2")
    problems = audit_verify()
    assert [(p.seq, p.problem) for p in problems] == [
        (2, "deleted: events 2 are missing"),
        (3, "inserted or reordered: it does not follow the event before it"),
    ]


def test_verify_names_a_deleted_tail(db):
    _events(4)
    tamper("DELETE FROM privacy_auditevent WHERE seq >= 3")
    problems = audit_verify()
    assert [(p.seq, p.problem) for p in problems] == [
        (3, "deleted: events 3-4 at the end are missing")
    ]


def test_verify_names_an_inserted_event(db):
    events = _events(3)
    # Renumber to make room, then insert a forged event between 1 and 2.
    tamper("UPDATE privacy_auditevent SET seq = seq + 1000 WHERE seq >= 2")
    tamper("UPDATE privacy_auditevent SET seq = seq - 999 WHERE seq >= 1000")
    tamper(
        "INSERT INTO privacy_auditevent (id, version, key_id, seq, occurred_at, user_id, username,"
        " role, patient_id, action, object_type, object_id, outcome, client_address, detail,"
        " prev_hash, hash) VALUES (99, 2, %s, 2, %s, NULL, 'mallory', '', 9, 'view', 'patient',"
        " '9', 'allowed', '', '{}', %s, %s)",
        [events[0].key_id, events[0].occurred_at, events[0].hash, "f" * 64],
    )
    problems = audit_verify()
    assert problems[0].seq == 2
    assert problems[0].problem.startswith("changed")
    assert {p.seq for p in problems} >= {2, 3}


def test_deleting_the_last_50_events_and_rewriting_the_head_is_found(db):
    events = _events(60)
    tamper("DELETE FROM privacy_auditevent WHERE seq > 10")
    tamper(
        "UPDATE privacy_auditchainhead SET last_seq = 10, last_hash = %s WHERE id = 1",
        [events[9].hash],
    )
    report = audit_chain_verify()
    assert [(p.seq, p.problem) for p in report.problems] == [
        (10, "the chain head does not match its signature")
    ]
    assert report.events_checked == 10


def test_deleting_everything_is_found(db):
    _events(5)
    tamper("DELETE FROM privacy_auditevent")
    assert [(p.seq, p.problem) for p in audit_verify()] == [
        (1, "deleted: events 1-5 at the end are missing")
    ]
    tamper("DELETE FROM privacy_auditchainhead")
    assert [(p.seq, p.problem) for p in audit_verify()] == [(0, "the chain head is missing")]


def test_a_missing_head_stops_new_events_from_starting_a_second_chain(db):
    from stepwell.privacy.audit import AuditChainBroken

    _events(2)
    tamper("DELETE FROM privacy_auditchainhead")
    # In the caller's block (here a savepoint), which the failure rolls back whole.
    with pytest.raises(AuditChainBroken), transaction.atomic():
        audit_record(action="view")
    assert AuditEvent.objects.count() == 2


def test_verify_command_prints_what_it_checked(db, capsys):
    _events(2)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert (
        "Audit trail intact: 2 events checked (numbers 1 to 2; 2 by key, 0 by a checkpoint)" in out
    )
    assert "head at 2" in out
    tamper("UPDATE privacy_auditevent SET username = 'someone' WHERE seq = 1")
    with pytest.raises(CommandError, match="NOT intact: 1 problem"):
        call_command("audit", "verify")
    assert "event 1: changed" in capsys.readouterr().err


def test_the_count_comes_from_the_rows_not_the_head(db, capsys):
    events = _events(6)
    tamper("DELETE FROM privacy_auditevent WHERE seq > 3")
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert "3 events checked (numbers 1 to 3" in str(failure.value)
    assert events[5].seq == 6


def test_privilege_change_is_audited(clinic):
    from stepwell.clinic.services import staff_privileges_set

    a, b = clinic.program_a.pk, clinic.program_b.pk
    staff_privileges_set(
        actor=clinic.admin,
        staff=clinic.nurse_a,
        grants={("nurse", a), ("clinician", b)},
        program_ids={a, b},
    )
    event = AuditEvent.objects.filter(action="privilege_change").latest("seq")
    assert event.username == "admin"
    assert event.object_id == str(clinic.nurse_a.pk)
    assert event.detail == {
        "roles_added": [f"clinician@program:{b}"],
        "roles_removed": [],
        "programs_added": [b],
        "programs_removed": [],
    }
    assert set(clinic.nurse_a.role_assignments.values_list("role", "program_id")) == {
        ("nurse", a),
        ("clinician", b),
    }


def test_version_1_events_still_verify_and_the_chain_continues(db):
    """A chain written before ids were hashed keeps its hashes; new events follow it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "stepwell.privacy.migrations.0003_audit_chain_v2_head_checkpoints"
    )
    legacy = legacy_chain(3)
    remove_append_only_triggers(connection)
    AuditChainHead.objects.filter(pk=1).update(
        last_seq=3, last_hash=legacy[-1].hash, key_id="", mac=""
    )
    migration.name_patients_and_sign_head(apps, None)
    install_append_only_triggers(connection)
    assert AuditEventPatient.objects.filter(event_seq=2).get().patient_id == 8
    new = audit_record(action="view")
    assert (new.seq, new.prev_hash, new.version) == (4, legacy[-1].hash, 2)
    report = audit_chain_verify()
    assert report.problems == []
    assert (report.events_checked, report.checked_by_key) == (4, 4)


def legacy_chain(n):
    """Events as version 1 wrote them: hashed without id, version or key id."""
    import hashlib
    import hmac
    import json

    from django.conf import settings
    from django.utils import timezone

    key = hashlib.sha256(b"stepwell-audit:" + settings.SECRET_KEY.encode()).digest()
    previous, events = "0" * 64, []
    for seq in range(1, n + 1):
        event = AuditEvent(
            id=seq + 40,  # ids need not follow the sequence numbers
            version=1,
            key_id="",
            seq=seq,
            occurred_at=timezone.now(),
            action="list",
            outcome="allowed",
            detail={"patients": [8]} if seq == 2 else {},
            prev_hash=previous,
        )
        payload = json.dumps(
            [
                event.seq,
                event.occurred_at.isoformat(timespec="microseconds"),
                None,
                "",
                "",
                None,
                "list",
                "",
                "",
                "allowed",
                "",
                event.detail,
                previous,
            ],
            sort_keys=True,
            separators=(",", ":"),
        )
        event.hash = hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
        event.save(force_insert=True)
        previous = event.hash
        events.append(event)
    return events


def test_chain_key_ids_never_reveal_the_key(settings):
    settings.STEPWELL_AUDIT_KEY = "k" * 40
    key = chain.current_key()
    assert key.key_id != "k" * 16 and len(key.key_id) == 16


def test_migration_0004_swaps_the_head_rule_where_the_triggers_are_installed(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("stepwell.privacy.migrations.0004_audit_head_moves_forward")
    editor = type("Editor", (), {"connection": connection})()
    _events(1)
    migration.backwards(apps, editor)  # the one-step rule of 0003
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), audit_batch():
        _events(2)
    migration.forwards(apps, editor)
    with audit_batch():
        _events(2)
    assert AuditChainHead.objects.get().last_seq == 3
    remove_append_only_triggers(connection)
    migration.forwards(apps, editor)  # installs nothing where there were no triggers
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'privacy_auditchainhead_step'"
            if connection.vendor == "postgresql"
            else "SELECT 1 FROM sqlite_master WHERE name = 'privacy_auditchainhead_step'"
        )
        assert cursor.fetchone() is None


def test_a_list_naming_thousands_of_patients_is_appended_whole(db):
    """An export or roster can name thousands of patients in one event: they are written
    a thousand a statement (SQLite takes 32,766 values a statement), and the event is
    linked to the programs of those who have episodes, read from the rows just written."""
    from stepwell.privacy.audit import NAMED_PER_STATEMENT
    from stepwell.privacy.models import AuditEventProgram
    from stepwell.testing.factories import EpisodeFactory

    episode = EpisodeFactory()
    named = [*range(10**6, 10**6 + 2 * NAMED_PER_STATEMENT + 500), episode.patient_id]
    event = audit_record(action="list", object_type="roster", detail={"patients": named})
    stored = AuditEventPatient.objects.filter(event_seq=event.seq)
    assert sorted(stored.values_list("patient_id", flat=True)) == sorted(named)
    links = AuditEventProgram.objects.filter(event_id=event.seq)
    assert list(links.values_list("program_id", flat=True)) == [episode.program_id]
    assert audit_verify() == []
