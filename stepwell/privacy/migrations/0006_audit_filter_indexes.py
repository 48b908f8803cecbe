"""Indexes for the audit review's filters, so a filter on a rare value reads the events
that have it instead of walking the trail back from its newest event to find them (a
user with no events, the denied attempts, the exports: 70 to 260 ms on a trail of
395,000 events, growing with it, and 9 to 19 ms with these).

- Outcome, action and record type (equal to a value): an index on the column and the
  event number, read newest first (in the model, so on SQLite too).
- User, role (contain a text, any case) and address (starts with): trigram indexes
  (PostgreSQL's pg_trgm, part of its standard contrib and trusted: the database's owner
  may install it), on the expressions Django's icontains and startswith lookups send.
  PostgreSQL only, so kept out of the model's state; SQLite gets none (a SQLite clinic's
  trail is small).

On PostgreSQL every index is built concurrently (create_indexes says why).
"""

from django.db import migrations, models

# name -> the indexed columns; the trigram ones PostgreSQL only.
BTREE_INDEXES = {
    "audit_outcome_seq": "outcome, seq",
    "audit_action_seq": "action, seq",
    "audit_object_type_seq": "object_type, seq",
}
TRIGRAM_INDEXES = {
    "audit_username_trgm": "UPPER((username)::text) gin_trgm_ops",
    "audit_role_trgm": "UPPER((role)::text) gin_trgm_ops",
    "audit_client_address_trgm": "client_address gin_trgm_ops",
}


def _concurrently(schema_editor) -> str:
    """PostgreSQL builds and drops an index concurrently only outside a transaction: so
    does `migrate` here (atomic = False), but not a caller that migrates inside one (the
    tests that step through migrations), which gets the plain build."""
    connection = schema_editor.connection
    concurrent = connection.vendor == "postgresql" and not connection.in_atomic_block
    return "CONCURRENTLY " if concurrent else ""


def create_indexes(apps, schema_editor):
    """On PostgreSQL built concurrently: every request appends to the trail, and a plain
    build would hold those appends (so every page) for as long as it takes on a long
    trail. A build left invalid by an interrupted run is dropped and built again."""
    if schema_editor.connection.vendor != "postgresql":
        for name, columns in BTREE_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON privacy_auditevent ({columns})")
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    using = {name: f"({columns})" for name, columns in BTREE_INDEXES.items()}
    using |= {name: f"USING gin ({expression})" for name, expression in TRIGRAM_INDEXES.items()}
    concurrently = _concurrently(schema_editor)
    for name, how in using.items():
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {concurrently}{name} ON privacy_auditevent {how}")


def drop_indexes(apps, schema_editor):
    """The indexes only: pg_trgm stays installed (other things may use it)."""
    postgres = schema_editor.connection.vendor == "postgresql"
    names = [*BTREE_INDEXES, *(TRIGRAM_INDEXES if postgres else ())]
    for name in names:
        schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds an index concurrently only outside a transaction

    dependencies = [
        ('privacy', '0005_audit_event_programs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(fields=['outcome', 'seq'], name='audit_outcome_seq'),
                ),
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(fields=['action', 'seq'], name='audit_action_seq'),
                ),
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(fields=['object_type', 'seq'], name='audit_object_type_seq'),
                ),
            ],
            database_operations=[migrations.RunPython(create_indexes, drop_indexes)],
        ),
    ]
