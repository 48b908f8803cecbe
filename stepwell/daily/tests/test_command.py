"""`stepwell daily`: one pass for cron or a timer, `--every` for a foreground loop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.utils import timezone

from stepwell.daily.models import DailyRun
from stepwell.daily.registry import DAILY_FLAG_GONE
from stepwell.testing.factories import ProgramFactory

from .conftest import local

COMMAND = "stepwell.daily.management.commands.daily"


@pytest.fixture
def chicago(db):
    return ProgramFactory(name="Chicago IOP", timezone="America/Chicago")


@pytest.fixture
def clock(monkeypatch):
    """The time the command sees; tests move it."""

    class Clock:
        now = local("America/Chicago", 2026, 11, 10, 1, 30)

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def test_one_pass_runs_what_is_due_and_says_so(chicago, clock, recorder, capsys):
    recorder.job("reminders")
    clock.now = local("America/Chicago", 2026, 11, 10, 2, 30)
    call_command("daily")
    assert capsys.readouterr().out == (
        "reminders | Chicago IOP | 2026-11-10: done: ran for 2026-11-10\n"
    )
    call_command("daily")
    assert capsys.readouterr().out == (
        "Nothing due: every daily job has run for its current day.\n"
    )


def test_a_failed_run_makes_the_command_fail_and_the_next_pass_retries(
    chicago, clock, recorder, capsys
):
    recorder.job("reminders", fail_times=1)
    clock.now = local("America/Chicago", 2026, 11, 10, 2, 30)
    with pytest.raises(CommandError, match=r"^1 daily job run\(s\) failed; the next run tries"):
        call_command("daily")
    # The command's own line; the log handler may write to stderr too.
    assert (
        "reminders | Chicago IOP | 2026-11-10: failed: "
        "RuntimeError: reminders could not reach the mail server"
    ) in capsys.readouterr().err.splitlines()
    clock.now += timedelta(hours=1)
    call_command("daily")
    assert "done, attempt 2" in capsys.readouterr().out


def test_every_keeps_running_and_picks_up_each_new_day(
    chicago, clock, recorder, capsys, monkeypatch
):
    recorder.job("reminders")
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt
        clock.now += timedelta(hours=1)

    monkeypatch.setattr(f"{COMMAND}.sleep", sleep)
    call_command("daily", "--every", "3600")  # 01:30, 02:30, 03:30, then Ctrl-C
    assert sleeps == [3600, 3600, 3600]
    assert capsys.readouterr().out.splitlines() == [
        "Running the daily jobs that are due every 3600 s (Ctrl-C stops).",
        "reminders | Chicago IOP | 2026-11-09: done: ran for 2026-11-09",
        "reminders | Chicago IOP | 2026-11-10: done: ran for 2026-11-10",
        "Nothing due: every daily job has run for its current day.",
        "Stopped.",
    ]
    assert list(DailyRun.objects.values_list("local_date", flat=True).order_by("local_date")) == [
        date(2026, 11, 9),
        date(2026, 11, 10),
    ]


def test_every_outlives_a_round_that_cannot_reach_the_database(
    chicago, clock, recorder, capsys, monkeypatch
):
    recorder.job("reminders")
    from stepwell.daily.runs import daily_jobs_run

    rounds = []

    def flaky_run():
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("connection refused")
        return daily_jobs_run()

    def sleep(seconds):
        if len(rounds) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(f"{COMMAND}.daily_jobs_run", flaky_run)
    monkeypatch.setattr(f"{COMMAND}.sleep", sleep)
    call_command("daily", "--every", "60")
    captured = capsys.readouterr()
    assert captured.err == "This round stopped: OperationalError: connection refused\n"
    assert "reminders | Chicago IOP | 2026-11-09: done" in captured.out
    assert captured.out.endswith("Stopped.\n")


@pytest.mark.parametrize("wait", ["0", "-5", "1.5", "soon", "٣٦٠٠", "604801"])
def test_every_refuses_a_wait_that_is_not_whole_seconds(wait, db):
    with pytest.raises(CommandError, match=r"argument --every: .* give whole seconds from 1 to"):
        call_command("daily", "--every", wait)
    assert not DailyRun.objects.exists()


def test_list_names_each_job_and_its_scope(db, capsys):
    call_command("daily", "--list")
    out = capsys.readouterr().out.splitlines()
    assert "measures-due (each program)" in out
    assert "audit-checkpoint (clinic-wide)" in out
    assert not DailyRun.objects.exists()


def test_the_old_daily_flags_point_to_stepwell_daily(db):
    with pytest.raises(CommandError) as measures:
        call_command("measures_due", "--daily")
    with pytest.raises(CommandError) as audit:
        call_command("audit", "checkpoint", "--daily")
    assert str(measures.value) == str(audit.value) == DAILY_FLAG_GONE
    assert "`stepwell daily`" in DAILY_FLAG_GONE
    assert "docs/production.md" in DAILY_FLAG_GONE
