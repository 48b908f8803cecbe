"""Which daily runs are due, and running each of them once across every server.

A program's day starts at STEPWELL_DAILY_START_HOUR o'clock (default 2) in the program's
time zone. At any moment the run due for a program is the one for the latest local date
whose day has started: at 01:30 in Chicago it is still yesterday's turn, at 02:30 today's.
Each job runs once per (job, program, local date): the first server to insert the
DailyRun row runs it, and every other server sees the row and skips it. So `stepwell daily`
can run every hour, from several machines at once, and only does what is due.

A run that fails is recorded as failed with the error, and the next trigger tries it again
(until the program's next day starts, whose run then does the day's work). A run left
marked running by a server that died is taken over after ABANDONED_AFTER.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.core.errors import AccessDenied
from stepwell.privacy.actors import system_actor
from stepwell.privacy.refusals import refusal_settle

from .models import DailyRun, DailyRunStatus
from .registry import DailyJob, registered_jobs

logger = logging.getLogger("stepwell.daily")

# A run still marked running after this long was left by a server that stopped mid-run.
ABANDONED_AFTER = timedelta(hours=6)
CLINIC_WIDE = "clinic-wide"


def day_started(zone_name: str, now: datetime, start_hour: int) -> date:
    """The latest local date in ``zone_name`` whose day has started at ``now``.

    The date is the one clinic.time.program_today gives once the day has started; before
    ``start_hour`` o'clock local time it is the day before. On a day the clocks skip the
    start hour, the day starts at the first local time after it."""
    local = timezone.localtime(now, ZoneInfo(zone_name))
    return local.date() if local.hour >= start_hour else local.date() - timedelta(days=1)


@dataclass(frozen=True)
class RunOutcome:
    job: str
    where: str  # the program's name, or "clinic-wide"
    local_date: date
    status: str  # DailyRunStatus.DONE or FAILED
    attempt: int
    summary: str  # what the job returned, or the error

    @property
    def failed(self) -> bool:
        return self.status == DailyRunStatus.FAILED

    def line(self) -> str:
        again = f", attempt {self.attempt}" if self.attempt > 1 else ""
        said = f": {self.summary}" if self.summary else ""
        return f"{self.job} | {self.where} | {self.local_date}: {self.status}{again}{said}"


def daily_jobs_run(
    *, now: datetime | None = None, jobs: Iterable[DailyJob] | None = None
) -> list[RunOutcome]:
    """Run every job that is due at ``now`` (default: now) and not yet done; return what ran."""
    now = timezone.now() if now is None else now
    jobs = registered_jobs() if jobs is None else tuple(jobs)
    start_hour = settings.STEPWELL_DAILY_START_HOUR
    programs = list(Program.objects.order_by("pk"))
    day_of = {program.pk: day_started(program.timezone, now, start_hour) for program in programs}
    clinic_day = day_started(settings.TIME_ZONE, now, start_hour)
    done = set(
        DailyRun.objects.filter(
            status=DailyRunStatus.DONE, local_date__in={clinic_day, *day_of.values()}
        ).values_list("job", "program_id", "local_date")
    )
    outcomes = []
    for job in jobs:
        targets = programs if job.per_program else [None]
        for program in targets:
            day = day_of[program.pk] if program is not None else clinic_day
            if (job.name, program.pk if program else None, day) in done:
                continue
            run = _claim(job.name, program, day)
            if run is not None:
                outcomes.append(_execute(job, program, run))
    return outcomes


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _claim(job_name: str, program: Program | None, day: date) -> DailyRun | None:
    """The run, now marked running by this process; None when another has it or it is done."""
    started = timezone.now()
    try:
        with transaction.atomic():
            return DailyRun.objects.create(
                job=job_name,
                program=program,
                local_date=day,
                status=DailyRunStatus.RUNNING,
                started_at=started,
                runner=_runner(),
            )
    except IntegrityError:
        pass  # another server (or an earlier trigger) has the row
    run = DailyRun.objects.filter(job=job_name, program=program, local_date=day).first()
    if run is None or run.status == DailyRunStatus.DONE:
        return None
    if run.status == DailyRunStatus.RUNNING and run.started_at > started - ABANDONED_AFTER:
        return None
    # Retry a failed (or abandoned) run; the attempt count guards against two retrying.
    taken = DailyRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).update(
        status=DailyRunStatus.RUNNING,
        attempts=run.attempts + 1,
        started_at=started,
        finished_at=None,
        runner=_runner(),
    )
    if not taken:
        return None
    run.refresh_from_db()
    return run


def _execute(job: DailyJob, program: Program | None, run: DailyRun) -> RunOutcome:
    where = program.name if program is not None else CLINIC_WIDE
    actor = system_actor(job.name)
    try:
        with transaction.atomic():  # the job's writes for this day land together or not at all
            summary = job.function(actor=actor, program=program, local_date=run.local_date)
    except BaseException as error:
        if isinstance(error, AccessDenied):
            refusal_settle(error, request_user=actor, object_type="daily_job", object_id=job.name)
        text = f"{type(error).__name__}: {error}"[:2000]
        logger.error(
            "Daily job %s (%s, %s) failed: %s",
            job.name,
            where,
            run.local_date,
            text,
            exc_info=isinstance(error, Exception),
        )
        _finish(run, status=DailyRunStatus.FAILED, error=text)
        if not isinstance(error, Exception):
            raise  # Ctrl-C or a stop signal: recorded, then stop
        return RunOutcome(
            job.name, where, run.local_date, DailyRunStatus.FAILED, run.attempts, text
        )
    text = "" if summary is None else str(summary)[:500]
    _finish(run, status=DailyRunStatus.DONE, summary=text)
    return RunOutcome(job.name, where, run.local_date, DailyRunStatus.DONE, run.attempts, text)


def _finish(run: DailyRun, *, status: str, summary: str = "", error: str = "") -> None:
    DailyRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), summary=summary, error=error
    )
