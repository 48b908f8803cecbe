"""The daily job: follow-ups that fell due, their links, unreachable ones, readmissions."""

from __future__ import annotations

from stepwell.daily.registry import daily_job

from .services import follow_ups_daily


@daily_job("follow-ups")
def follow_ups_every_day(*, actor, program, local_date) -> str:
    return follow_ups_daily(actor=actor, program_id=program.pk, today=local_date).summary()
