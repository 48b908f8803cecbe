"""The daily jobs used to re-enqueue themselves as background tasks; `stepwell daily` runs
them now. Delete the waiting runs those chains left, so no worker tries to import them."""

from django.db import migrations

OLD_TASK_PATHS = [
    "stepwell.measures.tasks.measures_due_daily",
    "stepwell.privacy.tasks.audit_checkpoint_daily",
    "stepwell.messaging.tasks.appointment_reminders_daily",
]


def forget_waiting_runs(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path__in=OLD_TASK_PATHS, status__in=["READY", "NEW"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("daily", "0001_daily_run"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_waiting_runs, migrations.RunPython.noop)]
