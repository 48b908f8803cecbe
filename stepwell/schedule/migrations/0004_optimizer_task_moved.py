"""The optimizer's background task moved with the planning room (schedule/tasks.py is now
schedule/planning/tasks.py). Runs still waiting in the job queue name the task by its
import path: point them at the new one, so the worker does not fail to import them."""

from django.db import migrations

OLD_PATH = "stepwell.schedule.tasks.schedule_plan_run_execute"
NEW_PATH = "stepwell.schedule.planning.tasks.schedule_plan_run_execute"
WAITING = ["NEW", "READY"]


def _move(apps, old: str, new: str) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old, status__in=WAITING).update(task_path=new)


def waiting_runs_to_new_path(apps, schema_editor):
    _move(apps, OLD_PATH, NEW_PATH)


def waiting_runs_to_old_path(apps, schema_editor):
    _move(apps, NEW_PATH, OLD_PATH)


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0003_human_setup_names"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(waiting_runs_to_new_path, waiting_runs_to_old_path)]
