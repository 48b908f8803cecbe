"""The optimizer as a background job: the run page polls SchedulePlanRun.progress.

`schedule_plan_run_execute(run_id)` is a django-tasks task (the database backend's worker
runs it: `stepwell db_worker`); `plan_run_execute` is the same work, callable directly
(the demo seeds plans with it).

The job acts for the director who started the run (`run.requested_by`), never for nobody:
- it checks first that they still direct the run's program; if not, the refusal is
  written to the audit trail under their name and the run fails saying why;
- it generates the week's sessions as them (calendar_services.occurrences_generate);
- reading the week for the optimizer reads patients' availability, plans and hours, so
  it writes one audit event under their name, `view` of the run, naming every patient
  the optimizer was given, with `{"job": "schedule-plan-run"}` in its detail so the
  trail shows the job did it, not a page.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.schedule import access_plan_run_execute
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.models import PlanRunStatus, SchedulePlanRun
from stepwell.schedule.optimizer.checker import check_plan
from stepwell.schedule.optimizer.instance import InstanceError, instance_from_dict
from stepwell.schedule.optimizer.plan import plan_to_dict
from stepwell.schedule.optimizer.solver import solve
from stepwell.schedule.planning.compare import current_schedules
from stepwell.schedule.planning.export import instance_patient_ids, schedule_instance_export
from stepwell.schedule.planning.services import run_inputs

JOB = "schedule-plan-run"


def _progress(run: SchedulePlanRun, percent: int, message: str, **fields) -> None:
    run.progress = percent
    run.message = message[:300]
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["progress", "message", *fields])


def plan_run_execute(
    run: SchedulePlanRun,
    *,
    now: datetime | None = None,
    seconds: float | None = None,
    work: float | None = None,
) -> SchedulePlanRun:
    """Generate the week's sessions, export, solve from the current week, check, store;
    for the director who started the run (see the module docstring).

    `work` makes the solve deterministic (the optimizer's `work_limit`: the same week
    gives the same plan however loaded the machine is); `seconds` is then only a cap."""
    seconds = float(seconds if seconds is not None else settings.STEPWELL_OPTIMIZER_SECONDS)
    director = run.requested_by
    if not access_plan_run_execute(director, run):
        refuse(
            actor=director,
            action=AuditAction.UPDATE,
            object_type="schedule_plan_run",
            object_id=run.pk,
            detail={"job": JOB},
        )
        _fail(run, f"{director} no longer directs {run.program}; nothing was planned.")
        return run
    try:
        _progress(run, 5, "Preparing the week's sessions", status=PlanRunStatus.RUNNING)
        calendar_services.occurrences_generate(
            actor=director, program_id=run.program_id, week=run.week
        )
        _progress(run, 15, "Reading availability and bookings")
        data = schedule_instance_export(program=run.program, week=run.week, now=now)
        audit_record(
            user=director,
            action=AuditAction.VIEW,
            object_type="schedule_plan_run",
            object_id=run.pk,
            detail={"job": JOB, "patients": instance_patient_ids(data)},
        )
        current, basis = current_schedules(program=run.program, week=run.week, now=now)
        data, hint, keep = run_inputs(run, data, current, basis)
        instance = instance_from_dict(data)
        _progress(run, 25, f"Optimizing {len(instance.patients)} patients' weeks", instance=data)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(
                solve,
                instance,
                time_limit_seconds=seconds,
                seed=0,
                hint=hint,
                keep=keep,
                work_limit=work,
            )
            while True:
                try:
                    plan = future.result(timeout=1)
                    break
                except TimeoutError:
                    share = min(1.0, (time.monotonic() - started) / max(seconds, 0.1))
                    _progress(run, 25 + int(65 * share), "Optimizing")
        _progress(run, 92, "Checking the plan")
        plan_data = plan_to_dict(plan)
        problems = check_plan(instance, plan_data)
        if problems:
            raise RuntimeError("The plan failed the independent check: " + "; ".join(problems[:3]))
        summary = plan_data["summary"]
        run.plan = plan_data
        run.status = PlanRunStatus.DONE
        run.finished_at = timezone.now()
        _progress(
            run,
            100,
            f"{summary['requirements_met']} of {summary['patients']} patients fully served "
            f"(at most {summary['upper_bound_met']} possible)"
            + (f"; started from {basis}'s schedule" if basis else "")
            + (f"; {len(keep)} patients keep their bookings" if keep else ""),
            plan=plan_data,
            status=PlanRunStatus.DONE,
            finished_at=run.finished_at,
        )
    except InstanceError as error:
        _fail(run, f"The week could not be exported: {error}")
    except ApplicationError as error:
        _fail(run, f"The week could not be prepared: {error.message}")
    except Exception as error:
        _fail(run, f"The optimizer failed: {error}")
        raise
    return run


def _fail(run: SchedulePlanRun, message: str) -> None:
    _progress(run, 100, message, status=PlanRunStatus.FAILED, finished_at=timezone.now())


@task()
def schedule_plan_run_execute(run_id: int) -> str:
    run = SchedulePlanRun.objects.select_related("program", "requested_by").get(pk=run_id)
    plan_run_execute(run)
    return run.status
