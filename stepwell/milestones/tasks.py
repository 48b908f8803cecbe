"""The daily job that records newly earned milestones (`stepwell daily`)."""

from __future__ import annotations

from stepwell.daily.registry import daily_job

from .services import milestones_compute_program


@daily_job("milestones-compute")
def milestones_compute_daily(*, actor, program, local_date) -> str:
    found = milestones_compute_program(actor=actor, program_id=program.pk, today=local_date)
    return f"{found} new milestones"
