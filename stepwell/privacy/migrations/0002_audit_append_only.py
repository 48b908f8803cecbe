"""Refuse UPDATE and DELETE on audit events in the database itself (both engines)."""

from django.conf import settings
from django.db import migrations

from stepwell.privacy.triggers import install_append_only_triggers, remove_append_only_triggers


def forwards(apps, schema_editor):
    if getattr(settings, "STEPWELL_AUDIT_DB_TRIGGERS", True):
        install_append_only_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_append_only_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
