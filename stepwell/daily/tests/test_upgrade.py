"""Upgrading from the self-rescheduling jobs: their waiting runs leave the job queue, so
no worker tries to import a task that is gone; other jobs and finished results stay."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

forget = import_module("stepwell.daily.migrations.0002_forget_self_rescheduling_jobs")


def _queued(task_path: str, status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


def test_the_old_daily_runs_waiting_in_the_queue_are_removed(db):
    old_measures = _queued("stepwell.measures.tasks.measures_due_daily", "READY")
    old_checkpoint = _queued("stepwell.privacy.tasks.audit_checkpoint_daily", "READY")
    finished = _queued("stepwell.privacy.tasks.audit_checkpoint_daily", "SUCCESSFUL")
    other = _queued("stepwell.interop.tasks.bulk_export", "READY")
    forget.forget_waiting_runs(apps, None)
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {finished.pk, other.pk}
    assert old_measures.pk not in left and old_checkpoint.pk not in left
