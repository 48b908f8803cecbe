"""Reads of the program calendar for the pages and the API, each starting from the user.

Each selector fetches what it shows through privacy.access.schedule, which refuses
(audited) a user who may not see it, then checks the week in the address (an
ApplicationError naming `week`, answered 400). A read that shows patients is written to
the audit trail naming every patient it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.privacy.access.schedule import (
    access_plan_run_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.models import (
    PlanRunStatus,
    SchedulePlanRun,
)
from stepwell.schedule.planning.run_results import RunResults, run_results


@dataclass
class PlanRunPage:
    run: SchedulePlanRun
    finished: bool
    results: RunResults | None


def plan_run_read(*, user, run_id: int) -> PlanRunPage:
    """A run of a program the user directs; once it has a plan, audited naming every
    patient of the plan."""
    run = access_plan_run_by_id(user, run_id)
    finished = run.status in (PlanRunStatus.DONE, PlanRunStatus.ACCEPTED, PlanRunStatus.FAILED)
    results = run_results(run) if finished and run.plan else None
    if results is not None:
        audit_record(
            user=user,
            action=AuditAction.VIEW,
            object_type="schedule_plan_run",
            object_id=run.pk,
            detail={"patients": results.patient_ids},
        )
    return PlanRunPage(run=run, finished=finished, results=results)
