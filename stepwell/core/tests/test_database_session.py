"""What every database session of the app is set up with on PostgreSQL."""

from django.db import connection


def test_sessions_run_without_jit(on_postgres, db):
    """No JIT compiling (settings.base.database_from_url): it cost 196 ms on the audit
    trail's count before the query ran once."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
