"""The daily job that makes each program's weekly random drug-test draw (`stepwell
daily`): the system draws, so staff never choose who is tested or when."""

from __future__ import annotations

from stepwell.daily.registry import daily_job

from .services import random_draw_weekly

JOB = "drug-test-draw"  # named in privacy.access.meds.DRAW_JOBS


@daily_job(JOB)
def drug_test_draw_daily(*, actor, program, local_date) -> str:
    return random_draw_weekly(actor=actor, program_id=program.pk, today=local_date).summary()
