"""Refuse UPDATE and DELETE on audit events in the database itself (both engines).

The statements are kept here as they were first installed; migration 0003 installs the
current set from privacy/triggers.py.
"""

from django.conf import settings
from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS privacy_auditevent_no_update BEFORE UPDATE ON privacy_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS privacy_auditevent_no_delete BEFORE DELETE ON privacy_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION privacy_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation'; END;
       $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE TRIGGER privacy_auditevent_append_only BEFORE UPDATE OR DELETE ON privacy_auditevent
       FOR EACH ROW EXECUTE FUNCTION privacy_auditevent_refuse();""",
    """CREATE OR REPLACE TRIGGER privacy_auditevent_no_truncate BEFORE TRUNCATE ON privacy_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION privacy_auditevent_refuse();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent;",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_truncate ON privacy_auditevent;",
    "DROP FUNCTION IF EXISTS privacy_auditevent_refuse();",
]


def _run(connection, by_vendor):
    with connection.cursor() as cursor:
        for statement in by_vendor.get(connection.vendor, []):
            cursor.execute(statement)


def forwards(apps, schema_editor):
    if getattr(settings, "STEPWELL_AUDIT_DB_TRIGGERS", True):
        _run(schema_editor.connection, {"sqlite": SQLITE, "postgresql": POSTGRES})


def backwards(apps, schema_editor):
    _run(schema_editor.connection, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
