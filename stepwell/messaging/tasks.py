"""Background jobs of the outbox (django-tasks; `stepwell db_worker` runs them).

- message_deliver: one message, enqueued when its use case commits; a temporary failure
  enqueues the next try for later (on a backend that can defer).
- outbox_sweep: delivers whatever is due (retries, and messages whose job was lost); it
  reschedules itself every few minutes once `stepwell messages sweep --every` started it.
  It is not a daily job: a message waits minutes, not a day.
- appointment-reminders: tomorrow's reminders, once a day, a `stepwell daily` job.
- alumni-event-reminders: tomorrow's alumni events, per program, a `stepwell daily` job.
On the test suite's immediate backend nothing is deferred: each job runs once.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from stepwell.daily.registry import daily_job
from stepwell.privacy.access.messaging import ALUMNI_REMINDER_JOB

from . import delivery, jobs
from .alumni_reminders import alumni_event_reminders_queue

SWEEP_MINUTES = 5
SWEEP_PATH = "stepwell.messaging.tasks.outbox_sweep"


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


@task()
def outbox_sweep() -> int:
    done = delivery.outbox_sweep()
    if default_task_backend.supports_defer and not _waiting(SWEEP_PATH):
        outbox_sweep.using(run_after=timezone.now() + timedelta(minutes=SWEEP_MINUTES)).enqueue()
    return done


def sweep_schedule() -> bool:
    """Start the repeating sweep unless one is already waiting."""
    if _waiting(SWEEP_PATH):
        return False
    outbox_sweep.enqueue()
    return True


@daily_job("appointment-reminders", per_program=False)
def appointment_reminders_every_day(*, actor, program, local_date) -> str:
    """Tomorrow's reminders, from `stepwell daily` (clinic-wide: the reminders themselves
    are per session, and a second run of the day queues nothing twice)."""
    return f"{jobs.appointment_reminders(local_date)} reminders queued"


@daily_job(ALUMNI_REMINDER_JOB)
def alumni_event_reminders_every_day(*, actor, program, local_date) -> str:
    """Reminders for the program's alumni events of tomorrow, to those who said yes."""
    queued = alumni_event_reminders_queue(actor=actor, program_id=program.pk, today=local_date)
    return f"{len(queued)} alumni event reminders queued"
