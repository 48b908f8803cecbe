"""The daily job that creates due questionnaires, rescheduling itself for the next day.

`stepwell measures-due --daily` starts the chain once (idempotent: it does nothing while
a run is already waiting). Each run creates what the programs' measurement schedules
call for (services.due_questionnaires_generate, as the system actor `measures-due`) and
enqueues the next run for 02:00 UTC
the next day. On a backend that cannot defer (the test suite's immediate backend) the
job runs once and does not reschedule.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from stepwell.privacy.actors import system_actor

from .services import due_questionnaires_generate

JOB = "measures-due"  # the system actor the audit trail names (privacy.access.measures)
TASK_PATH = "stepwell.measures.tasks.measures_due_daily"


def next_run_after(now: datetime) -> datetime:
    tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(2, 0), tzinfo=UTC)


def daily_run_waiting() -> bool:
    """A run already queued (database backend only)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it keeps its own schedule
        return False
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").exists()


def measures_due_schedule(*, start_now: bool = True) -> bool:
    """Start the daily chain unless a run is already waiting. True when one was enqueued."""
    if daily_run_waiting():
        return False
    if start_now or not default_task_backend.supports_defer:
        measures_due_daily.enqueue()
    else:
        measures_due_daily.using(run_after=next_run_after(timezone.now())).enqueue()
    return True


@task()
def measures_due_daily() -> int:
    created = due_questionnaires_generate(actor=system_actor(JOB))
    if default_task_backend.supports_defer and not daily_run_waiting():
        measures_due_daily.using(run_after=next_run_after(timezone.now())).enqueue()
    return len(created)
