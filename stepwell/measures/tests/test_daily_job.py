"""The daily due-questionnaire job: started once, reschedules itself on a deferring backend."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from stepwell.measures.tasks import TASK_PATH, measures_due_schedule, next_run_after

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def test_next_run_is_tomorrow_at_two_utc():
    assert next_run_after(datetime(2026, 11, 27, 23, 59, tzinfo=UTC)) == datetime(
        2026, 11, 28, 2, 0, tzinfo=UTC
    )
    assert next_run_after(datetime(2026, 12, 31, 3, 0, tzinfo=UTC)) == datetime(
        2027, 1, 1, 2, 0, tzinfo=UTC
    )


@pytest.mark.django_db(transaction=True)
def test_daily_job_is_enqueued_once_and_reschedules_itself(capsys, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    call_command("measures_due", "--daily")
    assert "started" in capsys.readouterr().out
    assert measures_due_schedule() is False  # already waiting
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    results = DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at")
    assert [r.status for r in results] == ["SUCCESSFUL", "READY"]
    assert results[1].run_after.hour == 2


def test_command_without_daily_creates_due_questionnaires_now(db, capsys):
    call_command("measures_due")
    assert "questionnaires now due" in capsys.readouterr().out
