"""Migrating a test database back and forth, as the migration tests do, in less time.

Django's executor, to unapply a migration, first works out the project state before it by
replaying the whole migration plan. Once it meets the first migration to unapply it
renders the state's models and goes on replaying every later migration with the rendered
models, each operation re-rendering the models related to the one it touches. Here nearly
every model is related to the user and the patient, so each operation re-renders most of
the project: about nine tenths of a migration test's time went there, and the migrations
to unapply are a handful of the hundred.

`migrate()` is the executor's own `migrate` with one change in that first pass: the
states are kept unrendered, and each is rendered once when its migration is unapplied.
The DDL, the order, the recorder and the post-migration state are Django's. This leans on
a private method of Django's executor (`_migrate_all_backwards`, unchanged since Django
1.10 apart from the line removed here); a Django upgrade that changes it shows up as the
migration tests failing, not as wrong schemas in production, since only tests use it.
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db.migrations.executor import MigrationExecutor


class LeanExecutor(MigrationExecutor):
    def _migrate_all_backwards(self, plan, full_plan, fake):
        migrations_to_run = {m[0] for m in plan}
        states = {}  # the (unrendered) state before each migration to unapply
        state = self._create_project_state()
        applied_migrations = {
            self.loader.graph.nodes[key]
            for key in self.loader.applied_migrations
            if key in self.loader.graph.nodes
        }
        for migration, _ in full_plan:
            if not migrations_to_run:
                break
            if migration in migrations_to_run:
                states[migration] = state
                state = migration.mutate_state(state, preserve=True)
                migrations_to_run.remove(migration)
            elif migration in applied_migrations:
                migration.mutate_state(state, preserve=False)

        for migration, _ in plan:
            self.unapply_migration(states[migration], migration, fake=fake)
            applied_migrations.remove(migration)

        last_unapplied_migration = plan[-1][0]
        state = states[last_unapplied_migration]
        state.__dict__.pop("apps", None)
        for index, (migration, _) in enumerate(full_plan):
            if migration == last_unapplied_migration:
                for later, _ in full_plan[index:]:
                    if later in applied_migrations:
                        later.mutate_state(state, preserve=False)
                break
        return state


def migrate(targets, connection=default_connection) -> LeanExecutor:
    """Migrate the database to `targets` (a list of (app label, migration name)); returns
    the executor, whose loader gives the historical models (`loader.project_state`)."""
    # Inside a test's transaction on PostgreSQL (migration_sandbox), rows written before
    # leave deferred foreign key checks pending, and PostgreSQL refuses to alter a table
    # with pending checks: checking each row as it is written avoids that.
    immediate = connection.vendor == "postgresql" and connection.in_atomic_block
    if immediate:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        LeanExecutor(connection).migrate(targets)
    finally:
        if immediate:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return LeanExecutor(connection)


def leaf_nodes(connection=default_connection) -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
