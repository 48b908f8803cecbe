"""Signed checkpoints: exported off the machine, they find a truncation by whoever holds the
database; a key rotation keeps the past verifiable."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from stepwell.privacy import chain
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import audit_record
from stepwell.privacy.checkpoints import (
    CheckpointRefused,
    audit_checkpoint_create,
    audit_key_rotate,
    checkpoint_load,
)
from stepwell.privacy.models import AuditChainHead, AuditCheckpoint, AuditEvent
from stepwell.privacy.triggers import install_append_only_triggers, remove_append_only_triggers
from stepwell.privacy.verify import audit_chain_verify

OPERATOR = system_actor("audit checkpoint test")

OLD_KEY = "old-audit-key-" + "o" * 30
NEW_KEY = "new-audit-key-" + "n" * 30


@pytest.fixture(autouse=True)
def append_only_triggers(db):
    install_append_only_triggers(connection)


def events(n):
    return [audit_record(action="view", patient_id=i, object_id=i) for i in range(1, n + 1)]


def tamper(*statements):
    remove_append_only_triggers(connection)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    install_append_only_triggers(connection)


def head_row():
    return AuditChainHead.objects.values_list("last_seq", "last_hash", "key_id", "mac").get()


def test_checkpoint_signs_where_the_chain_stands(db):
    made = events(4)
    checkpoint, report = audit_checkpoint_create(actor=OPERATOR)
    assert (checkpoint.seq, checkpoint.event_hash, checkpoint.reason) == (4, made[3].hash, "manual")
    assert list(checkpoint.macs) == [chain.current_key().key_id]
    again = audit_chain_verify()
    assert again.problems == []
    assert again.checkpoints_matched == 1
    assert report.digest_at[4] == checkpoint.chain_digest


def test_no_checkpoint_vouches_for_a_tampered_chain(db):
    events(3)
    tamper(("UPDATE privacy_auditevent SET action = 'export' WHERE seq = 2", []))
    with pytest.raises(CheckpointRefused) as refused:
        audit_checkpoint_create(actor=OPERATOR)
    assert [p.seq for p in refused.value.report.problems] == [2]
    assert AuditCheckpoint.objects.count() == 0


def test_a_rolled_back_database_is_found_by_the_exported_checkpoint(db, tmp_path, capsys):
    """Whoever holds the database restores the head as it was at event 10 and drops the rest
    (checkpoints included): the database alone looks intact, the exported file does not."""
    events(10)
    old_head = head_row()
    events(10)
    exported = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--export", str(exported))
    assert "Checkpoint" in capsys.readouterr().out
    tamper(
        ("DELETE FROM privacy_auditevent WHERE seq > 10", []),
        ("DELETE FROM privacy_auditcheckpoint", []),
        (
            "UPDATE privacy_auditchainhead SET last_seq = %s, last_hash = %s, key_id = %s,"
            " mac = %s WHERE id = 1",
            list(old_head),
        ),
    )
    call_command("audit", "verify")
    assert "10 events checked" in capsys.readouterr().out
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify", "--against", str(exported))
    assert "recorded events up to 20; the chain ends at 10" in capsys.readouterr().err


def test_a_changed_event_below_the_exported_checkpoint_is_found(db, tmp_path):
    events(5)
    checkpoint, _ = audit_checkpoint_create(actor=OPERATOR)
    exported = tmp_path / "c.json"
    from stepwell.privacy.checkpoints import checkpoint_export

    checkpoint_export(checkpoint, exported)
    tamper(("UPDATE privacy_auditevent SET client_address = '10.9.9.9' WHERE seq = 2", []))
    report = audit_chain_verify(against=checkpoint_load(exported))
    problems = [(p.seq, p.problem.split(":")[0]) for p in report.problems]
    assert (2, "changed") in problems
    assert problems.count((5, "changed")) == 2  # the database's checkpoint and the file


def test_verify_against_a_matching_file(db, tmp_path, capsys):
    events(3)
    exported = tmp_path / "c.json"
    call_command("audit", "checkpoint", "--export", str(exported))
    events(2)
    call_command("audit", "verify", "--against", str(exported))
    out = capsys.readouterr().out
    assert "5 events checked" in out
    assert "Matches the exported checkpoint at event 3" in out


def test_a_forged_file_is_refused(db, tmp_path):
    events(2)
    exported = tmp_path / "c.json"
    call_command("audit", "checkpoint", "--export", str(exported))
    data = json.loads(exported.read_text())
    data["seq"] = 1
    exported.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify", "--against", str(exported))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("not json", "not a checkpoint file"),
        ('{"format": "other"}', "not a Stepwell audit checkpoint file"),
        ('{"format": "stepwell-audit-checkpoint/1", "seq": 1}', "missing or malformed"),
        (b"\xff\xfe", "not a checkpoint file"),
    ],
)
def test_bad_checkpoint_files_get_a_clear_error(db, tmp_path, content, message):
    path = tmp_path / "c.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("audit", "verify", "--against", str(path))


def test_export_to_a_missing_folder_is_refused_before_signing(db, settings, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("audit", "checkpoint", "--export", str(tmp_path / "nope" / "c.json"))
    with pytest.raises(CommandError, match="is a folder"):
        call_command("audit", "checkpoint", "--export", str(tmp_path))
    settings.STEPWELL_AUDIT_KEY = OLD_KEY
    key_file = tmp_path / "new.key"
    key_file.write_text(NEW_KEY)
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "audit",
            "rotate-key",
            "--new-key-file",
            str(key_file),
            "--export",
            str(tmp_path / "nope" / "c.json"),
        )
    assert AuditCheckpoint.objects.count() == 0
    assert not AuditEvent.objects.filter(action="key_rotation").exists()


def test_daily_job_signs_one_checkpoint_a_day(db):
    from datetime import UTC, datetime

    from stepwell.daily.runs import daily_jobs_run
    from stepwell.privacy.tasks import JOB_NAME

    events(2)
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    outcomes = [o for o in daily_jobs_run(now=at) if o.job == JOB_NAME]
    assert [(o.where, o.status, o.summary) for o in outcomes] == [
        ("clinic-wide", "done", "checkpoint signed at event 2")
    ]
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.reason == "daily"
    assert [o for o in daily_jobs_run(now=at) if o.job == JOB_NAME] == []
    assert AuditCheckpoint.objects.count() == 1


def test_daily_flag_is_gone_and_says_where_to_go(db):
    with pytest.raises(CommandError, match="stepwell daily"):
        call_command("audit", "checkpoint", "--daily")
    assert not AuditCheckpoint.objects.exists()


def test_key_rotation_keeps_the_past_verifiable(db, settings, tmp_path, capsys):
    settings.STEPWELL_AUDIT_KEY = OLD_KEY
    events(3)
    key_file = tmp_path / "new.key"
    key_file.write_text(NEW_KEY + "\n")
    call_command("audit", "rotate-key", "--new-key-file", str(key_file))
    out = capsys.readouterr().out
    old_id, new_id = chain.key_from_text(OLD_KEY).key_id, chain.key_from_text(NEW_KEY).key_id
    assert f"under key {old_id} (current) and key {new_id} (new)" in out
    rotation = AuditCheckpoint.objects.get(reason="key_rotation")
    assert set(rotation.macs) == {old_id, new_id}
    assert AuditEvent.objects.get(action="key_rotation").detail == {
        "from_key": old_id,
        "to_key": new_id,
    }

    # The operator switches to the new key and keeps the old one for verifying.
    settings.STEPWELL_AUDIT_KEY = NEW_KEY
    settings.STEPWELL_AUDIT_PREVIOUS_KEYS = OLD_KEY
    events(2)
    report = audit_chain_verify()
    assert report.problems == []
    assert (report.checked_by_key, report.covered_by_checkpoint) == (6, 0)

    # The old key retired: the rotation checkpoint vouches for what it signed.
    settings.STEPWELL_AUDIT_PREVIOUS_KEYS = ""
    report = audit_chain_verify()
    assert report.problems == []
    assert (report.checked_by_key, report.covered_by_checkpoint) == (2, 4)


def test_changing_the_key_without_a_rotation_leaves_the_past_unverifiable(db, settings):
    settings.STEPWELL_AUDIT_KEY = OLD_KEY
    events(2)
    settings.STEPWELL_AUDIT_KEY = NEW_KEY
    problems = audit_chain_verify().problems
    assert [p.problem.split(":")[0] for p in problems] == [
        "cannot be checked",
        "cannot be checked",
        "the chain head does not match its signature",
    ]


def test_rotate_key_refuses_a_short_or_same_key(db, settings, tmp_path):
    settings.STEPWELL_AUDIT_KEY = OLD_KEY
    short = tmp_path / "short.key"
    short.write_text("too-short")
    with pytest.raises(CommandError, match="at least 32 characters"):
        call_command("audit", "rotate-key", "--new-key-file", str(short))
    same = tmp_path / "same.key"
    same.write_text(OLD_KEY)
    with pytest.raises(CommandError, match="in use now"):
        call_command("audit", "rotate-key", "--new-key-file", str(same))
    with pytest.raises(ValueError, match="in use now"):
        audit_key_rotate(actor=OPERATOR, new_key=chain.key_from_text(OLD_KEY))
    assert AuditCheckpoint.objects.count() == 0


def test_rotate_key_can_generate_the_new_key(db, settings, tmp_path):
    settings.STEPWELL_AUDIT_KEY = OLD_KEY
    key_file = tmp_path / "new.key"
    call_command("audit", "rotate-key", "--new-key-file", str(key_file), "--generate")
    assert len(key_file.read_text().strip()) >= 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="not overwriting"):
        call_command("audit", "rotate-key", "--new-key-file", str(key_file), "--generate")


def test_rotating_away_from_the_derived_key_says_it_stays_available(db, tmp_path, capsys):
    key_file = tmp_path / "new.key"
    key_file.write_text(NEW_KEY)
    call_command("audit", "rotate-key", "--new-key-file", str(key_file))
    assert "derived from the secret key" in capsys.readouterr().out


def test_only_a_named_system_job_signs_checkpoints_or_rotates_the_key(db, clinic, settings):
    from stepwell.core.errors import AccessDenied

    settings.STEPWELL_AUDIT_KEY = OLD_KEY
    events(2)
    for person in (clinic.admin, clinic.director_a):
        with pytest.raises(AccessDenied):
            audit_checkpoint_create(actor=person)
        with pytest.raises(AccessDenied):
            audit_key_rotate(actor=person, new_key=chain.key_from_text(NEW_KEY))
    assert AuditCheckpoint.objects.count() == 0
    assert not AuditEvent.objects.filter(action="key_rotation").exists()
    refused = AuditEvent.objects.filter(outcome="denied").values_list("object_type", flat=True)
    assert sorted(refused) == ["audit_checkpoint", "audit_checkpoint", "audit_key", "audit_key"]
    with pytest.raises(TypeError):
        audit_checkpoint_create(actor=None)
