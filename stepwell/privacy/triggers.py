"""Database triggers that keep the audit trail append-only (SQLite and PostgreSQL).

- Events, the patients and programs they name, and checkpoints: UPDATE, DELETE and
  TRUNCATE refused.
- The chain head: DELETE and TRUNCATE refused; an INSERT only to start an empty chain; an
  UPDATE only as the append path makes it: forward, to an event that exists (whose number
  and hash it records), when the event after the old head chains from the head's old hash.
  One event appended moves it one step; a batch (audit.audit_batch) several at once.

And one that is not a refusal: an episode inserted (or moved to another patient or program)
links its patient's earlier events to the episode's program (PATIENT_EVENTS_FOLLOW), so a
director reviews every event about a patient who has come to their program, whenever the
event was written (the append links an event to the programs of its day; see
privacy.models.AuditEventProgram). It takes the chain head's lock first, as an append does,
so an event appended while the episode is being written is linked by one side or the other.
Always installed: it keeps the links right, whatever the setting below. SQLite drops a
table's triggers when a migration rebuilds the table (Django does for most column
changes): a later migration that alters patients_episode must install it again
(install_patient_events_follow); the test of a patient coming to a program fails if not.

Installed by migration. The test settings leave them out (STEPWELL_AUDIT_DB_TRIGGERS=False)
because Django's test runner empties tables between transactional tests;
privacy/tests/test_audit.py installs them itself to test them.
"""

from __future__ import annotations

# Migration 0003's tables; 0005 added the program links.
FIRST_APPEND_ONLY_TABLES = (
    "privacy_auditevent",
    "privacy_auditeventpatient",
    "privacy_auditcheckpoint",
)
PROGRAM_LINKS = "privacy_auditeventprogram"
APPEND_ONLY_TABLES = (*FIRST_APPEND_ONLY_TABLES, PROGRAM_LINKS)
HEAD = "privacy_auditchainhead"
HEAD_MESSAGE = "the audit chain head only follows the chain (append-only)"
HEAD_STEP_IS_WRONG = (
    "NEW.id <> OLD.id OR NEW.last_seq <= OLD.last_seq OR NOT EXISTS ("
    "SELECT 1 FROM privacy_auditevent WHERE seq = NEW.last_seq AND hash = NEW.last_hash)"
    " OR NOT EXISTS (SELECT 1 FROM privacy_auditevent WHERE seq = OLD.last_seq + 1"
    " AND prev_hash = OLD.last_hash)"
)
# The rule migration 0003 installed (one step at a time): migration 0004 puts it back
# when unapplied.
HEAD_ONE_STEP_IS_WRONG = (
    "NEW.id <> OLD.id OR NEW.last_seq <> OLD.last_seq + 1 OR NOT EXISTS ("
    "SELECT 1 FROM privacy_auditevent WHERE seq = NEW.last_seq AND hash = NEW.last_hash"
    " AND prev_hash = OLD.last_hash)"
)
HEAD_START_IS_WRONG = (
    "NEW.last_seq <> 0 OR EXISTS (SELECT 1 FROM privacy_auditevent)"
    " OR EXISTS (SELECT 1 FROM privacy_auditchainhead)"
)


def _sqlite_refuse(table: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
    )


def _sqlite_head_step(rule: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {HEAD}_step BEFORE UPDATE ON {HEAD} WHEN {rule} "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END;"
    )


