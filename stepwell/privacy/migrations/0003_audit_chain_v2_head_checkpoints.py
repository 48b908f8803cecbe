"""Audit chain version 2: hashed ids, a signed head the database lets only the append path
move, checkpoints, and the patients each event names.

Existing events stay version 1 with the hashes they were written with; the first new
event follows the last old one. The head is signed where it stands, and events that name
patients in their detail get their rows in AuditEventPatient.
"""

from django.conf import settings
from django.db import migrations, models

from stepwell.privacy import chain
from stepwell.privacy.audit import named_patient_ids
from stepwell.privacy.triggers import (
    FIRST_APPEND_ONLY_TABLES,
    install_append_only_triggers,
    remove_append_only_triggers,
)

OLD_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS privacy_auditevent_no_update;",
        "DROP TRIGGER IF EXISTS privacy_auditevent_no_delete;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent;",
        "DROP TRIGGER IF EXISTS privacy_auditevent_no_truncate ON privacy_auditevent;",
    ],
}


def drop_old_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in OLD_TRIGGERS.get(connection.vendor, []):
            cursor.execute(statement)


def restore_old_triggers(apps, schema_editor):
    import importlib

    importlib.import_module("stepwell.privacy.migrations.0002_audit_append_only").forwards(
        apps, schema_editor
    )


def name_patients_and_sign_head(apps, schema_editor):
    AuditEvent = apps.get_model("privacy", "AuditEvent")
    AuditEventPatient = apps.get_model("privacy", "AuditEventPatient")
    AuditChainHead = apps.get_model("privacy", "AuditChainHead")
    rows = []
    for seq, patient_id, detail in (
        AuditEvent.objects.order_by("seq").values_list("seq", "patient_id", "detail").iterator()
    ):
        if isinstance(detail, dict):
            for named in sorted(named_patient_ids(detail) - {patient_id}):
                rows.append(AuditEventPatient(event_seq=seq, patient_id=named))
    AuditEventPatient.objects.bulk_create(rows, batch_size=1000)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        head = AuditChainHead(pk=1, last_seq=0, last_hash=chain.GENESIS_HASH)
        if last is not None:
            head.last_seq, head.last_hash = last
    key = chain.current_key()
    head.key_id = key.key_id
    head.mac = chain.mac(
        key, chain.head_payload(last_seq=head.last_seq, last_hash=head.last_hash, key_id=key.key_id)
    )
    head.save()


def install_triggers(apps, schema_editor):
    if getattr(settings, "STEPWELL_AUDIT_DB_TRIGGERS", True):
        install_append_only_triggers(schema_editor.connection, FIRST_APPEND_ONLY_TABLES)


def remove_triggers(apps, schema_editor):
    remove_append_only_triggers(schema_editor.connection, FIRST_APPEND_ONLY_TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0002_audit_append_only'),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, restore_old_triggers),
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField()),
                ('seq', models.BigIntegerField()),
                ('event_hash', models.CharField(max_length=64)),
                ('chain_digest', models.CharField(max_length=64)),
                ('reason', models.CharField(choices=[('daily', 'Daily'), ('manual', 'On demand'), ('key_rotation', 'Key rotation')], max_length=16)),
                ('macs', models.JSONField(default=dict)),
            ],
            options={
                'ordering': ['seq', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='key_id',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='mac',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='version',
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='version',
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.CreateModel(
            name='AuditEventPatient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_seq', models.BigIntegerField(db_index=True)),
                ('patient_id', models.BigIntegerField(db_index=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('event_seq', 'patient_id'), name='audit_event_patient_once')],
            },
        ),
        migrations.RunPython(name_patients_and_sign_head, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
