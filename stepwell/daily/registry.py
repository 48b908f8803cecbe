"""The daily jobs, registered by the apps that own them.

`stepwell daily` runs each registered job once a day for each program, on the program's
own date (its time zone), and records the run so it never runs twice (runs.py).

How to add a daily job
----------------------
Write it in your app's ``tasks.py``: `stepwell daily` imports the ``tasks`` module of every
installed app before it runs, so the decorator below is all the registration there is.

    from stepwell.daily.registry import daily_job

    @daily_job("appointment-reminders")
    def appointment_reminders_daily(*, actor, program, local_date) -> str:
        sent = appointment_reminders_send(actor=actor, program_id=program.pk, day=local_date)
        return f"{len(sent)} reminders sent"

- ``actor`` is ``system_actor("appointment-reminders")``: the job's name is the system
  actor the audit trail names, so the access rule of the service you call must name it.
- ``program`` is the clinic.Program; ``local_date`` is the program's date for the day being
  run. Use it as "today": never ``date.today()`` or ``timezone.now().date()``, which are
  UTC dates (at 02:00 UTC it is still yesterday in America/Chicago).
- Make the work idempotent for a (program, date): a run that fails is tried again at the
  next trigger, and an operator may run a day by hand.
- Return a short summary (shown by `stepwell daily` and kept with the run) or None.
  Raise to fail: the run is recorded as failed with the error and tried again next hour.
- A clinic-wide job (one run a day, not one per program) says ``per_program=False``: it
  gets ``program=None`` and the date in the server's time zone (settings.TIME_ZONE).
- Names are lower-case words joined by hyphens, unique; `stepwell daily --list` shows them.
- Test it with the runner (stepwell/daily/tests show how): call ``daily_jobs_run`` with a
  ``now`` and assert what the job did for that program's date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

JobFunction = Callable[..., str | None]
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NAME_MAX = 64  # DailyRun.job
# What the old `--daily` flags of `measures-due` and `audit checkpoint` now answer.
DAILY_FLAG_GONE = (
    "--daily is gone: the daily jobs run from `stepwell daily`, which cron or a systemd "
    "timer calls every hour (see docs/production.md; `make demo` runs "
    "`stepwell daily --every 3600`)."
)


@dataclass(frozen=True)
class DailyJob:
    name: str
    function: JobFunction
    per_program: bool = True

    @property
    def scope(self) -> str:
        return "each program" if self.per_program else "clinic-wide"


_JOBS: dict[str, DailyJob] = {}
_discovered = False


def daily_job(name: str, *, per_program: bool = True) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the daily job ``name`` (see the module docstring)."""
    if not NAME.match(name) or len(name) > NAME_MAX:
        raise ImproperlyConfigured(
            f"Daily job name {name!r}: use lower-case words joined by hyphens, "
            f"at most {NAME_MAX} characters."
        )

    def register(function: JobFunction) -> JobFunction:
        known = _JOBS.get(name)
        if known is not None and _where(known.function) != _where(function):
            raise ImproperlyConfigured(
                f"Daily job {name!r} is registered twice: by {_where(known.function)} "
                f"and by {_where(function)}."
            )
        _JOBS[name] = DailyJob(name=name, function=function, per_program=per_program)
        return function

    return register


def _where(function: JobFunction) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def registered_jobs() -> tuple[DailyJob, ...]:
    """Every registered job, by name, after importing every installed app's ``tasks``."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return tuple(_JOBS[name] for name in sorted(_JOBS))
