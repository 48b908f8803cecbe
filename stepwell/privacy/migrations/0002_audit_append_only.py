"""Refuse UPDATE and DELETE on audit events in the database itself (both engines)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER privacy_auditevent_no_update BEFORE UPDATE ON privacy_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER privacy_auditevent_no_delete BEFORE DELETE ON privacy_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION privacy_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER privacy_auditevent_append_only BEFORE UPDATE OR DELETE ON privacy_auditevent
       FOR EACH ROW EXECUTE FUNCTION privacy_auditevent_refuse();""",
    """CREATE TRIGGER privacy_auditevent_no_truncate BEFORE TRUNCATE ON privacy_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION privacy_auditevent_refuse();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent;",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_truncate ON privacy_auditevent;",
    "DROP FUNCTION IF EXISTS privacy_auditevent_refuse();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
