"""Milestones are never changed or removed once written: triggers on SQLite and PostgreSQL.

The tables are listed in stepwell/privacy/signed_records.py. Reversing this migration
removes the triggers.
"""

from django.conf import settings
from django.db import migrations

from stepwell.privacy.signed_records import (
    install_signed_record_triggers,
    remove_signed_record_triggers,
)


def install(apps, schema_editor):
    if getattr(settings, "STEPWELL_SIGNED_RECORD_DB_TRIGGERS", True):
        install_signed_record_triggers(schema_editor.connection, "milestones")


def remove(apps, schema_editor):
    remove_signed_record_triggers(schema_editor.connection, "milestones")


class Migration(migrations.Migration):
    dependencies = [("milestones", "0001_milestones_and_sharing")]
    operations = [migrations.RunPython(install, remove)]
