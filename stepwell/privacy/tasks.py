"""The daily audit checkpoint, a background job that reschedules itself.

`stepwell audit checkpoint --daily` starts the chain once (idempotent while a run is
waiting). Each run verifies the whole trail and signs a checkpoint at 03:00 UTC; when the
trail does not verify it writes no checkpoint and the job fails, so the worker's log and
its result show it. On a backend that cannot defer (the test suite's immediate backend)
the job runs once and does not reschedule.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from .actors import system_actor
from .checkpoints import audit_checkpoint_create
from .models import CheckpointReason

TASK_PATH = "stepwell.privacy.tasks.audit_checkpoint_daily"
JOB_NAME = "audit-checkpoint-daily"


def next_run_after(now: datetime) -> datetime:
    tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(3, 0), tzinfo=UTC)


def daily_run_waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend keeps its own schedule
        return False
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").exists()


def _enqueue_next() -> None:
    if default_task_backend.supports_defer and not daily_run_waiting():
        audit_checkpoint_daily.using(run_after=next_run_after(timezone.now())).enqueue()


def audit_checkpoint_schedule() -> bool:
    """Start the daily chain unless a run is already waiting. True when one was enqueued."""
    if daily_run_waiting():
        return False
    audit_checkpoint_daily.enqueue()
    return True


@task()
def audit_checkpoint_daily() -> int:
    """Sign today's checkpoint; returns the sequence number it vouches for."""
    _enqueue_next()  # first, so a broken trail (which raises below) is checked again tomorrow
    checkpoint, _ = audit_checkpoint_create(
        actor=system_actor(JOB_NAME), reason=CheckpointReason.DAILY
    )
    return checkpoint.seq
