"""The programs each audit event concerns (privacy.models.AuditEventProgram), so a
director's review reads their programs' events newest first from an index instead of
searching back through the whole trail.

Links every event written so far: to the programs its patient has episodes in (or, for an
event about no one patient, the programs of the patients it names); an event that
concerns and names no patient, to the programs its user is staff of now (the nearest to
"when it was written" the database still knows). Installs the trigger that links a
patient's events to a program they come to later, and, where the append-only triggers
are installed, the same refusals on the links.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from stepwell.privacy.triggers import (
    PROGRAM_LINKS,
    install_append_only_triggers,
    install_patient_events_follow,
    remove_patient_events_follow,
    remove_table_refusals,
)

LINK_EVERY_EVENT = f"""
INSERT INTO {PROGRAM_LINKS} (event_seq, program_id)
SELECT event.seq, episode.program_id FROM privacy_auditevent event
  JOIN patients_episode episode ON episode.patient_id = event.patient_id
UNION
SELECT named.event_seq, episode.program_id FROM privacy_auditeventpatient named
  JOIN privacy_auditevent event ON event.seq = named.event_seq
  JOIN patients_episode episode ON episode.patient_id = named.patient_id
  WHERE event.patient_id IS NULL
UNION
SELECT event.seq, staff.program_id FROM privacy_auditevent event
  JOIN clinic_programstaff staff ON staff.user_id = event.user_id
  WHERE event.patient_id IS NULL AND NOT EXISTS (
    SELECT 1 FROM privacy_auditeventpatient named WHERE named.event_seq = event.seq)
"""  # noqa: S608 - table names only


def link_and_follow(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(LINK_EVERY_EVENT)
    install_patient_events_follow(connection)
    if getattr(settings, "STEPWELL_AUDIT_DB_TRIGGERS", True):
        install_append_only_triggers(connection, (PROGRAM_LINKS,))


def unfollow(apps, schema_editor):
    remove_patient_events_follow(schema_editor.connection)
    remove_table_refusals(schema_editor.connection, PROGRAM_LINKS)


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0004_audit_head_moves_forward'),
        ('patients', '0005_family_contacts'),
        ('clinic', '0002_program_safety_settings'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEventProgram',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('program_id', models.BigIntegerField()),
                ('event', models.ForeignKey(db_column='event_seq', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='program_links', to='privacy.auditevent', to_field='seq')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('program_id', 'event'), name='audit_event_program_once')],
            },
        ),
        migrations.RunPython(link_and_follow, unfollow),
    ]
