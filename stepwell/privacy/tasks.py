"""The daily audit checkpoint, run once a day for the whole clinic by `stepwell daily`.

Each run verifies the whole trail and signs a checkpoint. When the trail does not verify
it writes no checkpoint and the run fails, so `stepwell daily` reports it (exit code 1),
records the error with the run, and tries again at its next trigger.
"""

from __future__ import annotations

from datetime import date

from stepwell.daily.registry import daily_job

from .checkpoints import audit_checkpoint_create
from .models import CheckpointReason

JOB_NAME = "audit-checkpoint"


@daily_job(JOB_NAME, per_program=False)
def audit_checkpoint_daily(*, actor, program, local_date: date) -> str:
    """Sign today's checkpoint; the summary names the event it vouches for."""
    checkpoint, _ = audit_checkpoint_create(actor=actor, reason=CheckpointReason.DAILY)
    return f"checkpoint signed at event {checkpoint.seq}"
