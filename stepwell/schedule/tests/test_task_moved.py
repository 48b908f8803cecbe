"""Upgrading across the move of the optimizer's task (schedule/tasks.py to
schedule/planning/tasks.py): runs waiting in the queue follow it; finished results and
other tasks are left as they were."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stepwell.schedule.planning.tasks import schedule_plan_run_execute

moved = import_module("stepwell.schedule.migrations.0004_optimizer_task_moved")


def _queued(task_path: str, status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


def test_the_new_path_is_the_task_that_runs():
    assert schedule_plan_run_execute.module_path == moved.NEW_PATH


def test_waiting_runs_follow_the_task_and_finished_ones_stay(db):
    waiting = _queued(moved.OLD_PATH, "READY")
    finished = _queued(moved.OLD_PATH, "SUCCESSFUL")
    other = _queued("stepwell.interop.tasks.bulk_export", "READY")

    moved.waiting_runs_to_new_path(apps, None)

    paths = dict(DBTaskResult.objects.values_list("pk", "task_path"))
    assert paths == {
        waiting.pk: moved.NEW_PATH,
        finished.pk: moved.OLD_PATH,
        other.pk: "stepwell.interop.tasks.bulk_export",
    }

    moved.waiting_runs_to_old_path(apps, None)
    assert DBTaskResult.objects.get(pk=waiting.pk).task_path == moved.OLD_PATH
