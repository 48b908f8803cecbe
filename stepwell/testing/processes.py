"""Other processes on the test's PostgreSQL database: a second app server, job workers,
`stepwell daily` on two machines. For tests marked postgres with committed data
(transactional_db), so the other processes see it.

`race` lines the processes up: it holds a table lock until each of them is blocked on it,
then lets them all go at once, so the race a test is about really happens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

REPO = Path(__file__).resolve().parents[2]
# Production settings for the processes that need the real job backend (the test settings
# run jobs at once); a throwaway key, as these processes serve no one.
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "stepwell.settings.production",
    "STEPWELL_SECRET_KEY": "test-processes-only-" + "k" * 40,
}


def test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    login = f"{user}:{password}@" if password else f"{user}@"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{login}{host}:{port}/{settings['NAME']}"


def django_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`manage.py <args>` from this worktree, on the test database (test settings unless
    ``env`` says otherwise)."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stepwell.settings.test",
        **(env or {}),
        "STEPWELL_DATABASE_URL": test_database_url(),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"process did not finish in {timeout} s: {out}\n{err}") from None
    return process.returncode, out, err


def race(
    table: str, *commands: list[str], mode: str = "EXCLUSIVE", env: dict | None = None
) -> list[tuple[int, str, str]]:
    """Start one process per command while ``table`` is locked; once every one of them
    is blocked on a lock, release it so they go on at the same moment. Returns each
    process's (exit code, stdout, stderr)."""
    import psycopg

    with psycopg.connect(test_database_url()) as holder:
        holder.execute(f'LOCK TABLE "{table}" IN {mode} MODE')
        processes = [django_process(*command, env=env) for command in commands]
        with psycopg.connect(test_database_url(), autocommit=True) as watcher:
            deadline = time.monotonic() + 120
            while True:
                (waiting,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchone()
                if waiting >= len(processes):
                    break
                ended = [p for p in processes if p.poll() is not None]
                if ended or time.monotonic() > deadline:
                    holder.rollback()
                    for process in processes:
                        process.kill()
                    report = [finish(p, timeout=10) for p in processes]
                    raise AssertionError(
                        f"only {waiting} of {len(processes)} processes reached {table}: {report}"
                    )
                time.sleep(0.05)
        holder.commit()
    return [finish(process) for process in processes]
