"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE) on audit events.

Installed by migration on SQLite and PostgreSQL. The test settings leave them out
(STEPWELL_AUDIT_DB_TRIGGERS=False) because Django's test runner empties tables between
transactional tests; privacy/tests/test_audit.py installs them itself to test them.
"""

from __future__ import annotations

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


def _run(connection, statements_by_vendor) -> None:
    with connection.cursor() as cursor:
        for statement in statements_by_vendor.get(connection.vendor, []):
            cursor.execute(statement)


def install_append_only_triggers(connection) -> None:
    _run(connection, {"sqlite": SQLITE, "postgresql": POSTGRES})


def remove_append_only_triggers(connection) -> None:
    _run(connection, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})
