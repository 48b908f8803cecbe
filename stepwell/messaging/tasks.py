"""Background jobs of the outbox (django-tasks; `stepwell db_worker` runs them).

- message_deliver: one message, enqueued when its use case commits; a temporary failure
  enqueues the next try for later (on a backend that can defer).
- outbox_sweep: delivers whatever is due (retries, and messages whose job was lost); it
  reschedules itself every few minutes once `stepwell messages sweep --every` started it.
- appointment-reminders (a `stepwell daily` job): tomorrow's reminders, once a day. The
  older self-rescheduling appointment_reminders_daily (15:00 UTC, started by
  `stepwell messages reminders --every`) is kept for installs without the daily trigger;
  the reminders are idempotent per day, so both running sends nothing twice.
On the test suite's immediate backend nothing is deferred: each job runs once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from stepwell.daily.registry import daily_job
from stepwell.privacy.access.messaging import REMINDER_JOB
from stepwell.privacy.actors import system_actor

from . import delivery, jobs
from .reminders import appointment_reminders_queue

SWEEP_MINUTES = 5
REMINDER_HOUR_UTC = 15
TASK_PATHS = {
    "sweep": "stepwell.messaging.tasks.outbox_sweep",
    "reminders": "stepwell.messaging.tasks.appointment_reminders_daily",
}


def _waiting(path: str) -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another backend keeps its own schedule
        return False
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()


@task()
def message_deliver(message_id: int) -> str:
    message = delivery.message_deliver(message_id)
    if message is None:
        return "not due"
    if message.state == "queued" and default_task_backend.supports_defer:
        message_deliver.using(run_after=message.next_attempt_at).enqueue(message.pk)
    return message.state


def next_reminder_run(now: datetime) -> datetime:
    today = now.astimezone(UTC).date()
    run = datetime.combine(today, time(REMINDER_HOUR_UTC), tzinfo=UTC)
    return run if run > now else run + timedelta(days=1)


@task()
def outbox_sweep() -> int:
    done = delivery.outbox_sweep()
    if default_task_backend.supports_defer and not _waiting(TASK_PATHS["sweep"]):
        outbox_sweep.using(run_after=timezone.now() + timedelta(minutes=SWEEP_MINUTES)).enqueue()
    return done


@task()
def appointment_reminders_daily() -> int:
    queued = appointment_reminders_queue(actor=system_actor(REMINDER_JOB))
    if default_task_backend.supports_defer and not _waiting(TASK_PATHS["reminders"]):
        appointment_reminders_daily.using(run_after=next_reminder_run(timezone.now())).enqueue()
    return len(queued)


def schedule(kind: str, *, start_now: bool = True) -> bool:
    """Start the repeating job (`sweep` or `reminders`) unless one is already waiting."""
    job = outbox_sweep if kind == "sweep" else appointment_reminders_daily
    if _waiting(TASK_PATHS[kind]):
        return False
    if start_now or not default_task_backend.supports_defer:
        job.enqueue()
    elif kind == "reminders":
        job.using(run_after=next_reminder_run(timezone.now())).enqueue()
    else:
        job.using(run_after=timezone.now() + timedelta(minutes=SWEEP_MINUTES)).enqueue()
    return True


@daily_job("appointment-reminders", per_program=False)
def appointment_reminders_every_day(*, actor, program, local_date) -> str:
    """Tomorrow's reminders, from `stepwell daily` (clinic-wide: the reminders themselves
    are per session, and a second run of the day queues nothing twice)."""
    return f"{jobs.appointment_reminders(local_date)} reminders queued"
