"""Signed discharge summaries and signed aftercare plans are locked in the database
itself: triggers on SQLite and PostgreSQL.

The tables and what stays writable are listed in stepwell/privacy/signed_records.py.
Reversing this migration removes the triggers.
"""

from django.conf import settings
from django.db import migrations

from stepwell.privacy.signed_records import (
    install_signed_record_triggers,
    remove_signed_record_triggers,
)


def install(apps, schema_editor):
    if getattr(settings, "STEPWELL_SIGNED_RECORD_DB_TRIGGERS", True):
        install_signed_record_triggers(schema_editor.connection, "discharge")


def remove(apps, schema_editor):
    remove_signed_record_triggers(schema_editor.connection, "discharge")


class Migration(migrations.Migration):
    dependencies = [("discharge", "0001_discharge_summaries_aftercare_plans")]
    operations = [migrations.RunPython(install, remove)]