def _postgres_head_step(rule: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION privacy_auditchainhead_step() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           IF {HEAD_START_IS_WRONG} THEN
             RAISE EXCEPTION '{HEAD_MESSAGE}' USING ERRCODE = 'restrict_violation';
           END IF;
         ELSIF {rule} THEN
           RAISE EXCEPTION '{HEAD_MESSAGE}' USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NEW;
       END;
       $$ LANGUAGE plpgsql;"""


def _sqlite(tables) -> list[str]:
    return [*[_sqlite_refuse(t, op) for t in tables for op in ("UPDATE", "DELETE")], *SQLITE_HEAD]


SQLITE_HEAD = [
    _sqlite_refuse(HEAD, "DELETE"),
    _sqlite_head_step(HEAD_STEP_IS_WRONG),
    f"CREATE TRIGGER IF NOT EXISTS {HEAD}_start BEFORE INSERT ON {HEAD} WHEN {HEAD_START_IS_WRONG} "
    f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END;",
]


def _sqlite_drop(tables) -> list[str]:
    return [
        *[
            f"DROP TRIGGER IF EXISTS {t}_no_{op};"
            for t in (*tables, HEAD)
            for op in ("update", "delete")
        ],
        f"DROP TRIGGER IF EXISTS {HEAD}_step;",
        f"DROP TRIGGER IF EXISTS {HEAD}_start;",
    ]


def _postgres(tables) -> list[str]:
    return [
        """CREATE OR REPLACE FUNCTION privacy_auditevent_refuse() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'restrict_violation'; END;
           $$ LANGUAGE plpgsql;""",
        _postgres_head_step(HEAD_STEP_IS_WRONG),
        *[
            f"""CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
               FOR EACH ROW EXECUTE FUNCTION privacy_auditevent_refuse();"""
            for t in tables
        ],
        f"""CREATE OR REPLACE TRIGGER {HEAD}_no_delete BEFORE DELETE ON {HEAD}
           FOR EACH ROW EXECUTE FUNCTION privacy_auditevent_refuse();""",
        f"""CREATE OR REPLACE TRIGGER {HEAD}_step BEFORE INSERT OR UPDATE ON {HEAD}
           FOR EACH ROW EXECUTE FUNCTION privacy_auditchainhead_step();""",
        *[
            f"""CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
               FOR EACH STATEMENT EXECUTE FUNCTION privacy_auditevent_refuse();"""
            for t in (*tables, HEAD)
        ],
    ]


def _postgres_drop(tables) -> list[str]:
    return [
        *[
            f"DROP TRIGGER IF EXISTS {t}_{name} ON {t};"
            for t in (*tables, HEAD)
            for name in ("append_only", "no_truncate", "no_delete", "step")
        ],
        "DROP FUNCTION IF EXISTS privacy_auditchainhead_step();",
        "DROP FUNCTION IF EXISTS privacy_auditevent_refuse();",
    ]


def _run(connection, statements_by_vendor) -> None:
    with connection.cursor() as cursor:
        for statement in statements_by_vendor.get(connection.vendor, []):
            cursor.execute(statement)


def install_append_only_triggers(connection, tables=APPEND_ONLY_TABLES) -> None:
    _run(connection, {"sqlite": _sqlite(tables), "postgresql": _postgres(tables)})


def remove_append_only_triggers(connection, tables=APPEND_ONLY_TABLES) -> None:
    _run(connection, {"sqlite": _sqlite_drop(tables), "postgresql": _postgres_drop(tables)})


def remove_table_refusals(connection, table: str) -> None:
    """The append-only triggers of one table, the head's and the shared function kept."""
    _run(
        connection,
        {
            "sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for op in ("update", "delete")],
            "postgresql": [
                f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};"
                for name in ("append_only", "no_truncate")
            ],
        },
    )


# An episode's patient's events about them, or naming them when about no one patient:
# the events the episode's program's director reviews (privacy.models.AuditEventProgram).
_EVENTS_OF_NEW_PATIENT = (
    "SELECT seq, NEW.program_id FROM privacy_auditevent WHERE patient_id = NEW.patient_id"
    " UNION SELECT named.event_seq, NEW.program_id FROM privacy_auditeventpatient named"
    " JOIN privacy_auditevent event ON event.seq = named.event_seq"
    " WHERE named.patient_id = NEW.patient_id AND event.patient_id IS NULL"
)
EPISODES = "patients_episode"
FOLLOW = f"{EPISODES}_audit_links"
SQLITE_FOLLOW = [
    f"""CREATE TRIGGER IF NOT EXISTS {FOLLOW}_{when.split()[0].lower()} AFTER {when} ON {EPISODES}
       BEGIN INSERT OR IGNORE INTO {PROGRAM_LINKS} (event_seq, program_id)
       {_EVENTS_OF_NEW_PATIENT}; END;"""
    for when in ("INSERT", "UPDATE OF patient_id, program_id")
]
POSTGRES_FOLLOW = [
    f"""CREATE OR REPLACE FUNCTION {FOLLOW}() RETURNS trigger AS $$
       BEGIN
         PERFORM 1 FROM {HEAD} WHERE id = 1 FOR UPDATE;
         INSERT INTO {PROGRAM_LINKS} (event_seq, program_id) {_EVENTS_OF_NEW_PATIENT}
           ON CONFLICT DO NOTHING;
         RETURN NULL;
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE OR REPLACE TRIGGER {FOLLOW} AFTER INSERT OR UPDATE OF patient_id, program_id
       ON {EPISODES} FOR EACH ROW EXECUTE FUNCTION {FOLLOW}();""",
]


def install_patient_events_follow(connection) -> None:
    """The trigger that links a patient's earlier events to a program they come to."""
    _run(connection, {"sqlite": SQLITE_FOLLOW, "postgresql": POSTGRES_FOLLOW})


def remove_patient_events_follow(connection) -> None:
    _run(
        connection,
        {
            "sqlite": [f"DROP TRIGGER IF EXISTS {FOLLOW}_{w};" for w in ("insert", "update")],
            "postgresql": [
                f"DROP TRIGGER IF EXISTS {FOLLOW} ON {EPISODES};",
                f"DROP FUNCTION IF EXISTS {FOLLOW}();",
            ],
        },
    )


def replace_head_step_rule(connection, rule: str) -> None:
    """Swap the rule of the head's UPDATE trigger where the triggers are installed (the
    function on PostgreSQL, the trigger on SQLite); nothing where they are not."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [f"{HEAD}_step"])
            if cursor.fetchone():
                cursor.execute(_postgres_head_step(rule))
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [f"{HEAD}_step"],
            )
            if cursor.fetchone():
                cursor.execute(f"DROP TRIGGER {HEAD}_step;")
                cursor.execute(_sqlite_head_step(rule))
